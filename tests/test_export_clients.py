"""Real clients read what the live server serves: GDAL's ogrinfo on every GeoJSON endpoint and
on the OGC API through its OAPIF driver, OWSLib's OGC API – Features client, Python's csv."""

import csv
import html
import io
import re
import shutil
import subprocess
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from owslib.ogcapi.features import Features

from border_map.models import Enclave, Incident, Place
from tests import seed

pytestmark = [pytest.mark.django_db, pytest.mark.clients]

LAYERS = ["places", "incidents", "events", "enclaves", "boundaries"]
KOK_TASH_BOX = (70.5, 39.9, 70.55, 39.96)


def ogrinfo(*args):
    result = subprocess.run(
        ["ogrinfo", "-ro", "-q", "-geom=NO", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # Loopback only: never a proxy, never the internet.
        env={"PATH": "/usr/bin:/bin", "NO_PROXY": "*", "GDAL_HTTP_TIMEOUT": "60"},
    )
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr, result.stderr
    return result.stdout


def ogr_ids(output):
    """The `id` field of each feature ogrinfo printed, in order."""
    return re.findall(r"^  id \(String\) = (.*)$", output, flags=re.MULTILINE)


def expected_ids(layer):
    return {
        "places": lambda: list(Place.objects.order_by("pk").values_list("slug", flat=True)),
        "incidents": lambda: list(
            Incident.objects.order_by("date", "slug").values_list("slug", flat=True)
        ),
        "enclaves": lambda: list(Enclave.objects.order_by("pk").values_list("slug", flat=True)),
        "boundaries": lambda: ["KG-TJ", "KG-UZ", "TJ-UZ"],
        "events": lambda: [
            e["slug"] for e in sorted(seed.EVENTS, key=lambda e: (e["date"], e["slug"]))
        ],
    }[layer]()


@pytest.mark.parametrize("layer", LAYERS)
def test_ogrinfo_reads_every_feature_of_each_api_geojson_endpoint(live_url, layer):
    ids = ogr_ids(ogrinfo("-al", f"{live_url}/api/{layer}.geojson"))
    assert ids == expected_ids(layer)


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("/api/incidents.geojson?limit=5&offset=5", 5),
        ("/api/incidents.geojson?datetime=2021-04-30/..&type=evacuation,negotiation", 4),
        ("/api/places.geojson?bbox=70.5,39.9,70.55,39.96", 2),
        ("/ogcapi/collections/incidents/items?f=json&limit=3", 3),
        ("/ogcapi/collections/enclaves/items/vorukh", 1),
    ],
)
def test_ogrinfo_reads_filtered_paged_and_ogc_geojson_responses(live_url, path, count):
    assert len(ogr_ids(ogrinfo("-al", live_url + path))) == count


def test_gdal_oapif_driver_lists_the_collections_with_their_geometry_types(live_url):
    listing = subprocess.run(
        ["ogrinfo", "-ro", f"OAPIF:{live_url}/ogcapi"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "NO_PROXY": "*"},
    )
    assert listing.returncode == 0, listing.stderr
    assert "1: places (title: Places) (Point)" in listing.stdout
    assert "2: incidents (title: Incidents) (Point)" in listing.stdout
    assert "3: events (title: Events) (Point)" in listing.stdout
    assert "4: enclaves (title: Enclaves) (Multi Polygon)" in listing.stdout
    assert "5: boundaries (title: Shared boundary lines) (Multi Line String)" in listing.stdout


def test_gdal_oapif_driver_follows_next_links_through_every_incident(live_url):
    # The driver asks for pages of 10 and follows the next links (12 incidents: two pages).
    ids = ogr_ids(ogrinfo(f"OAPIF:{live_url}/ogcapi", "incidents"))
    assert ids == expected_ids("incidents")


def test_gdal_oapif_driver_reads_features_in_a_bbox(live_url):
    output = ogrinfo("-spat", *map(str, KOK_TASH_BOX), f"OAPIF:{live_url}/ogcapi", "incidents")
    assert sorted(ogr_ids(output)) == [
        "kyrgyz-police-tajik-shooting-at-kok-tash",
        "tajik-border-guards-kyrgyz-fired-first-at-golovnoi",
    ]
    enclaves = ogrinfo(
        "-spat", "70.6", "39.8", "70.7", "39.9", f"OAPIF:{live_url}/ogcapi", "enclaves"
    )
    assert ogr_ids(enclaves) == ["vorukh"]


