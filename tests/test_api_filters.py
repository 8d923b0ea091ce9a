"""Filters and paging of /api/<layer>.geojson (bbox, datetime, claimed_by, type, limit, offset),
and the 400 that every kind of bad input gets, on the real data."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Q

from border_map import exports, filters
from border_map.models import Incident, Place
from tests import seed

pytestmark = pytest.mark.django_db

# Where the last page of five incidents starts (the reviewed data fills more than two pages).
LAST_PAGE_OF_5 = 5 * (seed.pages(5) - 1)


def get_ids(client, url, data=None):
    response = client.get(url, data)
    assert response.status_code == 200, response.content
    return [f["id"] for f in response.json()["features"]]


def incidents_overlapping(start, end):
    """Incident slugs whose days overlap start..end, computed in Python from the rows."""
    slugs = []
    for incident in Incident.objects.order_by("date", "slug"):
        last = incident.date_end or incident.date
        if (end is None or incident.date <= end) and (start is None or last >= start):
            slugs.append(incident.slug)
    return slugs


def test_a_bbox_around_kok_tash_returns_the_two_incidents_placed_there(client):
    ids = get_ids(client, "/api/incidents.geojson?bbox=70.5,39.9,70.55,39.96")
    assert sorted(ids) == [
        "kyrgyz-police-tajik-shooting-at-kok-tash",
        "tajik-border-guards-kyrgyz-fired-first-at-golovnoi",
    ]


@pytest.mark.parametrize(
    "bbox",
    [(70.5, 39.9, 70.55, 39.96), (70.0, 39.5, 71.0, 40.5), (68.0, 38.0, 71.0, 40.0), (0, 0, 1, 1)],
)
def test_bbox_on_places_keeps_exactly_the_points_inside_it(client, bbox):
    min_lon, min_lat, max_lon, max_lat = bbox
    expected = {
        p.slug
        for p in Place.objects.all()
        if min_lon <= p.point.x <= max_lon and min_lat <= p.point.y <= max_lat
    }
    ids = get_ids(client, "/api/places.geojson?bbox=" + ",".join(map(str, bbox)))
    assert set(ids) == expected


def test_bbox_on_incidents_filters_by_the_point_of_their_place(client):
    ids = get_ids(client, "/api/incidents.geojson?bbox=70.8,40.0,70.9,40.1")
    expected = list(
        Incident.objects.filter(place__slug__in=["batken", "batken-region"]).values_list(
            "slug", flat=True
        )
    )
    assert sorted(ids) == sorted(expected)
    in_data = seed.incidents_where(place="Batken") + seed.incidents_where(place="Batken Region")
    assert len(ids) == len(in_data) > 0


def test_a_bbox_that_crosses_the_antimeridian_wraps_round_the_world(client):
    # minLon > maxLon: from 60 E eastwards across 180 to 170 W (OGC API – Features 7.15.3).
    ids = get_ids(client, "/api/places.geojson?bbox=60,30,-170,50")
    assert set(ids) == set(Place.objects.values_list("slug", flat=True))
    assert get_ids(client, "/api/places.geojson?bbox=80,30,-170,50") == []


def test_a_bbox_with_heights_ignores_them(client):
    with_heights = get_ids(client, "/api/places.geojson?bbox=70.5,39.9,-100,70.55,39.96,9000")
    assert with_heights == get_ids(client, "/api/places.geojson?bbox=70.5,39.9,70.55,39.96")


def test_bbox_on_enclaves_keeps_the_polygons_that_intersect_it(client):
    # A box around the point given inside Vorukh touches no other enclave.
    assert get_ids(client, "/api/enclaves.geojson?bbox=70.64,39.83,70.66,39.84") == ["vorukh"]


def test_bbox_on_boundaries_keeps_the_lines_that_cross_it(client):
    # Around Kok-Tash only the Kyrgyz–Tajik line runs.
    assert get_ids(client, "/api/boundaries.geojson?bbox=70.3,39.8,70.7,40.1") == ["KG-TJ"]


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2021-04-29", dt.date(2021, 4, 29), dt.date(2021, 4, 29)),
        ("2021-04-30", dt.date(2021, 4, 30), dt.date(2021, 4, 30)),
        ("../2021-04-28", None, dt.date(2021, 4, 28)),
        ("2021-05-01/..", dt.date(2021, 5, 1), None),
        ("2021-04-30/", dt.date(2021, 4, 30), None),
        ("2021-04-29/2021-04-30", dt.date(2021, 4, 29), dt.date(2021, 4, 30)),
        ("2021-04-29T23:59:59Z", dt.date(2021, 4, 29), dt.date(2021, 4, 29)),
        # 20:00 at UTC-6 on the 29th is 02:00 UTC on the 30th: the day is taken in UTC.
        ("2021-04-29T20:00:00-06:00", dt.date(2021, 4, 30), dt.date(2021, 4, 30)),
        ("2022-01-01", dt.date(2022, 1, 1), dt.date(2022, 1, 1)),
    ],
)
def test_datetime_keeps_the_incidents_whose_days_overlap_it(client, value, start, end):
    ids = get_ids(client, f"/api/incidents.geojson?datetime={value.replace('+', '%2B')}")
    assert ids == incidents_overlapping(start, end)


def test_an_incident_spanning_two_days_matches_its_second_day(client):
    ids = get_ids(client, "/api/incidents.geojson?datetime=2021-04-29")
    assert "kyrgyz-police-tajik-shooting-at-kok-tash" in ids  # 28 to 29 April
    assert "kyzyl-bel-talks-agree-troop-withdrawal" not in ids  # 30 April only
    assert "tajikistan-two-gunshot-wounds-seven-injured" in ids  # 29 April only


def test_claimed_by_matches_a_claimant_whose_name_contains_a_comma(client):
    claimant = "Delegations of both countries, in a joint statement"
    ids = get_ids(client, "/api/incidents.geojson", {"claimed_by": claimant})
    assert ids == ["kyzyl-bel-talks-agree-troop-withdrawal"]


def test_claimed_by_repeated_keeps_the_incidents_of_either_claimant(client):
    ids = get_ids(
        client, "/api/incidents.geojson", {"claimed_by": ["Kyrgyz officials", "Tajikistan"]}
    )
    assert ids == list(
        Incident.objects.filter(claimed_by__in=["Kyrgyz officials", "Tajikistan"])
        .order_by("date", "slug")
        .values_list("slug", flat=True)
    )
    of_each = [seed.incidents_where(claimed_by=c) for c in ("Kyrgyz officials", "Tajikistan")]
    assert all(of_each) and len(ids) == sum(map(len, of_each))


def test_type_keeps_one_type_or_several_comma_separated(client):
    assert get_ids(client, "/api/incidents.geojson?type=negotiation") == [
        "kyzyl-bel-talks-agree-troop-withdrawal",
        "khovar-delegations-to-meet-in-batken-region-may-1",
    ]
    several = get_ids(client, "/api/incidents.geojson?type=clash,evacuation")
    assert sorted(several) == sorted(
        Incident.objects.filter(type__in=["clash", "evacuation"]).values_list("slug", flat=True)
    )


def test_filters_combine_as_and(client):
    ids = get_ids(
        client,
        "/api/incidents.geojson?bbox=70.8,40.0,70.9,40.1&datetime=2021-04-29&type=casualties",
    )
    expected = Incident.objects.filter(
        Q(place__slug="batken-region"),
        Q(type="casualties"),
        Q(date__lte="2021-04-29"),
        Q(date_end__gte="2021-04-29") | Q(date_end=None, date="2021-04-29"),
    )
    assert sorted(ids) == sorted(expected.values_list("slug", flat=True))
    in_data = seed.incidents_on("2021-04-29", place="Batken Region", type="casualties")
    assert len(in_data) > 1 and len(ids) == len(in_data)


def test_limit_and_offset_page_through_the_layer_by_next_links(client):
    every = get_ids(client, "/api/incidents.geojson")
    url, seen, pages = "/api/incidents.geojson?limit=5", [], 0
    while url:
        body = client.get(url).json()
        seen += [f["id"] for f in body["features"]]
        pages += 1
        following = [link["href"] for link in body["links"] if link["rel"] == "next"]
        url = following[0] if following else None
    assert seen == every
    assert pages == seed.pages(5) > 1


def test_a_middle_page_links_next_and_prev_in_the_body_and_the_link_header(client):
    # More than six incidents are gunfire or casualties: page 4..6 has pages before and after it.
    assert len(seed.incidents_where(type="gunfire") + seed.incidents_where(type="casualties")) > 6
    response = client.get("/api/incidents.geojson?limit=3&offset=3&type=gunfire,casualties")
    links = {link["rel"]: link["href"] for link in response.json()["links"]}
    assert set(links) == {"self", "next", "prev"}
    # The next page starts after this page's last feature (a cursor), not at an offset.
    next_query = parse_qs(urlsplit(links["next"]).query)
    assert set(next_query) == {"limit", "cursor", "type"}
    following = get_ids(client, links["next"])
    assert following == get_ids(
        client, "/api/incidents.geojson?limit=3&offset=6&type=gunfire,casualties"
    )
    assert parse_qs(urlsplit(links["prev"]).query)["offset"] == ["0"]
    assert 'rel="next"' in response["Link"] and 'rel="prev"' in response["Link"]


@pytest.mark.parametrize("fmt", ["csv", "kml"])
def test_csv_and_kml_pages_link_the_next_page_in_the_link_header(client, fmt):
    first = client.get(f"/api/incidents.{fmt}?limit=5")
    assert "?limit=5&cursor=" in first["Link"] and "offset" not in first["Link"]
    last = client.get(f"/api/incidents.{fmt}?limit=5&offset={LAST_PAGE_OF_5}")
    assert 'rel="next"' not in last["Link"] and 'rel="prev"' in last["Link"]


def test_the_last_page_has_no_next_link(client):
    body = client.get(f"/api/incidents.geojson?limit=5&offset={LAST_PAGE_OF_5}").json()
    assert len(body["features"]) == len(seed.INCIDENTS) - LAST_PAGE_OF_5 > 0
    assert "next" not in {link["rel"] for link in body["links"]}


def test_an_offset_past_the_end_gives_an_empty_collection(client):
    assert get_ids(client, "/api/incidents.geojson?limit=5&offset=500") == []


def test_filtered_queryset_applies_filters_but_not_paging():
    queryset = filters.filtered_queryset("incidents", {"type": "gunfire", "limit": "1"})
    assert queryset.count() == len(seed.incidents_where(type="gunfire")) > 1
    assert queryset.model is Incident
    assert str(exports.layer_queryset("incidents").query.order_by) == str(queryset.query.order_by)


BAD_INPUT = [
    ("places", "bbox=1,2,3", "bbox", "got 3"),
    ("places", "bbox=1,2,3,4,5", "bbox", "got 5"),
    ("places", "bbox=70,39,seventy-one,40", "bbox", "not a list of numbers"),
    ("places", "bbox=70,39,71,91", "bbox", "latitude 91"),
    ("incidents", "bbox=70,-90.5,71,40", "bbox", "latitude -90.5"),
    ("places", "bbox=70,41,71,39", "bbox", "greater than maxLat"),
    ("places", "bbox=170,39,181,40", "bbox", "longitude 181"),
    ("places", "bbox=nan,39,71,40", "bbox", "finite"),
    ("places", "bbox=", "bbox", "got 1"),
    ("places", "bbox=70,39,71,40&bbox=1,2,3,4", "bbox", "more than once"),
    ("incidents", "datetime=2021-04-31", "datetime", "RFC 3339"),
    ("incidents", "datetime=yesterday", "datetime", "RFC 3339"),
    ("incidents", "datetime=2021-04-29T10:00:00", "datetime", "time zone"),
    ("incidents", "datetime=2021-04-30/2021-04-28", "datetime", "ends before it starts"),
    ("incidents", "datetime=2021-04-28/2021-04-29/2021-04-30", "datetime", "more than one"),
    ("incidents", "datetime=", "datetime", "give a date"),
    ("incidents", "datetime=../..", "datetime", "no end at all"),
    ("incidents", "datetime=/", "datetime", "no end at all"),
    ("incidents", "limit=0", "limit", "outside 1..10000"),
    ("incidents", "limit=-3", "limit", "outside"),
    ("incidents", "limit=10001", "limit", "outside"),
    ("incidents", "limit=ten", "limit", "not a whole number"),
    ("incidents", "limit=2.5", "limit", "not a whole number"),
    ("incidents", "offset=-1", "offset", "negative"),
    ("incidents", "offset=x", "offset", "not a whole number"),
    ("incidents", "offset=99999999999999999999", "offset", "above the largest offset"),
    ("incidents", "type=riot", "type", "unknown type riot"),
    ("places", "datetime=2021-04-29", "datetime", "incidents, events only"),
    ("enclaves", "claimed_by=Tajikistan", "claimed_by", "incidents only"),
    ("boundaries", "type=clash", "type", "incidents only"),
]


@pytest.mark.parametrize(("layer", "query", "parameter", "reason"), BAD_INPUT)
@pytest.mark.parametrize("fmt", ["geojson", "csv", "kml"])
def test_bad_input_gets_a_400_whose_json_body_names_the_parameter_and_why(
    client, layer, query, parameter, reason, fmt
):
    response = client.get(f"/api/{layer}.{fmt}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["parameter"] == parameter
    assert reason in body["description"]


@pytest.mark.parametrize(("layer", "query", "parameter", "reason"), BAD_INPUT)
def test_filtered_queryset_raises_bad_parameter_for_the_same_input(layer, query, parameter, reason):
    from django.http import QueryDict

    with pytest.raises(filters.BadParameter) as raised:
        filters.filtered_queryset(layer, QueryDict(query))
    assert raised.value.parameter == parameter
    assert reason in raised.value.message
