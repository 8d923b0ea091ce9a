"""ingest_article on new kinds of source: text and HTML files, folders, URLs fetched from a
loopback server; re-ingesting the same article; one Place for the articles that name it; and
bad input, which changes nothing."""

import datetime
import shutil
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from border_map.models import Article, Mention, Place
from tests.article_server import ArticleServer
from tests.test_ingest import ingest, snapshot

GOLD = Path(__file__).parent / "data" / "goldset"
FIXTURES = Path(__file__).parent / "fixtures"
VORUKH_EN = GOLD / "24kg-2019-07-23-five-injured-isfara-vorukh-road-closed.txt"
VORUKH_ALSO = GOLD / "asiaplus-2019-03-14-kyrgyz-authorities-restart-road-work.txt"
ZASTAVY_RU = GOLD / "kabar-2021-04-29-tadzhikskaia-storona-obstreliala-zastavy.txt"


@pytest.fixture(scope="module")
def server():
    with ArticleServer() as running:
        yield running


def test_a_text_file_with_its_options_becomes_an_article_with_its_places(db):
    out = ingest(VORUKH_EN, outlet="24.kg", published="2019-07-23", verbosity=1)
    article = Article.objects.get(slug=VORUKH_EN.stem)
    assert (article.outlet, article.published, article.language) == (
        "24.kg",
        datetime.date(2019, 7, 23),
        "en",
    )
    assert article.title == "Border conflict: Five people injured, Isfara - Vorukh road closed"
    with open(VORUKH_EN, encoding="utf-8", newline="") as f:
        assert article.text == f.read()
    places = set(Mention.objects.filter(article=article).values_list("place__name", flat=True))
    assert places == {"Vorukh", "Isfara", "Ak-Sai"}
    # The table a person reads, and the countries named.
    assert "mention | resolved place | runners-up | to the other places | why flagged" in out
    assert "countries named: Kyrgyzstan" in out


def test_a_russian_text_gives_its_outposts_unresolved_and_its_inflected_places(db):
    out = ingest(ZASTAVY_RU, outlet="Kabar", published="2021-04-29", verbosity=1)
    article = Article.objects.get(slug=ZASTAVY_RU.stem)
    assert article.language == "ru"
    mentions = Mention.objects.filter(article=article)
    assert ("Баткенской области", "Batken Region") in {(m.text, m.place.name) for m in mentions}
    assert "unresolved (not placed, for review): Капчыгай, Мин-Булак, Достук, Кожогар" in out
    assert not Place.objects.filter(name__in=["Капчыгай", "Кожогар"]).exists()


def test_an_html_file_fills_the_metadata_the_options_leave_out(db):
    ingest(FIXTURES / "article.html", outlet="Example Agency", verbosity=0)
    article = Article.objects.get(slug="kok-tash")
    assert article.outlet == "Example Agency"  # the option wins over the page's site name
    assert article.title == "Shots fired near Kok-Tash as border talks stall"
    assert article.published == datetime.date(2021, 5, 2)
    assert article.url == "https://news.example/2021/05/02/kok-tash"
    assert "Privacy policy" not in article.text
    names = set(Mention.objects.filter(article=article).values_list("place__name", flat=True))
    assert {"Kok-Tash", "Ak-Sai", "Golovnoi", "Isfara River", "Vorukh"} <= names


def test_a_folder_ingests_each_article_in_it(db, tmp_path):
    shutil.copy(FIXTURES / "article.html", tmp_path / "kok-tash.html")
    shutil.copy(VORUKH_EN, tmp_path / VORUKH_EN.name)
    ingest(tmp_path, published="2021-05-02", outlet="Example", verbosity=0)
    assert Article.objects.filter(slug__in=["kok-tash", VORUKH_EN.stem]).count() == 2


def test_a_url_is_fetched_only_with_fetch_and_ingested(db, server):
    before = snapshot()
    with pytest.raises(CommandError, match="fetched only with --fetch"):
        ingest(f"{server.url}/article", verbosity=0)
    assert snapshot() == before
    ingest(f"{server.url}/article", fetch=True, timeout=5, user_agent="bm-test/2", verbosity=0)
    assert Article.objects.get(slug="kok-tash").outlet == "Example News"
    assert "bm-test/2" in server.agents


@pytest.mark.parametrize(
    "path, message",
    [
        ("/error", "answered 500 Internal Server Error"),
        ("/login", "no article in the page"),
        ("/slow", "no answer within 0.5 s"),
    ],
)
def test_a_url_that_fails_or_times_out_is_a_clear_error_and_changes_nothing(
    db, server, path, message
):
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        ingest(f"{server.url}{path}", fetch=True, timeout=0.5, verbosity=0)
    assert snapshot() == before


def test_reingesting_the_same_article_updates_it_and_changes_nothing_else(db, tmp_path):
    ingest(VORUKH_EN, outlet="24.kg", published="2019-07-23", verbosity=0)
    after_first = snapshot()
    out = ingest(VORUKH_EN, outlet="24.kg", published="2019-07-23", verbosity=1)
    assert f"Updated article {VORUKH_EN.stem}" in out
    assert snapshot() == after_first
    # The same text under another file name is the same article, not a second one.
    renamed = tmp_path / "renamed.txt"
    shutil.copy(VORUKH_EN, renamed)
    out = ingest(renamed, outlet="24.kg", published="2019-07-23", verbosity=1)
    assert f"the same text as article {VORUKH_EN.stem}" in out
    assert snapshot() == after_first


def test_a_place_named_by_several_articles_is_one_place_with_all_their_mentions(db):
    vorukh = Place.objects.filter(name="Vorukh")
    ingest(VORUKH_EN, outlet="24.kg", published="2019-07-23", verbosity=0)
    ingest(VORUKH_ALSO, outlet="Asia-Plus", published="2019-03-14", verbosity=0)
    ingest(ZASTAVY_RU, outlet="Kabar", published="2021-04-29", verbosity=0)
    assert vorukh.count() == 1
    articles = set(vorukh.get().mentions.values_list("article__slug", flat=True))
    assert articles == {VORUKH_EN.stem, VORUKH_ALSO.stem, ZASTAVY_RU.stem}
    assert {"Vorukh", "Ворух"} <= set(vorukh.get().mentions.values_list("text", flat=True))


@pytest.mark.parametrize(
    "content, options, message",
    [
        (b"", {}, "the text is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", {}, "not UTF-8 text"),
        (b"Border clash near Kok-Tash and Ak-Sai.", {"language": "kg"}, "language 'kg'"),
        ("边境冲突发生在巴特肯州".encode(), {}, "neither English nor Russian"),
    ],
    ids=["empty", "binary", "unknown language", "neither language"],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(db, tmp_path, content, options, message):
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        ingest(path, outlet="X", published="2021-05-02", verbosity=0, **options)
    assert snapshot() == before


def test_html_with_no_article_is_refused_and_changes_nothing(db):
    before = snapshot()
    with pytest.raises(CommandError, match="no article in the page"):
        ingest(FIXTURES / "no-article.html", published="2021-05-02", verbosity=0)
    assert snapshot() == before


def test_a_good_file_before_a_bad_one_is_not_applied_either(db, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    before = snapshot()
    with pytest.raises(CommandError, match="empty"):
        ingest(VORUKH_EN, bad, outlet="24.kg", published="2019-07-23", verbosity=0)
    assert snapshot() == before
