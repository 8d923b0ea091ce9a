"""What the data loaders share: reading JSON, checking records field by field, the error that
names the file and the problem (a command turns it into its own error), and where progress goes."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from border_map.models import LoadedRecord

# Where a loader says what it does, one line at a time (a command's output, or nowhere).
Say = Callable[[str], None]


def silent(message: str) -> None:
    """Say nothing."""


class DataError(ValueError):
    """A data file that cannot be loaded; the message names the file and the problem."""


def read_json(path: str | Path) -> Any:
    """The parsed content of a JSON file, or a DataError naming the file and the problem."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror})") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"{path}: not valid JSON ({error})") from error


Problem = Callable[[str], DataError]


def numbered_records(
    path: str | Path, items: list[Any], noun: str
) -> Iterator[tuple[dict[str, Any], Problem]]:
    """Each record of a file's list with the error maker that names it ("event 3 (its-slug):
    ..."); a record that is not a JSON object is an error."""
    for number, item in enumerate(items, start=1):
        name = item.get("slug") if isinstance(item, dict) else None

        def problem(message: str, number: int = number, name: Any = name) -> DataError:
            return DataError(f"{path}: {noun} {number} ({name or 'no slug'}): {message}")

        if not isinstance(item, dict):
            raise problem("must be a JSON object")
        yield item, problem


def check_date(value: str, problem: Problem) -> dt.date:
    """An ISO day (YYYY-MM-DD), or problem(message) raised."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise problem(f"{value!r} is not a date (YYYY-MM-DD)") from None


def check_record(
    record: Mapping[str, Any],
    fields: Mapping[str, type | tuple[type, ...]],
    defaults: Mapping[str, Any],
    not_empty: Collection[str],
    problem: Callable[[str], Exception],
) -> dict[str, Any]:
    """The record with ``defaults`` filled in, or ``problem(message)`` raised for the first field
    that is unknown, missing, of the wrong type (``fields``: name -> type) or empty."""
    record = {**defaults, **record}
    unknown = set(record) - set(fields)
    if unknown:
        raise problem(f"unknown field(s) {sorted(unknown)}")
    for field, kind in fields.items():
        if field not in record:
            raise problem(f"missing field {field!r}")
        if not isinstance(record[field], kind):
            raise problem(f"field {field!r} has the wrong type")
    for field in not_empty:
        if not record[field].strip():
            raise problem(f"field {field!r} is empty")
    return record


# What a data file last said about each object (LoadedRecord): load_data compares it with the
# object's state in the database to tell an object editors changed since from one they did not.


def digest(text: str) -> str:
    """A short stand-in for a long text in a recorded state (an article's)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorded(kind: str) -> dict[str, dict[str, Any]]:
    """key -> the fields the files last gave each object of a kind."""
    return dict(LoadedRecord.objects.filter(kind=kind).values_list("key", "said"))


def remember(kind: str, key: str, state: Mapping[str, Any]) -> None:
    """Record what a file says about an object, as loaded (JSON values)."""
    LoadedRecord.objects.update_or_create(kind=kind, key=key, defaults={"said": dict(state)})


def edited(now: Mapping[str, Any], said: Mapping[str, Any] | None) -> bool:
    """Whether an object's state differs from what the file last said, on the fields it said
    (a field the format gained since is not an edit); never recorded: not edited, as every
    object came from the files before editors worked in the database."""
    return said is not None and any(k in now and now[k] != v for k, v in said.items())


def changed(wanted: Mapping[str, Any], said: Mapping[str, Any]) -> bool:
    """Whether the file now says something else than when it was last loaded."""
    return any(k in said and said[k] != v for k, v in wanted.items())
