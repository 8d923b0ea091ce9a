"""Saving or deleting one incident updates the cluster pyramid and the summary incrementally:
after publishing, unpublishing, retyping, redating, moving, renaming the claimant, creating and
deleting a claim, the cells and the summary are those a full rebuild gives, and not stale."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from border_map import pyramid
from border_map.models import ClusterCell, DataSummary, Incident, Place

pytestmark = pytest.mark.django_db


def snapshot():
    cells = sorted(
        ClusterCell.objects.values_list(
            "z", "x", "y", "type", "day", "last_day", "n", "sum_lon", "sum_lat"
        )
    )
    summary = DataSummary.objects.get()
    return cells, (summary.first_day, summary.last_day, summary.claimants)


def total():
    return sum(ClusterCell.objects.filter(z=0).values_list("n", flat=True))


def assert_as_rebuilt():
    """The pyramid and summary as kept equal what rebuild() computes; returns the summary."""
    summary = DataSummary.objects.get()
    assert not summary.stale
    kept, kept_summary = snapshot()
    pyramid.rebuild()
    rebuilt, rebuilt_summary = snapshot()
    assert [c[:7] for c in kept] == [c[:7] for c in rebuilt]
    for a, b in zip(kept, rebuilt, strict=True):
        assert a[7:] == pytest.approx(b[7:], abs=1e-6), a
    assert kept_summary == rebuilt_summary
    return summary


def test_one_incident_saved_or_deleted_keeps_the_pyramid_as_a_rebuild_would(db):
    summary = pyramid.rebuild()
    version = summary.version
    start = total()
    assert start == Incident.objects.published().count() > 1
    claim = Incident.objects.published().select_related("place").first()
    assert claim is not None

    claim.status = Incident.Status.DRAFT
    claim.save()
    assert total() == start - 1
    summary = assert_as_rebuilt()
    assert summary.version == version + 1  # its own write (read before the check rebuilt)

    claim.status = Incident.Status.PUBLISHED
    claim.save()
    assert total() == start
    assert_as_rebuilt()

    before = set(snapshot()[0])
    claim.type = next(t for t in Incident.Type.values if t != claim.type)
    claim.date = dt.date(1990, 1, 2)
    claim.date_end = dt.date(2099, 3, 4)
    claim.save()
    assert set(snapshot()[0]) != before
    summary = assert_as_rebuilt()
    assert (summary.first_day, summary.last_day) == (dt.date(1990, 1, 2), dt.date(2099, 3, 4))

    far = Place.objects.exclude(pk=claim.place_id).order_by("-point").first()
    assert far is not None
    before = set(snapshot()[0])
    claim.place = far
    claim.save()
    assert set(snapshot()[0]) != before
    assert_as_rebuilt()

    claim.claimed_by = "Zz incremental claimant"
    claim.save()
    summary = assert_as_rebuilt()
    assert ["Zz incremental claimant", 1] in summary.claimants

    claim.delete()
    assert total() == start - 1
    summary = assert_as_rebuilt()
    assert all(name != "Zz incremental claimant" for name, _n in summary.claimants)

    Incident.objects.create(
        slug="incremental-new",
        date=dt.date(2020, 5, 6),
        title="New",
        type=Incident.Type.CLASH,
        place=far,
        claimed_by="Somebody",
    )
    assert total() == start
    assert_as_rebuilt()


def test_a_draft_saved_changes_nothing_and_a_place_saved_marks_stale(db):
    pyramid.rebuild()
    claim = Incident.objects.published().first()
    assert claim is not None
    claim.status = Incident.Status.DRAFT
    claim.save()
    version = DataSummary.objects.get().version
    claim.title = "Still a draft"
    claim.save()
    assert DataSummary.objects.get().version == version
    claim.place.save()
    assert DataSummary.objects.get().stale


def test_one_save_costs_a_bounded_number_of_queries_whatever_the_levels(db):
    """Publishing or unpublishing one claim writes every level of the pyramid in a fixed
    number of statements, not one or two per level (TOP_ZOOM + 1 levels): about 15 queries
    in all with the save's own and its history's, where a loop over the levels took 25 to 38."""
    pyramid.rebuild()
    claim = Incident.objects.published().first()
    assert claim is not None
    claim.status = Incident.Status.DRAFT
    with CaptureQueriesContext(connection) as unpublished:
        claim.save()
    claim.status = Incident.Status.PUBLISHED
    with CaptureQueriesContext(connection) as published:
        claim.save()
    assert_as_rebuilt()
    assert len(unpublished) < 20
    assert len(published) < 20
