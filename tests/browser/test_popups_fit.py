"""Every seed incident's popup, opened from the list and from the map, lies inside the map and
no control covers it, on a 360×740 phone (a sheet over the lower part of the map) and on a
1280×1000 desktop; the legend closes when a popup opens."""

import pytest
from django.db.models import Q

from border_map.models import Incident, Place

pytestmark = pytest.mark.browser

SIZES = [(360, 740), (1280, 1000)]
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
# Map methods return the map: `void` them in page.evaluate, or Playwright serialises the whole
# map object graph back to Python (seconds per call).


@pytest.fixture(scope="module")
def slugs(django_db_blocker, django_db_setup):
    with django_db_blocker.unblock():
        return list(Incident.objects.published().values_list("slug", flat=True))


def open_page(visit, width, height):
    v = visit(width=width)
    v.page.set_viewport_size({"width": width, "height": height})
    v.page.emulate_media(reduced_motion="reduce")
    page = v.open("/")
    return v, page


def check_popup(page, slug):
    """The popup of ``slug`` once placed: inside the map's box, and at each of a grid of points
    over it the topmost element is the popup itself (no control on top)."""
    page.wait_for_selector(f".leaflet-container[data-popup-fitted='{slug}']", state="attached")
    page.wait_for_selector(f".incident-popup-body[data-incident='{slug}']")
    result = page.evaluate(
        """() => {
          const map = document.querySelector('.leaflet-container').getBoundingClientRect();
          const popup = document.querySelector('.leaflet-popup.incident-popup');
          const box = popup.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
          const inside = box.left >= map.left && box.right <= map.right &&
            box.top >= map.top && box.bottom <= map.bottom;
          const covered = [];
          for (const fx of [0.02, 0.5, 0.98]) for (const fy of [0.02, 0.5, 0.98]) {
            const x = box.left + fx * box.width, y = box.top + fy * box.height;
            const top = document.elementFromPoint(x, y);
            if (!popup.contains(top)) covered.push([fx, fy, top && top.className]);
          }
          const title = popup.querySelector('h3').getBoundingClientRect();
          const titleShown = title.top >= box.top && title.top >= map.top &&
            title.bottom <= map.bottom;
          return {inside, covered, titleShown, box: [box.left, box.top, box.right, box.bottom],
                  map: [map.left, map.top, map.right, map.bottom]};
        }"""
    )
    assert result["inside"], (slug, result)
    assert result["covered"] == [], (slug, result)
    assert result["titleShown"], (slug, result)


def close_popup(page):
    page.evaluate(f"() => void {FIND_MAP}.closePopup()")
    page.wait_for_selector(".leaflet-popup", state="detached")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_incident_opened_from_the_list_has_its_popup_in_the_map_and_uncovered(
    visit, slugs, width, height
):
    v, page = open_page(visit, width, height)
    start = page.evaluate(f"() => {{ const c = {FIND_MAP}.getCenter(); return [c.lat, c.lng]; }}")
    zoom = page.evaluate(f"() => {FIND_MAP}.getZoom()")
    for slug in slugs:
        # Back to the first view, where the list holds every incident.
        show_view(page, start, zoom)
        page.click(f"#incident-list .incident-entry[data-incident='{slug}']")
        check_popup(page, slug)
        if width < 700:
            assert page.locator(".leaflet-popup.popup-sheet").count() == 1
        close_popup(page)
    assert v.errors == []


@pytest.fixture(scope="module")
def where(django_db_blocker, django_db_setup):
    """Each published claim's [lat, lon]."""
    with django_db_blocker.unblock():
        return {
            i.slug: [i.place.point.y, i.place.point.x]
            for i in Incident.objects.published().select_related("place")
        }


@pytest.fixture(scope="module")
def area_of(django_db_blocker, django_db_setup):
    """Each published claim's place name (an area-level claim's badge shows it)."""
    with django_db_blocker.unblock():
        return dict(Incident.objects.published().values_list("slug", "place__name"))


