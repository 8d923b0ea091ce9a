"""Propose events for an editor to confirm: published claims at the same place within two days
of each other, at least one of them in no event yet. Prints the proposals as JSON; nothing is
stored (an editor copies what is right into data/events.json and runs load_data)."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map.events import PROPOSE_WITHIN_DAYS, propose


class Command(BaseCommand):
    help = "Propose events (claims at the same place within two days) for an editor to confirm."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=PROPOSE_WITHIN_DAYS,
            help=f"at most this many days apart (default {PROPOSE_WITHIN_DAYS})",
        )

    def handle(self, days: int, **options: Any) -> None:
        proposals = propose(days)
        self.stdout.write(json.dumps(proposals, ensure_ascii=False, indent=2))
        if options["verbosity"] >= 1:
            self.stderr.write(f"{len(proposals)} proposed events; nothing was stored.")
