"""Geoparsing of English and Russian articles: find the place names in a text (gazetteer names
with their transliterated and inflected variants, and names the gazetteer lacks), tell the words
that only look like places (demonyms, organisations, people), and resolve each name to one
gazetteer place in the article's context, keeping the score, the runner-up and any doubt.

Nothing here writes to the database: `geoparse(text)` returns a `Geoparse` that the `geoparse`
command prints and that ingest stores.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from geopy.distance import geodesic

from border_map.geocoding import Entry, Gazetteer, load_gazetteer, name_key
from border_map.paths import DATA_DIR

if TYPE_CHECKING:
    import pymorphy3

LANGUAGES = ("en", "ru")

# The Ferghana Valley and the mountains around it, where the Kyrgyz-Tajik-Uzbek border
# incidents happen: a candidate here is likelier than a namesake elsewhere.
FERGHANA = (39.2, 41.9, 68.8, 73.6)  # south, north, west, east

# A name of this many letters or fewer is also a word (Osh, Ox): found only as written.
SHORT = 3
# Phonetic keys at least this long may differ by one vowel (Samarkandek, Samarkandyk; Koktosh,
# Koktash): vowels are what Kyrgyz, Tajik and Russian spellings of one name differ in.
FUZZY_MIN = 7
VOWELS = set("aeiou")
# Two candidates whose scores differ by less than this are too close to choose silently.
CLOSE_SCORE = 0.5
# A score below this is too weak to place a name without review.
LOW_SCORE = 0.0
# A place far from the article's others, in a country it does not name and smaller than this is
# taken for a namesake; a capital or a large town (Tashkent) named in passing is not.
NAMESAKE_POPULATION = 100_000

LATIN_WORD = r"[A-Z][a-zA-Z’'ʻ]+"
CYRILLIC_UPPER = "А-ЯЁӨҮҢҲҶҚҒӢӮІЇЄ"
CYRILLIC_LOWER = "а-яёөүңҳҷқғӣӯіїєъь"

# ---------------------------------------------------------------------------------------------
# Words around a name that say it is a place, and what kind.

# English place words after a name ("Zhaka-Oruk area", "Isfara river") or before "of"
# ("the village of Aksai", "the areas of Eki-Tash, ... and Orto-Boz").
EN_PLACE_WORDS = {
    "village": "settlement",
    "villages": "settlement",
    "town": "town",
    "towns": "town",
    "city": "town",
    "settlement": "settlement",
    "settlements": "settlement",
    "jamoat": "district",
    "jamoats": "district",
    "district": "district",
    "districts": "district",
    "rayon": "district",
    "region": "region",
    "regions": "region",
    "province": "region",
    "oblast": "region",
    "area": "area",
    "areas": "area",
    "locality": "area",
    "tract": "area",
    "river": "river",
    "canal": "river",
    "reservoir": "water_facility",
    "outpost": "checkpoint",
    "outposts": "checkpoint",
    "post": "checkpoint",
    "posts": "checkpoint",
    "border post": "checkpoint",
    "border posts": "checkpoint",
    "border outpost": "checkpoint",
    "border checkpoint": "checkpoint",
    "border crossing point": "checkpoint",
    "crossing point": "checkpoint",
    "checkpoint": "checkpoint",
    "enclave": "enclave",
    "exclave": "enclave",
    "gorge": "area",
    "pass": "area",
}
# Prepositions after which a hyphenated Turkic-looking name is a place ("near Bulak-Bashy").
EN_PLACE_PREPOSITIONS = {"near", "in", "at", "from", "to", "outside", "around", "between"}

# Russian place nouns (lemmas) before a name ("в местности Торт-Кочо", "заставу «Достук»").
RU_PLACE_NOUNS = {
    "застава": "checkpoint",
    "пост": "checkpoint",
    "кпп": "checkpoint",
    "пункт": "area",  # пункт пропуска, but also водораспределительный пункт
    "местность": "area",
    "участок": "area",
    "урочище": "area",
    "массив": "area",
    "село": "settlement",
    "посёлок": "settlement",
    "поселок": "settlement",
    "кишлак": "settlement",
    "айыл": "settlement",
    "аил": "settlement",
    "деревня": "settlement",
    "город": "town",
    "джамоат": "district",
    "водозабор": "water_facility",
    "река": "river",
    "канал": "river",
    "анклав": "enclave",
    "эксклав": "enclave",
}
# The kinds of gazetteer row that answer to each place word's kind.
KIND_FITS = {
    "settlement": {"settlement", "town", "enclave"},
    "town": {"town", "settlement"},
    "district": {"district"},
    "region": {"region"},
    "area": {"area", "settlement", "water_facility", "checkpoint"},
    "river": {"river"},
    "water_facility": {"water_facility"},
    "checkpoint": {"checkpoint"},
    "enclave": {"enclave", "settlement"},
}

# ---------------------------------------------------------------------------------------------
# Countries, demonyms, organisations, people.

COUNTRIES = {
    "KG": ("Kyrgyzstan", r"Kyrgyz Republic|Kyrgyzstan|Kirghizia|Kirgizia|Kyrgyzia"),
    "TJ": ("Tajikistan", r"Republic of Tajikistan|Tajikistan|Tadzhikistan|Tadjikistan"),
    "UZ": ("Uzbekistan", r"Republic of Uzbekistan|Uzbekistan"),
    "RU": ("Russia", r"Russian Federation|Russia"),
    "KZ": ("Kazakhstan", r"Kazakhstan"),
    "CN": ("China", r"People's Republic of China|China"),
    "AF": ("Afghanistan", r"Afghanistan"),
    "UA": ("Ukraine", r"Ukraine"),
}
RU_COUNTRY_LEMMAS = {
    "кыргызстан": "KG",
    "киргизстан": "KG",
    "киргизия": "KG",
    "кыргызия": "KG",
    "таджикистан": "TJ",
    "узбекистан": "UZ",
    "россия": "RU",
    "казахстан": "KZ",
    "китай": "CN",
    "афганистан": "AF",
    "украина": "UA",
}
# "Кыргызская Республика", "Республика Таджикистан" (adjective lemma or noun lemma with республика).
RU_REPUBLIC_ADJECTIVES = {"кыргызский": "KG", "киргизский": "KG", "таджикский": "TJ"}
RU_COUNTRY_ABBREVIATIONS = {"КР": "KG", "РТ": "TJ", "РУз": "UZ", "РФ": "RU", "РК": "KZ"}

EN_DEMONYMS = re.compile(
    r"\b(?:Kyrgyz|Kirghiz|Kyrgyzstanis?|Tajiks?|Tadjiks?|Tajikistanis?|Uzbeks?|Russians?|"
    r"Kazakhs?|Afghans?|Chinese|Soviet|Turkic)(?:-(?:Kyrgyz|Tajik|Uzbek|Russian|Kazakh|Soviet))*"
    r"\b"
)
RU_DEMONYM_STEMS = ("кыргыз", "киргиз", "таджик", "узбек", "русск", "российск", "казах", "советск")

# Heads of organisation names (State Committee for National Security, Border Troops, ...).
EN_ORGANISATION_HEADS = set(
    "service services committee ministry office troops directorate agency administration "
    "government guard guards police army forces union cross council department unit "
    "detachment force parliament news".split()
)
# News outlets and agencies these articles cite, in both scripts.
EN_ORGANISATION_NAMES = {
    *"Reuters TASS RFE/RL AKIpress Kabar Facebook Telegram Sputnik Interfax Eurasianet".split(),
    *"Asia-Plus K-News Kloop Kaktus Azattyk Ozodi Xinhua 24.kg Khovar".split(),
    *"Азия-Плюс Кабар Азаттык Озоди Спутник Интерфакс Ховар К-Ньюс АКИpress".split(),
}
# Titles before a person's name ("President Emomali Rahmon", "Deputy Minister ...").
EN_TITLES = set(
    "president minister mr mrs ms dr spokesman spokeswoman spokesperson colonel general "
    "lieutenant major captain head chairman governor deputy by officer envoy".split()
)
# Surname endings of the region and of Russian: a capitalised word so ending after a name
# makes the pair a person ("Olga Dzyubenko").
SURNAME = re.compile(
    r"(?:ov|ova|ev|eva|yev|yeva|in|ina|enko|uk|iuk|yuk|zoda|zade|uly|kyzy|bekov|ski|sky|skaya|"
    r"ich|vich|ovna|evna|yan|ian|shvili|dze|ов|ова|ев|ева|ин|ина|енко|зода|заде|улы|кызы|ский|"
    r"ская|вич|вна)$"
)

# Words that are capitalised for being first in a headline or sentence, never place names.
EN_STOP = set(
    "The A An In On At Of And But Or For With From To By As It He She They We I This That "
    "These Those Its Their His Her Our Some Both All No After Before Around Near Then When "
    "While Late Later Earlier According Reports Officials Border State Republic Government "
    "President Minister".split()
)
# Natural features and areas named after a town ("the Ferghana Valley", "Osh region" without a
# row of its own): the name then is not the town.
FEATURE_WORDS = {
    "region": "region",
    "province": "region",
    "oblast": "region",
    "district": "district",
    "rayon": "district",
    "valley": "area",
    "mountains": "area",
    "range": "area",
    "lake": "area",
    "river": "river",
    "canal": "river",
    "reservoir": "water_facility",
    "gorge": "area",
    "desert": "area",
    "basin": "area",
    "долина": "area",
    "хребет": "area",
    "озеро": "area",
    "водохранилище": "water_facility",
    "ущелье": "area",
}
# Capitals and large cities beyond the gazetteer's area (Kyrgyzstan, Tajikistan, Uzbekistan)
# that these articles name in passing ("closely allied with Moscow"): found, kept unresolved.
WORLD_CITIES = {
    "Moscow": "RU",
    "Astana": "KZ",
    "Nur-Sultan": "KZ",
    "Almaty": "KZ",
    "Beijing": "CN",
    "Urumqi": "CN",
    "Kashgar": "CN",
    "Kabul": "AF",
    "Tehran": "IR",
    "Ankara": "TR",
    "Istanbul": "TR",
    "Baku": "AZ",
    "Ashgabat": "TM",
    "Minsk": "BY",
    "Kyiv": "UA",
    "Kiev": "UA",
    "Washington": "US",
    "New York": "US",
    "Brussels": "BE",
    "Geneva": "CH",
    "Vienna": "AT",
    "Berlin": "DE",
    "Paris": "FR",
    "London": "GB",
    "Islamabad": "PK",
    "New Delhi": "IN",
}
# The same in Russian, as lemmas (в Москве, из Пекина).
WORLD_CITIES_RU = {
    "москва": "RU",
    "астана": "KZ",
    "алма-ата": "KZ",
    "алматы": "KZ",
    "пекин": "CN",
    "урумчи": "CN",
    "кашгар": "CN",
    "кабул": "AF",
    "тегеран": "IR",
    "анкара": "TR",
    "стамбул": "TR",
    "баку": "AZ",
    "ашхабад": "TM",
    "минск": "BY",
    "киев": "UA",
    "вашингтон": "US",
    "брюссель": "BE",
    "женева": "CH",
    "вена": "AT",
    "берлин": "DE",
    "париж": "FR",
    "лондон": "GB",
    "исламабад": "PK",
}
# Heads of names the Russian recogniser calls locations but that are organisations or unions
# of states (Европейский союз, ООН).
RU_NOT_LOCATION_LEMMAS = set(
    "союз организация совет содружество сообщество оон ес нато шос одкб снг оон".split()
)

MONTHS_AND_DAYS = set(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)


# ---------------------------------------------------------------------------------------------
# Results.


@dataclass(frozen=True)
class Mention:
    """One occurrence of a name: `text == article[start:end]`, and how it was matched."""

    start: int
    end: int
    text: str
    how: str = "gazetteer"  # gazetteer, inflection, transliteration, spelling


@dataclass
class Candidate:
    """A gazetteer row a name may stand for, with its score in the article's context."""

    entry: Entry
    score: float = 0.0
    reasons: list = field(default_factory=list)


