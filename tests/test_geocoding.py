"""The gazetteer geocoder offline, choosing candidates in the article's context, and the opt-in
Nominatim path against a loopback stub (never the internet)."""

import re

import pytest

from border_map.geocoding import (
    CachedNominatim,
    Context,
    Gazetteer,
    GazetteerGeocoder,
    GeocodingError,
    choose,
    configured_geocoder,
    find_names,
    geocode_names,
    load_gazetteer,
    read_curated,
    read_geonames,
)
from border_map.models import GeocodeCache
from tests.nominatim_stub import NominatimStub

KOK_TASH_SOURCE = "ru-Wikipedia"


@pytest.mark.parametrize(
    "spelling", ["Kok-Tash", "kok tash", "KOKTASH", "Kök-Tash", "Kek-Tash", "Көк-Таш", "Кёк-Таш"]
)
def test_gazetteer_finds_kok_tash_under_every_spelling_offline(spelling):
    location = GazetteerGeocoder().geocode(spelling)
    assert location.raw["name"] == "Kok-Tash"
    assert location.raw["source"].startswith(KOK_TASH_SOURCE)
    assert (location.latitude, location.longitude) == (39.949722, 70.535833)


@pytest.mark.parametrize("spelling", ["Ak-Sai", "Aksay", "ak say", "Ак-Сай"])
def test_ak_sai_spellings_reach_the_geonames_village(spelling):
    location = GazetteerGeocoder().geocode(spelling)
    assert location.raw["source"] == "GeoNames 10370337 (cities500, CC BY 4.0)"
    assert location.raw["kind"] == "settlement"


def test_leilek_in_cyrillic_is_the_district_represented_by_isfana():
    location = GazetteerGeocoder().geocode("Лейлек")
    assert location.raw["kind"] == "district"
    assert location.raw["precision_m"] >= 50_000
    assert "1222662" in location.raw["source"]


def test_a_location_carries_source_precision_kind_estimate_country_and_alternate_names():
    raw = GazetteerGeocoder().geocode("Batken").raw
    assert raw["source"] == "GeoNames 1528735 (cities500, CC BY 4.0)"
    assert raw["country"] == "KG"
    assert raw["kind"] == "town"
    assert raw["estimated"] is False
    assert raw["precision_m"] > 0
    assert "Баткен" in raw["alternate_names"]
    assert raw["geocoder"] == "gazetteer"


def test_an_unknown_name_gives_no_location():
    assert GazetteerGeocoder().geocode("Atlantis") is None


def test_curated_rows_win_over_the_geonames_koktash_of_somoniyon():
    gazetteer = load_gazetteer()
    everything = gazetteer.index["koktash"]
    assert any("1221089" in entry.source for entry in everything)  # Somoniyon is listed
    assert [entry.name for entry in gazetteer.candidates("Koktash")] == ["Kok-Tash"]


def test_curated_rows_that_cite_a_geonames_id_carry_its_coordinates():
    geonames = {entry.source.split()[1]: entry for entry in read_geonames()}
    # An area shown at a GeoNames place ("shown at its capital, Batken town, GeoNames 1528735").
    shown_at = re.compile(r"shown at .*?GeoNames (\d+)")
    citing = {
        entry.name: (entry, shown_at.search(entry.source).group(1))
        for entry in read_curated()
        if shown_at.search(entry.source)
    }
    assert set(citing) == {
        "Leilek",
        "Batken Region",
        "Batken District",
        "Isfara District",
        "Sughd Region",
    }
    for entry, geonames_id in citing.values():
        cited = geonames[geonames_id]
        assert (entry.lat, entry.lon) == (cited.lat, cited.lon)


