"""The countries, enclaves and shared lines derived from the OSM extract in data/."""

import json
import math
import shutil

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from border_map.boundaries import OUTLINE_TOLERANCE
from border_map.models import COUNTRIES, Boundary, Country, Enclave, SourceGap
from border_map.paths import DATA_DIR

pytestmark = pytest.mark.django_db

# The fact table of shared/geodata/README.md (copied to data/enclaves.csv): a point inside each.
ENCLAVE_FACTS = {
    "Sokh": ("UZ", "KG", 40.035, 71.071),
    "Shakhimardan": ("UZ", "KG", 39.978, 71.810),
    "Chon-Kara": ("UZ", "KG", 40.244, 71.035),
    "Jani-Ayil": ("UZ", "KG", 40.203, 71.665),
    "Vorukh": ("TJ", "KG", 39.835, 70.649),
    "Sarvan": ("TJ", "UZ", 40.959, 70.622),
    "Barak": ("KG", "UZ", 40.668, 72.767),
}


def snapshot():
    """Everything load_boundaries writes, as comparable values."""
    return (
        [
            (c.pk, c.code, c.geom.wkb.hex(), c.outline.wkb.hex())
            for c in Country.objects.order_by("pk")
        ],
        [(e.pk, e.name, e.area_km2, e.geom.wkb.hex()) for e in Enclave.objects.order_by("pk")],
        [
            (b.pk, b.countries, b.length_km, b.geom.wkb.hex())
            for b in Boundary.objects.order_by("pk")
        ],
    )


def spherical_area_km2(geom):
    """An independent estimate: planar area scaled by the local size of a degree."""
    lat = geom.centroid.y
    km_per_degree = 111.32
    return geom.area * km_per_degree**2 * math.cos(math.radians(lat))


def test_the_seven_enclaves_of_the_fact_table_come_out_of_the_polygons():
    enclaves = {e.name: (e.sovereign, e.surrounded_by) for e in Enclave.objects.all()}
    assert enclaves == {name: fact[:2] for name, fact in ENCLAVE_FACTS.items()}


def test_each_enclave_contains_its_fact_point_and_lies_in_exactly_its_sovereign_country():
    for name, (sovereign, _around, lat, lon) in ENCLAVE_FACTS.items():
        point = Point(lon, lat, srid=4326)
        assert Enclave.objects.get(name=name).geom.contains(point), name
        codes = list(Country.objects.filter(geom__contains=point).values_list("code", flat=True))
        assert codes == [sovereign], (name, codes)


def test_vorukh_is_tajik_and_surrounded_by_kyrgyzstan():
    vorukh = Enclave.objects.get(name="Vorukh")
    assert (vorukh.sovereign, vorukh.surrounded_by) == ("TJ", "KG")
    kyrgyzstan = Country.objects.get(code="KG")
    assert not kyrgyzstan.geom.intersects(vorukh.geom.point_on_surface)
    assert any(ring_holds(poly, vorukh.geom.point_on_surface) for poly in kyrgyzstan.geom)


def ring_holds(polygon, point):
    """True when the point is inside the polygon's outer ring (so in one of its holes)."""
    from django.contrib.gis.geos import Polygon

    return Polygon(polygon.exterior_ring).contains(point)


def test_enclave_areas_are_computed_geodesically_and_plausible():
    areas = {e.name: e.area_km2 for e in Enclave.objects.all()}
    # Published figures (Wikipedia): Sokh about 236 km², Vorukh about 96–130 km²; the 2017 OSM
    # polygons give somewhat less. The small ones are a few km² or less.
    assert 200 < areas["Sokh"] < 260
    assert 85 < areas["Vorukh"] < 130
    assert 30 < areas["Shakhimardan"] < 90
    assert 8 < areas["Sarvan"] < 20
    assert all(0.3 < areas[n] < 5 for n in ("Chon-Kara", "Jani-Ayil", "Barak"))
    for enclave in Enclave.objects.all():
        assert enclave.area_km2 == pytest.approx(spherical_area_km2(enclave.geom), rel=0.01)


def test_the_three_shared_lines_are_derived_with_plausible_lengths():
    lengths = dict(Boundary.objects.values_list("countries", "length_km"))
    assert set(lengths) == {"KG-TJ", "KG-UZ", "TJ-UZ"}
    # About 893 km of main line in this simplified extract (official 970–984 km), plus the
    # ring around Vorukh, which is also Kyrgyz–Tajik border.
    assert 900 < lengths["KG-TJ"] < 1000
    vorukh_ring = Enclave.objects.get(name="Vorukh").geom.boundary
    kg_tj = Boundary.objects.get(countries="KG-TJ").geom
    assert kg_tj.buffer(1e-6).contains(vorukh_ring)


