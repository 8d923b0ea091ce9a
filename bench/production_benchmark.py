"""What a user of a deployed map waits for under load and through a database outage.

1. Load: 50 concurrent clients for 60 s (default) through `scripts/run_production.sh` (nginx in
   front of gunicorn, 2 workers x 4 threads) on the seed data, a mix of the map page, the map's
   incidents and claimants, an API download, the OGC items and a static file: errors, latency
   percentiles and the gunicorn workers' resident memory at start and end.
2. Outage: 10 clients against gunicorn on a PostgreSQL cluster of the benchmark's own; the
   cluster is stopped for 30 s, then started: the answers' statuses second by second.

Loopback only, bounded in time. `.venv/bin/python bench/production_benchmark.py [--seconds 60]
[--clients 50] [--outage 30]`; figures go to bench/RESULTS.md by hand.
"""

import argparse
import collections
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pgcluster import Cluster, free_port  # noqa: E402

PATHS = [
    "/",
    "/map/incidents.json?zoom=9&bbox=69.5,39.6,71.9,40.6",
    "/map/claimants.json",
    "/api/incidents.geojson",
    "/ogcapi/collections/places/items?limit=5",
    "/static/border_map/main.js",
]


def get(url: str) -> tuple[int, float]:
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, time.monotonic() - start


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Return once ``url`` answers 200; fail if the server exits or stays down ``seconds``."""
    deadline = time.monotonic() + seconds
    while get(url)[0] != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 (server exit code {process.poll()})")
        time.sleep(0.2)


def hammer(
    base: str, clients: int, seconds: float, paths: list[str] = PATHS
) -> list[tuple[float, int, float]]:
    """(time since start, status, seconds) for every request of ``clients`` looping clients."""
    results: list[tuple[float, int, float]] = []
    lock = threading.Lock()
    start = time.monotonic()

    def client(number: int) -> None:
        i = number
        while time.monotonic() - start < seconds:
            status, took = get(base + paths[i % len(paths)])
            with lock:
                results.append((time.monotonic() - start, status, took))
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def rss_mb(parent: int) -> list[float]:
    """Resident memory of the gunicorn workers (children of the master)."""
    out = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(parent)], capture_output=True, text=True
    ).stdout
    return [int(x) / 1024 for x in out.split()]


def gunicorn_master(script_pid: int) -> int:
    out = subprocess.run(
        ["pgrep", "-P", str(script_pid), "-f", "gunicorn"], capture_output=True, text=True
    ).stdout.split()
    return int(out[0])


def load(seconds: float, clients: int) -> None:
    port = free_port()
    server = subprocess.Popen(
        ["scripts/run_production.sh", str(port)],
        cwd=ROOT,
        env={**os.environ, "APP_PORT": str(free_port())},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", server)
        master = gunicorn_master(server.pid)
        before = rss_mb(master)
        samples: list[list[float]] = []
        sampler = threading.Timer(seconds / 3, lambda: samples.append(rss_mb(master)))
        sampler.start()
        results = hammer(base, clients, seconds)
        after = rss_mb(master)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    times = sorted(took for _, _, took in results)
    errors = sum(1 for _, status, _ in results if status != 200)
    q = statistics.quantiles(times, n=100)
    print(f"load: {clients} clients x {seconds:.0f} s through nginx + gunicorn (2 x 4 threads)")
    print(f"  requests {len(results)} ({len(results) / seconds:.0f}/s), errors {errors}")
    print(f"  latency p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, "
          f"p99 {q[98] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")  # fmt: skip
    print(
        f"  worker RSS MB: at start {[round(m) for m in before]}, after {seconds / 3:.0f} s "
        f"{[round(m) for m in samples[0]]}, at the end {[round(m) for m in after]}"
    )


def outage(down: float, clients: int = 10) -> None:
    cluster = Cluster()
    env = {**os.environ, "DATABASE_URL": cluster.url}
    app_port = free_port()
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run([sys.executable, "manage.py", "load_data", "-v", "0"], cwd=ROOT, env=env)
        app = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "border_map.wsgi", "--bind",
             f"127.0.0.1:{app_port}", "--workers", "2", "--threads", "4"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{app_port}"
        wait_until_up(base + "/api/incidents.geojson", app)
        total = down + 15
        stopped_at = 5.0
        timer = threading.Timer(stopped_at, cluster.stop)
        restart = threading.Timer(stopped_at + down, cluster.start)
        timer.start()
        restart.start()
        # The data only: static files are served without the database throughout.
        results = hammer(base, clients, total, [p for p in PATHS if "/static/" not in p])
        restart.join()
        app.terminate()
        _, log = app.communicate(timeout=30)
    finally:
        cluster.remove()
    back_at = stopped_at + down
    by_phase: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    for at, status, _ in results:
        if at < stopped_at:
            phase = "before"
        elif at < back_at:
            phase = "during"
        elif at < back_at + 2:
            phase = "first 2 s after"
        else:
            phase = "after"
        by_phase[phase][status] += 1
    print(
        f"outage (database-backed paths only): database stopped for {down:.0f} s "
        f"under {clients} clients (gunicorn 2 x 4)"
    )
    for phase in ("before", "during", "first 2 s after", "after"):
        print(f"  {phase:16} {dict(sorted(by_phase[phase].items()))}")
    print(f"  log lines naming the outage (one per worker): {log.count('database unavailable')}, "
          f"tracebacks: {log.count('Traceback')}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--outage", type=float, default=30)
    args = parser.parse_args()
    load(args.seconds, args.clients)
    outage(args.outage)


if __name__ == "__main__":
    main()
