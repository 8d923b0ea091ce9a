"""The map module (border_map/maps.py) and the endpoints its page reads, on the real data."""

import datetime as dt
import json
import math
import re
from collections import Counter

import folium
import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.urls import reverse

from border_map import maps, views
from border_map.models import Country, Incident, Place
from tests import seed

pytestmark = pytest.mark.django_db

URLS = {
    "incidents": "/map/incidents.json",
    "incident": "/map/incidents/__slug__.json",
    "claimants": "/map/claimants.json",
    "places": "/api/places.geojson",
    "enclaves": "/api/enclaves.geojson",
    "boundaries": "/api/boundaries.geojson",
    "countries": "/map/countries.geojson",
    "export": "/api/incidents.geojson",
    "timeline": "/map/timeline.json",
}
REGION = "69,39,72.5,41"


def children_of(fmap, kind):
    return [child for child in fmap._children.values() if isinstance(child, kind)]


def asset_urls(html):
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_map_links_only_our_own_static_files(settings):
    header, body, script = maps.map_parts(maps.incident_map(URLS))
    assets = asset_urls(header)
    assert "/static/vendor/leaflet/1.9.4/dist/leaflet.js" in assets
    assert "/static/vendor/leaflet/1.9.4/dist/leaflet.css" in assets
    assert "/static/vendor/leaflet.markercluster/1.5.3/dist/leaflet.markercluster.js" in assets
    assert "/static/border_map/main.js" in assets
    assert '<script type="module" src="/static/border_map/main.js"></script>' in header
    assert all(url.startswith(settings.STATIC_URL) for url in assets), assets
    assert not re.search(r"https?://", header + body)
    assert "jquery" not in header and "bootstrap" not in header


def test_every_vendored_asset_exists_beside_its_licence(settings):
    header, _body, _script = maps.map_parts(maps.incident_map(URLS))
    static_dir = settings.STATICFILES_DIRS[0]
    for url in asset_urls(header):
        path = static_dir / url.removeprefix(settings.STATIC_URL)
        assert path.is_file(), url
        if "/vendor/" in url:
            version_dir = static_dir.joinpath(*url.removeprefix(settings.STATIC_URL).split("/")[:3])
            assert [p.name for p in version_dir.iterdir() if "LICEN" in p.name], version_dir


def test_the_map_has_the_tile_base_layer_a_scale_bar_and_a_layer_control(settings):
    settings.BORDER_MAP = {**settings.BORDER_MAP, "TILE_URL": "http://tiles.test/{z}/{x}/{y}.png"}
    fmap = maps.incident_map(URLS)
    (tiles,) = children_of(fmap, folium.TileLayer)
    assert tiles.tiles == "http://tiles.test/{z}/{x}/{y}.png"
    assert "OpenStreetMap</a> contributors" in tiles.options["attribution"]
    assert fmap.control_scale is True
    assert len(children_of(fmap, folium.LayerControl)) == 1
    (layers,) = children_of(fmap, maps.BrowserLayers)
    assert layers.config["tiles"] is True
    assert layers.config["urls"] == URLS
    assert set(layers.config["types"]) == set(Incident.Type.values)
    assert set(layers.config["countries"]) == {"KG", "TJ", "UZ"}
    _header, _body, script = maps.map_parts(fmap)
    assert "fitBounds" in script and "window.borderMapPage = {" in script


def test_without_a_tile_url_the_map_starts_on_the_country_backdrop(settings):
    settings.BORDER_MAP = {**settings.BORDER_MAP, "TILE_URL": ""}
    fmap = maps.incident_map(URLS)
    assert children_of(fmap, folium.TileLayer) == []
    assert children_of(fmap, maps.BrowserLayers)[0].config["tiles"] is False


def test_the_map_embeds_no_data_and_loads_no_geojson_on_the_server(monkeypatch):
    def no_requests(*args, **kwargs):
        raise AssertionError("the server fetched a URL while rendering the map")

    monkeypatch.setattr("requests.get", no_requests)
    _header, _body, script = maps.map_parts(maps.incident_map(URLS))
    assert "Kok-Tash" not in script and "FeatureCollection" not in script