@dataclass
class Place:
    """A resolved place: the chosen row, its mentions, the runners-up and any doubt."""

    entry: Entry
    country: str
    mentions: list
    score: float
    runners_up: list  # Candidate, best first
    hint: str = ""  # the kind the words around the name say
    needs_review: bool = False
    why: list = field(default_factory=list)
    how: str = "gazetteer"  # the best way one of its mentions was matched
    centre_km: float | None = None  # to the middle of the article's other places
    nearest: tuple | None = None  # (name, km) of the nearest other place

    @property
    def name(self) -> str:
        """The name the map shows: a curated row's own; for a GeoNames row, its Latin spelling
        that the article uses (Ak-Sai, not GeoNames' Ak-Say), else GeoNames' main name."""
        if self.entry.curated:
            return self.entry.name
        for mention in self.mentions:
            key = name_key(mention.text)
            for name in self.entry.names:
                if (
                    name_key(name) == key
                    and not _has_cyrillic(name)
                    and name[1:] != name[1:].upper()
                ):
                    return name
        return self.entry.name


@dataclass(frozen=True)
class Flagged:
    """A span that is not placed: unresolved (a place name without a gazetteer row) or not a
    place (demonym, organisation, person), with why."""

    start: int
    end: int
    text: str
    why: str


@dataclass
class Geoparse:
    """Everything geoparse finds in one text."""

    language: str
    places: list
    countries: dict  # code -> list of Mention
    unresolved: list
    not_places: list
    published: str | None = None

    def as_json(self) -> dict:
        """The shape the geoparse command prints with --json."""
        return {
            "language": self.language,
            "published": self.published,
            "places": [_place_json(p) for p in self.places],
            "countries": [
                {
                    "code": code,
                    "name": COUNTRIES[code][0],
                    "mentions": [_mention_json(m) for m in mentions],
                }
                for code, mentions in sorted(self.countries.items())
            ],
            "unresolved": [_flagged_json(u) for u in self.unresolved],
            "not_places": [_flagged_json(n) for n in self.not_places],
        }


def _mention_json(mention):
    return {"text": mention.text, "start": mention.start, "end": mention.end, "how": mention.how}


def _flagged_json(item):
    return {"text": item.text, "start": item.start, "end": item.end, "why": item.why}


def _place_json(place):
    entry = place.entry
    return {
        "name": place.name,
        "lat": entry.lat,
        "lon": entry.lon,
        "precision_m": entry.precision_m,
        "kind": entry.kind,
        "country": place.country,
        "needs_review": place.needs_review,
        "why": "; ".join(place.why),
        "score": round(place.score, 2),
        "estimated": entry.estimated,
        "source": entry.source,
        "runners_up": [
            {
                "name": c.entry.name,
                "lat": c.entry.lat,
                "lon": c.entry.lon,
                "score": round(c.score, 2),
                "source": c.entry.source,
            }
            for c in place.runners_up
        ],
        "mentions": [_mention_json(m) for m in place.mentions],
    }


