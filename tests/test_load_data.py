"""`manage.py load_data`: every loader in order, all or nothing, with --dry-run."""

import io

import pytest
from django.core.management import call_command

from border_map.models import (
    Article,
    Boundary,
    Country,
    Enclave,
    Event,
    Incident,
    LoadedRecord,
    Place,
)
from tests import seed

pytestmark = pytest.mark.django_db


MODELS = (Country, Enclave, Boundary, Article, Place, Incident, Event)


def counts():
    return [m.objects.count() for m in MODELS]


def test_a_dry_run_on_an_empty_database_goes_through_every_step_and_writes_nothing():
    for model in reversed(MODELS):
        model.objects.all().delete()
    LoadedRecord.objects.all().delete()
    out = io.StringIO()
    call_command("load_data", dry_run=True, stdout=out)
    assert f"{len(seed.INCIDENTS)} incidents loaded" in out.getvalue()
    assert out.getvalue().rstrip().endswith("Dry run: nothing was written.")
    assert counts() == [0, 0, 0, 0, 0, 0, 0]


def test_loading_everything_again_changes_no_count():
    before = counts()
    call_command("load_data", verbosity=0)
    assert counts() == before
    assert before[:4] == [
        len(seed.COUNTRIES),
        len(seed.ENCLAVES),
        3,
        len(seed.ARTICLES),
    ]  # KG–TJ, KG–UZ, TJ–UZ
    assert before[5] == len(seed.INCIDENTS)
    assert before[6] == len(seed.EVENTS)