def show_view(page, centre, zoom):
    """Move the map without animation and wait until the incidents of that view are drawn."""
    page.evaluate(
        f"""([c, z]) => {{
          document.documentElement.removeAttribute('data-incidents');
          {FIND_MAP}.setView(c, z, {{ animate: false }});
        }}""",
        [centre, zoom],
    )
    page.wait_for_selector("html[data-incidents=ready]", state="attached")


# Brings a clustered marker into view (zoomed to, or spread out when several share a place);
# false when no cluster group holds it or Leaflet.markercluster does not call back in time.
SHOW_MARKER = f"""(slug) => new Promise(done => {{
  let found = false;
  {FIND_MAP}.eachLayer(layer => {{
    if (found || !layer.getLayers || !layer.zoomToShowLayer) return;
    const marker = layer.getLayers().find(
      m => m.options.icon.options.html.dataset.incident === slug);
    if (!marker) return;
    found = true;
    layer.zoomToShowLayer(marker, () => done(true));
  }});
  if (!found) done(false);
  else setTimeout(() => done(false), 5000);
}})"""


# The badge's list lies inside the map and the window, clear of the controls.
AREA_POPUP_PLACED = """() => {
  const map = document.querySelector('.leaflet-container').getBoundingClientRect();
  const box = document.querySelector(
    '.area-claims-popup .leaflet-popup-content-wrapper').getBoundingClientRect();
  const controls = [...document.querySelectorAll('.leaflet-control')].some(c => {
    const r = c.getBoundingClientRect();
    return r.left < box.right && r.right > box.left && r.top < box.bottom && r.bottom > box.top;
  });
  return box.top >= Math.max(map.top, 0) && box.left >= map.left && box.right <= map.right &&
    box.bottom <= Math.min(map.bottom, innerHeight) && !controls;
}"""


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_incident_opened_from_the_map_has_its_popup_in_the_map_and_uncovered(
    visit, slugs, where, area_claims, area_of, width, height
):
    v, page = open_page(visit, width, height)
    page.evaluate("() => window.scrollTo(0, 0)")
    for slug in slugs:
        if slug in area_claims:
            # An area-level claim is opened from its area's badge, as a reader would.
            show_view(page, where[slug], 9)
            claim = f".area-popup .area-claim[data-incident='{slug}']"
            badge = page.locator(".incident-area .area-badge").filter(has_text=area_of[slug])
            badge.click()
            page.wait_for_selector(claim)
            assert page.evaluate(AREA_POPUP_PLACED), slug
            page.click(claim)
        else:
            # A point claim: its marker, shown by the cluster layer and clicked.
            show_view(page, where[slug], 13)
            assert page.evaluate(SHOW_MARKER, slug), slug
            page.click(f".incident-marker [data-incident='{slug}']")
        check_popup(page, slug)
        close_popup(page)
    assert v.errors == []


def test_the_legend_closes_when_a_popup_opens(visit, slugs):
    v, page = open_page(visit, 1280, 1000)
    assert page.locator("details.legend[open]").count() == 1
    page.click(f"#incident-list .incident-entry[data-incident='{slugs[0]}']")
    check_popup(page, slugs[0])
    assert page.locator("details.legend[open]").count() == 0
    assert v.errors == []


@pytest.fixture(scope="module")
def area_claims(django_db_blocker, django_db_setup):
    """The slugs of the claims about a district or region as a whole (or vaguer than 10 km)."""
    area = Q(place__kind__in=[Place.Kind.DISTRICT, Place.Kind.REGION]) | Q(
        place__precision_m__gt=10000
    )
    with django_db_blocker.unblock():
        return set(Incident.objects.published().filter(area).values_list("slug", flat=True))