class GeoparseError(ValueError):
    """The input cannot be geoparsed (empty, not text, unknown language)."""


# ---------------------------------------------------------------------------------------------
# Shared resources, loaded once per process.


@functools.cache
def morph() -> pymorphy3.MorphAnalyzer:
    """pymorphy3's Russian analyser (loads its dictionaries once, about 15 MB)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=200_000)
def lemmas(word: str) -> frozenset:
    """Every normal form pymorphy3 gives a Russian word, and the word itself, lower-cased."""
    lowered = word.lower().replace("ё", "е")
    forms = {p.normal_form.replace("ё", "е") for p in morph().parse(lowered)}
    return frozenset({lowered, *forms})


@functools.lru_cache(maxsize=200_000)
def best_lemma(word: str) -> str:
    return morph().parse(word.lower())[0].normal_form.replace("ё", "е")


@functools.cache
def natasha_models() -> tuple:
    """natasha's segmenter and news NER tagger (the model ships in the wheel; offline)."""
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


# Transliteration schemas that news outlets' spellings follow (iuliia): Wikipedia's and
# BGN/PCGN's for English-language media, the passport one (ICAO), GOST 7.79 and the scholarly one.
SCHEMA_NAMES = ("WIKIPEDIA", "BGN_PCGN", "ICAO_DOC_9303", "GOST_779_ALT", "MOSMETRO", "SCIENTIFIC")


@functools.cache
def _schemas():
    import iuliia

    return [getattr(iuliia, name) for name in SCHEMA_NAMES]


# Kyrgyz and Tajik letters, which the Russian schemas do not know, to the nearest Russian ones.
_KY_TJ = str.maketrans("өүңһҳҷқғӣӯӨҮҢҺҲҶҚҒӢӮ", "оунххчкгиуОУНХХЧКГИУ")


def transliterations(name: str) -> set:
    """Latin spellings of a Cyrillic name under several schemas (Golovnoi, Golovnoy, Golovnoj)."""
    if not _has_cyrillic(name):
        return set()
    plain = name.translate(_KY_TJ)
    return {schema.translate(plain) for schema in _schemas()}


def _has_cyrillic(text):
    return any("CYRILLIC" in unicodedata.name(c, "") for c in text if c.isalpha())


# A loose key under which spellings of one name in several systems meet: Cyrillic letters
# to Latin, then the differences between systems folded (zh/j/dzh, kh/h, y/i/j, doubled letters).
_CYR = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e j z i i k l m n o p r s t u f h ts ch sh sh _ i _ e iu ia".split(),
        strict=True,
    )
)
_CYR["ъ"] = _CYR["ь"] = ""
_PHONETIC_RULES = [
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("tch", "ch"),
    ("y", "i"),
    ("w", "v"),
    ("q", "k"),
    ("x", "h"),
    ("ck", "k"),
    ("'", ""),
    ("ʼ", ""),
    ("ʻ", ""),
    ("’", ""),
]


@functools.lru_cache(maxsize=200_000)
def phonetic_key(name: str) -> str:
    """Spellings of one name across transliteration systems share this key."""
    text = name_key(name).translate(_KY_TJ)
    text = "".join(_CYR.get(c, c) for c in text)
    for old, new in _PHONETIC_RULES:
        text = text.replace(old, new)
    text = re.sub(r"([a-z])\1+", r"\1", text)
    return "".join(c for c in text if c.isalnum())


def _one_vowel_apart(a: str, b: str) -> bool:
    """True when b is a with one vowel changed, added or dropped."""
    if len(a) == len(b):
        diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        return len(diffs) == 1 and set(diffs[0]) <= VOWELS
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[i] in VOWELS and long[:i] + long[i + 1 :] == short for i in range(len(long)))


class NameIndex:
    """The gazetteer's names under three keys: as written (folded), as inflected (Russian
    lemmas, so Баткенской области is Баткенская область) and phonetically (across
    transliterations); built once from a Gazetteer."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self.exact: dict[str, list] = {}
        self.lemma: dict[tuple, list] = {}
        self.phonetic: dict[str, list] = {}
        self.by_start: dict[str, list] = {}  # first two letters -> phonetic keys
        self.spelling: dict[str, str] = {}  # key -> one name spelled so, for messages
        self.max_words = 1
        for entry in gazetteer.entries:
            for name in entry.names:
                self._add(entry, name, "gazetteer")
                for latin in transliterations(name):
                    self._add(entry, latin, "transliteration")
        for key in self.phonetic:
            self.by_start.setdefault(key[:1], []).append(key)

    def _add(self, entry, name, how):
        key = name_key(name)
        if not key:
            return
        words = _words(name)
        self.max_words = max(self.max_words, len(words))
        bucket = self.exact.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)
        self.spelling.setdefault(key, name)
        if len(key) > SHORT:
            phonetic = phonetic_key(name)
            bucket = self.phonetic.setdefault(phonetic, [])
            if entry not in bucket:
                bucket.append(entry)
        if _has_cyrillic(name) and how == "gazetteer":
            for combo in itertools.product(*(sorted(lemmas(fold_ru(w))) for w in words)):
                bucket = self.lemma.setdefault(combo, [])
                if entry not in bucket:
                    bucket.append(entry)

    def by_phonetic(self, text: str, fuzzy: bool) -> tuple[list, str]:
        """Entries whose phonetic key equals the text's, or (fuzzy) is one edit from it."""
        key = phonetic_key(text)
        if len(key) <= SHORT:
            return [], ""
        if key in self.phonetic:
            return self.phonetic[key], "transliteration"
        if not fuzzy or len(key) < FUZZY_MIN:
            return [], ""
        found: list[Entry] = []
        for other in self.by_start.get(key[:1], ()):
            if abs(len(other) - len(key)) <= 1 and _one_vowel_apart(key, other):
                found.extend(e for e in self.phonetic[other] if e not in found)
        return found, "spelling" if found else ""


def fold_ru(word: str) -> str:
    """Kyrgyz and Tajik letters folded to the Russian ones pymorphy3 knows (Төрт is Торт)."""
    return word.translate(_KY_TJ)


def _words(text):
    return re.findall(r"[^\W\d_]+", text)


@functools.cache
def load_index() -> NameIndex:
    """The project's gazetteer indexed for geoparsing, built once per process."""
    return NameIndex(load_gazetteer())


def warm_up() -> None:
    """Load everything geoparsing needs once (gazetteer index, morphology, NER, polygons), so
    that the first article is as fast as the next."""
    load_index()
    natasha_models()
    _country_polygons()
    lemmas("Баткенской")


@functools.cache
def _country_polygons():
    from shapely.prepared import prep

    from border_map.boundaries import read_countries

    parts = []
    for code, (_a3, _name, geom) in read_countries(
        DATA_DIR / "osm-countries-kgz-tjk-uzb.geojson"
    ).items():
        for part in geom.geoms:
            parts.append((part.area, code, prep(part)))
    # The smallest part containing a point wins: an enclave's polygon lies inside the outline of
    # the country around it (the extract does not cut enclaves out).
    return sorted(parts, key=lambda p: p[0])


def country_of(entry: Entry) -> str:
    """The ISO code of the country the entry's point lies in: GeoNames' own code, else the OSM
    polygons (enclaves first); "" outside Kyrgyzstan, Tajikistan and Uzbekistan."""
    if entry.country:
        return entry.country
    from shapely.geometry import Point

    point = Point(entry.lon, entry.lat)
    for _area, code, part in _country_polygons():
        if part.contains(point):
            return code
    return ""


