"""load_incidents on the reviewed file: claims kept apart and attributed, quotes verbatim, a bad
incident rejects the whole file and changes nothing, --dry-run writes nothing."""

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from border_map import incidents as domain
from border_map.datafiles import DataError
from border_map.models import Article, Excerpt, Incident
from border_map.paths import DATA_DIR
from tests.test_ingest import SLUG, TEXT, snapshot

INCIDENTS = DATA_DIR / "incidents.json"
HEADLINE = "Authorities in the Batken region said 13,500 Kyrgyz were evacuated from villages"
with open(TEXT, encoding="utf-8", newline="") as _f:
    ARTICLE_TEXT = _f.read()
# The second printing of the headline, counted from the end: Python would slice it all the same.
HEADLINE_FROM_THE_END = ARTICLE_TEXT.rindex(HEADLINE) - len(ARTICLE_TEXT)


def load(path=INCIDENTS, **options):
    out = io.StringIO()
    call_command("load_incidents", str(path), stdout=out, **options)
    return out.getvalue()


def reviewed():
    return json.loads(INCIDENTS.read_text(encoding="utf-8"))


def write(tmp_path, incidents):
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps(incidents, ensure_ascii=False), encoding="utf-8")
    return path


def test_rerunning_the_load_changes_nothing(db):
    before = snapshot()
    load(verbosity=0)
    assert snapshot() == before
    assert len(before["Incident"]) == len(reviewed())


def test_every_incident_cites_verbatim_excerpts_of_its_article(db):
    text = Article.objects.get(slug=SLUG).text
    for incident in Incident.objects.all():
        excerpts = list(incident.excerpts.all())
        assert excerpts, incident.slug
        for excerpt in excerpts:
            assert text[excerpt.start : excerpt.end] == excerpt.text, incident.slug


def test_every_incident_in_the_file_is_loaded_as_written(db):
    for item in reviewed():
        incident = Incident.objects.get(slug=item["slug"])
        assert incident.place.name == item["place"]
        assert incident.claimed_by == item["claimed_by"]
        assert incident.type == item["type"] and incident.title == item["title"]
        assert str(incident.date) == item["date"]
        quotes = [q["quote"] if isinstance(q, dict) else q for q in item["excerpts"]]
        assert sorted(e.text for e in incident.excerpts.all()) == sorted(quotes)


def test_each_claimant_is_named_in_the_text_it_cites(db):
    # Attribution is verbatim: the claimant's words appear in the incident's own excerpts,
    # except the article's own reporting (RFE/RL) and the joint statement's "they said".
    for incident in Incident.objects.exclude(claimed_by__in=["RFE/RL"]).exclude(
        slug="kyzyl-bel-talks-agree-troop-withdrawal"
    ):
        cited = " ".join(incident.excerpts.values_list("text", flat=True))
        assert incident.claimed_by in cited, incident.slug


def test_contradicting_accounts_of_who_fired_first_stay_separate_and_attributed(db):
    kyrgyz = Incident.objects.get(slug="kyrgyz-police-tajik-shooting-at-kok-tash")
    tajik = Incident.objects.get(slug="tajik-border-guards-kyrgyz-fired-first-at-golovnoi")
    assert kyrgyz.claimed_by == "Kyrgyz police in the Batken region"
    assert tajik.claimed_by == "Tajikistan's Border Guard Service"
    assert (kyrgyz.place.name, tajik.place.name) == ("Kok-Tash", "Golovnoi")


def test_every_casualty_figure_is_quoted_verbatim_from_its_excerpts(db):
    stated = [i for i in Incident.objects.all() if i.casualties]
    assert len(stated) == sum(bool(item.get("casualties")) for item in reviewed())
    for incident in stated:
        cited = list(incident.excerpts.values_list("text", flat=True))
        assert any(incident.casualties in text for text in cited), incident.slug


def test_claims_without_a_place_say_so_and_do_not_place_themselves_in_kyrgyzstan(db):
    tajik = Incident.objects.filter(
        slug__in=[
            "rferl-tajik-service-clashes-after-stone-throwing",
            "tajikistan-two-gunshot-wounds-seven-injured",
        ]
    )
    assert tajik.count() == 2
    for incident in tajik:
        assert incident.place.name == "Batken Region"
        assert "article gives no place for this claim" in incident.location_note
        assert "on both sides of the border" in incident.location_note
        assert "do not place the claim in Kyrgyzstan" in incident.location_note


