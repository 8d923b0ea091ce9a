"""Shapely derivations from the OSM country polygons: the enclaves, each country's own territory
and its simplified outline, and the lines two countries share, with geodesic areas and lengths;
and storing them (the load_boundaries command runs that in a transaction).

The source file does not cut the enclaves out of the country around them (its Kyrgyz polygon
also covers Sokh, Vorukh and the others), so the enclaves are derived first — the parts of one
country's MultiPolygon lying inside another country's outer ring — and then removed from the
surrounding country: every point then lies in exactly one country.
"""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.utils.text import slugify
from geographiclib.geodesic import Geodesic
from shapely import MultiLineString, MultiPolygon, Point, Polygon, STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import linemerge
from shapely.validation import make_valid

from border_map import context
from border_map.datafiles import DataError, Say, silent
from border_map.models import COUNTRIES, Boundary, Country, Enclave, SourceGap

# ISO 3166-1 alpha-3 (the file's A3 property) to alpha-2 (what the model stores) and name.
BY_ISO3 = {iso3: (code, name) for code, (iso3, name) in COUNTRIES.items()}
# Tolerance in degrees (about 200 m) of the country outlines the map draws as its backdrop: the
# full polygons are 1 MB of GeoJSON, the outlines a fraction of it.
OUTLINE_TOLERANCE = 0.002
# Land no polygon of the source covers (a gap: a hole of the union of the three countries) is
# closed into the country around it when it is smaller than this and borders that one country
# only: holes that make_valid leaves where a ring crosses itself, and small ones of the 10 m
# extract. A gap that touches two countries is never closed, whatever its size (that would
# give land on a disputed line to one side); it and the larger ones (lakes the land polygons
# leave out) are kept and drawn as "no data in the source" (SourceGap).
CLOSE_GAPS_BELOW_KM2 = 1.0


@dataclass
class DerivedCountry:
    """A country without the enclaves of others, and its outline for the map's backdrop."""

    iso3: str
    name: str
    geom: MultiPolygon
    outline: MultiPolygon


@dataclass
class DerivedEnclave:
    name: str
    alternate_names: list[str]
    sovereign: str
    surrounded_by: str
    geom: MultiPolygon
    area_km2: float
    drawn: MultiPolygon = field(default_factory=MultiPolygon)  # see draw()


@dataclass
class DerivedGap:
    """Land inside the outer rings of the countries that no country's polygon covers."""

    geom: MultiPolygon
    area_km2: float
    bordered_by: str  # the countries whose polygons surround it, "KG" or "KG-TJ"
    drawn: MultiPolygon = field(default_factory=MultiPolygon)  # see draw()


@dataclass
class Derivation:
    countries: dict[str, DerivedCountry] = field(default_factory=dict)  # by alpha-2 code
    enclaves: list[DerivedEnclave] = field(default_factory=list)
    # "KG-TJ" -> (lines, geodesic length in km)
    boundaries: dict[str, tuple[MultiLineString, float]] = field(default_factory=dict)
    gaps: list[DerivedGap] = field(default_factory=list)  # kept, drawn as "no data"
    closed_gaps: list[DerivedGap] = field(default_factory=list)  # closed into their country
    # "KG-TJ" -> the shared line as the map draws it (draw()), on the drawn outlines.
    drawn_boundaries: dict[str, MultiLineString] = field(default_factory=dict)


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    """The polygons of any geometry (make_valid may return a collection)."""
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if hasattr(geom, "geoms"):  # a Multi* or a collection: its polygons, no points or lines
        return [p for g in geom.geoms for p in _polygons(g)]
    return []


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """A valid MultiPolygon with exterior rings counter-clockwise (RFC 7946 section 3.1.6)."""
    polygons = [orient(p, sign=1.0) for p in _polygons(make_valid(geom)) if p.area > 0]
    return MultiPolygon(polygons)


