"""An ACLED file is text from outside: markup in its notes, source and location stays inert on
the map, on the article page its notes become, and in the admin's map widget of its new place."""

import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from border_map import acled
from border_map.models import Article, Incident, Place
from tests.browser.test_admin_map import PASSWORD, sign_in
from tests.test_acled import ROWS, acled_csv

pytestmark = pytest.mark.browser

NOTES = "Shots at <script>alert('notes ran')</script> and <img src=x onerror=\"alert('img ran')\">."
SOURCE = "<img src=x onerror=\"alert('source ran')\">"
LOCATION = "<b onmouseover=\"alert('place ran')\">Bad</b> village"


@pytest.fixture
def hostile_event(django_db_blocker, django_db_setup):
    """An imported, published event with markup in its cells, committed for the live server."""
    row = {
        **ROWS[3],
        "event_id_cnty": "XSS1",
        "notes": NOTES,
        "source": SOURCE,
        "location": LOCATION,
        "latitude": "40.2",
        "longitude": "70.4",
    }
    with django_db_blocker.unblock():
        acled.import_acled(io.BytesIO(acled_csv([row]).encode("utf-8")))
        incident = Incident.objects.get(event_id="XSS1")
        incident.status = Incident.Status.PUBLISHED
        incident.save()
        user = get_user_model().objects.create_superuser("map-admin", "a@example.org", PASSWORD)
        try:
            yield incident
        finally:
            place = incident.place
            incident.delete()
            Article.objects.filter(slug=acled.article_slug("XSS1")).delete()
            Place.objects.filter(pk=place.pk).delete()
            user.delete()


def test_markup_in_an_acled_file_stays_text_on_the_map_the_article_and_the_admin(
    visit, hostile_event
):
    v = visit()
    page = v.open(f"/?incident={hostile_event.slug}")
    popup = page.wait_for_selector(
        f".incident-popup .incident-popup-body[data-incident='{hostile_event.slug}']"
    ).inner_text()
    assert NOTES in popup and SOURCE in popup
    assert (
        page.locator(".incident-popup img, .incident-popup script, .incident-popup b").count() == 0
    )

    page.click(".incident-popup .excerpt-source a")
    page.wait_for_selector(".article-text")
    assert NOTES in page.inner_text(".article-text")
    assert page.locator(".article-text script, .article-text img").count() == 0

    path = f"/admin/border_map/place/{hostile_event.place.pk}/change/"
    sign_in(page, v.live_url, path)
    page.wait_for_selector(".bm-geometry-widget[data-ready=true]")
    assert page.input_value("#id_name") == LOCATION
    assert page.locator("b[onmouseover]").count() == 0

    assert v.dialogs == []
    assert v.errors == []
    assert not [u for u in v.requests if urlsplit(u).path.endswith("/x")]
    assert v.other_hosts() == []
