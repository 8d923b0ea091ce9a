"""Sides and figures as data: every seed claim has an actor with a side, its casualty figures
are numbers beside the article's own words, the side and geo_precision filters, the totals per
side, and files with a bad actor or figure rejected whole."""

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from border_map.models import Actor, CasualtyFigure, Incident, Side
from border_map.paths import DATA_DIR
from tests.seed import INCIDENTS
from tests.test_ingest import snapshot

ACTORS = json.loads((DATA_DIR / "actors.json").read_text(encoding="utf-8"))
SIDE_OF_ACTOR = {actor["slug"]: actor["side"] for actor in ACTORS["actors"]}
EVERYWHERE = "bbox=60,30,80,50&zoom=12"


def body(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return b"".join(response.streaming_content) if response.streaming else response.content


def seed_side(slug):
    item = next(i for i in INCIDENTS if i["slug"] == slug)
    return SIDE_OF_ACTOR[item["actor"]]


def test_every_seed_claim_has_an_actor_with_a_side(db):
    assert Incident.objects.filter(actor__isnull=True).count() == 0
    sides = {i.slug: i.actor.side.slug for i in Incident.objects.select_related("actor__side")}
    # The two accounts of the shooting come from the two governments.
    assert sides["kyrgyz-police-tajik-shooting-at-kok-tash"] == "kyrgyz-official"
    assert sides["tajik-border-guards-kyrgyz-fired-first-at-golovnoi"] == "tajik-official"
    assert sides["rferl-gunfire-in-leilek-district"] == "media"
    assert sides["kyzyl-bel-talks-agree-troop-withdrawal"] == "joint"
    # Khovar is the Tajik state agency: its claim speaks for the government, not as media.
    assert sides["khovar-delegations-to-meet-in-batken-region-may-1"] == "tajik-official"
    assert Side.objects.count() == len(ACTORS["sides"])
    assert Actor.objects.count() == len(ACTORS["actors"])


def test_figures_are_the_articles_numbers_beside_its_words(db):
    def figures(slug):
        return [
            (f.kind, f.people, f.low, f.best, f.high)
            for f in CasualtyFigure.objects.filter(incident__slug=slug).order_by("pk")
        ]

    # "Kyrgyz officials said 31 of the country's citizens were killed"
    assert figures("kyrgyz-officials-31-citizens-killed") == [("killed", "KG", None, 31, None)]
    # "at least 12 Tajik citizens ... were killed and dozens of others injured": bounds, no
    # best figure made up.
    assert figures("rferl-tajik-service-clashes-after-stone-throwing") == [
        ("killed", "TJ", 12, None, None),
        ("injured", "TJ", 24, None, None),
    ]
    # "two Tajik citizens sustained gunshot wounds ... another seven locals were injured"
    assert figures("tajikistan-two-gunshot-wounds-seven-injured") == [
        ("injured", "TJ", None, 2, None),
        ("injured", "TJ", None, 7, None),
    ]
    assert figures("batken-officials-13500-evacuated") == [
        ("evacuated", "KG", None, 13500, None),
        ("missing", "", None, 2, None),
    ]
    for figure in CasualtyFigure.objects.select_related("incident"):
        quoted = [e.text for e in figure.incident.excerpts.all()]
        assert any(figure.phrase in text for text in quoted), figure.phrase


def test_exports_carry_side_figures_sources_and_geo_precision(client, db):
    features = json.loads(body(client, "/api/incidents.geojson"))["features"]
    assert len(features) == len(INCIDENTS)
    by_id = {f["id"]: f["properties"] for f in features}
    for slug, props in by_id.items():
        assert props["side"] == seed_side(slug)
        assert props["sources"] and all(
            s["title"] and s["outlet"] and s["published"] and s["url"].startswith("https://")
            for s in props["sources"]
        ), slug
    tajik = by_id["tajikistan-two-gunshot-wounds-seven-injured"]
    assert (tajik["injured"], tajik["injured_low"], tajik["injured_high"]) == (9, 9, 9)
    assert tajik["killed"] is None  # not stated: not zero
    rferl = by_id["rferl-tajik-service-clashes-after-stone-throwing"]
    assert (rferl["killed"], rferl["killed_low"], rferl["killed_high"]) == (None, 12, None)
    precision = {props["place"]: props["geo_precision"] for props in by_id.values()}
    assert precision["Batken Region"] == 3 and precision["Leilek"] == 3
    assert precision["Golovnoi"] == 2  # an estimated point
    assert precision["Kok-Tash"] == 1 and precision["Ak-Sai"] == 1


def test_the_csv_has_a_column_for_each_figure_and_the_sources(client, db):
    import csv

    rows = list(csv.DictReader(io.StringIO(body(client, "/api/incidents.csv").decode())))
    officials = next(r for r in rows if r["id"] == "kyrgyz-officials-31-citizens-killed")
    assert (officials["killed"], officials["side"], officials["actor"]) == (
        "31",
        "kyrgyz-official",
        "Kyrgyz government",
    )
    assert "rferl.org" in officials["sources"]


@pytest.mark.parametrize("side", [s["slug"] for s in ACTORS["sides"]])
def test_the_side_filter_gives_that_sides_claims(client, db, side):
    features = json.loads(body(client, f"/api/incidents.geojson?side={side}"))["features"]
    expected = {i["slug"] for i in INCIDENTS if SIDE_OF_ACTOR[i["actor"]] == side}
    assert {f["id"] for f in features} == expected


def test_two_sides_at_once_and_bad_filters_refused(client, db):
    url = "/api/incidents.geojson?side=kyrgyz-official,tajik-official"
    features = json.loads(body(client, url))["features"]
    official = {"kyrgyz-official", "tajik-official"}
    assert {f["id"] for f in features} == {
        i["slug"] for i in INCIDENTS if SIDE_OF_ACTOR[i["actor"]] in official
    }
    for query in ("side=kyrgyz", "geo_precision=0", "geo_precision=1.5", "side=%3Cb%3E"):
        response = client.get(f"/api/incidents.geojson?{query}")
        assert response.status_code == 400, query
        assert query.split("=")[0] in response.json()["parameter"]


def test_area_level_claims_filtered_by_geo_precision(client, db):
    area = json.loads(body(client, "/api/incidents.geojson?geo_precision=3"))["features"]
    assert {f["id"] for f in area} == {
        i["slug"] for i in INCIDENTS if i["place"] in ("Batken Region", "Leilek")
    }


def test_totals_per_side_add_claims_in_view(client, db):
    totals = json.loads(body(client, f"/map/incidents.json?{EVERYWHERE}"))["totals"]
    by_side = {t["side"]: t for t in totals}
    kyrgyz = by_side["kyrgyz-official"]["figures"]
    assert kyrgyz["killed"] == {"low": 31, "best": 31, "high": 31}
    assert kyrgyz["injured"] == {"low": 154, "best": 154, "high": 154}
    # Two claims about evacuations (13,500 and some 20,000): added, as claims, not facts.
    assert kyrgyz["evacuated"] == {"low": 33500, "best": 33500, "high": 33500}
    assert by_side["tajik-official"]["figures"] == {"injured": {"low": 9, "best": 9, "high": 9}}
    media = by_side["media"]["figures"]
    assert media["killed"] == {"low": 12, "best": None, "high": None}
    assert [t["side"] for t in totals] == ["kyrgyz-official", "tajik-official", "media"]
    # Filtered: only the Tajik side's claims, so only its totals.
    filtered = json.loads(body(client, f"/map/incidents.json?{EVERYWHERE}&side=tajik-official"))
    assert [t["side"] for t in filtered["totals"]] == ["tajik-official"]


def load_incidents(items, tmp_path):
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    call_command("load_incidents", str(path), verbosity=0)


BAD_INCIDENTS = {
    "unknown actor": lambda i: i[0].update(actor="nobody"),
    "phrase not quoted": lambda i: i[5]["figures"][0].update(phrase="31 people were killed"),
    "low above high": lambda i: i[5]["figures"][0].update(low=40, high=30),
    "unknown kind": lambda i: i[5]["figures"][0].update(kind="wounded"),
    "no number": lambda i: i[5]["figures"][0].update(best=None),
    "negative": lambda i: i[5]["figures"][0].update(best=-1),
    "people not a country": lambda i: i[5]["figures"][0].update(people="XX"),
}


@pytest.mark.parametrize("problem", BAD_INCIDENTS)
def test_a_bad_actor_or_figure_rejects_the_whole_file(db, tmp_path, problem):
    items = copy.deepcopy(INCIDENTS)
    assert items[5]["slug"] == "kyrgyz-officials-31-citizens-killed"
    items[1]["title"] = "changed"  # would be stored if the file were half-loaded
    BAD_INCIDENTS[problem](items)
    before = snapshot()
    with pytest.raises(CommandError):
        load_incidents(items, tmp_path)
    assert snapshot() == before
    assert CasualtyFigure.objects.count() == sum(len(i.get("figures", [])) for i in INCIDENTS)


BAD_ACTORS = {
    "unknown side": lambda d: d["actors"][0].update(side="kyrgyz"),
    "name twice": lambda d: d["actors"][1]["alternate_names"].append(d["actors"][0]["name"]),
    "no sides": lambda d: d.update(sides=[]),
    "slug twice": lambda d: d["sides"].append(dict(d["sides"][0])),
}


@pytest.mark.parametrize("problem", BAD_ACTORS)
def test_a_bad_actors_file_is_rejected_whole(db, tmp_path, problem):
    data = copy.deepcopy(ACTORS)
    data["actors"][2]["name"] = "changed"
    BAD_ACTORS[problem](data)
    path = tmp_path / "actors.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    names = sorted(Actor.objects.values_list("name", flat=True))
    with pytest.raises(CommandError):
        call_command("load_actors", str(path), verbosity=0)
    assert sorted(Actor.objects.values_list("name", flat=True)) == names


def test_reloading_actors_and_incidents_changes_nothing(db):
    before = snapshot()
    figures = list(CasualtyFigure.objects.values_list("pk", flat=True).order_by("pk"))
    call_command("load_actors", str(DATA_DIR / "actors.json"), verbosity=0)
    call_command("load_incidents", str(DATA_DIR / "incidents.json"), verbosity=0)
    assert snapshot() == before
    assert list(CasualtyFigure.objects.values_list("pk", flat=True).order_by("pk")) == figures
