"""Benchmark of the map at scale (not a test; issue 11): synthetic incidents loaded with
``manage.py load_synthetic_incidents``, served by gunicorn as ``make run`` serves them
(2 workers × 4 threads), measured

- in headless Chromium: first draw after navigation, then three pans and two zooms, each from
  the gesture until the page says the new view is drawn: the map (``data-map-view``, set when
  the view's tiles are drawn) and the list beside it (``data-incidents=ready``), with and
  without a date filter, cold (a new browser profile) and warm (the same profile, the page
  loaded again: tiles from the browser's cache);
- a cluster tile's server time, uncached (no two requests for the same tile), over tile zooms
  5–13 (the map at 6–14), unfiltered, with a date filter (served by the pyramid) and with a
  claimant (grouped live);
- a page of 100 features at position N/2 by cursor (keyset) and by offset;
- 50 users at once for 20 s without pauses (tiles 70 %, the list 20 %, popups 10 %), and 50
  browsing users (pans, zooms and jumps: each asks for the tiles that came into view and the
  list, 2–6 s between gestures) for 40 s.

Usage: .venv/bin/python bench/tiles_benchmark.py [--sizes 10000 100000] [--database-url postgis://…]
Without --database-url it uses its own SpatiaLite file bench/out/tiles_benchmark.sqlite3. Sizes
are cumulative (synthetic incidents are added). Results go to the "## Tiles at scale (issue 11)"
section of bench/RESULTS.md, one part per database.
"""

import argparse
import datetime as dt
import math
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Tiles at scale (issue 11)"
sys.path.insert(0, str(ROOT))

# The view the page opens on (REGION_BOUNDS fitted at 1280×800), and a closer one.
VIEWS = {"region": "/", "close": "/?lat=40.0&lon=70.6&zoom=11"}
DATE_FILTER = "datetime=2021-04-29%2F2021-04-29"
# The drawn view is the one the URL names, and the page says it is ready (map and list).
DRAWN = """() => {
  const root = document.documentElement;
  const drawn = new URLSearchParams(root.dataset.incidentsView || "");
  const url = new URLSearchParams(location.search);
  return root.dataset.incidents === "ready" && drawn.get("zoom") === url.get("zoom")
    && drawn.get("bbox") !== null;
}"""
# When the page marks a view drawn: data-map-view (the map's clusters, main.js sets it when the
# view's tiles are in) and data-incidents=ready (the list too), in performance.now() time.
MARKS = """
window.__drawn = [];
new MutationObserver((records) => {
  for (const record of records) {
    const value = record.target.getAttribute(record.attributeName);
    window.__drawn.push([record.attributeName, value, performance.now()]);
  }
}).observe(document, {
  subtree: true, attributes: true, attributeFilter: ["data-map-view", "data-incidents"],
});
"""


def drawn_after(page, started):
    """(map ms, list ms) from ``started`` to the first mark of each after it."""
    marks = page.evaluate("() => window.__drawn")
    map_at = next(t for name, _v, t in marks if name == "data-map-view" and t >= started)
    list_at = next(
        t for name, v, t in marks if name == "data-incidents" and v == "ready" and t >= started
    )
    return map_at - started, list_at - started


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


