"""ingest_article on the real article: idempotent, every excerpt is article.text[start:end], a
bad file or a failing geocoder leaves the database exactly as it was, --dry-run writes nothing."""

import datetime
import io
import json
import socket

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.core.management.base import CommandError

from border_map import articles
from border_map.datafiles import DataError
from border_map.models import (
    Article,
    Boundary,
    Excerpt,
    GeocodeCache,
    Incident,
    Mention,
    Place,
)
from border_map.paths import DATA_DIR

SLUG = "rferl-2021-04-30-kyrgyz-tajik-ceasefire"
META = DATA_DIR / "articles" / f"{SLUG}.json"
TEXT = DATA_DIR / "articles" / f"{SLUG}.txt"


def snapshot():
    """Every row the loaders write, with its id, and the many-to-many links."""
    rows = {}
    for model in (Article, Place, Mention, Excerpt, Incident, GeocodeCache):
        values = model.objects.order_by("pk").values()
        rows[model.__name__] = [
            {k: (v.wkt if hasattr(v, "wkt") else v) for k, v in row.items()} for row in values
        ]
    rows["excerpt_places"] = sorted(Excerpt.places.through.objects.values_list())
    rows["incident_excerpts"] = sorted(Incident.excerpts.through.objects.values_list())
    return rows


def write_article(tmp_path, text=None, **changes):
    """A copy of the real metadata file, changed, next to a copy of (or a changed) text."""
    meta = json.loads(META.read_text(encoding="utf-8"))
    text_path = tmp_path / "article.txt"
    text_path.write_text(TEXT.read_text(encoding="utf-8") if text is None else text, "utf-8")
    meta["text_file"] = str(text_path)
    meta.update(changes)
    path = tmp_path / "article.json"
    path.write_text(json.dumps(meta), encoding="utf-8")
    return path


def ingest(*paths, **options):
    out = io.StringIO()
    call_command("ingest_article", *map(str, paths), stdout=out, **options)
    return out.getvalue()


def test_rerunning_the_ingest_changes_nothing(db):
    before = snapshot()
    ingest(META, verbosity=0)
    assert snapshot() == before
    assert len(before["Mention"]) == 14 and len(before["Excerpt"]) >= 10


def test_the_article_keeps_its_metadata_and_verbatim_text(db):
    article = Article.objects.get(slug=SLUG)
    with open(TEXT, encoding="utf-8", newline="") as f:
        assert article.text == f.read()
    assert str(article.published) == "2021-04-30"
    # The page it was copied from (looked up; the text's first lines are that page's furniture).
    assert article.url == (
        "https://www.rferl.org/a/kyrgyzstan-tajikistan-border-clashes-deaths-ceasefire/31230943.html"
    )
    assert article.outlet == "RFE/RL" and article.language == "en"


def test_every_excerpt_and_mention_is_the_article_text_between_its_offsets(db):
    text = Article.objects.get(slug=SLUG).text
    assert Excerpt.objects.count() > 0
    for excerpt in Excerpt.objects.all():
        assert text[excerpt.start : excerpt.end] == excerpt.text
    for mention in Mention.objects.all():
        assert text[mention.start : mention.end] == mention.text


def test_the_twice_printed_first_sentence_gives_two_excerpts_at_their_own_offsets(db):
    sentence = "Authorities in the Batken region said 13,500 Kyrgyz were evacuated from villages"
    excerpts = Excerpt.objects.filter(text__startswith=sentence).order_by("start")
    assert len(excerpts) == 2
    assert excerpts[0].start != excerpts[1].start


def test_batken_region_and_the_southwestern_region_of_batken_are_the_region(db):
    text = Article.objects.get(slug=SLUG).text
    region = Mention.objects.get(start=text.index("Batken region's Leilek"))
    assert (region.text, region.place.name) == ("Batken region", "Batken Region")
    southwestern = Mention.objects.get(start=text.index("region of Batken"))
    assert (southwestern.text, southwestern.place.name) == ("region of Batken", "Batken Region")
    # The article never names the town on its own.
    assert not Place.objects.filter(name="Batken").exists()


