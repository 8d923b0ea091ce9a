"""The editors' pages in real Chromium: sign in, add the gold set's English and Russian sample
articles, fix a name by clicking the map, draft a claim from a selection, publish it and find
it on the public map with its excerpt; the refusals (anonymous visitors and editors cannot
publish, CSRF, a stale form); and hostile text that stays inert on the review page and forms."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from border_map.models import (
    Article,
    Excerpt,
    Incident,
    Mention,
    MentionDecision,
    Place,
)

pytestmark = pytest.mark.browser

GOLD = Path(__file__).resolve().parent.parent / "data" / "goldset"
REUTERS = "reuters-2021-04-29-security-forces-clash-water-dispute"
KABAR = "kabar-2021-04-29-tadzhikskaia-storona-obstreliala-zastavy"
PASSWORD = "a long enough password"
SENTENCE = "Fighting broke out late on Wednesday"
INGEST_MS = 120_000  # geoparsing a Russian article loads the NER models the first time


def gold_text(slug):
    with open(GOLD / f"{slug}.txt", encoding="utf-8", newline="") as f:
        return f.read()


@pytest.fixture
def people(django_db_blocker, django_db_setup):
    """A reviewer and an editor, committed for the live server; what the test adds (articles,
    claims, places, decisions) is removed afterwards, so the other browser tests see the seed."""
    with django_db_blocker.unblock():
        before = {
            model: set(model.objects.values_list("pk", flat=True))
            for model in (Article, Incident, Place)
        }
        made = {}
        for name, role in (("rita", "reviewer"), ("ed", "editor")):
            user = User.objects.create_user(name, password=PASSWORD)
            user.groups.add(Group.objects.get(name=role))
            made[role] = user
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            Incident.objects.exclude(pk__in=before[Incident]).delete()
            MentionDecision.objects.all().delete()
            Article.objects.exclude(pk__in=before[Article]).delete()
            Place.objects.exclude(pk__in=before[Place]).filter(incidents__isnull=True).delete()
            for user in made.values():
                user.delete()


def sign_in(v, username):
    page = v.page
    page.goto(v.live_url + "/editor/")
    assert "/editor/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/editor/$"))
    return page


def add_article(page, live_url, slug, title, outlet):
    page.goto(live_url + "/editor/articles/new")
    page.fill("#id_text", gold_text(slug))
    page.fill("#id_title", title)
    page.fill("#id_outlet", outlet)
    page.fill("#id_published", "2021-04-29")
    page.click("#article-form button[type=submit]")
    page.wait_for_url(re.compile(r"/editor/articles/[\w-]+/$"), timeout=INGEST_MS)
    page.wait_for_selector("html[data-review=ready]", state="attached")
    return page.url


def select_text(page, words):
    """Select `words` in the article's text as a reader would with the mouse (a DOM Range from
    the text node holding the first word to the one holding the last)."""
    page.evaluate(
        """(words) => {
          const root = document.getElementById('article-text');
          const full = root.textContent;
          const at = full.indexOf(words);
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          let seen = 0, node, start = null, end = null;
          while ((node = walker.nextNode())) {
            const next = seen + node.data.length;
            if (start === null && at < next) start = [node, at - seen];
            if (end === null && at + words.length <= next) {
              end = [node, at + words.length - seen];
              break;
            }
            seen = next;
          }
          const range = document.createRange();
          range.setStart(...start);
          range.setEnd(...end);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }""",
        words,
    )


def test_from_article_to_a_published_claim_on_the_map(visit, people, django_db_blocker):
    v = visit()
    page = sign_in(v, "rita")
    add_article(page, v.live_url, KABAR, "Kabar: shooting at the border posts", "Kabar")
    assert page.locator("mark.name").count() > 0
    assert "Головной" in page.inner_text("#article-text")
    review_url = add_article(page, v.live_url, REUTERS, "Reuters: clash over water", "Reuters")

    # BISHKEK needs review (far from the article's other places): place it by clicking the map.
    bishkek = page.locator("mark.name-needs-review", has_text=re.compile("^BISHKEK$"))
    start = bishkek.get_attribute("data-start")
    bishkek.click()
    page.wait_for_selector("#name-panel:not([hidden])")
    assert page.inner_text("#name-title") == "BISHKEK"
    box = page.locator("#review-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("body[data-clicked=yes]", state="attached")
    lat = float(page.input_value("#place-lat"))
    lon = float(page.input_value("#place-lon"))
    page.fill("#place-precision", "3000")
    page.fill("#place-source", "the reporter's dateline, on OpenStreetMap")
    page.select_option("#place-kind", "town")
    page.click("#place-form button[type=submit]")
    page.wait_for_selector(f"mark.name-resolved#name-{start}")
    assert "placed on the map" in page.inner_text(".messages")
    with django_db_blocker.unblock():
        placed = Mention.objects.get(article__title="Reuters: clash over water", start=start).place
        assert placed.source == "placed by an editor: the reporter's dateline, on OpenStreetMap"
        assert (round(placed.point.y, 5), round(placed.point.x, 5)) == (
            round(lat, 5),
            round(lon, 5),
        )
        assert placed.precision_m == 3000

    # The place's own page: where its point comes from, and who put it there.
    page.click(f"mark#name-{start}")
    page.click("#name-place-link")
    page.wait_for_selector(".history")
    assert "placed by an editor: the reporter's dateline" in page.inner_text("dl.facts")
    assert "rita" in page.inner_text(".history")

    # A claim from a selected passage, with its suggestions.
    page.goto(review_url)
    page.wait_for_selector("html[data-review=ready]", state="attached")
    passage = (
        "Fighting broke out late on Wednesday on the border between Tajikistan’s northern "
        "Sughd province and Kyrgyzstan’s southern Batken province"
    )
    select_text(page, passage)
    page.wait_for_selector("#draft-claim:not([disabled])")
    page.click("#draft-claim")
    page.wait_for_load_state()
    assert page.locator("#claim-form").count() == 1, (page.url, page.inner_text("main"))
    assert page.input_value("#id_type") == "clash"
    assert page.input_value("#id_date") == "2021-04-28"
    assert passage in page.inner_text("#claim-form fieldset")
    page.fill("#id_claimed_by", "Reuters")
    page.fill("#id_title", "Reuters: fighting on the Sughd–Batken border")
    page.click("#claim-form button[type=submit]")
    page.wait_for_selector("#claim-status")
    assert page.inner_text("#claim-status") == "draft"
    slug = page.url.rstrip("/").split("/")[-1]

    # A draft is not public.
    anonymous = visit()
    answer = anonymous.page.request.get(anonymous.live_url + f"/map/incidents/{slug}.json")
    assert answer.status == 404

    page.click("#status-form button[value=published]")
    page.wait_for_selector("#claim-status:text('published')")
    assert "History" in page.inner_text(".history")
    assert "rita" in page.inner_text(".history")

    # On the public map at once, with its excerpt.
    public = anonymous.open(f"/?incident={slug}")
    popup = public.wait_for_selector(f".incident-popup-body[data-incident='{slug}']")
    assert passage in popup.inner_text()
    assert "Reuters: fighting on the Sughd–Batken border" in popup.inner_text()
    assert v.errors == [] and anonymous.errors == []
    assert v.other_hosts() == []


def _post_status(page, slug, csrf=True):
    """A publication POST from the page's own script, as a forged or hand-made form would."""
    return page.evaluate(
        """async ([slug, csrf]) => {
          const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
          const body = new URLSearchParams({status: 'published', version: 'x'});
          if (csrf) body.set('csrfmiddlewaretoken', token);
          const r = await fetch(`/editor/claims/${slug}/status`,
                                {method: 'POST', body, redirect: 'manual'});
          return r.status;
        }""",
        [slug, csrf],
    )


