"""The one module that turns the layers into GeoJSON, CSV and KML; the export command, the map's
data endpoints, the web API and the OGC API all go through it.

Output follows RFC 7946: longitude/latitude in WGS84, no ``crs`` member (section 4), coordinates
rounded to 6 decimals (section 11.2), exterior rings counter-clockwise (section 3.1.6; the load
commands store polygons oriented that way and the database keeps vertex order). Geometry is
serialised by the database (``AsGeoJSON``), not per object in Python, and output is produced in
chunks so that memory does not grow with the size of the layer. CSV and KML carry the same
properties, with the geometry as WKT (and lon/lat columns for points) or KML, also written by
the database.
"""

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO
from xml.sax.saxutils import escape, quoteattr

import shapely
from django.contrib.gis.db.models.functions import AsGeoJSON, AsKML, GeoFunc
from django.db.models import Expression, F, FloatField, Model, QuerySet, TextField, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from .models import (
    Boundary,
    CasualtyFigure,
    Enclave,
    Event,
    Excerpt,
    Incident,
    Mention,
    Place,
    Side,
    geo_precision,
    precision_class,
)

COORDINATE_DECIMALS = 6
CHUNK_SIZE = 2000
# A feature as the writers take it: (id, properties, geometry as GeoJSON text).
Feature = tuple[Any, dict[str, Any], str | None]
BOUNDED_ROWS = 20_000  # results up to this size (pages of the API) are fetched in one go
# One encoder for every feature: json.dumps with options builds a new one per call.
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


# The spatial context of a place (border_map.context), carried by places and their incidents.
CONTEXT_FIELDS = (
    "territory",
    "line",
    "line_distance_km",
    "enclave",
    "nearest_enclave",
    "nearest_enclave_km",
    "enclave_ru",
    "nearest_enclave_ru",
)


# Casualty figures as columns: a claim's figures of one kind added up, "killed" when every
# figure gives a best number, "killed_low"/"killed_high" bounding them ("at least 12": low 12,
# no high).
FIGURE_COLUMNS = tuple(
    name for kind in CasualtyFigure.Kind.values for name in (kind, f"{kind}_low", f"{kind}_high")
)


def _km(value):
    return None if value is None else round(value, 3)


def _context_properties(row):
    return {
        "territory": row["territory"] or None,
        "line": row["line"] or None,
        "line_distance_km": _km(row["line_distance_km"]),
        "enclave": row["enclave"] or None,
        "nearest_enclave": row["nearest_enclave"] or None,
        "nearest_enclave_km": _km(row["nearest_enclave_km"]),
        "enclave_ru": row["enclave_ru"] or None,
        "nearest_enclave_ru": row["nearest_enclave_ru"] or None,
    }


def _place_properties(row):
    return {
        "name": row["name"],
        "name_ru": row["name_ru"],
        "kind": row["kind"],
        "country": row["country"],
        "precision_m": row["precision_m"],
        "estimated": row["estimated"],
        "geocoder": row["geocoder"],
        "source": row["source"],
        "needs_review": row["needs_review"],
        **_context_properties(row),
    }


def _incident_properties(row):
    return {
        "date": row["date"].isoformat(),
        "date_end": row["date_end"].isoformat() if row["date_end"] else None,
        "date_precision": row["date_precision"],
        "title": row["title"],
        "type": row["type"],
        "claimed_by": row["claimed_by"],
        "actor": row["actor_name"],
        "side": row["side_slug"],
        "casualties": row["casualties"],
        # Filled per chunk of rows (_claim_extras); here for the order of the properties.
        **dict.fromkeys(FIGURE_COLUMNS),
        "figures": [],
        "place": row["place_name"],
        "place_ru": row["place_name_ru"],
        "place_precision_m": row["place_precision_m"],
        "geo_precision": row["geo_precision"],
        "location_note": row["location_note"],
        "event": row.get("event_slug"),
        **_context_properties(row),
        "excerpts": [],
        "sources": [],
    }


def _enclave_properties(row):
    return {
        "name": row["name"],
        "alternate_names": row["alternate_names"],
        "sovereign": row["sovereign"],
        "surrounded_by": row["surrounded_by"],
        "area_km2": round(row["area_km2"], 2),
    }