def test_mentions_keep_the_article_spelling_and_excerpts_link_the_places_they_name(db):
    golovnoi = Mention.objects.get(place__name="Golovnoi")
    assert golovnoi.text == "Golovnoi water distribution center"
    police = Excerpt.objects.get(
        text__startswith="Kyrgyz police in the Batken region", text__endswith="village of Ak-Sai."
    )
    assert sorted(police.places.values_list("name", flat=True)) == [
        "Ak-Sai",
        "Batken Region",
        "Kok-Tash",
    ]


def test_the_ferghana_valley_is_not_taken_for_the_city_of_fergana(db):
    assert not Place.objects.filter(name__icontains="fergh").exists()
    assert not Mention.objects.filter(text__icontains="fergh").exists()


def test_ingest_reports_its_progress(db):
    out = ingest(META, verbosity=1)
    assert f"Updated article {SLUG}" in out
    assert "place Kok-Tash: 39.94972 N 70.53583 E, KG" in out
    assert "14 mentions of 8 places" in out


def test_dry_run_of_a_new_article_writes_nothing(db, tmp_path):
    before = snapshot()
    out = ingest(write_article(tmp_path, slug="another-article"), dry_run=True, verbosity=1)
    assert "Created article another-article" in out and "Dry run" in out
    assert snapshot() == before