def test_dates_are_no_more_precise_than_the_text(db):
    outbreak = Incident.objects.get(slug="rferl-tajik-service-clashes-after-stone-throwing")
    # "the clashes, which broke out on April 28": the day they began, not the day of the deaths.
    assert (outbreak.date_precision, str(outbreak.date), str(outbreak.date_end)) == (
        "range",
        "2021-04-28",
        "2021-04-29",
    )
    inferred = {
        "batken-officials-13500-evacuated": "April 30 is the article's day",
        "kyrgyz-authorities-20000-evacuated": "April 30, is inferred",
    }
    for slug, note in inferred.items():
        assert note in Incident.objects.get(slug=slug).location_note, slug


def test_the_ak_sai_gunfire_says_it_was_reported_and_not_by_whom(db):
    incident = Incident.objects.get(slug="kyrgyz-police-gunfire-near-ak-sai")
    assert "reported" in incident.title
    assert '"was also reported"' in incident.location_note
    assert "does not say who reported it" in incident.location_note


def test_an_incident_taken_out_of_the_file_is_deleted_and_the_output_says_so(db, tmp_path):
    incidents = reviewed()
    out = load(write(tmp_path, incidents[:-1]), verbosity=1)
    assert Incident.objects.count() == len(incidents) - 1
    assert not Incident.objects.filter(slug=LAST).exists()
    assert f"deleted {LAST}: no longer in" in out
    assert f"{len(incidents) - 1} incidents loaded" in out and "1 deleted" in out
    # Its partial quote goes with it; its sentence, which names Batken region, stays.
    assert not Excerpt.objects.filter(
        text="Tajikistan's Khovar state news agency said on April 30"
    ).exists()
    assert Excerpt.objects.get(
        text__startswith="The agency also said that delegations"
    ).places.exists()


def test_a_dry_run_of_a_shorter_file_deletes_nothing(db, tmp_path):
    before = snapshot()
    out = load(write(tmp_path, reviewed()[:-1]), dry_run=True, verbosity=1)
    assert f"deleted {LAST}" in out and "Dry run" in out
    assert snapshot() == before


def test_differing_evacuation_figures_are_both_kept(db):
    evacuations = Incident.objects.filter(type="evacuation")
    stated = " ".join(" ".join(i.excerpts.values_list("text", flat=True)) for i in evacuations)
    assert evacuations.count() == 2
    assert "13,500" in stated and "20,000" in stated
    assert len(set(evacuations.values_list("claimed_by", flat=True))) == 2


def test_the_twice_printed_headline_is_cited_at_the_start_the_file_gives(db):
    text = Article.objects.get(slug=SLUG).text
    incident = Incident.objects.get(slug="batken-officials-13500-evacuated")
    headline = incident.excerpts.get(text__startswith=HEADLINE)
    assert headline.start == text.index(HEADLINE)
    assert text.count(headline.text) == 2


def test_vague_places_explain_themselves_and_plans_are_marked_planned(db):
    for incident in Incident.objects.filter(place__name="Batken Region"):
        assert incident.location_note, incident.slug
    planned = Incident.objects.get(date_precision="planned")
    assert (str(planned.date), planned.type) == ("2021-05-01", "negotiation")
    for incident in Incident.objects.filter(date_precision="range"):
        assert incident.date_end > incident.date, incident.slug


def test_the_load_reports_its_progress(db):
    out = load(verbosity=1)
    assert "unchanged kyzyl-bel-talks-agree-troop-withdrawal" in out
    assert f"{len(reviewed())} incidents loaded" in out


def test_dry_run_writes_nothing(db, tmp_path):
    incidents = reviewed()
    incidents[0]["title"] = "A changed title"
    incidents.append({**copy.deepcopy(incidents[1]), "slug": "a-new-incident"})
    before = snapshot()
    out = load(write(tmp_path, incidents), dry_run=True, verbosity=1)
    assert "Dry run" in out
    assert snapshot() == before


def _corrupt(incidents, field, value):
    """Break the last incident (earlier ones are valid but changed: they must not be written)."""
    incidents[0]["title"] = "A changed title that must not be written"
    if value is None:
        del incidents[-1][field]
    else:
        incidents[-1][field] = value
    return incidents