def _event_properties(row):
    return {
        "title": row["title"],
        "date": row["date"].isoformat(),
        "date_end": row["date_end"].isoformat() if row["date_end"] else None,
        "place": row["place_name"],
        "place_ru": row["place_name_ru"],
        "notes": row["notes"],
    }


def _event_claims(event_pks):
    """Each event's published claims (their ids) and the sides they come from."""
    from .events import sides_of_events

    found = sides_of_events(event_pks)
    return {pk: found.get(pk, {"claims": [], "sides": []}) for pk in event_pks}


def _boundary_properties(row):
    return {"countries": row["countries"], "length_km": round(row["length_km"], 1)}


@dataclass(frozen=True)
class Layer:
    """One layer of the exports, the APIs and the map, declared: what differs between layers
    lives here, not in branches on the layer's name."""

    name: str
    model: type[Model]
    id_field: str
    geometry_field: str
    geometry_type: str  # GeoJSON type of the geometries: Point, MultiPolygon, MultiLineString
    # Model fields read for the properties (with ``annotations``, extra values by name).
    fields: tuple[str, ...]
    properties: Callable[[dict[str, Any]], dict[str, Any]]
    title: str
    description: str
    # The properties' names in output order (CSV columns, OGC HTML tables); ``fields`` if empty.
    property_names: tuple[str, ...] = ()
    # The property that names a feature (KML's <name>).
    label: str = "name"
    annotations: Mapping[str, Any] = field(default_factory=dict)
    select_related: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("pk",)
    # A row lasts from time_field to time_end_field (empty: one day); None: the layer has no time.
    time_field: str | None = None
    time_end_field: str | None = None
    # Property filters it takes (filters.PROPERTY_FILTERS).
    filters: tuple[str, ...] = ()
    # Each feature carries the texts of its excerpts ("excerpts" property).
    with_excerpts: bool = False
    # Where the place's spatial context (CONTEXT_FIELDS) is, as a field path prefix ("" on
    # places, "place__" on incidents); None: the layer has none.
    context_prefix: str | None = None
    # Only published rows are public (Incident.Status): drafts and rejected claims never show.
    published_only: bool = False
    # Properties read for a chunk of rows at once: (row pks) -> {pk: {name: value}}.
    related: Callable[[list[Any]], dict[Any, dict[str, Any]]] | None = None

    def __post_init__(self) -> None:
        if not self.property_names:
            object.__setattr__(self, "property_names", self.fields)

    @property
    def is_point(self) -> bool:
        return self.geometry_type == "Point"

    @property
    def parameters(self) -> tuple[str, ...]:
        """The filtering query parameters it takes besides bbox."""
        return (("datetime",) if self.time_field else ()) + self.filters

    def last_day(self) -> Expression | F:
        """The last day a row lasts (time_end_field, or time_field when it is empty)."""
        assert self.time_field, f"{self.name} has no time"
        if self.time_end_field:
            return Coalesce(self.time_end_field, F(self.time_field))
        return F(self.time_field)

    def queryset(self) -> QuerySet:
        """All rows, in a stable order; callers may filter it further."""
        queryset = self.model._default_manager.all()
        if self.published_only:
            queryset = queryset.published()  # type: ignore[attr-defined]
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset.order_by(*self.order_by)


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            name="places",
            geometry_type="Point",
            model=Place,
            id_field="slug",
            geometry_field="point",
            fields=(
                "name",
                "name_ru",
                "kind",
                "country",
                "precision_m",
                "estimated",
                "geocoder",
                "source",
                "needs_review",
                *CONTEXT_FIELDS,
            ),
            properties=_place_properties,
            filters=("near_line_km", "enclave"),
            context_prefix="",
            title="Places",
            description="Named places found in the articles, geocoded, with the precision and "
            "source of each point, and their spatial context: the territory holding the point, "
            "the nearest shared line and its geodesic distance, the enclave holding it and the "
            "nearest enclave.",
        ),
        Layer(
            name="incidents",
            geometry_type="Point",
            model=Incident,
            published_only=True,
            id_field="slug",
            geometry_field="place__point",
            fields=(
                "date",
                "date_end",
                "date_precision",
                "title",
                "type",
                "claimed_by",
                "casualties",
                "location_note",
            ),
            annotations={
                "actor_name": F("actor__name"),
                "side_slug": F("actor__side__slug"),
                "place_name": F("place__name"),
                "place_name_ru": F("place__name_ru"),
                "place_precision_m": F("place__precision_m"),
                "geo_precision": geo_precision("place__"),
                "event_slug": F("happening__slug"),
                **{name: F(f"place__{name}") for name in CONTEXT_FIELDS},
            },
            properties=_incident_properties,
            property_names=(
                "date",
                "date_end",
                "date_precision",
                "title",
                "type",
                "claimed_by",
                "actor",
                "side",
                "casualties",
                *FIGURE_COLUMNS,
                "figures",
                "place",
                "place_ru",
                "place_precision_m",
                "geo_precision",
                "location_note",
                "event",
                *CONTEXT_FIELDS,
                "excerpts",
                "sources",
            ),
            title="Incidents",
            description="Events as one party reported or claimed them, at a place, with the "
            "article excerpts behind them and the articles they come from. An incident lasts "
            "from date to date_end (one day when date_end is empty). claimed_by is the "
            "claimant as the article names it, actor who that is and side whom it speaks for. "
            "The figures are the numbers the claim states, each beside its verbatim phrase; "
            "killed, injured, missing and evacuated add up this claim's figures of that kind "
            "(kind_low and kind_high bound them when the text gives a range or 'at least'). "
            "geo_precision is ACLED's: 1 the place itself, 2 an estimated point near it, 3 a "
            "district or region.",
            label="title",
            select_related=("place",),
            order_by=("date", "slug"),
            time_field="date",
            time_end_field="date_end",
            filters=(
                "claimed_by",
                "side",
                "type",
                "geo_precision",
                "near_line_km",
                "enclave",
                "contested",
            ),
            with_excerpts=True,
            context_prefix="place__",
        ),
        Layer(
            name="events",
            geometry_type="Point",
            model=Event,
            id_field="slug",
            geometry_field="place__point",
            fields=("title", "date", "date_end", "notes"),
            annotations={"place_name": F("place__name"), "place_name_ru": F("place__name_ru")},
            properties=_event_properties,
            property_names=(
                "title",
                "date",
                "date_end",
                "place",
                "place_ru",
                "notes",
                "claims",
                "sides",
            ),
            related=_event_claims,
            title="Events",
            description="Happenings that several claims are about, grouped by hand, at a place: "
            "each lists its claims (ids in the incidents layer) and the sides they come from "
            "(kyrgyz-official, tajik-official, third-party, media). An event lasts from date to "
            "date_end.",
            label="title",
            select_related=("place",),
            order_by=("date", "slug"),
            time_field="date",
            time_end_field="date_end",
            filters=("contested",),
        ),
        Layer(
            name="enclaves",
            geometry_type="MultiPolygon",
            model=Enclave,
            id_field="slug",
            geometry_field="geom",
            fields=("name", "alternate_names", "sovereign", "surrounded_by", "area_km2"),
            properties=_enclave_properties,
            title="Enclaves",
            description="Pieces of one country lying wholly inside another, derived from "
            "OpenStreetMap country polygons (© OpenStreetMap contributors, ODbL).",
        ),
        Layer(
            name="boundaries",
            geometry_type="MultiLineString",
            model=Boundary,
            id_field="countries",
            geometry_field="geom",
            fields=("countries", "length_km"),
            properties=_boundary_properties,
            title="Shared boundary lines",
            description="The lines two countries share, derived from OpenStreetMap country "
            "polygons (© OpenStreetMap contributors, ODbL).",
            label="countries",
        ),
    )
}


