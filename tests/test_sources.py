"""Article sources (border_map/sources.py): text and HTML files, folders, and URLs fetched from
a loopback HTTP server (an article, a page without one, a 500, a server that does not answer)."""

import datetime
from pathlib import Path

import pytest

from border_map.sources import (
    SourceError,
    fetch,
    files_in,
    from_html_file,
    from_text_file,
    from_url,
)
from tests.article_server import ArticleServer

FIXTURES = Path(__file__).parent / "fixtures"
GOLD = Path(__file__).parent / "data" / "goldset"


@pytest.fixture(scope="module")
def server():
    """A loopback HTTP server on a free port."""
    with ArticleServer() as running:
        yield running


def test_an_html_file_gives_the_article_text_and_the_metadata_the_page_states():
    draft = from_html_file(FIXTURES / "article.html")
    assert draft.title == "Shots fired near Kok-Tash as border talks stall"
    assert draft.outlet == "Example News"
    assert draft.published == datetime.date(2021, 5, 2)
    assert draft.url == "https://news.example/2021/05/02/kok-tash"
    assert draft.language == "en" and draft.slug == "kok-tash"
    assert draft.text.startswith("Shots fired near Kok-Tash as border talks stall\n\nBATKEN --")
    assert "Privacy policy" not in draft.text and "Sport" not in draft.text


def test_options_fill_and_override_what_the_page_says():
    options = {"outlet": "RFE/RL", "published": "2021-05-03", "title": "Another title"}
    draft = from_html_file(FIXTURES / "article.html", options)
    assert (draft.outlet, draft.published, draft.title) == (
        "RFE/RL",
        datetime.date(2021, 5, 3),
        "Another title",
    )
    assert draft.url == "https://news.example/2021/05/02/kok-tash"  # not overridden


def test_a_page_without_an_article_is_refused():
    with pytest.raises(SourceError, match="no article in the page"):
        from_html_file(FIXTURES / "no-article.html")


def test_a_text_file_takes_its_first_line_for_title_and_needs_date_and_outlet():
    path = GOLD / "rferl-2014-01-11-guards-injured-border-clash.txt"
    with pytest.raises(SourceError, match="give --published"):
        from_text_file(path, {"outlet": "RFE/RL"})
    with pytest.raises(SourceError, match="give --outlet"):
        from_text_file(path, {"published": "2014-01-11"})
    draft = from_text_file(path, {"outlet": "RFE/RL", "published": "2014-01-11"})
    assert draft.title == "Kyrgyz, Tajik Guards Injured In Border Clash"
    assert draft.slug == "rferl-2014-01-11-guards-injured-border-clash"
    with open(path, encoding="utf-8", newline="") as f:
        assert draft.text == f.read()
    assert draft.language == "en" and draft.url == ""


def test_a_russian_text_file_is_detected_as_russian():
    path = GOLD / "tengrinews-2014-01-11-perestrelka-na-granitse.txt"
    draft = from_text_file(path, {"outlet": "Tengrinews", "published": "2014-01-11"})
    assert draft.language == "ru"


@pytest.mark.parametrize(
    "content, options, message",
    [
        (b"", {}, "the text is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", {}, "not UTF-8 text"),
        (b"Bat\x00ken border clash", {}, "NUL bytes"),
        ("边境冲突发生在巴特肯州".encode(), {}, "neither English nor Russian"),
        (b"Border clash near Kok-Tash", {"language": "kg"}, "language 'kg'"),
        (b"Border clash near Kok-Tash", {"published": "May 2"}, "not a YYYY-MM-DD date"),
    ],
    ids=["empty", "binary", "nul", "chinese", "unknown language", "bad date"],
)
def test_bad_text_files_are_refused_naming_the_file(tmp_path, content, options, message):
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        from_text_file(path, {"outlet": "X", "published": "2021-05-02", **options})
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_a_folder_lists_json_text_and_html_files_but_not_the_text_a_json_names(tmp_path):
    (tmp_path / "a.json").write_text('{"text_file": "a.txt"}', encoding="utf-8")
    for name in ("a.txt", "b.txt", "c.html", "notes.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in files_in(tmp_path)] == ["a.json", "b.txt", "c.html"]


def test_a_url_is_fetched_with_a_user_agent_and_reduced_to_its_article(server):
    draft = from_url(f"{server.url}/article", {}, timeout=5, user_agent="border_map-test/1")
    assert draft.title == "Shots fired near Kok-Tash as border talks stall"
    assert draft.url == "https://news.example/2021/05/02/kok-tash"  # the page's canonical URL
    assert "border_map-test/1" in server.agents


@pytest.mark.parametrize(
    "path, message",
    [
        ("/error", "answered 500 Internal Server Error"),
        ("/missing", "answered 404"),
        ("/image", "answered image/png, not an HTML page"),
        ("/login", "no article in the page"),
    ],
)
def test_a_url_that_fails_is_a_clear_error(server, path, message):
    with pytest.raises(SourceError) as caught:
        from_url(f"{server.url}{path}", {}, timeout=5)
    assert message in str(caught.value) and f"{server.url}{path}" in str(caught.value)


def test_a_url_that_does_not_answer_times_out(server):
    with pytest.raises(SourceError, match=r"no answer within 0\.5 s"):
        fetch(f"{server.url}/slow", timeout=0.5)


def test_only_http_urls_are_fetched():
    with pytest.raises(SourceError, match="only http and https"):
        fetch("file:///etc/passwd")