def test_area_level_claims_are_badges_with_counts_and_a_toggle_hides_them(
    visit, slugs, area_claims
):
    v, page = open_page(visit, 1280, 1000)
    assert 0 < len(area_claims) < len(slugs)
    counts = page.eval_on_selector_all(
        ".incident-area .area-count", "cs => cs.map(c => Number(c.textContent))"
    )
    assert sum(counts) == len(area_claims)
    # None of them is among the clustered points.
    clustered = page.evaluate(
        f"""() => {{
          const out = [];
          {FIND_MAP}.eachLayer(l => l.zoomToShowLayer && l.getLayers().forEach(
            m => out.push(m.options.icon.options.html.dataset.incident)));
          return out;
        }}"""
    )
    assert set(clustered) == set(slugs) - area_claims
    # The toggle in the layer control hides them from the map and the list, and the URL keeps it.
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label", has_text="Area-level claims").click()
    page.wait_for_function("() => location.search.includes('areas=hide')")
    page.wait_for_selector(".incident-area", state="detached")
    # The list is drawn again without them once the incidents are loaded again.
    v.wait_ready()
    listed = page.eval_on_selector_all(
        "#incident-list .incident-entry", "bs => bs.map(b => b.dataset.incident)"
    )
    assert set(listed) == set(slugs) - area_claims
    page.reload()
    v.wait_ready()
    assert page.locator(".incident-area").count() == 0
    assert v.errors == []


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_an_area_badge_stays_put_when_the_map_zooms(visit, where, area_claims, area_of, motion):
    """Leaflet.markercluster slides every marker icon for 0.3 s after a zoom (the
    ``leaflet-cluster-anim`` class on the map's pane): an area badge is not one of its markers and
    is drawn at once where it belongs, so a click aimed at it lands on it. Who asked for less
    motion gets no cluster animation at all."""
    v = visit(width=1280)
    v.page.emulate_media(reduced_motion=motion)
    page = v.open("/")
    slug = sorted(area_claims)[0]
    frames = page.evaluate(
        f"""([centre, name]) => new Promise(done => {{
          const map = {FIND_MAP};
          const pane = map.getPane('mapPane');
          map.setView(centre, map.getZoom() + 2, {{ animate: false }});
          const frames = [];
          const t0 = performance.now();
          const tick = () => {{
            const badge = [...document.querySelectorAll('.incident-area .area-badge')]
              .find(b => b.textContent.includes(name));
            const r = badge && badge.getBoundingClientRect();
            frames.push([r ? `${{Math.round(r.left)}},${{Math.round(r.top)}}` : null,
                         pane.classList.contains('leaflet-cluster-anim')]);
            if (performance.now() - t0 < 600) requestAnimationFrame(tick); else done(frames);
          }};
          requestAnimationFrame(tick);
        }})""",
        [where[slug], area_of[slug]],
    )
    places = {at for at, _ in frames if at}
    assert len(places) == 1, frames  # the badge never slides
    animated = any(anim for _, anim in frames)
    assert animated == (motion == "no-preference"), frames
    assert v.errors == []


def test_an_area_popup_opened_while_the_map_is_scrolled_inside_is_placed_in_the_map(
    visit, where, area_claims, area_of
):
    """A focus or a scrollIntoView of a badge near the map's edge scrolls the map's container
    (Leaflet undoes it on the scroll event, after a click that follows at once): the popup is
    still placed inside the map, clear of the controls."""
    v, page = open_page(visit, 360, 740)
    slug = sorted(area_claims)[0]
    show_view(page, where[slug], 9)
    scrolled = page.evaluate(
        """(name) => {
          const map = document.querySelector('.leaflet-container');
          map.scrollLeft = 100;
          map.scrollTop = 100;
          const scrolled = [map.scrollLeft, map.scrollTop];
          [...document.querySelectorAll('.incident-area .area-badge')]
            .find(b => b.textContent.includes(name)).click();
          return scrolled;
        }""",
        area_of[slug],
    )
    assert scrolled == [100, 100]  # the browser let the container scroll
    page.wait_for_selector(f".area-popup .area-claim[data-incident='{slug}']")
    assert page.evaluate(AREA_POPUP_PLACED)
    assert v.errors == []