def layer_queryset(layer: str) -> QuerySet:
    """All rows of a layer, in a stable order; callers may filter it further."""
    return LAYERS[layer].queryset()


class _AsWKT(GeoFunc):
    """WKT rounded to COORDINATE_DECIMALS (Django's AsWKT takes no precision)."""

    output_field = TextField()
    function = "ST_AsText"  # PostGIS >= 3.1: ST_AsText(geom, maxdecimaldigits)

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(COORDINATE_DECIMALS), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="AsWKT", **extra_context)


class X(GeoFunc):
    """Longitude of a point (ST_X in both PostGIS and SpatiaLite)."""

    output_field = FloatField()
    function = "ST_X"


class Y(GeoFunc):
    """Latitude of a point."""

    output_field = FloatField()
    function = "ST_Y"


GEOMETRY_FORMATS: dict[str, Callable[[str], GeoFunc]] = {
    "geojson": lambda field: AsGeoJSON(field, precision=COORDINATE_DECIMALS),
    "wkt": _AsWKT,
    "kml": lambda field: AsKML(field, precision=COORDINATE_DECIMALS),
}


def _rows(layer, queryset, geometry_format="geojson"):
    spec = LAYERS[layer]
    geom_field = spec.geometry_field
    rows = queryset.values(
        "pk", *spec.fields, feature_id=F(spec.id_field), **spec.annotations
    ).annotate(geometry=GEOMETRY_FORMATS[geometry_format](geom_field))
    if geometry_format == "wkt" and spec.is_point:
        rows = rows.annotate(lon=X(geom_field), lat=Y(geom_field))
    return rows


