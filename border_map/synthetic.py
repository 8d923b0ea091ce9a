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
from django.db import transaction

from . import pyramid
from .datafiles import Say, silent
from .maps import REGION_BOUNDS
from .models import Article, Excerpt, Incident, Place

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


def synthetic_incidents() -> Any:
    """The synthetic incidents: those at synthetic places."""
    return Incident.objects.filter(
        place__geocoder=GEOCODER, place__slug__startswith=PREFIX, slug__startswith=PREFIX
    )


def delete() -> int:
    """Remove every synthetic incident, place and the synthetic article; rebuild the pyramid.
    Returns how many incidents went."""
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
        pyramid.rebuild()
        return deleted
