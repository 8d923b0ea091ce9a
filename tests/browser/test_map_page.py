"""The map page in real Chromium against the live server, over the seed article's data."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import F
from django.db.models.functions import Coalesce

from border_map.models import Article, Excerpt, Incident, Mention, Place

from .conftest import Visit

pytestmark = pytest.mark.browser

KOK_TASH = "kyrgyz-police-tajik-shooting-at-kok-tash"


@pytest.fixture(scope="module")
def seed(django_db_blocker, django_db_setup):
    """The seed incidents and the Kok-Tash incident's excerpt, read from the test database."""
    with django_db_blocker.unblock():
        incident = Incident.objects.select_related("place").get(slug=KOK_TASH)
        return {
            "slugs": list(Incident.objects.order_by("date", "slug").values_list("slug", flat=True)),
            "kok_tash": incident,
            "excerpt": incident.excerpts.get().text,
        }


def drawn_incident_count(page):
    """Incidents on the map: single markers plus the counts shown on cluster discs."""
    return page.evaluate(
        """() => document.querySelectorAll('.incident-marker').length +
        Array.from(document.querySelectorAll('.incident-cluster'))
          .reduce((n, c) => n + parseInt(c.textContent.replace(/,/g, ''), 10), 0)"""
    )


def listed(page):
    return page.eval_on_selector_all(
        "#incident-list .incident-entry", "buttons => buttons.map(b => b.dataset.incident)"
    )


def popup_text(page, slug):
    box = page.wait_for_selector(f".incident-popup .incident-popup-body[data-incident='{slug}']")
    return box.inner_text()


def test_the_map_page_loads_without_console_errors_or_requests_to_other_hosts(visit, seed):
    v = visit()
    page = v.open("/")
    page.wait_for_load_state("networkidle")
    assert v.errors == []
    assert v.other_hosts() == []
    assert v.tiles, "the OpenStreetMap base layer asked for tiles"
    assert page.locator(".leaflet-control-scale").count() == 1
    assert "OpenStreetMap" in page.inner_text(".leaflet-control-attribution")


def test_the_incident_layer_shows_the_seed_incidents(visit, seed):
    v = visit()
    page = v.open("/")
    assert len(seed["slugs"]) == 12
    assert listed(page) == seed["slugs"]
    page.wait_for_selector(".incident-cluster, .incident-marker")
    assert drawn_incident_count(page) == len(seed["slugs"])
    assert v.errors == []


def test_clicking_the_kok_tash_incident_opens_a_popup_with_its_verbatim_excerpt(visit, seed):
    point = seed["kok_tash"].place.point
    v = visit()
    page = v.open(f"/?lat={point.y}&lon={point.x}&zoom=15")
    page.click(f".incident-marker [data-incident='{KOK_TASH}']")
    text = popup_text(page, KOK_TASH)
    assert seed["excerpt"] in text
    assert seed["kok_tash"].title in text
    marked = page.locator(".incident-popup blockquote.excerpt mark").all_inner_texts()
    assert marked == ["Kok-Tash"]
    link = page.get_attribute(".incident-popup .excerpt-source a", "href")
    assert re.fullmatch(r"/articles/rferl-2021-04-30-kyrgyz-tajik-ceasefire/#excerpt-\d+", link)
    assert parse_qs(urlsplit(page.url).query)["incident"] == [KOK_TASH]
    assert v.errors == []


def test_the_list_opens_the_same_popup_and_is_reachable_by_keyboard(visit, seed):
    v = visit()
    page = v.open("/")
    page.focus(f"#incident-list [data-incident='{KOK_TASH}']")
    page.keyboard.press("Enter")
    text = popup_text(page, KOK_TASH)
    assert seed["excerpt"] in text
    assert (
        page.get_attribute(f"#incident-list [data-incident='{KOK_TASH}']", "aria-current") == "true"
    )
    # The map flew to the incident: it is drawn, and inside the map's box.
    page.wait_for_function(
        "() => parseFloat(new URLSearchParams(location.search).get('zoom')) >= 11"
    )
    assert v.errors == []