def test_the_map_page_html_does_not_grow_with_the_number_of_incidents_or_claimants(client):
    before = client.get("/")
    assert before.status_code == 200
    place = Place.objects.get(slug="kok-tash")
    Incident.objects.bulk_create(
        Incident(
            slug=f"extra-{n}",
            date=dt.date(2021, 4, 29),
            title=f"Extra incident {n}",
            type=Incident.Type.CLASH,
            place=place,
            claimed_by=f"Claimant number {n}",
        )
        for n in range(3000)
    )
    assert Incident.objects.values("claimed_by").distinct().count() > 3000
    after = client.get("/")
    assert len(after.content) == len(before.content)
    assert b"Claimant number" not in after.content


def test_the_claimants_come_with_their_counts_in_name_order(client):
    expected = Counter(Incident.objects.values_list("claimed_by", flat=True))
    claimants = client.get(URLS["claimants"]).json()["claimants"]
    assert [c["name"] for c in claimants] == sorted(expected, key=lambda n: (n.casefold(), n))
    assert {c["name"]: c["count"] for c in claimants} == expected
    assert {"name": "Kyrgyz police in the Batken region", "count": 2} in claimants


def test_every_endpoint_the_page_reads_answers(client):
    for name, url in URLS.items():
        if name == "incident":
            url = url.replace("__slug__", "kyrgyz-police-tajik-shooting-at-kok-tash")
        elif name == "incidents":
            url += f"?zoom=8&bbox={REGION}"
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:200])
        assert json.loads(b"".join(getattr(response, "streaming_content", [response.content])))


def test_few_incidents_in_view_come_one_by_one_in_date_order(client):
    data = client.get(URLS["incidents"], {"zoom": 8, "bbox": REGION}).json()
    slugs = list(Incident.objects.order_by("date", "slug").values_list("slug", flat=True))
    assert data["total"] == len(slugs) == len(seed.INCIDENTS)
    assert data["clusters"] == []
    assert [i["id"] for i in data["incidents"]] == slugs
    kok_tash = next(i for i in data["incidents"] if i["place"] == "Kok-Tash")
    assert (kok_tash["lon"], kok_tash["lat"]) == (70.535833, 39.949722)


def test_the_box_and_the_filters_choose_the_incidents_in_view(client):
    data = client.get(
        URLS["incidents"], {"zoom": 14, "bbox": "70.5,39.9,70.55,39.96", "type": "gunfire"}
    ).json()
    assert sorted(i["id"] for i in data["incidents"]) == [
        "kyrgyz-police-tajik-shooting-at-kok-tash",
        "tajik-border-guards-kyrgyz-fired-first-at-golovnoi",
    ]
    data = client.get(
        URLS["incidents"], {"zoom": 8, "bbox": REGION, "datetime": "2021-05-01/.."}
    ).json()
    assert [i["id"] for i in data["incidents"]] == [
        "khovar-delegations-to-meet-in-batken-region-may-1"
    ]


def expected_cells(zoom):
    """Incident counts per grid cell at a zoom, computed in Python from the rows."""
    size = views._cell_degrees(zoom)
    cells = Counter()
    for incident in Incident.objects.select_related("place"):
        point = incident.place.point
        cells[(math.floor(point.x / size), math.floor(point.y / size))] += 1
    return sorted(cells.values())


