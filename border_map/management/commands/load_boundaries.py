"""Load the OSM country polygons, derive the enclaves, the shared lines and the outlines the map
draws (border_map.boundaries), and store them in one transaction."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map.boundaries import derive, store
from border_map.management.loading import data_errors, loading_transaction, progress
from border_map.paths import DATA_DIR


class Command(BaseCommand):
    help = "Load countries, enclaves and shared boundary lines from the OSM extract."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "path", nargs="?", default=str(DATA_DIR / "osm-countries-kgz-tjk-uzb.geojson")
        )
        parser.add_argument(
            "--enclaves",
            default=str(DATA_DIR / "enclaves.csv"),
            help="fact table naming the enclaves",
        )
        parser.add_argument("--dry-run", action="store_true", help="check, then roll back")

    def handle(self, path: str, enclaves: str, dry_run: bool = False, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        with data_errors():
            derivation = derive(path, enclaves)
        with loading_transaction(dry_run, self.stdout, verbose):
            store(derivation, progress(self.stdout, verbose))