def _excerpts_by_incident(incident_pks):
    through = Incident.excerpts.through
    texts = defaultdict(list)
    pairs = (
        through.objects.filter(incident_id__in=incident_pks)
        .order_by("incident_id", "excerpt__article_id", "excerpt__start")
        .values_list("incident_id", "excerpt__text")
    )
    for incident_pk, text in pairs:
        texts[incident_pk].append(text)
    return texts


def add_up(figures: Iterable[Mapping[str, Any]]) -> dict[str, int | None]:
    """Figures of one kind added up: low (each figure's low, else best), best (None unless
    every figure has one), high (each figure's high, else best; None when one is unbounded)."""
    total: dict[str, int | None] = {"low": 0, "best": 0, "high": 0}
    for figure in figures:
        low = figure["low"] if figure["low"] is not None else figure["best"]
        high = figure["high"] if figure["high"] is not None else figure["best"]
        for key, value in (("low", low), ("best", figure["best"]), ("high", high)):
            current = total[key]
            total[key] = None if current is None or value is None else current + value
    if total["low"] is None:
        total["low"] = 0  # "up to 10": nothing below is stated
    return total


def _figure_columns(figures: list[dict[str, Any]]) -> dict[str, int | None]:
    columns: dict[str, int | None] = {}
    for kind in CasualtyFigure.Kind.values:
        of_kind = [f for f in figures if f["kind"] == kind]
        total = add_up(of_kind) if of_kind else {"low": None, "best": None, "high": None}
        columns[kind] = total["best"]
        columns[f"{kind}_low"] = total["low"]
        columns[f"{kind}_high"] = total["high"]
    return columns


def _claim_extras(incident_pks: list[int]) -> dict[int, dict[str, Any]]:
    """For each incident: the texts of its excerpts, the articles they come from (title,
    outlet, date, URL) and its casualty figures, as exported properties; three queries."""
    extras: dict[int, dict[str, Any]] = {
        pk: {"excerpts": [], "sources": [], "figures": []} for pk in incident_pks
    }
    for pk, texts in _excerpts_by_incident(incident_pks).items():
        extras[pk]["excerpts"] = texts
    through = Incident.excerpts.through
    articles = (
        through.objects.filter(incident_id__in=incident_pks)
        .order_by("incident_id", "excerpt__article__published", "excerpt__article__slug")
        .values_list(
            "incident_id",
            "excerpt__article__slug",
            "excerpt__article__title",
            "excerpt__article__outlet",
            "excerpt__article__published",
            "excerpt__article__url",
        )
        .distinct()
    )
    for pk, slug, title, outlet, published, url in articles:
        extras[pk]["sources"].append(
            {
                "article": slug,
                "title": title,
                "outlet": outlet,
                "published": published.isoformat(),
                "url": url or None,
            }
        )
    figures = (
        CasualtyFigure.objects.filter(incident_id__in=incident_pks)
        .order_by("incident_id", "pk")
        .values("incident_id", "kind", "people", "low", "best", "high", "phrase")
    )
    for figure in figures:
        extras[figure["incident_id"]]["figures"].append(
            {
                "kind": figure["kind"],
                "people": figure["people"] or None,
                "low": figure["low"],
                "best": figure["best"],
                "high": figure["high"],
                "phrase": figure["phrase"],
            }
        )
    for extra in extras.values():
        extra.update(_figure_columns(extra["figures"]))
    return extras