def test_the_list_sits_under_the_map_at_360_px_and_opens_the_popup_in_view(visit, seed):
    v = visit(width=360)
    page = v.open("/")
    map_box = page.locator(".folium-map").bounding_box()
    list_box = page.locator("#incident-list").bounding_box()
    assert map_box["width"] <= 360 and list_box["y"] >= map_box["y"] + map_box["height"]
    page.click(f"#incident-list [data-incident='{KOK_TASH}']")
    popup_text(page, KOK_TASH)
    page.wait_for_timeout(1200)  # the map scrolls back into view and flies to the incident
    popup = page.locator(".incident-popup").bounding_box()
    assert 0 <= popup["x"] and popup["x"] + popup["width"] <= 360
    assert popup["y"] >= 0
    assert v.errors == []


def test_the_date_filter_changes_the_map_the_list_and_the_export_link(
    visit, seed, django_db_blocker
):
    day = dt.date(2021, 5, 1)
    with django_db_blocker.unblock():
        expected = list(
            Incident.objects.alias(last=Coalesce("date_end", F("date")))
            .filter(date__lte=day, last__gte=day)
            .order_by("date", "slug")
            .values_list("slug", flat=True)
        )
    assert 0 < len(expected) < len(seed["slugs"])
    v = visit()
    page = v.open("/")
    page.fill("#filter-from", day.isoformat())
    page.fill("#filter-to", day.isoformat())
    page.dispatch_event("#filter-to", "change")
    page.wait_for_function(
        "n => document.querySelectorAll('#incident-list .incident-entry').length === n",
        arg=len(expected),
    )
    v.wait_ready()
    assert listed(page) == expected
    assert drawn_incident_count(page) == len(expected)
    href = page.get_attribute("#export-geojson", "href")
    assert parse_qs(urlsplit(href).query)["datetime"] == ["2021-05-01/2021-05-01"]
    assert parse_qs(urlsplit(page.url).query)["datetime"] == ["2021-05-01/2021-05-01"]
    assert v.errors == []


def test_a_permalink_restores_the_view_the_filters_and_the_open_incident(visit, seed):
    v = visit()
    page = v.open("/")
    page.select_option("#filter-type", "gunfire")
    v.wait_ready()
    page.click(f"#incident-list [data-incident='{KOK_TASH}']")
    popup_text(page, KOK_TASH)
    page.wait_for_function("() => new URLSearchParams(location.search).get('zoom') === '11'")
    page.wait_for_timeout(500)  # the flight ends, then the incidents of the new view load
    v.wait_ready()
    link = page.url
    shown = listed(page)

    again = visit().open(link.removeprefix(v.live_url))
    assert popup_text(again, KOK_TASH)
    assert again.input_value("#filter-type") == "gunfire"
    assert listed(again) == shown
    before, after = parse_qs(urlsplit(link).query), parse_qs(urlsplit(again.url).query)
    for key in ("lat", "lon", "zoom", "type", "incident"):
        assert after[key] == before[key], key


HOSTILE = (
    "Residents of Kok-Tash wrote <script>alert('script ran')</script> on a wall, "
    "posted <img src=x onerror=\"alert('img ran')\"> and a "
    "<a href=\"javascript:alert('link ran')\">link</a>."
)


