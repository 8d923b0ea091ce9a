"""Add N synthetic incidents (border_map.synthetic), to try the map at any size."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from border_map import synthetic
from border_map.management.loading import progress


class Command(BaseCommand):
    help = (
        "Add N synthetic incidents at random places in the region (slugs synthetic-…); "
        "delete_synthetic_incidents removes them."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("count", type=int, help="how many incidents to add")
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same data")
        parser.add_argument(
            "--places",
            type=int,
            default=None,
            help="spread them over this many places (default: one place each)",
        )

    def handle(self, count: int, seed: int = 1, places: int | None = None, **options: Any) -> None:
        if count < 1:
            raise CommandError(f"count is {count}; give a number of incidents above 0.")
        if places is not None and places < 1:
            raise CommandError(f"--places is {places}; give a number above 0.")
        verbose = options["verbosity"] >= 1
        total = synthetic.load(count, seed, places, progress(self.stdout, verbose))
        if verbose:
            self.stdout.write(f"{count} synthetic incidents added; {total} synthetic in all")
