"""A database that is down or too slow gives 503s with Retry-After (JSON for the data, a small
page for people), logged once per outage, and the app recovers by itself when it returns."""

import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.backends import utils

from border_map import middleware
from tests.pgcluster import Cluster, free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as it does when the server has gone away."""

    def refuse(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(utils.CursorWrapper, "execute", refuse)
    monkeypatch.setattr(middleware, "OUTAGE", middleware._Outage())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/incidents.geojson", "/ogcapi/collections/incidents/items", "/map/claimants.json"]
)
def test_the_data_answers_503_json_with_retry_after_when_the_database_is_down(
    client, database_down, path
):
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(middleware.RETRY_AFTER_S)
    assert response.json()["code"] == "ServiceUnavailable"


@pytest.mark.django_db
def test_pages_answer_a_small_503_page_when_the_database_is_down(client, database_down):
    response = client.get("/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"Back soon" in response.content


@pytest.mark.django_db
def test_an_outage_is_logged_once_not_once_a_request(client, database_down, caplog):
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            client.get("/api/incidents.geojson")
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(",")[0] for r in lines] == ["database unavailable"]
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_answers_that_need_no_database_do_not_split_an_outage(client, database_down, caplog):
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert client.get("/ogcapi/conformance").status_code == 200
            assert client.get("/api/incidents.geojson").status_code == 503
    lines = [r.getMessage().split(",")[0] for r in caplog.records if r.levelno >= logging.WARNING]
    assert lines == ["database unavailable"]


def test_an_outage_ends_once_no_request_has_failed_for_retry_after(monkeypatch, caplog):
    clock = [1000.0]
    monkeypatch.setattr(middleware.time, "monotonic", lambda: clock[0])
    outage = middleware._Outage()
    with caplog.at_level(logging.INFO):
        outage.failed(OperationalError("gone"))
        clock[0] += middleware.RETRY_AFTER_S - 1
        outage.answered()
        assert outage.since is not None
        clock[0] += 1
        outage.answered()
    assert outage.since is None
    assert [r.getMessage().split(" after")[0] for r in caplog.records] == [
        "database unavailable, answering 503: gone",
        "database back",
    ]


@pytest.mark.django_db
def test_other_errors_are_not_taken_for_an_outage(client, monkeypatch):
    monkeypatch.setattr(utils.CursorWrapper, "execute", lambda *a, **k: 1 / 0)
    client.raise_request_exception = False
    assert client.get("/api/incidents.geojson").status_code == 500


@pytest.mark.django_db
def test_a_query_past_the_statement_timeout_is_a_503(client, monkeypatch):
    """PostgreSQL: statement_timeout from the settings is on every connection, and a query it
    cancels is a 503. SpatiaLite has no statement timeout; what it has is a wait for a lock held
    by a writer (a loader), which ends the same way."""
    monkeypatch.setattr(middleware, "OUTAGE", middleware._Outage())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXTRACT(epoch FROM current_setting('statement_timeout')::interval)"
            )
            assert float(cursor.fetchone()[0]) == settings.STATEMENT_TIMEOUT_S
            # Shorter for the test; the rollback at its end restores it.
            cursor.execute("SET statement_timeout = 200")
        real = utils.CursorWrapper.execute

        def slow(self, sql, params=None):
            real(self, "SELECT pg_sleep(2)")
            return real(self, sql, params)

        monkeypatch.setattr(utils.CursorWrapper, "execute", slow)
        response = client.get("/api/incidents.geojson")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 200")
        writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        try:
            writer.execute("BEGIN EXCLUSIVE")
            response = client.get("/api/incidents.geojson")
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    assert response.status_code == 503
    assert response["Retry-After"] == str(middleware.RETRY_AFTER_S)


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.services
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="runs in the PostGIS suite (make test-postgis)"
)
def test_a_real_outage_gives_only_503s_and_the_app_recovers_when_the_server_returns():
    """A PostgreSQL cluster of the test's own, on a free port: stopped under a running gunicorn,
    then started again."""
    cluster = Cluster()
    app_port = free_port()
    env = {**os.environ, "DATABASE_URL": cluster.url, "LOG_LEVEL": "WARNING"}
    log_path = cluster.folder / "app.log"
    log = log_path.open("w")
    app = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"],
            cwd=ROOT, env=env, check=True, timeout=300,
        )  # fmt: skip
        app = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "border_map.wsgi", "--bind",
             f"127.0.0.1:{app_port}", "--workers", "1", "--threads", "4"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{app_port}"
        for _ in range(100):
            try:
                if _get(base + "/api/incidents.geojson")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        assert _get(base + "/api/incidents.geojson")[0] == 200

        cluster.stop()
        during = [_get(base + path) for path in ["/api/incidents.geojson", "/"] * 5]
        assert [status for status, _, _ in during] == [503] * 10
        assert all(headers["Retry-After"] for _, headers, _ in during)
        assert json.loads(during[0][2])["code"] == "ServiceUnavailable"

        cluster.start()
        back = time.monotonic()
        statuses = []
        while time.monotonic() - back < 2:
            statuses.append(_get(base + "/api/incidents.geojson")[0])
        after = [_get(base + "/api/incidents.geojson")[0] for _ in range(5)]
        assert after == [200] * 5, statuses
    finally:
        if app:
            app.terminate()
            app.wait(timeout=30)
        log.close()
        text = log_path.read_text()
        cluster.remove()
    assert text.count("database unavailable") == 1, text
    assert "Traceback" not in text, text
