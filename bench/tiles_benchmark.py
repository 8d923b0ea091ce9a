"""Benchmark of the map at scale (not a test; issue 11): synthetic incidents loaded with
``manage.py load_synthetic_incidents``, served by gunicorn as ``make run`` serves them
(2 workers × 4 threads), measured

- in headless Chromium: first draw after navigation, then three pans and two zooms, each from
  the gesture until the page says the new view is drawn (``data-incidents=ready`` for that
  view), with and without a date filter, cold (a new browser profile) and warm (the same
  profile, the page loaded again: tiles from the browser's cache);
- a cluster tile's server time, uncached (no two requests for the same tile), over zooms 5–13,
  unfiltered, with a date filter (served by the pyramid) and with a claimant (grouped live);
- a page of 100 features at position N/2 by cursor (keyset) and by offset;
- 50 browsing users at once (tiles 70 %, the list 20 %, popups 10 %) for 20 s: errors, p50/p99.

Usage: .venv/bin/python bench/tiles_benchmark.py [--sizes 10000 100000] [--database-url postgis://…]
Without --database-url it uses its own SpatiaLite file bench/out/tiles_benchmark.sqlite3. Sizes
are cumulative (synthetic incidents are added). Results go to the "## Tiles at scale (issue 11)"
section of bench/RESULTS.md, one part per database.
"""

import argparse
import datetime as dt
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Tiles at scale (issue 11)"
sys.path.insert(0, str(ROOT))

# The view the page opens on (REGION_BOUNDS fitted at 1280×800), and a closer one.
VIEWS = {"region": "/", "close": "/?lat=40.0&lon=70.6&zoom=11"}
DATE_FILTER = "datetime=2021-04-29%2F2021-04-29"
# The drawn view is the one the URL names, and the page says it is ready.
DRAWN = """() => {
  const root = document.documentElement;
  const drawn = new URLSearchParams(root.dataset.incidentsView || "");
  const url = new URLSearchParams(location.search);
  return root.dataset.incidents === "ready" && drawn.get("zoom") === url.get("zoom")
    && drawn.get("bbox") !== null;
}"""


def setup(database_url):
    OUT.mkdir(parents=True, exist_ok=True)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        path = OUT / "tiles_benchmark.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.environ["SPATIALITE_FILE"] = str(path)
    os.environ["BORDER_MAP_TILE_URL"] = ""  # no base tiles: nothing to stub or wait for
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "border_map.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_boundaries", verbosity=0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """make run's gunicorn on a free port, on the benchmark's database."""

    def __init__(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "border_map.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/map/claimants.json", timeout=5).read()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def get(self, path, headers=None):
        started = time.perf_counter()
        request = urllib.request.Request(self.base + path, headers=headers or {})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        return (time.perf_counter() - started) * 1000, body

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def region_tiles(z):
    from border_map.maps import REGION_BOUNDS
    from border_map.pyramid import cell_of

    (south, west), (north, east) = REGION_BOUNDS
    x0, y0 = cell_of(west, north, z)
    x1, y1 = cell_of(east, south, z)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def tile_times(server, rng, query="", per_zoom=12):
    """ms per uncached tile request over zooms 5..13 (each tile asked once per query)."""
    times = []
    for z in range(5, 14):
        tiles = region_tiles(z)
        for z_, x, y in rng.sample(tiles, min(per_zoom, len(tiles))):
            path = f"/map/clusters/{z_}/{x}/{y}.json" + (f"?{query}" if query else "")
            try:
                ms, _ = server.get(path)
            except urllib.error.HTTPError as error:  # a 503 (statement timeout) counts as slow
                print(f"  {path}: {error}", flush=True)
                ms = float("inf")
            times.append(ms)
    return times


def paging(server, size):
    """ms for a page of 100 at position size/2, by cursor and by offset."""
    from border_map import filters
    from border_map.models import Incident

    position = size // 2
    row = Incident.objects.order_by("date", "slug").values("date", "slug")[position - 1]
    cursor = filters.make_cursor("incidents", row)
    by_cursor = [
        server.get(f"/api/incidents.geojson?limit=100&cursor={cursor}")[0] for _ in range(5)
    ]
    by_offset = [
        server.get(f"/api/incidents.geojson?limit=100&offset={position}")[0] for _ in range(2)
    ]
    return position, statistics.median(by_cursor), statistics.median(by_offset)


