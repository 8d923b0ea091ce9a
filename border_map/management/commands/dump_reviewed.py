"""Write the published claims, their articles and their places back to data/ (border_map.reviewed),
so that load_data on a fresh machine gives the same map."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from border_map import reviewed
from border_map.management.loading import data_errors, progress
from border_map.paths import DATA_DIR


class Command(BaseCommand):
    help = (
        "Write the published claims (data/incidents.json), the articles they quote "
        "(data/articles/) and the places the gazetteer lacks (data/gazetteer.csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", default=str(DATA_DIR), help="where to write")

    def handle(self, data_dir: str = "", **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        with data_errors():
            result = reviewed.dump(Path(data_dir or DATA_DIR), progress(self.stdout, verbose))
        if verbose:
            self.stdout.write(
                f"{result.incidents} published claims, {result.articles} articles, "
                f"{result.places} places the GeoNames extract lacks; "
                f"{len(result.written)} files changed"
            )
