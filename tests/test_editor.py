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
    call_command(
        "add_editor", "ann", role="editor", password_from_env="EDITOR_PASSWORD", stdout=out
    )
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


def added(client: Client, slug: str, **fields: str) -> Article:
    response = add_article(client, slug, **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Article.objects.get(slug=response["Location"].split("/")[-2])


def decide(client: Client, article: Article, start: int, action: str, **fields: object):
    name = article.mentions.filter(start=start).first()
    end = name.end if name else fields.pop("end")
    data = {"start": start, "end": end, "action": action, **fields}
    return client.post(f"/editor/articles/{article.slug}/names", data)


def test_decisions_on_names_stick_when_the_article_is_ingested_again(editor):
    article = added(editor, REUTERS)
    bishkek = article.mentions.get(text="BISHKEK")
    dushanbe = article.mentions.get(text="Dushanbe")
    sughd = article.mentions.get(text="Sughd province")
    # Placed by hand: a new place in the gazetteer with the editor's source.
    response = decide(
        editor, article, bishkek.start, "place",
        lat=42.8746, lon=74.5698, precision_m=5000, source="OpenStreetMap", kind="town",
    )  # fmt: skip
    assert response.status_code == 302
    placed = article.mentions.get(start=bishkek.start).place
    assert (placed.source, placed.precision_m, placed.geocoder) == (
        "placed by an editor: OpenStreetMap",
        5000,
        "editor",
    )
    assert placed.country == "KG" and not placed.needs_review
    decide(editor, article, dushanbe.start, "reject")
    decide(editor, article, sughd.start, "accept")
    assert not article.mentions.filter(start=dushanbe.start).exists()

    response = editor.post(f"/editor/articles/{article.slug}/ingest")
    assert response.status_code == 302
    assert article.mentions.get(start=bishkek.start).place == placed
    assert not article.mentions.filter(start=dushanbe.start).exists()
    assert not article.mentions.get(start=sughd.start).place.needs_review
    assert MentionDecision.objects.filter(article=article).count() == 3
    page = editor.get(f"/editor/articles/{article.slug}/").content.decode()
    assert f'class="name name-rejected" id="name-{dushanbe.start}"' in page
    assert f'class="name name-resolved" id="name-{bishkek.start}"' in page


def test_a_decision_on_a_span_that_is_not_the_name_changes_nothing(editor):
    article = Article.objects.get(slug=SEED)
    before = list(article.mentions.values_list("start", "place"))
    response = editor.post(
        f"/editor/articles/{SEED}/names",
        {"start": 5, "end": 900, "action": "reject"},
        follow=True,
    )
    assert b"No name at [5:900]" in response.content
    response = editor.post(
        f"/editor/articles/{SEED}/names",
        {"start": before[0][0], "end": before[0][0] + 3, "action": "place", "lat": 95,
         "lon": 70, "precision_m": 10, "source": "x", "kind": "town"},
        follow=True,
    )  # fmt: skip
    assert b"The point is not placed" in response.content
    assert list(article.mentions.values_list("start", "place")) == before
    assert not MentionDecision.objects.exists()


def claim_url(article: Article, passage: str) -> str:
    start = article.text.index(passage)
    return f"/editor/articles/{article.slug}/claims/new?start={start}&end={start + len(passage)}"


GOLOVNOI_PASSAGE = "С 14:05 началась перестрелка в местности «Головной»"


def test_a_claim_drafted_from_a_passage_is_suggested_saved_as_draft_and_published(
    editor, reviewer, client
):
    article = added(editor, KABAR, outlet="Kabar", title="Kabar: Головной")
    form = editor.get(claim_url(article, GOLOVNOI_PASSAGE))
    assert form.status_code == 200
    initial = form.context["form"].initial
    assert initial["type"] == "gunfire"
    assert initial["date"] == datetime.date(2021, 4, 29)
    assert initial["claimed_by"].startswith("Отдел по связям с общественностью")
    assert initial["place"].name == "Golovnoi"
    start = article.text.index(GOLOVNOI_PASSAGE)
    data = {
        "excerpt": [f"{start}:{start + len(GOLOVNOI_PASSAGE)}"],
        "title": "Kyrgyz border service: gunfire at Golovnoi from 14:05",
        "claimed_by": "Kyrgyz Border Service",
        "type": "gunfire",
        "date": "2021-04-29",
        "date_precision": "day",
        "place": initial["place"].pk,
        "casualties": "",
        "location_note": "",
    }
    response = editor.post(claim_url(article, GOLOVNOI_PASSAGE), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    claim = Incident.objects.get(title=data["title"])
    assert claim.status == "draft"
    assert [e.text for e in claim.excerpts.all()] == [GOLOVNOI_PASSAGE]
    assert client.get(f"/map/incidents/{claim.slug}.json").status_code == 404

    version = claim.updated.isoformat()
    status_url = f"/editor/claims/{claim.slug}/status"
    assert editor.post(status_url, {"status": "published", "version": version}).status_code == 403
    assert client.post(status_url, {"status": "published", "version": version}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "draft"
    assert reviewer.post(status_url, {"status": "published", "version": version}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "published"
    detail = client.get(f"/map/incidents/{claim.slug}.json").json()
    assert GOLOVNOI_PASSAGE in str(detail)
    history = reviewer.get(f"/editor/claims/{claim.slug}/").content.decode()
    assert "<td>reviewer</td><td>changed</td><td>status" in history
    assert "<td>editor</td><td>created</td>" in history
    span = f"[{start}:{start + len(GOLOVNOI_PASSAGE)}]"
    assert f"<td>{span}</td>" in history.split("excerpt-history-heading")[-1]


def test_csrf_holds_on_publishing(monkeypatch, db):
    reviewer = signed_in("reviewer", monkeypatch, enforce_csrf_checks=True)
    claim = Incident.objects.get(slug="tajik-border-guards-kyrgyz-fired-first-at-golovnoi")
    response = reviewer.post(
        f"/editor/claims/{claim.slug}/status",
        {"status": "rejected", "version": claim.updated.isoformat()},
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "published"


def test_a_stale_claim_form_is_refused_and_keeps_the_newer_change(editor, reviewer):
    claim = Incident.objects.get(slug="tajik-border-guards-kyrgyz-fired-first-at-golovnoi")
    page = editor.get(f"/editor/claims/{claim.slug}/")
    version = page.context["form"].initial["version"]
    excerpts = [f"{e.start}:{e.end}" for e in claim.excerpts.all()]
    data = {
        "version": version,
        "excerpt": excerpts,
        "title": claim.title,
        "claimed_by": claim.claimed_by,
        "type": claim.type,
        "date": claim.date.isoformat(),
        "date_end": claim.date_end.isoformat(),
        "date_precision": claim.date_precision,
        "place": claim.place_id,
        "casualties": "",
        "location_note": claim.location_note,
    }
    # The reviewer saves first...
    assert (
        reviewer.post(f"/editor/claims/{claim.slug}/", {**data, "casualties": "two"}).status_code
        == 302
    )
    # ...then the editor's form, opened before, is refused.
    response = editor.post(f"/editor/claims/{claim.slug}/", {**data, "casualties": "none"})
    assert response.status_code == 409
    assert b"Someone else changed this claim" in response.content
    claim.refresh_from_db()
    assert claim.casualties == "two"
    # And a stale publication too.
    response = reviewer.post(
        f"/editor/claims/{claim.slug}/status", {"status": "rejected", "version": version},
        follow=True,
    )  # fmt: skip
    assert b"Someone else changed this claim" in response.content
    claim.refresh_from_db()
    assert claim.status == "published"


def test_an_editors_change_to_a_published_claim_sends_it_back_to_draft(editor):
    claim = Incident.objects.get(slug="tajik-border-guards-kyrgyz-fired-first-at-golovnoi")
    page = editor.get(f"/editor/claims/{claim.slug}/")
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(excerpt=[f"{e.start}:{e.end}" for e in claim.excerpts.all()], title="Changed")
    data["place"] = claim.place_id
    response = editor.post(f"/editor/claims/{claim.slug}/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    claim.refresh_from_db()
    assert (claim.title, claim.status) == ("Changed", "draft")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=10&end=5", b"is not a passage"),
        ("start=0&end=99999999", b"is not a passage"),
        ("start=a&end=b", b"is not a passage"),
        ("start=200&end=220&quote=not+these+words", b"not in the article"),
    ],
)
def test_a_passage_that_is_not_in_the_text_is_refused(editor, query, message):
    response = editor.get(f"/editor/articles/{SEED}/claims/new?{query}")
    assert response.status_code == 400
    assert message in response.content


def test_a_pasted_passage_must_be_verbatim_and_a_date_plausible(editor):
    article = Article.objects.get(slug=SEED)
    count = Incident.objects.count()
    data = {
        "add_passage": "Kyrgyz police blamed no one at all",
        "title": "t",
        "claimed_by": "c",
        "type": "gunfire",
        "date": "2021-04-29",
        "date_precision": "day",
        "place": Place.objects.get(name="Kok-Tash").pk,
    }
    url = f"/editor/articles/{SEED}/claims/new"
    response = editor.post(url, data)
    assert response.status_code == 400 and b"That passage is not in the article" in response.content
    passage = "Kyrgyz police in the Batken region blamed Tajik citizens for the escalation"
    assert passage in article.text
    response = editor.post(url, {**data, "add_passage": passage, "date": "2021-05-30"})
    assert response.status_code == 400
    assert b"outside the article&#x27;s plausible range" in response.content
    response = editor.post(url, {**data, "add_passage": passage, "date": "2009-01-01"})
    assert response.status_code == 400
    assert Incident.objects.count() == count
    response = editor.post(url, {**data, "add_passage": passage})
    assert response.status_code == 302
    assert Incident.objects.count() == count + 1


def test_the_review_page_proposes_claims_and_a_discarded_one_stays_away(editor):
    article = added(editor, REUTERS)
    page = editor.get(f"/editor/articles/{article.slug}/")
    proposals = page.context["proposals"]
    assert any(p.text.startswith("Fighting broke out late on Wednesday") for p in proposals)
    assert not any(p.text.startswith("Tajikistan said") for p in proposals)  # no place named
    first = proposals[0]
    editor.post(
        f"/editor/articles/{article.slug}/proposals/dismiss",
        {"start": first.start, "end": first.end},
    )
    again = editor.get(f"/editor/articles/{article.slug}/").context["proposals"]
    assert (first.start, first.end) not in [(p.start, p.end) for p in again]
    assert len(again) == len(proposals) - 1
    editor.post(f"/editor/articles/{article.slug}/ingest")
    after = editor.get(f"/editor/articles/{article.slug}/").context["proposals"]
    assert [(p.start, p.end) for p in after] == [(p.start, p.end) for p in again]


def test_the_seed_articles_claims_show_on_its_review_page_with_history(editor):
    page = editor.get(f"/editor/articles/{SEED}/")
    assert page.status_code == 200
    published = [i for i in INCIDENTS if i["article"] == SEED]
    assert len(page.context["claims"]) == len(published)
    assert Excerpt.history.exists()


def test_a_place_put_on_the_map_has_a_page_with_its_source_and_history(editor):
    article = added(editor, REUTERS)
    dushanbe = article.mentions.get(text="Dushanbe")
    decide(
        editor, article, dushanbe.start, "place",
        lat=38.5598, lon=68.787, precision_m=2000, source="<b>a city map</b>", kind="town",
    )  # fmt: skip
    place = article.mentions.get(start=dushanbe.start).place
    page = editor.get(f"/editor/places/{place.slug}/").content.decode()
    assert "placed by an editor: &lt;b&gt;a city map&lt;/b&gt;" in page
    assert "<td>editor</td><td>created</td>" in page
    assert f'href="/editor/articles/{article.slug}/"' in page


def test_reloading_the_data_adds_no_history_and_keeps_each_claims_version(db):
    from border_map.models import Article as A

    counts = [m.history.count() for m in (A, Place, Excerpt, Incident)]
    versions = dict(Incident.objects.values_list("slug", "updated"))
    call_command("load_data", verbosity=0)
    assert [m.history.count() for m in (A, Place, Excerpt, Incident)] == counts
    assert dict(Incident.objects.values_list("slug", "updated")) == versions
    claim = Incident.objects.get(slug="tajik-border-guards-kyrgyz-fired-first-at-golovnoi")
    claim.casualties = "none stated"
    claim.save()
    assert claim.updated > versions[claim.slug]
    assert Incident.history.count() == counts[3] + 1


def test_a_claim_drafted_from_the_seed_suggests_the_actor_its_claimant_names(editor, reviewer):
    """The claimant the passage names ("Tajikistan's Border Guard Service") is a known actor:
    the form suggests it, with its side, and the saved claim keeps the editor's choice."""
    article = Article.objects.get(slug=SEED)
    passage = next(
        e.text
        for e in Incident.objects.get(
            slug="tajik-border-guards-kyrgyz-fired-first-at-golovnoi"
        ).excerpts.all()
    )
    form = editor.get(claim_url(article, passage))
    initial = form.context["form"].initial
    assert initial["claimed_by"] == "Tajikistan's Border Guard Service"
    assert initial["actor"].slug == "tajik-border-guard-service"
    assert "(Tajik official)" in form.content.decode()


def test_an_editor_imports_an_acled_file_as_drafts_and_a_bad_one_changes_nothing(editor, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_acled import ROWS, acled_csv, replace, snapshot

    assert client.get("/editor/acled").status_code == 302  # anonymous: to the sign-in page
    bad = SimpleUploadedFile("bad.csv", replace(0, latitude="91").encode(), "text/csv")
    before = snapshot()
    response = editor.post("/editor/acled", {"upload": bad})
    assert response.status_code == 400
    assert "latitude 91 is outside -90..90" in response.content.decode()
    assert snapshot() == before
    good = SimpleUploadedFile("acled.csv", acled_csv().encode(), "text/csv")
    response = editor.post("/editor/acled", {"upload": good})
    assert response.status_code == 200, response.content.decode()[-2000:]
    assert "draft claims created" in response.content.decode()
    imported = Incident.objects.filter(event_id__in=[row["event_id_cnty"] for row in ROWS])
    assert imported.exists()
    assert set(imported.values_list("status", flat=True)) == {"draft"}
