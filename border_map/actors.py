"""Sides and actors from the reviewed file (data/actors.json): who makes claims and whom each
speaks for. Every record is checked first and one bad record rejects the file. The file is the
source of truth: sides and actors no longer in it are deleted (an incident naming a deleted actor
is then refused by the incidents loader, which runs after this one)."""

from pathlib import Path
from typing import Any

from django.utils.text import slugify

from border_map.datafiles import DataError, Say, check_record, silent
from border_map.models import Actor, Side

SIDE_FIELDS: dict[str, type | tuple[type, ...]] = {"slug": str, "label": str, "label_ru": str}
ACTOR_FIELDS: dict[str, type | tuple[type, ...]] = {
    "slug": str,
    "name": str,
    "side": str,
    "alternate_names": list,
    "note": str,
}


def validate(path: str | Path, data: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sides, actors) checked, or a DataError naming the record and the problem."""
    if not isinstance(data, dict) or set(data) != {"sides", "actors"}:
        raise DataError(f"{path}: expected a JSON object with 'sides' and 'actors'")
    sides, actors = data["sides"], data["actors"]
    if not isinstance(sides, list) or not sides or not isinstance(actors, list) or not actors:
        raise DataError(f"{path}: 'sides' and 'actors' must be non-empty lists")
    checked_sides = _records(path, "side", sides, SIDE_FIELDS, {"label_ru": ""}, ("label",))
    known = {side["slug"] for side in checked_sides}
    checked_actors = _records(
        path, "actor", actors, ACTOR_FIELDS, {"alternate_names": [], "note": ""}, ("name",)
    )
    names: dict[str, str] = {}
    for actor in checked_actors:
        where = f"{path}: actor {actor['slug']!r}"
        if actor["side"] not in known:
            raise DataError(f"{where}: unknown side {actor['side']!r} (one of {sorted(known)})")
        for name in [actor["name"], *actor["alternate_names"]]:
            if not isinstance(name, str) or not name.strip():
                raise DataError(f"{where}: names must be non-empty strings")
            if names.setdefault(name.casefold(), actor["slug"]) != actor["slug"]:
                raise DataError(f"{where}: name {name!r} is also {names[name.casefold()]!r}'s")
    return checked_sides, checked_actors


def _records(
    path: str | Path,
    what: str,
    items: list[Any],
    fields: dict[str, type | tuple[type, ...]],
    defaults: dict[str, Any],
    not_empty: tuple[str, ...],
) -> list[dict[str, Any]]:
    checked, slugs = [], set()
    for number, item in enumerate(items, start=1):
        name = item.get("slug") if isinstance(item, dict) else None

        def problem(message: str, number: int = number, name: Any = name) -> DataError:
            return DataError(f"{path}: {what} {number} ({name or 'no slug'}): {message}")

        if not isinstance(item, dict):
            raise problem("must be a JSON object")
        record = check_record(item, fields, defaults, ("slug", *not_empty), problem)
        if slugify(record["slug"]) != record["slug"]:
            raise problem(f"slug {record['slug']!r} is not a slug")
        if record["slug"] in slugs:
            raise problem("slug used twice in the file")
        slugs.add(record["slug"])
        checked.append(record)
    return checked


def replace_all(path: str | Path, data: Any, say: Say = silent) -> tuple[int, int]:
    """Validate and store the file's sides and actors, deleting those it no longer holds:
    (sides, actors) loaded. Call it in a transaction: a DataError leaves nothing stored."""
    sides, actors = validate(path, data)
    stored = {}
    for order, side in enumerate(sides):
        stored[side["slug"]], _ = Side.objects.update_or_create(
            slug=side["slug"],
            defaults={"label": side["label"], "label_ru": side["label_ru"], "order": order},
        )
    for actor in actors:
        Actor.objects.update_or_create(
            slug=actor["slug"],
            defaults={
                "name": actor["name"],
                "side": stored[actor["side"]],
                "alternate_names": actor["alternate_names"],
                "note": actor["note"],
            },
        )
        say(f"{actor['slug']}: {actor['name']} ({actor['side']})")
    Actor.objects.exclude(slug__in=[a["slug"] for a in actors]).delete()
    Side.objects.exclude(slug__in=list(stored)).delete()
    return len(sides), len(actors)


def actor_named(name: str) -> Actor | None:
    """The actor an article's words name ("Kyrgyz police in the Batken region"), if the
    reviewed data knows that name; case is ignored."""
    wanted = name.strip().casefold()
    for actor in Actor.objects.all():
        if wanted in {n.casefold() for n in [actor.name, *actor.alternate_names]}:
            return actor
    return None
