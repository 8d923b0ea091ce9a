"""Articles: reading an article file, its sentences, and storing it with the places it names
(geocoded in its context), each mention of them, and the sentences that mention them as excerpts.
The ingest_article command runs it in a transaction."""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import Point
from django.utils.text import slugify

from border_map.datafiles import DataError, Say, check_record, read_json, silent
from border_map.geocoding import (
    GeocodingError,
    Result,
    countries_named,
    find_names,
    geocode_names,
    load_gazetteer,
    name_key,
)
from border_map.models import Article, Boundary, Country, Excerpt, Incident, Mention, Place

REQUIRED = {
    "slug": str,
    "title": str,
    "outlet": str,
    "url": str,
    "published": str,
    "language": str,
    "text_file": str,
}
OPTIONAL = {"not_places": list}

# A sentence ends at . ! or ? (and any closing quotes) followed by white space.
SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s)")

# A point this close to a shared line (about 10 m, in degrees) is on the line, in no country:
# the estimates placed on the KG-TJ line would otherwise fall on either side by rounding.
ON_THE_LINE_DEGREES = 1e-4


def read_article(path: str | Path) -> tuple[dict[str, Any], str]:
    """The metadata and the verbatim text of an article file, or a DataError naming the file
    and the problem."""
    path = Path(path)
    meta = read_json(path)
    if not isinstance(meta, dict):
        raise DataError(f"{path}: expected a JSON object with {sorted(REQUIRED)}")
    meta = check_record(
        meta,
        {**REQUIRED, **OPTIONAL},
        {"not_places": []},
        ("slug", "title", "outlet", "language", "text_file"),
        lambda message: DataError(f"{path}: {message}"),
    )
    if slugify(meta["slug"]) != meta["slug"]:
        raise DataError(f"{path}: slug {meta['slug']!r} is not a slug")
    try:
        meta["published"] = datetime.date.fromisoformat(meta["published"])
    except ValueError as error:
        raise DataError(f"{path}: published {meta['published']!r} is not a date") from error
    keys = ("text", "why")
    for item in meta["not_places"]:
        if not (isinstance(item, dict) and all(isinstance(item.get(k), str) for k in keys)):
            raise DataError(f"{path}: each of not_places needs a 'text' and a 'why'")
    text_path = path.parent / meta["text_file"]
    try:
        # newline="" keeps the text byte for byte, so that offsets match the file.
        with open(text_path, encoding="utf-8", newline="") as f:
            text = f.read()
    except OSError as error:
        raise DataError(
            f"{path}: text_file {text_path} cannot be read ({error.strerror})"
        ) from error
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: text_file {text_path} is not UTF-8 ({error})") from error
    if not text.strip():
        raise DataError(f"{path}: text_file {text_path} is empty")
    return meta, text


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence: paragraphs are lines, split at sentence ends, trimmed."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        body = line.group()
        cuts = [0, *(m.end() for m in SENTENCE_END.finditer(body)), len(body)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = body[a:b]
            if piece.strip():
                start = line.start() + a + len(piece) - len(piece.lstrip())
                spans.append((start, start + len(piece.strip())))
    return spans


def reading_spans(
    text: str, title: str, keep: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """The article as a reader wants it: spans of the verbatim text without the page furniture a
    copied web page brings (the site's links and banners before the headline, the headline
    itself, a line repeated at once, such as a photo caption printed twice). The text stays
    whole as the provenance; these spans only choose what the article view shows. Spans in
    ``keep`` (what claims quote) are always shown."""
    lines, at = [], 0
    for line in text.splitlines(keepends=True):
        lines.append((at, at + len(line), line.strip()))
        at += len(line)
    start_line = 0
    wanted = " ".join(title.split()).casefold()
    for number, (_, _, line) in enumerate(lines[:15]):
        if wanted and " ".join(line.split()).casefold() == wanted:
            start_line = number + 1  # the headline, and what comes before it, is furniture
            break
    shown: list[tuple[int, int]] = []
    previous = None
    for begin, end, line in lines[start_line:]:
        if line and line == previous:
            continue  # the same line again at once
        if line:
            previous = line
        if shown and shown[-1][1] == begin:
            shown[-1] = (shown[-1][0], end)
        else:
            shown.append((begin, end))
    for begin, end in keep:
        if not any(a <= begin and end <= b for a, b in shown):
            shown.append((begin, end))
    shown.sort()
    merged: list[tuple[int, int]] = []
    for begin, end in shown:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    # No leading blank lines.
    if merged:
        first_start, first_end = merged[0]
        while first_start < first_end and text[first_start] in "\r\n":
            first_start += 1
        merged[0] = (first_start, first_end)
    return [(a, b) for a, b in merged if a < b]


def country_at(point: Point) -> str:
    """The code of the country whose polygon contains the point; "" on a shared line or outside."""
    if any(b.geom.distance(point) < ON_THE_LINE_DEGREES for b in Boundary.objects.all()):
        return ""
    return Country.objects.filter(geom__contains=point).values_list("code", flat=True).first() or ""


def _latin(name: str) -> bool:
    return all(unicodedata.name(c, "").startswith("LATIN") for c in name if c.isalpha())


def place_slug(name: str, raw: dict[str, Any]) -> str:
    """An ASCII slug for the place's links: from the article's spelling when it is in Latin
    letters, else from the geocoder's Latin name (Ворух is "vorukh"): slugify drops Cyrillic, and
    every Cyrillic name would share the empty slug."""
    for spelling in (name, raw["name"], *raw["alternate_names"]):
        if _latin(spelling) and slugify(spelling):
            return slugify(spelling)
    osm = raw.get("nominatim") or {}
    if osm.get("osm_type") and osm.get("osm_id"):
        return slugify(f"osm-{osm['osm_type']}-{osm['osm_id']}")
    raise DataError(f"place {name!r} ({raw['source']}): no Latin name to make its slug of")


def ingest_all(
    articles: Iterable[tuple[str | Path, dict[str, Any], str]], say: Say = silent
) -> None:
    """Store each (path, metadata, text) of read_article, then delete the places that no article
    mentions and no incident uses. Call it in a transaction: a DataError leaves half the work."""
    if not Country.objects.exists():
        raise DataError("No Country polygons: run load_boundaries first.")
    for path, meta, text in articles:
        ingest(path, meta, text, say)
    # Places come from articles: one that no article mentions any more (its name left the
    # gazetteer or the text) and no incident uses is gone from the map too.
    orphans = Place.objects.filter(mentions__isnull=True, incidents__isnull=True)
    for name in orphans.values_list("name", flat=True):
        say(f"deleted place {name}: no article mentions it")
    orphans.delete()


def ingest(path: str | Path, meta: dict[str, Any], text: str, say: Say = silent) -> Article:
    """Store one article, its places, mentions and excerpts; a DataError names the file when the
    text moves under an excerpt an incident cites, or the geocoder fails."""
    article, created = Article.objects.update_or_create(
        slug=meta["slug"],
        defaults={
            "title": meta["title"],
            "outlet": meta["outlet"],
            "url": meta["url"],
            "published": meta["published"],
            "language": meta["language"],
            "text": text,
        },
    )
    say(f"{'Created' if created else 'Updated'} article {article.slug} ({path})")
    cited = Excerpt.objects.filter(article=article, incidents__isnull=False).distinct()
    moved = [e for e in cited if text[e.start : e.end] != e.text]
    if moved:
        slugs = Incident.objects.filter(excerpts__in=moved).values_list("slug", flat=True)
        spans = ", ".join(f"[{e.start}:{e.end}]" for e in moved)
        raise DataError(
            f"{path}: the new text changes excerpt(s) {spans} that incident(s) "
            f"{', '.join(sorted(set(slugs)))} cite; those incidents must be re-quoted first"
        )

    gazetteer = load_gazetteer()
    skip = [item["text"] for item in meta["not_places"]]
    found = find_names(text, gazetteer, skip=skip)
    # One query per spelling (first spelling wins), geocoded together for context.
    queries: dict[str, str] = {}
    for _start, _end, spelling in found:
        queries.setdefault(name_key(spelling), spelling)
    try:
        results = geocode_names(list(queries.values()), countries_named(text))
    except GeocodingError as error:
        raise DataError(f"{path}: {error}") from error

    places: dict[str, Place] = {}  # name key -> Place
    by_location: dict[tuple, Place] = {}  # the same candidate through two spellings is one place
    for key, query in queries.items():
        result = results[query]
        if result is None:
            continue  # found by the gazetteer's names but not by the online geocoder
        raw = result.location.raw
        identity = (raw["source"], result.location.latitude, result.location.longitude)
        if identity not in by_location:
            by_location[identity] = store_place(query, result, say)
        places[key] = by_location[identity]

    mentions = []
    for start, end, spelling in found:
        place = places.get(name_key(spelling))
        if place is None:
            continue
        Mention.objects.update_or_create(
            article=article,
            start=start,
            defaults={"place": place, "end": end, "text": spelling},
        )
        mentions.append((start, end, place))
    stale = Mention.objects.filter(article=article).exclude(start__in=[m[0] for m in mentions])
    stale.delete()

    kept = []
    for start, end in sentences(text):
        named = {place.pk for s, e, place in mentions if start <= s and e <= end}
        if not named:
            continue
        excerpt, _ = Excerpt.objects.update_or_create(
            article=article, start=start, end=end, defaults={"text": text[start:end]}
        )
        excerpt.places.set(named)
        kept.append(excerpt.pk)
    # Excerpts an incident cites stay, even if no sentence matches them any more.
    Excerpt.objects.filter(article=article, incidents__isnull=True).exclude(pk__in=kept).delete()
    places_named = len(set(by_location.values()))
    say(f"  {len(mentions)} mentions of {places_named} places, {len(kept)} excerpts")
    return article


def store_place(query: str, result: Result, say: Say = silent) -> Place:
    """The place a geocoding result stands for, created or updated, with its country."""
    raw = result.location.raw
    # Curated rows are written as the article spells the place; otherwise keep the
    # article's spelling (GeoNames' "Ak-Say" is the article's "Ak-Sai").
    name = raw["name"] if raw.get("curated") else query
    # A place already stored from the same source (another article, another spelling) keeps
    # its name and slug; the new spelling joins its alternate names.
    stored = Place.objects.filter(source=raw["source"]).first()
    if stored is not None:
        name, slug = stored.name, stored.slug
    else:
        slug = place_slug(name, raw)
    point = Point(result.location.longitude, result.location.latitude, srid=4326)
    alternates = [n for n in [raw["name"], *raw["alternate_names"], query] if n != name]
    place, _created = Place.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "alternate_names": list(dict.fromkeys(alternates)),
            "kind": raw["kind"],
            "point": point,
            "country": country_at(point),
            "geocoder": result.geocoder,
            "precision_m": raw["precision_m"],
            "estimated": raw["estimated"],
            "source": raw["source"],
            "needs_review": result.needs_review,
            "review_note": result.review_note,
        },
    )
    flag = "  NEEDS REVIEW: " + result.review_note if result.needs_review else ""
    say(
        f"  place {place.name}: {point.y:.5f} N {point.x:.5f} E, {place.country or '--'}, "
        f"±{place.precision_m} m, {place.geocoder}, {place.source[:60]}{flag}"
    )
    return place
