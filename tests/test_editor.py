"""The editors' pages: sign-in and roles, adding an article, reviewing its places, drafting a
claim from a passage and publishing it, with the refusals (anonymous, editors, CSRF, stale
forms, bad input) that leave everything as it was."""

import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from border_map.models import Article, Excerpt, Incident, MentionDecision, Place
from tests.seed import INCIDENTS

GOLD = Path(__file__).resolve().parent / "data" / "goldset"
REUTERS = "reuters-2021-04-29-security-forces-clash-water-dispute"
KABAR = "kabar-2021-04-29-tadzhikskaia-storona-obstreliala-zastavy"
SEED = "rferl-2021-04-30-kyrgyz-tajik-ceasefire"
PASSWORD = "a long enough password"


def user(role: str, name: str | None = None) -> User:
    call_command("add_editor", name or role, role=role, password_from_env="EDITOR_PASSWORD")
    return User.objects.get(username=name or role)


def signed_in(role: str, monkeypatch: pytest.MonkeyPatch, **options: bool) -> Client:
    monkeypatch.setenv("EDITOR_PASSWORD", PASSWORD)
    client = Client(**options)
    client.force_login(user(role))
    return client


@pytest.fixture
def editor(db, monkeypatch):
    return signed_in("editor", monkeypatch)


@pytest.fixture
def reviewer(db, monkeypatch):
    return signed_in("reviewer", monkeypatch)


def gold_text(slug: str) -> str:
    with open(GOLD / f"{slug}.txt", encoding="utf-8", newline="") as f:
        return f.read()


def add_article(client: Client, slug: str, **fields: str):
    data = {
        "text": gold_text(slug),
        "title": fields.get("title", slug),
        "outlet": fields.get("outlet", "Reuters"),
        "published": fields.get("published", "2021-04-29"),
        "language": fields.get("language", "auto"),
        "url": "",
    }
    return client.post("/editor/articles/new", data)


def test_anonymous_visitors_are_sent_to_sign_in_from_every_editor_page(client, db):
    for url in ["/editor/", "/editor/articles/new", f"/editor/articles/{SEED}/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/editor/login/?next="), url
    assert client.get("/editor/login/").status_code == 200


def test_the_public_map_and_api_are_unchanged_for_anonymous_visitors(client, db):
    assert client.get("/").status_code == 200
    assert client.get("/api/incidents.geojson").status_code == 200
    assert client.post("/api/incidents.geojson").status_code == 405


def test_a_user_without_a_role_gets_403(client, db):
    client.force_login(User.objects.create_user("nobody", password=PASSWORD))
    assert client.get("/editor/").status_code == 403


def test_add_editor_makes_an_editor_who_can_sign_in_and_changes_the_role(db, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command("add_editor", "ann", role="editor", password_from_env="EDITOR_PASSWORD", stdout=out)
    assert "Added ann as editor" in out.getvalue()
    client = Client()
    response = client.post("/editor/login/", {"username": "ann", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/editor/"
    assert [g.name for g in User.objects.get(username="ann").groups.all()] == ["editor"]
    call_command("add_editor", "ann", role="reviewer", stdout=out)
    assert [g.name for g in User.objects.get(username="ann").groups.all()] == ["reviewer"]


def test_failed_sign_ins_are_throttled(db, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", PASSWORD)
    user("editor", "bob")
    client = Client()
    for _ in range(5):
        client.post("/editor/login/", {"username": "bob", "password": "wrong"})
    response = client.post("/editor/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_an_editor_adds_an_english_article_from_pasted_text(editor):
    response = add_article(editor, REUTERS, title="Kyrgyz, Tajik security forces clash")
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug=response["Location"].split("/")[-2])
    assert article.text == gold_text(REUTERS)
    assert article.language == "en"
    assert article.mentions.filter(text="Isfara river").exists()
    assert article.mentions.get(text="BISHKEK").place.needs_review
    page = editor.get(response["Location"])
    assert page.status_code == 200
    assert b'class="name name-resolved"' in page.content
    assert b'class="name name-needs-review"' in page.content
    assert article.history.first().history_user.username == "editor"


def test_an_uploaded_html_file_fills_title_outlet_and_date(editor):
    html = (
        "<html><head><title>Clash at Vorukh</title>"
        '<meta property="og:site_name" content="Test Outlet">'
        '<meta property="article:published_time" content="2021-04-29"></head><body><article>'
        "<h1>Clash at Vorukh</h1><p>" + gold_text(REUTERS).split("\n", 2)[2] + "</p>"
        "</article></body></html>"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("vorukh.html", html.encode(), content_type="text/html")
    response = editor.post("/editor/articles/new", {"upload": upload, "language": "auto"})
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug=response["Location"].split("/")[-2])
    assert (article.title, article.outlet, article.published) == (
        "Clash at Vorukh",
        "Test Outlet",
        datetime.date(2021, 4, 29),
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", b"is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"binary"),
        ("latin1.txt", "Vorukh café".encode("latin-1") * 50, b"not UTF-8"),
        ("big.txt", b"Vorukh. " * 2_600_000, b"at most"),
        ("article.pdf", b"%PDF-1.4", b".txt or .html"),
    ],
)
def test_a_bad_upload_gets_a_message_and_changes_nothing(editor, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = (Article.objects.count(), Place.objects.count())
    upload = SimpleUploadedFile(name, content)
    response = editor.post(
        "/editor/articles/new",
        {"upload": upload, "outlet": "X", "published": "2021-04-29", "language": "auto"},
    )
    assert response.status_code == 400
    assert message in response.content, response.content.decode()[-3000:]
    assert (Article.objects.count(), Place.objects.count()) == before


def test_pasted_text_without_outlet_asks_for_it(editor):
    response = add_article(editor, REUTERS, outlet="")
    assert response.status_code == 400
    assert b"no outlet in the source: fill in outlet" in response.content
