"""Events in real Chromium: from a claim's popup to its event's page, the claims side by side
with what they disagree on, the contested filter, the page in Russian and at 360 px, and
hostile text inert in the event page and the time bar."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from border_map import events
from border_map.models import Event, Incident, Place
from tests import seed

from .test_languages import VISIBLE_TEXT, english_left
from .test_languages import data_texts as data_texts  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

GOLOVNOI = "shooting-at-golovnoi-and-kok-tash-2021-04-28"
KOK_TASH_CLAIM = "kyrgyz-police-tajik-shooting-at-kok-tash"
GOLOVNOI_CLAIM = "tajik-border-guards-kyrgyz-fired-first-at-golovnoi"
HOSTILE = "<img src=x onerror=\"alert('event ran')\">"


def test_a_claims_popup_opens_its_event_with_both_accounts_side_by_side(visit):
    v = visit()
    page = v.open(f"/?incident={KOK_TASH_CLAIM}")
    page.wait_for_selector(f".incident-popup-body[data-incident='{KOK_TASH_CLAIM}']")
    with page.expect_navigation():
        page.click(".incident-popup .popup-event a")
    assert urlsplit(page.url).path == f"/events/{GOLOVNOI}/"
    kyrgyz = page.locator(f".event-claim[data-claim='{KOK_TASH_CLAIM}']").bounding_box()
    tajik = page.locator(f".event-claim[data-claim='{GOLOVNOI_CLAIM}']").bounding_box()
    # Side by side: two columns, level with each other, the Kyrgyz account first.
    assert kyrgyz["x"] + kyrgyz["width"] <= tajik["x"]
    assert abs(kyrgyz["y"] - tajik["y"]) < 2
    headings = page.locator(".event-side h3").all_inner_texts()
    assert headings == ["Kyrgyz official", "Tajik official"]
    # What they disagree on, at a glance: who fired first, each claim's answer in its column.
    row = page.locator(".disagreements tbody tr").first.inner_text()
    assert row.split("\t") == ["Who fired first", "Tajik citizens", "Kyrgyz military personnel"]
    for slug in (KOK_TASH_CLAIM, GOLOVNOI_CLAIM):
        excerpt = Incident.objects.get(slug=slug).excerpts.get().text
        assert page.inner_text(f".event-claim[data-claim='{slug}'] blockquote").startswith(excerpt)
    assert v.errors == []
    assert v.other_hosts() == []


def test_contested_only_keeps_the_claims_of_events_with_both_governments(visit, django_db_blocker):
    with django_db_blocker.unblock():
        expected = sorted(
            Incident.objects.filter(happening__in=events.contested_events()).values_list(
                "slug", flat=True
            )
        )
        days = len(set(Incident.objects.filter(slug__in=expected).values_list("date", flat=True)))
    assert KOK_TASH_CLAIM in expected and GOLOVNOI_CLAIM in expected
    assert len(expected) < len(seed.INCIDENTS)
    v = visit()
    page = v.open("/")
    page.check("#filter-contested")
    page.wait_for_function(
        """n => document.documentElement.dataset.incidents === 'ready' &&
          document.querySelectorAll('#incident-list .incident-entry').length === n""",
        arg=len(expected),
    )
    listed = page.eval_on_selector_all(
        "#incident-list .incident-entry", "b => b.map(e => e.dataset.incident).sort()"
    )
    assert listed == expected
    assert parse_qs(urlsplit(page.url).query)["contested"] == ["1"]
    href = page.get_attribute("#export-geojson", "href")
    assert parse_qs(urlsplit(href).query)["contested"] == ["1"]
    # The time bar counts the contested claims only.
    page.wait_for_function(
        "n => document.querySelector('#timebar').dataset.bins === String(n)", arg=days
    )
    # A link keeps the filter.
    again = visit().open("/?" + urlsplit(page.url).query)
    assert again.is_checked("#filter-contested")
    assert v.errors == []


@pytest.fixture
def event_texts(data_texts):  # noqa: F811
    """The data texts, with the events' own (titles, notes, the editor's disagreements)."""
    texts = set(data_texts)
    for event in seed.EVENTS:
        texts.update([event["title"], event.get("notes", "")])
        for point in event.get("disagreements", []):
            texts.add(point["point"])
            texts.update(point["answers"].values())
    return sorted((t for t in texts if t), key=len, reverse=True)


@pytest.mark.parametrize("slug", [e["slug"] for e in seed.EVENTS])
def test_an_event_page_in_russian_leaves_no_english_word(visit, event_texts, slug):
    v = visit()
    page = v.page
    page.goto(f"{v.live_url}/events/{slug}/?lang=ru")
    assert page.get_attribute("html", "lang") == "ru"
    texts = [t["text"] for t in page.evaluate(VISIBLE_TEXT) if t["lang"] in ("", "ru")]
    left = {text: english_left(text, event_texts) for text in texts}
    assert {text: words for text, words in left.items() if words} == {}
    assert "На карте" in "\n".join(texts)
    assert page.get_attribute("a[href^='/?incident=']", "href").endswith("lang=ru")


def test_the_time_bar_in_russian_leaves_no_english_word(visit, data_texts):  # noqa: F811
    v = visit()
    page = v.open("/?lang=ru")
    page.wait_for_selector("#timebar[data-timebar=ready]", state="attached")
    texts = [
        page.inner_text("#timebar-status"),
        page.inner_text("#timebar-play"),
        page.get_attribute("#timebar", "aria-label"),
        page.get_attribute("#timebar-chart", "aria-valuetext"),
        page.text_content("#timebar-help"),
        *page.eval_on_selector_all("#timebar-chart title", "t => t.map(n => n.textContent)"),
    ]
    assert {t: english_left(t, data_texts) for t in texts if english_left(t, data_texts)} == {}
    page.focus("#timebar-chart")
    page.keyboard.press("Space")
    assert page.inner_text("#timebar-play") == "Пауза"


def test_the_event_page_fits_360_px_and_its_table_scrolls_inside_it(visit):
    v = visit(width=360)
    page = v.page
    page.goto(f"{v.live_url}/events/casualties-of-the-clashes-2021-04-28/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    boxes = [
        page.locator(f".event-claim[data-claim='{c}']").bounding_box()
        for c in seed.EVENTS[1]["claims"]
    ]
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= 360 for b in boxes)


@pytest.fixture
def hostile_event(django_db_blocker, django_db_setup):
    """An event and a claim whose texts are HTML, on a day of their own, committed so that the
    live server sees them; removed afterwards."""
    with django_db_blocker.unblock():
        place = Place.objects.get(slug="kok-tash")
        event = Event.objects.create(
            slug="hostile-event",
            title=HOSTILE,
            date=dt.date(2021, 5, 3),
            place=place,
            notes="<script>alert('notes ran')</script>",
        )
        claim = Incident.objects.create(
            slug="hostile-claim",
            date=dt.date(2021, 5, 3),
            title="<script>alert('claim ran')</script>",
            type=Incident.Type.CLASH,
            place=place,
            claimed_by=HOSTILE,
            casualties="<b onmouseover=alert(1)>9</b>",
            happening=event,
        )
        event.disagreements = [{"point": HOSTILE, "answers": {claim.slug: HOSTILE}}]
        event.save()
        try:
            yield event
        finally:
            claim.delete()
            event.delete()


def test_hostile_text_in_an_event_and_the_time_bar_stays_text(visit, hostile_event):
    v = visit()
    page = v.page
    page.goto(f"{v.live_url}/events/{hostile_event.slug}/")
    assert page.inner_text("h1") == HOSTILE
    assert page.inner_text(".event-notes") == "<script>alert('notes ran')</script>"
    assert HOSTILE in page.inner_text(".disagreements")
    assert "<b onmouseover=alert(1)>9</b>" in page.inner_text(".claim-figures")
    assert page.locator("article img, article script, article b[onmouseover]").count() == 0
    # The time bar: the hostile claim's day is a bar whose tooltip is text.
    page = v.open("/")
    page.wait_for_selector("#timebar[data-timebar=ready]", state="attached")
    titles = page.eval_on_selector_all("#timebar-chart title", "t => t.map(n => n.textContent)")
    assert any(t.startswith("2021-05-03: 1 incident") for t in titles)
    assert page.locator("#timebar img, #timebar script").count() == 0
    assert v.dialogs == []
    assert v.errors == []
    assert not [u for u in v.requests if urlsplit(u).path.endswith("/x")]
