"""The reference geometry as the map draws it, in one RFC 7946 FeatureCollection: the country
outlines, the enclaves, the gaps of the source ("no data") and the shared lines, all simplified
together when the boundaries load (boundaries.draw), so that they coincide at every zoom; with
the points where the map writes their names when it has no tiles.

Not a layer of the exports: this is the map's own view, not data to download (the exports carry
the full polygons and lines).
"""

from collections.abc import Iterator
from typing import Any

import shapely
from django.contrib.gis.db.models.functions import AsGeoJSON
from shapely import MultiLineString, MultiPolygon, Polygon, box
from shapely.ops import polylabel

from .exports import Feature, iter_collection
from .maps import REGION_BOUNDS
from .models import Boundary, Country, Enclave, SourceGap

# The region the map opens on (Batken and the south of the Ferghana Valley): a country gets a
# label inside it besides the one at the middle of its largest part, so that the first view
# names the three countries.
(_SOUTH, _WEST), (_NORTH, _EAST) = REGION_BOUNDS
REGION = box(_WEST, _SOUTH, _EAST, _NORTH)
PRECISION = 5  # decimal places of the coordinates, about 1 m


def _shape(geom: Any) -> Any:
    return shapely.from_wkb(bytes(geom.wkb))


def _point(polygon: Polygon) -> list[float]:
    """The pole of inaccessibility: the point inside farthest from the edge, for a label."""
    point = polylabel(polygon, tolerance=0.01)
    return [round(point.x, 4), round(point.y, 4)]


def _largest(geom: Any) -> Polygon | None:
    polygons = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon"]
    return max(polygons, key=lambda p: p.area) if polygons else None


def country_labels(outline: MultiPolygon) -> list[list[float]]:
    """Where a country's name goes: the middle of its largest part, and of its largest part
    in the region the map opens on."""
    labels = []
    for part in (_largest(outline), _largest(outline.intersection(REGION))):
        if part is not None and not part.is_empty:
            point = _point(part)
            if point not in labels:
                labels.append(point)
    return labels


def line_labels(lines: MultiLineString) -> list[list[float]]:
    """Where a shared line's name goes: the middle of its longest stretch in the region the map
    opens on, and of its longest stretch."""
    labels = []
    for geom in (lines.intersection(REGION), lines):
        parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "LineString"]
        if parts:
            middle = max(parts, key=lambda p: p.length).interpolate(0.5, normalized=True)
            labels.append([round(middle.x, 4), round(middle.y, 4)])
    return labels


def reference_features() -> Iterator[Feature]:
    """(id, properties, geometry) of every drawn shape; ``kind`` says which layer it is."""
    geojson = AsGeoJSON("outline", precision=PRECISION)
    for country in Country.objects.annotate(shape=geojson).only("code", "name", "outline"):
        yield (
            f"country:{country.code}",
            {
                "kind": "country",
                "code": country.code,
                "name": country.name,
                "labels": country_labels(_shape(country.outline)),
            },
            country.shape,
        )
    geojson = AsGeoJSON("drawn", precision=PRECISION)
    for enclave in Enclave.objects.filter(drawn__isnull=False).annotate(shape=geojson):
        part = _largest(_shape(enclave.drawn))
        yield (
            f"enclave:{enclave.slug}",
            {
                "kind": "enclave",
                "name": enclave.name,
                "alternate_names": enclave.alternate_names,
                "sovereign": enclave.sovereign,
                "surrounded_by": enclave.surrounded_by,
                "area_km2": round(enclave.area_km2, 2),
                "labels": [_point(part)] if part is not None else [],
            },
            enclave.shape,
        )
    for gap in SourceGap.objects.annotate(shape=geojson):
        yield (
            f"gap:{gap.pk}",
            {"kind": "gap", "area_km2": round(gap.area_km2, 2), "bordered_by": gap.bordered_by},
            gap.shape,
        )
    for boundary in Boundary.objects.filter(drawn__isnull=False).annotate(shape=geojson):
        yield (
            f"line:{boundary.countries}",
            {
                "kind": "line",
                "countries": boundary.countries,
                "length_km": round(boundary.length_km, 1),
                "labels": line_labels(_shape(boundary.drawn)),
            },
            boundary.shape,
        )


def reference_collection() -> Iterator[str]:
    return iter_collection(reference_features())
