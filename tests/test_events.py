"""Events: the reviewed grouping of claims (data/events.json) loaded all or nothing, proposed
groups for an editor, the event page with its claims side by side, the events layer in the
exports and the OGC API, ``event`` on every claim, and the contested filter; on the real data."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from border_map import events, pyramid
from border_map.models import Event, Incident, Place
from border_map.paths import DATA_DIR
from tests import seed

pytestmark = pytest.mark.django_db

GOLOVNOI = "shooting-at-golovnoi-and-kok-tash-2021-04-28"
KOK_TASH_CLAIM = "kyrgyz-police-tajik-shooting-at-kok-tash"
GOLOVNOI_CLAIM = "tajik-border-guards-kyrgyz-fired-first-at-golovnoi"


def grouping():
    """{event slug: sorted claim slugs} as the database holds it."""
    found: dict[str, list[str]] = {}
    for slug, event in Incident.objects.exclude(happening=None).values_list(
        "slug", "happening__slug"
    ):
        found.setdefault(event, []).append(slug)
    return {event: sorted(claims) for event, claims in found.items()}


def test_the_seed_events_group_the_claims_as_the_file_says():
    assert Event.objects.count() == len(seed.EVENTS)
    assert grouping() == {e["slug"]: sorted(e["claims"]) for e in seed.EVENTS}
    golovnoi = Event.objects.get(slug=GOLOVNOI)
    assert golovnoi.place.name == "Golovnoi"
    assert sorted(golovnoi.claims.values_list("slug", flat=True)) == [
        KOK_TASH_CLAIM,
        GOLOVNOI_CLAIM,
    ]


def write(tmp_path, items):
    path = tmp_path / "events.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return str(path)


def broken(problem):
    """The seed file with one problem put into its first event."""
    items = json.loads((DATA_DIR / "events.json").read_text(encoding="utf-8"))
    items[0] = {**items[0], **problem}
    return items


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ({"claims": ["no-such-claim"]}, "unknown claim 'no-such-claim'"),
        (
            {"claims": [*seed.EVENTS[0]["claims"], seed.EVENTS[1]["claims"][0]]},
            f"event 2 ({seed.EVENTS[1]['slug']}): claim {seed.EVENTS[1]['claims'][0]!r} is "
            f"already in event {GOLOVNOI!r}",
        ),
        ({"date": "28 April"}, "is not a date"),
        ({"date_end": "2021-04-01"}, "date_end is before date"),
        ({"place": "Atlantis"}, "unknown place 'Atlantis'"),
        ({"slug": "Not A Slug"}, "is not a slug"),
        ({"colour": "red"}, "unknown field(s) ['colour']"),
        ({"disagreements": [{"point": "x", "answers": {"no-such-claim": "y"}}]}, "not claims"),
        ({"disagreements": ["who fired first"]}, "a disagreement is"),
    ],
)
def test_one_bad_event_rejects_the_whole_file_and_changes_nothing(tmp_path, problem, message):
    before = grouping()
    titles = list(Event.objects.values_list("title", flat=True))
    items = broken(problem)
    items[1] = {**items[1], "title": "changed"}  # a good change in the same file
    with pytest.raises(CommandError) as error:
        call_command("load_events", write(tmp_path, items), verbosity=0)
    assert message in str(error.value)
    assert "event 1 " in str(error.value) or "event 2 " in message
    assert grouping() == before
    assert list(Event.objects.values_list("title", flat=True)) == titles


def test_an_event_taken_out_of_the_file_is_deleted_and_its_claims_set_free(tmp_path):
    out = io.StringIO()
    call_command("load_events", write(tmp_path, seed.EVENTS[1:]), stdout=out)
    assert f"deleted {GOLOVNOI}: no longer in" in out.getvalue()
    assert not Event.objects.filter(slug=GOLOVNOI).exists()
    assert Incident.objects.get(slug=KOK_TASH_CLAIM).happening is None
    assert Incident.objects.filter(slug=KOK_TASH_CLAIM).exists()  # the claim stays


def test_a_dry_run_of_load_events_writes_nothing(tmp_path):
    out = io.StringIO()
    call_command("load_events", write(tmp_path, seed.EVENTS[1:]), dry_run=True, stdout=out)
    assert "Dry run" in out.getvalue()
    assert Event.objects.filter(slug=GOLOVNOI).exists()


def test_proposals_group_claims_at_one_place_within_two_days_and_store_nothing():
    Incident.objects.filter(slug=GOLOVNOI_CLAIM).update(
        place=Incident.objects.get(slug=KOK_TASH_CLAIM).place
    )
    Incident.objects.filter(slug=GOLOVNOI_CLAIM).update(happening=None)
    out = io.StringIO()
    call_command("propose_events", stdout=out, stderr=io.StringIO())
    proposals = json.loads(out.getvalue())
    at_kok_tash = [p for p in proposals if p["place"] == "Kok-Tash"]
    assert len(at_kok_tash) == 1
    assert sorted(at_kok_tash[0]["claims"]) == [KOK_TASH_CLAIM, GOLOVNOI_CLAIM]
    assert at_kok_tash[0]["in_events"] == [GOLOVNOI]
    # Proposed, not assigned.
    assert Incident.objects.get(slug=GOLOVNOI_CLAIM).happening is None
    # Claims at Batken Region over 28 April – 1 May chain into one proposal: the Khovar claim
    # (1 May) is in no event yet.
    batken = [p for p in proposals if p["place"] == "Batken Region"]
    assert len(batken) == 1
    assert "khovar-delegations-to-meet-in-batken-region-may-1" in batken[0]["claims"]


def test_claims_more_than_two_days_apart_are_not_proposed_together():
    rows = events.propose(within_days=0)
    assert all(p["place"] != "Kok-Tash" for p in rows)
    # Every claim already in an event, or alone at its place: nothing to propose there.
    Incident.objects.exclude(happening=None).update(happening=None)
    assert not any(
        KOK_TASH_CLAIM in p["claims"] and GOLOVNOI_CLAIM in p["claims"] for p in events.propose()
    )  # Kok-Tash and Golovnoi are different places


def test_every_exported_claim_carries_its_event(client):
    features = client.get("/api/incidents.geojson").json()["features"]
    by_id = {f["id"]: f["properties"]["event"] for f in features}
    expected = {c: e["slug"] for e in seed.EVENTS for c in e["claims"]}
    assert by_id == {i["slug"]: expected.get(i["slug"]) for i in seed.INCIDENTS}
    header = client.get("/api/incidents.csv").content.decode().splitlines()[0].split(",")
    assert "event" in header
    detail = client.get(f"/map/incidents/{KOK_TASH_CLAIM}.json").json()
    assert detail["event"] == GOLOVNOI


def test_the_events_layer_lists_each_events_claims_and_sides(client):
    body = client.get("/api/events.geojson").json()
    assert [f["id"] for f in body["features"]] == [
        e["slug"] for e in sorted(seed.EVENTS, key=lambda e: (e["date"], e["slug"]))
    ]
    golovnoi = next(f for f in body["features"] if f["id"] == GOLOVNOI)
    assert sorted(golovnoi["properties"]["claims"]) == [KOK_TASH_CLAIM, GOLOVNOI_CLAIM]
    assert isinstance(golovnoi["properties"]["sides"], list)
    assert golovnoi["geometry"]["type"] == "Point"
    assert golovnoi["properties"]["place"] == "Golovnoi"


def test_a_draft_claim_is_not_listed_in_its_event(client):
    Incident.objects.filter(slug=KOK_TASH_CLAIM).update(status=Incident.Status.DRAFT)
    body = client.get("/api/events.geojson").json()
    golovnoi = next(f for f in body["features"] if f["id"] == GOLOVNOI)
    assert golovnoi["properties"]["claims"] == [GOLOVNOI_CLAIM]
    page = client.get(f"/events/{GOLOVNOI}/").content.decode()
    assert "Tajik citizens for the escalation" not in page


def test_the_ogc_api_has_an_events_collection(client):
    collections = client.get("/ogcapi/collections?f=json").json()["collections"]
    assert "events" in [c["id"] for c in collections]
    items = client.get("/ogcapi/collections/events/items?f=json").json()
    assert items["numberMatched"] == len(seed.EVENTS)
    one = client.get(f"/ogcapi/collections/events/items/{GOLOVNOI}?f=json").json()
    assert sorted(one["properties"]["claims"]) == [KOK_TASH_CLAIM, GOLOVNOI_CLAIM]


def test_events_filter_by_date(client):
    body = client.get("/api/events.geojson", {"datetime": "2021-04-30/.."}).json()
    assert [f["id"] for f in body["features"]] == [
        e["slug"] for e in seed.EVENTS if (e.get("date_end") or e["date"]) >= "2021-04-30"
    ]


@pytest.mark.parametrize("layer", ["incidents", "events"])
def test_a_bad_contested_value_is_a_400(client, layer):
    response = client.get(f"/api/{layer}.geojson", {"contested": "maybe"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "contested"


def test_contested_is_refused_on_layers_without_events(client):
    response = client.get("/api/places.geojson", {"contested": "1"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "contested"


def test_the_event_page_shows_both_accounts_side_by_side_with_their_excerpts(client):
    page = client.get(f"/events/{GOLOVNOI}/").content.decode()
    for claim in (KOK_TASH_CLAIM, GOLOVNOI_CLAIM):
        incident = Incident.objects.get(slug=claim)
        assert f'data-claim="{claim}"' in page
        for excerpt in incident.excerpts.all():
            assert excerpt.text.replace("'", "&#x27;") in page
    # What they disagree on, at a glance.
    assert "Who fired first" in page
    assert "Tajik citizens</td>" in page
    assert "Kyrgyz military personnel</td>" in page


def test_the_casualties_event_shows_each_claims_figures_as_stated(client):
    page = client.get("/events/casualties-of-the-clashes-2021-04-28/").content.decode()
    for claim in seed.EVENTS[1]["claims"]:
        casualties = Incident.objects.get(slug=claim).casualties
        assert casualties.replace("'", "&#x27;") in page


def test_an_unknown_event_is_a_404(client):
    assert client.get("/events/no-such-event/").status_code == 404


def test_hostile_text_in_an_event_is_escaped_on_its_page(client):
    Event.objects.filter(slug=GOLOVNOI).update(
        title='<script>alert("t")</script>',
        notes="<img src=x onerror=alert(1)>",
        disagreements=[
            {"point": "<b>p</b>", "answers": {KOK_TASH_CLAIM: "<i onmouseover=alert(2)>a</i>"}}
        ],
    )
    page = client.get(f"/events/{GOLOVNOI}/").content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<i onmouseover" not in page
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in page


def sides_of(claims):
    """The side slugs of claims, read through their actors."""
    return {
        side
        for side in Incident.objects.filter(slug__in=claims).values_list(
            "actor__side__slug", flat=True
        )
        if side
    }


def test_the_golovnoi_event_has_a_claim_from_each_government(client):
    body = client.get("/api/events.geojson").json()
    golovnoi = next(f for f in body["features"] if f["id"] == GOLOVNOI)
    assert golovnoi["properties"]["sides"] == ["kyrgyz-official", "tajik-official"]


def test_contested_keeps_the_events_with_claims_from_both_governments_and_their_claims(client):
    contested = [e for e in seed.EVENTS if set(events.CONTESTED_SIDES) <= sides_of(e["claims"])]
    assert GOLOVNOI in [e["slug"] for e in contested]
    assert len(contested) < len(seed.EVENTS)  # the evacuations are told by one side only
    body = client.get("/api/events.geojson", {"contested": "1"}).json()
    assert sorted(f["id"] for f in body["features"]) == sorted(e["slug"] for e in contested)
    body = client.get("/api/incidents.geojson", {"contested": "1"}).json()
    assert sorted(f["id"] for f in body["features"]) == sorted(
        c for e in contested for c in e["claims"]
    )
    assert client.get("/api/events.geojson", {"contested": "0"}).json()["features"]


def test_a_claim_made_draft_can_end_a_contest(client):
    Incident.objects.filter(slug=GOLOVNOI_CLAIM).update(status=Incident.Status.DRAFT)
    body = client.get("/api/events.geojson", {"contested": "1"}).json()
    assert GOLOVNOI not in [f["id"] for f in body["features"]]


def test_the_event_page_puts_each_side_in_its_own_column_the_governments_first(client):
    page = client.get(f"/events/{GOLOVNOI}/").content.decode()
    assert page.index("side-kyrgyz-official") < page.index("side-tajik-official")
    assert "Contested: claims from both governments" in page
    page = client.get("/events/evacuation-of-border-villages-2021-04-29/").content.decode()
    assert "Contested:" not in page


def test_the_map_page_html_does_not_grow_with_the_number_of_events_or_their_claims(client):
    before = client.get("/")
    place = Place.objects.get(name="Kok-Tash")
    first, last = min(i["date"] for i in seed.INCIDENTS), max(i["date"] for i in seed.INCIDENTS)
    day = dt.date.fromisoformat(first)
    new_events = Event.objects.bulk_create(
        Event(slug=f"extra-event-{n}", title=f"Extra event {n}", date=day, place=place)
        for n in range(2000)
    )
    Incident.objects.bulk_create(
        Incident(
            slug=f"extra-claim-{n}",
            date=day + dt.timedelta(days=n % 2),
            title=f"Extra claim {n}",
            type=Incident.Type.CLASH,
            place=place,
            claimed_by="Extra claimant",
            happening=new_events[n % len(new_events)],
        )
        for n in range(4000)
    )
    # A bulk insert sends no signal: the pyramid is rebuilt as the loaders rebuild it.
    pyramid.rebuild()
    assert (day + dt.timedelta(days=1)).isoformat() <= last  # the page's date limits stay
    after = client.get("/")
    assert len(after.content) == len(before.content)
    assert b"Extra event" not in after.content and b"Extra claim" not in after.content
    # The time bar's counts carry them, from their own endpoint.
    assert client.get("/map/timeline.json").json()["total"] == len(seed.INCIDENTS) + 4000
