"""Safe on the internet: a Content-Security-Policy on every page, read-only endpoints that answer
other methods with 405 and CORS preflights properly, production settings that refuse to start
unsafe, and `check --deploy` silent with them."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "/",
    "/articles/rferl-2021-04-30-kyrgyz-tajik-ceasefire/",
    "/ogcapi/?f=html",
    "/ogcapi/collections/incidents/items?f=html",
    "/ogcapi/api?f=html",
    "/admin/login/",
]
DATA = [
    "/map/incidents.json?zoom=8",
    "/map/claimants.json",
    "/map/countries.geojson",
    "/api/incidents.geojson",
    "/api/places.csv",
    "/ogcapi/collections",
    "/ogcapi/collections/incidents/items",
]


def policy(response):
    return dict(
        (part.split()[0], part.split()[1:])
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )


@pytest.mark.parametrize("path", PAGES + DATA)
def test_every_answer_carries_a_policy_without_inline_or_eval_scripts(client, path):
    response = client.get(path)
    assert response.status_code == 200
    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_map_page_runs_inline_scripts_only_by_this_answers_nonce(client):
    first, second = client.get("/"), client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", first["Content-Security-Policy"]).group(1)
    assert nonce not in second["Content-Security-Policy"]
    html = first.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert len(inline) >= 2  # folium's globals in the header and the map script
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)


def test_the_tile_server_is_the_only_outside_image_source(client, settings):
    settings.BORDER_MAP = {
        **settings.BORDER_MAP,
        "TILE_URL": "https://tiles.example/{z}/{x}/{y}.png",
    }
    assert policy(client.get("/"))["img-src"] == ["'self'", "data:", "https://tiles.example"]
    settings.BORDER_MAP = {**settings.BORDER_MAP, "TILE_URL": ""}
    assert policy(client.get("/"))["img-src"] == ["'self'", "data:"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/", "/api/incidents.geojson", "/ogcapi/collections"])
def test_writing_methods_on_read_only_paths_get_405_with_allow_not_a_csrf_page(
    client, method, path
):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    if path != "/":
        assert response.json()["code"] == "MethodNotAllowed"


def test_a_cors_preflight_on_the_data_is_answered_for_any_origin(client):
    response = client.options(
        "/api/incidents.geojson",
        headers={
            "Origin": "https://newsroom.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "if-none-match"


@pytest.mark.parametrize("path", DATA)
def test_the_data_may_be_read_from_any_origin_with_its_validators(client, path):
    response = client.get(path, headers={"Origin": "https://newsroom.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_pages_are_not_opened_to_other_origins(client):
    assert not client.get("/").has_header("Access-Control-Allow-Origin")


def test_an_unknown_path_is_a_404_whatever_the_method(client):
    assert client.post("/nowhere/").status_code == 404


def _clean_environment():
    """This process's environment less what the test run itself set (the browser tests allow
    Django's ORM in Playwright's event loop, which check --deploy rightly refuses)."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _start(env):
    """Import the settings in a fresh interpreter with this environment; (exit code, stderr)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**_clean_environment(), "DJANGO_SETTINGS_MODULE": "border_map.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


GOOD_KEY = "k" * 20 + "-not-a-real-secret-but-long-enough-for-the-check-" + "q" * 10
PRODUCTION = {
    "BORDER_MAP_PRODUCTION": "1",
    "BORDER_MAP_HTTPS": "1",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "map.example.org",
    "DEBUG": "0",
}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be a secret"),
        ({"SECRET_KEY": "", "DEBUG": "1"}, "SECRET_KEY must be a secret"),
        ({"SECRET_KEY": "border-map-local-only-not-secret"}, "SECRET_KEY must be a secret"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be a secret"),
        ({"DEBUG": "1"}, "unset DEBUG"),
    ],
)
def test_production_refuses_to_start_unsafe(change, complaint):
    code, output = _start({**PRODUCTION, **change})
    assert code != 0
    assert complaint in output


def test_check_deploy_is_silent_with_production_settings():
    code, output = _start(PRODUCTION)
    assert code == 0, output
    assert "System check identified no issues" in output


def test_check_deploy_warns_about_https_when_it_is_off():
    code, output = _start({**PRODUCTION, "BORDER_MAP_HTTPS": "0"})
    assert code != 0
    assert "security.W004" in output and "security.W008" in output
