"""Incident clusters by web-map tile (/map/clusters/z/x/y.json) from the cluster pyramid: each
tile's counts are the incidents inside it, on the seed data and on synthetic data, filtered or
not; revalidation gets a 304; bad tiles are refused with a message."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command

from border_map import filters, pyramid, synthetic, tiles, views
from border_map.models import Incident
from tests import seed

pytestmark = pytest.mark.django_db


def tile_url(z, x, y):
    return f"/map/clusters/{z}/{x}/{y}.json"


# The tile of zoom 4 holding the whole region (Batken, the south of the Ferghana Valley).
REGION_TILE = tile_url(4, *pyramid.cell_of(70.5, 40.0, 4))


def incidents_by_tile(z, queryset=None):
    """{(x, y): Counter of types} of the incidents, computed here from their places' points."""
    found: dict = {}
    rows = (queryset or Incident.objects.all()).select_related("place")
    for incident in rows:
        key = pyramid.cell_of(incident.place.point.x, incident.place.point.y, z)
        found.setdefault(key, Counter())[incident.type] += 1
    return found


def tile_counts(client, z, x, y, **params):
    data = client.get(tile_url(z, x, y), params).json()
    by_type: Counter = Counter()
    for _lon, _lat, _n, types in data["clusters"]:
        by_type.update(types)
    by_type.update(Counter(i["type"] for i in data["incidents"]))
    assert data["total"] == sum(by_type.values())
    return data, by_type


def test_each_tile_holds_exactly_the_seed_incidents_inside_it_at_every_zoom(client):
    for z in range(0, 16):
        expected = incidents_by_tile(z)
        assert sum(sum(c.values()) for c in expected.values()) == len(seed.INCIDENTS)
        for (x, y), types in expected.items():
            data, by_type = tile_counts(client, z, x, y)
            assert by_type == types, (z, x, y)
            # Few enough to come one by one, with the list's fields.
            assert {i["id"] for i in data["incidents"]} == {
                i.slug
                for i in Incident.objects.select_related("place")
                if pyramid.cell_of(i.place.point.x, i.place.point.y, z) == (x, y)
            }
        # The tile beside an occupied one is empty when nothing lies there.
        x, y = next(iter(expected))
        if x + 1 < 2**z and (x + 1, y) not in expected:
            assert client.get(tile_url(z, x + 1, y)).json()["total"] == 0


def test_the_page_config_names_the_tile_url_template(client):
    html = client.get("/").content.decode()
    assert '"clusters": "/map/clusters/{z}/{x}/{y}.json"' in html


@pytest.fixture
def synthetic_3000(db):
    synthetic.load(3000, seed=7, places=1500)


@pytest.mark.parametrize("z", [4, 6, 8, 10, 11, 12, 13, 14, 15])
def test_tiles_count_the_synthetic_incidents_inside_them_clusters_or_points(
    client, synthetic_3000, z
):
    expected = incidents_by_tile(z)
    assert sum(sum(c.values()) for c in expected.values()) == Incident.objects.count()
    # The fullest tiles (clusters) and the emptiest (points one by one).
    ordered = sorted(expected, key=lambda key: -sum(expected[key].values()))
    for x, y in ordered[:3] + ordered[-2:]:
        data, by_type = tile_counts(client, z, x, y)
        assert by_type == expected[(x, y)], (z, x, y)
        if data["total"] > tiles.TILE_POINT_LIMIT:
            assert data["clusters"] and not data["incidents"]
            # Each cluster's centroid lies inside its tile.
            for lon, lat, _n, _types in data["clusters"]:
                assert pyramid.cell_of(lon, lat, z) == (x, y)


@pytest.fixture
def grouped_live(monkeypatch):
    """The tiles (z, x, y) grouped live from the incidents, in the order asked."""
    tiles_grouped = []
    live_cells = pyramid.live_cells

    def recorded(queryset, z, x, y):
        tiles_grouped.append((z, x, y))
        return live_cells(queryset, z, x, y)

    monkeypatch.setattr(pyramid, "live_cells", recorded)
    return tiles_grouped


