"""Ingest article files (border_map.articles): the article, the places it names, each mention
of them, and the sentences that mention them as excerpts, all in one transaction."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map.articles import ingest_all, read_article
from border_map.management.loading import data_errors, loading_transaction, progress


class Command(BaseCommand):
    help = "Ingest article metadata files (data/articles/<slug>.json): article, places, excerpts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", help="article metadata JSON files")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")

    def handle(self, paths: list[str], dry_run: bool = False, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        with data_errors():
            articles = [(path, *read_article(path)) for path in paths]
        with loading_transaction(dry_run, self.stdout, verbose):
            ingest_all(articles, progress(self.stdout, verbose))