# ---------------------------------------------------------------------------------------------
# Language and input checks.


def detect_language(text: str) -> str:
    """'ru' when most letters are Cyrillic, 'en' when most are Latin; a GeoparseError when
    neither (a text in Chinese or Arabic is not one the geoparser reads)."""
    letters = [c for c in text if c.isalpha()]
    cyrillic = sum("CYRILLIC" in unicodedata.name(c, "") for c in letters)
    latin = sum("LATIN" in unicodedata.name(c, "") for c in letters)
    if letters and cyrillic / len(letters) > 0.5:
        return "ru"
    if letters and latin / len(letters) > 0.5:
        return "en"
    raise GeoparseError(
        "the text is neither English nor Russian (most letters are not Latin or Cyrillic)"
    )


def check_text(text: str) -> None:
    """A GeoparseError when the text is empty or not text (NUL bytes, mostly control
    characters, no letters)."""
    if not text or not text.strip():
        raise GeoparseError("the text is empty")
    if "\x00" in text:
        raise GeoparseError("the text contains NUL bytes: a binary file, not text")
    controls = sum(unicodedata.category(c) == "Cc" and c not in "\n\r\t\f" for c in text)
    if controls > len(text) / 100:
        raise GeoparseError("the text is mostly control characters: a binary file, not text")
    if not any(c.isalpha() for c in text):
        raise GeoparseError("the text has no letters")


# ---------------------------------------------------------------------------------------------
# Finding.


@dataclass
class _Hit:
    start: int
    end: int
    entries: list
    how: str
    hint: str = ""


# A word, with an apostrophe inside (Ta'zim) but not the possessive 's (Batken region's).
_TOKEN = re.compile(r"[^\W\d_]+(?:['’ʼ](?!s\b)[^\W\d_]+)?")
_JOIN = re.compile(r"^(?: |-|‐|‑|–|—)$")


def _tokens(text):
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _capitalised(word):
    return word[:1].isupper()


def _short_ok(text, start, end, entries):
    """A name of SHORT letters or fewer counts only as written by some gazetteer spelling."""
    written = text[start:end]
    if sum(c.isalpha() for c in written) > SHORT:
        return True
    return any(written in entry.names for entry in entries)


def find_gazetteer_names(text: str, language: str, index: NameIndex) -> list:
    """Gazetteer names in the text, longest first: as written (folded), transliterated, or
    (Russian) inflected. Names start with a capital letter (the gazetteer's are proper nouns)."""
    tokens = _tokens(text)
    hits = []
    i = 0
    while i < len(tokens):
        found = None
        for n in range(min(index.max_words + 1, len(tokens) - i), 0, -1):
            span = tokens[i : i + n]
            if any(
                not _JOIN.match(text[a[1] : b[0]]) for a, b in zip(span, span[1:], strict=False)
            ):
                continue
            start, end = span[0][0], span[-1][1]
            if not _capitalised(text[start:end]):
                # Only a gazetteer spelling that itself starts in lower case ("region of
                # Batken") is found from a lower-case word.
                found = _lookup_lower(text, start, end, index)
                if found:
                    break
                continue
            found = _lookup(text, start, end, span, language, index)
            if found:
                break
        if found:
            hits.append(found)
            i += len([t for t in tokens[i:] if t[1] <= found.end])
        else:
            i += 1
    return _whole_compounds(text, hits)


_HYPHENS = "-‐‑"
_ROAD_WORDS = re.compile(
    r"\b(?:road|highway|route|дорог\w*|автодорог\w*|трасс\w*|шоссе)\b", re.IGNORECASE
)


def _whole_compounds(text, hits):
    """Drop a name found inside a longer hyphenated name (Qalacha in Ovchi-Qalacha: another
    place), unless the compound joins places ("Isfara-Vorukh road", "Баткен-Исфана": every part
    a gazetteer name, or a road word next to it)."""
    kept = []
    for hit in hits:
        start, end = hit.start, hit.end
        while start >= 2 and text[start - 1] in _HYPHENS and text[start - 2].isalpha():
            start -= 2
            while start > 0 and text[start - 1].isalpha():
                start -= 1
        while end + 1 < len(text) and text[end] in _HYPHENS and text[end + 1].isalpha():
            end += 2
            while end < len(text) and text[end].isalpha():
                end += 1
        if (start, end) == (hit.start, hit.end):
            kept.append(hit)
            continue
        parts = [m.span() for m in re.finditer(r"[^\W\d_]+", text[start:end])]
        covered = all(
            any(h.start <= start + a and start + b <= h.end for h in hits) for a, b in parts
        )
        around = text[max(0, start - 20) : start] + " " + text[end : end + 20]
        if covered or _ROAD_WORDS.search(around):
            kept.append(hit)
    return kept


def _lookup_lower(text, start, end, index):
    written = text[start:end]
    entries = index.exact.get(name_key(written), [])
    spelled = [e for e in entries if any(n == written for n in e.names if n[:1].islower())]
    return _Hit(start, end, spelled, "gazetteer") if spelled else None


def _lookup(text, start, end, span, language, index):
    written = text[start:end]
    entries = index.exact.get(name_key(written))
    if entries and _short_ok(text, start, end, entries):
        how = "gazetteer" if any(_same_spelling(written, e) for e in entries) else "transliteration"
        return _Hit(start, end, list(entries), how)
    if _has_cyrillic(written):
        words = [text[a:b] for a, b in span]
        combos = itertools.product(*(sorted(lemmas(fold_ru(w))) for w in words))
        for combo in combos:
            if combo in index.lemma:
                # A one-word adjective form (Баткенского) is not the town (Баткен).
                return _Hit(start, end, list(index.lemma[combo]), "inflection")
        # A hyphenated name inflects at its end only: Кок-Таше is Кок-Таш.
        if "-" in written and len(span) >= 2:
            head = text[start : span[-1][0]]
            for lemma in sorted(lemmas(fold_ru(text[span[-1][0] : end]))):
                entries = index.exact.get(name_key(head + lemma))
                if entries:
                    return _Hit(start, end, list(entries), "inflection")
    # By sound only a name of capitalised words ("Khoja Alo", not "Ак-Сай и", whose key would
    # be "aksai" once the doubled letter is folded).
    if len(name_key(written)) > SHORT + 1 and all(w[:1].isupper() for w in written.split()):
        entries, how = index.by_phonetic(written, fuzzy=False)
        if entries:
            return _Hit(start, end, list(entries), how)
    return None


def _same_spelling(written, entry):
    key = name_key(written)
    return any(name_key(n) == key for n in entry.names)


# --- names the gazetteer lacks ----------------------------------------------------------------

_EN_NAME = rf"{LATIN_WORD}(?:-{LATIN_WORD}|-[a-z]+)*"
_EN_NAMES = rf"{_EN_NAME}(?: {_EN_NAME}){{0,2}}"
_EN_ITEM = rf"{_EN_NAME}(?: {_EN_NAME})?"
_EN_LIST = rf"{_EN_ITEM}(?:, {_EN_ITEM})*(?:,? and {_EN_ITEM})?"
_EN_PLACE_WORD = "|".join(sorted(EN_PLACE_WORDS, key=len, reverse=True))
# "the village of X", not "the post of the X detachment": only words that take a name after "of".
_EN_OF_WORDS = "villages|village|towns|town|city|settlements|settlement|districts|district|"
_EN_OF_WORDS += "regions|region|province|areas|area|locality|jamoats|jamoat|enclave|exclave"
_EN_BEFORE = re.compile(rf"\b(?P<word>{_EN_OF_WORDS}) of (?:the )?(?P<names>{_EN_LIST})")
_EN_AFTER = re.compile(rf"(?P<names>{_EN_NAMES}) (?P<word>(?i:{_EN_PLACE_WORD}))\b")
_EN_ROAD = re.compile(
    rf"(?P<names>{LATIN_WORD}(?:\s?[-–—]\s?{LATIN_WORD})+) (?:road|highway|route)\b"
)
_EN_PREPOSITION = re.compile(
    rf"\b(?P<word>{'|'.join(EN_PLACE_PREPOSITIONS)}) (?P<names>{LATIN_WORD}(?:-{LATIN_WORD})+)"
)


