"""load_synthetic_incidents and delete_synthetic_incidents: synthetic incidents come and go
without touching the real data, and the map's pyramid and summary follow."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from border_map import pyramid, synthetic
from border_map.models import Article, Excerpt, Incident, Place
from tests import seed

pytestmark = pytest.mark.django_db


def real_rows():
    return (
        sorted(Incident.objects.values_list("slug", "date", "type", "place__slug", "claimed_by")),
        sorted(Place.objects.values_list("slug", flat=True)),
        sorted(Article.objects.values_list("slug", flat=True)),
        Excerpt.objects.count(),
    )


def test_synthetic_incidents_load_and_delete_leaving_the_real_data_as_it_was():
    before = real_rows()
    call_command("load_synthetic_incidents", "1200", "--seed", "5", "--places", "300", verbosity=0)
    assert Incident.objects.count() == len(seed.INCIDENTS) + 1200
    assert Place.objects.filter(geocoder="synthetic").count() == 300
    made = Incident.objects.filter(slug__startswith="synthetic-")
    assert made.count() == 1200
    # Every synthetic incident cites the article that says it is not real.
    assert not made.filter(excerpts__isnull=True).exists()
    assert set(made.values_list("excerpts__article__slug", flat=True)) == {"synthetic-data"}
    assert sum(n for _day, _type, n in pyramid.day_counts()) == len(seed.INCIDENTS) + 1200
    assert sum(c["count"] for c in pyramid.summary_claimants(pyramid.current())) == (
        len(seed.INCIDENTS) + 1200
    )
    call_command("delete_synthetic_incidents", verbosity=0)
    assert real_rows() == before
    assert sum(n for _day, _type, n in pyramid.day_counts()) == len(seed.INCIDENTS)


def test_the_same_seed_gives_the_same_incidents_and_loads_add_up():
    synthetic.load(50, seed=3)
    first = list(
        Incident.objects.filter(slug__startswith="synthetic-")
        .order_by("slug")
        .values_list("date", "type", "claimed_by", "place__point")
    )
    synthetic.delete()
    synthetic.load(50, seed=3)
    again = list(
        Incident.objects.filter(slug__startswith="synthetic-")
        .order_by("slug")
        .values_list("date", "type", "claimed_by", "place__point")
    )
    assert first == again
    assert synthetic.load(30, seed=3) == 80


def test_reloading_the_reviewed_incidents_keeps_the_synthetic_ones():
    synthetic.load(40, seed=2)
    call_command("load_incidents", str(seed.DATA_DIR / "incidents.json"), verbosity=0)
    assert synthetic.synthetic_incidents().count() == 40
    assert Incident.objects.count() == len(seed.INCIDENTS) + 40


def test_a_count_below_one_is_refused():
    with pytest.raises(CommandError, match="above 0"):
        call_command("load_synthetic_incidents", "0", verbosity=0)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: SQLite sets no hint bits"
)
def test_the_synthetic_commands_leave_the_tables_vacuumed(django_db_blocker):
    """Once committed, a load and a delete VACUUM what they changed, so the first readers do
    not set every new row's hint bits (and autovacuum does not do it later under them). The
    commands run as a user runs them, in their own process and transactions (inside a test's
    transaction VACUUM cannot run); the delete leaves the test database as it was."""
    with django_db_blocker.unblock():
        database = connection.settings_dict
        url = (
            f"postgis://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        )

        def vacuums():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT relname, vacuum_count FROM pg_stat_user_tables WHERE relname IN "
                    "('border_map_incident', 'border_map_place', 'border_map_clustercell')"
                )
                return dict(cursor.fetchall())

        def run(*command):
            done = subprocess.run(
                [sys.executable, "manage.py", *command, "-v", "0"],
                cwd=settings.BASE_DIR,
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr

        before = vacuums()
        incidents = Incident.objects.count()
        run("load_synthetic_incidents", "200", "--seed", "3")
        loaded = vacuums()
        assert Incident.objects.count() == incidents + 200
        run("delete_synthetic_incidents")
        deleted = vacuums()
        assert Incident.objects.count() == incidents
    assert len(before) == 3
    assert all(loaded[table] == before[table] + 1 for table in before), (before, loaded)
    assert all(deleted[table] == loaded[table] + 1 for table in before), (loaded, deleted)