def test_somoniyon_is_not_taken_for_kok_tash_when_the_context_offers_the_batken_village():
    somoniyon, *_ = GazetteerGeocoder(Gazetteer(read_geonames())).geocode(
        "Koktash", exactly_one=False
    )
    kok_tash = GazetteerGeocoder().geocode("Kok-Tash")
    batken = GazetteerGeocoder().geocode("Batken")
    context = Context(frozenset({"KG", "TJ"}), (batken.latitude, batken.longitude))
    result = choose("Kok-Tash", [somoniyon, kok_tash], context)
    assert result.location.raw["name"] == "Kok-Tash"
    assert not result.needs_review


def test_a_lone_far_candidate_is_flagged_for_review_not_taken_silently():
    geonames_only = GazetteerGeocoder(Gazetteer(read_geonames()))
    results = geocode_names(["Batken", "Ak-Sai", "Koktash"], {"KG", "TJ"}, geonames_only)
    result = results["Koktash"]
    assert result.location.raw["name"] == "Somoniyon"
    assert result.needs_review
    assert "km from the middle of the article's other places" in result.review_note
    assert not results["Batken"].needs_review and not results["Ak-Sai"].needs_review


def test_the_shakhimardan_enclave_is_chosen_over_the_far_west_uzbek_village():
    results = geocode_names(["Batken", "Ak-Sai", "Shakhimardan"], {"KG", "TJ", "UZ"})
    result = results["Shakhimardan"]
    assert result.location.raw["source"].startswith("GeoNames 1216189 ")  # Shohimardon
    assert not result.needs_review
    all_candidates = GazetteerGeocoder().geocode("Shakhimardan", exactly_one=False)
    assert {loc.raw["source"].split()[1] for loc in all_candidates} == {"1216189", "1513992"}


@pytest.mark.parametrize("order", [1, -1], ids=["geonames order", "reversed"])
def test_without_context_an_ambiguous_name_is_flagged_whichever_candidate_comes_first(order):
    candidates = GazetteerGeocoder().geocode("Shakhimardan", exactly_one=False)[::order]
    assert len(candidates) == 2
    result = choose("Shakhimardan", candidates, Context(frozenset({"UZ"})))
    assert result.needs_review
    assert "ambiguous: no context to choose by" in result.review_note
    assert result.location.raw["name"] in result.review_note
    other = candidates[1].raw["source"]
    assert f"Other candidates: {candidates[1].raw['name']} ({other})." in result.review_note


def test_a_name_with_a_single_candidate_gives_the_context_to_choose_by():
    results = geocode_names(["Shakhimardan", "Kok-Tash"], {"KG", "UZ"})
    assert results["Shakhimardan"].location.raw["source"].startswith("GeoNames 1216189 ")
    assert not results["Kok-Tash"].needs_review and not results["Shakhimardan"].needs_review
    alone = geocode_names(["Shakhimardan"], {"KG", "UZ"})["Shakhimardan"]
    assert alone.needs_review and "ambiguous" in alone.review_note


def test_a_candidate_in_a_country_the_article_does_not_name_is_flagged():
    vorukh = GazetteerGeocoder().geocode("Vorukh")
    result = choose("Vorukh", [vorukh], Context(frozenset({"KG"}), (40.0, 70.6)))
    assert result.needs_review
    assert "a country the article does not name" in result.review_note


def test_names_in_a_text_longest_first_so_batken_region_is_the_region():
    text = (
        "Shots in the Batken region's Leilek district; officials in the southwestern region of "
        "Batken said; Batken town was calm."
    )
    found = [(text[s:e], spelling) for s, e, spelling in find_names(text)]
    assert found == [
        ("Batken region", "Batken region"),
        ("Leilek district", "Leilek district"),
        ("region of Batken", "region of Batken"),
        ("Batken", "Batken"),
    ]
    gazetteer = load_gazetteer()
    assert [e.name for e in gazetteer.candidates("region of Batken")] == ["Batken Region"]


