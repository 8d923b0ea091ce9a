"""Synthetic incidents, to try the map, the APIs and the benchmarks at any size, and to take
them away again without touching the real data.

Everything synthetic is marked three ways: its slug starts with ``synthetic-``; its places have
the geocoder ``synthetic``; its incidents cite the one synthetic article (``synthetic-data``),
which says they describe no real event. :func:`delete` removes exactly the incidents at synthetic
places, those places and that article.
"""

import datetime as dt
import random
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.contrib.gis.geos import Point
from django.db import connection, transaction

from . import pyramid
from .datafiles import Say, silent
from .maps import REGION_BOUNDS
from .models import Article, ClusterCell, Excerpt, Incident, Place

PREFIX = "synthetic-"
GEOCODER = "synthetic"
ARTICLE_SLUG = "synthetic-data"
ARTICLE_TEXT = (
    "Synthetic incidents made by border_map's load_synthetic_incidents command to try the map at "
    "scale. They describe no real event, and each lies at a random point of the region."
)
CLAIMANTS = ["Kyrgyz officials", "Tajik officials", "Kyrgyz police", "Tajik border guards"]
FIRST_DAY = dt.date(2021, 4, 28)
DAYS = 4  # the days of the April 2021 clashes, as in the seed data
BATCH = 5000


def _batches(items: Iterator[Any], size: int = BATCH) -> Iterator[list[Any]]:
    while batch := list(islice(items, size)):
        yield batch


def _article() -> tuple[Article, Excerpt]:
    article, _ = Article.objects.get_or_create(
        slug=ARTICLE_SLUG,
        defaults={
            "title": "Synthetic incidents (not real events)",
            "outlet": "border_map synthetic data",
            "published": FIRST_DAY,
            "text": ARTICLE_TEXT,
        },
    )
    excerpt, _ = Excerpt.objects.get_or_create(
        article=article, start=0, end=len(article.text), defaults={"text": article.text}
    )
    return article, excerpt


def load(count: int, seed: int = 1, places: int | None = None, say: Say = silent) -> int:
    """Add ``count`` incidents at ``places`` new random places in the region (default: one
    place each, the worst case for clustering), dated over the four days of the seed data,
    then rebuild the pyramid. The same seed gives the same incidents. Returns how many exist."""
    loaded = _load(count, seed, places, say)
    pyramid.vacuum(Place, Incident, Incident.excerpts.through, ClusterCell)
    return loaded


def _load(count: int, seed: int, places: int | None, say: Say) -> int:
    places = count if places is None else max(1, min(places, count))
    (south, west), (north, east) = REGION_BOUNDS
    with transaction.atomic():
        pyramid.lift_statement_timeout()
        _article_row, excerpt = _article()
        # Numbered on from the synthetic rows already there, so that loads add up.
        first = Place.objects.filter(geocoder=GEOCODER, slug__startswith=PREFIX).count()
        start = Incident.objects.filter(slug__startswith=PREFIX).count()
        rng = random.Random(f"{seed}:{first}:{start}")
        source = f"synthetic: uniform random point in the region box (seed {seed})"
        if connection.vendor == "postgresql":
            _load_in_postgresql(count, places, first, start, rng.random(), source, excerpt)
            pyramid.analyse(Place, Incident, Incident.excerpts.through)
            pyramid.rebuild()
            return Incident.objects.filter(slug__startswith=PREFIX).count()
        place_ids: list[int] = []
        new_places = (
            Place(
                slug=f"{PREFIX}place-{first + k}",
                name=f"Synthetic place {first + k}",
                kind=Place.Kind.SETTLEMENT,
                point=Point(rng.uniform(west, east), rng.uniform(south, north), srid=4326),
                geocoder=GEOCODER,
                precision_m=1,
                estimated=True,
                source=source,
            )
            for k in range(places)
        )
        for batch in _batches(new_places):
            place_ids.extend(p.pk for p in Place.objects.bulk_create(batch))
        say(f"{places} synthetic places added")
        types = Incident.Type.values
        new_incidents = (
            Incident(
                slug=f"{PREFIX}{start + k}",
                date=FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)),
                title=f"Synthetic incident {start + k}",
                type=rng.choice(types),
                place_id=place_ids[k % places],
                claimed_by=rng.choice(CLAIMANTS),
                location_note="synthetic",
            )
            for k in range(count)
        )
        cites = Incident.excerpts.through
        done = 0
        for batch in _batches(new_incidents):
            created = Incident.objects.bulk_create(batch)
            cites.objects.bulk_create(
                cites(incident_id=incident.pk, excerpt_id=excerpt.pk) for incident in created
            )
            done += len(batch)
            if done % (BATCH * 20) == 0:
                say(f"{done} of {count} synthetic incidents added")
        pyramid.analyse(Place, Incident, cites)
        pyramid.rebuild()
        return Incident.objects.filter(slug__startswith=PREFIX).count()


