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
