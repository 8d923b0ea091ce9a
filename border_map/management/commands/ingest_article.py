"""Ingest articles (border_map.articles): from JSON metadata files, text or HTML files, folders
of these, or URLs fetched on request; the article, the places the geoparser finds in it, each
mention of them, and the sentences that mention them as excerpts, all in one transaction."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from border_map.articles import ingest_all
from border_map.management.loading import data_errors, loading_transaction, progress
from border_map.sources import DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, read_sources


class Command(BaseCommand):
    help = (
        "Ingest articles: JSON metadata files (data/articles/<slug>.json), .txt or .html files, "
        "folders of these, or URLs with --fetch; prints what it found as a table."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("sources", nargs="+", help="files, folders, or URLs (with --fetch)")
        parser.add_argument("--title", help="the article's title (else the source's)")
        parser.add_argument("--outlet", help="who published it (else the page's site name)")
        parser.add_argument("--published", help="publication date, YYYY-MM-DD")
        parser.add_argument("--url", help="where it was published")
        parser.add_argument("--language", help="en, ru or auto (the default: from the text)")
        parser.add_argument("--fetch", action="store_true", help="fetch the URLs given")
        parser.add_argument(
            "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for a URL"
        )
        parser.add_argument("--user-agent", default=DEFAULT_USER_AGENT, help="sent with --fetch")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")

    def handle(self, sources: list[str], dry_run: bool = False, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        fields = ("title", "outlet", "published", "url", "language")
        with data_errors():
            articles = read_sources(
                sources,
                {field: options.get(field) for field in fields},
                fetch_urls=options["fetch"],
                timeout=options["timeout"],
                user_agent=options["user_agent"],
            )
        with loading_transaction(dry_run, self.stdout, verbose):
            ingest_all(articles, progress(self.stdout, verbose))
