"""The BORDER_MAP options dict is checked at start-up, with an error that shows its shape."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from border_map.apps import check_options


def test_the_default_options_pass_the_start_up_check():
    check_options(settings.BORDER_MAP)


@pytest.mark.parametrize(
    ("key", "value", "complaint"),
    [
        ("GEOCODER", "google", "GEOCODER is 'google'"),
        ("NOMINATIM_SCHEME", "ftp", "NOMINATIM_SCHEME is 'ftp'"),
        ("NOMINATIM_USER_AGENT", "", "NOMINATIM_USER_AGENT is empty"),
        ("NOMINATIM_TIMEOUT", 0, "NOMINATIM_TIMEOUT is 0"),
        ("REVIEW_DISTANCE_KM", float("nan"), "REVIEW_DISTANCE_KM is nan"),
        (
            "TILE_URL",
            "https://tiles.example/{z}.png",
            "TILE_URL is 'https://tiles.example/{z}.png'",
        ),
    ],
)
def test_a_wrong_option_is_refused_with_the_expected_shape(key, value, complaint):
    options = {**settings.BORDER_MAP, key: value}
    with pytest.raises(ImproperlyConfigured) as error:
        check_options(options)
    assert complaint in str(error.value)
    assert "Expected:\nBORDER_MAP = {" in str(error.value)


def test_an_empty_tile_url_is_allowed_for_a_map_without_tiles():
    check_options({**settings.BORDER_MAP, "TILE_URL": ""})


def test_a_number_setting_that_is_not_a_number_names_the_variable(monkeypatch):
    from border_map.settings import env_float

    monkeypatch.setenv("NOMINATIM_TIMEOUT", "ten")
    with pytest.raises(ImproperlyConfigured, match="NOMINATIM_TIMEOUT must be a number, got 'ten'"):
        env_float("NOMINATIM_TIMEOUT", "10")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_every_postgresql_connection_plans_for_many_small_requests_read_from_memory():
    """No JIT and no parallel workers (each request is small, and many run at once), and a
    random read priced as the in-memory read it is (settings.DATABASES, bench/RESULTS.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather'),"
            " current_setting('random_page_cost')"
        )
        assert cursor.fetchone() == ("off", "0", "1.1")
