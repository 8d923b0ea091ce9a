"""Keyset paging: next links carry a cursor (the last feature's sort key), so that walking a
layer by next links yields each feature once; a cursor the API did not give is a 400."""

import base64

import pytest

from border_map import synthetic
from border_map.models import Incident, Place
from tests import seed

pytestmark = pytest.mark.django_db


def walk(client, url):
    """Every feature id met following next links from url, and the pages' next links."""
    ids, nexts = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        ids += [f["id"] for f in data["features"]]
        url = next((link["href"] for link in data["links"] if link["rel"] == "next"), None)
        if url:
            nexts.append(url)
    return ids, nexts


@pytest.mark.parametrize(
    "start", ["/api/incidents.geojson?limit=5", "/ogcapi/collections/incidents/items?limit=5"]
)
def test_walking_the_seed_incidents_by_next_links_yields_each_once_in_order(client, start):
    ids, nexts = walk(client, start)
    assert ids == list(Incident.objects.order_by("date", "slug").values_list("slug", flat=True))
    assert len(ids) == len(seed.INCIDENTS)
    assert len(nexts) == seed.pages(5) - 1
    assert all("cursor=" in url and "offset=" not in url for url in nexts)


@pytest.mark.parametrize(
    "start",
    [
        "/api/incidents.geojson?limit=97&type=clash,gunfire",
        "/ogcapi/collections/incidents/items?limit=250",
        "/api/places.geojson?limit=333",
        "/ogcapi/collections/places/items?limit=1000&offset=10",
    ],
)
def test_walking_synthetic_data_with_many_on_one_day_yields_each_feature_once(client, start):
    synthetic.load(1500, seed=4, places=700)
    ids, _nexts = walk(client, start)
    assert len(ids) == len(set(ids))
    if "places" in start:
        expected = list(Place.objects.order_by("pk").values_list("slug", flat=True))
        expected = expected[10:] if "offset=10" in start else expected
    else:
        rows = Incident.objects.order_by("date", "slug")
        if "type=" in start:
            rows = rows.filter(type__in=["clash", "gunfire"])
        expected = list(rows.values_list("slug", flat=True))
    assert ids == expected


def test_numbermatched_is_left_out_above_the_count_limit(client, settings, monkeypatch):
    from border_map import filters

    data = client.get("/ogcapi/collections/incidents/items").json()
    assert data["numberMatched"] == len(seed.INCIDENTS)
    monkeypatch.setattr(filters, "COUNT_LIMIT", 5)
    data = client.get("/ogcapi/collections/incidents/items?limit=3").json()
    assert "numberMatched" not in data
    assert data["numberReturned"] == 3


def bad_cursor(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!",
        bad_cursor("[]"),
        bad_cursor('["2021-04-28"]'),
        bad_cursor('["2021-13-40", "x"]'),
        bad_cursor('{"date": 1}'),
        bad_cursor('[null, "x"]'),
        "%00",
        "\u00e9",
    ],
)
@pytest.mark.parametrize("path", ["/api/incidents.geojson", "/ogcapi/collections/incidents/items"])
def test_a_malformed_cursor_is_a_400_that_names_it(client, path, cursor):
    response = client.get(path, {"limit": 2, "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["parameter"] == "cursor"


def test_a_cursor_with_an_offset_is_refused(client):
    _ids, nexts = walk(client, "/api/incidents.geojson?limit=5")
    response = client.get(nexts[0] + "&offset=5")
    assert response.status_code == 400
    assert response.json()["parameter"] == "cursor"
