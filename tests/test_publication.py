"""Only published claims are public: a draft or rejected claim never reaches the map, the API,
the exports, the OGC API or the article view, while the published ones do."""

import json

import pytest

from border_map.models import Incident
from tests.seed import INCIDENTS

GOLOVNOI = "tajik-border-guards-kyrgyz-fired-first-at-golovnoi"
PUBLIC_URLS = [
    "/api/incidents.geojson",
    "/api/incidents.csv",
    "/map/incidents.json?bbox=60,30,80,50&zoom=12",
    "/ogcapi/collections/incidents/items?limit=1000",
    "/articles/rferl-2021-04-30-kyrgyz-tajik-ceasefire/",
]


def body(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("status", [Incident.Status.DRAFT, Incident.Status.REJECTED])
def test_an_unpublished_claim_is_nowhere_public(client, db, status):
    claim = Incident.objects.get(slug=GOLOVNOI)
    before = {url: body(client, url).decode() for url in PUBLIC_URLS}
    assert all(GOLOVNOI in text or claim.title in text for text in before.values()), [
        url for url, text in before.items() if GOLOVNOI not in text and claim.title not in text
    ]
    claim.status = status
    claim.save()  # as an editor's page saves it (the map's kept summary follows saves)
    for url in PUBLIC_URLS:
        text = body(client, url).decode()
        assert GOLOVNOI not in text and claim.title not in text, url
    assert client.get(f"/map/incidents/{GOLOVNOI}.json").status_code == 404
    claimants = json.loads(body(client, "/map/claimants.json"))["claimants"]
    counts = {c["name"]: c["count"] for c in claimants}
    same_claimant = len([i for i in INCIDENTS if i["claimed_by"] == claim.claimed_by])
    assert counts.get(claim.claimed_by, 0) == same_claimant - 1
    features = json.loads(body(client, "/api/incidents.geojson"))["features"]
    assert len(features) == len(INCIDENTS) - 1


def test_the_reviewed_data_loads_published(db):
    assert Incident.objects.published().count() == Incident.objects.count() == len(INCIDENTS)


def test_an_article_without_a_published_claim_is_not_public(client, db):
    """An article an editor added, or an imported event's notes, stays on the editors' pages
    until a claim quoting it is published."""
    seed = "/articles/rferl-2021-04-30-kyrgyz-tajik-ceasefire/"
    assert client.get(seed).status_code == 200
    assert seed in client.get("/articles/").content.decode()
    Incident.objects.update(status=Incident.Status.DRAFT)
    assert client.get(seed).status_code == 404
    assert seed not in client.get("/articles/").content.decode()
    Incident.objects.filter(slug=GOLOVNOI).update(status=Incident.Status.PUBLISHED)
    assert client.get(seed).status_code == 200