def side_totals(incidents: QuerySet) -> list[dict[str, Any]]:
    """The casualty figures of these incidents added up per side of the claimant and kind:
    claims added together, not facts (two claims may count the same people). Sides in their
    order, with the number of claims each total adds."""
    rows = (
        CasualtyFigure.objects.filter(incident__in=incidents.order_by().values("pk"))
        .order_by()
        .values("incident_id", "incident__actor__side__slug", "kind", "low", "best", "high")
    )
    by_side: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    claims: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        side = row["incident__actor__side__slug"] or ""
        by_side[side][row["kind"]].append(dict(row))
        claims[side].add(row["incident_id"])
    labels = {side.slug: side for side in Side.objects.all()}
    order = [slug for slug in labels if slug in by_side] + ([""] if "" in by_side else [])
    return [
        {
            "side": slug or None,
            "label": labels[slug].label if slug else "",
            "label_ru": labels[slug].label_ru if slug else "",
            "claims": len(claims[slug]),
            "figures": {
                kind: add_up(by_side[slug][kind])
                for kind in CasualtyFigure.Kind.values
                if kind in by_side[slug]
            },
        }
        for slug in order
    ]


def _iter_rows(layer, queryset, geometry_format):
    """Yield (row, properties) for each row, in chunks; incidents get their excerpts' texts."""
    if queryset is None:
        queryset = layer_queryset(layer)
    spec = LAYERS[layer]
    rows = _rows(layer, queryset, geometry_format)
    query = queryset.query
    if query.high_mark is not None and query.high_mark - query.low_mark <= BOUNDED_ROWS:
        # A page: one plain query. A server-side cursor (what iterator() opens on PostgreSQL)
        # is planned for its first rows (cursor_tuple_fraction), which is slow for a bbox page.
        rows = iter(rows)
    else:
        rows = rows.iterator(chunk_size=CHUNK_SIZE)
    while True:
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK_SIZE:
                break
        if not chunk:
            return
        extras = _claim_extras([r["pk"] for r in chunk]) if spec.with_excerpts else None
        related = spec.related([r["pk"] for r in chunk]) if spec.related else None
        for row in chunk:
            props = spec.properties(row)
            if extras is not None:
                props.update(extras[row["pk"]])
            if related is not None:
                props.update(related[row["pk"]])
            yield row, props


def iter_features(layer: str, queryset: QuerySet | None = None) -> Iterator[Feature]:
    """Yield (feature id, properties dict, geometry JSON text) for each row, in chunks."""
    for row, props in _iter_rows(layer, queryset, "geojson"):
        yield row["feature_id"], props, row["geometry"]


def incident_summaries(queryset: QuerySet, with_excerpts: int = 0) -> list[dict[str, Any]]:
    """The map's list entries and markers: id, lon/lat and the incident's date, title, type,
    claimant and place, as the exported properties say them; the first ``with_excerpts`` also
    carry their excerpts' texts (the printed list shows them)."""
    rows = list(
        queryset.values(
            "pk",
            "slug",
            *LAYERS["incidents"].fields,
            **LAYERS["incidents"].annotations,
            x=X("place__point"),
            y=Y("place__point"),
            place_kind=F("place__kind"),
        )
    )
    summaries = []
    for row in rows:
        props = _incident_properties(row)
        props["precision_class"] = precision_class(row["place_precision_m"], row["geo_precision"])
        summaries.append(
            {
                "id": row["slug"],
                "lon": round(row["x"], COORDINATE_DECIMALS),
                "lat": round(row["y"], COORDINATE_DECIMALS),
                **{name: props[name] for name in MAP_SUMMARY},
                # How precise the marker is (static/border_map/incidents_layer.js draws it so).
                "place_kind": row["place_kind"],
                "place_precision_m": row["place_precision_m"],
            }
        )
    if with_excerpts:
        texts = _excerpts_by_incident([row["pk"] for row in rows[:with_excerpts]])
        for row, summary in zip(rows[:with_excerpts], summaries, strict=False):
            summary["excerpts"] = texts.get(row["pk"], [])
    return summaries