@pytest.fixture
def draft(django_db_blocker, django_db_setup):
    """A draft claim on a seed excerpt, committed; removed afterwards."""
    with django_db_blocker.unblock():
        excerpt = Excerpt.objects.filter(incidents__isnull=False).first()
        incident = Incident.objects.create(
            slug="browser-draft",
            date=dt.date(2021, 4, 29),
            title="A draft to refuse",
            type=Incident.Type.CLASH,
            place=excerpt.places.first() or Place.objects.first(),
            claimed_by="Someone",
            status=Incident.Status.DRAFT,
        )
        incident.excerpts.add(excerpt)
    yield incident
    with django_db_blocker.unblock():
        incident.delete()


def test_anonymous_visitors_and_editors_cannot_publish_and_csrf_holds(
    visit, people, draft, django_db_blocker
):
    anonymous = visit()
    anonymous.page.goto(anonymous.live_url + f"/editor/claims/{draft.slug}/")
    assert "/editor/login/" in anonymous.page.url

    editor = visit()
    page = sign_in(editor, "ed")
    page.goto(editor.live_url + f"/editor/claims/{draft.slug}/")
    assert page.locator("#status-form").count() == 0
    assert "A reviewer publishes" in page.inner_text(".publish")
    assert _post_status(page, draft.slug) == 403

    reviewer = visit()
    page = sign_in(reviewer, "rita")
    page.goto(reviewer.live_url + f"/editor/claims/{draft.slug}/")
    assert _post_status(page, draft.slug, csrf=False) == 403
    with django_db_blocker.unblock():
        draft.refresh_from_db()
        assert draft.status == "draft"