@pytest.fixture
def hostile_article(django_db_blocker, django_db_setup):
    """An article whose text is HTML, with an excerpt, a mention and an incident, committed so
    that the live server sees it; removed afterwards."""
    with django_db_blocker.unblock():
        place = Place.objects.get(slug="kok-tash")
        article = Article.objects.create(
            slug="hostile-html",
            title="<img src=x onerror=\"alert('title ran')\">",
            outlet="<b>Outlet</b>",
            url="javascript:alert('url ran')",
            published=dt.date(2021, 4, 29),
            text=HOSTILE,
        )
        excerpt = Excerpt.objects.create(article=article, start=0, end=len(HOSTILE), text=HOSTILE)
        at = HOSTILE.index("Kok-Tash")
        Mention.objects.create(article=article, place=place, start=at, end=at + 8, text="Kok-Tash")
        incident = Incident.objects.create(
            slug="hostile-html-incident",
            date=dt.date(2021, 4, 29),
            title="<script>alert('incident title ran')</script>",
            type=Incident.Type.CLASH,
            place=place,
            claimed_by="<img src=x onerror=\"alert('claimant ran')\">",
        )
        incident.excerpts.add(excerpt)
        try:
            yield incident
        finally:
            incident.delete()
            article.delete()


def test_an_article_with_html_in_its_text_renders_it_inert(visit, hostile_article):
    v = visit()
    page = v.open(f"/?incident={hostile_article.slug}")
    popup = popup_text(page, hostile_article.slug)
    assert "<script>alert('script ran')</script>" in popup
    assert "<script>alert('incident title ran')</script>" in popup
    entry = page.inner_text(f"#incident-list [data-incident='{hostile_article.slug}']")
    assert "<img src=x onerror=\"alert('claimant ran')\">" in entry
    assert (
        page.locator(".incident-popup img, .incident-popup script, #incident-list img").count() == 0
    )
    page.click(".incident-popup .excerpt-source a")
    page.wait_for_selector(".article-text")
    text = page.inner_text(".article-text")
    assert text == HOSTILE
    assert page.locator(".article-text script, .article-text img, article img").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    assert page.inner_text("h1") == hostile_article.excerpts.get().article.title
    assert v.dialogs == []
    assert v.errors == []
    assert not [u for u in v.requests if urlsplit(u).path.endswith("/x")]


def test_without_tiles_the_map_draws_on_the_country_backdrop(browser, live_url, settings):
    settings.BORDER_MAP = {**settings.BORDER_MAP, "TILE_URL": ""}
    v = Visit(browser, live_url, 1280)
    try:
        page = v.open("/")
        page.wait_for_selector(".no-tiles .leaflet-backdrop-pane path")
        assert drawn_incident_count(page) == 12
        assert v.errors == []
        assert v.other_hosts() == []
        assert v.tiles == []
        attribution = page.inner_text(".leaflet-control-attribution")
        assert "OpenStreetMap contributors" in attribution and "GeoNames" in attribution
    finally:
        v.screenshot("test_without_tiles_the_map_draws_on_the_country_backdrop")
        v.context.close()


def test_a_place_named_in_the_article_links_to_the_map_with_that_place_open(visit, seed):
    v = visit()
    page = v.open("/")
    page.goto(v.live_url + "/articles/rferl-2021-04-30-kyrgyz-tajik-ceasefire/")
    mention = page.locator("a.mention", has_text="Kok-Tash").first
    mention.click()
    v.wait_ready()
    place_popup = page.wait_for_selector(".place-popup")
    assert "Kok-Tash" in place_popup.inner_text()
    query = parse_qs(urlsplit(page.url).query)
    assert query["zoom"] == ["13"]
    point = seed["kok_tash"].place.point
    assert abs(float(query["lat"][0]) - point.y) < 1e-4
    assert abs(float(query["lon"][0]) - point.x) < 1e-4
    assert v.errors == []


def test_the_article_page_marks_the_excerpt_a_popup_links_to(visit, seed):
    v = visit()
    page = v.open(f"/?incident={KOK_TASH}")
    popup_text(page, KOK_TASH)
    page.click(".incident-popup .excerpt-source a")
    page.wait_for_selector("mark.excerpt.targeted")  # article.js marks it once it has run
    targeted = "".join(page.locator("mark.excerpt.targeted").all_inner_texts())
    assert targeted == seed["excerpt"]
    assert v.errors == []