# The properties of an incident that the map's list and markers show.
MAP_SUMMARY = (
    "date",
    "date_end",
    "title",
    "type",
    "claimed_by",
    "actor",
    "side",
    "place",
    "place_ru",
    "geo_precision",
    "precision_class",
    "territory",
    "line",
    "line_distance_km",
    "enclave",
    "enclave_ru",
    "event",
)


def _highlights(excerpt: Excerpt, place: Place, mentions: list[Mention]) -> list[list[int]]:
    """Where the incident's place is named inside an excerpt, as offsets into the excerpt."""
    spans = [
        [m.start - excerpt.start, m.end - excerpt.start]
        for m in mentions
        if m.article_id == excerpt.article_id and excerpt.start <= m.start and m.end <= excerpt.end
    ]
    if spans:
        return spans
    # No recorded mention: look for the place's names in the excerpt itself.
    lowered = excerpt.text.lower()
    for name in [place.name, *place.alternate_names]:
        at = lowered.find(name.lower()) if name else -1
        if at >= 0:
            return [[at, at + len(name)]]
    return []


def incident_detail(incident: Incident) -> dict[str, Any]:
    """One incident for the map's popup: its exported properties, lon/lat, and each excerpt with
    where the place is named in it and a link to that passage of the article page."""
    place = incident.place
    excerpts = list(incident.excerpts.select_related("article").order_by("article_id", "start"))
    mentions = list(place.mentions.filter(article__in={e.article_id for e in excerpts}))
    spec = LAYERS["incidents"]
    row = Incident.objects.filter(pk=incident.pk).values(*spec.fields, **spec.annotations).get()
    props = _incident_properties(row)
    props["precision_class"] = precision_class(row["place_precision_m"], row["geo_precision"])
    del props["place_precision_m"]
    extras = _claim_extras([incident.pk])[incident.pk]
    side = incident.actor.side if incident.actor else None
    return {
        "id": incident.slug,
        "lon": round(place.point.x, COORDINATE_DECIMALS),
        "lat": round(place.point.y, COORDINATE_DECIMALS),
        **props,
        "side_label": side.label if side else "",
        "side_label_ru": side.label_ru if side else "",
        "figures": extras["figures"],
        "sources": extras["sources"],
        "excerpts": [
            {
                "text": e.text,
                "highlights": _highlights(e, place, mentions),
                "article": e.article.title,
                "outlet": e.article.outlet,
                "url": reverse("article", args=[e.article.slug]) + f"#excerpt-{e.pk}",
            }
            for e in excerpts
        ],
    }


def feature_json(feature_id: Any, properties: dict[str, Any], geometry: str | None) -> str:
    """One GeoJSON Feature as text; the geometry text comes from the database as it is."""
    return (
        '{"type":"Feature","id":'
        + _to_json(feature_id)
        + ',"geometry":'
        + (geometry or "null")
        + ',"properties":'
        + _to_json(properties)
        + "}"
    )


def iter_geojson(
    layer: str, queryset: QuerySet | None = None, extra_members: dict[str, Any] | None = None
) -> Iterator[str]:
    """Yield an RFC 7946 FeatureCollection as text chunks (``extra_members`` are added to it)."""
    return iter_collection(iter_features(layer, queryset), extra_members)


def iter_collection(
    features: Iterable[Feature], extra_members: dict[str, Any] | None = None
) -> Iterator[str]:
    """Yield a FeatureCollection of (id, properties, geometry text) tuples as text chunks."""
    head = '{"type":"FeatureCollection"'
    for key, value in (extra_members or {}).items():
        head += "," + _to_json(key) + ":" + _to_json(value)
    yield head + ',"features":['
    buffer = []
    first = True
    for feature in features:
        buffer.append(("" if first else ",") + feature_json(*feature))
        first = False
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    buffer.append("]}")
    yield "".join(buffer)


def write_geojson(layer: str, stream: TextIO, queryset: QuerySet | None = None) -> int:
    """Write a layer as a FeatureCollection to a text stream; return the number of features."""
    count = 0
    for chunk in iter_geojson(layer, queryset):
        stream.write(chunk)
    count = (queryset if queryset is not None else layer_queryset(layer)).count()
    return count


