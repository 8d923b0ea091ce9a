"""Shapely derivations from the OSM country polygons: the enclaves, each country's own territory,
and the lines two countries share, with geodesic areas and lengths.

The source file does not cut the enclaves out of the country around them (its Kyrgyz polygon
also covers Sokh, Vorukh and the others), so the enclaves are derived first — the parts of one
country's MultiPolygon lying inside another country's outer ring — and then removed from the
surrounding country: every point then lies in exactly one country.
"""

import csv
import json
from dataclasses import dataclass, field

from geographiclib.geodesic import Geodesic
from shapely import MultiLineString, MultiPolygon, Point, Polygon
from shapely.geometry import shape
from shapely.geometry.polygon import orient
from shapely.ops import linemerge
from shapely.validation import make_valid

from border_map.datafiles import DataError

# ISO 3166-1 alpha-3 (the file's A3 property) to alpha-2 (what the model stores).
COUNTRIES = {"KGZ": ("KG", "Kyrgyzstan"), "TJK": ("TJ", "Tajikistan"), "UZB": ("UZ", "Uzbekistan")}


@dataclass
class DerivedEnclave:
    name: str
    alternate_names: list
    sovereign: str
    surrounded_by: str
    geom: MultiPolygon
    area_km2: float


@dataclass
class Derivation:
    countries: dict = field(default_factory=dict)  # code -> (iso3, name, MultiPolygon)
    enclaves: list = field(default_factory=list)
    boundaries: dict = field(default_factory=dict)  # "KG-TJ" -> (MultiLineString, length_km)


def _polygons(geom):
    """The polygons of any geometry (make_valid may return a collection)."""
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if hasattr(geom, "geoms"):  # a Multi* or a collection: its polygons, no points or lines
        return [p for g in geom.geoms for p in _polygons(g)]
    return []


def as_multipolygon(geom):
    """A valid MultiPolygon with exterior rings counter-clockwise (RFC 7946 section 3.1.6)."""
    polygons = [orient(p, sign=1.0) for p in _polygons(make_valid(geom)) if p.area > 0]
    return MultiPolygon(polygons)


def geodesic_area_km2(multipolygon):
    """Area on the WGS84 ellipsoid, holes subtracted."""
    total = 0.0
    for polygon in multipolygon.geoms:
        for index, ring in enumerate([polygon.exterior, *polygon.interiors]):
            area = Geodesic.WGS84.Polygon(False)
            for lon, lat in ring.coords[:-1]:
                area.AddPoint(lat, lon)
            _count, _perimeter, ring_area = area.Compute(False, True)
            total += abs(ring_area) if index == 0 else -abs(ring_area)
    return total / 1e6


def geodesic_length_km(lines):
    total = 0.0
    for line in lines.geoms:
        coords = list(line.coords)
        for (lon1, lat1), (lon2, lat2) in zip(coords, coords[1:], strict=False):
            total += Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]
    return total / 1000


def read_countries(path):
    """The three country MultiPolygons of the OSM extract, keyed by alpha-2 code."""
    try:
        with open(path, encoding="utf-8") as stream:
            collection = json.load(stream)
        features = collection["features"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataError(f"{path}: not a readable GeoJSON FeatureCollection ({error})") from error
    countries = {}
    for index, feature in enumerate(features):
        a3 = (feature.get("properties") or {}).get("A3")
        if a3 not in COUNTRIES:
            raise DataError(f"{path}: feature {index} has A3 {a3!r}; expected one of {COUNTRIES}")
        try:
            geom = as_multipolygon(shape(feature["geometry"]))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise DataError(f"{path}: feature {index} ({a3}) has no usable geometry") from error
        if geom.is_empty:
            raise DataError(f"{path}: feature {index} ({a3}) has an empty geometry")
        code, name = COUNTRIES[a3]
        countries[code] = (a3, name, geom)
    missing = {code for code, _name in COUNTRIES.values()} - set(countries)
    if missing:
        raise DataError(f"{path}: no feature for {', '.join(sorted(missing))}")
    return countries


def read_enclave_facts(path):
    """Rows of data/enclaves.csv: name, alternate names, sovereign, surrounding country, a point."""
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
        return [
            {
                "name": row["name"],
                "alternate_names": [n for n in row["alternate_names"].split("|") if n],
                "sovereign": row["sovereign"],
                "surrounded_by": row["surrounded_by"],
                "point": Point(float(row["lon"]), float(row["lat"])),
            }
            for row in rows
        ]
    except (OSError, KeyError, ValueError, TypeError, AttributeError) as error:
        raise DataError(f"{path}: not a readable enclave fact table ({error})") from error


def derive(countries_path, facts_path):
    """Countries without their foreign enclaves, the named enclaves, and the shared lines."""
    countries = read_countries(countries_path)
    facts = read_enclave_facts(facts_path)
    derivation = Derivation()

    # An enclave: a part of one country inside another country's outer ring (a part that lies
    # wholly inside a hole-free outline of the other).
    found = []
    for code, (_a3, _name, geom) in countries.items():
        for other, (_a3_other, _name_other, other_geom) in countries.items():
            if other == code:
                continue
            outlines = [Polygon(p.exterior) for p in other_geom.geoms]
            for part in geom.geoms:
                if any(outline.contains(part) for outline in outlines):
                    found.append((code, other, part))

    unmatched = list(facts)
    for sovereign, surrounded_by, part in found:
        rows = [f for f in unmatched if part.contains(f["point"])]
        where = part.representative_point()
        if not rows:
            raise DataError(
                f"{facts_path}: no row names the {sovereign} enclave in {surrounded_by} around "
                f"({where.y:.3f}, {where.x:.3f})"
            )
        row = rows[0]
        if (row["sovereign"], row["surrounded_by"]) != (sovereign, surrounded_by):
            raise DataError(
                f"{facts_path}: {row['name']} says {row['sovereign']} in {row['surrounded_by']}, "
                f"but the polygon there is {sovereign} in {surrounded_by}"
            )
        unmatched.remove(row)
        geom = as_multipolygon(part)
        derivation.enclaves.append(
            DerivedEnclave(
                row["name"],
                row["alternate_names"],
                sovereign,
                surrounded_by,
                geom,
                geodesic_area_km2(geom),
            )
        )
    if unmatched:
        names = ", ".join(f["name"] for f in unmatched)
        raise DataError(f"{facts_path}: no enclave polygon contains the point of {names}")

    for code, (a3, name, geom) in countries.items():
        for enclave in derivation.enclaves:
            if enclave.surrounded_by == code:
                geom = geom.difference(enclave.geom)
        derivation.countries[code] = (a3, name, as_multipolygon(geom))

    codes = sorted(derivation.countries)
    for i, first in enumerate(codes):
        for second in codes[i + 1 :]:
            shared = derivation.countries[first][2].boundary.intersection(
                derivation.countries[second][2].boundary
            )
            lines = [g for g in getattr(shared, "geoms", [shared]) if "LineString" in g.geom_type]
            if not lines:
                continue
            merged = linemerge(lines)
            merged = MultiLineString(list(getattr(merged, "geoms", [merged])))
            derivation.boundaries[f"{first}-{second}"] = (merged, geodesic_length_km(merged))
    return derivation
