"""Reading and sharing in real Chromium: the embed snippet works in another site's page while the
full map refuses to be framed, the page prints to PDF with the map and the list, and the article
view reads as an article with each quoted passage's claim beside it."""

import http.server
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from border_map.models import Incident

pytestmark = pytest.mark.browser

SEED = "rferl-2021-04-30-kyrgyz-tajik-ceasefire"
KOK_TASH = "kyrgyz-police-tajik-shooting-at-kok-tash"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


class _OtherSite:
    """A page on another origin (another loopback port) that frames a URL."""

    def __init__(self, framed):
        page = (
            "<!doctype html><html><body><h1>A newsroom's story</h1>"
            f'<iframe id="framed" src="{framed}" width="800" height="480"></iframe>'
            "</body></html>"
        ).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _embed_snippet(page):
    page.click("#embed-button")
    page.wait_for_selector("#embed-dialog[open]")
    return page.input_value("#embed-code")


def test_the_embed_snippet_shows_the_view_and_filters_in_another_sites_page(visit):
    v = visit()
    page = v.open(f"/?type=gunfire&lat=40.0&lon=70.7&zoom=9&incident={KOK_TASH}")
    snippet = _embed_snippet(page)
    assert snippet.startswith('<iframe src="' + v.live_url + "/embed/?")
    src = snippet.split('"')[1].replace("&amp;", "&")
    assert "type=gunfire" in src and f"incident={KOK_TASH}" in src
    other = _OtherSite(src)
    try:
        page.goto(other.url)
        frame = page.frame_locator("#framed")
        frame.locator("html[data-incidents=ready]").wait_for(state="attached")
        # The embedded map: no header or filters, the incidents of the filter, a link back.
        assert frame.locator(".bar").is_hidden()
        assert frame.locator(".incident-marker, .incident-cluster").count() > 0
        back = frame.locator("#full-map-link")
        assert back.is_visible()
        href = back.get_attribute("href")
        assert href.startswith("/?") and "type=gunfire" in href
        # The popups are kept: the open incident's popup, with its verbatim excerpt.
        popup = frame.locator(".incident-popup")
        popup.wait_for()
        excerpt = Incident.objects.get(slug=KOK_TASH).excerpts.get().text
        assert " ".join(excerpt.split()[:6]) in " ".join(popup.inner_text().split())
    finally:
        other.close()
    assert v.errors == []


def test_the_full_map_refuses_to_be_framed_by_another_site(visit):
    v = visit()
    other = _OtherSite(v.live_url + "/")
    try:
        with v.page.expect_console_message(lambda m: "frame-ancestors" in m.text):
            v.page.goto(other.url)
        framed = v.page.frame_locator("#framed")
        assert framed.locator(".folium-map, #filters").count() == 0
    finally:
        other.close()


def test_the_map_page_prints_to_pdf_with_the_map_list_claimants_and_excerpts(visit):
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is missing: scripts/setup.sh test installs it")
    v = visit()
    page = v.open("/")
    page.emulate_media(media="print")
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = SCREENSHOTS / "map-print.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    kok_tash = Incident.objects.get(slug=KOK_TASH)
    assert kok_tash.title in " ".join(text.split())
    assert kok_tash.claimed_by in " ".join(text.split())
    first_words = " ".join(kok_tash.excerpts.get().text.split()[:8])
    assert first_words in " ".join(text.split())
    assert "Printed" in text and "OpenStreetMap" in text
    assert "Export GeoJSON" not in text and "Clear filters" not in text
    # The first page as a picture, to look at (the map is drawn on it).
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(SCREENSHOTS / "map-print"),
        ],
        check=True,
    )
    assert list(SCREENSHOTS.glob("map-print*.png"))


def test_the_article_view_has_no_page_furniture_and_notes_each_claim_beside_its_passage(visit):
    v = visit()
    page = v.page
    page.goto(f"{v.live_url}/articles/{SEED}/")
    text = page.inner_text(".article-text")
    assert "Accessibility links" not in text and "Breaking News" not in text
    notes = page.locator(".claim-note")
    assert notes.count() > 0
    # Wide screen: the notes stand in the margin, right of the text.
    text_box = page.locator(".article-text").bounding_box()
    note_box = notes.first.bounding_box()
    assert note_box["x"] >= text_box["x"] + text_box["width"] - 1
    mark = page.locator("mark.excerpt").first
    colour = mark.evaluate("m => getComputedStyle(m).borderBottomColor")
    assert colour not in ("", "rgba(0, 0, 0, 0)")
    # A phone: the notes are in the text, not off the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    note_box = notes.first.bounding_box()
    assert 0 <= note_box["x"] and note_box["x"] + note_box["width"] <= 360
    assert v.errors == []


def test_the_page_can_be_pinch_zoomed_on_a_phone(visit):
    v = visit(width=360)
    page = v.open("/")
    viewport = page.get_attribute('meta[name="viewport"]', "content")
    assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport


def test_the_article_view_prints_the_article_with_its_claims_and_no_navigation(visit):
    v = visit()
    page = v.page
    page.goto(f"{v.live_url}/articles/{SEED}/")
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = SCREENSHOTS / "article-print.pdf"
    page.pdf(path=str(pdf), format="A4")
    words = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    kok_tash = Incident.objects.get(slug=KOK_TASH)
    assert kok_tash.title in words and kok_tash.claimed_by in words
    assert "Back to the map" not in words
    assert "From the border map" in words


def test_the_embedded_map_keeps_the_time_bar_and_its_days_filter_the_map_and_the_link_back(visit):
    from tests.browser.test_timebar import DAYS, overlapping

    v = visit()
    other = _OtherSite(v.live_url + "/embed/")
    try:
        v.page.goto(other.url)
        frame = v.page.frame_locator("#framed")
        frame.locator("#timebar[data-timebar=ready]").wait_for(state="attached")
        assert frame.locator("#timebar").get_attribute("data-bins") == str(len(DAYS))
        # The link back sits beside the bar's status: it covers neither the bars nor the map.
        link = frame.locator("#full-map-link").bounding_box()
        for covered in ("#timebar-chart", ".folium-map"):
            box = frame.locator(covered).bounding_box()
            apart = (
                link["x"] >= box["x"] + box["width"]
                or link["x"] + link["width"] <= box["x"]
                or link["y"] >= box["y"] + box["height"]
                or link["y"] + link["height"] <= box["y"]
            )
            assert apart, (covered, link, box)
        # The first day, by keyboard: the embedded map and its link back follow it.
        frame.locator("#timebar-chart").focus()
        v.page.keyboard.press("ArrowRight")
        first_day = overlapping(DAYS[0], DAYS[0])
        assert 0 < len(first_day) < len(overlapping(DAYS[0], DAYS[-1]))
        frame.locator(f"html[data-incident-total='{len(first_day)}']").wait_for(state="attached")
        frame.locator(f"#full-map-link[href*='datetime={DAYS[0]}']").wait_for(state="attached")
    finally:
        other.close()
    v.screenshot("embed-time-bar")
    assert v.errors == []
