"""Import an ACLED-format CSV as draft claims (border_map.acled), all or nothing."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map.acled import import_events, read_acled
from border_map.management.loading import data_errors, loading_transaction, progress


class Command(BaseCommand):
    help = (
        "Import an ACLED-format CSV as draft claims (the source as claimant); a bad file "
        "changes nothing, and importing it again changes nothing either."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="ACLED CSV file (UTF-8)")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")

    def handle(self, path: str, dry_run: bool = False, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        with data_errors():
            events = read_acled(path)
        with loading_transaction(dry_run, self.stdout, verbose):
            report = import_events(events, progress(self.stdout, verbose))
            if verbose:
                for line in report.lines():
                    self.stdout.write(line)
