"""Load the reviewed sides and actors file (border_map.actors), all or nothing."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map.actors import replace_all
from border_map.datafiles import read_json
from border_map.management.loading import data_errors, loading_transaction, progress


class Command(BaseCommand):
    help = "Load the reviewed sides and actors file (data/actors.json), all or nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="actors JSON file")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")

    def handle(self, path: str, dry_run: bool = False, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        with data_errors():
            data = read_json(path)
        with loading_transaction(dry_run, self.stdout, verbose):
            sides, actors = replace_all(path, data, progress(self.stdout, verbose))
            if verbose:
                self.stdout.write(f"{sides} sides and {actors} actors loaded from {path}")
