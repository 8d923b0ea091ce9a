"""ACLED-format event data in and out: an ACLED CSV becomes draft claims, and the published
claims go out in the same columns.

What each column becomes is declared once, in ``COLUMNS``, ``TYPES`` and ``PRECISION_M``:

- Each event is one draft claim (``Incident.status`` draft; an editor publishes it), keyed by
  ``event_id_cnty`` (``Incident.event_id``): importing the same file again changes nothing, a
  changed row updates its draft, and a claim an editor has already published or rejected is
  left as the editor left it.
- ``source`` is the claimant; ``fatalities`` the casualties as stated ("3 fatalities"; empty
  when the cell is). ``event_date`` is the day (YYYY-MM-DD, or ACLED's older "29 April 2021").
- ``notes`` is the claim's text: every event is stored as an article of its own (slug
  ``acled-<event_id_cnty>``, outlet "ACLED", published on the event's day) whose text is the
  notes cell verbatim, and the claim quotes it whole as its one excerpt, ``text[0:len(text)]``.
  One article per event, not per file: a re-import of another file with the same event then
  updates that event's text alone, and every excerpt stays a verbatim slice with offsets.
- The place is a stored place when one of its names is ``location`` and its point lies within
  both radii of (latitude, longitude), or a place within 100 m of that point; else a new place,
  geocoder "acled", source "ACLED <event_id_cnty>: …", its radius from ``geo_precision``
  (ACLED codebook: 1 the town or village itself, 2 near a town or a part of a region shown at a
  town, 3 a larger region shown at its centre or capital): 1 → 2 km (the radius the gazetteer
  gives a GeoNames village), 2 → 15 km (a rural district around a town), 3 → 50 km (a
  district or region; Leilek district needs 60 km). 2 and 3 are estimates.
- ``event_type``/``sub_event_type`` choose the claim's type (``TYPES``); events of types the
  map has none for (protests, most strategic developments) are not imported, and the report
  says how many of each were left out. The other columns (actors, admin1–3, country) are kept
  as given in ``Incident.event_fields`` and exported back unchanged.

A bad file is refused whole, with the row and the column named: a missing column, a bad date,
latitude or longitude out of range, an id used twice, an empty cell that is needed.
"""

import csv
import datetime
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.gis.geos import Point, Polygon
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.text import slugify
from geopy.distance import geodesic

from border_map import context, geoparsing
from border_map.actors import actor_named
from border_map.articles import country_at, place_slug
from border_map.datafiles import DataError, Say, silent
from border_map.exports import COORDINATE_DECIMALS, _cell, add_up
from border_map.geocoding import name_key
from border_map.models import COUNTRY_NAMES, Article, Excerpt, Incident, Place, geo_precision

# The columns, in ACLED's order. Those in KEPT are stored as given (Incident.event_fields) and
# exported back; the others are read into the claim, its article and its place.
COLUMNS = (
    "event_id_cnty",
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)
KEPT = ("event_type", "sub_event_type", "actor1", "actor2", "country", "admin1", "admin2", "admin3")
# Cells that may not be empty.
REQUIRED = ("event_id_cnty", "event_date", "event_type", "location", "source", "notes")

# (event_type, sub_event_type) -> the claim's type; "*" is any sub-event type. The first entry
# of each type is what export_acled writes for a claim that did not come from ACLED.
TYPES: dict[tuple[str, str], str] = {
    ("Battles", "Armed clash"): Incident.Type.CLASH,
    ("Battles", "*"): Incident.Type.CLASH,
    ("Riots", "*"): Incident.Type.CLASH,
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"): Incident.Type.GUNFIRE,
    ("Explosions/Remote violence", "*"): Incident.Type.GUNFIRE,
    ("Violence against civilians", "Attack"): Incident.Type.CASUALTIES,
    ("Violence against civilians", "*"): Incident.Type.CASUALTIES,
    ("Strategic developments", "Agreement"): Incident.Type.NEGOTIATION,
    ("Strategic developments", "Other"): Incident.Type.EVACUATION,
}
# geo_precision -> (radius in metres, estimated, place kind) of a new place.
PRECISION_M = {
    1: (2_000, False, Place.Kind.SETTLEMENT),
    2: (15_000, True, Place.Kind.AREA),
    3: (50_000, True, Place.Kind.REGION),
}
# A stored place this close to the event's point is its place, whatever its name.
SAME_POINT_M = 100
FATALITIES = re.compile(r"(\d+) fatalities")
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y")