_ANY_NAME = rf"(?:{LATIN_WORD}|[{CYRILLIC_UPPER}][{CYRILLIC_LOWER}]+)(?:-[\w’']+)*"
_LIST_JOIN = r"(?:, (?:and |or |и |или )?| (?:and|or|и|или) )"


def _listed_with_places(text, hits):
    """Names listed with gazetteer places ("Ak-Tuz-Bulak and Kok-Tash", "Ворух, Исфара и
    Чорку"): a list of places is a list of places."""
    out = []
    for hit in hits:
        before = re.search(rf"({_ANY_NAME}){_LIST_JOIN}$", text[max(0, hit.start - 60) : hit.start])
        if before:
            start = hit.start - len(before.group(0))
            out.append((start, start + len(before.group(1)), "", "a name listed with places"))
        after = re.match(rf"{_LIST_JOIN}({_ANY_NAME})", text[hit.end : hit.end + 60])
        if after:
            start = hit.end + after.start(1)
            out.append((start, hit.end + after.end(1), "", "a name listed with places"))
    return out


def _en_candidates(text):
    """(start, end, hint, rule) of English names that the words around them call places."""
    out = []

    def split_names(match, group):
        base = match.start(group)
        chunk = match.group(group)
        for name in re.finditer(_EN_ITEM, chunk):
            yield base + name.start(), base + name.end()

    for match in _EN_BEFORE.finditer(text):
        hint = EN_PLACE_WORDS[match.group("word").lower()]
        for start, end in split_names(match, "names"):
            out.append((start, end, hint, f"'{match.group('word')} of …'"))
    for match in _EN_AFTER.finditer(text):
        word = match.group("word")
        if word != word.lower() and not word.istitle():
            continue
        names = match.group("names")
        # Keep the capitalised words just before the place word ("... in Batken district"),
        # after the last word that is never a name ("Tensions Rise In Border Area": none).
        words = names.split(" ")
        while any(w in EN_STOP or not w[:1].isupper() for w in words):
            words = words[1:]
        if not words:
            continue
        start = match.end("names") - len(" ".join(words))
        out.append((start, match.end("names"), EN_PLACE_WORDS[word.lower()], f"'… {word}'"))
    for match in _EN_ROAD.finditer(text):
        for part in re.finditer(LATIN_WORD, match.group("names")):
            start = match.start("names") + part.start()
            out.append((start, start + len(part.group()), "", "'A-B road'"))
    for match in _EN_PREPOSITION.finditer(text):
        out.append(
            (
                match.start("names"),
                match.end("names"),
                "",
                f"'{match.group('word')} …' and hyphenated",
            )
        )
    return out


_RU_WORD = rf"[{CYRILLIC_UPPER}{CYRILLIC_LOWER}][{CYRILLIC_LOWER}]+"
_RU_NAME = rf"[{CYRILLIC_UPPER}][{CYRILLIC_LOWER}]+(?:-{_RU_WORD})*"
_RU_QUOTED = re.compile(r"«(?P<name>[^«»\n]{2,40})»")
_RU_AFTER_NOUN = re.compile(rf"(?P<noun>[{CYRILLIC_LOWER}]+|КПП) (?P<name>{_RU_NAME})")


def _ru_place_noun(words):
    """The kind said by the last place noun among these words, or ""."""
    for word in reversed(words):
        for lemma in lemmas(word):
            if lemma in RU_PLACE_NOUNS:
                return RU_PLACE_NOUNS[lemma]
    return ""


def _ru_candidates(text):
    """(start, end, hint, rule) of Russian names the words before them call places: «quoted»
    names after a place noun (заставам «A», «B» и «C») and names right after one."""
    out = []
    previous_end, previous_hint = None, ""
    for match in _RU_QUOTED.finditer(text):
        if previous_end is not None and re.fullmatch(
            r"[\s,]*(?:и|или)?[\s,]*", text[previous_end : match.start()]
        ):
            hint = previous_hint  # a list: «Капчыгай», «Мин-Булак» и «Достук»
        else:
            sentence_start = max(
                text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())
            )
            before = text[max(sentence_start + 1, match.start() - 60) : match.start()]
            hint = _ru_place_noun(_words(before)[-1:])
        previous_end, previous_hint = match.end(), hint
        if hint:
            out.append((match.start("name"), match.end("name"), hint, "«…» after a place noun"))
    for match in _RU_AFTER_NOUN.finditer(text):
        hint = _ru_place_noun([match.group("noun")])
        if hint:
            out.append((match.start("name"), match.end("name"), hint, "a name after a place noun"))
    return out


# --- what is not a place ------------------------------------------------------------------------


def _countries(text, language):
    """{code: [Mention]} of the countries the text names."""
    found: dict[str, list[Mention]] = {}
    if language == "en":
        for iso, (_name, pattern) in COUNTRIES.items():
            for match in re.finditer(rf"\b(?:{pattern})\b", text):
                found.setdefault(iso, []).append(Mention(match.start(), match.end(), match.group()))
    else:
        tokens = _tokens(text)
        for i, (start, end) in enumerate(tokens):
            word = text[start:end]
            if word in RU_COUNTRY_ABBREVIATIONS:
                found.setdefault(RU_COUNTRY_ABBREVIATIONS[word], []).append(
                    Mention(start, end, word)
                )
                continue
            if not _capitalised(word):
                continue
            forms = lemmas(word)
            code: str | None = next(
                (RU_COUNTRY_LEMMAS[f] for f in forms if f in RU_COUNTRY_LEMMAS), None
            )
            span = (start, end)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if "республика" in forms and nxt and text[end : nxt[0]] == " ":
                nforms = lemmas(text[nxt[0] : nxt[1]])
                ncode = next((RU_COUNTRY_LEMMAS[f] for f in nforms if f in RU_COUNTRY_LEMMAS), None)
                if ncode:
                    code, span = ncode, (start, nxt[1])
            elif (
                nxt and text[end : nxt[0]] == " " and "республика" in lemmas(text[nxt[0] : nxt[1]])
            ):
                acode = next(
                    (RU_REPUBLIC_ADJECTIVES[f] for f in forms if f in RU_REPUBLIC_ADJECTIVES), None
                )
                if acode:
                    code, span = acode, (start, nxt[1])
            if code:
                found.setdefault(code, []).append(Mention(*span, text[span[0] : span[1]]))
    # A longer mention (Republic of Tajikistan) hides the shorter one inside it.
    for code, mentions in found.items():
        mentions.sort(key=lambda m: (m.start, -m.end))
        kept: list[Mention] = []
        for m in mentions:
            if not any(k.start <= m.start and m.end <= k.end for k in kept):
                kept.append(m)
        found[code] = kept
    return found