def property_names(layer: str) -> list[str]:
    """The property names of a layer's features, in output order."""
    return list(LAYERS[layer].property_names)


def as_text(value: Any) -> str:
    """A property as text for CSV and KML: lists as JSON, booleans as true/false, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _cell(value):
    """A CSV cell; text that a spreadsheet would run as a formula is made inert (OWASP
    "CSV injection") by a leading apostrophe."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = as_text(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


# A spreadsheet cell holds at most this many characters (Excel's limit; LibreOffice's is higher):
# a longer WKT would be cut off, silently, when the file is opened.
SPREADSHEET_CELL_LIMIT = 32_767


def fit_wkt(wkt: str, limit: int = SPREADSHEET_CELL_LIMIT) -> tuple[str, float | None]:
    """The WKT as it is when it fits in a spreadsheet cell; else simplified (topology kept) with
    the smallest doubling tolerance, in degrees, that makes it fit, and that tolerance."""
    if len(wkt) <= limit:
        return wkt, None
    geometry = shapely.from_wkt(wkt)
    tolerance = 0.0001  # about 10 m
    while True:
        simpler = shapely.to_wkt(
            shapely.simplify(geometry, tolerance, preserve_topology=True),
            rounding_precision=COORDINATE_DECIMALS,
            trim=True,
        )
        if len(simpler) <= limit:
            return simpler, tolerance
        tolerance *= 2


def iter_csv(layer: str, queryset: QuerySet | None = None, bom: bool = False) -> Iterator[str]:
    """Yield a layer as UTF-8 CSV text (RFC 4180, CRLF line ends): id, the properties, then the
    geometry as WKT, and lon/lat columns for point layers. Lines and areas get a
    ``wkt_simplified_deg`` column: empty when the WKT is exact, else the tolerance it was
    simplified with to fit a spreadsheet cell (the GeoJSON and KML keep every vertex).
    ``bom`` starts the file with a byte-order mark, which spreadsheets take as "this is UTF-8"
    (without it Excel reads Cyrillic as mojibake)."""
    names = property_names(layer)
    header = ["id", *names, "wkt"]
    point = LAYERS[layer].is_point
    header += ["lon", "lat"] if point else ["wkt_simplified_deg"]
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row, props in _iter_rows(layer, queryset, "wkt"):
        wkt, tolerance = fit_wkt(row["geometry"] or "")
        cells = [row["feature_id"], *(_cell(props[n]) for n in names), wkt]
        if point:
            cells += [round(row[axis], COORDINATE_DECIMALS) for axis in ("lon", "lat")]
        else:
            cells.append("" if tolerance is None else tolerance)
        writer.writerow(cells)
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# Characters XML 1.0 does not allow at all, escaped or not (section 2.2); text pasted from PDFs
# carries form feeds and vertical tabs. They are dropped from KML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: str) -> str:
    """Text for an XML element: markup escaped, characters XML forbids dropped."""
    return escape(_NOT_XML.sub("", value))


def xml_attribute(value: str) -> str:
    """A quoted XML attribute value, with the same rules as xml_text."""
    return quoteattr(_NOT_XML.sub("", value))


def iter_kml(layer: str, queryset: QuerySet | None = None) -> Iterator[str]:
    """Yield a layer as a KML 2.2 document: one Placemark per feature, its properties as
    ExtendedData, its geometry written by the database (AsKML)."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>border_map {xml_text(layer)}</name>\n"
    )
    buffer = []
    for row, props in _iter_rows(layer, queryset, "kml"):
        data = "".join(
            f"<Data name={xml_attribute(name)}><value>{xml_text(as_text(value))}</value></Data>"
            for name, value in props.items()
        )
        buffer.append(
            f"<Placemark id={xml_attribute(str(row['feature_id']))}>"
            f"<name>{xml_text(str(props[LAYERS[layer].label]))}</name>"
            f"<ExtendedData>{data}</ExtendedData>{row['geometry'] or ''}</Placemark>\n"
        )
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    buffer.append("</Document></kml>\n")
    yield "".join(buffer)
