"""Export benchmark (not a test): synthetic incidents at 10k, 100k and 1M rows in a PostGIS
database of its own, measuring in one run

- our GeoJSON export of a whole layer against Django's ``serializers.serialize("geojson")`` on
  the same rows (the places layer: Django's serializer only writes a model's own geometry, and
  an incident's point is its place's);
- peak memory (VmHWM) of a gunicorn worker serving the whole incidents layer over HTTP;
- latency of bbox requests that return 1,000 incidents, with the spatial index on the points.

Run: ``.venv/bin/python bench/export_benchmark.py`` (``--help`` for options). It drops and
re-creates the database ``border_map_bench`` on the local PostgreSQL.
"""

import argparse
import datetime as dt
import io
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = (69.0, 39.0, 73.0, 41.5)  # lon/lat box around the Fergana Valley
TYPES = ["clash", "gunfire", "evacuation", "casualties", "negotiation"]
CLAIMANTS = ["Kyrgyz border service", "Tajik border guards", "RFE/RL", "Local officials"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="cumulative row counts")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--database", default="border_map_bench")
    parser.add_argument(
        "--django-max",
        type=int,
        default=1_000_000,
        help="skip Django's serializer above this many rows (it holds every object in memory)",
    )
    parser.add_argument("--bbox-requests", type=int, default=30)
    return parser.parse_args()


def create_database(args):
    import psycopg

    with psycopg.connect(
        host=args.host, port=args.port, user=args.user, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    with psycopg.connect(
        host=args.host, port=args.port, user=args.user, dbname=args.database, autocommit=True
    ) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "border_map.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_excerpts():
    """One article and a few excerpts that the synthetic incidents cite."""
    from border_map.models import Article, Excerpt

    text = " ".join(f"Sentence {i} of a synthetic report on the border." for i in range(100))
    article = Article.objects.create(
        slug="bench", title="Synthetic", outlet="bench", published=dt.date(2021, 4, 30), text=text
    )
    excerpts = []
    start = 0
    for _ in range(100):
        end = text.index(".", start) + 1
        excerpts.append(
            Excerpt.objects.create(article=article, start=start, end=end, text=text[start:end])
        )
        start = end + 1
    return [e.pk for e in excerpts]


def load_rows(first, last, excerpt_ids, rng):
    """Add incidents first..last-1, each at its own place, by COPY."""
    from django.db import connection

    from border_map.models import Incident, Place

    place_table = Place._meta.db_table
    incident_table = Incident._meta.db_table
    through_table = Incident.excerpts.through._meta.db_table
    start_day = dt.date(2021, 1, 1)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor, for COPY
        with raw.copy(
            f"COPY {place_table} (id, slug, name, alternate_names, kind, point, country, "
            "geocoder, precision_m, estimated, source, needs_review, review_note) FROM STDIN"
        ) as copy:
            for i in range(first, last):
                lon = rng.uniform(REGION[0], REGION[2])
                lat = rng.uniform(REGION[1], REGION[3])
                copy.write_row(
                    (
                        i + 1,
                        f"bench-place-{i}",
                        f"Bench place {i}",
                        "[]",
                        "settlement",
                        f"SRID=4326;POINT({lon:.6f} {lat:.6f})",
                        "KG",
                        "bench",
                        1000,
                        False,
                        "synthetic",
                        False,
                        "",
                    )
                )
        with raw.copy(
            f"COPY {incident_table} (id, slug, date, date_end, date_precision, title, type, "
            "place_id, location_note, claimed_by, casualties) FROM STDIN"
        ) as copy:
            for i in range(first, last):
                day = start_day + dt.timedelta(days=rng.randrange(365))
                span = rng.random() < 0.3
                copy.write_row(
                    (
                        i + 1,
                        f"bench-incident-{i:07d}",
                        day,
                        day + dt.timedelta(days=1) if span else None,
                        "range" if span else "day",
                        f"Synthetic incident {i}",
                        TYPES[i % len(TYPES)],
                        i + 1,
                        "",
                        CLAIMANTS[i % len(CLAIMANTS)],
                        "",
                    )
                )
        with raw.copy(f"COPY {through_table} (incident_id, excerpt_id) FROM STDIN") as copy:
            for i in range(first, last):
                copy.write_row((i + 1, excerpt_ids[i % len(excerpt_ids)]))
        for table in (place_table, incident_table):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})")
    with connection.cursor() as cursor:
        for table in (place_table, incident_table, through_table):
            cursor.execute(f"VACUUM ANALYZE {table}")