def _en_not_places(text):
    out = []
    for match in EN_DEMONYMS.finditer(text):
        out.append(Flagged(match.start(), match.end(), match.group(), "demonym or adjective"))
    # Organisations: a run of capitalised words (with of/for/the/and inside) whose last word is
    # the head of an organisation's name, or a known outlet.
    run = re.compile(r"(?:[A-Z][\w’'/.-]*)(?:(?: (?:of|for|the|and|on))* [A-Z][\w’'/.-]*)*")
    for match in run.finditer(text):
        words = match.group().split(" ")
        if any(w.strip("’'s").lower() in EN_ORGANISATION_HEADS for w in words if w[:1].isupper()):
            out.append(Flagged(match.start(), match.end(), match.group(), "organisation"))
    return out


def _outlets(text):
    """The news outlets and agencies a text cites (Reuters, «Азия-Плюс»)."""
    out = []
    for name in EN_ORGANISATION_NAMES:
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            out.append(Flagged(match.start(), match.end(), name, "organisation (news outlet)"))
    return out


def _ru_not_places(text, doc_spans):
    out = []
    for start, end in _tokens(text):
        word = text[start:end]
        forms = lemmas(word)
        if any(f.startswith(RU_DEMONYM_STEMS) for f in forms) and not any(
            f in RU_COUNTRY_LEMMAS for f in forms
        ):
            # кыргызско-таджикской: the hyphenated adjective as one span.
            match = re.match(rf"[{CYRILLIC_LOWER}]+-[{CYRILLIC_LOWER}]+", text[start:])
            if match and word.islower() and text[end : end + 1] == "-":
                out.append(
                    Flagged(start, start + match.end(), match.group(), "demonym or adjective")
                )
            elif not (
                start > 0 and text[start - 1] == "-" and text[start - 2 : start - 1].isalpha()
            ):
                out.append(Flagged(start, end, word, "demonym or adjective"))
    for span in doc_spans:
        if span.type == "ORG":
            out.append(
                Flagged(span.start, span.stop, span.text, "organisation (named-entity recogniser)")
            )
        elif span.type == "PER":
            out.append(
                Flagged(span.start, span.stop, span.text, "person (named-entity recogniser)")
            )
    return out


def _overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


def _person_after(text, end):
    """True when a capitalised surname-like word follows (Olga Dzyubenko)."""
    match = re.match(rf" ({LATIN_WORD}|[{CYRILLIC_UPPER}][{CYRILLIC_LOWER}]+)", text[end:])
    return bool(match and SURNAME.search(match.group(1)) and match.group(1) not in EN_PLACE_WORDS)


def _title_before(text, start):
    match = re.search(r"(\w+)\.? $", text[max(0, start - 30) : start])
    return bool(match and match.group(1).lower() in EN_TITLES)


# ---------------------------------------------------------------------------------------------
# Resolving.


def _km(a: Entry, b: Entry) -> float:
    return geodesic((a.lat, a.lon), (b.lat, b.lon)).km


def _in_ferghana(entry):
    south, north, west, east = FERGHANA
    return south <= entry.lat <= north and west <= entry.lon <= east


# How far each way of matching a name is from reading it as the gazetteer writes it.
MATCH_PENALTY = {
    "gazetteer": 0.0,
    "inflection": 0.1,
    "transliteration": 0.2,
    "online": 0.5,
    "spelling": 1.0,
}


def _score(entry, hit_how, hint, countries, anchors):
    score, reasons = 0.0, []
    if entry.curated:
        score += 1.0
        reasons.append("curated row +1")
    country = entry.country
    if countries and country:
        if country in countries:
            score += 1.0
            reasons.append(f"in {country}, which the article names +1")
        else:
            score -= 1.0
            reasons.append(f"in {country}, which the article does not name -1")
    if _in_ferghana(entry):
        score += 1.0
        reasons.append("in the Ferghana region +1")
    if anchors:
        # The median distance to the places that have a single candidate: robust to a capital
        # named in passing far from where the article's places cluster.
        d = statistics.median(_km(entry, a) for a in anchors)
        penalty = min(d / 100, 3.0)
        score -= penalty
        reasons.append(f"{d:.0f} km from the article's other places -{penalty:.1f}")
    if hint:
        if entry.kind in KIND_FITS.get(hint, set()):
            score += 1.0
            reasons.append(f"a {entry.kind}, as the text says ({hint}) +1")
        else:
            score -= 0.5
            reasons.append(f"a {entry.kind}, the text says {hint} -0.5")
    if entry.population:
        bonus = min(math.log10(entry.population + 1) / 6, 1.0)
        score += bonus
        reasons.append(f"population {entry.population} +{bonus:.1f}")
    penalty = MATCH_PENALTY[hit_how]
    if penalty:
        score -= penalty
        reasons.append(f"matched by {hit_how} -{penalty:.1f}")
    return Candidate(entry, score, reasons)


def _median_point(entries):
    if not entries:
        return None
    return (statistics.median(e.lat for e in entries), statistics.median(e.lon for e in entries))


def _review_km() -> float:
    """BORDER_MAP["REVIEW_DISTANCE_KM"], a number (checked at start-up by apps.py)."""
    value = settings.BORDER_MAP["REVIEW_DISTANCE_KM"]
    assert isinstance(value, int | float)
    return float(value)


