"""Geoparsing (border_map/geoparsing.py and manage.py geoparse): the seed article's places, every
gold-set article's places, inflected and transliterated forms, names the gazetteer lacks,
demonyms, organisations and people, the command's JSON and table, and bad input."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from border_map.geoparsing import GeoparseError, geoparse, phonetic_key, warm_up
from border_map.models import Mention
from border_map.paths import DATA_DIR
from tests.test_ingest import SLUG, snapshot

GOLD = Path(__file__).parent / "data" / "goldset"
GOLD_TEXTS = sorted(GOLD.glob("*.txt"))
SEED_TEXT = DATA_DIR / "articles" / f"{SLUG}.txt"
SEED_META = DATA_DIR / "articles" / f"{SLUG}.json"


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def gold(path):
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def run(path, *args):
    out = io.StringIO()
    call_command("geoparse", str(path), *args, stdout=out)
    return out.getvalue()


def occurrences(text, surface):
    spans, start = [], text.find(surface)
    while start >= 0:
        spans.append((start, start + len(surface)))
        start = text.find(surface, start + 1)
    return spans


def overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1]


def place_named(result, text):
    """The place one of whose mentions is exactly `text`, or None."""
    for place in result.places:
        if any(m.text == text for m in place.mentions):
            return place
    return None


# --- the seed article ---------------------------------------------------------------------------


def test_the_seed_article_gives_exactly_its_eight_places_and_fourteen_mentions():
    meta = json.loads(SEED_META.read_text(encoding="utf-8"))
    result = geoparse(read(SEED_TEXT), "en", skip=[n["text"] for n in meta["not_places"]])
    assert sorted(p.name for p in result.places) == [
        "Ak-Sai",
        "Batken Region",
        "Bishkek",
        "Dushanbe",
        "Golovnoi",
        "Kok-Tash",
        "Kyzyl-Bel",
        "Leilek",
    ]
    assert sum(len(p.mentions) for p in result.places) == 14
    # The Ferghana Valley is skipped as the article's metadata says; the town is never taken.
    assert not any("Fergh" in m.text for p in result.places for m in p.mentions)


def test_the_seed_article_mentions_are_those_ingest_stored(db):
    meta = json.loads(SEED_META.read_text(encoding="utf-8"))
    result = geoparse(read(SEED_TEXT), "en", skip=[n["text"] for n in meta["not_places"]])
    found = sorted((m.start, m.end, m.text) for p in result.places for m in p.mentions)
    stored = Mention.objects.filter(article__slug=SLUG).order_by("start")
    assert found == [(m.start, m.end, m.text) for m in stored]


def test_without_its_metadata_the_ferghana_valley_is_unresolved_not_the_city_of_fergana():
    result = geoparse(read(SEED_TEXT), "en")
    assert not any(p.entry.name == "Fergana" for p in result.places)
    valley = [u for u in result.unresolved if u.text == "Ferghana Valley"]
    assert valley and "valley named after Fergana" in valley[0].why


def test_capitals_named_in_passing_are_placed_but_flagged_for_review():
    result = geoparse(read(SEED_TEXT), "en")
    for name in ("Bishkek", "Dushanbe"):
        place = next(p for p in result.places if p.name == name)
        assert place.needs_review
        assert any("km from the nearest" in why for why in place.why)
    kok_tash = next(p for p in result.places if p.name == "Kok-Tash")
    assert not kok_tash.needs_review
    assert [c.entry.name for c in kok_tash.runners_up] == ["Somoniyon"]  # 600 km away


# --- the gold set ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GOLD_TEXTS, ids=[p.stem[:40] for p in GOLD_TEXTS])
def test_every_place_of_every_gold_article_is_found(path):
    text, expected = read(path), gold(path)
    result = geoparse(text)
    assert result.language == expected["language"]
    spans = [(m.start, m.end) for p in result.places for m in p.mentions]
    spans += [(u.start, u.end) for u in result.unresolved]
    for place in expected["places"]:
        if place["kind"] == "country":
            continue
        surfaces = [place["mention"], *place.get("other_mentions", [])]
        gold_spans = [s for surface in surfaces for s in occurrences(text, surface)]
        assert any(overlaps(g, s) for g in gold_spans for s in spans), place["canonical"]


@pytest.mark.parametrize("path", GOLD_TEXTS, ids=[p.stem[:40] for p in GOLD_TEXTS])
def test_gold_places_with_coordinates_are_resolved_within_5_km_and_their_precision(path):
    text, expected = read(path), gold(path)
    result = geoparse(text)
    for place in expected["places"]:
        if place["lat"] is None:
            continue
        surfaces = [place["mention"], *place.get("other_mentions", [])]
        gold_spans = [s for surface in surfaces for s in occurrences(text, surface)]
        hits = [
            p
            for p in result.places
            if any(overlaps(g, (m.start, m.end)) for g in gold_spans for m in p.mentions)
        ]
        assert hits, place["canonical"]
        from geopy.distance import geodesic

        km = geodesic((place["lat"], place["lon"]), (hits[0].entry.lat, hits[0].entry.lon)).km
        assert km <= 5 and km <= max(hits[0].entry.precision_m / 1000, 1), place["canonical"]


@pytest.mark.parametrize("path", GOLD_TEXTS, ids=[p.stem[:40] for p in GOLD_TEXTS])
def test_everything_found_in_a_gold_article_is_one_of_its_places_never_a_demonym(path):
    """The scorer's precision rule: a place or unresolved name is right when one of its mentions
    overlaps a gold place (countries included); the not-places (Kyrgyz, the State Committee for
    National Security, Olga) are then never taken."""
    text, expected = read(path), gold(path)
    result = geoparse(text)
    surfaces = [s for p in expected["places"] for s in [p["mention"], *p.get("other_mentions", [])]]
    place_spans = [span for surface in surfaces for span in occurrences(text, surface)]
    found = [[(m.start, m.end) for m in p.mentions] for p in result.places]
    found += [[(u.start, u.end)] for u in result.unresolved]
    for spans in found:
        words = [text[a:b] for a, b in spans]
        assert any(overlaps(s, g) for s in spans for g in place_spans), words


# --- forms of a name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, form, name",
    [
        ("Стрельба произошла у села Ворухе.", "Ворухе", "Vorukh"),
        ("Жители Воруха перекрыли дорогу.", "Воруха", "Vorukh"),
        ("В Баткенской области спокойно.", "Баткенской области", "Batken Region"),
        ("Баткенская область приняла беженцев.", "Баткенская область", "Batken Region"),
        ("Обстрел в Баткенском районе.", "Баткенском районе", "Batken District"),
        ("Обстрел у Кок-Таше, у границы.", "Кок-Таше", "Kok-Tash"),
        ("Дорогу в Исфаре закрыли.", "Исфаре", "Isfara"),
        ("Перестрелка в местности Төрт-Көчө и у Көк-Таш.", "Көк-Таш", "Kok-Tash"),
        ("Fighting near Golovnoy, at the Kok-Tash school.", "Golovnoy", "Golovnoi"),
        ("Fighting near Golovnoj, at the Kok-Tash school.", "Golovnoj", "Golovnoi"),
        ("Shots at Kök-Tash and Ak-Sai.", "Kök-Tash", "Kok-Tash"),
        ("Shots at Koktash and Ak-Sai.", "Koktash", "Kok-Tash"),
        ("Shots at Khoja-Alo, west of Kok-Tash.", "Khoja-Alo", "Khojai Alo"),
        ("Shots at Hoji Alo, west of Kok-Tash.", "Hoji Alo", "Khojai Alo"),
        ("Застава «Ходжаи Аъло» у Кок-Таша.", "Ходжаи Аъло", "Khojai Alo"),
        ("Residents of Chorku, near Vorukh.", "Chorku", "Chorkuh"),
        ("The Isfana road and Batken.", "Isfana", "Isfana"),
    ],
)
def test_inflected_and_transliterated_forms_resolve_to_the_gazetteer_place(sentence, form, name):
    place = place_named(geoparse(sentence), form)
    assert place is not None, [
        (p.name, [m.text for m in p.mentions]) for p in geoparse(sentence).places
    ]
    assert place.name == name


def test_adjectives_that_share_one_noun_are_each_that_place():
    result = geoparse("Обстреляны приграничные села в Лейлекском и Баткенском районах.")
    assert [(p.name, [m.text for m in p.mentions]) for p in result.places] == [
        ("Leilek", ["Лейлекском"]),
        ("Batken District", ["Баткенском районах"]),
    ]
    assert result.unresolved == []


def test_a_dateline_capital_does_not_pull_the_article_s_places_down():
    text = "Бишкек. Обстрел заставы «Кок-Таш» в Баткенской области продолжается."
    result = geoparse(text)
    region = next(p for p in result.places if p.name == "Batken Region")
    assert not region.needs_review, region.why
    assert next(p for p in result.places if p.name == "Bishkek").needs_review


def test_a_small_namesake_far_from_the_article_s_places_is_unresolved_a_curated_row_is_not():
    text = "Житель махаллы Сомониён джамоата Чоркух города Исфара ранен у села Кок-Таш."
    result = geoparse(text)
    assert [u.text for u in result.unresolved] == ["Сомониён"]  # GeoNames': by Dushanbe
    assert "a poor fit" in result.unresolved[0].why
    far = geoparse("Житель Гиссара ранен в джамоате Овчи-Калъача.")
    assert [p.name for p in far.places if p.entry.curated] == ["Ovchi-Kalacha"]


def test_a_spelling_one_vowel_off_resolves_but_is_flagged_for_review():
    result = geoparse("Work on the Koktosh-Aksai road resumed near Vorukh.")
    place = place_named(result, "Koktosh")
    assert place.name == "Kok-Tash" and place.needs_review
    assert "by one vowel" in "; ".join(place.why)


def test_spellings_in_several_transliterations_share_one_phonetic_key():
    assert phonetic_key("Golovnoi") == phonetic_key("Golovnoy") == phonetic_key("Головной")
    assert phonetic_key("Zhany-Zher") == phonetic_key("Jany-Jer") == phonetic_key("Жаны-Жер")
    assert phonetic_key("Tort-Kocho") == phonetic_key("Төрт-Көчө")


# --- names the gazetteer lacks --------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("Shots were fired near the village of Sary-Kamysh in Batken.", "Sary-Kamysh"),
        ("Guards clashed in Zhar-Bulak area, Batken district.", "Zhar-Bulak"),
        ("The shelling hit Ak-Tuz-Bulak and Kok-Tash.", "Ak-Tuz-Bulak"),
        ("В селе Жаркынбай Баткенского района стреляли.", "Жаркынбай"),
        ("Обстреляна застава «Кара-Тоо» у Кок-Таша.", "Кара-Тоо"),
    ],
)
def test_an_unknown_toponym_ends_in_unresolved_never_placed_nor_dropped(sentence, name):
    result = geoparse(sentence)
    assert [u.text for u in result.unresolved] == [name]
    assert "not in the gazetteer" in result.unresolved[0].why
    assert not any(m.text == name for p in result.places for m in p.mentions)


def test_a_namesake_far_away_that_only_sounds_alike_is_left_unresolved():
    # Bulak-Bashy (Batken District) sounds like Buloqboshi, a town of Andijan in Uzbekistan.
    result = geoparse(
        "Tajik guards entered a section near Bulak-Bashy in Kyrgyzstan’s Batken region."
    )
    assert [u.text for u in result.unresolved] == ["Bulak-Bashy"]
    assert "Buloqboshi" in result.unresolved[0].why


def test_a_region_named_after_a_town_without_a_row_of_its_own_is_not_the_town():
    result = geoparse("Refugees reached Osh region and Batken region.")
    assert [p.name for p in result.places] == ["Batken Region"]
    assert [u.text for u in result.unresolved] == ["Osh region"]
    assert "a region named after Osh (town), not it" in result.unresolved[0].why


def test_a_village_of_that_name_far_away_in_a_country_the_article_does_not_name_is_unresolved():
    # Spelled as GeoNames writes the Andijan town (Bulakbashi), 170 km from Isfara.
    text = "Guards clashed in the Bulak-Bashi area, then near Isfara in Kyrgyzstan's Batken region."
    result = geoparse(text)
    assert [u.text for u in result.unresolved] == ["Bulak-Bashi"]
    assert "in UZ, a country the article does not name" in result.unresolved[0].why
    # A capital is named in passing, not a namesake.
    result = geoparse("Talks in Tashkent, then clashes near Isfara in Kyrgyzstan's Batken region.")
    assert "Tashkent" in [p.name for p in result.places]


def test_english_place_words_before_of_all_give_a_kind():
    from border_map.geoparsing import _EN_OF_WORDS, EN_PLACE_WORDS

    assert set(_EN_OF_WORDS.split("|")) <= set(EN_PLACE_WORDS)
    result = geoparse("Shells hit the settlements of Kummazor, Kulkand and Surkh near Isfara.")
    assert [u.text for u in result.unresolved] == ["Kummazor", "Kulkand"]
    assert [p.name for p in result.places] == ["Surkh", "Isfara"]


def test_a_city_beyond_the_gazetteer_area_is_unresolved():
    result = geoparse("Both countries are closely allied with Moscow, and Batken is calm.")
    assert [u.text for u in result.unresolved] == ["Moscow"]


# --- not places --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, demonyms",
    [
        (
            "Kyrgyz and Tajik border guards exchanged fire; the Kyrgyz side blamed Tajiks.",
            ["Kyrgyz", "Tajik", "Kyrgyz", "Tajiks"],
        ),
        ("A Kyrgyzstani was hurt on the Kyrgyz-Tajik border.", ["Kyrgyzstani", "Kyrgyz-Tajik"]),
        (
            "Кыргызская сторона обвинила таджикских пограничников; кыргызско-таджикская граница.",
            ["Кыргызская", "таджикских", "кыргызско-таджикская"],
        ),
        ("Таджикская сторона открыла огонь.", ["Таджикская"]),
    ],
)
def test_a_demonym_never_becomes_a_place(sentence, demonyms):
    result = geoparse(sentence)
    assert result.places == [] and result.unresolved == []
    assert [n.text for n in result.not_places if n.why.startswith("demonym")] == demonyms


def test_demonyms_still_tell_which_countries_the_article_is_about():
    # Aksai alone: the Kyrgyz village is not flagged as in a country the article does not name.
    place = place_named(
        geoparse("Kyrgyz residents of Aksai and Tajik residents of Vorukh."), "Aksai"
    )
    assert place.country == "KG"
    assert not any("does not name" in why for why in place.why)


def test_a_person_whose_name_is_also_a_place_is_not_a_place():
    result = geoparse("(Reporting by Olga Dzyubenko in Bishkek; editing by Nick Macfie)")
    assert [p.name for p in result.places] == ["Bishkek"]
    assert [n.text for n in result.not_places if n.why.startswith("person")] == ["Olga"]


def test_organisations_are_not_places_but_the_places_they_name_count():
    text = "The State Committee for National Security of Kyrgyzstan said Batken district was calm."
    result = geoparse(text)
    assert [p.name for p in result.places] == ["Batken District"]
    assert "KG" in result.countries
    organisations = [n.text for n in result.not_places if n.why.startswith("organisation")]
    assert organisations == ["The State Committee for National Security of Kyrgyzstan"]


def test_countries_are_context_not_points_on_the_map():
    result = geoparse("Кыргызская Республика и Республика Таджикистан договорились в Исфаре.")
    assert set(result.countries) == {"KG", "TJ"}
    assert [m.text for m in result.countries["TJ"]] == ["Республика Таджикистан"]
    assert [p.name for p in result.places] == ["Isfara"]


# --- the command ---------------------------------------------------------------------------------


def test_the_json_has_the_issue_shape_and_every_mention_is_the_text_between_its_offsets():
    path = GOLD / "kabar-2021-04-29-tadzhikskaia-storona-obstreliala-zastavy.txt"
    text = read(path)
    answer = json.loads(run(path, "--json", "--published", "2021-04-29"))
    assert answer["language"] == "ru" and answer["published"] == "2021-04-29"
    assert {"places", "unresolved", "not_places"} <= set(answer)
    for place in answer["places"]:
        keys = {"name", "lat", "lon", "precision_m", "kind", "country", "needs_review", "mentions"}
        assert keys <= set(place)
        for mention in place["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"]
    for item in answer["unresolved"] + answer["not_places"]:
        assert set(item) >= {"text", "start", "end", "why"} and item["why"]
        assert text[item["start"] : item["end"]] == item["text"]
    golovnoi = next(p for p in answer["places"] if p["name"] == "Golovnoi")
    assert golovnoi["kind"] == "water_facility" and golovnoi["precision_m"] == 3000
    assert [m["text"] for m in golovnoi["mentions"]] == ["Головной", "Головной"]


def test_the_table_shows_mentions_places_runners_up_distances_and_why_flagged():
    out = run(SEED_TEXT, "--language", "en")
    assert "mention | resolved place | runners-up | to the other places | why flagged" in out
    kok_tash = next(line for line in out.splitlines() if line.startswith("Kok-Tash |"))
    assert "Somoniyon" in kok_tash and "nearest: Golovnoi, 1 km" in kok_tash
    bishkek = next(line for line in out.splitlines() if line.startswith("Bishkek |"))
    assert "REVIEW:" in bishkek
    assert "Moscow | UNRESOLVED" in out


def test_geoparse_writes_nothing(db):
    before = snapshot()
    run(GOLD / "reuters-2022-01-27-guards-clash-again.txt", "--json")
    assert snapshot() == before


@pytest.mark.parametrize(
    "content, args, message",
    [
        (b"", (), "the text is empty"),
        (b"  \n\t\n", (), "the text is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", (), "not UTF-8 text"),
        (b"Bat\x00ken", (), "NUL bytes"),
        (b"1234 5678\n", (), "no letters"),
        (b"Batken", ("--language", "kg"), "--language 'kg'"),
        (b"Batken", ("--published", "29 April"), "--published '29 April'"),
    ],
    ids=["empty", "blank", "binary", "nul", "no letters", "unknown language", "bad date"],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(db, tmp_path, content, args, message):
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        run(path, *args)
    assert message in str(caught.value)
    assert snapshot() == before


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        run(tmp_path / "nowhere.txt")


def test_the_module_refuses_an_unknown_language():
    with pytest.raises(GeoparseError, match="language 'de'"):
        geoparse("Batken", "de")


def test_a_thousand_word_article_is_geoparsed_whole():
    """Its time is a benchmark figure (make bench-geoparse), not a test: a timing depends on
    what else the machine is doing."""
    warm_up()
    words = " ".join(read(p) for p in GOLD_TEXTS if gold(p)["language"] == "ru").split()
    text = " ".join((words * 10)[:1000])
    result = geoparse(text, "ru")
    assert result.places
    last = max(m.end for place in result.places for m in place.mentions)
    assert last > len(text) * 0.9  # places are found to the end of the text, not only its start


# --- an online geocoder ---------------------------------------------------------------------------


def test_with_nominatim_on_its_candidates_join_the_gazetteers_and_a_name_only_it_knows_is_placed(
    db,
):
    from border_map.geocoding import CachedNominatim
    from tests.nominatim_stub import NominatimStub

    text = "Residents of the Kyrgyz village of Uch-Dobo and of Kok-Tash threw stones near Batken."
    with NominatimStub() as stub:
        geocoder = CachedNominatim(stub.domain, "http", "border_map-test", 5)
        result = geoparse(text, "en", geocoder=geocoder)
    assert sorted(stub.requests) == ["Batken", "Kok-Tash", "Uch-Dobo"]
    uch_dobo = place_named(result, "Uch-Dobo")
    assert uch_dobo.entry.source.startswith("Nominatim: OSM node 2006")
    assert uch_dobo.needs_review and "online geocoder's answer" in "; ".join(uch_dobo.why)
    # Kok-Tash: the curated row, reviewed by hand, over Nominatim's two (one in Jalal-Abad).
    kok_tash = place_named(result, "Kok-Tash")
    assert kok_tash.entry.curated
    assert {c.entry.lat for c in kok_tash.runners_up} >= {41.826}
    assert result.unresolved == []


def test_a_failing_online_geocoder_is_an_error_not_an_empty_answer(db):
    import socket

    from border_map.geocoding import CachedNominatim, GeocodingError

    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    geocoder = CachedNominatim(f"127.0.0.1:{port}", "http", "border_map-test", 2)
    with pytest.raises(GeocodingError, match="gave no usable answer"):
        geoparse("Shots near Kok-Tash.", "en", geocoder=geocoder)
