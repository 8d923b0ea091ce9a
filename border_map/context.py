"""The spatial context of every place (and so of the incidents there), computed by the database
from the stored full-precision geometries: the country holding the point, the nearest shared line
and its geodesic distance, the enclave holding the point and the nearest enclave.

:func:`refresh` stores it on Place; the boundary loader and the article ingest call it, so that
it follows whichever of the two changed last.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import Distance
from django.db.models import ExpressionWrapper, FloatField, OuterRef, QuerySet, Subquery

from border_map.models import Boundary, Country, Enclave, Place

# A point this close to a shared line lies on it, in no country: the estimates placed on the
# KG-TJ line (Golovnoi, Kyzyl-Bel) would otherwise fall on either side by rounding. The same
# rule as the ingest's Place.country (articles.ON_THE_LINE_DEGREES, about 10 m).
ON_THE_LINE_M = 10.0
# The Russian alphabet: Kyrgyz (Көк-Таш), Tajik and Ukrainian (Бішкек) spellings are not Russian.
RUSSIAN = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё\s\-«»]*")


def russian_name(names: Iterable[str]) -> str:
    """The first of the names written in Russian letters (the map's Russian label), or ""."""
    return next((n for n in names if RUSSIAN.fullmatch(n)), "")


class GeodesicDistance(Distance):
    """Metres on the WGS84 ellipsoid from a geometry to a point (the second argument).

    PostGIS: ST_DistanceSpheroid. SpatiaLite's own ellipsoidal distance measures to the nearest
    point in degrees, which is not the geodesically nearest one (a degree of longitude is 0.77 of
    a degree of latitude here: Kok-Tash came out 926 m from the line instead of 905 m); so the
    nearest point is found with longitudes scaled to their length at the point's latitude, and
    the ellipsoidal distance taken to it. Both agree within a metre on the seed places.
    """

    def __init__(self, geometry: Any, point: Any) -> None:
        super().__init__(geometry, point, spheroid=True)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list]:
        geom, geom_params = compiler.compile(self.source_expressions[0])
        point, point_params = compiler.compile(self.source_expressions[1])
        scale = f"cos(radians(ST_Y({point})))"
        nearest = (
            f"ScaleCoords(ST_ClosestPoint(ScaleCoords({geom}, {scale}, 1), "
            f"ScaleCoords({point}, {scale}, 1)), 1 / {scale}, 1)"
        )
        params = [*point_params, *geom_params, *point_params * 4]
        return f"COALESCE(ST_Distance({point}, {nearest}, 1), 0)", params


def _distances(model: type[Boundary] | type[Enclave], key: str) -> dict[str, Subquery]:
    """One correlated subquery per row of the model: the geodesic distance in metres from the
    outer place's point to that row's geometry. (A single "nearest row" subquery would need the
    outer point in ORDER BY, which SQLite cannot resolve inside a scalar subquery.)"""
    here = ExpressionWrapper(OuterRef("point"), output_field=PointField(srid=4326))
    return {
        f"d_{index}": Subquery(
            model.objects.filter(**{key: value})
            .order_by()
            .annotate(d=GeodesicDistance("geom", here))
            .values("d"),
            output_field=FloatField(),  # metres, not a Distance object
        )
        for index, value in enumerate(model.objects.values_list(key, flat=True))
    }


def _holder(model: type[Country] | type[Enclave], key: str) -> Subquery:
    """The key of the row whose polygon holds the outer place's point, or NULL."""
    return Subquery(
        model.objects.filter(geom__contains=OuterRef("point")).order_by(key).values(key)[:1]
    )


def refresh(places: QuerySet | None = None) -> int:
    """Compute and store the spatial context of the places (all by default) in one query;
    returns how many places were updated."""
    if places is None:
        from .synthetic import GEOCODER

        # Synthetic places (any number of them, to try the map at scale) carry no context.
        places = Place.objects.exclude(geocoder=GEOCODER)
    lines = list(Boundary.objects.values_list("countries", flat=True))
    enclaves = list(Enclave.objects.values_list("name", flat=True))
    in_russian = {
        name: russian_name(alternates)
        for name, alternates in Enclave.objects.values_list("name", "alternate_names")
    }
    line_d = _distances(Boundary, "countries")
    enclave_d = {f"e{k}": v for k, v in _distances(Enclave, "name").items()}
    rows = places.order_by().annotate(
        held_by=_holder(Country, "code"),
        in_enclave=_holder(Enclave, "name"),
        **line_d,
        **enclave_d,
    )
    changed = []
    for place in rows:
        place.line, distance = _nearest(lines, [getattr(place, k) for k in line_d])
        place.line_distance_km = None if distance is None else distance / 1000
        on_the_line = distance is not None and distance < ON_THE_LINE_M
        annotated: Any = place  # with held_by and in_enclave, the annotations above
        place.territory = "" if on_the_line else annotated.held_by or ""
        place.enclave = "" if on_the_line else annotated.in_enclave or ""
        place.nearest_enclave, distance = _nearest(enclaves, [getattr(place, k) for k in enclave_d])
        place.nearest_enclave_km = None if distance is None else distance / 1000
        if place.enclave:
            place.nearest_enclave, place.nearest_enclave_km = place.enclave, 0.0
        place.enclave_ru = in_russian.get(place.enclave, "")
        place.nearest_enclave_ru = in_russian.get(place.nearest_enclave, "")
        changed.append(place)
    fields = ["territory", "line", "line_distance_km", "enclave", "nearest_enclave"]
    fields += ["nearest_enclave_km", "enclave_ru", "nearest_enclave_ru"]
    Place.objects.bulk_update(changed, fields, batch_size=500)
    return len(changed)


def _nearest(keys: list[str], distances: list[float | None]) -> tuple[str, float | None]:
    """The key with the smallest distance, and that distance; ("", None) when there is none."""
    found = [(d, k) for k, d in zip(keys, distances, strict=True) if d is not None]
    if not found:
        return "", None
    distance, key = min(found)
    # SpatiaLite answers a tiny negative zero or NULL-as-0 for a point on the geometry.
    return key, max(distance, 0.0)