def resolve(groups: list, countries: set, review_km: float | None = None) -> tuple[list, list]:
    """One Place per group of mentions ([(_Hit, Mention)]), chosen in the article's context;
    returns (places, unresolved): a name matched only by its sound whose candidate is far from
    the article's other places or in a country it does not name is left unresolved."""
    if review_km is None:
        review_km = _review_km()
    # Anchors: names with a single candidate, matched as written or inflected.
    anchors = [
        g[0][0].entries[0]
        for g in groups
        if len(g[0][0].entries) == 1 and g[0][0].how in {"gazetteer", "inflection"}
    ]
    # A capital named in passing (a dateline) far from every other anchor does not pull the
    # middle of the article's places towards it.
    core = [a for a in anchors if any(_km(a, b) <= review_km for b in anchors if b is not a)]
    anchors = core or anchors
    order = list(MATCH_PENALTY)
    places = []
    for group in groups:
        hit = group[0][0]
        hint = next((h.hint for h, _m in group if h.hint), "")
        how = min((h.how for h, _m in group), key=order.index)
        others = [a for a in anchors if a not in hit.entries]
        ranked = sorted(
            (_score(e, how, hint, countries, others) for e in hit.entries),
            key=lambda c: (-c.score, c.entry.name),
        )
        best = ranked[0]
        place = Place(
            entry=best.entry,
            country=country_of(best.entry),
            mentions=sorted({m for _h, m in group}, key=lambda m: m.start),
            score=best.score,
            runners_up=ranked[1:4],
            hint=hint,
        )
        place.how = how
        if how == "online":
            place.why.append(
                f"not in the gazetteer: {best.entry.source[:80]} is the online geocoder's answer"
            )
        if how == "spelling":
            place.why.append(
                f"spelled {place.mentions[0].text!r} in the text, matched to {best.entry.name!r} "
                "by one vowel"
            )
        if len(ranked) > 1 and best.score - ranked[1].score < CLOSE_SCORE:
            place.why.append(
                f"runner-up close behind: {ranked[1].entry.name} ({ranked[1].entry.source}), "
                f"score {ranked[1].score:.1f} against {best.score:.1f}"
            )
        if best.score < LOW_SCORE:
            place.why.append(f"low score {best.score:.1f}")
        if hint == "checkpoint" and best.entry.kind != "checkpoint":
            place.why.append(
                f"a post or checkpoint named after the {best.entry.kind} {best.entry.name}: "
                "shown at it; its own position is not known"
            )
        if countries and place.country and place.country not in countries:
            place.why.append(f"in {place.country}, a country the article does not name")
        places.append(place)
    # A name matched only by its sound whose one candidate lies far from all the article's other
    # places, or in a country it does not name, is a namesake: left unresolved.
    unresolved = []
    for place in places:
        nearest = _nearest(place, places)
        far = nearest is not None and nearest[1] > review_km
        foreign = bool(countries and place.country and place.country not in countries)
        weak = place.how == "spelling" and place.score < LOW_SCORE
        by_sound = place.how in {"transliteration", "spelling"} and (far or foreign or weak)
        # Even spelled as written: a village far from all the others, in a country the article
        # does not name, is a namesake (Bulak-Bashi of Batken is not Bulakbashi of Andijan).
        # (A curated row is a place these conflicts name, reviewed by hand: never a namesake.)
        namesake = (
            far
            and (foreign or place.score < LOW_SCORE)
            and place.entry.population < NAMESAKE_POPULATION
            and not place.entry.curated
        )
        if by_sound or namesake:
            where = (
                f"{nearest[1]:.0f} km from {nearest[0]}"
                if far
                else f"in {place.country}"
                if foreign
                else f"a poor fit (score {place.score:.1f})"
            )
            if namesake and foreign:
                where += f" and in {place.country}, a country the article does not name"
            elif namesake:
                where += f", a poor fit (score {place.score:.1f})"
            alike = "of that name" if namesake and not by_sound else "that sounds alike"
            for mention in place.mentions:
                why = (
                    f"no gazetteer row fits: the only one {alike}, {place.entry.name} "
                    f"({place.entry.source}), is {where}"
                )
                unresolved.append(Flagged(mention.start, mention.end, mention.text, why))
    places = [p for p in places if not any(u.start == p.mentions[0].start for u in unresolved)]
    # Distances to the article's other places, with the choices made: far from all of them is
    # far from the rest (a capital named in passing), whatever the middle of them.
    for place in places:
        place.nearest = _nearest(place, places)
        if place.nearest is not None:
            others = [p.entry for p in places if p.entry is not place.entry]
            centre = _median_point(others)
            place.centre_km = geodesic(centre, (place.entry.lat, place.entry.lon)).km
            if place.nearest[1] > review_km:
                place.why.append(
                    f"{place.centre_km:.0f} km from the middle of the article's other places and "
                    f"{place.nearest[1]:.0f} km from the nearest, {place.nearest[0]} (more than "
                    f"{review_km:g} km)"
                )
        elif place.runners_up and not countries:
            place.why.append("ambiguous: no context to choose by")
        place.needs_review = bool(place.why)
    return places, unresolved


def _nearest(place, places):
    """(name, km) of the other place nearest this one, or None when it is alone."""
    others = [p for p in places if p.entry is not place.entry]
    if not others:
        return None
    nearest = min(others, key=lambda p: _km(p.entry, place.entry))
    return nearest.name, _km(nearest.entry, place.entry)


# ---------------------------------------------------------------------------------------------
# The whole pass.


def geoparse(
    text: str,
    language: str = "auto",
    published: str | None = None,
    skip: Iterable[str] = (),
    geocoder: Any = None,
) -> Geoparse:
    """Find, tell apart and resolve the place names of an English or Russian text. `skip`
    lists phrases known not to be places (an article's not_places); `geocoder`, an online
    geocoder (Nominatim) asked for every name found, adds its candidates to the gazetteer's."""
    check_text(text)
    if language == "auto":
        language = detect_language(text)
    if language not in LANGUAGES:
        raise GeoparseError(f"language {language!r} is not one of {', '.join(LANGUAGES)} or auto")
    index = load_index()

    doc_spans = []
    if language == "ru":
        from natasha import Doc

        segmenter, tagger = natasha_models()
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        doc_spans = list(doc.spans)

    countries = _countries(text, language)
    country_spans = [(m.start, m.end) for ms in countries.values() for m in ms]
    skipped = [
        (m.start(), m.end()) for phrase in skip for m in re.finditer(re.escape(phrase), text)
    ]

    not_places = _en_not_places(text) if language == "en" else _ru_not_places(text, doc_spans)
    not_places += _outlets(text)
    demonyms = [(n.start, n.end) for n in not_places if n.why.startswith("demonym")]
    demonyms += [(n.start, n.end) for n in not_places if "news outlet" in n.why]
    persons = [(n.start, n.end) for n in not_places if n.why.startswith("person")]
    # A one-word "person" that is exactly a gazetteer name (Баткен in a list) is the place;
    # a longer one (Ольга Дзюбенко) hides the name inside it.
    person_spans = set(persons)

    def blocked(start, end, spans):
        return any(_overlaps(start, end, a, b) for a, b in spans)

    hits = []
    for hit in find_gazetteer_names(text, language, index):
        if (hit.start, hit.end) in person_spans:
            not_places = [n for n in not_places if (n.start, n.end) != (hit.start, hit.end)]
            persons.remove((hit.start, hit.end))
        if blocked(hit.start, hit.end, country_spans + skipped + demonyms + persons):
            continue
        if language == "en" and (_person_after(text, hit.end) or _title_before(text, hit.start)):
            not_places.append(
                Flagged(
                    hit.start,
                    hit.end,
                    text[hit.start : hit.end],
                    "person (a name with a surname or title)",
                )
            )
            continue
        hits.append(hit)

    # A town's name before a natural feature ("Ferghana Valley") names the feature.
    unresolved = []
    for hit in list(hits):
        feature = re.match(r"[ -](\w+)", text[hit.end :])
        word = feature.group(1).lower() if feature else ""
        lemma = best_lemma(word) if word and _has_cyrillic(word) else word
        kind = FEATURE_WORDS.get(lemma)
        if feature and kind and not any(e.kind in KIND_FITS[kind] for e in hit.entries):
            hits.remove(hit)
            end = hit.end + feature.end()
            unresolved.append(
                Flagged(
                    hit.start,
                    end,
                    text[hit.start : end],
                    f"not in the gazetteer: a {word} named after "
                    f"{hit.entries[0].name} ({hit.entries[0].kind}), not it",
                )
            )
    # Capitals beyond the gazetteer's area win over a namesake village in it (Москва, TJ).
    world = []
    for name, code in WORLD_CITIES.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            world.append((match.start(), match.end(), code))
    if language == "ru":
        for start, end in _tokens(text):
            if _capitalised(text[start:end]):
                city = next(
                    (WORLD_CITIES_RU[f] for f in lemmas(text[start:end]) if f in WORLD_CITIES_RU),
                    None,
                )
                if city:
                    world.append((start, end, city))
    for start, end, code in world:
        hits = [h for h in hits if not _overlaps(start, end, h.start, h.end)]
        why = f"not in the gazetteer: a city in {code}, beyond its area (KG, TJ, UZ)"
        unresolved.append(Flagged(start, end, text[start:end], why))

    # Names that the words around them call places.
    candidates = _en_candidates(text) if language == "en" else _ru_candidates(text)
    candidates += _listed_with_places(text, hits)
    if language == "ru":
        for span in doc_spans:
            heads = {best_lemma(w) for w in _words(span.text)} | set(_words(span.text))
            if span.type == "LOC" and not heads & RU_NOT_LOCATION_LEMMAS:
                candidates.append((span.start, span.stop, "", "named-entity recogniser (LOC)"))
    for start, end, hint, rule in sorted(candidates, key=lambda c: (c[0], -c[1])):
        # A gazetteer name inside the candidate takes its place; its hint goes to the hit.
        inside = [h for h in hits if _overlaps(start, end, h.start, h.end)]
        if inside:
            for h in inside:
                if hint and not h.hint and h.start <= start + 1 and h.end >= end - 1:
                    h.hint = hint
                elif hint and not h.hint and start <= h.start and h.end <= end and h.end == end:
                    h.hint = hint
            continue
        if blocked(start, end, country_spans + skipped + demonyms + persons):
            continue
        if any(_overlaps(start, end, u.start, u.end) for u in unresolved):
            continue
        written = text[start:end].strip()
        if not written or written in EN_STOP or written in MONTHS_AND_DAYS:
            continue
        if language == "en" and (_person_after(text, end) or _title_before(text, start)):
            continue
        shared = _shared_noun(text, start, end, hits, index) if language == "ru" else None
        if shared:
            hits.append(shared)
            continue
        entries, how = index.by_phonetic(written, fuzzy=True)
        if entries:
            hits.append(_Hit(start, end, list(entries), how, hint))
            continue
        why = f"not in the gazetteer; found as {rule}"
        unresolved.append(Flagged(start, end, text[start:end], why))

    if geocoder is not None:
        unresolved = _ask_online(geocoder, text, hits, unresolved)
    hits.sort(key=lambda h: h.start)
    groups = _group(text, hits)
    context = set(countries) | _demonym_countries(text, language)
    places, far = resolve(groups, context)
    unresolved = sorted(unresolved + far, key=lambda u: u.start)
    placed = [(m.start, m.end) for p in places for m in p.mentions] + [
        (u.start, u.end) for u in unresolved
    ]
    # The recogniser calls a quoted outpost («Достук») an organisation: what was kept as a
    # place is not also listed as not one.
    not_places = sorted(
        {n for n in not_places if not ("recogniser" in n.why and blocked(n.start, n.end, placed))},
        key=lambda n: (n.start, n.end),
    )
    return Geoparse(language, places, countries, unresolved, not_places, published)


