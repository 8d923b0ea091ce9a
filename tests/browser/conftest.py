"""Fixtures for the browser tests: Debian's Chromium through Playwright, with tile requests
answered on the spot so that no test reaches the internet, and every request recorded."""

import base64
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

from tests.browser.chromium import launch

# A host that cannot resolve (RFC 2606 reserves .test); page.route answers it.
TILE_HOST = "tiles.test"
TILE_URL = f"http://{TILE_HOST}/{{z}}/{{x}}/{{y}}.png"
# A 1×1 light grey PNG, served for every tile.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP48+cPAAXWAuv2Xrh7AAAAAElFTkSuQmCC"
)
# Playwright's sync API keeps an event loop running in the test thread, and Django refuses
# database calls from a thread with a running loop; these calls are synchronous, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture(scope="session")
def browser(django_db_setup):
    # The database is set up first, before Playwright starts its event loop in this thread.
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
        # Database calls made while Playwright's loop runs get connections of their own; close
        # them here, in that same context, so the test database can be dropped at the end.
        connections.close_all()


@pytest.fixture
def tiles_stubbed(settings):
    """Point the map's tile layer at TILE_HOST for this test (the live server reads settings)."""
    settings.BORDER_MAP = {**settings.BORDER_MAP, "TILE_URL": TILE_URL}


class Visit:
    """A browser page on the live server that records console errors, dialogs and requests."""

    def __init__(self, browser, live_url, width, locale=None):
        self.live_url = live_url
        # locale: the browser's language, which it sends as Accept-Language.
        self.context = browser.new_context(
            viewport={"width": width, "height": 800}, locale=locale or "en-US"
        )
        # A selector that never appears fails the test in 15 s rather than 30.
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors = []
        self.dialogs = []
        self.requests = []
        self.tiles = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.route(f"http://{TILE_HOST}/**", self._tile)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _tile(self, route):
        self.tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE_PNG)

    def open(self, path="/"):
        """Open a path of the site and wait until the incidents are drawn."""
        self.page.goto(self.live_url + path)
        self.wait_ready()
        return self.page

    def wait_ready(self):
        self.page.wait_for_selector("html[data-incidents=ready]", state="attached")

    def other_hosts(self):
        """Hosts requested other than the live server and the stubbed tile host."""
        ours = {urlsplit(self.live_url).netloc, TILE_HOST}
        return sorted(
            {urlsplit(u).netloc for u in self.requests if urlsplit(u).scheme in ("http", "https")}
            - ours
        )

    def screenshot(self, name):
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def visit(browser, live_url, tiles_stubbed, request):
    """Open pages at desktop width; the screenshot is saved under the test's name."""
    visits = []

    def open_visit(width=1280, locale=None):
        v = Visit(browser, live_url, width, locale)
        visits.append(v)
        return v

    yield open_visit
    for number, v in enumerate(visits):
        suffix = f"-{number}" if number else ""
        v.screenshot(request.node.name + suffix)
        v.context.close()
