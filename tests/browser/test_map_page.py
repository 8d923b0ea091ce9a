"""The map page in real Chromium against the live server, over the seed article's data."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db.models import F
from django.db.models.functions import Coalesce

from border_map.models import Article, Boundary, Enclave, Excerpt, Incident, Mention, Place

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
            "claimants": set(Incident.objects.values_list("claimed_by", flat=True)),
        }


def drawn_incident_count(page):
    """Incidents on the map: single markers plus the counts shown on cluster discs and on the
    badges of area-level claims."""
    return page.evaluate(
        """() => document.querySelectorAll('.incident-marker').length +
        Array.from(document.querySelectorAll('.incident-cluster, .incident-area .area-count'))
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


FOCUSED_INCIDENT = "() => document.activeElement && document.activeElement.dataset.incident"

# The incidents drawn are those of the view in the URL (main.js records the view it drew), at a
# zoom of at least the given one: a flight has ended and the incidents of its view are drawn.
VIEW_DRAWN = """minZoom => {
  const root = document.documentElement;
  const drawn = new URLSearchParams(root.dataset.incidentsView || "");
  const zoom = new URLSearchParams(location.search).get("zoom");
  return root.dataset.incidents === "ready" && drawn.get("zoom") === zoom
    && parseFloat(zoom) >= minZoom;
}"""
# Resolves once the page has not scrolled for five animation frames (a smooth scroll is over).
SCROLL_SETTLED = """() => new Promise(resolve => {
  let last = window.scrollY, still = 0;
  const tick = () => {
    if (window.scrollY === last) still += 1; else { still = 0; last = window.scrollY; }
    if (still >= 5) resolve(true); else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


def test_the_list_opens_the_same_popup_and_is_reachable_by_keyboard(visit, seed):
    v = visit()
    page = v.open("/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == (
        "Skip to the incident list"
    )
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    presses = 0
    while page.evaluate(FOCUSED_INCIDENT) != KOK_TASH:
        assert presses < len(seed["slugs"]), "Tab never reached the Kok-Tash entry"
        page.keyboard.press("Tab")
        presses += 1
    assert presses == seed["slugs"].index(KOK_TASH) + 1
    entry = page.query_selector(f"#incident-list [data-incident='{KOK_TASH}']")
    page.keyboard.press("Enter")
    text = popup_text(page, KOK_TASH)
    assert seed["excerpt"] in text
    page.wait_for_function(
        "() => parseFloat(new URLSearchParams(location.search).get('zoom')) >= 11"
    )
    # The move rebuilt the list; the focus stayed on the (new) Kok-Tash entry.
    page.wait_for_function("old => !old.isConnected", arg=entry)
    v.wait_ready()
    assert page.evaluate(FOCUSED_INCIDENT) == KOK_TASH
    assert page.evaluate("() => document.activeElement.getAttribute('aria-current')") == "true"
    assert page.locator(f".incident-popup .incident-popup-body[data-incident='{KOK_TASH}']").count()
    assert v.errors == []


def test_the_list_sits_under_the_map_at_360_px_and_opens_the_popup_in_view(visit, seed):
    v = visit(width=360)
    page = v.open("/")
    map_box = page.locator(".folium-map").bounding_box()
    list_box = page.locator("#incident-list").bounding_box()
    assert map_box["width"] <= 360 and list_box["y"] >= map_box["y"] + map_box["height"]
    page.click(f"#incident-list [data-incident='{KOK_TASH}']")
    popup_text(page, KOK_TASH)
    # The map scrolls back into view and flies to the incident.
    page.wait_for_function(VIEW_DRAWN, arg=11)
    page.wait_for_function(SCROLL_SETTLED)
    popup = page.locator(".incident-popup").bounding_box()
    assert 0 <= popup["x"] and popup["x"] + popup["width"] <= 360
    assert popup["y"] >= 0
    assert v.errors == []


def test_at_360_px_the_scale_bar_is_clear_of_the_attribution(visit, seed):
    v = visit(width=360)
    page = v.open("/")
    page.wait_for_load_state("networkidle")  # the layers' credits are in the attribution
    map_box = page.locator(".folium-map").bounding_box()
    scale = page.locator(".leaflet-control-scale").bounding_box()
    credit = page.locator(".leaflet-control-attribution").bounding_box()
    zoom = page.locator(".leaflet-control-zoom").bounding_box()
    overlap_x = (
        scale["x"] < credit["x"] + credit["width"] and credit["x"] < scale["x"] + scale["width"]
    )
    overlap_y = (
        scale["y"] < credit["y"] + credit["height"] and credit["y"] < scale["y"] + scale["height"]
    )
    assert not (overlap_x and overlap_y), (scale, credit)
    assert scale["y"] >= zoom["y"] + zoom["height"]  # under the zoom buttons
    assert (
        map_box["x"] <= scale["x"]
        and scale["x"] + scale["width"] <= map_box["x"] + map_box["width"]
    )
    assert (
        map_box["y"] <= scale["y"]
        and scale["y"] + scale["height"] <= map_box["y"] + map_box["height"]
    )
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


def test_a_reversed_date_range_in_a_link_says_why_and_shows_no_incident(visit, seed):
    v = visit()
    page = v.page
    page.goto(v.live_url + "/?datetime=2021-05-01/2021-04-28")
    page.wait_for_selector("html[data-incidents=error]", state="attached")
    status = page.inner_text("#list-status")
    assert "ends before it starts" in status
    assert listed(page) == []
    assert drawn_incident_count(page) == 0
    assert page.get_attribute("#export-geojson", "href") is None
    # The form itself cannot ask for it: each date bounds the other.
    assert page.get_attribute("#filter-to", "min") == "2021-05-01"
    assert page.get_attribute("#filter-from", "max") == "2021-04-28"
    v.screenshot("test_a_reversed_date_range_in_a_link_says_why_and_shows_no_incident-error")
    # Mending the range brings the incidents back.
    page.fill("#filter-to", "2021-05-01")
    page.dispatch_event("#filter-to", "change")
    page.wait_for_selector("html[data-incidents=ready]", state="attached")
    assert listed(page) == ["khovar-delegations-to-meet-in-batken-region-may-1"]
    assert page.get_attribute("#export-geojson", "href")
    # The 400 is expected and logged by the browser; nothing else is.
    assert [e for e in v.errors if "400" not in e] == []


def test_the_date_inputs_bound_each_other(visit, seed):
    v = visit()
    page = v.open("/")
    first, last = page.get_attribute("#filter-from", "min"), page.get_attribute("#filter-to", "max")
    page.fill("#filter-from", "2021-04-30")
    page.dispatch_event("#filter-from", "change")
    assert page.get_attribute("#filter-to", "min") == "2021-04-30"
    assert page.get_attribute("#filter-from", "max") == last
    page.fill("#filter-from", "")
    page.dispatch_event("#filter-from", "change")
    assert page.get_attribute("#filter-to", "min") == first
    assert v.errors == []


def test_a_permalink_restores_the_view_the_filters_and_the_open_incident(visit, seed):
    v = visit()
    page = v.open("/")
    page.select_option("#filter-type", "gunfire")
    v.wait_ready()
    page.click(f"#incident-list [data-incident='{KOK_TASH}']")
    popup_text(page, KOK_TASH)
    page.wait_for_function("() => new URLSearchParams(location.search).get('zoom') === '11'")
    page.wait_for_function(VIEW_DRAWN, arg=11)  # the flight ended, its view's incidents drawn
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
    # The article's own words, without the claim notes set beside the passages.
    text = page.evaluate(
        """() => { const copy = document.querySelector('.article-text').cloneNode(true);
                   copy.querySelectorAll('.claim-note').forEach((n) => n.remove());
                   return copy.textContent; }"""
    )
    assert text == HOSTILE
    note = page.inner_text(".claim-note")
    assert "<script>alert('incident title ran')</script>" in note
    assert page.locator(".article-text script, .article-text img, article img").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    assert page.inner_text("h1") == hostile_article.excerpts.get().article.title
    assert v.dialogs == []
    assert v.errors == []
    assert not [u for u in v.requests if urlsplit(u).path.endswith("/x")]


def test_a_claimant_in_a_link_stays_chosen_once_the_claimants_load(visit, seed):
    claimant = seed["kok_tash"].claimed_by
    v = visit()
    page = v.open("/?" + urlencode({"claimed_by": claimant}))
    page.wait_for_selector(f"#filter-claimed-by option:text-is('{claimant} (2)')", state="attached")
    assert page.input_value("#filter-claimed-by") == claimant
    assert sorted(listed(page)) == [
        "kyrgyz-police-gunfire-near-ak-sai",
        KOK_TASH,
    ]
    options = page.eval_on_selector_all("#filter-claimed-by option", "o => o.map(x => x.value)")
    assert options == ["", *sorted(seed["claimants"], key=lambda n: (n.casefold(), n))]
    assert parse_qs(urlsplit(page.url).query)["claimed_by"] == [claimant]
    assert v.errors == []


def test_clicking_a_marker_scrolls_the_list_to_its_entry(visit, seed):
    """On a short window (a map 213 px high, under the controls room for less than the
    popup) the popup is shrunk and the map pans to show it, but never so far that the incident
    leaves the map: the list, rebuilt for the panned view, keeps its entry, in the pane's view."""
    slug = "kyzyl-bel-talks-agree-troop-withdrawal"
    v = visit()
    v.page.set_viewport_size({"width": 1280, "height": 420})
    page = v.open("/?lat=40.05&lon=70.62&zoom=10")
    page.wait_for_selector(f".incident-marker [data-incident='{slug}']")
    entry = f"#incident-list [data-incident='{slug}']"
    in_pane = f"""() => {{
      const pane = document.querySelector('.incident-pane').getBoundingClientRect();
      const entry = document.querySelector("{entry}").getBoundingClientRect();
      return entry.top >= pane.top && entry.bottom <= pane.bottom;
    }}"""
    assert not page.evaluate(in_pane), "the entry starts out of the list's view"
    before = page.get_attribute("html", "data-incidents-view")
    page.click(f".incident-marker [data-incident='{slug}']")
    popup_text(page, slug)
    page.wait_for_selector(f".leaflet-container[data-popup-fitted='{slug}']", state="attached")
    page.wait_for_function(
        """(before) => document.documentElement.getAttribute('data-incidents') === 'ready'
          && document.documentElement.getAttribute('data-incidents-view') !== before""",
        arg=before,
    )
    marker_in_map = page.evaluate(
        f"""() => {{
          const map = document.querySelector('.leaflet-container').getBoundingClientRect();
          const m = document.querySelector(".incident-marker [data-incident='{slug}']")
            .getBoundingClientRect();
          return m.top >= map.top && m.bottom <= map.bottom;
        }}"""
    )
    assert marker_in_map, "the map panned the incident out of its view"
    assert page.locator(entry).count() == 1, "the list dropped the open incident"
    page.wait_for_function(in_pane)  # the pane may scroll smoothly
    assert page.evaluate("() => window.scrollY") == 0
    assert v.errors == []


