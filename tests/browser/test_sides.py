"""Sides and figures in the browser: the side filter, each claim's side in its popup and list
entry, and the totals per side under the list, which say they add claims, not facts."""

from urllib.parse import parse_qs, urlsplit

import pytest

from border_map.models import Incident

pytestmark = pytest.mark.browser

GOLOVNOI = "tajik-border-guards-kyrgyz-fired-first-at-golovnoi"
WIDE = "/?lat=40.0&lon=70.7&zoom=8"


@pytest.fixture(scope="module")
def sides(django_db_blocker, django_db_setup):
    with django_db_blocker.unblock():
        return {i.slug: i.actor.side.slug for i in Incident.objects.select_related("actor__side")}


def ready(page):
    page.wait_for_function("() => document.documentElement.dataset.incidents === 'ready'")


def test_the_totals_under_the_list_add_each_side_s_claims_and_say_so(visit):
    v = visit()
    page = v.open(WIDE)
    ready(page)
    section = page.locator("#side-totals")
    assert section.is_visible()
    text = section.inner_text()
    assert "not a count of facts" in text
    entries = page.locator("#side-totals-list dt").all_inner_texts()
    assert [e.split(" (")[0] for e in entries] == ["Kyrgyz official", "Tajik official", "Media"]
    values = page.locator("#side-totals-list dd").all_inner_texts()
    assert values[0] == "31 killed · 154 injured · 2 missing · 33,500 evacuated"
    assert values[1] == "9 injured"
    assert values[2] == "at least 12 killed · at least 24 injured"
    assert v.errors == []


def test_the_side_filter_keeps_one_side_in_the_list_the_totals_and_the_url(visit, sides):
    v = visit()
    page = v.open(WIDE)
    ready(page)
    page.select_option("#filter-side", "tajik-official")
    page.wait_for_function(
        "() => (document.documentElement.dataset.incidentsView || '').includes('side=tajik')"
    )
    ready(page)
    listed = page.eval_on_selector_all(
        "#incident-list .incident-entry", "bs => bs.map(b => b.dataset.incident)"
    )
    assert sorted(listed) == sorted(s for s, side in sides.items() if side == "tajik-official")
    assert page.locator("#side-totals-list dt").all_inner_texts()[0].startswith("Tajik official")
    assert parse_qs(urlsplit(page.url).query)["side"] == ["tajik-official"]
    # The export link carries the filter too.
    assert "side=tajik-official" in page.get_attribute("#export-geojson", "href")
    # A link with the side restores the form.
    again = v.open(page.url.replace(v.live_url, ""))
    assert again.input_value("#filter-side") == "tajik-official"
    assert v.errors == []


def test_a_popup_names_the_claimant_s_side_in_words_and_colour(visit):
    v = visit()
    page = v.open(f"{WIDE}&incident={GOLOVNOI}")
    body = page.wait_for_selector(f".incident-popup-body[data-incident='{GOLOVNOI}']")
    claimant = body.query_selector(".popup-claimant")
    assert "(Tajik official)" in claimant.inner_text()
    assert "side-tajik-official" in claimant.get_attribute("class")
    entry = page.locator(f"#incident-list .incident-entry[data-incident='{GOLOVNOI}']")
    assert "side-tajik-official" in entry.get_attribute("class")
    assert v.errors == []
