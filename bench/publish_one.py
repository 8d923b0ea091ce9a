"""Time of publishing one claim (draft -> published, then back) as an editor does, and of the
next map read (pyramid.current): incremental (the signals) against the old way (mark stale, the
reader rebuilds). Run on a database with synthetic incidents:

    manage.py load_synthetic_incidents 100000 --seed 1
    .venv/bin/python bench/publish_one.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "border_map.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from border_map import pyramid  # noqa: E402
from border_map.models import Incident  # noqa: E402


def publish(claim: Incident, status: str) -> None:
    with transaction.atomic():
        claim.status = status
        claim.save(update_fields=["status", "updated"])


def main() -> None:
    pyramid.current()
    claim = Incident.objects.published().order_by("pk").first()
    assert claim is not None
    print(f"{Incident.objects.published().count()} published incidents")
    for label, bulk in (("incremental", False), ("stale + rebuild (before)", True)):
        times = []
        for status in (Incident.Status.DRAFT, Incident.Status.PUBLISHED) * 2:
            start = time.perf_counter()
            if bulk:
                with pyramid.bulk():  # what every save did before: mark stale only
                    publish(claim, status)
            else:
                publish(claim, status)
            pyramid.current()
            times.append(time.perf_counter() - start)
        print(f"{label}: save + next read {min(times) * 1000:.0f} ms (best of {len(times)})")


if __name__ == "__main__":
    main()
