"""The map draws its incidents from the cluster tiles in view, and a pan fetches only the
tiles that came into view."""

import re

import pytest

from border_map.models import Incident

from .test_map_page import drawn_incident_count

pytestmark = pytest.mark.browser

TILE = re.compile(r"/map/clusters/(\d+)/(\d+)/(\d+)\.json")


def tile_requests(v):
    return [TILE.search(url).groups() for url in v.requests if TILE.search(url)]


def test_the_map_draws_the_seed_incidents_from_the_tiles_in_view(visit, django_db_blocker):
    with django_db_blocker.unblock():
        total = Incident.objects.count()
    v = visit()
    page = v.open("/")
    page.wait_for_selector(".incident-cluster, .incident-marker")
    assert drawn_incident_count(page) == total
    asked = tile_requests(v)
    assert asked, "the map asked for no cluster tile"
    zoom = page.evaluate("() => window.borderMapPage.map.getZoom()")
    # Tiles are drawn at 512 px: the map at zoom z asks for those of zoom z - 1.
    assert {int(z) for z, _x, _y in asked} == {zoom - 1}
    assert v.errors == []


# The view drawn (main.js records it once its tiles and list are in) is no longer `before`.
NEW_VIEW_DRAWN = """before => {
  const root = document.documentElement;
  return root.dataset.incidents === "ready" && root.dataset.incidentsView !== before;
}"""


def pan(page, dx):
    """Pan by dx pixels and wait until the new view is drawn (its tiles all answered)."""
    before = page.evaluate("() => document.documentElement.dataset.incidentsView")
    page.evaluate(f"() => void window.borderMapPage.map.panBy([{dx}, 0], {{animate: false}})")
    page.wait_for_function(NEW_VIEW_DRAWN, arg=before)


def test_a_pan_fetches_only_the_tiles_that_came_into_view(visit):
    v = visit()
    page = v.open("/?lat=40.0&lon=70.6&zoom=10")
    before = tile_requests(v)
    assert before and len(set(before)) == len(before)
    pan(page, 600)
    after = tile_requests(v)[len(before) :]
    assert after, "the pan brought new tiles into view"
    assert not set(after) & set(before), "a tile already fetched was asked again"
    assert len(set(after)) == len(after)
    # Panning back asks for nothing: every tile of that view is kept.
    pan(page, -600)
    assert len(tile_requests(v)) == len(before) + len(after)
    assert v.errors == []


def test_a_zoom_redraws_the_map_without_waiting_for_a_slow_list(visit):
    """The clusters of a new view are drawn when its tiles are in; the list follows when the
    list's answer comes, however late."""
    v = visit()
    page = v.open("/?lat=40.0&lon=70.6&zoom=9")
    held = []
    # The list's answer is held back until the test lets it go; the tiles are not.
    page.route("**/map/incidents.json?*", lambda route: held.append(route))
    before = page.evaluate("() => document.documentElement.dataset.incidentsView")
    page.evaluate("() => void window.borderMapPage.map.setZoom(10, {animate: false})")
    page.wait_for_function(
        "() => new URLSearchParams(document.documentElement.dataset.mapView).get('zoom') === '10'"
    )
    assert page.get_attribute("html", "data-incidents") == "loading"
    assert page.evaluate("() => document.documentElement.dataset.incidentsView") == before
    page.wait_for_selector(".incident-cluster, .incident-marker")
    assert held, "the list was asked for"
    page.unroute("**/map/incidents.json?*")
    for route in held:
        route.continue_()
    page.wait_for_function(NEW_VIEW_DRAWN, arg=before)
    assert v.errors == []
