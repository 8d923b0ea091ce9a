"""Write one layer as an RFC 7946 FeatureCollection to a file or standard output."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from border_map import exports


class Command(BaseCommand):
    help = "Export places, incidents, enclaves or boundaries as GeoJSON (RFC 7946)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("layer", choices=sorted(exports.LAYERS))
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, layer: str, output: str | None = None, **options: Any) -> None:
        if output:
            with open(output, "w", encoding="utf-8") as stream:
                count = exports.write_geojson(layer, stream)
            self.stderr.write(f"Wrote {count} {layer} to {output}.")
        else:
            for chunk in exports.iter_geojson(layer):
                self.stdout.write(chunk, ending="")
            self.stdout.write("")
