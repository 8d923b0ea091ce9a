"""Run every loader in order: boundaries, then articles (places and excerpts), then
sides and actors, then incidents, then the events that group them."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from border_map.management.loading import loading_transaction
from border_map.paths import DATA_DIR

STEPS = [
    ("load_boundaries", [str(DATA_DIR / "osm-countries-kgz-tjk-uzb.geojson")]),
    ("ingest_article", sorted(str(p) for p in (DATA_DIR / "articles").glob("*.json"))),
    ("load_actors", [str(DATA_DIR / "actors.json")]),
    ("load_incidents", [str(DATA_DIR / "incidents.json")]),
    ("load_events", [str(DATA_DIR / "events.json")]),
]


class Command(BaseCommand):
    help = "Load all of data/: boundaries, enclaves, articles, places, excerpts and incidents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="check, then roll back")

    def handle(self, dry_run: bool = False, **options: Any) -> None:
        # One transaction around all steps: a later step reads what an earlier one wrote.
        with loading_transaction(dry_run, self.stdout, options["verbosity"] >= 1):
            for name, args in STEPS:
                call_command(
                    name,
                    *args,
                    verbosity=options["verbosity"],
                    stdout=self.stdout,
                    stderr=self.stderr,
                )
