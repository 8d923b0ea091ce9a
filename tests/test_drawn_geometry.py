"""The geometry the map draws (outlines, enclaves, gaps, shared lines simplified together) and the
gaps of the OSM extract, recomputed here from the file in data/."""

import json
import re

import pytest
import shapely
from django.contrib.gis.geos import Point
from shapely.geometry import shape

from border_map.boundaries import CLOSE_GAPS_BELOW_KM2, OUTLINE_TOLERANCE, geodesic_area_km2
from border_map.models import Boundary, Country, Enclave, SourceGap
from border_map.paths import DATA_DIR

pytestmark = pytest.mark.django_db


def vertices(geom):
    """The vertices of a GEOS geometry, as a set of (lon, lat)."""
    return {tuple(xy) for xy in shapely.get_coordinates(shapely.from_wkb(bytes(geom.wkb)))}


@pytest.fixture(scope="module")
def source_gaps():
    """The holes of the union of the file's three polygons: (area km², countries bordering)."""
    with open(DATA_DIR / "osm-countries-kgz-tjk-uzb.geojson", encoding="utf-8") as stream:
        features = json.load(stream)["features"]
    polygons = {f["properties"]["A3"]: shapely.make_valid(shape(f["geometry"])) for f in features}
    union = shapely.unary_union(list(polygons.values()))
    parts = list(union.geoms)
    gaps = []
    for ring in (ring for part in parts for ring in part.interiors):
        hole = shapely.Polygon(ring)
        islands = [p for p in parts if hole.contains(p)]
        land = hole.difference(shapely.unary_union(islands)) if islands else hole
        area = geodesic_area_km2(shapely.MultiPolygon(getattr(land, "geoms", [land])))
        touching = [
            a3 for a3, polygon in polygons.items() if polygon.boundary.intersection(ring).length > 0
        ]
        gaps.append((area, touching))
    return gaps


def test_the_drawn_shared_lines_are_made_of_vertices_of_both_drawn_outlines():
    outlines = {c.code: vertices(c.outline) for c in Country.objects.all()}
    for boundary in Boundary.objects.all():
        first, second = boundary.countries.split("-")
        line = vertices(boundary.drawn)
        assert len(line) > 100, boundary.countries
        assert line <= outlines[first], boundary.countries
        assert line <= outlines[second], boundary.countries


def test_each_drawn_enclave_shares_its_vertices_with_both_countries_outlines():
    outlines = {c.code: vertices(c.outline) for c in Country.objects.all()}
    for enclave in Enclave.objects.all():
        drawn = vertices(enclave.drawn)
        assert drawn <= outlines[enclave.sovereign], enclave.name
        assert drawn <= outlines[enclave.surrounded_by], enclave.name
        assert enclave.drawn.contains(enclave.geom.point_on_surface) or enclave.drawn.intersects(
            enclave.geom
        ), enclave.name


def test_the_drawn_kyrgyz_tajik_line_stays_within_the_tolerance_of_the_full_line():
    line = Boundary.objects.get(countries="KG-TJ")
    assert line.geom.buffer(OUTLINE_TOLERANCE * 1.01).contains(line.drawn)
    # ...with a fraction of its vertices, and none of the line is lost.
    assert line.drawn.num_coords < line.geom.num_coords / 2
    assert line.drawn.buffer(OUTLINE_TOLERANCE * 1.01).contains(line.geom)


def test_every_gap_of_the_source_is_either_closed_or_kept_as_no_data(source_gaps):
    kept = [
        (area, touching)
        for area, touching in source_gaps
        if len(touching) > 1 or area >= CLOSE_GAPS_BELOW_KM2
    ]
    closed = [gap for gap in source_gaps if gap not in kept]
    stored = list(SourceGap.objects.values_list("area_km2", "bordered_by"))
    assert len(stored) == len(kept) == 423
    assert sum(a for a, _ in stored) == pytest.approx(sum(a for a, _ in kept), rel=1e-6)
    assert sorted(b for _, b in stored if "-" in b) == ["KG-UZ"] * 8 + ["TJ-UZ"] * 28
    assert sum(1 for _a, t in kept if len(t) > 1) == 36
    assert len(closed) == 1365
    assert all(area < CLOSE_GAPS_BELOW_KM2 and len(t) == 1 for area, t in closed)


def test_the_data_readme_states_the_gap_figures_computed_from_the_source(source_gaps):
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    small = [a for a, t in source_gaps if len(t) == 1 and a < CLOSE_GAPS_BELOW_KM2]
    kept_km2 = sum(SourceGap.objects.values_list("area_km2", flat=True))
    all_km2 = sum(a for a, _t in source_gaps)
    for figure in (
        f"{len(source_gaps):,} holes covering {all_km2:,.1f} km²",
        f"{len(small):,} of them ({sum(small):,.1f} km²)",
        f"The other {SourceGap.objects.count():,} ({kept_km2:,.1f} km²",
    ):
        assert figure in re.sub(r"\s+", " ", readme), figure


def test_the_triangle_between_kok_tash_and_batken_is_a_kyrgyz_hole_drawn_as_no_data():
    point = Point(70.7027, 40.0012, srid=4326)
    (gap,) = [g for g in SourceGap.objects.all() if g.drawn.contains(point)]
    assert gap.bordered_by == "KG"
    assert gap.area_km2 == pytest.approx(4.9, abs=0.05)
    assert not Country.objects.filter(geom__contains=point).exists()


def test_no_gap_between_kyrgyz_and_tajik_polygons_is_given_to_either_side():
    assert not SourceGap.objects.filter(bordered_by="KG-TJ").exists()
    # ...and the countries still touch along the line: it is one geometry, not two.
    assert Boundary.objects.get(countries="KG-TJ").length_km == pytest.approx(952.7, abs=0.5)


def test_the_map_gets_outlines_enclaves_gaps_and_lines_that_share_their_vertices(client):
    response = client.get("/map/reference.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    features = json.loads(response.content)["features"]
    by_kind = {}
    for feature in features:
        by_kind.setdefault(feature["properties"]["kind"], []).append(feature)
    assert {k: len(v) for k, v in by_kind.items()} == {
        "country": 3,
        "enclave": Enclave.objects.count(),
        "gap": SourceGap.objects.count(),
        "line": 3,
    }
    outline = {
        f["properties"]["code"]: {tuple(xy) for xy in shapely.get_coordinates(shape(f["geometry"]))}
        for f in by_kind["country"]
    }
    for line in by_kind["line"]:
        first, second = line["properties"]["countries"].split("-")
        drawn = {tuple(xy) for xy in shapely.get_coordinates(shape(line["geometry"]))}
        assert drawn <= outline[first] and drawn <= outline[second], line["id"]
        assert line["properties"]["labels"], line["id"]
    # Every country is named inside the region the map opens on, and inside itself.
    for country in by_kind["country"]:
        polygon = shape(country["geometry"])
        lon, lat = country["properties"]["labels"][-1]
        assert 69.3 <= lon <= 71.9 and 39.6 <= lat <= 40.6, country["id"]
        assert all(polygon.contains(shapely.Point(p)) for p in country["properties"]["labels"])
