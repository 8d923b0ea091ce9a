"""The reviewed data between the database and data/: ``dump`` writes the published claims, their
articles and the places they need back to the files load_data reads, and load_data keeps what
editors changed in the database since the files were last loaded (articles and places here;
incidents in border_map.incidents).

What the files last said of each object is kept as a hash (datafiles.remember). An object whose
database state differs from that hash was edited: load_data does not overwrite it, and reports
a conflict when the file changed it too.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import Point

from border_map import context
from border_map.articles import country_at, place_slug, read_article
from border_map.datafiles import DataError, Say, digest, recorded, remember, silent
from border_map.geocoding import GAZETTEER_COLUMNS, Entry, GeocodingError, read_curated
from border_map.incidents import FIGURE_FIELDS, STORED, figure_rows, plain_value
from border_map.models import Article, Incident, Place
from border_map.paths import DATA_DIR

# Where a place's point came from, by how its source starts (after "estimated: "); anything
# else is the offline gazetteer.
GEOCODERS = {"ACLED ": "acled", "Nominatim": "nominatim"}
# The fields of a place that the gazetteer gives and an editor may change.
PLACE_FIELDS = (
    "name",
    "name_ru",
    "alternate_names",
    "kind",
    "point",
    "precision_m",
    "estimated",
    "source",
    "geocoder",
    "needs_review",
)
# The fields of an article that its files give.
ARTICLE_FIELDS = ("title", "outlet", "url", "published", "text")


def geocoder_of(source: str) -> str:
    """The geocoder a place's source names ("gazetteer" unless it says otherwise)."""
    plain = source.removeprefix("estimated: ")
    return next((name for start, name in GEOCODERS.items() if plain.startswith(start)), "gazetteer")


def place_state(place: Place) -> dict[str, Any]:
    state = {name: getattr(place, name) for name in PLACE_FIELDS}
    state["point"] = [round(place.point.x, 6), round(place.point.y, 6)]
    return state


def article_state(article: Article) -> dict[str, Any]:
    return {name: str(getattr(article, name)) for name in ARTICLE_FIELDS}


def meta_state(meta: dict[str, Any], text: str) -> dict[str, Any]:
    return {**{name: str(meta[name]) for name in ARTICLE_FIELDS if name != "text"}, "text": text}


# Loading.


@dataclass
class Kept:
    """Objects load_data left as editors made them, by kind and key."""

    kept: list[str] = field(default_factory=list)  # edited; the file has not changed them
    conflicts: list[str] = field(default_factory=list)  # edited, and the file changed them too


def articles_to_load(paths: Iterable[str], kept: Kept, say: Say = silent) -> list[str]:
    """The article files ingest should load: all but those whose article was edited in the
    database since the file was last loaded."""
    last = recorded("article")
    chosen = []
    for path in paths:
        meta, text = read_article(path)
        slug, wanted = meta["slug"], digest(meta_state(meta, text))
        article = Article.objects.filter(slug=slug).first()
        now = None if article is None else digest(article_state(article))
        # A missing article is loaded again whatever happened to it: claims in the file cite it.
        if now is None or now in (wanted, last.get(slug)):
            chosen.append(path)
            continue
        if last.get(slug) != wanted:
            kept.conflicts.append(f"article {slug}")
            say(f"CONFLICT article {slug}: edited in the database and changed in {path}")
        else:
            kept.kept.append(f"article {slug}")
            say(f"kept article {slug}: edited in the database; {path} has not changed it")
    return chosen


def remember_articles(paths: Iterable[str]) -> None:
    for path in paths:
        meta, text = read_article(path)
        remember("article", meta["slug"], meta_state(meta, text))


@contextmanager
def keeping_edited_places(kept: Kept, say: Say = silent) -> Iterator[None]:
    """Around an ingest: places edited in the database since the last load get their edited
    fields back after it, and every other place's state is recorded as the gazetteer gave it."""
    last = recorded("place")
    edited = {
        place.slug: {name: getattr(place, name) for name in PLACE_FIELDS}
        for place in Place.objects.filter(slug__in=list(last))
        if digest(place_state(place)) != last[place.slug]
    }
    yield
    restored = []
    for place in Place.objects.all():
        if place.slug not in edited:
            remember("place", place.slug, place_state(place))
            continue
        if digest(place_state(place)) != last[place.slug]:
            kept.conflicts.append(f"place {place.slug}")
            say(f"CONFLICT place {place.slug}: edited in the database and in the gazetteer")
        else:
            kept.kept.append(f"place {place.slug}")
        for name, value in edited[place.slug].items():
            setattr(place, name, value)
        place.country = country_at(place.point)
        place.save()
        restored.append(place.pk)
    if restored:
        context.refresh(Place.objects.filter(pk__in=restored))


def place_from_gazetteer(name: str, gazetteer: Path) -> Place | None:
    """A new place for the curated gazetteer row of that name (a place an incident needs that no
    article names: an imported event's, one an editor placed), or None without one."""
    if not gazetteer.exists():
        return None
    try:
        entries = [entry for entry in read_curated(gazetteer) if entry.name == name]
    except GeocodingError as error:
        raise DataError(str(error)) from error
    if not entries:
        return None
    return store_entry(entries[0])


def store_entry(entry: Entry) -> Place:
    point = Point(entry.lon, entry.lat, srid=4326)
    raw = {"name": entry.name, "alternate_names": list(entry.alternate_names)}
    place = Place.objects.create(
        slug=place_slug(entry.name, {**raw, "source": entry.source}),
        name=entry.name,
        name_ru=context.russian_name(entry.names),
        alternate_names=list(entry.alternate_names),
        kind=entry.kind,
        point=point,
        country=country_at(point),
        geocoder=geocoder_of(entry.source),
        precision_m=entry.precision_m,
        estimated=entry.estimated,
        source=entry.source,
    )
    context.refresh(Place.objects.filter(pk=place.pk))
    return place