def acled_type(event_type: str, sub_event_type: str) -> str | None:
    """The claim type of an ACLED event type, or None when the map has none for it."""
    return TYPES.get((event_type, sub_event_type)) or TYPES.get((event_type, "*"))


def event_types_of(kind: str) -> tuple[str, str]:
    """The (event_type, sub_event_type) written for a claim of this type."""
    return next(key for key, value in TYPES.items() if value == kind and key[1] != "*")


@dataclass
class Event:
    """One checked row of an ACLED file."""

    row: int
    event_id: str
    date: datetime.date
    type: str | None
    lat: float
    lon: float
    geo_precision: int
    fatalities: int | None
    cells: dict[str, str]


@dataclass
class Report:
    """What an import did, by event id."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already reviewed by an editor
    skipped: Counter = field(default_factory=Counter)  # event types the map has none for
    new_places: list[str] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        yield (
            f"{len(self.created)} draft claims created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.kept)} already reviewed and kept as "
            f"they are, {len(self.new_places)} new places"
        )
        for (event_type, sub_event_type), count in sorted(self.skipped.items()):
            yield f"not imported: {count} event(s) of {event_type} / {sub_event_type}"


def _text(source: str | Path | IO[Any]) -> tuple[str, str]:
    """(name, text) of a path or an open file (text or bytes, e.g. an upload)."""
    if isinstance(source, str | Path):
        name = str(source)
        try:
            data: str | bytes = Path(source).read_bytes()
        except OSError as error:
            raise DataError(f"{name}: cannot read ({error.strerror})") from error
    else:
        name = str(getattr(source, "name", "") or "upload")
        data = source.read()
    if isinstance(data, bytes):
        try:
            # utf-8-sig: a byte-order mark (Excel's "CSV UTF-8") is not part of the first column.
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DataError(f"{name}: not UTF-8 text ({error})") from error
    return name, data.removeprefix("\ufeff")


def _date(value: str) -> datetime.date:
    for format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), format).date()
        except ValueError:
            pass
    raise ValueError(f"event_date {value!r} is not a date (YYYY-MM-DD or 29 April 2021)")


def _degrees(cells: dict[str, str], column: str, limit: float) -> float:
    try:
        value = float(cells[column])
    except ValueError:
        raise ValueError(f"{column} {cells[column]!r} is not a number") from None
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise ValueError(f"{column} {cells[column]} is outside -{limit:g}..{limit:g}")
    return value


def _event(number: int, cells: dict[str, str]) -> Event:
    for column in REQUIRED:
        if not cells[column].strip():
            raise ValueError(f"{column} is empty")
    if "\x00" in "".join(cells.values()):
        raise ValueError("a cell contains a NUL character")
    precision = cells["geo_precision"].strip()
    if precision not in ("1", "2", "3"):
        raise ValueError(f"geo_precision {precision!r} is not 1, 2 or 3")
    fatalities = cells["fatalities"].strip()
    if fatalities and not fatalities.isdigit():
        raise ValueError(f"fatalities {fatalities!r} is not a whole number (0 or more)")
    if len(cells["source"]) > Incident._meta.get_field("claimed_by").max_length:  # type: ignore[operator]
        raise ValueError("source is longer than 200 characters")
    return Event(
        row=number,
        event_id=cells["event_id_cnty"].strip(),
        date=_date(cells["event_date"]),
        type=acled_type(cells["event_type"].strip(), cells["sub_event_type"].strip()),
        lat=_degrees(cells, "latitude", 90),
        lon=_degrees(cells, "longitude", 180),
        geo_precision=int(precision),
        fatalities=int(fatalities) if fatalities else None,
        cells=cells,
    )


def read_acled(source: str | Path | IO[Any]) -> list[Event]:
    """Every row of an ACLED CSV, checked; a DataError names the file, the row (as a
    spreadsheet numbers it, the header being row 1) and the problem of the first bad one."""
    name, text = _text(source)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise DataError(f"{name}: missing column(s) {', '.join(missing)}")
        events: list[Event] = []
        seen: dict[str, int] = {}
        for number, cells in enumerate(reader, start=2):
            # DictReader puts extra cells under None and gives None for missing ones.
            if None in cells or None in cells.values():
                raise DataError(
                    f"{name}, row {number}: {len(header)} columns in the header, "
                    f"{len([v for v in cells.values() if v is not None])} cells in the row"
                )
            try:
                event = _event(number, cells)
            except ValueError as error:
                raise DataError(
                    f"{name}, row {number} ({cells['event_id_cnty'] or 'no id'}): {error}"
                ) from None
            if event.event_id in seen:
                raise DataError(
                    f"{name}, row {number}: event_id_cnty {event.event_id!r} is also in row "
                    f"{seen[event.event_id]}"
                )
            seen[event.event_id] = number
            events.append(event)
    except csv.Error as error:
        raise DataError(f"{name}: not a CSV file ({error})") from None
    if not events:
        raise DataError(f"{name}: no events in the file")
    return events


def _names(place: Place) -> set[str]:
    return {name_key(n) for n in (place.name, place.name_ru, *place.alternate_names) if n}


def _km(place: Place, event: Event) -> float:
    return geodesic((place.point.y, place.point.x), (event.lat, event.lon)).m


def find_place(event: Event) -> Place | None:
    """The stored place of an event: named ``location`` and within both radii of its point, or
    within SAME_POINT_M of it."""
    radius = PRECISION_M[event.geo_precision][0]
    key = name_key(event.cells["location"])
    near = []
    # Only places whose radius could reach: a box around the point, in degrees (a degree of
    # longitude is shorter away from the equator), then the geodesic distance.
    reach_m = radius + (Place.objects.aggregate(widest=Max("precision_m"))["widest"] or 0)
    dlat = reach_m / 110_574
    dlon = min(180.0, reach_m / (111_320 * max(math.cos(math.radians(event.lat)), 0.01)))
    box = Polygon.from_bbox(
        (event.lon - dlon, event.lat - dlat, event.lon + dlon, event.lat + dlat)
    )
    box.srid = 4326
    for place in Place.objects.filter(point__intersects=box):
        distance = _km(place, event)
        if key in _names(place) and distance <= radius + place.precision_m:
            return place
        if distance <= SAME_POINT_M:
            near.append((distance, place.pk, place))
    return min(near)[2] if near else None


def _free_slug(base: str) -> str:
    slug, number = base, 2
    while Place.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _free_name(base: str) -> str:
    name, number = base, 2
    while Place.objects.filter(name=name).exists():
        name, number = f"{base} ({number})", number + 1
    return name


def new_place(event: Event) -> Place:
    """A place for an event that no stored place matches, with ACLED as its source."""
    cells = event.cells
    radius, estimated, kind = PRECISION_M[event.geo_precision]
    location = cells["location"].strip()
    where = ", ".join(c for c in (cells[k].strip() for k in ("admin3", "admin2", "admin1")) if c)
    point = Point(event.lon, event.lat, srid=4326)
    # A Cyrillic name gets Latin spellings (slugify drops Cyrillic; the slug is made of them
    # as ingest would make it from a gazetteer row, so a dumped place keeps its slug).
    alternates = sorted(
        n for n in geoparsing.transliterations(location) if re.fullmatch(r"[A-Za-z' -]+", n)
    )
    raw = {"name": location, "alternate_names": alternates, "source": event.event_id}
    try:
        slug = place_slug(location, raw)
    except DataError:
        slug = f"acled-{slugify(event.event_id)}"
    return Place.objects.create(
        slug=_free_slug(slug[:110]),
        name=_free_name(location[:190]),
        name_ru=context.russian_name([location]),
        alternate_names=alternates,
        kind=kind,
        point=point,
        country=country_at(point),
        geocoder="acled",
        precision_m=radius,
        estimated=estimated,
        # The gazetteer's rule: an estimated point's source starts "estimated:".
        source=("estimated: " if estimated else "")
        + (
            f"ACLED {event.event_id}: {location}"
            + (f" ({where}, {cells['country'].strip()})" if where else "")
            + f", latitude {cells['latitude'].strip()} longitude {cells['longitude'].strip()}, "
            f"geo_precision {event.geo_precision}"
        ),
    )


def article_slug(event_id: str) -> str:
    return f"acled-{slugify(event_id)}"[:120]


def _title(event: Event) -> str:
    cells = event.cells
    what = cells["sub_event_type"].strip() or cells["event_type"].strip()
    actors = " – ".join(a for a in (cells["actor1"].strip(), cells["actor2"].strip()) if a)
    return f"{what} in {cells['location'].strip()}" + (f": {actors}" if actors else "")


def _wanted(event: Event, place: Place, article: Article) -> dict[str, Any]:
    """The claim's fields as the event gives them."""
    assert event.type is not None
    return {
        "date": event.date,
        "date_end": None,
        "date_precision": Incident.DatePrecision.DAY,
        "title": _title(event)[:300],
        "type": event.type,
        "place": place,
        "location_note": "",
        "claimed_by": event.cells["source"].strip(),
        # A source the reviewed actors know (data/actors.json) gets its actor and side.
        "actor": actor_named(event.cells["source"]),
        "casualties": "" if event.fatalities is None else f"{event.fatalities} fatalities",
        "event_fields": {column: event.cells[column].strip() for column in KEPT},
    }


