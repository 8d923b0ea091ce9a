"""The time bar under the map in real Chromium: its bars, dragging a range, the keyboard, the
play button, and a phone's width; the map, the list, the export link and the URL follow."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import seed

pytestmark = pytest.mark.browser

DAYS = sorted({i["date"] for i in seed.INCIDENTS})


def overlapping(start, end):
    """Reviewed incident slugs whose days overlap start..end, in the list's order."""
    return [
        i["slug"]
        for i in sorted(seed.INCIDENTS, key=lambda i: (i["date"], i["slug"]))
        if i["date"] <= end and (i.get("date_end") or i["date"]) >= start
    ]


def open_bar(v, path="/"):
    page = v.open(path)
    page.wait_for_selector("#timebar[data-timebar=ready]", state="attached")
    return page


def url_dates(page):
    return parse_qs(urlsplit(page.url).query).get("datetime")


def wait_for_list(v, slugs):
    v.page.wait_for_function(
        """want => {
          const got = Array.from(document.querySelectorAll('#incident-list .incident-entry'))
            .map(b => b.dataset.incident);
          return document.documentElement.dataset.incidents === 'ready' &&
            JSON.stringify(got) === JSON.stringify(want);
        }""",
        arg=slugs,
    )


def drag(page, first_bin, last_bin, bins):
    box = page.locator("#timebar-chart").bounding_box()
    y = box["y"] + box["height"] / 2
    width = box["width"] / bins
    page.mouse.move(box["x"] + width * (first_bin + 0.5), y)
    page.mouse.down()
    page.mouse.move(box["x"] + width * (last_bin + 0.5), y, steps=4)
    page.mouse.up()


def test_the_bar_has_a_bin_per_day_with_each_types_colour_and_a_tooltip(visit):
    v = visit()
    page = open_bar(v)
    assert page.get_attribute("#timebar", "data-bins") == str(len(DAYS))
    first_day = [i for i in seed.INCIDENTS if i["date"] == DAYS[0]]
    # One coloured rect per type on the first day, in that type's colour (maps.TYPE_COLOURS).
    fills = page.eval_on_selector_all(
        "#timebar-chart g.timebar-bin:first-of-type rect[fill]",
        "rects => rects.map(r => r.getAttribute('fill'))",
    )
    assert len(fills) == len({i["type"] for i in first_day})
    tooltip = page.text_content("#timebar-chart g.timebar-bin:first-of-type title")
    assert tooltip.startswith(f"{DAYS[0]}: {len(first_day)} incidents (")
    status = page.text_content("#timebar-status")
    assert f"{len(seed.INCIDENTS)} incidents" in status
    assert v.errors == []
    assert v.other_hosts() == []


def test_dragging_over_two_days_filters_the_map_the_list_the_export_and_the_url(visit):
    v = visit()
    page = open_bar(v)
    drag(page, 1, 2, len(DAYS))
    expected = overlapping(DAYS[1], DAYS[2])
    assert 0 < len(expected) < len(seed.INCIDENTS)
    wait_for_list(v, expected)
    assert url_dates(page) == [f"{DAYS[1]}/{DAYS[2]}"]
    assert page.input_value("#filter-from") == DAYS[1]
    assert page.input_value("#filter-to") == DAYS[2]
    href = page.get_attribute("#export-geojson", "href")
    assert parse_qs(urlsplit(href).query)["datetime"] == [f"{DAYS[1]}/{DAYS[2]}"]
    assert page.get_attribute("html", "data-incident-total") == str(len(expected))
    # Bins outside the range are dimmed.
    dimmed = page.eval_on_selector_all("#timebar-chart g.timebar-bin.outside", "g => g.length")
    assert dimmed == len(DAYS) - 2
    assert v.errors == []


