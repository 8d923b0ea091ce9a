"""Load the reviewed incidents file (border_map.incidents), all or nothing: incidents no longer
in it are deleted."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map import pyramid
from border_map.datafiles import read_json
from border_map.incidents import replace_all
from border_map.management.loading import data_errors, loading_transaction, progress


class Command(BaseCommand):
    help = "Load the reviewed incidents file (data/incidents.json), all or nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="incidents JSON file")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")

    def handle(self, path: str, dry_run: bool = False, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        with data_errors():
            items = read_json(path)
        with loading_transaction(dry_run, self.stdout, verbose):
            loaded, deleted = replace_all(path, items, progress(self.stdout, verbose))
            # The map's tiles and page summary, from what is now stored.
            pyramid.rebuild()
            if verbose:
                for slug in deleted:
                    self.stdout.write(f"deleted {slug}: no longer in {path}")
                self.stdout.write(f"{loaded} incidents loaded from {path}, {len(deleted)} deleted")
