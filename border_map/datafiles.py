"""What the data loaders share: reading JSON, checking records field by field, the error that
names the file and the problem (a command turns it into its own error), and where progress goes."""

import json
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

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
