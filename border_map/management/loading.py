"""What every loader command shares: a transaction that --dry-run rolls back, and the data
modules' errors reported as command errors."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError, OutputWrapper
from django.db import transaction

from border_map.datafiles import DataError, Say, silent


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
            with transaction.atomic():
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


def progress(stdout: OutputWrapper, verbose: bool) -> Say:
    """Where a data module's progress lines go: the command's output, or nowhere at -v 0."""
    return stdout.write if verbose else silent
