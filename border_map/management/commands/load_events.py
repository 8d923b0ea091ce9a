"""Load the reviewed events file (border_map.events), all or nothing: events no longer in it
are deleted, and claims no longer in an event are set free."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map.events import replace_all
from border_map.management.loading import load_file


class Command(BaseCommand):
    help = "Load the reviewed events file (data/events.json), all or nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="events JSON file")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")

    def handle(self, path: str, dry_run: bool = False, **options: Any) -> None:
        load_file(path, replace_all, "events", self.stdout, dry_run, options["verbosity"] >= 1)
