"""Load the reviewed incidents file (border_map.incidents), all or nothing, keeping what editors
changed in the database since and reporting conflicts."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map import pyramid
from border_map.datafiles import read_json
from border_map.incidents import replace_all
from border_map.management.loading import data_errors, loading_transaction, progress
from border_map.models import Incident, Place


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
            merge = replace_all(path, items, progress(self.stdout, verbose))
            # The map's tiles and page summary, from what is now stored.
            pyramid.analyse(Place, Incident)
            pyramid.rebuild()
            if verbose:
                for slug in merge.deleted:
                    self.stdout.write(f"deleted {slug}: no longer in {path}")
                self.stdout.write(
                    f"{merge.loaded} incidents loaded from {path}, {len(merge.deleted)} deleted"
                    + (f", {len(merge.conflicts)} conflicts" if merge.conflicts else "")
                )
            if merge.conflicts:
                # Said even at -v 0 (make run): an editor's version was kept over the file's.
                self.stderr.write(
                    f"{len(merge.conflicts)} incident(s) edited in the database kept as they are "
                    f"over {path}: {', '.join(merge.conflicts)}"
                )