def test_the_kyrgyz_tajik_line_lies_on_both_countries_borders():
    line = Boundary.objects.get(countries="KG-TJ").geom
    for code in ("KG", "TJ"):
        border = Country.objects.get(code=code).geom.boundary
        assert border.buffer(1e-6).contains(line), code


def test_polygons_are_stored_with_counter_clockwise_exterior_rings():
    from shapely import LinearRing

    for enclave in Enclave.objects.all():
        for polygon in enclave.geom:
            assert LinearRing(polygon.exterior_ring.coords).is_ccw, enclave.name


def test_each_country_keeps_a_valid_simplified_outline_close_to_its_polygon():
    assert sorted(Country.objects.values_list("code", flat=True)) == sorted(COUNTRIES)
    kept = full = 0
    gaps_drawn = None
    for gap in SourceGap.objects.filter(bordered_by__contains="-"):
        gaps_drawn = gap.drawn if gaps_drawn is None else gaps_drawn.union(gap.drawn)
    for country in Country.objects.all():
        outline, geom = country.outline, country.geom
        assert outline.valid, (country.code, outline.valid_reason)
        assert outline.num_coords < geom.num_coords, country.code
        kept, full = kept + outline.num_coords, full + geom.num_coords
        # No point of the country lies farther than the tolerance from its outline, or from a
        # gap beside it where a gap narrower than the tolerance took a sliver of it when drawn
        # (tests/test_drawn_geometry.py)...
        drawn = outline.union(gaps_drawn) if gaps_drawn else outline
        assert drawn.buffer(OUTLINE_TOLERANCE * 1.01).contains(geom), country.code
        # ...and they cover the same land to within 1 %.
        assert outline.sym_difference(geom).area < 0.01 * geom.area, country.code
    assert kept < full / 2


def test_running_load_boundaries_again_changes_nothing():
    before = snapshot()
    call_command("load_boundaries", verbosity=0)
    assert snapshot() == before


def test_a_file_that_is_not_json_is_rejected_and_nothing_changes(tmp_path):
    before = snapshot()
    bad = tmp_path / "countries.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(CommandError, match="countries.geojson: not a readable GeoJSON"):
        call_command("load_boundaries", str(bad), verbosity=0)
    assert snapshot() == before


def test_a_feature_of_an_unknown_country_is_rejected(tmp_path):
    collection = json.loads((DATA_DIR / "osm-countries-kgz-tjk-uzb.geojson").read_text())
    collection["features"][0]["properties"]["A3"] = "XXX"
    bad = tmp_path / "countries.geojson"
    bad.write_text(json.dumps(collection), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match="feature 0 has A3 'XXX'"):
        call_command("load_boundaries", str(bad), verbosity=0)
    assert snapshot() == before


def test_an_enclave_without_a_name_in_the_fact_table_is_rejected(tmp_path):
    facts = tmp_path / "enclaves.csv"
    lines = (DATA_DIR / "enclaves.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("Vorukh")]
    facts.write_text("\n".join(kept), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match=r"no row names the TJ enclave in KG around \(39\.8"):
        call_command("load_boundaries", enclaves=str(facts), verbosity=0)
    assert snapshot() == before


def test_a_fact_row_that_matches_no_polygon_is_rejected(tmp_path):
    facts = tmp_path / "enclaves.csv"
    shutil.copy(DATA_DIR / "enclaves.csv", facts)
    with facts.open("a", encoding="utf-8") as stream:
        stream.write("Western Qalacha,Kairagach,TJ,KG,40.31,70.03,too small for the extract\n")
    before = snapshot()
    with pytest.raises(CommandError, match="no enclave polygon contains the point of Western"):
        call_command("load_boundaries", enclaves=str(facts), verbosity=0)
    assert snapshot() == before


def test_a_dry_run_reports_but_writes_nothing(tmp_path, capsys):
    facts = tmp_path / "enclaves.csv"
    text = (DATA_DIR / "enclaves.csv").read_text(encoding="utf-8")
    facts.write_text(text.replace("Vorukh,", "Vorukh renamed,", 1), encoding="utf-8")
    before = snapshot()
    call_command("load_boundaries", enclaves=str(facts), dry_run=True)
    out = capsys.readouterr().out
    assert "enclave Vorukh renamed: TJ in KG" in out
    assert "Dry run: nothing was written." in out
    assert snapshot() == before


def test_repairing_a_polygon_keeps_only_polygons_of_what_make_valid_returns():
    from shapely import GeometryCollection, LineString, Point, Polygon

    from border_map.boundaries import as_multipolygon

    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    mixed = GeometryCollection([Point(5, 5), LineString([(2, 2), (3, 3)]), square])
    repaired = as_multipolygon(mixed)
    assert repaired.geom_type == "MultiPolygon"
    assert len(repaired.geoms) == 1
    assert repaired.geoms[0].exterior.is_ccw
