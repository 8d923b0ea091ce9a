"""/api/<layer>.geojson, .csv and .kml: what a download carries (type, file name, ETag, gzip),
and that the three formats hold the same features as the export command."""

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET

import pytest
import shapely
from django.core.management import call_command

from border_map import api, exports
from border_map.models import Article, Excerpt, Incident, Place
from tests import seed

pytestmark = pytest.mark.django_db

LAYERS = ["places", "incidents", "enclaves", "boundaries"]
KML = "{http://www.opengis.net/kml/2.2}"


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("layer", LAYERS)
def test_geojson_endpoint_gives_the_same_collection_as_the_export_command(client, layer, tmp_path):
    path = tmp_path / f"{layer}.geojson"
    call_command("export_geojson", layer, output=str(path))
    response = client.get(f"/api/{layer}.geojson")
    assert response.status_code == 200
    assert json.loads(body(response)) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("geojson", "application/geo+json"),
        ("csv", "text/csv; charset=utf-8"),
        ("kml", "application/vnd.google-earth.kml+xml"),
    ],
)
def test_a_download_has_its_media_type_and_a_file_name(client, fmt, content_type):
    response = client.get(f"/api/incidents.{fmt}")
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (f'attachment; filename="border_map-incidents.{fmt}"')


def test_a_repeated_request_with_the_etag_gets_304_without_a_body(client):
    first = client.get("/api/incidents.geojson?type=gunfire")
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = client.get("/api/incidents.geojson?type=gunfire", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert body(again) == b""
    other = client.get("/api/incidents.geojson?type=clash", headers={"if-none-match": etag})
    assert other.status_code == 200


def test_the_etag_changes_when_the_data_changes(client):
    before = client.get("/api/incidents.geojson")["ETag"]
    Incident.objects.filter(slug="kyzyl-bel-talks-agree-troop-withdrawal").update(title="Changed")
    assert client.get("/api/incidents.geojson")["ETag"] != before


def test_a_client_that_accepts_gzip_gets_the_same_document_compressed(client):
    plain = body(client.get("/api/enclaves.geojson"))
    response = client.get("/api/enclaves.geojson", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    compressed = body(response)
    assert len(compressed) < len(plain) / 2
    assert gzip.decompress(compressed) == plain


def test_a_large_result_is_streamed_without_an_etag(client, monkeypatch):
    monkeypatch.setattr(api, "ETAG_MAX_FEATURES", 3)
    response = client.get("/api/incidents.geojson")
    assert response.streaming
    assert not response.has_header("ETag")
    features = json.loads(body(response))["features"]
    assert len(features) == Incident.objects.count() == len(seed.INCIDENTS)


@pytest.mark.parametrize("fmt", ["geojson", "csv", "kml"])
def test_an_unknown_layer_is_a_404_with_a_json_body(client, fmt):
    response = client.get(f"/api/villages.{fmt}")
    assert response.status_code == 404
    assert "villages" in response.json()["description"]


def test_the_api_answers_only_get_and_head(client):
    assert client.post("/api/places.geojson").status_code == 405
    head = client.head("/api/places.geojson")
    assert head.status_code == 200
    assert head["Content-Type"] == "application/geo+json"


def read_csv(client, layer, query=""):
    raw = body(client.get(f"/api/{layer}.csv{query}"))
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


@pytest.mark.parametrize("layer", LAYERS)
def test_csv_has_a_row_per_feature_with_its_properties_and_wkt(client, layer):
    rows = read_csv(client, layer)
    features = json.loads(body(client.get(f"/api/{layer}.geojson")))["features"]
    assert [r["id"] for r in rows] == [f["id"] for f in features]
    for row, feature in zip(rows, features, strict=True):
        assert list(row)[: len(exports.property_names(layer)) + 1] == [
            "id",
            *exports.property_names(layer),
        ]
        geometry = shapely.from_wkt(row["wkt"])
        exact = shapely.geometry.shape(feature["geometry"])
        assert len(row["wkt"]) <= exports.SPREADSHEET_CELL_LIMIT
        if row.get("wkt_simplified_deg"):
            # Too long for a spreadsheet cell: simplified, and says by how much.
            tolerance = float(row["wkt_simplified_deg"])
            assert geometry.hausdorff_distance(exact) <= tolerance + 1e-6
            assert geometry.is_valid and geometry.geom_type == exact.geom_type
        else:
            assert geometry.equals_exact(exact, 1e-6)
        for name, value in feature["properties"].items():
            assert row[name] == exports.as_text(value), (feature["id"], name)


def test_csv_of_points_has_lon_and_lat_columns(client):
    rows = {r["id"]: r for r in read_csv(client, "places")}
    kok_tash = Place.objects.get(slug="kok-tash").point
    assert float(rows["kok-tash"]["lon"]) == pytest.approx(kok_tash.x, abs=1e-6)
    assert float(rows["kok-tash"]["lat"]) == pytest.approx(kok_tash.y, abs=1e-6)


def test_csv_keeps_cyrillic_and_quoted_excerpts_intact(client):
    rows = {r["id"]: r for r in read_csv(client, "enclaves")}
    assert "Шахимардан" in json.loads(rows["shakhimardan"]["alternate_names"])
    text = Article.objects.get().text
    for row in read_csv(client, "incidents"):
        excerpts = json.loads(row["excerpts"])
        assert excerpts and all(e in text for e in excerpts)


def test_csv_filters_like_geojson(client):
    rows = read_csv(client, "incidents", "?bbox=70.5,39.9,70.55,39.96")
    assert sorted(r["id"] for r in rows) == [
        "kyrgyz-police-tajik-shooting-at-kok-tash",
        "tajik-border-guards-kyrgyz-fired-first-at-golovnoi",
    ]


def test_a_csv_cell_that_a_spreadsheet_would_run_as_a_formula_is_made_text(client):
    Incident.objects.filter(slug="kyzyl-bel-talks-agree-troop-withdrawal").update(
        title='=HYPERLINK("http://example.invalid","click")'
    )
    rows = {r["id"]: r for r in read_csv(client, "incidents")}
    assert rows["kyzyl-bel-talks-agree-troop-withdrawal"]["title"] == (
        '\'=HYPERLINK("http://example.invalid","click")'
    )


def read_kml(client, layer):
    return ET.fromstring(body(client.get(f"/api/{layer}.kml")))


@pytest.mark.parametrize("layer", LAYERS)
def test_kml_has_a_placemark_per_feature_with_geometry_and_data(client, layer):
    document = read_kml(client, layer)
    placemarks = document.findall(f"{KML}Document/{KML}Placemark")
    features = json.loads(body(client.get(f"/api/{layer}.geojson")))["features"]
    assert [p.get("id") for p in placemarks] == [f["id"] for f in features]
    for placemark, feature in zip(placemarks, features, strict=True):
        data = {
            d.get("name"): d.findtext(f"{KML}value") or "" for d in placemark.iter(f"{KML}Data")
        }
        assert data == {k: exports.as_text(v) for k, v in feature["properties"].items()}
        assert placemark.find(f".//{KML}coordinates") is not None


def test_kml_point_coordinates_are_lon_lat(client):
    document = read_kml(client, "places")
    placemark = next(p for p in document.iter(f"{KML}Placemark") if p.get("id") == "kok-tash")
    lon, lat = map(float, placemark.findtext(f".//{KML}coordinates").split(",")[:2])
    point = Place.objects.get(slug="kok-tash").point
    assert (lon, lat) == pytest.approx((point.x, point.y), abs=1e-6)


def test_kml_escapes_markup_in_article_text(client):
    incident = Incident.objects.get(slug="kyzyl-bel-talks-agree-troop-withdrawal")
    incident.title = 'Talks <script>alert(1)</script> & "withdrawal"'
    incident.save()
    raw = body(client.get("/api/incidents.kml")).decode("utf-8")
    assert "<script>" not in raw
    placemark = next(
        p for p in ET.fromstring(raw).iter(f"{KML}Placemark") if p.get("id") == incident.slug
    )
    assert placemark.findtext(f"{KML}name") == incident.title


def test_kml_drops_control_characters_that_xml_forbids(client):
    """A form feed or vertical tab (common in text from PDFs) would make the KML unreadable."""
    incident = Incident.objects.get(slug="kyzyl-bel-talks-agree-troop-withdrawal")
    incident.title = "Talks\x0cat Kyzyl-Bel"
    incident.claimed_by = "Delegations\x0b of both countries"
    incident.save()
    raw = body(client.get("/api/incidents.kml")).decode("utf-8")
    placemark = next(
        p for p in ET.fromstring(raw).iter(f"{KML}Placemark") if p.get("id") == incident.slug
    )
    assert placemark.findtext(f"{KML}name") == "Talksat Kyzyl-Bel"
    claimed = [d for d in placemark.iter(f"{KML}Data") if d.get("name") == "claimed_by"]
    assert claimed[0].findtext(f"{KML}value") == "Delegations of both countries"


def test_an_incident_without_excerpts_exports_an_empty_list_in_every_format(client):
    incident = Incident.objects.get(slug="kyzyl-bel-talks-agree-troop-withdrawal")
    incident.excerpts.set(Excerpt.objects.none())
    geojson = json.loads(body(client.get("/api/incidents.geojson?type=negotiation")))
    by_id = {f["id"]: f for f in geojson["features"]}
    assert by_id[incident.slug]["properties"]["excerpts"] == []
    rows = {r["id"]: r for r in read_csv(client, "incidents", "?type=negotiation")}
    assert rows[incident.slug]["excerpts"] == "[]"


def test_only_wkt_too_long_for_a_spreadsheet_cell_is_simplified(client):
    boundaries = {r["id"]: r for r in read_csv(client, "boundaries")}
    simplified = {fid for fid, r in boundaries.items() if r["wkt_simplified_deg"]}
    exact_lengths = {
        f["id"]: len(shapely.geometry.shape(f["geometry"]).wkt)
        for f in json.loads(body(client.get("/api/boundaries.geojson")))["features"]
    }
    # The long lines with Uzbekistan have more vertices than a cell holds; nothing else is touched.
    too_long = {fid for fid, n in exact_lengths.items() if n > exports.SPREADSHEET_CELL_LIMIT}
    assert simplified == too_long
    assert simplified


def test_a_csv_asked_with_bom_starts_with_one_and_keeps_the_cyrillic(client):
    with_bom = body(client.get("/api/places.csv?bom=1"))
    without = body(client.get("/api/places.csv"))
    assert with_bom.startswith(b"\xef\xbb\xbf") and not without.startswith(b"\xef\xbb\xbf")
    assert with_bom[3:] == without
    rows = list(csv.DictReader(io.StringIO(with_bom.decode("utf-8-sig"), newline="")))
    assert (
        rows[0].keys() == list(csv.DictReader(io.StringIO(without.decode(), newline="")))[0].keys()
    )


def test_a_bom_that_is_not_yes_or_no_is_a_400(client):
    response = client.get("/api/places.csv?bom=maybe")
    assert response.status_code == 400
    assert response.json()["parameter"] == "bom"