@pytest.mark.parametrize(
    "change, message",
    [
        ("{not json", "not valid JSON"),
        ({"drop": "title"}, "missing field 'title'"),
        ({"published": "30 April 2021"}, "published '30 April 2021' is not a date"),
        ({"text_file": "/nonexistent/article.txt"}, "text_file /nonexistent/article.txt"),
        ({"slug": "Not A Slug"}, "is not a slug"),
        ({"not_places": [{"text": "Ferghana Valley"}]}, "needs a 'text' and a 'why'"),
    ],
)
def test_a_bad_file_fails_naming_the_file_and_problem_and_changes_nothing(
    db, tmp_path, change, message
):
    path = write_article(tmp_path, title="A changed title that must not be written")
    if isinstance(change, str):
        path.write_text(change, encoding="utf-8")
    else:
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta.pop(change.pop("drop", None), None)
        meta.update(change)
        path.write_text(json.dumps(meta), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        ingest(META, path, verbosity=0)  # a good file first: it must not be applied either
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    assert snapshot() == before


def test_a_cyrillic_article_gives_each_place_its_own_row_and_an_ascii_slug(db, tmp_path):
    text = "Стрельба у анклава Ворух. Город Исфара закрыл рынок. Ворух остаётся закрытым.\n"
    path = write_article(tmp_path, text=text, slug="cyrillic-article", language="ru")
    out = ingest(path, verbosity=1)
    assert "3 mentions of 2 places" in out
    vorukh, isfara = Place.objects.get(slug="vorukh"), Place.objects.get(slug="isfara")
    assert (vorukh.name, isfara.name) == ("Ворух", "Исфара")
    assert (vorukh.country, isfara.country) == ("TJ", "TJ")
    mentions = Mention.objects.filter(article__slug="cyrillic-article").order_by("start")
    assert [(m.text, m.place.slug) for m in mentions] == [
        ("Ворух", "vorukh"),
        ("Исфара", "isfara"),
        ("Ворух", "vorukh"),
    ]
    assert not Place.objects.filter(slug="").exists()


def test_a_cyrillic_spelling_of_a_stored_place_joins_it_rather_than_adding_a_row(db, tmp_path):
    ak_sai = Place.objects.get(name="Ak-Sai")
    places = Place.objects.count()
    text = "Стрельба у села Ак-Сай и у села Кок-Таш.\n"
    ingest(write_article(tmp_path, text=text, slug="cyrillic-article", language="ru"), verbosity=0)
    assert Place.objects.count() == places
    mentions = Mention.objects.filter(article__slug="cyrillic-article").order_by("start")
    assert [(m.text, m.place.name) for m in mentions] == [
        ("Ак-Сай", "Ak-Sai"),
        ("Кок-Таш", "Kok-Tash"),
    ]
    assert Place.objects.get(pk=ak_sai.pk).slug == ak_sai.slug == "ak-sai"


def test_a_failing_geocoder_halfway_leaves_the_database_as_it_was(db, settings, tmp_path):
    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.BORDER_MAP = {
        **settings.BORDER_MAP,
        "GEOCODER": "nominatim",
        "NOMINATIM_DOMAIN": f"127.0.0.1:{port}",
        "NOMINATIM_SCHEME": "http",
    }
    before = snapshot()
    with pytest.raises(CommandError, match=r"Nominatim at http://127\.0\.0\.1:\d+ gave no usable"):
        ingest(write_article(tmp_path, slug="new-article"), verbosity=0)
    assert snapshot() == before


def test_a_text_change_under_an_excerpt_an_incident_cites_is_refused(db, tmp_path):
    text = TEXT.read_text(encoding="utf-8").replace("Kok-Tash", "Kok-Tash (Kek-Tash)")
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        ingest(write_article(tmp_path, text=text), verbosity=0)
    # The Kok-Tash quote ends at "Kok-Tash" and still matches; what follows it moved.
    assert "kyrgyz-police-gunfire-near-ak-sai" in str(caught.value)
    assert "tajik-border-guards-kyrgyz-fired-first-at-golovnoi" in str(caught.value)
    assert "kyrgyz-police-tajik-shooting-at-kok-tash" not in str(caught.value)
    assert snapshot() == before


def test_a_reingest_deletes_stale_mentions_but_keeps_excerpts_incidents_cite(db, tmp_path):
    # The same text with Bishkek renamed, letter for letter: no offset moves.
    text = TEXT.read_text(encoding="utf-8").replace("Bishkek", "Kremlin")
    cited = {(e.start, e.end, e.text) for e in Excerpt.objects.filter(incidents__isnull=False)}
    ingest(write_article(tmp_path, text=text), verbosity=0)
    assert not Mention.objects.filter(text="Bishkek").exists()
    assert Mention.objects.filter(text="Dushanbe").count() == 2
    assert not Excerpt.objects.filter(text__contains="Bishkek").exists()
    assert Excerpt.objects.filter(text__contains="called on Kremlin and Dushanbe").exists()
    now = {(e.start, e.end, e.text) for e in Excerpt.objects.filter(incidents__isnull=False)}
    assert now == cited


def test_a_place_no_article_mentions_any_more_is_deleted(db):
    """As when a name leaves the gazetteer: the place would otherwise stay on the map."""
    kok_tash = Place.objects.get(slug="kok-tash")
    Place.objects.create(
        slug="batken",
        name="Batken",
        kind=Place.Kind.TOWN,
        point=kok_tash.point,
        geocoder="gazetteer",
        precision_m=3000,
        source="GeoNames 1528735 (cities500, CC BY 4.0)",
    )
    out = ingest(META)
    assert "deleted place Batken: no article mentions it" in out
    assert not Place.objects.filter(slug="batken").exists()
    assert Place.objects.filter(slug="kok-tash").exists()


def test_sentences_are_cut_at_sentence_ends_within_lines_and_trimmed():
    text = 'One "quoted." Two?  Three!\n\n  Four, "a line" without an end\nFive. '
    assert [text[s:e] for s, e in articles.sentences(text)] == [
        'One "quoted."',
        "Two?",
        "Three!",
        'Four, "a line" without an end',
        "Five.",
    ]


def test_reading_an_article_gives_its_metadata_with_a_date_and_its_text_byte_for_byte():
    meta, text = articles.read_article(META)
    with open(TEXT, encoding="utf-8", newline="") as f:
        assert text == f.read()
    written = json.loads(META.read_text(encoding="utf-8"))
    assert meta == {**written, "published": datetime.date.fromisoformat(written["published"])}


def test_a_place_with_no_latin_spelling_and_no_osm_id_gets_no_slug():
    raw = {"name": "Ворух", "alternate_names": ["Ворӯх"], "source": "somewhere"}
    assert articles.place_slug("Ворух", {**raw, "alternate_names": ["Vorukh"]}) == "vorukh"
    assert articles.place_slug(
        "Ворух", {**raw, "nominatim": {"osm_type": "node", "osm_id": 7}}
    ) == ("osm-node-7")
    with pytest.raises(DataError, match="place 'Ворух' \\(somewhere\\): no Latin name"):
        articles.place_slug("Ворух", raw)


def test_a_point_on_the_shared_line_is_in_no_country_and_one_beside_it_in_its_own(db):
    line = Boundary.objects.get(countries="KG-TJ").geom
    on_the_line = Point(*line[0][len(line[0]) // 2], srid=4326)
    assert articles.country_at(on_the_line) == ""
    kok_tash = Place.objects.get(slug="kok-tash")
    assert articles.country_at(kok_tash.point) == "KG"
