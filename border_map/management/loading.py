"""What every loader shares: reading a JSON file, and a transaction that --dry-run rolls back."""

import json
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction


class _DryRun(Exception):
    """Raised at the end of the transaction to roll a --dry-run back."""


@contextmanager
def loading_transaction(dry_run, stdout, verbose=True):
    """All or nothing: the body runs in one transaction, rolled back (and said so) on --dry-run."""
    try:
        with transaction.atomic():
            yield
            if dry_run:
                raise _DryRun
    except _DryRun:
        if verbose:
            stdout.write("Dry run: nothing was written.")


def read_json(path):
    """The parsed content of a JSON file, or a CommandError naming the file and the problem."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"{path}: cannot read ({error.strerror})") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path}: not valid JSON ({error})") from error


def check_record(record, fields, defaults, not_empty, problem):
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