# Dumping.


@dataclass
class Dump:
    """What dump wrote: the files it changed, and the counts."""

    written: list[Path] = field(default_factory=list)
    incidents: int = 0
    articles: int = 0
    places: int = 0


def _write(path: Path, text: str, dump: Dump) -> None:
    """Write a file only when its content changes, so that an unchanged dump leaves git clean."""
    if path.exists() and path.read_bytes() == text.encode("utf-8"):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    dump.written.append(path)


def incident_record(incident: Incident) -> dict[str, Any]:
    """A published claim as data/incidents.json writes it: a quote as its text when it occurs
    once in the article, else with its start."""
    excerpts = list(incident.excerpts.select_related("article").order_by("start"))
    articles = {e.article.slug for e in excerpts}
    if len(articles) != 1:
        raise DataError(
            f"incident {incident.slug}: its excerpts come from {len(articles)} articles; the "
            "incidents file gives one article per incident"
        )
    record: dict[str, Any] = {"slug": incident.slug}
    figures = list(incident.figures.order_by("pk"))
    for name in STORED:
        value = plain_value(getattr(incident, name))
        if name in ("event_id", "event_fields") and not value:
            continue  # only imported claims have them; the seed's entries stay as written
        if name == "actor" and value is None:
            continue  # a claimant the reviewed actors do not know yet
        record[name] = value
        if name == "casualties" and figures:
            record["figures"] = [
                {k: v for k, v in zip(FIGURE_FIELDS, row, strict=True) if v is not None}
                for row in figure_rows(figures)
            ]
    record["article"] = excerpts[0].article.slug
    quotes: list[Any] = []
    for excerpt in excerpts:
        once = excerpt.article.text.count(excerpt.text) == 1
        quotes.append(excerpt.text if once else {"quote": excerpt.text, "start": excerpt.start})
    record["excerpts"] = quotes
    return record


def _gazetteer_row(place: Place) -> dict[str, str]:
    return {
        "name": place.name,
        "alternate_names": "|".join(place.alternate_names),
        "kind": place.kind,
        "lat": f"{place.point.y:.6f}".rstrip("0").rstrip("."),
        "lon": f"{place.point.x:.6f}".rstrip("0").rstrip("."),
        "precision_m": str(place.precision_m),
        "estimated": "true" if place.estimated else "false",
        "source": place.source,
    }


def dump(data_dir: Path = DATA_DIR, say: Say = silent) -> Dump:
    """Write the published claims (incidents.json), the articles they quote (articles/), and
    the places they stand at that the offline gazetteer lacks or that differ from its row
    (gazetteer.csv, rows updated in place, new ones at the end) into ``data_dir``."""
    result = Dump()
    claims = Incident.objects.published().select_related("place").order_by("date", "slug")
    records = [incident_record(incident) for incident in claims]
    # The file's own order stays (a reviewed diff shows only what changed); new claims follow.
    incidents_file = data_dir / "incidents.json"
    order: dict[Any, int] = {}
    if incidents_file.exists():
        listed = json.loads(incidents_file.read_text(encoding="utf-8"))
        order = {item.get("slug"): n for n, item in enumerate(listed) if isinstance(item, dict)}
    records.sort(key=lambda record: order.get(record["slug"], len(order)))
    result.incidents = len(records)

    article_slugs = sorted({record["article"] for record in records})
    for article in Article.objects.filter(slug__in=article_slugs):
        meta_path = data_dir / "articles" / f"{article.slug}.json"
        meta: dict[str, Any] = {}
        if meta_path.exists():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))  # keeps its not_places
        meta.update(
            slug=article.slug,
            title=article.title,
            outlet=article.outlet,
            url=article.url,
            published=article.published.isoformat(),
            language=article.language,
        )
        meta.setdefault("text_file", f"{article.slug}.txt")
        _write(meta_path, json.dumps(meta, ensure_ascii=False, indent=2) + "\n", result)
        _write(meta_path.parent / meta["text_file"], article.text, result)
        result.articles += 1

    gazetteer = data_dir / "gazetteer.csv"
    rows: list[dict[str, str]] = []
    if gazetteer.exists():
        with open(gazetteer, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    by_source = {row["source"]: number for number, row in enumerate(rows)}
    places = Place.objects.filter(incidents__in=claims).distinct().order_by("pk")
    for place in places:
        if place.source.startswith("GeoNames "):
            continue  # the GeoNames extract has it
        row = _gazetteer_row(place)
        if place.source in by_source:
            # The row's own spellings stay (the place also has the articles' spellings).
            old = rows[by_source[place.source]]
            row["alternate_names"] = old["alternate_names"]
            same_point = all(abs(float(old[k]) - float(row[k])) < 1e-6 for k in ("lat", "lon"))
            if same_point:
                row.update(lat=old["lat"], lon=old["lon"])
            rows[by_source[place.source]] = row
        else:
            rows.append(row)
        result.places += 1
    text = _csv_text(rows)
    _write(gazetteer, text, result)
    incidents_text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    _write(incidents_file, incidents_text, result)
    for path in result.written:
        say(f"wrote {path}")
    return result


def _csv_text(rows: list[dict[str, str]]) -> str:
    from io import StringIO

    buffer = StringIO()
    # The gazetteer is written as the repository keeps it: LF line ends, quotes where needed.
    writer = csv.DictWriter(buffer, fieldnames=GAZETTEER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