def test_owslib_lists_the_collections_and_conformance(live_url):
    service = Features(f"{live_url}/ogcapi")
    assert [c["id"] for c in service.collections()["collections"]] == LAYERS
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
        in service.conformance()["conformsTo"]
    )
    assert service.collection("incidents")["title"] == "Incidents"
    assert "/collections/incidents/items" in service.api()["paths"]


def test_owslib_pages_through_the_incidents_by_the_next_links(live_url):
    service = Features(f"{live_url}/ogcapi")
    seen, paging, pages = [], {}, 0
    while paging is not None:
        page = service.collection_items("incidents", limit=5, **paging)
        assert page["numberMatched"] == len(seed.INCIDENTS)
        seen += [f["id"] for f in page["features"]]
        pages += 1
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        # The next link carries a cursor (keyset paging), passed on as OWSLib passes any
        # query parameter.
        paging = (
            {"cursor": parse_qs(urlsplit(following[0]).query)["cursor"][0]} if following else None
        )
    assert seen == expected_ids("incidents")
    assert pages == seed.pages(5) > 1


def test_owslib_reads_one_feature_and_a_bbox_query(live_url):
    service = Features(f"{live_url}/ogcapi")
    feature = service.collection_item("places", "kok-tash")
    assert feature["properties"]["name"] == "Kok-Tash"
    page = service.collection_items("places", bbox=list(KOK_TASH_BOX))
    assert sorted(f["id"] for f in page["features"]) == ["golovnoi", "kok-tash"]


@pytest.mark.parametrize("layer", LAYERS)
def test_the_csv_download_reads_back_with_pythons_csv_module(live_url, layer):
    with urllib.request.urlopen(f"{live_url}/api/{layer}.csv", timeout=60) as response:
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        text = response.read().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["id"] for row in rows] == expected_ids(layer)
    assert all(row["wkt"].startswith(("POINT", "MULTIPOLYGON", "MULTILINESTRING")) for row in rows)
    if layer == "incidents":
        by_id = {row["id"]: row for row in rows}
        claimant = by_id["kyzyl-bel-talks-agree-troop-withdrawal"]["claimed_by"]
        assert claimant == "Delegations of both countries, in a joint statement"


def test_libreoffice_opens_the_spreadsheet_csv_with_its_cyrillic_intact(live_url, tmp_path):
    """LibreOffice in headless mode converts the CSV the map's download button gives (with a
    byte-order mark) to HTML: the Cyrillic names read back as written, and the mark does not
    end up in the first column's name. Headless, LibreOffice is told the character set (its
    import dialog offers UTF-8 to a person); Excel goes by the mark."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: scripts/setup.sh test installs it"
    source = tmp_path / "enclaves.csv"
    with urllib.request.urlopen(f"{live_url}/api/enclaves.csv?bom=1", timeout=30) as response:
        source.write_bytes(response.read())
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--infilter=CSV:44,34,76,1", "--convert-to", "html", "--outdir", str(tmp_path),
         str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = (tmp_path / "enclaves.html").read_text(encoding="utf-8", errors="replace")
    names = [n for e in Enclave.objects.all() for n in e.alternate_names if re.search("[А-я]", n)]
    assert names
    assert all(html.escape(n) in converted or n in converted for n in names), names
    assert "Ð" not in converted  # UTF-8 read as Latin-1 looks like this
    first_cell = re.search(r"<td[^>]*>([^<]*)</td>", converted).group(1)
    assert first_cell == "id"


def test_libreoffice_opens_the_acled_export_with_its_cyrillic_intact(tmp_path):
    """The ACLED columns of imported events (Cyrillic claimant, place and notes, a quoted line
    break) read back through LibreOffice as they were imported."""
    from django.core.management import call_command

    from tests.test_acled import acled_csv

    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: scripts/setup.sh test installs it"
    source = tmp_path / "given.csv"
    source.write_text(acled_csv(), encoding="utf-8", newline="")
    call_command("import_acled", str(source), verbosity=0)
    Incident.objects.filter(event_id__in=["KGZ1001", "TJK2001"]).update(status="published")
    exported = tmp_path / "acled.csv"
    call_command("export_acled", output=str(exported), bom=True, verbosity=0)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--infilter=CSV:44,34,76,1", "--convert-to", "html", "--outdir", str(tmp_path),
         str(exported)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = html.unescape((tmp_path / "acled.html").read_text(encoding="utf-8"))
    for text in ("24.kg; Азаттык", "Хоҷаи Аъло", "near Кок-Таш (Batken)"):
        assert text in converted, text
    assert "Ð" not in converted
    first_cell = re.search(r"<td[^>]*>([^<]*)</td>", converted).group(1)
    assert first_cell == "event_id_cnty"