_EN_DEMONYM_CODES = {
    "kyrgyz": "KG",
    "kirghiz": "KG",
    "tajik": "TJ",
    "tadjik": "TJ",
    "uzbek": "UZ",
    "russian": "RU",
    "kazakh": "KZ",
    "afghan": "AF",
    "chinese": "CN",
}
_RU_DEMONYM_CODES = {
    "кыргыз": "KG",
    "киргиз": "KG",
    "таджик": "TJ",
    "узбек": "UZ",
    "русск": "RU",
    "российск": "RU",
    "казах": "KZ",
}


def _shared_noun(text: str, start: int, end: int, hits: list, index: NameIndex) -> _Hit | None:
    """An adjective that shares the noun of a place listed with it ("в Лейлекском и Баткенском
    районах", "сел Баткенского и Лейлекского районов") is that kind of place too."""
    word = text[start:end]
    if " " in word or not _has_cyrillic(word):
        return None
    for hit in hits:
        if not (0 < hit.start - end <= 5 or 0 < start - hit.end <= 5):
            continue
        between = text[end : hit.start] if hit.start > end else text[hit.end : start]
        if not re.fullmatch(r"\s*(?:,|и|или)\s*", between):
            continue
        nouns = _words(text[hit.start : hit.end])[1:]
        if not nouns:
            continue
        noun_forms = [sorted(lemmas(fold_ru(n))) for n in nouns]
        for adjective in sorted(lemmas(fold_ru(word))):
            for combo in itertools.product([adjective], *noun_forms):
                if combo in index.lemma:
                    return _Hit(start, end, list(index.lemma[combo]), "inflection")
    return None


def _ask_online(geocoder: Any, text: str, hits: list, unresolved: list) -> list:
    """Add an online geocoder's candidates to every name found; a name the gazetteer lacks that
    it knows becomes a candidate place (flagged: found online only). A GeocodingError of the
    geocoder goes up: a failing geocoder must not look like "no result"."""
    from border_map.geocoding import entry_from_location

    answers = {}

    def ask(query):
        if query not in answers:
            found = geocoder.geocode(query, exactly_one=False) or []
            answers[query] = [entry_from_location(location) for location in found]
        return answers[query]

    for hit in hits:
        extra = [e for e in ask(text[hit.start : hit.end]) if e not in hit.entries]
        hit.entries = [*hit.entries, *extra]
    kept = []
    for item in unresolved:
        entries = ask(item.text) if "not in the gazetteer; found as" in item.why else []
        if entries:
            hits.append(_Hit(item.start, item.end, entries, "online"))
        else:
            kept.append(item)
    return kept


def _demonym_countries(text, language):
    """Codes of the countries whose people or adjectives the text names (Kyrgyz, таджикский):
    context as much as the countries' names."""
    codes: set[str] = set()
    if language == "en":
        for match in EN_DEMONYMS.finditer(text):
            for part in match.group().lower().split("-"):
                codes.update(c for stem, c in _EN_DEMONYM_CODES.items() if part.startswith(stem))
    else:
        for word in re.findall(rf"[{CYRILLIC_UPPER}{CYRILLIC_LOWER}]+", text):
            lowered = word.lower()
            codes.update(c for stem, c in _RU_DEMONYM_CODES.items() if lowered.startswith(stem))
    return codes


def _group(text, hits):
    """Hits grouped by the place they can be: the same candidate rows, one group."""
    groups: dict[tuple, list] = {}
    for hit in hits:
        key = tuple(sorted(id(e) for e in hit.entries))
        mention = Mention(hit.start, hit.end, text[hit.start : hit.end], hit.how)
        groups.setdefault(key, []).append((hit, mention))
    return list(groups.values())


def _fmt_km(km):
    return "—" if km is None else f"{km:.0f} km"


def table(result: Geoparse) -> str:
    """The result as a table a person reads: each mention, the place it resolved to, the
    runners-up, the distance to the article's other places and why it was flagged."""
    lines = [f"language: {result.language}"]
    rows = []
    for place in result.places:
        entry = place.entry
        resolved = (
            f"{entry.name} ({entry.kind}, {place.country or '--'}) {entry.lat:.5f} N "
            f"{entry.lon:.5f} E ±{entry.precision_m} m, score {place.score:.1f}"
        )
        runners = (
            "; ".join(
                f"{c.entry.name} {c.entry.lat:.2f} N {c.entry.lon:.2f} E ({c.score:.1f})"
                for c in place.runners_up
            )
            or "—"
        )
        distance = _fmt_km(place.centre_km)
        if place.nearest:
            distance += f" (nearest: {place.nearest[0]}, {place.nearest[1]:.0f} km)"
        flag = "REVIEW: " + "; ".join(place.why) if place.needs_review else ""
        for mention in place.mentions:
            rows.append((mention.start, mention.text, resolved, runners, distance, flag))
    for item in result.unresolved:
        rows.append((item.start, item.text, "UNRESOLVED", "—", "—", item.why))
    headers = ("mention", "resolved place", "runners-up", "to the other places", "why flagged")
    rows.sort(key=lambda r: r[0])
    lines.append(" | ".join(headers))
    lines.append(" | ".join("-" * len(h) for h in headers))
    for row in rows:
        lines.append(" | ".join(row[1:]))
    if result.countries:
        names = ", ".join(
            f"{COUNTRIES[code][0]} ({len(ms)}×)" for code, ms in sorted(result.countries.items())
        )
        lines.append(f"countries named: {names}")
    if result.not_places:
        lines.append("not places: " + "; ".join(f"{n.text!r} ({n.why})" for n in result.not_places))
    return "\n".join(lines)
