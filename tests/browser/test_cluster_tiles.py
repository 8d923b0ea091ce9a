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
    assert {int(z) for z, _x, _y in asked} == {zoom}
    assert v.errors == []


def test_a_pan_fetches_only_the_tiles_that_came_into_view(visit):
    v = visit()
    page = v.open("/?lat=40.0&lon=70.6&zoom=10")
    before = tile_requests(v)
    assert before and len(set(before)) == len(before)
    page.evaluate("() => window.borderMapPage.map.panBy([600, 0], {animate: false})")
    page.wait_for_function(
        "() => new URLSearchParams(document.documentElement.dataset.incidentsView || '')"
        ".get('bbox') !== null && document.documentElement.dataset.incidents === 'ready'"
        " && parseFloat(new URLSearchParams(location.search).get('lon')) > 70.7"
    )
    v.wait_ready()
    page.wait_for_load_state("networkidle")
    after = tile_requests(v)[len(before) :]
    assert after, "the pan brought new tiles into view"
    assert not set(after) & set(before), "a tile already fetched was asked again"
    assert len(set(after)) == len(after)
    # Panning back asks for nothing: every tile of that view is kept.
    page.evaluate("() => window.borderMapPage.map.panBy([-600, 0], {animate: false})")
    page.wait_for_function(
        "() => parseFloat(new URLSearchParams(location.search).get('lon')) < 70.61"
    )
    v.wait_ready()
    page.wait_for_load_state("networkidle")
    assert len(tile_requests(v)) == len(before) + len(after)
    assert v.errors == []
