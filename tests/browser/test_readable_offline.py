"""The map without tiles in real Chromium: the country backdrop fills each country with its own
colour and writes the names of the countries, enclaves, lines and places; a tile server that
fails sends the map back to it by itself, and it says so."""

import pytest

from border_map.models import Enclave

from .conftest import Visit
from .test_map_page import hostile_names  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def fills(page):
    """The distinct fill colours of the countries drawn on the backdrop."""
    return set(
        page.eval_on_selector_all(
            ".leaflet-backdrop-pane path.country-fill", "ps => ps.map(p => p.getAttribute('fill'))"
        )
    )


def labels(page, kind):
    return page.eval_on_selector_all(
        f".leaflet-labels-pane .{kind}-label span", "spans => spans.map(s => s.textContent)"
    )


def visible(page, kind):
    """The labels of a kind that show on the map (not hidden by the page's style)."""
    return page.eval_on_selector_all(
        f".leaflet-labels-pane .{kind}-label span",
        "spans => spans.filter(s => s.offsetParent !== null).map(s => s.textContent)",
    )


@pytest.fixture
def no_tiles(browser, live_url, settings, request):
    """A page of a site with no tile server, its screenshot saved under the test's name."""
    settings.BORDER_MAP = {**settings.BORDER_MAP, "TILE_URL": ""}
    v = Visit(browser, live_url, 1280)
    yield v
    v.screenshot(request.node.name)
    v.context.close()


def open_backdrop(v, path="/"):
    page = v.open(path)
    page.wait_for_selector(".leaflet-container[data-reference=ready]")
    return page


@pytest.fixture(scope="module")
def enclave_names(django_db_blocker, django_db_setup):
    with django_db_blocker.unblock():
        return sorted(Enclave.objects.values_list("name", flat=True))


def test_without_tiles_three_countries_have_three_fills_and_their_names(no_tiles, enclave_names):
    v = no_tiles
    page = open_backdrop(v)
    assert len(fills(page)) == 3
    assert sorted(set(labels(page, "country"))) == ["Kyrgyzstan", "Tajikistan", "Uzbekistan"]
    assert sorted(labels(page, "enclave")) == enclave_names
    assert "Kyrgyzstan–Tajikistan" in labels(page, "line")
    # The first view (Batken) shows the three names and the places' names.
    assert {"Kyrgyzstan", "Tajikistan", "Uzbekistan"} <= set(visible_in_view(page, "country"))
    page.wait_for_selector(".leaflet-labels-pane .place-label span", state="visible")
    assert "Kok-Tash" in visible(page, "place")
    # The gaps of the source are there, and the legend says what they are.
    assert page.locator(".leaflet-backdrop-pane path.no-data").count() > 0
    assert "no data in the source" in page.text_content(".legend")
    assert v.tiles == [] and v.other_hosts() == [] and v.errors == []


def visible_in_view(page, kind):
    """Labels of a kind whose middle lies inside the map's box."""
    return page.eval_on_selector_all(
        f".leaflet-labels-pane .{kind}-label span",
        """spans => {
          const box = document.querySelector('.leaflet-container').getBoundingClientRect();
          return spans.filter(s => {
            const r = s.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            return x > box.left && x < box.right && y > box.top && y < box.bottom;
          }).map(s => s.textContent);
        }""",
    )


def test_russian_names_of_the_enclaves_on_the_russian_page(no_tiles):
    page = open_backdrop(no_tiles, "/?lang=ru")
    assert "Ворух" in labels(page, "enclave")
    assert "Кыргызстан" in labels(page, "country") or "Киргизия" in labels(page, "country")


def test_with_tiles_the_map_opens_on_the_backdrop_and_adds_the_tiles_once_one_loads(visit):
    v = visit()
    page = v.open("/")
    page.wait_for_selector(".leaflet-container[data-base=tiles]")
    assert page.locator(".leaflet-tile-pane img").count() > 0
    assert page.locator(".leaflet-container.no-tiles").count() == 0
    assert page.locator(".map-notice-box").is_hidden()
    assert v.errors == []


def test_a_failing_tile_server_leaves_the_map_on_the_backdrop_and_says_so(visit):
    v = visit()
    failed = []

    def refuse(route):
        failed.append(route.request.url)
        route.fulfill(status=503, body="down")

    v.page.unroute("http://tiles.test/**")
    v.page.route("http://tiles.test/**", refuse)
    page = v.open("/")
    notice = page.wait_for_selector(".map-notice-box[role=status]", state="visible")
    assert "could not be loaded" in notice.inner_text()
    assert notice.get_attribute("aria-live") == "polite"
    assert page.get_attribute(".leaflet-container", "data-base") == "backdrop"
    assert page.locator(".leaflet-container.no-tiles").count() == 1
    # One tile was asked for, not a screenful.
    assert len(failed) == 1
    page.wait_for_selector(".leaflet-backdrop-pane path.country-fill")
    assert len(fills(page)) == 3
    assert v.other_hosts() == []


def test_tiles_that_stop_loading_send_the_map_back_to_the_backdrop(visit):
    v = visit()
    page = v.open("/")
    page.wait_for_selector(".leaflet-container[data-base=tiles]")
    v.page.unroute("http://tiles.test/**")
    v.page.route("http://tiles.test/**", lambda route: route.abort())
    # A view of tiles not loaded yet: far from the first.
    page.evaluate(
        "() => Object.values(window).find(v => v instanceof L.Map).setView([41.5, 74.5], 9)"
    )
    page.wait_for_selector(".leaflet-container[data-base=backdrop]")
    assert "could not be loaded" in page.inner_text(".map-notice-box")
    assert page.locator(".leaflet-tile-pane img").count() == 0


def test_names_with_html_are_written_as_text_on_the_backdrop(no_tiles, hostile_names):  # noqa: F811
    v = no_tiles
    page = open_backdrop(v, "/?lat=39.90&lon=70.56&zoom=12")
    enclave = hostile_names["Enclave"]["name"]
    assert enclave in labels(page, "enclave")
    assert "<svg>" in labels(page, "line")
    assert hostile_names["Place"]["name"] in labels(page, "place")
    assert page.locator(".leaflet-labels-pane img, .leaflet-labels-pane svg").count() == 0
    assert page.locator(".leaflet-labels-pane script").count() == 0
    page.wait_for_function("() => Array.from(document.images).every(image => image.complete)")
    assert v.dialogs == [] and v.errors == []