def _store_article(event: Event) -> tuple[Article, bool]:
    text = event.cells["notes"]
    try:
        language = geoparsing.detect_language(text)
    except geoparsing.GeoparseError:
        language = "en"
    article, _ = Article.objects.get_or_create(
        slug=article_slug(event.event_id),
        defaults={"published": event.date, "text": text},
    )
    fields = {
        "title": f"ACLED {event.event_id}: {_title(event)}"[:300],
        "outlet": "ACLED",
        "url": "",
        "published": event.date,
        "language": language,
        "text": text,
    }
    changed = any(getattr(article, k) != v for k, v in fields.items())
    if changed:
        for key, value in fields.items():
            setattr(article, key, value)
        article.save()
    return article, changed


def import_events(events: Iterable[Event], say: Say = silent) -> Report:
    """Store checked events as draft claims (see the module's docstring); call it in a
    transaction."""
    report = Report()
    touched_places = []
    for event in events:
        if event.type is None:
            cells = event.cells
            report.skipped[(cells["event_type"].strip(), cells["sub_event_type"].strip())] += 1
            continue
        incident = Incident.objects.filter(event_id=event.event_id).first()
        if incident is not None and incident.status != Incident.Status.DRAFT:
            report.kept.append(event.event_id)
            say(f"kept {incident.slug}: already {incident.status} by an editor")
            continue
        place = find_place(event)
        if place is None:
            place = new_place(event)
            report.new_places.append(place.name)
            touched_places.append(place.pk)
            say(f"  new place {place.name}: ±{place.precision_m} m, {place.source}")
        article, article_changed = _store_article(event)
        excerpt = Excerpt.objects.filter(article=article).first()
        if excerpt is None or (excerpt.start, excerpt.end) != (0, len(article.text)):
            Excerpt.objects.filter(article=article).delete()
            excerpt = Excerpt.objects.create(
                article=article, start=0, end=len(article.text), text=article.text
            )
        excerpt.places.set([place])
        wanted = _wanted(event, place, article)
        if incident is None:
            slug = f"acled-{slugify(event.event_id)}"[:110]
            base, number = slug, 2
            while Incident.objects.filter(slug=slug).exists():
                slug, number = f"{base}-{number}", number + 1
            incident = Incident.objects.create(
                slug=slug,
                status=Incident.Status.DRAFT,
                event_id=event.event_id,
                **wanted,
            )
            report.created.append(event.event_id)
            say(f"created draft {incident.slug}: {incident.date} {incident.type} at {place.name}")
        elif article_changed or any(getattr(incident, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(incident, key, value)
            incident.save()
            report.updated.append(event.event_id)
            say(f"updated draft {incident.slug}")
        else:
            report.unchanged.append(event.event_id)
        incident.excerpts.set([excerpt])
    if touched_places:
        context.refresh(Place.objects.filter(pk__in=touched_places))
    return report


def import_acled(source: str | Path | IO[Any], say: Say = silent) -> Report:
    """Check a whole ACLED CSV (a path or an open file, such as an upload), then store its
    events as draft claims in one transaction; a DataError changes nothing."""
    events = read_acled(source)
    with transaction.atomic():
        return import_events(events, say)


# Export: the published claims in the same columns.


def _fatalities(incident: Incident) -> str:
    """ACLED's fatalities: the claim's killed figures added up when they give one number (a
    bound such as "at least 12" is left out, as ACLED's column has no room for it), else "N
    fatalities" as an imported claim states it, else nothing."""
    killed = [
        {"low": f.low, "best": f.best, "high": f.high}
        for f in incident.figures.all()
        if f.kind == "killed"
    ]
    if killed:
        total = add_up(killed)
        return "" if total["best"] is None else str(total["best"])
    match = FATALITIES.fullmatch(incident.casualties.strip())
    return match.group(1) if match else ""


def export_rows(incidents: QuerySet) -> Iterator[dict[str, Any]]:
    """One ACLED row per claim: a claim imported from ACLED gives back its own columns; any
    other gets the event types of its type (TYPES), its place's country, its excerpts joined by
    a blank line as the notes, and a fatalities figure only when its casualties say "N
    fatalities". ACLED has one day per event: a range gives its first day."""
    rows = (
        incidents.select_related("place")
        .prefetch_related("excerpts", "figures")
        .annotate(acled_precision=geo_precision("place__"))
    )
    for incident in rows:
        place = incident.place
        kept = dict.fromkeys(KEPT, "")
        event_type, sub_event_type = event_types_of(incident.type)
        kept.update(event_type=event_type, sub_event_type=sub_event_type)
        kept["country"] = COUNTRY_NAMES.get(place.territory or place.country, "")
        given = incident.event_fields or {}
        given_type = acled_type(given.get("event_type", ""), given.get("sub_event_type", ""))
        if given_type == incident.type:
            kept.update({k: v for k, v in given.items() if k in KEPT})
        excerpts = sorted(incident.excerpts.all(), key=lambda e: (e.article_id, e.start))
        yield {
            "event_id_cnty": incident.event_id or incident.slug,
            "event_date": incident.date.isoformat(),
            **kept,
            "location": place.name,
            "latitude": round(place.point.y, COORDINATE_DECIMALS),
            "longitude": round(place.point.x, COORDINATE_DECIMALS),
            # As the layers' geo_precision says it (models.geo_precision), not by radius alone.
            "geo_precision": incident.acled_precision,
            "source": incident.claimed_by,
            "notes": "\n\n".join(e.text for e in excerpts),
            "fatalities": _fatalities(incident),
        }


def iter_acled_csv(incidents: QuerySet, bom: bool = False) -> Iterator[str]:
    """The claims as ACLED CSV text (RFC 4180, CRLF line ends), ``bom`` as for the layers' CSV."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in export_rows(incidents):
        writer.writerow({column: _cell(value) for column, value in row.items()})
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
