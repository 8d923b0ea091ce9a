"""border_map.drafting: the claim form's suggestions (claimant, type, date and precision, place,
casualties as stated) and the proposed claims, on the seed article and the gold set's."""

import datetime
from pathlib import Path

import pytest

from border_map import drafting
from border_map.articles import sentences

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "goldset"
SEED = ROOT / "data" / "articles" / "rferl-2021-04-30-kyrgyz-tajik-ceasefire.txt"


def read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def suggest(text: str, passage: str, published: datetime.date, mentions=()):
    start = text.index(passage)
    return drafting.suggest(text, start, start + len(passage), published, mentions)


REUTERS = read(GOLD / "reuters-2021-04-29-security-forces-clash-water-dispute.txt")
KABAR = read(GOLD / "kabar-2021-04-29-tadzhikskaia-storona-obstreliala-zastavy.txt")
TASS = read(GOLD / "tass-2022-09-16-120000-evacuated-batken.txt")
TENGRI = read(GOLD / "tengrinews-2014-01-11-perestrelka-na-granitse.txt")
K24 = read(GOLD / "24kg-2019-07-23-five-injured-isfara-vorukh-road-closed.txt")
RFERL = read(SEED)
APRIL_29 = datetime.date(2021, 4, 29)


def test_x_said_names_the_claimant_and_on_thursday_is_the_day_before_publication_or_on_it():
    passage = "Thirteen people were wounded when Kyrgyz and Tajik security forces exchanged fire"
    s = suggest(REUTERS, passage, APRIL_29)
    assert s.claimant == "the authorities on both sides"
    assert s.claimant_phrase.endswith("said")
    assert s.type == "gunfire"  # "exchanged fire" over "wounded"
    assert (s.date, s.date_precision) == (APRIL_29, "day")  # Thursday 29 April 2021
    assert s.casualties == "Thirteen people were wounded"


def test_late_on_wednesday_is_the_wednesday_before_publication():
    s = suggest(REUTERS, "Fighting broke out late on Wednesday", APRIL_29)
    assert s.date == datetime.date(2021, 4, 28)
    assert s.type == "clash"


def test_according_to_names_the_claimant():
    passage = "the sides started exchanging gunfire on Thursday"
    s = suggest(REUTERS, passage, APRIL_29)
    assert s.claimant == "both countries’ security agencies"
    assert s.type == "gunfire"


def test_casualties_are_kept_as_stated_never_summed():
    passage = (
        "Tajikistan said that nine people on their side have been wounded, while Kyrgyzstan "
        "reported four wounded."
    )
    s = suggest(REUTERS, passage, APRIL_29)
    assert s.claimant == "Tajikistan"
    assert s.casualties == "nine people on their side have been wounded; four wounded"
    assert s.type == "casualties"


def test_a_russian_wire_story_is_attributed_to_its_soobshchaet_source():
    s = suggest(KABAR, "С 14:05 началась перестрелка в местности «Головной»", APRIL_29)
    assert s.claimant.startswith("Отдел по связям с общественностью и СМИ Пограничной службы")
    assert s.type == "gunfire"
    # The dateline 29.04.21 is the article's; the passage itself names no day.
    assert s.date == APRIL_29


def test_russian_dates_and_yesterday():
    published = datetime.date(2021, 4, 30)
    assert drafting.date_of("столкновения 29 апреля", published)[:3] == (APRIL_29, None, "day")
    assert drafting.date_of("вчера у села Ворух", published)[0] == APRIL_29
    assert drafting.date_of("yesterday near Vorukh", published)[0] == APRIL_29
    assert drafting.date_of("on April 29", published)[0] == APRIL_29
    day, end, precision, _ = drafting.date_of("28-29 апреля", published)
    assert (day, end, precision) == (datetime.date(2021, 4, 28), APRIL_29, "range")


def test_a_range_is_read_from_during_april_28_29():
    passage = "were injured during April 28-29 clashes"
    s = suggest(RFERL, passage, datetime.date(2021, 4, 30))
    assert (s.date, s.date_end, s.date_precision) == (
        datetime.date(2021, 4, 28),
        APRIL_29,
        "range",
    )
    assert s.claimant == "Kyrgyz Deputy Health Minister Aliza Soltonbekova"


