"""Load the OSM country polygons, derive the enclaves and the shared lines, and store them."""

from argparse import ArgumentParser
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.core.management.base import BaseCommand
from django.utils.text import slugify
from shapely.geometry.base import BaseGeometry

from border_map.boundaries import Derivation, derive
from border_map.management.loading import data_errors, loading_transaction
from border_map.models import Boundary, Country, Enclave
from border_map.paths import DATA_DIR


def to_geos(geom: BaseGeometry) -> GEOSGeometry:
    """The shapely geometry as a GEOS one, through its WKB."""
    return GEOSGeometry(memoryview(geom.wkb), srid=4326)


class Command(BaseCommand):
    help = "Load countries, enclaves and shared boundary lines from the OSM extract."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "path", nargs="?", default=str(DATA_DIR / "osm-countries-kgz-tjk-uzb.geojson")
        )
        parser.add_argument(
            "--enclaves",
            default=str(DATA_DIR / "enclaves.csv"),
            help="fact table naming the enclaves",
        )
        parser.add_argument("--dry-run", action="store_true", help="check, then roll back")

    def handle(self, path: str, enclaves: str, dry_run: bool = False, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        with data_errors():
            derivation = derive(path, enclaves)
        with loading_transaction(dry_run, self.stdout, verbose):
            self.store(derivation, verbose)

    def store(self, derivation: Derivation, verbose: bool) -> None:
        for code, (iso3, name, geom) in derivation.countries.items():
            Country.objects.update_or_create(
                code=code, defaults={"iso3": iso3, "name": name, "geom": to_geos(geom)}
            )
            if verbose:
                self.stdout.write(f"country {code} {name}: {len(geom.geoms)} polygons")
        Country.objects.exclude(code__in=derivation.countries).delete()

        names = []
        for enclave in derivation.enclaves:
            Enclave.objects.update_or_create(
                name=enclave.name,
                defaults={
                    "slug": slugify(enclave.name),
                    "alternate_names": enclave.alternate_names,
                    "sovereign": enclave.sovereign,
                    "surrounded_by": enclave.surrounded_by,
                    "geom": to_geos(enclave.geom),
                    "area_km2": enclave.area_km2,
                },
            )
            names.append(enclave.name)
            if verbose:
                self.stdout.write(
                    f"enclave {enclave.name}: {enclave.sovereign} in {enclave.surrounded_by}, "
                    f"{enclave.area_km2:.1f} km²"
                )
        Enclave.objects.exclude(name__in=names).delete()

        for pair, (lines, length_km) in derivation.boundaries.items():
            Boundary.objects.update_or_create(
                countries=pair, defaults={"geom": to_geos(lines), "length_km": length_km}
            )
            if verbose:
                self.stdout.write(f"boundary {pair}: {length_km:.1f} km")
        Boundary.objects.exclude(countries__in=derivation.boundaries).delete()