def users(server, slugs, count=50, seconds=20.0):
    """``count`` users browsing at once: (requests, errors, p50 ms, p99 ms)."""
    rng = random.Random(5)
    tiles = [t for z in range(6, 13) for t in region_tiles(z)]
    latencies, errors = [], []
    stop = time.monotonic() + seconds

    def user(seed):
        r = random.Random(seed)
        while time.monotonic() < stop:
            pick = r.random()
            if pick < 0.7:
                z, x, y = r.choice(tiles)
                path = f"/map/clusters/{z}/{x}/{y}.json"
            elif pick < 0.9:
                lon, lat = r.uniform(69.4, 71.6), r.uniform(39.7, 40.4)
                path = (
                    f"/map/incidents.json?clusters=0&zoom=11&bbox={lon:.4f},{lat:.4f},"
                    f"{lon + 0.35:.4f},{lat + 0.2:.4f}"
                )
            else:
                path = f"/map/incidents/{r.choice(slugs)}.json"
            try:
                ms, _ = server.get(path)
                latencies.append(ms)
            except (OSError, urllib.error.HTTPError) as error:
                errors.append(f"{path}: {error}")

    threads = [threading.Thread(target=user, args=(rng.random(),)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (
        len(latencies) + len(errors),
        errors,
        percentile(latencies, 50),
        percentile(latencies, 99),
    )


def gestures(page):
    """ms for three pans and two zooms, each until its view is drawn."""
    times = []
    moves = [
        "map.panBy([400, 0], {animate: false})",
        "map.panBy([0, 300], {animate: false})",
        "map.panBy([-400, 0], {animate: false})",
        "map.setZoom(map.getZoom() + 1, {animate: false})",
        "map.setZoom(map.getZoom() + 1, {animate: false})",
    ]
    for move in moves:
        started = page.evaluate(
            "move => { const map = window.borderMapPage.map; const t = performance.now();"
            " document.documentElement.dataset.incidents = 'moving';"
            f" {move}; return t; }}",
            move,
        )
        page.wait_for_function(DRAWN, timeout=120_000, polling="raf")
        times.append(page.evaluate("() => performance.now()") - started)
    return times


def browse(context, base, path):
    """(first draw ms, gesture ms list) for one page load in a browser context."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + path, timeout=120_000)
    page.wait_for_function(DRAWN, timeout=120_000, polling="raf")
    first = page.evaluate("() => performance.now()")
    moves = gestures(page)
    page.close()
    if errors:
        raise RuntimeError(f"{path}: {errors}")
    return first, moves


def browser_runs(browser, base):
    """{(view, filtered, warm): (first ms, [gesture ms])}."""
    results = {}
    for filtered in (False, True):
        path = VIEWS["region"] + (("?" + DATE_FILTER) if filtered else "")
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        results[(filtered, "cold")] = browse(context, base, path)
        results[(filtered, "warm")] = browse(context, base, path)
        context.close()
    return results


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} × {cpu}"


def write_section(database, body):
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION in current:
        before, rest = current.split(SECTION, 1)
        end = rest.find("\n## ")
        mine, rest = (rest[:end], rest[end + 1 :]) if end >= 0 else (rest, "")
    else:
        before, mine, rest = current.rstrip("\n") + "\n\n", "", ""
    # The parts are the databases' (last in the section); the text before them stays.
    first = re.search(r"\n### (PostGIS|SpatiaLite)\n", mine)
    intro = (mine[: first.start()] if first else mine).strip()
    parts = dict(re.findall(r"\n### (PostGIS|SpatiaLite)\n(.*?)(?=\n### |\Z)", mine, flags=re.S))
    parts[database] = body
    text = SECTION + "\n\n" + (intro + "\n" if intro else "")
    for name in sorted(parts):
        text += f"\n### {name}\n\n{parts[name].strip()}\n"
    RESULTS.write_text(before + text + ("\n" + rest if rest else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database-url", default="", help="postgis://… (default: SpatiaLite)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print, do not edit RESULTS.md")
    args = parser.parse_args()

    setup(args.database_url)
    from django.db import connection
    from playwright.sync_api import sync_playwright

    from border_map import synthetic
    from border_map.models import Incident
    from tests.browser.chromium import launch

    database = "PostGIS" if connection.vendor == "postgresql" else "SpatiaLite"
    rows = []
    for size in args.sizes:
        have = Incident.objects.count()
        started = time.perf_counter()
        if size > have:
            synthetic.load(size - have, seed=1)
        load_s = time.perf_counter() - started
        print(f"{database}: {size:,} incidents (loaded in {load_s:.0f} s)", flush=True)
        connection.close()
        server = Gunicorn()
        try:
            rng = random.Random(size)
            plain = tile_times(server, rng)
            dated = tile_times(server, rng, DATE_FILTER)
            claimed = tile_times(server, rng, "claimed_by=Kyrgyz%20police", per_zoom=4)
            position, cursor_ms, offset_ms = paging(server, size)
            print(
                f"  tiles p95 {percentile(plain, 95):.0f} ms, dated {percentile(dated, 95):.0f}"
                f", claimant {percentile(claimed, 95):.0f}; page at {position:,}: cursor "
                f"{cursor_ms:.0f} ms, offset {offset_ms:.0f} ms",
                flush=True,
            )
            drawn = {}
            if not args.no_browser:
                with sync_playwright() as playwright:
                    browser = launch(playwright)
                    drawn = browser_runs(browser, server.base)
                    browser.close()
                for key, (first, moves) in drawn.items():
                    print(
                        f"  browser {key}: first {first:.0f} ms, gestures "
                        f"{', '.join(f'{m:.0f}' for m in moves)} ms",
                        flush=True,
                    )
            slugs = list(Incident.objects.order_by("?").values_list("slug", flat=True)[:500])
            mix = users(server, slugs, args.users)
            print(
                f"  {args.users} users: {mix[0]} requests, {len(mix[1])} errors, p50 "
                f"{mix[2]:.0f} ms, p99 {mix[3]:.0f} ms",
                flush=True,
            )
        finally:
            server.stop()
        rows.append(
            (size, load_s, plain, dated, claimed, position, cursor_ms, offset_ms, drawn, mix)
        )

    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()} by "
        f"`bench/tiles_benchmark.py` (gunicorn, 2 workers × 4 threads; one place per "
        "incident, the worst case for clustering).",
        "",
        "| incidents | tile p50 / p95, uncached | date filter p95 | claimant (live) p95 "
        "| page at N/2: cursor / offset | 50 users: requests, errors, p50 / p99 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size, _load, plain, dated, claimed, position, cur, off, _drawn, mix in rows:
        lines.append(
            f"| {size:,} | {percentile(plain, 50):.0f} / {percentile(plain, 95):.0f} ms "
            f"| {percentile(dated, 95):.0f} ms | {percentile(claimed, 95):.0f} ms "
            f"| {cur:.0f} / {off:.0f} ms (at {position:,}) "
            f"| {mix[0]:,}, {len(mix[1])}, {mix[2]:.0f} / {mix[3]:.0f} ms |"
        )
    if any(r[8] for r in rows):
        lines += [
            "",
            "In Chromium (1280×800, no base tiles), from navigation to the first view drawn, "
            "then each gesture (pan right 400 px, down 300, left 400, zoom in, zoom in) until "
            "its view is drawn (list and tiles); cold: a new profile; warm: the page loaded "
            "again in the same profile.",
            "",
            "| incidents | filter | profile | first draw | pans and zooms (ms) | gesture p95 |",
            "|---:|---|---|---:|---|---:|",
        ]
        for size, *_rest, drawn, _mix in rows:
            for (filtered, warmth), (first, moves) in drawn.items():
                lines.append(
                    f"| {size:,} | {'one day' if filtered else 'none'} | {warmth} "
                    f"| {first / 1000:.2f} s | {', '.join(f'{m:.0f}' for m in moves)} "
                    f"| {percentile(moves, 95):.0f} ms |"
                )
    lines.append("")
    lines.append(
        "Load times (synthetic incidents added, pyramid rebuilt): "
        + ", ".join(f"{r[1]:.0f} s to reach {r[0]:,}" for r in rows)
        + "."
    )
    text = "\n".join(lines) + "\n"
    print(f"### {database}\n\n{text}")
    if not args.no_write:
        write_section(database, text)


if __name__ == "__main__":
    main()
