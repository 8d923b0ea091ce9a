"""Benchmark of the editors' review page (not a test): a 3,000-word article with 60 place
mentions (names needing review, unresolved names and candidates among them), opened by a
signed-in editor in headless Chromium until the page's script says it is ready (text, map,
markers), and rendered by the server alone (Django's test client); medians of several runs.

Usage: .venv/bin/python bench/review_benchmark.py [--runs 7]
It uses its own SpatiaLite file bench/out/review_benchmark.sqlite3, rebuilt each run.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
WORDS = 3000
MENTIONS = 60
PASSWORD = "bench password 1"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def setup_django():
    sys.path.insert(0, str(ROOT))
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.pop("DATABASE_URL", None)
    path = OUT / "review_benchmark.sqlite3"
    path.unlink(missing_ok=True)
    os.environ["SPATIALITE_FILE"] = str(path)
    os.environ["BORDER_MAP_TILE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "border_map.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_data", verbosity=0)


def make_article():
    """The seed article's sentences repeated to WORDS words, with MENTIONS names marked: a third
    of the places needing review, a sixth of the names unresolved, each with three candidates."""
    from border_map.articles import store_excerpts
    from border_map.models import Article, Mention, Place

    seed = Article.objects.get(slug="rferl-2021-04-30-kyrgyz-tajik-ceasefire")
    places = list(Place.objects.all()[:20])
    words = seed.text.split()
    words = (words * (WORDS // len(words) + 1))[:WORDS]
    paragraphs = [" ".join(words[i : i + 50]) for i in range(0, WORDS, 50)]
    text, spans = "", []
    for number, paragraph in enumerate(paragraphs):
        if number < MENTIONS:
            place = places[number % len(places)]
            text += f"Near {place.name}, "
            spans.append((len(text) - len(place.name) - 2, len(text) - 2, place))
        text += paragraph + "\n\n"
    assert len(text.split()) >= WORDS and len(spans) == MENTIONS
    candidates, unresolved = {}, []
    for i, (start, end, place) in enumerate(spans):
        row = {
            "name": place.name, "alternate_names": [], "kind": place.kind,
            "lat": place.point.y, "lon": place.point.x, "precision_m": place.precision_m,
            "estimated": False, "source": place.source, "country": place.country,
            "curated": False, "population": 0, "score": 1.0,
        }  # fmt: skip
        candidates[str(start)] = [row, {**row, "lat": row["lat"] + 0.1}, {**row, "lon": 71.0}]
        if i % 6 == 5:
            unresolved.append({"start": start, "end": end, "text": text[start:end], "why": "x"})
    article = Article.objects.create(
        slug="bench-review",
        title="A long article",
        outlet="Bench",
        published=dt.date(2021, 4, 30),
        text=text,
        geoparse_result={"candidates": candidates, "unresolved": unresolved},
    )
    mentions = []
    for i, (start, end, place) in enumerate(spans):
        if i % 6 == 5:
            continue
        if i % len(places) < 7:  # a third of the places flagged
            Place.objects.filter(pk=place.pk).update(needs_review=True)
        Mention.objects.create(article=article, place=place, start=start, end=end, text=place.name)
        mentions.append((start, end, place))
    store_excerpts(article, mentions)
    return article


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth.models import Group, User
    from django.core.wsgi import get_wsgi_application
    from django.test import Client
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.browser.chromium import launch

    article = make_article()
    user = User.objects.create_user("bench", password=PASSWORD)
    user.groups.add(Group.objects.get(name="editor"))
    url = f"/editor/articles/{article.slug}/"

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get(url)  # warm-up
    server_ms, size = [], 0
    for _ in range(args.runs):
        t = time.perf_counter()
        response = client.get(url)
        server_ms.append((time.perf_counter() - t) * 1000)
        size = len(response.content)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    names = {
        s: html.count(f"name name-{s}") - 1 for s in ("resolved", "needs-review", "unresolved")
    }
    proposals = html.count('class="proposal"')

    httpd = make_server("127.0.0.1", 0, get_wsgi_application(), _Server, _Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    browser_ms = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(base + "/editor/login/")
        page.fill("#id_username", "bench")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/editor/")
        page.goto(base + url)  # warm-up: the static files into the cache, as for an editor
        page.wait_for_selector("html[data-review=ready]", state="attached")
        for _ in range(args.runs):
            t = time.perf_counter()
            page.goto(base + url)
            page.wait_for_selector("html[data-review=ready]", state="attached")
            browser_ms.append((time.perf_counter() - t) * 1000)
        marks = page.locator("mark.name").count()
        browser.close()
    httpd.shutdown()
    print(
        f"review page, {WORDS} words, {MENTIONS} names ({marks} marked: {names}), "
        f"{proposals} proposals, {size / 1024:.0f} kB of HTML; {args.runs} runs\n"
        f"  server render, median {statistics.median(server_ms):.0f} ms "
        f"(max {max(server_ms):.0f})\n"
        f"  Chromium, navigation to ready, median {statistics.median(browser_ms):.0f} ms "
        f"(max {max(browser_ms):.0f})\n"
        f"  {platform.python_version()}, {platform.machine()}"
    )


if __name__ == "__main__":
    main()