def outline(geom: MultiPolygon) -> MultiPolygon:
    """The country simplified for the map's backdrop: valid, within about OUTLINE_TOLERANCE of
    the polygon, with a fraction of its vertices."""
    return as_multipolygon(geom.simplify(OUTLINE_TOLERANCE, preserve_topology=True))


def geodesic_area_km2(multipolygon: MultiPolygon) -> float:
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


def geodesic_length_km(lines: MultiLineString) -> float:
    """Length on the WGS84 ellipsoid."""
    total = 0.0
    for line in lines.geoms:
        coords = list(line.coords)
        for (lon1, lat1), (lon2, lat2) in zip(coords, coords[1:], strict=False):
            total += Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]
    return total / 1000


def read_countries(path: str | Path) -> dict[str, tuple[str, str, MultiPolygon]]:
    """The country MultiPolygons of the OSM extract, keyed by alpha-2 code: (alpha-3, name,
    geometry)."""
    try:
        with open(path, encoding="utf-8") as stream:
            collection = json.load(stream)
        features = collection["features"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataError(f"{path}: not a readable GeoJSON FeatureCollection ({error})") from error
    countries = {}
    for index, feature in enumerate(features):
        a3 = (feature.get("properties") or {}).get("A3")
        if a3 not in BY_ISO3:
            raise DataError(
                f"{path}: feature {index} has A3 {a3!r}; expected one of {sorted(BY_ISO3)}"
            )
        try:
            geom = as_multipolygon(shape(feature["geometry"]))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise DataError(f"{path}: feature {index} ({a3}) has no usable geometry") from error
        if geom.is_empty:
            raise DataError(f"{path}: feature {index} ({a3}) has an empty geometry")
        code, name = BY_ISO3[a3]
        countries[code] = (a3, name, geom)
    missing = set(COUNTRIES) - set(countries)
    if missing:
        raise DataError(f"{path}: no feature for {', '.join(sorted(missing))}")
    return countries


def read_enclave_facts(path: str | Path) -> list[dict[str, Any]]:
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


def derive(countries_path: str | Path, facts_path: str | Path) -> Derivation:
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

    cut = {}
    for code, (_a3, _name, geom) in countries.items():
        for enclave in derivation.enclaves:
            if enclave.surrounded_by == code:
                geom = geom.difference(enclave.geom)
        cut[code] = as_multipolygon(geom)
    derivation.gaps, derivation.closed_gaps = find_gaps(cut)
    for code in cut:
        closing = [gap.geom for gap in derivation.closed_gaps if gap.bordered_by == code]
        if closing:
            cut[code] = as_multipolygon(shapely.unary_union([cut[code], *closing]))
    for enclave in derivation.enclaves:
        # A hole of an enclave belongs to it once closed (none in this extract).
        outer = MultiPolygon([Polygon(p.exterior) for p in enclave.geom.geoms])
        inside = [
            gap.geom
            for gap in derivation.closed_gaps
            if gap.bordered_by == enclave.sovereign and outer.covers(gap.geom)
        ]
        if inside:
            enclave.geom = as_multipolygon(shapely.unary_union([enclave.geom, *inside]))
            enclave.area_km2 = geodesic_area_km2(enclave.geom)
    for code, (a3, name, _geom) in countries.items():
        derivation.countries[code] = DerivedCountry(a3, name, cut[code], outline(cut[code]))

    codes = sorted(derivation.countries)
    for i, first in enumerate(codes):
        for second in codes[i + 1 :]:
            shared = derivation.countries[first].geom.boundary.intersection(
                derivation.countries[second].geom.boundary
            )
            lines = [g for g in getattr(shared, "geoms", [shared]) if "LineString" in g.geom_type]
            if not lines:
                continue
            merged = linemerge(lines)
            merged = MultiLineString(list(getattr(merged, "geoms", [merged])))
            derivation.boundaries[f"{first}-{second}"] = (merged, geodesic_length_km(merged))
    draw(derivation)
    return derivation


def find_gaps(countries: dict[str, MultiPolygon]) -> tuple[list[DerivedGap], list[DerivedGap]]:
    """The holes of the union of the countries, as (kept, closed): closed are those under
    CLOSE_GAPS_BELOW_KM2 that border one country only (see CLOSE_GAPS_BELOW_KM2)."""
    parts = _polygons(shapely.unary_union(list(countries.values())))
    tree = STRtree(parts)
    boundaries = {code: geom.boundary for code, geom in countries.items()}
    for boundary in boundaries.values():
        shapely.prepare(boundary)
    kept, closed = [], []
    for ring in (ring for part in parts for ring in part.interiors):
        hole = Polygon(ring)
        # Land inside the hole (an island in a lake) is not part of the gap.
        islands = [parts[i] for i in tree.query(hole, predicate="contains")]
        geom = as_multipolygon(hole.difference(shapely.unary_union(islands)) if islands else hole)
        # The ring is made of the countries' own vertices, so a shared stretch is exact; one
        # that only touches a second country at a point is not bordered by it.
        codes = [code for code, boundary in boundaries.items() if boundary.intersects(ring)]
        if len(codes) > 1:
            codes = [code for code in codes if boundaries[code].intersection(ring).length > 0]
        gap = DerivedGap(geom, geodesic_area_km2(geom), "-".join(sorted(codes)))
        if len(codes) == 1 and gap.area_km2 < CLOSE_GAPS_BELOW_KM2:
            closed.append(gap)
        else:
            kept.append(gap)
    return kept, closed


def draw(derivation: Derivation, tolerance: float = OUTLINE_TOLERANCE) -> None:
    """The geometry the map draws: country outlines, enclaves, gaps and shared lines simplified
    together, so that they coincide at every zoom.

    Every ring of every country is cut at the points where three areas meet (unary_union nodes
    the rings and dissolves the edges two countries share), giving arcs; each arc is simplified
    once (Douglas-Peucker, topology preserving), and the faces the simplified arcs enclose are
    given back to the country, enclave or gap they overlap most. A shared line is then where two
    drawn outlines meet, made of the same vertices as both. Sets Country.outline (in
    ``derivation.countries``), each enclave's and gap's ``drawn`` and ``drawn_boundaries``.
    """
    rings = [
        ring
        for country in derivation.countries.values()
        for polygon in country.geom.geoms
        for ring in (polygon.exterior, *polygon.interiors)
    ]
    arcs = list(getattr(linemerge(shapely.unary_union(rings)), "geoms", []))
    faces = list(shapely.polygonize(arcs).geoms)

    # What each face of the full geometry is: an enclave, a country (outside its enclaves) or
    # a gap, by a point inside it (an enclave is also its sovereign's, so it is asked first).
    regions: list[tuple[str, BaseGeometry]] = [
        (f"enclave:{i}", e.geom) for i, e in enumerate(derivation.enclaves)
    ]
    regions += [(f"country:{code}", c.geom) for code, c in derivation.countries.items()]
    regions += [(f"gap:{i}", g.geom) for i, g in enumerate(derivation.gaps)]
    for _label, geom in regions:
        shapely.prepare(geom)
    labels = []
    for face in faces:
        inside = face.representative_point()
        labels.append(next((label for label, geom in regions if geom.covers(inside)), ""))

    simplified = shapely.simplify(arcs, tolerance, preserve_topology=True)
    drawn_faces = list(shapely.polygonize(list(shapely.unary_union(simplified).geoms)).geoms)
    tree = STRtree(faces)
    parts: dict[str, list[Polygon]] = {}
    for drawn_face in drawn_faces:
        near = tree.query(drawn_face)
        if not len(near):
            continue
        overlaps = shapely.area(shapely.intersection(drawn_face, [faces[i] for i in near]))
        label = labels[near[overlaps.argmax()]]
        if label:
            parts.setdefault(label, []).append(drawn_face)

    def drawn(label: str) -> MultiPolygon:
        return as_multipolygon(shapely.unary_union(parts.get(label, [])))

    for i, enclave in enumerate(derivation.enclaves):
        enclave.drawn = drawn(f"enclave:{i}")
    for i, gap in enumerate(derivation.gaps):
        # A gap narrower than the tolerance collapses with its arcs: drawn on its own then.
        gap.drawn = drawn(f"gap:{i}") or outline(gap.geom)
    for code, country in derivation.countries.items():
        own = [f"country:{code}"] + [
            f"enclave:{i}" for i, e in enumerate(derivation.enclaves) if e.sovereign == code
        ]
        country.outline = as_multipolygon(
            shapely.unary_union([p for label in own for p in parts.get(label, [])])
        )
    for pair in derivation.boundaries:
        first, second = pair.split("-")
        shared = derivation.countries[first].outline.boundary.intersection(
            derivation.countries[second].outline.boundary
        )
        lines = [g for g in getattr(shared, "geoms", [shared]) if "LineString" in g.geom_type]
        merged = linemerge(lines) if lines else MultiLineString()
        derivation.drawn_boundaries[pair] = MultiLineString(
            list(getattr(merged, "geoms", [merged]))
        )


def _to_geos(geom: BaseGeometry) -> Any:
    # Any: GEOSGeometry makes the class the WKB holds (a MultiPolygon, a MultiLineString).
    return GEOSGeometry(memoryview(geom.wkb), srid=4326)


def store(derivation: Derivation, say: Say = silent) -> None:
    """Write the countries, enclaves and lines, delete those the derivation no longer has, and
    recompute the places' spatial context against them. Call it in a transaction."""
    for code, country in derivation.countries.items():
        Country.objects.update_or_create(
            code=code,
            defaults={
                "iso3": country.iso3,
                "name": country.name,
                "geom": _to_geos(country.geom),
                "outline": _to_geos(country.outline),
            },
        )
        say(f"country {code} {country.name}: {len(country.geom.geoms)} polygons")
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
                "geom": _to_geos(enclave.geom),
                "area_km2": enclave.area_km2,
                "drawn": _to_geos(enclave.drawn),
            },
        )
        names.append(enclave.name)
        say(
            f"enclave {enclave.name}: {enclave.sovereign} in {enclave.surrounded_by}, "
            f"{enclave.area_km2:.1f} km²"
        )
    Enclave.objects.exclude(name__in=names).delete()

    for pair, (lines, length_km) in derivation.boundaries.items():
        Boundary.objects.update_or_create(
            countries=pair,
            defaults={
                "geom": _to_geos(lines),
                "length_km": length_km,
                "drawn": _to_geos(derivation.drawn_boundaries[pair]),
            },
        )
        say(f"boundary {pair}: {length_km:.1f} km")
    Boundary.objects.exclude(countries__in=derivation.boundaries).delete()

    gaps = [(gap.area_km2, gap.bordered_by, gap.drawn.wkb) for gap in derivation.gaps]
    stored = [(g.area_km2, g.bordered_by, bytes(g.drawn.wkb)) for g in SourceGap.objects.all()]
    if sorted(stored) != sorted(gaps):  # rewritten only when they change, like the rest
        SourceGap.objects.all().delete()
        SourceGap.objects.bulk_create(
            SourceGap(drawn=_to_geos(gap.drawn), area_km2=gap.area_km2, bordered_by=gap.bordered_by)
            for gap in derivation.gaps
        )
    closed_km2 = sum(gap.area_km2 for gap in derivation.closed_gaps)
    say(
        f"gaps in the source: {len(derivation.gaps)} kept as no data "
        f"({sum(gap.area_km2 for gap in derivation.gaps):.1f} km²), "
        f"{len(derivation.closed_gaps)} closed ({closed_km2:.1f} km²)"
    )
    say(f"spatial context of {context.refresh()} places")
