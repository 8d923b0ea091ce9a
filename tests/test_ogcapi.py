"""OGC API – Features Part 1 under /ogcapi/: the resources, their links, paging with counts,
filters, JSON or HTML by f= or Accept, and 400/404 for wrong input."""

from urllib.parse import parse_qs, urlsplit

import pytest

from border_map import filters
from border_map.models import Enclave, Incident, Place
from tests import seed

# One real feature of each collection (from data/).
FEATURE_IDS = {
    "places": "kok-tash",
    "incidents": "kyrgyz-police-tajik-shooting-at-kok-tash",
    "events": "shooting-at-golovnoi-and-kok-tash-2021-04-28",
    "enclaves": "vorukh",
    "boundaries": "KG-UZ",
}

pytestmark = pytest.mark.django_db

CONFORMANCE = {
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def links_by_rel(document):
    found = {}
    for link in document["links"]:
        found.setdefault(link["rel"], []).append(link)
    return found


def local(href):
    """The path and query of an absolute link, for the test client."""
    parts = urlsplit(href)
    return parts.path + ("?" + parts.query if parts.query else "")


def test_the_landing_page_links_the_api_definition_conformance_and_data(client):
    response = client.get("/ogcapi/")
    assert response["Content-Type"] == "application/json"
    links = links_by_rel(response.json())
    assert links["service-desc"][0]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    for rel in ("self", "alternate", "service-desc", "service-doc", "conformance", "data"):
        assert client.get(local(links[rel][0]["href"])).status_code == 200, rel


def test_the_landing_page_answers_without_the_trailing_slash(client):
    assert client.get("/ogcapi").json()["title"] == "border_map"


def test_conformance_declares_core_geojson_oas30_and_html(client):
    assert set(client.get("/ogcapi/conformance").json()["conformsTo"]) == CONFORMANCE


def test_collections_lists_the_five_layers_with_extents_that_hold_their_features(client):
    collections = client.get("/ogcapi/collections").json()["collections"]
    assert [c["id"] for c in collections] == [
        "places",
        "incidents",
        "events",
        "enclaves",
        "boundaries",
    ]
    by_id = {c["id"]: c for c in collections}
    min_lon, min_lat, max_lon, max_lat = by_id["places"]["extent"]["spatial"]["bbox"][0]
    for place in Place.objects.all():
        assert min_lon <= place.point.x <= max_lon and min_lat <= place.point.y <= max_lat
    enclave_box = by_id["enclaves"]["extent"]["spatial"]["bbox"][0]
    for enclave in Enclave.objects.all():
        e_min_lon, e_min_lat, e_max_lon, e_max_lat = enclave.geom.extent
        assert enclave_box[0] <= e_min_lon and e_max_lon <= enclave_box[2]
        assert enclave_box[1] <= e_min_lat and e_max_lat <= enclave_box[3]
    for collection in collections:
        assert collection["itemType"] == "feature"
        assert collection["extent"]["spatial"]["crs"].endswith("/OGC/1.3/CRS84")
        items = [link for link in collection["links"] if link["rel"] == "items"]
        assert {link["type"] for link in items} == {"application/geo+json", "text/html"}


def test_the_incidents_collection_has_the_dates_of_the_incidents_as_temporal_extent(client):
    extent = client.get("/ogcapi/collections/incidents").json()["extent"]
    first = min(i["date"] for i in seed.INCIDENTS)
    last = max(i.get("date_end") or i["date"] for i in seed.INCIDENTS)
    assert first < last
    assert extent["temporal"]["interval"] == [[f"{first}T00:00:00Z", f"{last}T00:00:00Z"]]


def test_items_default_to_ten_with_counts_and_a_next_link(client):
    body = client.get("/ogcapi/collections/incidents/items").json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == Incident.objects.count() == len(seed.INCIDENTS)
    assert body["numberReturned"] == len(body["features"]) == 10
    links = links_by_rel(body)
    next_query = parse_qs(urlsplit(links["next"][0]["href"]).query)
    assert set(next_query) == {"cursor", "limit", "f"}  # keyset paging
    assert next_query["limit"] == ["10"] and next_query["f"] == ["json"]
    assert links["next"][0]["type"] == "application/geo+json"
    assert "prev" not in links


def test_a_page_of_items_has_an_etag_and_answers_304_when_unchanged(client):
    first = client.get("/ogcapi/collections/incidents/items?limit=5")
    again = client.get(
        "/ogcapi/collections/incidents/items?limit=5", headers={"if-none-match": first["ETag"]}
    )
    assert again.status_code == 304


def test_responses_vary_on_accept_and_allow_any_origin(client):
    for url in ("/ogcapi/collections", "/ogcapi/collections/places/items", "/api/places.csv"):
        response = client.get(url)
        assert response["Access-Control-Allow-Origin"] == "*"
    vary = client.get("/ogcapi/collections/places/items")["Vary"]
    assert "Accept" in [v.strip() for v in vary.split(",")]


def test_following_next_links_visits_every_feature_once_and_an_offset_page_links_back(client):
    url, seen = "/ogcapi/collections/places/items?limit=4", []
    while True:
        body = client.get(url).json()
        seen += [f["id"] for f in body["features"]]
        links = links_by_rel(body)
        if "next" not in links:
            break
        url = local(links["next"][0]["href"])
    assert seen == list(Place.objects.order_by("pk").values_list("slug", flat=True))
    last_offset = 4 * ((len(seen) - 1) // 4)
    assert last_offset >= 4, "the places fill more than one page of 4"
    assert body["numberReturned"] == len(seen) - last_offset
    # A page reached by a cursor links on, not back (OGC API – Features makes prev optional);
    # a page asked by offset still links back.
    assert "prev" not in links
    body = client.get(f"/ogcapi/collections/places/items?limit=4&offset={last_offset}").json()
    links = links_by_rel(body)
    assert parse_qs(urlsplit(links["prev"][0]["href"]).query)["offset"] == [str(last_offset - 4)]


def test_items_filter_like_the_api_and_count_the_matches(client):
    query = "bbox=70.8,40.0,70.9,40.1&datetime=2021-04-29&type=casualties"
    body = client.get(f"/ogcapi/collections/incidents/items?{query}").json()
    api_ids = [f["id"] for f in client.get(f"/api/incidents.geojson?{query}").json()["features"]]
    assert [f["id"] for f in body["features"]] == api_ids
    in_data = seed.incidents_on("2021-04-29", place="Batken Region", type="casualties")
    assert len(in_data) > 1 and body["numberMatched"] == body["numberReturned"] == len(in_data)


def test_items_accept_a_claimant_filter_on_incidents(client):
    body = client.get(
        "/ogcapi/collections/incidents/items", {"claimed_by": "RFE/RL", "limit": 50}
    ).json()
    assert [f["id"] for f in body["features"]] == ["rferl-gunfire-in-leilek-district"]


def test_one_feature_is_served_by_its_id_with_links(client):
    feature = client.get("/ogcapi/collections/boundaries/items/KG-TJ")
    assert feature["Content-Type"] == "application/geo+json"
    body = feature.json()
    assert body["type"] == "Feature" and body["id"] == "KG-TJ"
    assert body["geometry"]["type"] == "MultiLineString"
    rels = links_by_rel(body)
    assert local(rels["collection"][0]["href"]) == "/ogcapi/collections/boundaries"
    page = client.get("/ogcapi/collections/boundaries/items").json()
    assert body["properties"] == next(
        f["properties"] for f in page["features"] if f["id"] == "KG-TJ"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/ogcapi/collections/villages",
        "/ogcapi/collections/villages/items",
        "/ogcapi/collections/villages/items/batken",
        "/ogcapi/collections/places/items/atlantis",
        "/ogcapi/collections/boundaries/items/KG-KZ",
    ],
)
def test_an_unknown_collection_or_feature_is_a_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"
    html = client.get(url, headers={"accept": BROWSER_ACCEPT})
    assert html.status_code == 404 and html["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("bbox=70,39,71", "bbox"),
        ("bbox=70,39,71,95", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("datetime=April", "datetime"),
        ("limit=0", "limit"),
        (f"limit={filters.MAX_LIMIT + 1}", "limit"),
        ("offset=-5", "offset"),
        ("f=xml", "f"),
        ("colour=red", "colour"),
        ("type=riot", "type"),
    ],
)
def test_bad_items_parameters_get_a_400_naming_the_parameter(client, query, parameter):
    response = client.get(f"/ogcapi/collections/incidents/items?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_incident_filters_on_other_collections_are_unknown_parameters(client):
    response = client.get("/ogcapi/collections/places/items?claimed_by=RFE/RL")
    assert response.status_code == 400
    assert response.json()["parameter"] == "claimed_by"


def test_every_collection_takes_datetime_and_one_without_time_is_not_filtered_by_it(client):
    """/req/core/fc-time-definition: every items operation supports datetime."""
    everything = client.get("/ogcapi/collections/places/items?f=json").json()
    dated = client.get("/ogcapi/collections/places/items?f=json&datetime=2021-04-29").json()
    assert dated["numberMatched"] == everything["numberMatched"] > 0
    bad = client.get("/ogcapi/collections/enclaves/items?datetime=yesterday")
    assert bad.status_code == 400
    assert bad.json()["parameter"] == "datetime"


@pytest.mark.parametrize(
    "url",
    [
        "/ogcapi/",
        "/ogcapi/conformance",
        "/ogcapi/api",
        "/ogcapi/collections",
        "/ogcapi/collections/incidents",
        "/ogcapi/collections/incidents/items",
        "/ogcapi/collections/incidents/items/kyrgyz-police-gunfire-near-ak-sai",
    ],
)
def test_every_resource_is_html_for_a_browser_or_f_html_and_json_for_f_json(client, url):
    for response in (
        client.get(url, headers={"accept": BROWSER_ACCEPT}),
        client.get(url, {"f": "html"}),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert b"<!doctype html>" in response.content
    as_json = client.get(url, {"f": "json"}, headers={"accept": BROWSER_ACCEPT})
    assert as_json.status_code == 200
    assert "json" in as_json["Content-Type"]


def test_the_html_items_page_escapes_article_text(client):
    Incident.objects.filter(slug="kyrgyz-police-gunfire-near-ak-sai").update(
        title="<script>alert('x')</script>"
    )
    page = client.get("/ogcapi/collections/incidents/items?f=html&limit=20").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    one = client.get(
        "/ogcapi/collections/incidents/items/kyrgyz-police-gunfire-near-ak-sai?f=html"
    ).content.decode()
    assert "<script>alert" not in one


def test_the_html_items_page_says_how_many_match_and_links_the_next_page(client):
    page = client.get("/ogcapi/collections/incidents/items?f=html&limit=5").content.decode()
    assert "5 of 12 matching features" in page
    assert "limit=5&amp;cursor=" in page


def test_the_openapi_document_describes_every_path_and_the_items_parameters(client):
    response = client.get("/ogcapi/api")
    assert response["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = response.json()
    assert document["openapi"].startswith("3.0.")
    layers = ["places", "incidents", "events", "enclaves", "boundaries"]
    assert set(document["paths"]) == {"/", "/conformance", "/api", "/collections"} | {
        path
        for layer in layers
        for path in (
            f"/collections/{layer}",
            f"/collections/{layer}/items",
            f"/collections/{layer}/items/{{featureId}}",
        )
    }
    for layer in layers:
        items = document["paths"][f"/collections/{layer}/items"]["get"]
        parameters = {p["name"]: p for p in items["parameters"]}
        expected = {"limit", "offset", "cursor", "bbox", "datetime", "f"}
        if layer == "incidents":
            expected |= {"claimed_by", "side", "type", "geo_precision"}
        if layer in ("places", "incidents"):
            expected |= {"near_line_km", "enclave"}  # the spatial context's filters
        if layer in ("incidents", "events"):
            expected.add("contested")
        assert set(parameters) == expected, layer
        assert parameters["limit"]["schema"]["maximum"] == filters.MAX_LIMIT
        assert parameters["f"]["schema"]["enum"] == ["json", "html"]
        assert set(items["responses"]["200"]["content"]) == {"application/geo+json", "text/html"}
        assert {"200", "400", "503"} <= set(items["responses"])
    server = document["servers"][0]["url"]
    for path in document["paths"]:
        if "{featureId}" in path:
            path = path.replace("{featureId}", FEATURE_IDS[path.split("/")[2]])
        url = server + path
        assert client.get(local(url)).status_code == 200, path


def test_the_ogc_api_answers_only_get_and_head(client):
    assert client.post("/ogcapi/collections").status_code == 405
    assert client.head("/ogcapi/collections/places/items").status_code == 200


def test_the_openapi_document_is_valid_openapi_3_0(client):
    """Checked by openapi-spec-validator, a client that is not ours."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    document = client.get("/ogcapi/api").json()
    validate(document)
    del document["paths"]["/collections"]["get"]["responses"]
    with pytest.raises(OpenAPIValidationError):
        validate(document)
