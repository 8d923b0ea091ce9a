"""The time bar's counts: published incidents per day, week or month, by type, for the same
filters as the map (``filters.filtered_queryset``), from one GROUP BY query (:func:`day_counts`);
filtered by types and dates only, the view takes the same rows from the cluster pyramid's top
level instead (``pyramid.day_counts``, kept on write).

The database counts incidents per (day, type); the days are rolled up here into weeks or
months when the span is long, so the answer stays small (a few hundred bins) however many
incidents there are. An incident is counted on the day it starts (``date``).
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet

# Days up to this span are binned by day; up to WEEK_SPAN_DAYS by ISO week; beyond, by month.
DAY_SPAN_DAYS = 120
WEEK_SPAN_DAYS = 2 * 366


def unit_for(first: dt.date, last: dt.date) -> str:
    """The bin for a span of days: "day", "week" or "month"."""
    span = (last - first).days + 1
    if span <= DAY_SPAN_DAYS:
        return "day"
    if span <= WEEK_SPAN_DAYS:
        return "week"
    return "month"


def bin_start(day: dt.date, unit: str) -> dt.date:
    """The first day of the bin holding ``day``: itself, its week's Monday, its month's 1st."""
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def bin_end(start: dt.date, unit: str) -> dt.date:
    """The last day of the bin starting on ``start``."""
    if unit == "week":
        return start + dt.timedelta(days=6)
    if unit == "month":
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)
    return start


def counts_query(queryset: QuerySet) -> QuerySet:
    """The GROUP BY query: (day, type, count) rows of the incidents."""
    # COUNT(*), not COUNT(id): PostgreSQL then answers from the (status, date, type) index
    # alone (an index-only scan), without reading the table.
    return queryset.order_by().values_list("date", "type").annotate(n=Count("*"))


def day_counts(queryset: QuerySet) -> list[tuple[dt.date, str, int]]:
    """(day, type, count) of the incidents, counted by the database in one query."""
    return [(day, kind, n) for day, kind, n in counts_query(queryset)]


def bins(rows: Iterable[tuple[dt.date, str, int]]) -> dict[str, Any]:
    """The counts rolled up into bins: ``unit``, ``first`` and ``last`` day with an incident,
    and ``bins`` as [first day, last day, {type: count}] in date order, empty bins left out."""
    rows = list(rows)
    if not rows:
        return {"unit": "day", "first": None, "last": None, "total": 0, "bins": []}
    first = min(day for day, _kind, _n in rows)
    last = max(day for day, _kind, _n in rows)
    unit = unit_for(first, last)
    counted: dict[dt.date, dict[str, int]] = {}
    for day, kind, n in rows:
        counts = counted.setdefault(bin_start(day, unit), {})
        counts[kind] = counts.get(kind, 0) + n
    return {
        "unit": unit,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "total": sum(n for _day, _kind, n in rows),
        "bins": [
            [start.isoformat(), bin_end(start, unit).isoformat(), dict(sorted(counts.items()))]
            for start, counts in sorted(counted.items())
        ],
    }
