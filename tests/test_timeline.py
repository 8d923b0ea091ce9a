"""/map/timeline.json, the time bar's counts: per day, week or month and type, for the same
filters as the map, from one query, with an ETag to revalidate; on the real data."""

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from border_map import timeline
from border_map.models import ClusterCell, Incident, Place
from tests import seed

pytestmark = pytest.mark.django_db

URL = "/map/timeline.json"


def counts_by_day_and_type(records):
    """{day: {type: n}} of reviewed incident records, counted here from data/."""
    counted: dict[str, Counter] = {}
    for record in records:
        counted.setdefault(record["date"], Counter())[record["type"]] += 1
    return {day: dict(c) for day, c in counted.items()}


def test_the_seed_is_counted_per_day_and_type_as_data_says(client):
    body = client.get(URL).json()
    assert body["unit"] == "day"
    assert body["total"] == len(seed.INCIDENTS)
    assert body["first"] == min(i["date"] for i in seed.INCIDENTS)
    assert body["last"] == max(i["date"] for i in seed.INCIDENTS)
    assert {start: counts for start, end, counts in body["bins"]} == counts_by_day_and_type(
        seed.INCIDENTS
    )
    assert all(start == end for start, end, _ in body["bins"])


def test_the_counts_take_the_map_filters(client):
    claimant = "Kyrgyz police in the Batken region"
    body = client.get(URL, {"claimed_by": claimant}).json()
    assert body["total"] == len(seed.incidents_where(claimed_by=claimant)) > 0
    body = client.get(URL, {"type": "negotiation"}).json()
    assert {s: c for s, _, c in body["bins"]} == counts_by_day_and_type(
        seed.incidents_where(type="negotiation")
    )
    # bbox around Kok-Tash: the two claims about the Golovnoi/Kok-Tash shooting.
    body = client.get(URL, {"bbox": "70.5,39.9,70.55,39.96"}).json()
    assert body["total"] == 2


def test_a_filter_that_matches_nothing_gives_no_bins(client):
    body = client.get(URL, {"datetime": "2030-01-01/.."}).json()
    assert body == {"unit": "day", "first": None, "last": None, "total": 0, "bins": []}


@pytest.mark.parametrize(
    "query",
    ["type=bogus", "datetime=2021-05-01/2021-04-01", "bbox=1,2,3", "near_line_km=-1"],
)
def test_bad_filters_are_a_400_that_names_the_parameter(client, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == query.split("=")[0]


def edit_first(**changes):
    """Change the first seed claim as an editor's page does: saved through the ORM, so that
    the counts kept on write follow."""
    incident = Incident.objects.get(slug=seed.INCIDENTS[0]["slug"])
    for name, value in changes.items():
        setattr(incident, name, value)
    incident.save()


def test_drafts_are_not_counted(client):
    edit_first(status=Incident.Status.DRAFT)
    assert client.get(URL).json()["total"] == len(seed.INCIDENTS) - 1
    assert (
        client.get(URL, {"type": seed.INCIDENTS[0]["type"]}).json()["total"]
        == len(seed.incidents_where(type=seed.INCIDENTS[0]["type"])) - 1
    )


def test_with_only_types_and_dates_the_counts_are_the_pyramids_kept_on_write(client):
    """Counted from the cluster pyramid's top level (as the tiles are), and the same as the
    live count of the incidents; any other filter counts the incidents themselves."""
    from border_map import filters

    for query in ({}, {"type": "clash,gunfire"}, {"datetime": "2021-04-29/2021-04-30"}):
        live = timeline.bins(timeline.day_counts(filters.filtered_queryset("incidents", query)))
        assert client.get(URL, query).json() == live, query
    # Emptied behind the pyramid's back (no signal): the answer comes from it, not the table.
    ClusterCell.objects.all().delete()
    assert client.get(URL).json()["total"] == 0
    assert client.get(URL, {"type": "clash"}).json()["total"] == 0
    claimant = "Kyrgyz police in the Batken region"
    assert client.get(URL, {"claimed_by": claimant}).json()["total"] > 0
    assert client.get(URL, {"bbox": "70.5,39.9,70.55,39.96"}).json()["total"] == 2


def test_the_counts_are_one_query(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, {"claimed_by": "RFE/RL", "type": "gunfire"})
    assert len(queries.captured_queries) == 1
    assert "GROUP BY" in queries.captured_queries[0]["sql"]


def test_an_unchanged_answer_is_a_304_and_a_changed_one_is_not(client):
    first = client.get(URL)
    assert first["Cache-Control"] == "no-cache"
    again = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    edit_first(type="negotiation" if seed.INCIDENTS[0]["type"] != "negotiation" else "clash")
    changed = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200


def test_a_long_span_is_binned_by_week_then_by_month(client):
    place = Place.objects.first()
    for n, day in enumerate([dt.date(2021, 9, 20), dt.date(2023, 6, 14)]):
        Incident.objects.create(
            slug=f"later-{n}", date=day, title="later", type="clash", place=place, claimed_by="x"
        )
    body = client.get(URL, {"datetime": "../2021-12-31"}).json()
    assert body["unit"] == "week"
    # The week of 28 April 2021 starts on Monday 26 April and holds the seed's first days.
    assert body["bins"][0][:2] == ["2021-04-26", "2021-05-02"]
    assert sum(sum(c.values()) for *_, c in body["bins"]) == len(seed.INCIDENTS) + 1
    body = client.get(URL).json()
    assert body["unit"] == "month"
    assert [b[:2] for b in body["bins"]] == [
        ["2021-04-01", "2021-04-30"],
        ["2021-05-01", "2021-05-31"],
        ["2021-09-01", "2021-09-30"],
        ["2023-06-01", "2023-06-30"],
    ]


def test_bins_end_on_the_last_day_of_their_week_and_month():
    assert timeline.bin_end(dt.date(2024, 2, 1), "month") == dt.date(2024, 2, 29)
    assert timeline.bin_end(dt.date(2021, 12, 1), "month") == dt.date(2021, 12, 31)
    assert timeline.bin_start(dt.date(2021, 5, 2), "week") == dt.date(2021, 4, 26)
    assert timeline.unit_for(dt.date(2021, 1, 1), dt.date(2021, 4, 30)) == "day"
    assert timeline.unit_for(dt.date(2021, 1, 1), dt.date(2021, 5, 1)) == "week"


def test_the_counts_take_the_spatial_context_filters(client):
    from tests.test_context import EXPECTED

    near = {name for name, (_, line, km, *_rest) in EXPECTED.items() if line == "KG-TJ" and km <= 2}
    assert {"Kok-Tash", "Golovnoi"} <= near
    body = client.get(URL, {"near_line_km": "2"}).json()
    assert body["total"] == len([i for i in seed.INCIDENTS if i["place"] in near])
    # No seed claim lies inside an enclave.
    assert client.get(URL, {"enclave": "Vorukh"}).json()["total"] == 0