def test_a_day_announced_for_after_publication_is_planned():
    day, _, precision, _ = drafting.date_of(
        "The two presidents will meet on May 5", datetime.date(2021, 4, 30)
    )
    assert (day, precision) == (datetime.date(2021, 5, 5), "planned")


def test_a_december_day_told_in_january_is_last_year():
    assert drafting.date_of("on December 30", datetime.date(2014, 1, 11))[0] == datetime.date(
        2013, 12, 30
    )


def test_with_no_date_the_publication_date_is_suggested_and_said_so():
    day, _, _, note = drafting.date_of("Shootouts stopped by the evening.", APRIL_29)
    assert day == APRIL_29 and "publication date" in note


def test_evacuation_is_its_own_type_in_an_armed_conflict():
    passage = "Kyrgyzstan’s authorities have evacuated around 120,000 people"
    s = suggest(TASS, passage, datetime.date(2022, 9, 16))
    assert s.type == "evacuation"
    assert s.claimant == "first deputy presidential envoy to the Batken region Marufkhan Tulayev"


def test_a_passive_names_no_claimant_but_the_sentence_before_may():
    s = suggest(
        TASS,
        "armed clashes were reported in the areas of Kak-Sai and Paksy-Aryk",
        datetime.date(2022, 9, 16),
    )
    assert s.claimant != "armed clashes were"
    assert s.type == "clash"


def test_soobshchaet_and_po_informatsii_in_russian():
    s = suggest(
        TENGRI, "На кыргызско-таджикской границе произошла перестрелка", datetime.date(2014, 1, 11)
    )
    assert s.claimant == "K-NEWS"
    assert s.type == "gunfire"
    s = suggest(TENGRI, "сегодня в 13.15", datetime.date(2014, 1, 11))
    assert s.date == datetime.date(2014, 1, 11)


def test_according_to_the_service_and_a_date_with_its_month():
    s = suggest(K24, "the incident with the use of weapons occurred", datetime.date(2019, 7, 23))
    assert s.claimant == "the service"
    assert s.date == datetime.date(2019, 7, 22)
    s = suggest(
        K24, "According to preliminary data, 5 people were injured.", datetime.date(2019, 7, 23)
    )
    assert s.casualties == "5 people were injured"


def test_the_place_is_the_first_mention_in_the_passage_and_the_title_says_it():
    passage = "the sides started exchanging gunfire on Thursday"
    text = REUTERS
    at = text.index("Isfara river")
    mentions = [(at, at + len("Isfara river"), "isfara-river")]
    sentence_start = text.index("Fighting broke out")
    sentence_end = text.index("as their own.") + len("as their own.")
    s = drafting.suggest(text, sentence_start, sentence_end, APRIL_29, mentions)
    assert s.places == ["isfara-river"]
    assert s.title.endswith("at Isfara river")
    assert suggest(text, passage, APRIL_29, mentions).places == []


def test_proposals_are_the_sentences_naming_a_place_and_an_event():
    text = REUTERS
    spans = sentences(text)
    names = ["Sughd province", "Batken province", "Isfara river", "Bishkek", "Dushanbe"]
    mentions = [(text.index(n), text.index(n) + len(n), n) for n in names]
    proposals = drafting.propose(text, spans, APRIL_29, mentions)
    assert [p.text[:30] for p in proposals] == ["Fighting broke out late on Wed"]
    # The credits line names Bishkek and Dushanbe but no event.
    assert not any("Reporting by" in p.text for p in proposals)
    skipped = drafting.propose(
        text, spans, APRIL_29, mentions, skip=[(proposals[0].start, proposals[0].start + 1)]
    )
    assert skipped == []


@pytest.mark.parametrize("path", sorted(GOLD.glob("*.txt")), ids=lambda p: p.stem)
def test_every_gold_set_sentence_gets_a_suggestion_with_a_plausible_date(path):
    import json

    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    # Where the page shows no date, the one in the file's name (outlet-YYYY-MM-DD-...).
    published = datetime.date.fromisoformat(meta["published"] or path.stem.split("-", 1)[1][:10])
    text = read(path)
    for start, end in sentences(text):
        s = drafting.suggest(text, start, end, published)
        assert s.date is not None
        assert published.replace(year=published.year - 10) <= s.date
        assert s.date <= published or s.date_precision == "planned", (text[start:end], s.date)
        assert s.type in ("", "clash", "gunfire", "evacuation", "casualties", "negotiation")
        assert len(s.claimant) <= 200 and len(s.title) <= 300
