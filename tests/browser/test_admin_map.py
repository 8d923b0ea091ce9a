"""The admin's map widgets in Chromium: on a closed network (every request to the live server,
tiles to the stubbed tile host) the Place change page shows a working map, and a click on it
moves the place."""

import json

import pytest
from django.contrib.auth import get_user_model

from border_map.models import Enclave, Place

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def staff(django_db_blocker):
    """A superuser in the live server's database, removed afterwards."""
    with django_db_blocker.unblock():
        user = get_user_model().objects.create_superuser("map-admin", "a@example.org", PASSWORD)
    yield user
    with django_db_blocker.unblock():
        user.delete()


@pytest.fixture
def golovnoi(django_db_blocker):
    """The seed's Golovnoi, put back as it was after the test."""
    with django_db_blocker.unblock():
        place = Place.objects.get(name="Golovnoi")
        point = place.point.clone()
    yield place
    with django_db_blocker.unblock():
        Place.objects.filter(pk=place.pk).update(point=point)


def sign_in(page, live_url, path):
    page.goto(f"{live_url}/admin/login/?next={path}")
    page.fill("#id_username", "map-admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{path}")


def test_the_place_page_shows_a_working_map_and_a_click_moves_the_place(
    visit, staff, golovnoi, django_db_blocker
):
    v = visit()
    page = v.page
    path = f"/admin/border_map/place/{golovnoi.pk}/change/"
    sign_in(page, v.live_url, path)
    page.wait_for_selector(".bm-geometry-widget[data-ready=true]")
    # The map: Leaflet drew it, its tiles (stubbed) and the place's marker.
    assert page.locator("#id_point_map.leaflet-container").count() == 1
    assert page.locator("#id_point_map .leaflet-marker-icon").count() == 1
    page.wait_for_function("document.querySelectorAll('#id_point_map img.leaflet-tile').length")
    assert v.tiles
    shown = json.loads(page.input_value("#id_point"))
    assert shown["type"] == "Point"
    assert shown["coordinates"] == pytest.approx([golovnoi.point.x, golovnoi.point.y], abs=1e-6)
    v.screenshot("admin-place-change-map")

    # A click beside the marker moves it, and saving stores the new point.
    box = page.locator("#id_point_map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 + 40)
    moved = json.loads(page.input_value("#id_point"))["coordinates"]
    assert moved[0] > golovnoi.point.x and moved[1] < golovnoi.point.y
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/border_map/place/")
    with django_db_blocker.unblock():
        stored = Place.objects.get(pk=golovnoi.pk).point
    assert [stored.x, stored.y] == pytest.approx(moved, abs=1e-6)

    assert v.errors == []  # no "ol is not defined", no CSP refusal
    assert v.other_hosts() == []


def test_an_enclave_page_shows_its_area_on_the_map(visit, staff, django_db_blocker):
    with django_db_blocker.unblock():
        vorukh = Enclave.objects.get(name="Vorukh")
    v = visit()
    path = f"/admin/border_map/enclave/{vorukh.pk}/change/"
    sign_in(v.page, v.live_url, path)
    v.page.wait_for_selector(".bm-geometry-widget[data-ready=true]")
    assert v.page.locator("#id_geom_map path.leaflet-interactive").count() >= 1
    assert v.errors == []
    assert v.other_hosts() == []