def test_a_stale_form_is_refused_with_a_message(visit, people, draft, django_db_blocker):
    v = visit()
    page = sign_in(v, "rita")
    other = v.context.new_page()
    url = v.live_url + f"/editor/claims/{draft.slug}/"
    page.goto(url)
    other.goto(url)
    other.fill("#id_casualties", "two wounded, as stated")
    other.click("#claim-form button[type=submit]")
    other.wait_for_selector(".messages")
    page.fill("#id_casualties", "none")
    page.click("#claim-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Someone else changed this claim" in page.inner_text(".messages")
    assert page.input_value("#id_casualties") == "two wounded, as stated"
    with django_db_blocker.unblock():
        draft.refresh_from_db()
        assert draft.casualties == "two wounded, as stated"


HOSTILE_TEXT = (
    "<script>alert('text ran')</script> Border guards exchanged fire near "
    "<b>Vorukh</b> on April 29, <img src=x onerror=\"alert('img ran')\"> the service said."
)
HOSTILE_PLACE = "<img src=x onerror=\"alert('place ran')\">"


@pytest.fixture
def hostile(django_db_blocker, django_db_setup):
    """An article whose text, title, names, candidates and claim carry markup."""
    with django_db_blocker.unblock():
        seed_place = Place.objects.get(slug="kok-tash")
        place = Place.objects.create(
            slug="hostile-place", name=HOSTILE_PLACE, kind="settlement", point=seed_place.point,
            geocoder="editor", precision_m=1000, source="<b>source</b>", needs_review=True,
            review_note="<script>alert('note ran')</script>",
        )  # fmt: skip
        at = HOSTILE_TEXT.index("Vorukh")
        candidate = {
            "name": HOSTILE_PLACE, "alternate_names": [], "kind": "settlement", "lat": 40.0,
            "lon": 70.6, "precision_m": 1000, "estimated": False, "source": "<i>x</i>",
            "country": "", "curated": False, "population": 0, "score": 1.0,
        }  # fmt: skip
        article = Article.objects.create(
            slug="hostile-review",
            title="<img src=x onerror=\"alert('title ran')\">",
            outlet="<b>Outlet</b>",
            published=dt.date(2021, 4, 30),
            text=HOSTILE_TEXT,
            geoparse_result={
                "candidates": {str(at): [candidate]},
                "unresolved": [{"start": 0, "end": 8, "text": "<script>", "why": "<b>why</b>"}],
            },
        )
        Mention.objects.create(article=article, place=place, start=at, end=at + 6, text="Vorukh")
        excerpt = Excerpt.objects.create(
            article=article, start=0, end=len(HOSTILE_TEXT), text=HOSTILE_TEXT
        )
        incident = Incident.objects.create(
            slug="hostile-claim", date=dt.date(2021, 4, 29), title="<script>alert(1)</script>",
            type="gunfire", place=place, claimed_by=HOSTILE_PLACE, status="draft",
        )  # fmt: skip
        incident.excerpts.add(excerpt)
    yield article
    with django_db_blocker.unblock():
        incident.delete()
        article.delete()
        place.delete()


def test_hostile_text_stays_inert_on_the_review_page_and_the_forms(visit, people, hostile):
    v = visit()
    page = sign_in(v, "ed")
    page.goto(v.live_url + f"/editor/articles/{hostile.slug}/")
    page.wait_for_selector("html[data-review=ready]", state="attached")
    assert page.inner_text("#article-text") == HOSTILE_TEXT
    assert page.inner_text("h1") == hostile.title
    page.click("mark.name-needs-review")
    page.wait_for_selector("#name-panel:not([hidden])")
    assert HOSTILE_PLACE in page.inner_text("#name-place")
    assert "<script>alert('note ran')</script>" in page.inner_text("#name-state")
    assert HOSTILE_PLACE in page.inner_text("#candidate-select")
    page.hover(".review-map .leaflet-interactive >> nth=0", force=True)
    # The proposal for the sentence and the claim form made from it.
    select_text(page, "Border guards exchanged fire near")
    page.click("#draft-claim")
    page.wait_for_selector("#claim-form")
    assert "Border guards exchanged fire near" in page.inner_text("#claim-form fieldset")
    assert page.input_value("#id_type") == "gunfire"
    page.goto(v.live_url + "/editor/claims/hostile-claim/")
    assert page.input_value("#id_claimed_by") == HOSTILE_PLACE
    assert HOSTILE_TEXT in page.inner_text("#claim-form fieldset")
    assert page.locator("main img, main script, main b, main i").count() == 0
    assert v.dialogs == []
    assert v.errors == []
