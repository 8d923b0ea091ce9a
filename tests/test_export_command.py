"""`manage.py export_geojson`: every layer as a file that GDAL's ogrinfo (a real client) reads."""

import io
import json
import re
import subprocess

import pytest
from django.core.management import call_command

from border_map import exports
from border_map.models import Article

pytestmark = pytest.mark.django_db

CONTRACT = {
    "places": {"name", "kind", "country", "precision_m", "source"},
    "incidents": {"date", "title", "type", "claimed_by", "place", "excerpts"},
    "enclaves": {"name", "sovereign", "surrounded_by", "area_km2"},
    "boundaries": {"countries", "length_km"},
}


def export(layer, tmp_path):
    path = tmp_path / f"{layer}.geojson"
    call_command("export_geojson", layer, output=str(path))
    return path


@pytest.mark.clients
@pytest.mark.parametrize("layer", sorted(CONTRACT))
def test_ogrinfo_reads_every_exported_layer_without_error(layer, tmp_path):
    path = export(layer, tmp_path)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr
    count = int(re.search(r"Feature Count: (\d+)", result.stdout).group(1))
    assert count == exports.layer_queryset(layer).count() > 0
    assert 'EPSG",4326' in result.stdout or "WGS 84" in result.stdout


@pytest.mark.parametrize("layer", sorted(CONTRACT))
def test_each_feature_carries_the_properties_of_the_export_contract(layer, tmp_path):
    collection = json.loads(export(layer, tmp_path).read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946 section 4: no crs member
    for feature in collection["features"]:
        assert CONTRACT[layer] <= set(feature["properties"]), feature["id"]
        assert feature["id"]


def test_exported_incident_excerpts_are_verbatim_slices_of_the_article(tmp_path):
    collection = json.loads(export("incidents", tmp_path).read_text(encoding="utf-8"))
    text = Article.objects.get().text
    excerpts = [e for f in collection["features"] for e in f["properties"]["excerpts"]]
    assert excerpts
    assert all(excerpt in text for excerpt in excerpts)


@pytest.mark.parametrize("layer", sorted(CONTRACT))
def test_exported_coordinates_have_at_most_six_decimals(layer, tmp_path):
    """RFC 7946 section 11.2: six decimals are about 10 cm; more is noise."""
    numbers = []
    collection = json.loads(
        export(layer, tmp_path).read_text(encoding="utf-8"),
        parse_float=lambda text: numbers.append(text) or float(text),
    )
    coordinates = [f["geometry"]["coordinates"] for f in collection["features"]]
    assert coordinates
    assert numbers
    assert all(len(n.partition(".")[2]) <= 6 for n in numbers), max(numbers, key=len)


def test_without_a_file_the_export_goes_to_standard_output():
    out = io.StringIO()
    call_command("export_geojson", "boundaries", stdout=out)
    collection = json.loads(out.getvalue())
    assert {f["id"] for f in collection["features"]} == {"KG-TJ", "KG-UZ", "TJ-UZ"}
