"""Show what ingest would find in an article: its places, the names left unresolved and the
words that are not places; writes nothing."""

import datetime
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from border_map.geocoding import GeocodingError
from border_map.geoparsing import LANGUAGES, GeoparseError, geoparse, table
from border_map.sources import SourceError, read_text_file


class Command(BaseCommand):
    help = "Geoparse an article's text (English or Russian): places, unresolved names, not places."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the article's text, UTF-8")
        parser.add_argument("--language", default="auto", help="en, ru or auto (the default)")
        parser.add_argument("--published", help="publication date, YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(
        self,
        file: str,
        language: str = "auto",
        published: str | None = None,
        json: bool = False,
        **options: Any,
    ) -> None:
        if language not in (*LANGUAGES, "auto"):
            raise CommandError(f"--language {language!r}: expected one of en, ru, auto")
        if published is not None:
            try:
                published = datetime.date.fromisoformat(published).isoformat()
            except ValueError as error:
                raise CommandError(f"--published {published!r} is not a YYYY-MM-DD date") from error
        try:
            text = read_text_file(file)
        except SourceError as error:
            raise CommandError(str(error)) from error
        try:
            result = geoparse(text, language, published)
        except (GeoparseError, GeocodingError) as error:
            raise CommandError(f"{file}: {error}") from error
        if json:
            self.stdout.write(_dumps(result.as_json()))
        else:
            self.stdout.write(table(result))


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