def test_many_incidents_in_view_are_clustered_by_the_database(client):
    places = list(Place.objects.filter(slug__in=["kok-tash", "ak-sai", "batken-region", "leilek"]))
    Incident.objects.bulk_create(
        Incident(
            slug=f"many-{n}",
            date=dt.date(2021, 4, 28) + dt.timedelta(days=n % 3),
            title=f"Incident {n}",
            type=Incident.Type.values[n % 5],
            place=places[n % 4],
            claimed_by="Kyrgyz officials",
        )
        for n in range(views.POINT_LIMIT + 500)
    )
    total = Incident.objects.count()
    data = client.get(URLS["incidents"], {"zoom": 8, "bbox": REGION}).json()
    assert data["total"] == total
    assert sum(cluster[2] for cluster in data["clusters"]) == total
    for _lon, _lat, count, by_type in data["clusters"]:
        assert sum(by_type.values()) == count and set(by_type) <= set(Incident.Type.values)
    assert sorted(c[2] for c in data["clusters"]) == expected_cells(8)
    finer = client.get(URLS["incidents"], {"zoom": 13, "bbox": REGION}).json()
    assert sorted(c[2] for c in finer["clusters"]) == expected_cells(13)
    assert len(finer["clusters"]) > len(data["clusters"])
    assert len(data["incidents"]) == views.LIST_LIMIT
    dates = [i["date"] for i in data["incidents"]]
    assert dates == sorted(dates)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ({"zoom": "eight", "bbox": REGION}, "zoom"),
        ({"bbox": REGION}, "zoom"),
        ({"zoom": 8, "bbox": "69,39,72"}, "bbox"),
        ({"zoom": 8, "bbox": REGION, "datetime": "2021-05-01/2021-04-01"}, "datetime"),
        ({"zoom": 8, "bbox": REGION, "type": "riot"}, "type"),
    ],
)
def test_bad_parameters_of_the_map_endpoint_get_a_400_that_names_them(client, query, parameter):
    response = client.get(URLS["incidents"], query)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_the_popup_data_highlights_the_place_name_in_each_excerpt(client):
    data = client.get(reverse("map_incident", args=["kyrgyz-police-tajik-shooting-at-kok-tash"]))
    data = data.json()
    incident = Incident.objects.get(slug="kyrgyz-police-tajik-shooting-at-kok-tash")
    (excerpt,) = data["excerpts"]
    assert excerpt["text"] == incident.excerpts.get().text
    assert [excerpt["text"][s:e] for s, e in excerpt["highlights"]] == ["Kok-Tash"]
    assert excerpt["url"] == (
        reverse("article", args=[incident.excerpts.get().article.slug])
        + f"#excerpt-{incident.excerpts.get().pk}"
    )
    assert client.get(reverse("map_incident", args=["no-such-incident"])).status_code == 404


def test_the_country_outlines_are_simplified_polygons_of_the_three_countries(client):
    response = client.get(URLS["countries"])
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert sorted(f["id"] for f in data["features"]) == ["KG", "TJ", "UZ"]
    assert {f["geometry"]["type"] for f in data["features"]} <= {"Polygon", "MultiPolygon"}
    assert len(response.content) < 500_000  # the source polygons are 978 kB


def test_the_country_outlines_come_with_an_etag_and_answer_304_to_it(client):
    first = client.get(URLS["countries"])
    etag = first["ETag"]
    assert first.status_code == 200 and etag and "no-cache" in first["Cache-Control"]
    again = client.get(URLS["countries"], HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    # Compressed, the tag is weak (the bytes differ) and still matches.
    gzipped = client.get(URLS["countries"], HTTP_ACCEPT_ENCODING="gzip")
    assert gzipped["Content-Encoding"] == "gzip" and gzipped["ETag"] == f"W/{etag}"
    assert (
        client.get(
            URLS["countries"], HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=gzipped["ETag"]
        ).status_code
        == 304
    )
    assert client.get(URLS["countries"], HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_the_country_outlines_are_the_stored_outlines_not_the_full_polygons(client):
    features = json.loads(client.get(URLS["countries"]).content)["features"]
    for feature in features:
        country = Country.objects.get(code=feature["id"])
        served = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        assert served.num_coords == country.outline.num_coords < country.geom.num_coords
        assert served.equals_exact(country.outline, tolerance=1e-4), feature["id"]
