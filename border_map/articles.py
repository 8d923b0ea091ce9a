"""Articles: reading an article file, its sentences, and storing it with the places the
geoparser finds in it (border_map.geoparsing, in its context), each mention of them, and the
sentences that mention them as excerpts. The ingest_article command runs it in a transaction."""

import dataclasses
import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import Point
from django.utils.text import slugify

from border_map import context, geoparsing
from border_map.datafiles import DataError, Say, check_record, read_json, silent
from border_map.geocoding import (
    Entry,
    GazetteerGeocoder,
    GeocodingError,
    configured_geocoder,
    name_key,
)
from border_map.models import (
    Article,
    Boundary,
    Country,
    Excerpt,
    Incident,
    Mention,
    MentionDecision,
    Place,
)

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
    context.refresh()


def ingest(path: str | Path, meta: dict[str, Any], text: str, say: Say = silent) -> Article:
    """Store one article, its places, mentions and excerpts; a DataError names the file when the
    text moves under an excerpt an incident cites, the text cannot be geoparsed (its language)
    or the geocoder fails. An article whose slug was made from its file name or URL (not
    stated in a metadata file) and whose text is already stored is that article: it is updated."""
    same = None
    if meta.get("slug_derived"):
        same = Article.objects.filter(text=text).exclude(slug=meta["slug"]).first()
    if same is not None:
        say(f"{path}: the same text as article {same.slug}, which it updates")
        meta = {**meta, "slug": same.slug}
    try:
        result = geoparse_article(meta, text)
    except (GeocodingError, geoparsing.GeoparseError) as error:
        raise DataError(f"{path}: {error}") from error
    found = result_json(result)
    # The proposed claims an editor discarded stay discarded (border_map.editor).
    stored = Article.objects.filter(slug=meta["slug"]).values_list("geoparse_result", flat=True)
    if stored and stored[0].get("dismissed"):
        found["dismissed"] = stored[0]["dismissed"]
    article, created = Article.objects.update_or_create(
        slug=meta["slug"],
        defaults={
            "title": meta["title"],
            "outlet": meta["outlet"],
            "url": meta["url"],
            "published": meta["published"],
            "language": result.language,
            "text": text,
            "geoparse_result": found,
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

    mentions = []
    for found in result.places:
        place = store_place(found, say)
        for mention in found.mentions:
            Mention.objects.update_or_create(
                article=article,
                start=mention.start,
                defaults={"place": place, "end": mention.end, "text": mention.text},
            )
            mentions.append((mention.start, mention.end, place))
    stale = Mention.objects.filter(article=article).exclude(start__in=[m[0] for m in mentions])
    stale.delete()
    mentions = apply_decisions(article, mentions, say)

    kept = store_excerpts(article, mentions)
    say(f"  {len(mentions)} mentions of {len(result.places)} places, {len(kept)} excerpts")
    if result.unresolved:
        names = ", ".join(dict.fromkeys(u.text for u in result.unresolved))
        say(f"  unresolved (not placed, for review): {names}")
    say(geoparsing.table(result))
    return article


def store_excerpts(article: Article, mentions: Iterable[tuple[int, int, Place]]) -> list[int]:
    """Every sentence of the article that mentions a place, as an excerpt linked to those
    places; other excerpts go, except those an incident cites. Returns the sentences' ids."""
    text = article.text
    mentions = list(mentions)
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
    return kept


def _entry_json(entry: Entry, score: float) -> dict[str, Any]:
    # As JSON gives it back (lists, not tuples), so that re-ingesting stores an equal value.
    row = {**dataclasses.asdict(entry), "score": round(score, 2)}
    row["alternate_names"] = list(entry.alternate_names)
    return row


def entry_from_json(data: dict[str, Any]) -> Entry:
    """The gazetteer row a candidate of result_json stands for."""
    fields = {f.name for f in dataclasses.fields(Entry)}
    values = {k: v for k, v in data.items() if k in fields}
    values["alternate_names"] = tuple(values.get("alternate_names", ()))
    return Entry(**values)


def result_json(result: geoparsing.Geoparse) -> dict[str, Any]:
    """What the editors' review page needs of a geoparse and the tables do not keep: each
    mention's candidates (the chosen row first, then the runners-up) by its start, and the names
    left unresolved."""
    candidates = {}
    for found in result.places:
        rows = [_entry_json(found.entry, found.score)]
        rows += [_entry_json(c.entry, c.score) for c in found.runners_up]
        for mention in found.mentions:
            candidates[str(mention.start)] = rows
    return {
        "candidates": candidates,
        "unresolved": [
            {"start": u.start, "end": u.end, "text": u.text, "why": u.why}
            for u in result.unresolved
        ],
    }


def _relocate(text: str, start: int, name: str) -> int | None:
    """Where a decided name is now: at its old offset, else its occurrence nearest to it (the
    text changed around it), else nowhere."""
    if text[start : start + len(name)] == name:
        return start
    found = [m.start() for m in re.finditer(re.escape(name), text)]
    return min(found, key=lambda at: abs(at - start)) if found else None


def apply_decisions(
    article: Article, mentions: list[tuple[int, int, Place]], say: Say = silent
) -> list[tuple[int, int, Place]]:
    """The mentions with the editors' decisions on this article applied over the geoparser's
    answer (so they survive a re-ingest): a rejected name is no mention, an accepted, chosen or
    placed one points at the decided place, which then needs no review. Returns the mentions."""
    by_start = {start: (start, end, place) for start, end, place in mentions}
    reviewed = set()
    for decision in MentionDecision.objects.filter(article=article).select_related("place"):
        start = _relocate(article.text, decision.start, decision.text)
        if start is None:
            say(f"  decision on {decision.text!r} dropped: the name is no longer in the text")
            decision.delete()
            continue
        end = start + len(decision.text)
        if (start, end) != (decision.start, decision.end):
            decision.start, decision.end = start, end
            decision.save(update_fields=["start", "end"])
        if decision.action == MentionDecision.Action.REJECT:
            Mention.objects.filter(article=article, start=start).delete()
            by_start.pop(start, None)
        elif decision.place is not None:
            Mention.objects.update_or_create(
                article=article,
                start=start,
                defaults={"place": decision.place, "end": end, "text": decision.text},
            )
            by_start[start] = (start, end, decision.place)
            reviewed.add(decision.place.pk)
    # save() rather than update(): the history keeps who cleared the flag.
    for place in Place.objects.filter(pk__in=reviewed, needs_review=True):
        place.needs_review = False
        place.save(update_fields=["needs_review"])
    return sorted(by_start.values(), key=lambda m: m[0])


def geoparse_article(meta: dict[str, Any], text: str) -> geoparsing.Geoparse:
    """The geoparser's answer for an article: its not_places skipped, the configured online
    geocoder (Nominatim when switched on) asked beside the gazetteer."""
    online = configured_geocoder()
    return geoparsing.geoparse(
        text,
        meta["language"],
        str(meta["published"]),
        skip=[item["text"] for item in meta.get("not_places", [])],
        geocoder=None if isinstance(online, GazetteerGeocoder) else online,
    )


def map_name(found: geoparsing.Place) -> str:
    """The name a new place gets on the map: a curated row's own name; else the gazetteer's
    spelling that the article uses (Ворух, Ak-Sai; Bishkek for BISHKEK); else the geoparser's."""
    entry = found.entry
    if entry.curated:
        return entry.name
    for mention in found.mentions:
        if mention.text in entry.names:
            return mention.text
        key = name_key(mention.text)
        same = [n for n in entry.names if name_key(n) == key and not n.isupper()]
        if same:
            return same[0]
    return found.name


def _raw(entry: Entry) -> dict[str, Any]:
    """The fields place_slug reads, from a geoparsing entry (an OSM id from Nominatim's source)."""
    raw: dict[str, Any] = {
        "name": entry.name,
        "alternate_names": list(entry.alternate_names),
        "source": entry.source,
    }
    osm = re.match(r"Nominatim: OSM (\w+) (\d+)", entry.source)
    if osm:
        raw["nominatim"] = {"osm_type": osm.group(1), "osm_id": osm.group(2)}
    return raw


def _free(field: str, value: str, source: str) -> bool:
    return not Place.objects.filter(**{field: value}).exclude(source=source).exists()


def store_place(found: geoparsing.Place, say: Say = silent) -> Place:
    """The Place a geoparsed place stands for, created or updated, with its country. A place
    already stored from the same source (another article, another spelling) keeps its name and
    slug, and the new spellings join its alternate names."""
    entry = found.entry
    stored = Place.objects.filter(source=entry.source).first()
    if stored is not None:
        name, slug = stored.name, stored.slug
        alternates = list(stored.alternate_names)
    else:
        name = map_name(found)
        slug = place_slug(name, _raw(entry))
        alternates = []
        # A namesake from another source (two Ak-Suu) gets its own name and slug.
        number = 2
        while not (_free("slug", slug, entry.source) and _free("name", name, entry.source)):
            slug, name = (
                f"{place_slug(map_name(found), _raw(entry))}-{number}",
                (f"{map_name(found)} ({number})"),
            )
            number += 1
    spellings = [entry.name, *entry.alternate_names, *(m.text for m in found.mentions)]
    alternates = [n for n in dict.fromkeys([*alternates, *spellings]) if n != name]
    point = Point(entry.lon, entry.lat, srid=4326)
    note = "; ".join(found.why)
    if found.needs_review and found.runners_up:
        others = "; ".join(
            f"{c.entry.name} ({c.entry.source}, score {c.score:.1f})" for c in found.runners_up
        )
        note += f". Other candidates: {others}."
    place, _created = Place.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "name_ru": context.russian_name(entry.names),
            "alternate_names": alternates,
            "kind": entry.kind,
            "point": point,
            "country": country_at(point),
            "geocoder": "nominatim" if entry.source.startswith("Nominatim") else "gazetteer",
            "precision_m": entry.precision_m,
            "estimated": entry.estimated,
            "source": entry.source,
            "needs_review": found.needs_review,
            "review_note": note,
        },
    )
    flag = "  NEEDS REVIEW: " + note if found.needs_review else ""
    say(
        f"  place {place.name}: {point.y:.5f} N {point.x:.5f} E, {place.country or '--'}, "
        f"±{place.precision_m} m, {place.geocoder}, {place.source[:60]}{flag}"
    )
    return place
