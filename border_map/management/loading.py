"""What every loader command shares: a transaction that --dry-run rolls back, and the data
modules' errors reported as command errors."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandError, OutputWrapper
from django.db import transaction

from border_map import pyramid
from border_map.datafiles import DataError, Say, read_json, silent


class _DryRun(Exception):
    """Raised at the end of the transaction to roll a --dry-run back."""


@contextmanager
def loading_transaction(
    dry_run: bool, stdout: OutputWrapper, verbose: bool = True
) -> Iterator[None]:
    """All or nothing: the body runs in one transaction, rolled back (and said so) on --dry-run.
    A DataError inside it rolls back too and comes out as a CommandError."""
    with data_errors():
        try:
            # Incidents saved one by one only mark the pyramid stale: the loaders rebuild it.
            with transaction.atomic(), pyramid.bulk():
                yield
                if dry_run:
                    raise _DryRun
        except _DryRun:
            if verbose:
                stdout.write("Dry run: nothing was written.")


@contextmanager
def data_errors() -> Iterator[None]:
    """A DataError (it names the file and the problem) becomes a CommandError with its message,
    which Django prints without a traceback."""
    try:
        yield
    except DataError as error:
        raise CommandError(str(error)) from error


def load_file(
    path: str,
    replace_all: Callable[[str, Any, Say], tuple[int, list[str]]],
    noun: str,
    stdout: OutputWrapper,
    dry_run: bool,
    verbose: bool,
) -> None:
    """What the reviewed-file loaders do: read the JSON, replace the rows all or nothing in one
    transaction, say what was loaded and deleted (``noun``: "incidents", "events")."""
    with data_errors():
        items = read_json(path)
    with loading_transaction(dry_run, stdout, verbose):
        loaded, deleted = replace_all(path, items, progress(stdout, verbose))
        if verbose:
            for slug in deleted:
                stdout.write(f"deleted {slug}: no longer in {path}")
            stdout.write(f"{loaded} {noun} loaded from {path}, {len(deleted)} deleted")


def progress(stdout: OutputWrapper, verbose: bool) -> Say:
    """Where a data module's progress lines go: the command's output, or nowhere at -v 0."""
    return stdout.write if verbose else silent