class CountingSink(io.TextIOBase):
    def __init__(self):
        self.chars = 0

    def write(self, text):
        self.chars += len(text)
        return len(text)


def time_our_export(layer):
    from border_map import exports

    sink = CountingSink()
    started = time.perf_counter()
    exports.write_geojson(layer, sink)
    return time.perf_counter() - started, sink.chars


def time_django_serializer():
    from django.core import serializers

    from border_map import exports
    from border_map.models import Place

    fields = exports.LAYERS["places"].fields
    sink = CountingSink()
    started = time.perf_counter()
    serializers.serialize(
        "geojson",
        Place.objects.order_by("pk"),
        geometry_field="point",
        fields=fields,
        stream=sink,
    )
    return time.perf_counter() - started, sink.chars


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with one sync worker on the bench database; we read the worker's peak RSS."""

    def __init__(self, url):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "ALLOWED_HOSTS": "127.0.0.1"}
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "border_map.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "600",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/api/boundaries.geojson")
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn on {self.base} did not start") from None
                time.sleep(0.1)

    def worker_pid(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return int(children.read_text().split()[0])

    def peak_rss_mb(self):
        for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def get(self, path):
        started = time.perf_counter()
        size = 0
        with urllib.request.urlopen(self.base + path, timeout=600) as response:
            while chunk := response.read(1 << 16):
                size += len(chunk)
        return time.perf_counter() - started, size

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def bbox_requests(server, rows, count, rng):
    """Latency of bbox requests sized to hold about 1,200 of ``rows`` points, limit 1,000."""
    import json

    width = REGION[2] - REGION[0]
    height = REGION[3] - REGION[1]
    side = (1200 / rows * width * height) ** 0.5  # a square holding ~1,200 points
    latencies, ogc_latencies, returned = [], [], []
    server.get(
        f"/api/incidents.geojson?bbox={REGION[0]},{REGION[1]},{REGION[0] + side:.5f},"
        f"{REGION[1] + side:.5f}&limit=1000"
    )  # warm-up: first connection, imports
    for _ in range(count):
        lon = rng.uniform(REGION[0], REGION[2] - side)
        lat = rng.uniform(REGION[1], REGION[3] - side)
        box = f"{lon:.5f},{lat:.5f},{lon + side:.5f},{lat + side:.5f}"
        seconds, _ = server.get(f"/api/incidents.geojson?bbox={box}&limit=1000")
        latencies.append(seconds * 1000)
        seconds, _ = server.get(f"/ogcapi/collections/incidents/items?bbox={box}&limit=1000")
        ogc_latencies.append(seconds * 1000)
        with urllib.request.urlopen(
            f"{server.base}/api/incidents.geojson?bbox={box}&limit=1000", timeout=60
        ) as response:
            returned.append(len(json.load(response)["features"]))
    return latencies, ogc_latencies, returned


def explain_bbox(rows):
    """The plan of the bbox query, to show the spatial index is used."""
    from django.db import connection

    from border_map import filters

    width = REGION[2] - REGION[0]
    height = REGION[3] - REGION[1]
    side = (1200 / rows * width * height) ** 0.5
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    queryset = filters.filtered_queryset(
        "incidents", {"bbox": f"70.0,40.0,{70 + side:.5f},{40 + side:.5f}"}
    )[:1000]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main():
    args = parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    url = f"postgis://{args.user}@{args.host}:{args.port}/{args.database}"
    print(f"# border_map export benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()}")
    started = time.perf_counter()
    create_database(args)
    setup_django(url)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), postgis_lib_version()")
        print("database: {}; PostGIS {}".format(*cursor.fetchone()))
    excerpt_ids = seed_excerpts()
    rng = random.Random(4)
    loaded = 0
    results = []
    for size in sizes:
        t0 = time.perf_counter()
        load_rows(loaded, size, excerpt_ids, rng)
        loaded = size
        print(f"\n## {size:,} incidents (loaded in {time.perf_counter() - t0:.1f} s)")
        ours_places, chars = time_our_export("places")
        print(f"our export, places:    {ours_places:7.2f} s  ({chars / 1e6:.0f} MB)")
        ours_incidents, chars = time_our_export("incidents")
        print(f"our export, incidents: {ours_incidents:7.2f} s  ({chars / 1e6:.0f} MB)")
        if size <= args.django_max:
            django_places, chars = time_django_serializer()
            ratio = django_places / ours_places
            print(
                f"Django serialize, places: {django_places:7.2f} s  ({chars / 1e6:.0f} MB)"
                f"  -> ours is {ratio:.1f}x faster"
            )
        else:
            django_places = ratio = None
            print("Django serialize: skipped (--django-max)")
        connection.close()  # the server gets the database to itself
        server = Server(url)
        try:
            baseline = server.peak_rss_mb()
            seconds, size_bytes = server.get("/api/incidents.geojson")
            peak = server.peak_rss_mb()
            print(
                f"HTTP whole incidents layer: {seconds:.2f} s, {size_bytes / 1e6:.0f} MB; "
                f"worker peak RSS {baseline:.0f} MB before, {peak:.0f} MB after"
            )
            # JIT is off: border_map/settings.py sets jit=off on every connection (since the
            # index commit), whatever DATABASE_URL says, so one run measures what is served.
            bbox = {"jit off": bbox_requests(server, size, args.bbox_requests, rng)}
        finally:
            server.stop()
        for jit, (latencies, ogc, returned) in bbox.items():
            print(
                f"bbox, {jit}, {args.bbox_requests} requests, limit=1000 (features returned: "
                f"min {min(returned)}, median {statistics.median(returned):.0f}):"
            )
            print(
                f"  /api/incidents.geojson   median {statistics.median(latencies):6.1f} ms, "
                f"p95 {percentile(latencies, 95):6.1f} ms, max {max(latencies):6.1f} ms"
            )
            print(
                f"  /ogcapi/.../items        median {statistics.median(ogc):6.1f} ms, "
                f"p95 {percentile(ogc, 95):6.1f} ms (with numberMatched count)"
            )
        off = bbox["jit off"][0]
        results.append(
            (
                size,
                ours_places,
                ours_incidents,
                django_places,
                ratio,
                baseline,
                peak,
                statistics.median(off),
                percentile(off, 95),
                statistics.median(bbox["jit off"][1]),
            )
        )
    print("\nbbox query plan at the largest size:")
    print(explain_bbox(loaded))
    print(
        "\n| incidents | our export, places (s) | our export, incidents (s) | Django serialize, "
        "places (s) | ratio | worker RSS before → peak (MB) | bbox 1,000 features, median / "
        "p95 (ms), JIT off (settings) | OGC items, median (ms) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in results:
        size, op, oi, dj, ratio, base, peak, median, p95, ogc = row
        dj_text = f"{dj:.2f}" if dj is not None else "skipped"
        ratio_text = f"{ratio:.1f}×" if ratio is not None else "–"
        print(
            f"| {size:,} | {op:.2f} | {oi:.2f} | {dj_text} | {ratio_text} | "
            f"{base:.0f} → {peak:.0f} | {median:.1f} / {p95:.1f} | {ogc:.0f} |"
        )
    print(f"\ntotal run time: {time.perf_counter() - started:.0f} s")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    memory = next(
        int(line.split()[1]) // 1024 // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{os.cpu_count()} × {cpu}, {memory} GB RAM, Python {sys.version.split()[0]}"


if __name__ == "__main__":
    main()