class Requests:
    """Latencies and errors of requests sent from many threads."""

    def __init__(self, server):
        self.server = server
        self.latencies, self.errors = [], []

    def get(self, path):
        try:
            ms, _ = self.server.get(path)
            self.latencies.append(ms)
        except (OSError, urllib.error.HTTPError) as error:
            self.errors.append(f"{path}: {error}")

    def run(self, user, count, seed):
        """``count`` users, each ``user(seed)`` in its own thread, until they all stop:
        (requests, errors, p50 ms, p99 ms)."""
        rng = random.Random(seed)
        threads = [threading.Thread(target=user, args=(rng.random(),)) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return (
            len(self.latencies) + len(self.errors),
            self.errors,
            percentile(self.latencies, 50),
            percentile(self.latencies, 99),
        )


def users(server, slugs, count=50, seconds=20.0):
    """``count`` users sending requests without pauses: (requests, errors, p50 ms, p99 ms)."""
    tiles = [t for z in range(6, 13) for t in region_tiles(z)]
    requests = Requests(server)
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
            requests.get(path)

    return requests.run(user, count, seed=5)


def view_tiles(lon, lat, zoom, width=1280, height=800):
    """The cluster tiles a width × height map centred on lon, lat at zoom ``zoom`` asks for:
    those of zoom ``zoom - 1``, drawn at 512 px (static/border_map/tiles.js)."""
    z = max(0, zoom - 1)
    n = 2**z
    fx = (lon + 180.0) / 360.0 * n
    phi = math.radians(lat)
    fy = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0 * n
    dx, dy = width / 2 / 512, height / 2 / 512
    return [
        (z, x, y)
        for x in range(math.floor(fx - dx), math.floor(fx + dx) + 1)
        for y in range(math.floor(fy - dy), math.floor(fy + dy) + 1)
        if 0 <= x < n and 0 <= y < n
    ]


def browsing(server, slugs, count=50, seconds=40.0):
    """``count`` users browsing as people do, each from a view of its own: a gesture is a pan
    of 400 px (six in ten), a zoom in or out (one in five, one in ten) or a jump to a new view
    (a shared link, one in ten); it asks for the view's tiles not fetched before (six at a
    time, as the page keeps its tiles) and the view's list, one in five then opens a popup,
    and the user looks at the map for 2–6 s. (requests, errors, request p50 ms, request p99
    ms, view p95 ms: from the gesture until its tiles and list are all in)."""
    requests = Requests(server)
    views = []
    stop = time.monotonic() + seconds

    def user(seed):
        r = random.Random(seed)

        def jump():
            return r.uniform(69.4, 71.6), r.uniform(39.7, 40.4), r.randint(8, 11)

        lon, lat, z = jump()
        kept = set()
        time.sleep(r.uniform(0, 4))  # people do not all arrive in the same second
        with ThreadPoolExecutor(6) as pool:
            while time.monotonic() < stop:
                degrees = 360 / 256 / 2**z  # of longitude per pixel at zoom z
                tiles = [t for t in view_tiles(lon, lat, z) if t not in kept]
                kept.update(tiles)
                paths = [f"/map/clusters/{z}/{x}/{y}.json" for z, x, y in tiles]
                half_w, half_h = 640 * degrees, 400 * degrees * math.cos(math.radians(lat))
                paths.append(
                    f"/map/incidents.json?clusters=0&zoom={z}&bbox={lon - half_w:.4f},"
                    f"{lat - half_h:.4f},{lon + half_w:.4f},{lat + half_h:.4f}"
                )
                started = time.perf_counter()
                list(pool.map(requests.get, paths))
                views.append((time.perf_counter() - started) * 1000)
                if r.random() < 0.2:
                    requests.get(f"/map/incidents/{r.choice(slugs)}.json")
                time.sleep(r.uniform(2.0, 6.0))
                pick = r.random()
                if pick < 0.6:
                    angle = r.uniform(0, 2 * math.pi)
                    lon += 400 * degrees * math.cos(angle)
                    lat += 400 * degrees * math.sin(angle) * math.cos(math.radians(lat))
                    lon, lat = min(max(lon, 69.0), 72.0), min(max(lat, 39.5), 40.6)
                elif pick < 0.8:
                    z = min(z + 1, 14)
                elif pick < 0.9:
                    z = max(z - 1, 7)
                else:
                    lon, lat, z = jump()

    return (*requests.run(user, count, seed=7), percentile(views, 95))


def gestures(page):
    """(map ms, list ms) for three pans and two zooms, each until its view is drawn."""
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
        times.append(drawn_after(page, started))
    return times


def browse(context, base, path):
    """((first map ms, first list ms), [(map ms, list ms) per gesture]) for one page load."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(MARKS)
    page.goto(base + path, timeout=120_000)
    page.wait_for_function(DRAWN, timeout=120_000, polling="raf")
    first = drawn_after(page, 0.0)
    moves = gestures(page)
    page.close()
    if errors:
        raise RuntimeError(f"{path}: {errors}")
    return first, moves


def browser_runs(browser, base):
    """{(filtered, warmth): (first, gestures)} as :func:`browse` gives them."""
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
                        f"  browser {key}: first map/list {first[0]:.0f}/{first[1]:.0f} ms, "
                        f"gestures {', '.join(f'{m:.0f}/{lst:.0f}' for m, lst in moves)} ms",
                        flush=True,
                    )
            slugs = list(Incident.objects.order_by("?").values_list("slug", flat=True)[:500])
            mix = users(server, slugs, args.users)
            print(
                f"  {args.users} users without pauses: {mix[0]} requests, {len(mix[1])} errors,"
                f" p50 {mix[2]:.0f} ms, p99 {mix[3]:.0f} ms",
                flush=True,
            )
            people = browsing(server, slugs, args.users)
            print(
                f"  {args.users} browsing users: {people[0]} requests, {len(people[1])} errors,"
                f" p50 {people[2]:.0f} ms, p99 {people[3]:.0f} ms; a view's tiles and list in"
                f" {people[4]:.0f} ms p95",
                flush=True,
            )
        finally:
            server.stop()
        rows.append(
            (size, load_s, plain, dated, claimed, position)
            + (cursor_ms, offset_ms, drawn, mix, people)
        )

    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()} by "
        f"`bench/tiles_benchmark.py` (gunicorn, 2 workers × 4 threads; one place per "
        "incident, the worst case for clustering).",
        "",
        "| incidents | tile p50 / p95, uncached | date filter p95 | claimant (live) p95 "
        "| page at N/2: cursor / offset |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, _load, plain, dated, claimed, position, cur, off, *_rest in rows:
        lines.append(
            f"| {size:,} | {percentile(plain, 50):.0f} / {percentile(plain, 95):.0f} ms "
            f"| {percentile(dated, 95):.0f} ms | {percentile(claimed, 95):.0f} ms "
            f"| {cur:.0f} / {off:.0f} ms (at {position:,}) |"
        )
    lines += [
        "",
        f"{args.users} users at once: *browsing* — from a view of their own, each gesture (a "
        "400 px pan six times in ten, a zoom in or out three in ten, a jump to a new view one in "
        "ten) asks for the tiles that came into view (six at a time; the page keeps the ones "
        "it has) and the list, one in five opens a popup, then 2–6 s looking at the map; "
        "*without pauses* — each user sends the next request (tiles 70 %, "
        "list 20 %, popups 10 %) as soon as the last is answered, a stress test that many "
        "times more people would cause.",
        "",
        "| incidents | browsing: requests, errors, p50 / p99, a view's tiles and list p95 "
        "| without pauses: requests, errors, p50 / p99 |",
        "|---:|---:|---:|",
    ]
    for size, *_rest, mix, people in rows:
        lines.append(
            f"| {size:,} | {people[0]:,}, {len(people[1])}, {people[2]:.0f} / {people[3]:.0f} ms,"
            f" {people[4]:.0f} ms | {mix[0]:,}, {len(mix[1])}, {mix[2]:.0f} / {mix[3]:.0f} ms |"
        )
    if any(r[8] for r in rows):
        lines += [
            "",
            "In Chromium (1280×800, no base tiles), from navigation to the first view drawn, "
            "then each gesture (pan right 400 px, down 300, left 400, zoom in, zoom in) until "
            "its view is drawn: the map (its clusters, drawn when its tiles are in) / the list "
            "beside it; cold: a new profile; warm: the page loaded again in the same profile.",
            "",
            "| incidents | filter | profile | first draw: map / list | pans and zooms: map / "
            "list (ms) | gesture p95: map / list |",
            "|---:|---|---|---:|---|---:|",
        ]
        for size, *_rest, drawn, _mix, _people in rows:
            for (filtered, warmth), (first, moves) in drawn.items():
                maps = [m for m, _l in moves]
                lists = [lst for _m, lst in moves]
                lines.append(
                    f"| {size:,} | {'one day' if filtered else 'none'} | {warmth} "
                    f"| {first[0] / 1000:.2f} / {first[1] / 1000:.2f} s "
                    f"| {', '.join(f'{m:.0f}/{lst:.0f}' for m, lst in moves)} "
                    f"| {percentile(maps, 95):.0f} / {percentile(lists, 95):.0f} ms |"
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
