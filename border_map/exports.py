"""The one module that turns the layers into GeoJSON; the export command, the map's data
endpoints and the web API all go through it.

Output follows RFC 7946: longitude/latitude in WGS84, no ``crs`` member (section 4), coordinates
rounded to 6 decimals (section 11.2), exterior rings counter-clockwise (section 3.1.6; the load
commands store polygons oriented that way and the database keeps vertex order). Geometry is
serialised by the database (``AsGeoJSON``), not per object in Python, and output is produced in
chunks so that memory does not grow with the size of the layer.
"""

import json
from collections import defaultdict

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import F

from .models import Boundary, Enclave, Incident, Place

COORDINATE_DECIMALS = 6
CHUNK_SIZE = 2000


def _place_properties(row):
    return {
        "name": row["name"],
        "kind": row["kind"],
        "country": row["country"],
        "precision_m": row["precision_m"],
        "estimated": row["estimated"],
        "geocoder": row["geocoder"],
        "source": row["source"],
        "needs_review": row["needs_review"],
    }


def _incident_properties(row):
    return {
        "date": row["date"].isoformat(),
        "date_end": row["date_end"].isoformat() if row["date_end"] else None,
        "date_precision": row["date_precision"],
        "title": row["title"],
        "type": row["type"],
        "claimed_by": row["claimed_by"],
        "casualties": row["casualties"],
        "place": row["place_name"],
        "place_precision_m": row["place_precision_m"],
        "location_note": row["location_note"],
    }


def _enclave_properties(row):
    return {
        "name": row["name"],
        "alternate_names": row["alternate_names"],
        "sovereign": row["sovereign"],
        "surrounded_by": row["surrounded_by"],
        "area_km2": round(row["area_km2"], 2),
    }


def _boundary_properties(row):
    return {"countries": row["countries"], "length_km": round(row["length_km"], 1)}


# layer name -> (model, id field, geometry field, fields to read, properties builder)
LAYERS = {
    "places": (
        Place,
        "slug",
        "point",
        [
            "name",
            "kind",
            "country",
            "precision_m",
            "estimated",
            "geocoder",
            "source",
            "needs_review",
        ],
        _place_properties,
    ),
    "incidents": (
        Incident,
        "slug",
        "place__point",
        [
            "date",
            "date_end",
            "date_precision",
            "title",
            "type",
            "claimed_by",
            "casualties",
            "location_note",
        ],
        _incident_properties,
    ),
    "enclaves": (
        Enclave,
        "slug",
        "geom",
        ["name", "alternate_names", "sovereign", "surrounded_by", "area_km2"],
        _enclave_properties,
    ),
    "boundaries": (Boundary, "countries", "geom", ["countries", "length_km"], _boundary_properties),
}


def layer_queryset(layer):
    """All rows of a layer, in a stable order; callers may filter it further."""
    model = LAYERS[layer][0]
    queryset = model.objects.all()
    if layer == "incidents":
        queryset = queryset.select_related("place").order_by("date", "slug")
    else:
        queryset = queryset.order_by("pk")
    return queryset


def _rows(layer, queryset):
    _model, id_field, geom_field, fields, _props = LAYERS[layer]
    extra = {}
    if layer == "incidents":
        extra = {"place_name": F("place__name"), "place_precision_m": F("place__precision_m")}
    return queryset.values("pk", *fields, feature_id=F(id_field), **extra).annotate(
        geometry=AsGeoJSON(geom_field, precision=COORDINATE_DECIMALS)
    )


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


def iter_features(layer, queryset=None):
    """Yield (feature id, properties dict, geometry JSON text) for each row, in chunks."""
    if queryset is None:
        queryset = layer_queryset(layer)
    properties = LAYERS[layer][4]
    rows = _rows(layer, queryset).iterator(chunk_size=CHUNK_SIZE)
    while True:
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK_SIZE:
                break
        if not chunk:
            return
        excerpts = _excerpts_by_incident([r["pk"] for r in chunk]) if layer == "incidents" else None
        for row in chunk:
            props = properties(row)
            if excerpts is not None:
                props["excerpts"] = excerpts.get(row["pk"], [])
            yield row["feature_id"], props, row["geometry"]


def feature_json(feature_id, properties, geometry):
    """One GeoJSON Feature as text; the geometry text comes from the database as it is."""
    return (
        '{"type":"Feature","id":'
        + json.dumps(feature_id)
        + ',"geometry":'
        + (geometry or "null")
        + ',"properties":'
        + json.dumps(properties, ensure_ascii=False)
        + "}"
    )


def iter_geojson(layer, queryset=None, extra_members=None):
    """Yield an RFC 7946 FeatureCollection as text chunks (``extra_members`` are added to it)."""
    head = '{"type":"FeatureCollection"'
    for key, value in (extra_members or {}).items():
        head += "," + json.dumps(key) + ":" + json.dumps(value, ensure_ascii=False)
    yield head + ',"features":['
    buffer = []
    first = True
    for feature in iter_features(layer, queryset):
        buffer.append(("" if first else ",") + feature_json(*feature))
        first = False
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    buffer.append("]}")
    yield "".join(buffer)


def write_geojson(layer, stream, queryset=None):
    """Write a layer as a FeatureCollection to a text stream; return the number of features."""
    count = 0
    for chunk in iter_geojson(layer, queryset):
        stream.write(chunk)
    count = (queryset if queryset is not None else layer_queryset(layer)).count()
    return count