def test_english_words_and_airport_codes_are_not_taken_for_places():
    text = "We aim to report by Nov. 30 on flights from TAS and FEG; an ox, pop. 28,000, KIM."
    assert find_names(text) == []
    tashkent, osh = (GazetteerGeocoder().geocode(name).raw for name in ("Tashkent", "Osh"))
    assert "TAS" not in tashkent["alternate_names"]
    assert "Ox" not in osh["alternate_names"] and "Ош" in osh["alternate_names"]
    for word in ("aim", "Aim", "ox", "TAS", "FEG", "BHK"):
        assert GazetteerGeocoder().geocode(word) is None, word


def test_short_place_names_are_still_found_as_written():
    text = "Clashes in Osh, not far from Nov. In Ош the market was shut."
    found = [(text[s:e], spelling) for s, e, spelling in find_names(text)]
    assert found == [("Osh", "Osh"), ("Nov", "Nov"), ("Ош", "Ош")]


def test_a_short_geonames_row_is_an_error_naming_the_file_and_line(tmp_path):
    path = tmp_path / "geonames.tsv"
    good = "\t".join(
        ["1528735", "Batken", "Batken", "Баткен", "40.06259", "70.81939", "P", "PPLA", "KG"]
        + [""] * 5
        + ["20000", "", "1100", "Asia/Bishkek", "2020-01-01"]
    )
    path.write_text(
        "\t".join(
            "geonameid name asciiname alternatenames latitude longitude feature_class "
            "feature_code country_code cc2 admin1_code admin2_code admin3_code admin4_code "
            "population elevation dem timezone modification_date".split()
        )
        + f"\n{good}\n1514896\tIsfara\n",
        encoding="utf-8",
    )
    with pytest.raises(GeocodingError, match=rf"{path}, line 3: not a GeoNames row"):
        read_geonames(path)
    path.write_text(path.read_text(encoding="utf-8").rsplit("1514896", 1)[0], encoding="utf-8")
    assert [entry.name for entry in read_geonames(path)] == ["Batken"]


def test_names_match_at_word_boundaries_ignoring_case_and_hyphens_and_skip_phrases():
    text = "BATKENSKY is not a name; kok tash is; so is KYZYL BEL; the Ferghana Valley is skipped."
    spellings = [spelling for _s, _e, spelling in find_names(text, skip=["Ferghana Valley"])]
    assert spellings == ["kok tash", "KYZYL BEL"]


def test_a_curated_file_with_a_bad_row_is_rejected_naming_the_row(tmp_path):
    path = tmp_path / "gazetteer.csv"
    header = "name,alternate_names,kind,lat,lon,precision_m,estimated,source\n"
    path.write_text(header + "Somewhere,,village,40,70,100,false,a book\n", encoding="utf-8")
    with pytest.raises(GeocodingError, match=r"row 2 \('Somewhere'\): kind 'village'"):
        read_curated(path)
    path.write_text(header + "Somewhere,,settlement,40,70,100,true,a guess\n", encoding="utf-8")
    with pytest.raises(GeocodingError, match="must say 'estimated: how'"):
        read_curated(path)


def nominatim(stub, timeout=5.0):
    return CachedNominatim(stub.domain, "http", "border_map-tests", timeout)


def test_nominatim_answers_are_parsed_and_cached_so_a_second_lookup_sends_no_request(db):
    with NominatimStub() as stub:
        geocoder = nominatim(stub)
        first = geocoder.geocode("Kok-Tash", exactly_one=False)
        second = geocoder.geocode("Kok-Tash", exactly_one=False)
    assert stub.requests == ["Kok-Tash"]
    assert [(loc.latitude, loc.longitude) for loc in first] == [
        (41.826, 72.976),
        (39.9501, 70.5362),
    ]
    assert [loc.raw for loc in second] == [loc.raw for loc in first]
    raw = first[1].raw
    assert raw["geocoder"] == "nominatim"
    assert raw["country"] == "KG"
    assert raw["kind"] == "settlement"
    assert "OSM node 2001" in raw["source"] and "OpenStreetMap contributors" in raw["source"]
    assert 2_000 < raw["precision_m"] < 3_500  # half the diagonal of a 4.4 km x 3.4 km box
    cached = GeocodeCache.objects.get(geocoder="nominatim", query="Kok-Tash")
    assert [r["osm_id"] for r in cached.response] == [2002, 2001]


