"""Write the published claims as an ACLED-format CSV (border_map.acled)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map.acled import iter_acled_csv
from border_map.models import Incident


class Command(BaseCommand):
    help = "Write the published claims in ACLED's columns as CSV, to standard output or -o FILE."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--bom", action="store_true", help="start with a byte-order mark")

    def handle(self, output: str | None = None, bom: bool = False, **options: Any) -> None:
        incidents = Incident.objects.published().order_by("date", "slug")
        if output is None:
            for chunk in iter_acled_csv(incidents, bom):
                self.stdout.write(chunk, ending="")
            return
        # newline="": the csv module writes RFC 4180's CRLF itself.
        with open(output, "w", encoding="utf-8", newline="") as f:
            for chunk in iter_acled_csv(incidents, bom):
                f.write(chunk)
        if options["verbosity"] >= 1:
            self.stderr.write(f"{incidents.count()} claims written to {output}")