@pytest.mark.parametrize("z", [pyramid.TOP_ZOOM + 1, pyramid.DEEPEST - 1, pyramid.DEEPEST])
def test_a_full_tile_deeper_than_the_pyramid_is_counted_from_its_cells_not_grouped_live(
    client, synthetic_3000, monkeypatch, grouped_live, z
):
    """Below the top level a tile holding more than LIVE_LIMIT incidents is answered from the
    top level's cells inside it (bigger clusters, exact counts): a cost that does not grow with
    the incidents; one holding fewer is grouped live into 64 px cells."""
    expected = incidents_by_tile(z)
    fullest = sorted(expected, key=lambda key: -sum(expected[key].values()))
    x, y = fullest[0]
    held = sum(expected[(x, y)].values())
    assert held > 4, "the synthetic data has a tile with a few incidents at this zoom"
    monkeypatch.setattr(tiles, "TILE_POINT_LIMIT", 1)
    monkeypatch.setattr(tiles, "LIVE_LIMIT", held - 1)
    data, by_type = tile_counts(client, z, x, y)
    assert by_type == expected[(x, y)]
    assert grouped_live == []
    # The top level's cells: 2**(DEEPEST - z) across the tile, 64 px × 2**(z - TOP_ZOOM) each.
    across = 2 ** (pyramid.DEEPEST - z)
    cells = {pyramid.cell_of(lon, lat, pyramid.DEEPEST) for lon, lat, _n, _t in data["clusters"]}
    assert len(cells) == len(data["clusters"]) <= across**2
    for lon, lat, _n, _types in data["clusters"]:
        assert pyramid.cell_of(lon, lat, z) == (x, y)
    # With room for them, the same tile is grouped live, into 64 px cells, with the same counts.
    monkeypatch.setattr(tiles, "LIVE_LIMIT", held)
    data, by_type = tile_counts(client, z, x, y)
    assert by_type == expected[(x, y)]
    assert grouped_live == [(z, x, y)]
    assert len(data["clusters"]) >= len(cells)


def test_a_tile_deeper_than_the_pyramids_cells_is_grouped_live(
    client, synthetic_3000, monkeypatch, grouped_live
):
    z = pyramid.DEEPEST + 1
    expected = incidents_by_tile(z)
    x, y = max(expected, key=lambda key: sum(expected[key].values()))
    monkeypatch.setattr(tiles, "TILE_POINT_LIMIT", 0)
    _data, by_type = tile_counts(client, z, x, y)
    assert by_type == expected[(x, y)]
    assert grouped_live == [(z, x, y)]


@pytest.mark.parametrize(
    "params",
    [
        {"type": "clash,gunfire"},
        {"datetime": "2021-04-29/2021-04-30"},
        {"datetime": "2021-04-30/..", "type": "evacuation"},
        {"claimed_by": "Kyrgyz police"},
    ],
)
def test_filtered_tiles_count_the_incidents_inside_them_the_api_matches(
    client, synthetic_3000, params
):
    z = 8
    # What /api/incidents.geojson matches with the same filters, counted per tile here.
    expected = incidents_by_tile(z, filters.filtered_queryset("incidents", params))
    assert expected
    for (x, y), types in expected.items():
        _data, by_type = tile_counts(client, z, x, y, **params)
        assert by_type == types, (x, y, params)


def test_a_date_filter_counts_a_seed_incident_on_every_day_it_lasts(client):
    ranged = [i for i in seed.INCIDENTS if i.get("date_end")]
    assert ranged, "the seed data has an incident over several days"
    day = ranged[0]["date_end"]
    expected = len(seed.incidents_on(day))
    data, _by_type = tile_counts(client, 0, 0, 0, datetime=day)
    assert data["total"] == expected