def test_nominatim_saying_no_result_is_cached_too(db):
    with NominatimStub() as stub:
        geocoder = nominatim(stub)
        assert geocoder.geocode("Atlantis") is None
        assert geocoder.geocode("Atlantis") is None
    assert stub.requests == ["Atlantis"]
    assert GeocodeCache.objects.get(geocoder="nominatim", query="Atlantis").response == []


def test_an_http_error_from_nominatim_is_a_clear_error_and_caches_nothing(db):
    with NominatimStub() as stub:
        with pytest.raises(GeocodingError) as caught:
            nominatim(stub).geocode("http-error")
    assert stub.requests == ["http-error"]
    message = str(caught.value)
    assert f"Nominatim at http://{stub.domain}" in message
    assert "'http-error'" in message and "500" in message
    assert not GeocodeCache.objects.filter(query="http-error").exists()


def test_a_nominatim_timeout_is_a_clear_error_and_caches_nothing(db):
    with NominatimStub(delay=2.0) as stub:
        with pytest.raises(GeocodingError) as caught:
            nominatim(stub, timeout=0.3).geocode("slow")
    assert stub.requests == ["slow"]  # asked once: no retry outside the rate limit
    assert "GeocoderTimedOut" in str(caught.value)
    assert "timeout 0.3 s" in str(caught.value)
    assert not GeocodeCache.objects.filter(query="slow").exists()


def test_configured_nominatim_chooses_in_context_and_falls_back_to_the_gazetteer(db, settings):
    with NominatimStub() as stub:
        settings.BORDER_MAP = {
            **settings.BORDER_MAP,
            "GEOCODER": "nominatim",
            "NOMINATIM_DOMAIN": stub.domain,
            "NOMINATIM_SCHEME": "http",
        }
        geocoder = configured_geocoder()
        assert isinstance(geocoder, CachedNominatim)
        results = geocode_names(["Batken", "Kok-Tash", "Golovnoi"], {"KG", "TJ"}, geocoder)
    assert stub.requests == ["Batken", "Kok-Tash", "Golovnoi"]
    assert results["Kok-Tash"].geocoder == "nominatim"
    assert results["Kok-Tash"].location.raw["nominatim"]["osm_id"] == 2001  # not Jalal-Abad's
    assert not results["Kok-Tash"].needs_review
    assert results["Golovnoi"].geocoder == "gazetteer"  # Nominatim knew nothing
    assert results["Golovnoi"].location.raw["estimated"] is True


def nominatim_settings(settings, stub):
    settings.BORDER_MAP = {
        **settings.BORDER_MAP,
        "GEOCODER": "nominatim",
        "NOMINATIM_DOMAIN": stub.domain,
        "NOMINATIM_SCHEME": "http",
    }


def test_nominatim_without_an_anchor_flags_every_ambiguous_name_for_review(db, settings):
    with NominatimStub() as stub:
        nominatim_settings(settings, stub)
        results = geocode_names(["Kok-Tash", "Ak-Sai"], {"KG", "TJ"})
    for name in ("Kok-Tash", "Ak-Sai"):
        assert results[name].geocoder == "nominatim", name
        assert results[name].needs_review, name
        assert "ambiguous: no context to choose by" in results[name].review_note, name


def test_the_nominatim_rate_limit_holds_across_geocoding_calls(db, settings):
    with NominatimStub() as stub:
        nominatim_settings(settings, stub)
        geocode_names(["Batken"], {"KG"})  # each call builds its own geocoder, as ingest does
        geocode_names(["Kok-Tash"], {"KG"})
    assert stub.requests == ["Batken", "Kok-Tash"]
    # The limiter spaces the requests' departures 1 s apart; 0.1 s allows for loopback jitter
    # (without a shared limiter the gap is a few milliseconds).
    assert stub.times[1] - stub.times[0] >= 0.9