def test_a_filter_that_excludes_the_open_incident_closes_its_popup(visit, seed):
    v = visit()
    page = v.open(f"/?incident={KOK_TASH}")
    popup_text(page, KOK_TASH)
    page.select_option("#filter-type", "clash")
    page.wait_for_selector(".incident-popup", state="detached")
    page.wait_for_function("() => !new URLSearchParams(location.search).has('incident')")
    v.wait_ready()
    assert KOK_TASH not in listed(page)
    assert v.errors == []


def test_a_link_to_an_unknown_incident_is_dropped_from_the_url(visit, seed):
    v = visit()
    page = v.open("/?incident=no-such-incident&type=gunfire")
    page.wait_for_function("() => !new URLSearchParams(location.search).has('incident')")
    assert parse_qs(urlsplit(page.url).query)["type"] == ["gunfire"]
    assert page.locator(".incident-popup").count() == 0
    assert [e for e in v.errors if "404" not in e] == []


@pytest.fixture
def hostile_names(django_db_blocker, django_db_setup):
    """A place, an enclave and a border line whose names are HTML, committed so that the live
    server sees them; restored afterwards. A line's ``countries`` holds 5 characters at most."""
    changes = [
        (Place, "ak-sai", {"name": "<img src=x onerror=\"alert('place ran')\">"}),
        (
            Enclave,
            "vorukh",
            {
                "name": "<img src=x onerror=\"alert('enclave ran')\">",
                "alternate_names": ["<script>alert('alternate ran')</script>"],
            },
        ),
        (Boundary, "KG-TJ", {"countries": "<svg>"}),
    ]
    with django_db_blocker.unblock():
        saved = []
        for model, key, values in changes:
            field = "countries" if model is Boundary else "slug"
            row = model.objects.get(**{field: key})
            saved.append((row, {name: getattr(row, name) for name in values}))
            model.objects.filter(pk=row.pk).update(**values)
        try:
            yield {model.__name__: values for model, _key, values in changes}
        finally:
            for row, values in saved:
                type(row).objects.filter(pk=row.pk).update(**values)


FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"


def hover_layer(page, key, value):
    """Fit the map to the line or area whose feature has ``properties[key] == value``, move the
    mouse onto it, and return the text of the tooltip that opens."""
    # The mouse off the map first: Chromium sends a mouse move after the map redraws, and a line
    # that came to lie under the pointer where it last was (a popup's close button) would open
    # its own tooltip first.
    page.mouse.move(2, 2)
    page.evaluate(
        f"""([key, value]) => {{
          const map = {FIND_MAP};
          map.eachLayer(layer => {{
            if (layer.feature && layer.getLatLngs && layer.feature.properties[key] === value)
              map.fitBounds(layer.getBounds(), {{ animate: false }});
          }});
        }}""",
        [key, value],
    )
    point = page.evaluate(
        f"""([key, value]) => {{
          const map = {FIND_MAP};
          let found = null;
          map.eachLayer(layer => {{
            if (found || !layer.feature || !layer.getLatLngs) return;
            if (layer.feature.properties[key] !== value) return;
            // An area at its centre (its outline may lie under a border line); a line at a point
            // of its drawn path (a vertex may have been smoothed away) that nothing covers.
            if (layer instanceof L.Polygon) {{
              const box = map.getContainer().getBoundingClientRect();
              const p = map.latLngToContainerPoint(layer.getCenter());
              found = {{ x: box.left + p.x, y: box.top + p.y }};
              return;
            }}
            const path = layer.getElement();
            const length = path.getTotalLength();
            const m = path.getScreenCTM();
            for (let step = 1; step < 40 && !found; step += 1) {{
              const q = path.getPointAtLength((length * step) / 40);
              const x = m.a * q.x + m.c * q.y + m.e;
              const y = m.b * q.x + m.d * q.y + m.f;
              if (document.elementFromPoint(x, y) === path) found = {{ x, y }};
            }}
          }});
          return found;
        }}""",
        [key, value],
    )
    assert point, (key, value)
    page.mouse.move(point["x"], point["y"])
    return page.wait_for_selector(".leaflet-tooltip").inner_text()


