"""Remove every synthetic incident, place and article (border_map.synthetic); nothing else."""

from typing import Any

from django.core.management.base import BaseCommand

from border_map import synthetic


class Command(BaseCommand):
    help = "Remove the incidents load_synthetic_incidents added, their places and article."

    def handle(self, **options: Any) -> None:
        deleted = synthetic.delete()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{deleted} synthetic incidents deleted")