def _load_in_postgresql(
    count: int, places: int, first: int, start: int, seed: float, source: str, excerpt: Excerpt
) -> None:
    """The same rows made by PostgreSQL itself (generate_series, random() after setseed): a
    million in a minute where the ORM's batches take half an hour on a busy machine. The same
    seed gives the same rows on PostgreSQL (not the same as on SQLite). The column lists name
    every NOT NULL column of Place and Incident: a new one needs its value here too (the
    synthetic tests on PostGIS fail until it has one)."""
    (south, west), (north, east) = REGION_BOUNDS
    place_table, incident_table = Place._meta.db_table, Incident._meta.db_table
    cites = Incident.excerpts.through._meta.db_table
    with connection.cursor() as cursor:
        # One process draws the random numbers, in order: the same seed, the same rows.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT setseed(%s)", [seed * 2 - 1])
        cursor.execute(
            f"""INSERT INTO {place_table} (slug, name, alternate_names, kind, point, country,
                geocoder, precision_m, estimated, source, needs_review, review_note, name_ru,
                territory, line, enclave, nearest_enclave, enclave_ru, nearest_enclave_ru)
            SELECT %(prefix)s || 'place-' || (%(first)s + k), 'Synthetic place ' || (%(first)s + k),
                '[]', %(kind)s, ST_SetSRID(ST_MakePoint(%(west)s + random() * %(width)s,
                %(south)s + random() * %(height)s), 4326), '', %(geocoder)s, 1, true, %(source)s,
                false, '', '', '', '', '', '', '', ''
            FROM generate_series(0, %(places)s - 1) AS k ORDER BY k""",
            {
                "prefix": PREFIX,
                "first": first,
                "kind": Place.Kind.SETTLEMENT,
                "west": west,
                "width": east - west,
                "south": south,
                "height": north - south,
                "geocoder": GEOCODER,
                "source": source,
                "places": places,
            },
        )
        cursor.execute(
            f"""INSERT INTO {incident_table} (slug, date, date_precision, title, type, place_id,
                location_note, claimed_by, casualties, status, event_id, event_fields, updated)
            SELECT %(prefix)s || (%(start)s + k),
                %(first_day)s::date + floor(random() * %(days)s)::int, 'day',
                'Synthetic incident ' || (%(start)s + k),
                (%(types)s::text[])[1 + floor(random() * %(n_types)s)::int], p.id, 'synthetic',
                (%(claimants)s::text[])[1 + floor(random() * %(n_claimants)s)::int], '',
                'published', '', '{{}}', now()
            FROM generate_series(0, %(count)s - 1) AS k
            JOIN {place_table} p ON p.slug = %(prefix)s || 'place-' || (%(first)s + k %% %(places)s)
            ORDER BY k""",
            {
                "prefix": PREFIX,
                "start": start,
                "first": first,
                "first_day": FIRST_DAY,
                "days": DAYS,
                "types": list(Incident.Type.values),
                "n_types": len(Incident.Type.values),
                "claimants": CLAIMANTS,
                "n_claimants": len(CLAIMANTS),
                "count": count,
                "places": places,
            },
        )
        cursor.execute(
            f"""INSERT INTO {cites} (incident_id, excerpt_id)
            SELECT i.id, %s FROM {incident_table} i
            WHERE i.slug LIKE %s
              AND NOT EXISTS (SELECT 1 FROM {cites} c WHERE c.incident_id = i.id)""",
            [excerpt.pk, PREFIX + "%"],
        )


def synthetic_incidents() -> Any:
    """The synthetic incidents: those at synthetic places."""
    return Incident.objects.filter(
        place__geocoder=GEOCODER, place__slug__startswith=PREFIX, slug__startswith=PREFIX
    )


def delete() -> int:
    """Remove every synthetic incident, place and the synthetic article; rebuild the pyramid.
    Returns how many incidents went."""
    deleted = _delete()
    pyramid.vacuum(Place, Incident, Incident.excerpts.through, ClusterCell)
    return deleted


def _delete() -> int:
    with transaction.atomic():
        pyramid.lift_statement_timeout()
        incidents = synthetic_incidents()
        cites = Incident.excerpts.through
        db = Incident.objects.db
        # Raw deletes: the ORM's would load every row to send signals (see pyramid.mark_stale).
        cites.objects.filter(incident_id__in=incidents.values("pk"))._raw_delete(db)
        deleted = incidents.count()
        incidents._raw_delete(db)
        Place.objects.filter(
            geocoder=GEOCODER, slug__startswith=PREFIX, incidents__isnull=True
        )._raw_delete(db)
        Article.objects.filter(slug=ARTICLE_SLUG).delete()
        pyramid.analyse(Place, Incident, cites)
        pyramid.rebuild()
        return deleted