def close_tooltips(page):
    page.mouse.move(2, 2)
    page.wait_for_selector(".leaflet-tooltip", state="detached")


def test_place_enclave_and_line_names_with_html_render_inert(visit, hostile_names, seed):
    place = hostile_names["Place"]["name"]
    v = visit()
    # The place: its popup, opened by a link as the article page makes them.
    page = v.open("/?lat=39.90&lon=70.56&zoom=12&place=ak-sai")
    assert page.wait_for_selector(".place-popup h3").inner_text() == place
    # Its tooltip: the place's dot lies under its incident's marker, so it is opened directly.
    page.evaluate(
        f"""() => void {FIND_MAP}.eachLayer(l => l.feature && l.feature.id === "ak-sai" &&
          l.getTooltip() && l.openTooltip())"""
    )
    assert page.locator(".leaflet-tooltip", has_text=place).inner_text() == place
    assert any(place in t for t in page.locator("#incident-list .entry-meta").all_inner_texts())
    page.evaluate("() => document.querySelectorAll('.leaflet-tooltip').forEach(t => t.remove())")
    page.click(".leaflet-popup-close-button")
    # The enclave's tooltip and the line's, by hovering them.
    enclave = hostile_names["Enclave"]
    text = hover_layer(page, "name", enclave["name"])
    assert enclave["name"] in text and enclave["alternate_names"][0] in text
    assert page.locator(".leaflet-tooltip *:not(.enclave-tooltip, strong, br)").count() == 0
    close_tooltips(page)
    text = hover_layer(page, "countries", "<svg>")
    assert text.startswith("<svg> line:")
    assert (
        page.locator(".leaflet-tooltip svg, .leaflet-tooltip img, .leaflet-tooltip script").count()
        == 0
    )
    assert page.locator(".place-popup img, .place-popup script, #incident-list img").count() == 0
    # An injected <img onerror> would fire once its load fails: wait until every image is done.
    page.wait_for_function("() => Array.from(document.images).every(image => image.complete)")
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
