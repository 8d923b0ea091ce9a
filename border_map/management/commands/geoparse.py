"""Show what ingest would find in an article: its places, the names left unresolved and the
words that are not places; writes nothing."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from border_map.geocoding import GeocodingError
from border_map.geoparsing import LANGUAGES, GeoparseError, geoparse, table


def read_text(path) -> str:
    """The text of a UTF-8 file, or a CommandError naming the file and what is wrong with it."""
    path = Path(path)
    try:
        # newline="" keeps the text byte for byte, so that offsets match the file.
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{path}: not UTF-8 text, perhaps a binary file ({error})") from error


class Command(BaseCommand):
    help = "Geoparse an article's text (English or Russian): places, unresolved names, not places."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the article's text, UTF-8")
        parser.add_argument("--language", default="auto", help="en, ru or auto (the default)")
        parser.add_argument("--published", help="publication date, YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, file, language="auto", published=None, json=False, **options):
        if language not in (*LANGUAGES, "auto"):
            raise CommandError(f"--language {language!r}: expected one of en, ru, auto")
        if published is not None:
            try:
                published = datetime.date.fromisoformat(published).isoformat()
            except ValueError as error:
                raise CommandError(f"--published {published!r} is not a YYYY-MM-DD date") from error
        text = read_text(file)
        try:
            result = geoparse(text, language, published)
        except (GeoparseError, GeocodingError) as error:
            raise CommandError(f"{file}: {error}") from error
        if json:
            self.stdout.write(_dumps(result.as_json()))
        else:
            self.stdout.write(table(result))


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=1)
