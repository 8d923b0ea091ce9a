"""Geocoding through geopy: an offline gazetteer (GeoNames plus curated rows) by default, and
Nominatim on request (rate-limited, every answer cached); the article's context picks among
candidates and flags far ones for review.
"""

import csv
import functools
import re
import statistics
import threading
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from geopy.adapters import URLLibAdapter
from geopy.distance import geodesic
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from border_map.models import GeocodeCache, Place
from border_map.paths import DATA_DIR

GEONAMES_TSV = DATA_DIR / "geonames-cities500-kg-tj-uz.tsv"
GAZETTEER_CSV = DATA_DIR / "gazetteer.csv"
GAZETTEER_COLUMNS = [
    "name",
    "alternate_names",
    "kind",
    "lat",
    "lon",
    "precision_m",
    "estimated",
    "source",
]

# Words by which an article names a country; the countries it names are part of its context.
COUNTRY_WORDS = {
    "KG": r"Kyrgyz(?:stan)?|Kirghiz(?:ia)?|Kyrgyz Republic",
    "TJ": r"Tajik(?:istan)?|Tadzhik(?:istan)?",
    "UZ": r"Uzbek(?:istan)?",
}

# Kyrgyz and Tajik letters that NFKD leaves alone, folded to their Russian neighbours so that
# Көк-Таш matches Кок-Таш; each maps one character to one, so offsets in a text are kept.
_LETTERS = str.maketrans("өүңһҳҷқғӣӯ", "оунххчкгиу")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’ʻʼ‘`]+")

# Names shorter than this are also English words or abbreviations (Ox, Aim, Nov., Pop., Kim):
# GeoNames' short Latin alternate names are dropped, and short names kept (the main names Osh,
# Nov, Kim, Pop; Cyrillic forms such as Ош) are found in a text only as written, see find_names.
SHORT_NAME = 4


class GeocodingError(Exception):
    """A geocoder failed (HTTP error, timeout) or a gazetteer file is unreadable."""


def fold(text: str) -> str:
    """Lower-case, strip accents and fold Kyrgyz/Tajik letters, one character for one."""
    return "".join(
        (unicodedata.normalize("NFKD", c)[0].lower() or c)[0].translate(_LETTERS) for c in text
    )


def name_key(name: str) -> str:
    """The form under which spellings compare equal: folded, without hyphens, spaces, quotes."""
    return _SEPARATORS.sub("", fold(name))


@dataclass(frozen=True)
class Entry:
    """One gazetteer row: a place with all its names and where its point comes from."""

    name: str
    alternate_names: tuple[str, ...]
    kind: str
    lat: float
    lon: float
    precision_m: int
    estimated: bool
    source: str
    country: str  # GeoNames country code; "" for curated rows (computed later from polygons)
    curated: bool
    population: int = 0  # GeoNames' figure; 0 when not known

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alternate_names)

    def location(self) -> Location:
        """The entry as a geopy Location, its fields in ``raw``."""
        raw = {
            "geocoder": "gazetteer",
            "name": self.name,
            "alternate_names": list(self.alternate_names),
            "kind": self.kind,
            "precision_m": self.precision_m,
            "estimated": self.estimated,
            "source": self.source,
            "country": self.country,
            "curated": self.curated,
        }
        return Location(self.name, (self.lat, self.lon), raw)


def _geonames_kind_and_precision(row: dict[str, str]) -> tuple[str, int]:
    # A radius that covers the settlement around GeoNames' point grows with its population.
    population = int(row["population"] or 0)
    if row["feature_code"] in {"PPLC", "PPLA", "PPLA2"} or population >= 10_000:
        return "town", 3_000 if population < 100_000 else 10_000
    return "settlement", 2_000


def _latin_or_cyrillic(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(
        unicodedata.name(c, "").startswith(("LATIN", "CYRILLIC")) for c in letters
    )


def _useful_alternate(name: str) -> bool:
    """False for GeoNames alternate names that are airport codes (TAS, UCFM: all capitals, at
    most 4 letters) or short Latin words (Ox, Aim, Nov); Cyrillic short forms (Ош) stay."""
    letters = [c for c in name if c.isalpha()]
    if not _latin_or_cyrillic(name):
        return False
    if len(letters) <= 4 and name.isupper():
        return False
    latin = all(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    return not (latin and len(letters) < SHORT_NAME)


def read_geonames(path: str | Path = GEONAMES_TSV) -> list[Entry]:
    """Entries of the GeoNames cities500 extract (tab-separated, header row); a bad row is an
    error naming the file and the line."""
    entries = []
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            for row in reader:
                try:
                    entries.append(_geonames_entry(row))
                # A short row gives None for its missing fields: TypeError, AttributeError.
                except (KeyError, ValueError, TypeError, AttributeError) as error:
                    raise GeocodingError(
                        f"{path}, line {reader.line_num}: not a GeoNames row "
                        f"({type(error).__name__}: {error})"
                    ) from error
    except OSError as error:
        raise GeocodingError(f"{path}: not a readable GeoNames extract ({error})") from error
    return entries


def _geonames_entry(row: dict[str, str]) -> Entry:
    kind, precision_m = _geonames_kind_and_precision(row)
    # The main name and the ASCII name are kept whatever their length (Osh).
    alternates = [
        row["asciiname"],
        *(a for a in row["alternatenames"].split(",") if _useful_alternate(a)),
    ]
    return Entry(
        name=row["name"],
        alternate_names=tuple(dict.fromkeys(a for a in alternates if a)),
        kind=kind,
        lat=float(row["latitude"]),
        lon=float(row["longitude"]),
        precision_m=precision_m,
        estimated=False,
        source=f"GeoNames {row['geonameid']} (cities500, CC BY 4.0)",
        country=row["country_code"],
        curated=False,
        population=int(row["population"] or 0),
    )


def read_curated(path: str | Path = GAZETTEER_CSV) -> list[Entry]:
    """Entries of data/gazetteer.csv, checked row by row; an error names the row and the field."""
    entries = []
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != GAZETTEER_COLUMNS:
                raise GeocodingError(
                    f"{path}: columns are {reader.fieldnames}, expected {GAZETTEER_COLUMNS}"
                )
            for number, row in enumerate(reader, start=2):
                entries.append(_curated_entry(path, number, row))
    except OSError as error:
        raise GeocodingError(f"{path}: cannot read ({error})") from error
    return entries


def _curated_entry(path: str | Path, number: int, row: dict[str, str]) -> Entry:
    where = f"{path}, row {number} ({row['name']!r})"
    try:
        lat, lon, precision_m = float(row["lat"]), float(row["lon"]), int(row["precision_m"])
    except (TypeError, ValueError) as error:
        raise GeocodingError(f"{where}: lat, lon and precision_m must be numbers") from error
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or precision_m <= 0:
        raise GeocodingError(f"{where}: lat/lon out of range or precision_m not positive")
    if row["kind"] not in Place.Kind.values:
        raise GeocodingError(
            f"{where}: kind {row['kind']!r} is not one of {sorted(Place.Kind.values)}"
        )
    if row["estimated"] not in {"true", "false"}:
        raise GeocodingError(f"{where}: estimated must be true or false")
    estimated = row["estimated"] == "true"
    source = (row["source"] or "").strip()
    if not row["name"] or not source:
        raise GeocodingError(f"{where}: name and source are required")
    if estimated and not source.startswith("estimated:"):
        raise GeocodingError(f"{where}: an estimated point's source must say 'estimated: how'")
    return Entry(
        name=row["name"],
        alternate_names=tuple(a for a in row["alternate_names"].split("|") if a),
        kind=row["kind"],
        lat=lat,
        lon=lon,
        precision_m=precision_m,
        estimated=estimated,
        source=source,
        country="",
        curated=True,
    )


class Gazetteer:
    """All entries, indexed by the folded forms of all their names."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self.index: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for name in entry.names:
                bucket = self.index.setdefault(name_key(name), [])
                if entry not in bucket:
                    bucket.append(entry)

    def candidates(self, query: str) -> list[Entry]:
        """Entries answering to this name; curated rows, reviewed by hand, win over GeoNames."""
        found = self.index.get(name_key(query), [])
        curated = [e for e in found if e.curated]
        return curated or list(found)

    def names(self) -> list[str]:
        """Every spelling of every entry, for finding names in a text."""
        return sorted({name for entry in self.entries for name in entry.names})


@functools.cache
def load_gazetteer() -> Gazetteer:
    """The project's gazetteer: the GeoNames extract and data/gazetteer.csv."""
    return Gazetteer(read_curated() + read_geonames())


class GazetteerGeocoder(Geocoder):
    """A geopy geocoder that answers from the local gazetteer, offline."""

    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        super().__init__()
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None:
        """The gazetteer's candidates for the name (the first with exactly_one), or None."""
        locations = [entry.location() for entry in self.gazetteer.candidates(query)]
        if not locations:
            return None
        return locations[0] if exactly_one else locations


def entry_from_location(location: Location) -> Entry:
    """The gazetteer Entry for a geopy Location whose raw has the gazetteer's keys (any
    geocoder here), so that online answers are scored with the gazetteer's candidates."""
    raw = location.raw
    return Entry(
        name=raw["name"],
        alternate_names=tuple(raw.get("alternate_names") or ()),
        kind=raw["kind"],
        lat=location.latitude,
        lon=location.longitude,
        precision_m=raw["precision_m"],
        estimated=raw["estimated"],
        source=raw["source"],
        country=raw.get("country") or "",
        curated=bool(raw.get("curated")),
    )


def _nominatim_kind(raw: dict[str, Any]) -> str:
    kind = raw.get("addresstype") or raw.get("type") or ""
    if kind in {"city", "town"}:
        return "town"
    if kind in {"state", "region", "province"}:
        return "region"
    if kind in {"county", "district", "municipality"}:
        return "district"
    return "settlement"


def _nominatim_precision_m(raw: dict[str, Any]) -> int:
    # Half the diagonal of Nominatim's bounding box covers the feature; at least 500 m.
    try:
        south, north, west, east = (float(v) for v in raw["boundingbox"])
        lat, lon = float(raw["lat"]), float(raw["lon"])
    except (KeyError, TypeError, ValueError):
        return 5_000
    corners = [(south, west), (south, east), (north, west), (north, east)]
    return max(500, round(max(geodesic((lat, lon), c).m for c in corners)))


def _nominatim_location(raw: dict[str, Any]) -> Location:
    """A geopy Location whose raw carries the same keys as the gazetteer's, plus the original."""
    lat, lon = float(raw["lat"]), float(raw["lon"])
    name = raw.get("name") or raw.get("display_name", "").split(",")[0]
    osm = f"{raw.get('osm_type', '?')} {raw.get('osm_id', '?')}"
    address = raw.get("address") or {}
    normalised = {
        "geocoder": "nominatim",
        "name": name,
        "alternate_names": [],
        "kind": _nominatim_kind(raw),
        "precision_m": _nominatim_precision_m(raw),
        "estimated": False,
        "source": f"Nominatim: OSM {osm}, {raw.get('display_name', '')} (© OpenStreetMap "
        "contributors, ODbL)",
        "country": (address.get("country_code") or "").upper(),
        "curated": False,
        "nominatim": raw,
    }
    return Location(raw.get("display_name", name), (lat, lon), normalised)


def _call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


# Nominatim's usage policy: at most 1 request/s. The limit holds per server across every
# CachedNominatim in the process (ingest builds a new geocoder for every article).
_RATE_LIMITERS: dict[str, RateLimiter] = {}
_RATE_LIMITERS_LOCK = threading.Lock()


def _rate_limiter(where: str) -> RateLimiter:
    """The one RateLimiter for the Nominatim server at `where` (scheme://domain)."""
    with _RATE_LIMITERS_LOCK:
        if where not in _RATE_LIMITERS:
            # No retries and no swallowed errors: a failure must not look like "no result" and
            # be cached as one.
            _RATE_LIMITERS[where] = RateLimiter(
                _call, min_delay_seconds=1.0, max_retries=0, swallow_exceptions=False
            )
        return _RATE_LIMITERS[where]


class CachedNominatim:
    """Nominatim through geopy, at most one request a second to a server, every answer kept in
    GeocodeCache (an empty answer too) so that a name is asked once."""

    name = "nominatim"

    def __init__(self, domain: str, scheme: str, user_agent: str, timeout: float) -> None:
        self.where = f"{scheme}://{domain}"
        self.timeout = timeout
        # URLLibAdapter: geopy's requests adapter retries at once, outside the rate limit.
        self.nominatim = Nominatim(
            domain=domain,
            scheme=scheme,
            user_agent=user_agent,
            timeout=timeout,
            adapter_factory=URLLibAdapter,
        )
        self._limiter = _rate_limiter(self.where)

    def geocode(self, query: str, *, exactly_one: bool = True) -> Location | list[Location] | None:
        """Nominatim's candidates for the name, from the cache when it was asked before."""
        cached = GeocodeCache.objects.filter(geocoder=self.name, query=query).first()
        if cached is not None:
            raws = cached.response
        else:
            try:
                answer = self._limiter(
                    self.nominatim.geocode, query, exactly_one=False, addressdetails=True, limit=10
                )
            except GeopyError as error:
                raise GeocodingError(
                    f"Nominatim at {self.where} gave no usable answer for {query!r} "
                    f"(timeout {self.timeout:g} s): {type(error).__name__}: {error}"
                ) from error
            raws = [location.raw for location in answer or []]
            GeocodeCache.objects.create(geocoder=self.name, query=query, response=raws)
        locations = [_nominatim_location(raw) for raw in raws]
        if not locations:
            return None
        return locations[0] if exactly_one else locations


def configured_geocoder(
    options: dict[str, Any] | None = None,
) -> GazetteerGeocoder | CachedNominatim:
    """The geocoder settings.BORDER_MAP["GEOCODER"] selects."""
    chosen: dict[str, Any] = options or settings.BORDER_MAP
    if chosen["GEOCODER"] == "nominatim":
        return CachedNominatim(
            chosen["NOMINATIM_DOMAIN"],
            chosen["NOMINATIM_SCHEME"],
            chosen["NOMINATIM_USER_AGENT"],
            chosen["NOMINATIM_TIMEOUT"],
        )
    return GazetteerGeocoder()


def countries_named(text: str) -> set[str]:
    """ISO codes of the countries a text names (Kyrgyz, Tajikistan, ...)."""
    return {code for code, words in COUNTRY_WORDS.items() if re.search(rf"\b(?:{words})\b", text)}


@dataclass
class Context:
    """What the article says about where it is: the countries it names and the middle of the
    places that have only one candidate."""

    countries: frozenset[str] = frozenset()
    centre: tuple[float, float] | None = None  # (lat, lon)


@dataclass
class Result:
    """The chosen candidate for a name, with the geocoder that answered and any review flag."""

    query: str
    location: Location
    needs_review: bool = False
    review_note: str = ""

    @property
    def geocoder(self) -> str:
        return self.location.raw["geocoder"]


def _distance_km(context: Context, location: Location) -> float:
    if context.centre is None:
        return 0.0
    return geodesic(context.centre, (location.latitude, location.longitude)).km


def choose(
    query: str, locations: list[Location], context: Context, max_km: float | None = None
) -> Result | None:
    """The candidate in the article's countries nearest its region; flagged for review when it
    lies more than max_km from the region, in a country the article does not name, or when
    there is no region to choose by and more than one candidate in the article's countries."""
    if not locations:
        return None
    if max_km is None:
        distance = settings.BORDER_MAP["REVIEW_DISTANCE_KM"]
        assert isinstance(distance, int | float)  # checked at start-up (apps.py)
        max_km = float(distance)

    def foreign(location: Location) -> bool:
        country = location.raw.get("country")
        return bool(context.countries and country and country not in context.countries)

    ranked = sorted(locations, key=lambda loc: (foreign(loc), _distance_km(context, loc)))
    best = ranked[0]
    problems = []
    distance = _distance_km(context, best)
    if distance > max_km:
        problems.append(
            f"{distance:.0f} km from the middle of the article's other places "
            f"(more than {max_km:g} km)"
        )
    if foreign(best):
        problems.append(f"in {best.raw['country']}, a country the article does not name")
    # Without a region every distance is 0 and the first candidate would win by list order.
    if context.centre is None and sum(not foreign(loc) for loc in locations) > 1:
        problems.append("ambiguous: no context to choose by")
    if not problems:
        return Result(query, best)
    others = "; ".join(
        f"{loc.raw['name']} ({loc.raw['source']}"
        + (f", {_distance_km(context, loc):.0f} km)" if context.centre else ")")
        for loc in ranked[1:]
    )
    note = f"{query!r}: the best candidate, {best.raw['name']} ({best.raw['source']}), is " + (
        " and ".join(problems) + "; check it."
    )
    if others:
        note += f" Other candidates: {others}."
    return Result(query, best, needs_review=True, review_note=note)


def geocode_names(
    names: Iterable[str],
    countries: Iterable[str] = frozenset(),
    geocoder: GazetteerGeocoder | CachedNominatim | None = None,
    fallback: GazetteerGeocoder | None = None,
) -> dict[str, Result | None]:
    """Geocode distinct names together, each in the context of the others: returns
    {name: Result or None}. Names the geocoder cannot find are asked of the fallback (the
    gazetteer, when an online geocoder is configured)."""
    geocoder = geocoder or configured_geocoder()
    if fallback is None and not isinstance(geocoder, GazetteerGeocoder):
        fallback = GazetteerGeocoder()
    candidates = {}
    for name in names:
        found = geocoder.geocode(name, exactly_one=False)
        if not found and fallback is not None:
            found = fallback.geocode(name, exactly_one=False)
        candidates[name] = found or []
    # The middle of the names with a single candidate: a median, so that a far capital named
    # in passing does not drag the region away from where the places cluster.
    anchors = [found[0] for found in candidates.values() if len(found) == 1]
    centre = None
    if anchors:
        centre = (
            statistics.median(loc.latitude for loc in anchors),
            statistics.median(loc.longitude for loc in anchors),
        )
    context = Context(frozenset(countries), centre)
    return {name: choose(name, found, context) for name, found in candidates.items()}


def _names_the_place(text: str, start: int, end: int, name: str) -> bool:
    """False for a match of a short name (Osh, Nov, Pop) that is a word, not the place: written
    otherwise than the gazetteer writes it ("ox", "POP"), or an abbreviation ("Nov. 30")."""
    if sum(c.isalpha() for c in name) >= SHORT_NAME:
        return True
    if text[start:end] != name:
        return False
    after = re.match(r"\.\s*(\w)", text[end:])
    return not (after and (after.group(1).isdigit() or after.group(1).islower()))


def find_names(
    text: str, gazetteer: Gazetteer | None = None, skip: Collection[str] = ()
) -> list[tuple[int, int, str]]:
    """Every gazetteer name in the text as (start, end, spelling), longest match first, at word
    boundaries, ignoring case, accents and hyphens (names shorter than 4 letters: only as
    written, not as abbreviations); spans inside a `skip` phrase are left out."""
    gazetteer = gazetteer or load_gazetteer()
    folded = fold(text)  # same length as text, so offsets carry over
    spans = []
    for name in [*skip, *gazetteer.names()]:
        parts = [re.escape(p) for p in _SEPARATORS.split(fold(name)) if p]
        if not parts:
            continue
        pattern = r"(?<!\w)" + r"[\s\-‐‑‒–—'’ʻʼ‘`]?".join(parts) + r"(?!\w)"
        for match in re.finditer(pattern, folded):
            if name in skip or _names_the_place(text, match.start(), match.end(), name):
                spans.append((match.start(), match.end(), name in skip))
    taken: list[tuple[int, int, bool]] = []
    for start, end, skipped in sorted(spans, key=lambda s: (s[0] - s[1], s[0], not s[2])):
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, skipped))
    return [(s, e, text[s:e]) for s, e, skipped in sorted(taken) if not skipped]