def test_the_arrow_keys_move_the_range_shift_widens_it_and_escape_clears_it(visit):
    v = visit()
    page = open_bar(v)
    page.focus("#timebar-chart")
    page.keyboard.press("ArrowRight")  # the first day
    wait_for_list(v, overlapping(DAYS[0], DAYS[0]))
    assert url_dates(page) == [f"{DAYS[0]}/{DAYS[0]}"]
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("ArrowRight")  # days 2..3
    wait_for_list(v, overlapping(DAYS[1], DAYS[2]))
    assert url_dates(page) == [f"{DAYS[1]}/{DAYS[2]}"]
    assert DAYS[1] in page.get_attribute("#timebar-chart", "aria-valuetext")
    page.keyboard.press("Escape")
    wait_for_list(v, overlapping(DAYS[0], DAYS[-1]))
    assert url_dates(page) is None
    assert v.errors == []


def test_space_plays_the_days_one_by_one_and_the_map_follows(visit):
    v = visit()
    page = open_bar(v)
    page.focus("#timebar-chart")
    page.keyboard.press("Space")
    assert page.get_attribute("#timebar-play", "aria-pressed") == "true"
    for day in DAYS[:2]:
        wait_for_list(v, overlapping(day, day))
        assert url_dates(page) == [f"{day}/{day}"]
        assert page.get_attribute("html", "data-incident-total") == str(len(overlapping(day, day)))
    page.click("#timebar-play")  # pause
    assert page.get_attribute("#timebar-play", "aria-pressed") == "false"
    assert v.errors == []


def test_playback_waits_for_the_map_to_draw_each_day_however_slow_the_server(visit):
    """A day whose incidents take longer than a playback step to arrive is still drawn and
    shown before the next day is chosen (the player counts a step from the drawing)."""
    v = visit()
    page = open_bar(v)
    slow = []

    def answer_slowly(route):
        slow.append(route.request.url)
        time.sleep(2.0)  # longer than PLAY_STEP_MS (1.5 s)
        route.continue_()

    page.route("**/map/incidents.json?*", answer_slowly)
    page.focus("#timebar-chart")
    page.keyboard.press("Space")
    for day in DAYS[:2]:
        wait_for_list(v, overlapping(day, day))
        assert url_dates(page) == [f"{day}/{day}"]
    page.click("#timebar-play")  # pause
    assert len(slow) >= 2
    assert v.errors == []


def test_a_linked_range_is_marked_on_the_bar_and_a_claimant_filter_recounts_it(visit):
    v = visit()
    page = open_bar(v, f"/?datetime={DAYS[1]}/{DAYS[1]}")
    assert page.eval_on_selector_all("#timebar-chart g.outside", "g => g.length") == len(DAYS) - 1
    claimant = "Kyrgyz police in the Batken region"
    page.wait_for_selector(f"#filter-claimed-by option[value='{claimant}']", state="attached")
    page.select_option("#filter-claimed-by", claimant)
    days = {i["date"] for i in seed.incidents_where(claimed_by=claimant)}
    assert 0 < len(days) < len(DAYS)
    page.wait_for_function(
        "n => document.querySelector('#timebar').dataset.bins === String(n)", arg=len(days)
    )
    assert page.get_attribute("#timebar", "data-timebar") == "ready"
    assert v.errors == []


def test_at_360_px_the_bar_fits_under_the_map_and_a_tap_chooses_a_day(visit):
    v = visit(width=360)
    page = open_bar(v)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    bar = page.locator("#timebar-chart").bounding_box()
    play = page.locator("#timebar-play").bounding_box()
    map_box = page.locator(".folium-map").bounding_box()
    assert bar["x"] >= 0 and bar["x"] + bar["width"] <= 360
    assert bar["y"] >= map_box["y"] + map_box["height"] - 1  # under the map, not over it
    assert play["height"] >= 24 and play["width"] >= 24
    # Under the map, below the fold on a phone: scrolled to, then tapped.
    page.locator("#timebar-chart").scroll_into_view_if_needed()
    bar = page.locator("#timebar-chart").bounding_box()
    page.mouse.click(bar["x"] + bar["width"] * 0.5 / len(DAYS), bar["y"] + bar["height"] / 2)
    wait_for_list(v, overlapping(DAYS[0], DAYS[0]))
    assert url_dates(page) == [f"{DAYS[0]}/{DAYS[0]}"]
    assert v.errors == []
