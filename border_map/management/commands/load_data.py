"""Run every loader in order: boundaries, then articles (places and excerpts), then sides and
actors, then incidents, then the events that group them, keeping what editors changed in the
database since the files were last loaded (border_map.reviewed): such objects are not
overwritten, and conflicts are reported."""

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from border_map import reviewed
from border_map.management.loading import loading_transaction, progress
from border_map.paths import DATA_DIR

BOUNDARIES = DATA_DIR / "osm-countries-kgz-tjk-uzb.geojson"


class Command(BaseCommand):
    help = (
        "Load all of data/: boundaries, enclaves, articles, places, excerpts, sides and actors, "
        "incidents and events; "
        "what editors changed in the database since is kept, and conflicts are reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="check, then roll back")
        parser.add_argument(
            "--data-dir",
            default=str(DATA_DIR),
            help="where the reviewed files are: articles/, actors.json, incidents.json, "
            "events.json, gazetteer.csv "
            "(the boundaries come from data/)",
        )

    def handle(self, dry_run: bool = False, data_dir: str = "", **options: Any) -> None:
        folder = Path(data_dir or DATA_DIR)
        verbose = options["verbosity"] >= 1
        say = progress(self.stdout, verbose)
        common = {"verbosity": options["verbosity"], "stdout": self.stdout, "stderr": self.stderr}
        kept = reviewed.Kept()
        # One transaction around all steps: a later step reads what an earlier one wrote.
        with loading_transaction(dry_run, self.stdout, verbose):
            call_command("load_boundaries", str(BOUNDARIES), **common)
            paths = sorted(str(p) for p in (folder / "articles").glob("*.json"))
            chosen = reviewed.articles_to_load(paths, kept, say)
            with reviewed.keeping_edited_places(kept, say):
                if chosen:
                    call_command("ingest_article", *chosen, **common)
            reviewed.remember_articles(chosen)
            call_command("load_actors", str(folder / "actors.json"), **common)
            call_command("load_incidents", str(folder / "incidents.json"), **common)
            events = folder / "events.json"
            if events.exists():
                call_command("load_events", str(events), **common)
            else:
                say(f"no {events}: the events are left as they are")
            if kept.conflicts:
                # Said even at -v 0 (make run): an editor's version was kept over the file's.
                self.stderr.write(
                    f"{len(kept.conflicts)} object(s) edited in the database kept over the "
                    f"files: {', '.join(kept.conflicts)}"
                )