LAST = "khovar-delegations-to-meet-in-batken-region-may-1"
CASES = {
    "quote not in the article": ("excerpts", ["Japarov declared war."], "quote not found"),
    "unknown place": ("place", "Isfara", "unknown place 'Isfara'"),
    "ambiguous quote": ("excerpts", [HEADLINE], "occurs 2 times in the article (at [116, 215])"),
    "quote not at its start": ("excerpts", [{"quote": HEADLINE, "start": 3}], "is not at start 3"),
    "start counted from the end": (
        "excerpts",
        [{"quote": HEADLINE, "start": HEADLINE_FROM_THE_END}],
        f"start {HEADLINE_FROM_THE_END} of quote",
    ),
    "start that is a boolean": (
        "excerpts",
        [{"quote": ARTICLE_TEXT[1:12], "start": True}],
        "start True of quote",
    ),
    "unknown article": ("article", "no-such-article", "unknown article 'no-such-article'"),
    "bad type": ("type", "riot", "type 'riot' is not one of"),
    "bad date": ("date", "2021-02-30", "'2021-02-30' is not a date"),
    "missing field": ("claimed_by", None, "missing field 'claimed_by'"),
    "range without end": ("date_precision", "range", "a range needs a date_end"),
    "unknown field": ("confidence", "high", "unknown field(s) ['confidence']"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_incident_rejects_the_whole_file_naming_it_and_changes_nothing(db, tmp_path, case):
    field, value, message = CASES[case]
    path = write(tmp_path, _corrupt(reviewed(), field, value))
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        load(path, verbosity=0)
    assert f"incident {len(reviewed())} ({LAST})" in str(caught.value)
    assert message in str(caught.value)
    assert snapshot() == before


def test_bad_json_is_rejected_naming_the_file(db, tmp_path):
    path = tmp_path / "incidents.json"
    path.write_text('[{"slug": "x",]', encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match=rf"{path}: not valid JSON"):
        load(path, verbosity=0)
    assert snapshot() == before


def test_an_empty_file_is_refused_rather_than_deleting_every_incident(db, tmp_path):
    before = snapshot()
    with pytest.raises(CommandError, match="no incidents in the file; refusing to delete"):
        load(write(tmp_path, []), verbosity=0)
    assert snapshot() == before


def test_a_slug_used_twice_is_rejected(db, tmp_path):
    incidents = reviewed()
    incidents[1]["slug"] = incidents[0]["slug"]
    with pytest.raises(CommandError, match="slug used twice"):
        load(write(tmp_path, incidents), verbosity=0)


def test_quote_excerpts_that_are_not_whole_sentences_link_the_places_inside_them(db):
    quote = next(i for i in reviewed() if i["place"] == "Kok-Tash")["excerpts"][0]
    assert quote.endswith("in the village of Kok-Tash")  # the sentence goes on to Ak-Sai
    excerpt = Excerpt.objects.get(text=quote)
    assert sorted(excerpt.places.values_list("name", flat=True)) == ["Batken Region", "Kok-Tash"]
    assert excerpt.incidents.get().slug == "kyrgyz-police-tajik-shooting-at-kok-tash"


def test_validation_finds_each_quote_at_its_offsets_and_writes_nothing(db):
    before = snapshot()
    checked = domain.validate(INCIDENTS, reviewed())
    assert [item["slug"] for item in checked] == [item["slug"] for item in reviewed()]
    for item, written in zip(checked, reviewed(), strict=True):
        quotes = [q["quote"] if isinstance(q, dict) else q for q in written["excerpts"]]
        assert [ARTICLE_TEXT[s:e] for s, e in item["spans"]] == quotes, item["slug"]
        assert (item["place"].name, item["article"].slug) == (written["place"], written["article"])
    assert snapshot() == before


def test_validation_names_the_file_and_the_incident_of_the_first_problem(db):
    incidents = _corrupt(reviewed(), "type", "riot")
    with pytest.raises(DataError) as caught:
        domain.validate("x.json", incidents)
    assert str(caught.value).startswith(f"x.json: incident {len(incidents)} ({LAST}): type 'riot'")


def test_each_seed_claim_has_the_precision_class_its_place_gives_it(client, db):
    """The map draws what the server says (precision.js reads ``precision_class``): the regions
    and the district are areas, the villages, the water point and the checkpoint (1.5–5 km) near
    points, and a place within 1 km would be exact."""
    from border_map.models import EXACT_M, precision_class
    from tests.test_actors import EVERYWHERE, body

    answer = json.loads(body(client, f"/map/incidents.json?{EVERYWHERE}&clusters=0"))
    classes = {i["id"]: i["precision_class"] for i in answer["incidents"]}
    for incident in Incident.objects.published().select_related("place"):
        place = incident.place
        if place.kind in ("district", "region"):
            assert classes[incident.slug] == "area", incident.slug
        else:
            assert place.precision_m > EXACT_M
            assert classes[incident.slug] == "near", incident.slug
    assert sorted(set(classes.values())) == ["area", "near"]
    assert precision_class(EXACT_M, 1) == precision_class(EXACT_M, 2) == "exact"
    assert precision_class(EXACT_M + 1, 2) == "near"
    assert precision_class(500, 3) == "area"