def test_a_tile_answers_304_to_its_etag_and_a_new_etag_once_incidents_load(client):
    first = client.get(REGION_TILE)
    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    again = client.get(REGION_TILE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    other_filter = client.get(REGION_TILE, {"type": "clash"})
    assert other_filter["ETag"] != first["ETag"]
    synthetic.load(10, seed=1)
    after = client.get(REGION_TILE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after.json()["total"] == len(seed.INCIDENTS) + 10


def test_an_incident_saved_one_by_one_shows_on_the_next_tile(client):
    before = client.get(tile_url(0, 0, 0)).json()["total"]
    incident = Incident.objects.order_by("slug").first()
    incident.pk = None
    incident.slug = "a-copy-saved-in-the-admin"
    incident.save()
    assert client.get(tile_url(0, 0, 0)).json()["total"] == before + 1
    incident.delete()
    assert client.get(tile_url(0, 0, 0)).json()["total"] == before


@pytest.mark.parametrize(
    "path, status, parameter",
    [
        ("/map/clusters/a/0/0.json", 400, "z"),
        ("/map/clusters/4/-1/0.json", 400, "x"),
        ("/map/clusters/4/0/1.5.json", 400, "y"),
        ("/map/clusters/25/0/0.json", 400, "z"),
        ("/map/clusters/4/0/².json", 400, "y"),
        ("/map/clusters/4/16/0.json", 404, None),
        ("/map/clusters/0/0/1.json", 404, None),
    ],
)
def test_a_bad_tile_is_refused_with_a_message(client, path, status, parameter):
    response = client.get(path)
    assert response.status_code == status
    body = response.json()
    assert body["description"]
    if parameter:
        assert body["parameter"] == parameter


def test_a_bad_filter_on_a_tile_is_a_400_that_names_it(client):
    response = client.get(REGION_TILE, {"datetime": "2021-13-01"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "datetime"
    response = client.get(REGION_TILE, {"type": "riot"})
    assert response.json()["parameter"] == "type"


def per_day(rows):
    """{day: count} of (day, type, count) rows."""
    days = Counter()
    for day, _type, n in rows:
        days[day] += n
    return dict(days)


def test_day_counts_give_the_seed_incidents_per_first_day_and_type(db):
    expected = Counter(dt.date.fromisoformat(i["date"]) for i in seed.INCIDENTS)
    assert per_day(pyramid.day_counts()) == dict(expected)
    clashes = Counter(dt.date.fromisoformat(i["date"]) for i in seed.incidents_where(type="clash"))
    assert per_day(pyramid.day_counts(types=["clash"])) == dict(clashes)
    assert {kind for _day, kind, _n in pyramid.day_counts(types=["clash"])} == {"clash"}
    day = dt.date(2021, 4, 29)
    assert sum(per_day(pyramid.day_counts(start=day, end=day)).values()) == len(
        seed.incidents_on("2021-04-29")
    )


def test_loading_the_data_again_rebuilds_the_pyramid(db):
    version = pyramid.current().version
    call_command("load_incidents", str(seed.DATA_DIR / "incidents.json"), verbosity=0)
    assert pyramid.current().version == version + 1
    assert sum(n for _day, _type, n in pyramid.day_counts()) == len(seed.INCIDENTS)


def test_the_list_alone_is_counted_up_to_the_limit_and_then_not_further(client, monkeypatch):
    params = {"zoom": 8, "bbox": "69,39,72.5,41", "clusters": "0"}
    data = client.get("/map/incidents.json", params).json()
    assert data["total"] == len(seed.INCIDENTS) and data["clusters"] == []
    assert [i["id"] for i in data["incidents"]] == list(
        Incident.objects.order_by("date", "slug").values_list("slug", flat=True)
    )
    assert data["counted_to"] == views.LIST_COUNT_LIMIT == 1_000
    monkeypatch.setattr(views, "LIST_COUNT_LIMIT", 5)
    data = client.get("/map/incidents.json", params).json()
    assert data["total"] is None and data["counted_to"] == 5
    assert len(data["incidents"]) == len(seed.INCIDENTS)
    response = client.get("/map/incidents.json", {**params, "clusters": "maybe"})
    assert response.status_code == 400 and response.json()["parameter"] == "clusters"


def test_the_lists_count_past_the_limit_is_read_from_the_pyramid_and_always_right(
    client, synthetic_3000, monkeypatch
):
    """A view whose cells wholly inside it already hold more than the limit is not counted row
    by row; every view's total is still the exact count, or null past the limit (checked at the
    limit's edge: a limit of the exact count, and one less)."""
    counted = []
    count_up_to = filters.count_up_to

    def recorded(queryset, limit):
        counted.append(limit)
        return count_up_to(queryset, limit)

    monkeypatch.setattr(filters, "count_up_to", recorded)
    views_asked = 0
    for zoom, lon, lat in [(7, 70.5, 40.0), (9, 70.2, 40.1), (10, 70.9, 39.9), (12, 70.5, 40.05)]:
        half = 360 / 256 / 2**zoom * 400  # degrees across 400 px
        for params in (
            {},
            {"type": "clash"},
            {"datetime": "2021-04-29/2021-04-29"},
            {"claimed_by": "Kyrgyz police"},
        ):
            bbox = f"{lon - half},{lat - half / 2},{lon + half},{lat + half / 2}"
            query = {"zoom": zoom, "bbox": bbox, "clusters": "0", **params}
            exact = filters.filtered_queryset("incidents", {"bbox": bbox, **params}).count()
            assert exact > 1, query
            for limit, total in (
                (exact, exact),
                (exact - 1, None),
                (40, None if exact > 40 else exact),
            ):
                monkeypatch.setattr(views, "LIST_COUNT_LIMIT", limit)
                data = client.get("/map/incidents.json", query).json()
                assert data["total"] == total, (query, limit, exact)
                views_asked += 1
    # The dense views without a claimant: answered from the pyramid, not counted.
    assert 0 < len(counted) < views_asked
