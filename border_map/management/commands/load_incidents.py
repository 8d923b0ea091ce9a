"""Load the reviewed incidents file (border_map.incidents), all or nothing: incidents no longer
in it are deleted."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map.incidents import replace_all
from border_map.management.loading import load_file


class Command(BaseCommand):
    help = "Load the reviewed incidents file (data/incidents.json), all or nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="incidents JSON file")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")

    def handle(self, path: str, dry_run: bool = False, **options: Any) -> None:
        load_file(path, replace_all, "incidents", self.stdout, dry_run, options["verbosity"] >= 1)
