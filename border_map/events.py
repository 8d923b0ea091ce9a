"""Events: the claims about one happening, grouped by hand in data/events.json, and read side
by side. Loading (all or nothing: one bad event rejects the file), proposing groups for an
editor to confirm (claims at the same place within two days), the sides of an event's claims,
and which events are contested (claims from both governments).

A claim's side is asked of ``views.claim_side`` only.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from .datafiles import DataError, Say, check_date, check_record, numbered_records, silent
from .models import Event, Incident, Place

FIELDS: dict[str, type | tuple[type, ...]] = {
    "slug": str,
    "title": str,
    "date": str,
    "date_end": (str, type(None)),
    "place": str,
    "notes": str,
    "claims": list,
    "disagreements": list,
}
OPTIONAL: dict[str, Any] = {"date_end": None, "notes": "", "disagreements": []}

# The sides an event page shows first, in this order (the two governments side by side), then
# any other side the data declares; a claim whose actor is not recorded goes last.
SIDES = ("kyrgyz-official", "tajik-official", "joint", "third-party", "media")
NO_SIDE = gettext_lazy("Side not recorded")
# An event is contested when it has claims from both of these sides.
CONTESTED_SIDES = ("kyrgyz-official", "tajik-official")
# Claims at the same place this many days apart or closer are proposed as one event.
PROPOSE_WITHIN_DAYS = 2


def validate(path: str | Path, items: Any) -> list[dict[str, Any]]:
    """Check every event; returns them ready to store, or raises a DataError naming the event
    and the problem."""
    if not isinstance(items, list):
        raise DataError(f"{path}: expected a JSON list of events")
    checked: list[dict[str, Any]] = []
    slugs: set[str] = set()
    claimed: dict[str, str] = {}
    known = set(Incident.objects.values_list("slug", flat=True))
    for item, problem in numbered_records(path, items, "event"):
        item = check_record(item, FIELDS, OPTIONAL, ("slug", "title", "place"), problem)
        if slugify(item["slug"]) != item["slug"]:
            raise problem(f"slug {item['slug']!r} is not a slug")
        if item["slug"] in slugs:
            raise problem("slug used twice in the file")
        slugs.add(item["slug"])
        date = check_date(item["date"], problem)
        date_end = None if item["date_end"] is None else check_date(item["date_end"], problem)
        if date_end is not None and date_end < date:
            raise problem("date_end is before date")
        place = Place.objects.filter(name=item["place"]).first()
        if place is None:
            raise problem(f"unknown place {item['place']!r}")
        if not item["claims"] or not all(isinstance(c, str) for c in item["claims"]):
            raise problem("claims must be a non-empty list of incident slugs")
        for claim in item["claims"]:
            if claim not in known:
                raise problem(f"unknown claim {claim!r} (not in the incidents)")
            if claim in claimed:
                raise problem(f"claim {claim!r} is already in event {claimed[claim]!r}")
            claimed[claim] = item["slug"]
        for point in item["disagreements"]:
            if (
                not isinstance(point, dict)
                or set(point) != {"point", "answers"}
                or not isinstance(point["point"], str)
                or not point["point"].strip()
                or not isinstance(point["answers"], dict)
                or not all(isinstance(a, str) for a in point["answers"].values())
            ):
                raise problem('a disagreement is {"point": text, "answers": {claim: text}}')
            strays = set(point["answers"]) - set(item["claims"])
            if strays:
                raise problem(
                    f"disagreement {point['point']!r} answers for {sorted(strays)}, "
                    "which are not claims of this event"
                )
        checked.append({**item, "date": date, "date_end": date_end, "place": place})
    return checked


def replace_all(path: str | Path, items: Any, say: Say = silent) -> tuple[int, list[str]]:
    """Validate the file's events and store them, each claim pointing at its event; events no
    longer in the file are deleted and claims no longer in an event are set free: (events
    loaded, slugs deleted). Call it in a transaction."""
    events = validate(path, items)
    Incident.objects.exclude(happening=None).update(happening=None)
    for item in events:
        event, created = Event.objects.update_or_create(
            slug=item["slug"],
            defaults={
                name: item[name]
                for name in ("title", "date", "date_end", "place", "notes", "disagreements")
            },
        )
        Incident.objects.filter(slug__in=item["claims"]).update(happening=event)
        say(
            f"{'created' if created else 'updated'} event {event.slug}: {event.date} at "
            f"{event.place.name}, {len(item['claims'])} claims"
        )
    removed = Event.objects.exclude(slug__in=[item["slug"] for item in events])
    removed_slugs = sorted(removed.values_list("slug", flat=True))
    removed.delete()
    return len(events), removed_slugs


def contested_events() -> QuerySet:
    """Events with published claims from both governments (CONTESTED_SIDES)."""
    events = Event.objects.all()
    for slug in CONTESTED_SIDES:
        events = events.filter(
            pk__in=Incident.objects.published()
            .filter(actor__side__slug=slug)
            .values("happening_id")
        )
    return events


def by_side(claims: Iterable[Incident]) -> list[dict[str, Any]]:
    """Claims in columns, one per side (SIDES first, then other sides, then claims without a
    side), only the sides that have claims: [{"slug", "label", "claims"}], labels in the page's
    language."""
    from .views import claim_side  # the one place that says a claim's side

    columns: dict[str, list[Incident]] = defaultdict(list)
    labels: dict[str, str] = {}
    for claim in claims:
        side = claim_side(claim)
        columns[side["slug"]].append(claim)
        labels.setdefault(side["slug"], side["label"])
    order = [*SIDES, *sorted(set(columns) - {*SIDES, ""}), ""]
    return [
        {"slug": slug, "label": labels[slug] or str(NO_SIDE), "claims": columns[slug]}
        for slug in order
        if columns.get(slug)
    ]


def sides_of_events(event_pks: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """{event pk: {"claims": [claim slugs], "sides": [side slugs]}} of these events' published
    claims, in date order; a side not recorded is left out of ``sides``."""
    from .views import CLAIM_RELATED, claim_side

    found: dict[int, dict[str, list[str]]] = {}
    claims = (
        Incident.objects.published()
        .filter(happening_id__in=list(event_pks))
        .select_related(*CLAIM_RELATED)
        .order_by("date", "slug")
    )
    for claim in claims:
        entry = found.setdefault(claim.happening_id, {"claims": [], "sides": []})  # type: ignore[arg-type]
        entry["claims"].append(claim.slug)
        side = claim_side(claim)["slug"]
        if side and side not in entry["sides"]:
            entry["sides"].append(side)
    return found


def propose(within_days: int = PROPOSE_WITHIN_DAYS) -> list[dict[str, Any]]:
    """Groups of published claims at the same place within ``within_days`` of each other, at
    least one of them in no event yet: for an editor to confirm in data/events.json, never
    stored. Each proposal names the event its claims already share, if any."""
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Incident.objects.published()
        .order_by("place_id", "date", "slug")
        .values("slug", "place_id", "place__name", "date", "date_end", "happening__slug", "title")
    ]
    proposals: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []
    reach = dt.date.min

    def close() -> None:
        if len(group) > 1 and any(r["happening__slug"] is None for r in group):
            events = sorted({r["happening__slug"] for r in group if r["happening__slug"]})
            proposals.append(
                {
                    "place": group[0]["place__name"],
                    "date": min(r["date"] for r in group).isoformat(),
                    "date_end": max(r["date_end"] or r["date"] for r in group).isoformat(),
                    "claims": [r["slug"] for r in group],
                    "titles": [r["title"] for r in group],
                    "in_events": events,
                }
            )

    for row in rows:
        if group and (
            row["place_id"] != group[0]["place_id"]
            or row["date"] > reach + dt.timedelta(days=within_days)
        ):
            close()
            group, reach = [], dt.date.min
        group.append(row)
        reach = max(reach, row["date_end"] or row["date"])
    close()
    return proposals
