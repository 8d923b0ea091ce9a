"""Production serving (`make run-production`): gunicorn behind a buffering nginx on loopback.
Fifty slow clients, half sending their headers a byte at a time, half not reading a download,
do not keep a normal client from the map."""

import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_env():
    """The environment that points a separate process at the loaded test database."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        return {"DATABASE_URL": f"postgis://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}"}
    return {"SPATIALITE_FILE": name, "DATABASE_URL": ""}


@pytest.fixture(scope="module")
def production(django_db_setup, django_db_blocker):
    if not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is missing: scripts/setup.sh test installs it")
    port, app_port = _free_port(), _free_port()
    prefix = tempfile.mkdtemp(prefix="border_map_nginx_")
    env = {
        **os.environ,
        **_database_env(),
        "APP_PORT": str(app_port),
        "NGINX_PREFIX": prefix,
        "WORKERS": "1",
    }
    server = subprocess.Popen(
        ["scripts/run_production.sh", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)
    try:
        yield base, port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _timed_get(url):
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        return response.status, time.monotonic() - start


def test_static_files_come_from_nginx_compressed(production):
    base, _ = production
    request = urllib.request.Request(
        base + "/static/border_map/main.js", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Server"] == "nginx"


def test_fifty_slow_clients_do_not_keep_a_normal_client_from_the_map(production):
    base, port = production
    stop = threading.Event()
    slow_headers, slow_readers = [], []
    for _ in range(25):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow_headers.append(s)
    for _ in range(25):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        s.connect(("127.0.0.1", port))
        s.sendall(
            b"GET /api/boundaries.geojson HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Accept-Encoding: identity\r\n\r\n"
        )
        slow_readers.append(s)

    def trickle():
        # One more header byte each half second: each slow client stays "in progress".
        while not stop.wait(0.5):
            for s in slow_headers:
                try:
                    s.sendall(b"X")
                except OSError:
                    pass
            for s in slow_readers:
                try:
                    s.recv(16)
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # not a browser test: lets the slow clients take their connections
        answers = [
            _timed_get(base + path)
            for path in ["/", "/map/incidents.json?zoom=8", "/api/incidents.geojson", "/"] * 3
        ]
    finally:
        stop.set()
        thread.join(timeout=5)
        for s in slow_headers + slow_readers:
            s.close()
    assert [status for status, _ in answers] == [200] * len(answers)
    assert max(seconds for _, seconds in answers) < 1.0, answers
