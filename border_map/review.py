"""Reviewing an article's places: what the review page shows of each name (its state and
candidates), and the editors' decisions on a name — accept, choose another candidate, reject
("not a place"), or place it by hand — stored as MentionDecision rows and applied at once, and
again after every re-ingest (articles.apply_decisions)."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.text import slugify

from border_map import context, geoparsing
from border_map.articles import (
    apply_decisions,
    country_at,
    entry_from_json,
    store_excerpts,
    store_place,
)
from border_map.datafiles import DataError
from border_map.models import Article, Mention, MentionDecision, Place

RESOLVED = "resolved"
NEEDS_REVIEW = "needs-review"
UNRESOLVED = "unresolved"
REJECTED = "rejected"
# The widest uncertainty an editor may give a hand-placed point (a region's size).
MAX_PRECISION_M = 200_000


class ReviewError(ValueError):
    """A decision that cannot be taken (the name is not at that place in the text, a candidate
    that does not exist, a point off the map); the message says which."""


@dataclass
class Name:
    """One name in the article as the review page shows it."""

    start: int
    end: int
    text: str
    state: str  # RESOLVED, NEEDS_REVIEW, UNRESOLVED, REJECTED
    place: Place | None = None
    decision: MentionDecision | None = None
    why: str = ""
    candidates: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """For the page's script (json_script): the map's markers and the panel."""
        place = self.place
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "state": self.state,
            "why": self.why,
            "decision": self.decision.action if self.decision else "",
            "place": None
            if place is None
            else {
                "name": place.name,
                "slug": place.slug,
                "lat": place.point.y,
                "lon": place.point.x,
                "precision_m": place.precision_m,
                "source": place.source,
            },
            "candidates": [
                {
                    "index": number,
                    "name": c["name"],
                    "lat": c["lat"],
                    "lon": c["lon"],
                    "kind": c["kind"],
                    "precision_m": c["precision_m"],
                    "source": c["source"],
                    "score": c.get("score", 0),
                }
                for number, c in enumerate(self.candidates)
            ],
        }


def names(article: Article) -> list[Name]:
    """Every name of the article in text order: its mentions (resolved, or needing review when
    their place is flagged and no one decided), the names the geoparser left unresolved, and
    those an editor rejected."""
    found = article.geoparse_result or {}
    candidates = found.get("candidates", {})
    decisions = {
        d.start: d for d in MentionDecision.objects.filter(article=article).select_related("place")
    }
    shown: dict[int, Name] = {}
    for mention in Mention.objects.filter(article=article).select_related("place"):
        decision = decisions.get(mention.start)
        flagged = mention.place.needs_review and decision is None
        shown[mention.start] = Name(
            mention.start,
            mention.end,
            mention.text,
            NEEDS_REVIEW if flagged else RESOLVED,
            place=mention.place,
            decision=decision,
            why=mention.place.review_note if flagged else "",
            candidates=candidates.get(str(mention.start), []),
        )
    for item in found.get("unresolved", []):
        if item["start"] not in shown and article.text[item["start"] : item["end"]] == item["text"]:
            shown[item["start"]] = Name(
                item["start"], item["end"], item["text"], UNRESOLVED, why=item["why"]
            )
    for start, decision in decisions.items():
        if decision.action == MentionDecision.Action.REJECT:
            shown[start] = Name(
                start,
                decision.end,
                decision.text,
                REJECTED,
                decision=decision,
                why="not a place",
                candidates=candidates.get(str(start), []),
            )
    return sorted(shown.values(), key=lambda n: n.start)


def _span(article: Article, start: int, end: int) -> str:
    if not (0 <= start < end <= len(article.text)) or end - start > 200:
        raise ReviewError(f"No name at [{start}:{end}] in this article's text.")
    text = article.text[start:end]
    if not text.strip() or text != text.strip():
        raise ReviewError(f"[{start}:{end}] is not a name in this article's text.")
    return text


def candidate_place(article: Article, start: int, end: int, index: int) -> Place:
    """The Place for one of a mention's candidates, stored in the gazetteer table as ingest
    would store it (its source says which gazetteer row it is)."""
    rows = (article.geoparse_result or {}).get("candidates", {}).get(str(start), [])
    if not 0 <= index < len(rows):
        raise ReviewError(f"The name at [{start}:{end}] has no candidate number {index + 1}.")
    entry = entry_from_json(rows[index])
    text = article.text[start:end]
    found = geoparsing.Place(
        entry=entry,
        country=entry.country,
        mentions=[geoparsing.Mention(start, end, text)],
        score=rows[index].get("score", 0.0),
        runners_up=[],
        why=["chosen by an editor"],
    )
    try:
        return store_place(found)
    except DataError as error:
        raise ReviewError(str(error)) from error


def new_place(name: str, lat: float, lon: float, precision_m: int, source: str, kind: str) -> Place:
    """A place an editor put on the map, in the gazetteer table with where its point came from;
    the name gets a number when another place has it already."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ReviewError(f"{lat}, {lon} is not a point on the map.")
    if not 1 <= precision_m <= MAX_PRECISION_M:
        raise ReviewError(f"The precision must be between 1 and {MAX_PRECISION_M:,} metres.")
    if not source.strip():
        raise ReviewError("Say where the point comes from (a map, a source, a document).")
    if kind not in Place.Kind.values:
        raise ReviewError(f"{kind!r} is not a kind of place.")
    base_slug = slugify(name) or "place"
    slug, label, number = base_slug, name, 2
    while Place.objects.filter(slug=slug).exists() or Place.objects.filter(name=label).exists():
        slug, label, number = f"{base_slug}-{number}", f"{name} ({number})", number + 1
    point = Point(lon, lat, srid=4326)
    return Place.objects.create(
        slug=slug[:120],
        name=label,
        kind=kind,
        point=point,
        country=country_at(point),
        geocoder="editor",
        precision_m=precision_m,
        estimated=True,
        source=f"placed by an editor: {source.strip()}",
        review_note="placed by an editor on the review page",
    )


def decide(
    article: Article,
    start: int,
    end: int,
    action: str,
    user: AbstractBaseUser | None,
    place: Place | None = None,
) -> MentionDecision:
    """Store an editor's decision on the name at [start:end] and apply it to the article's
    mentions and excerpts at once."""
    text = _span(article, start, end)
    if action not in MentionDecision.Action.values:
        raise ReviewError(f"{action!r} is not a decision.")
    if action != MentionDecision.Action.REJECT and place is None:
        raise ReviewError("This decision needs a place.")
    with transaction.atomic():
        decision, _ = MentionDecision.objects.update_or_create(
            article=article,
            start=start,
            text=text,
            defaults={"end": end, "action": action, "place": place, "decided_by": user},
        )
        rebuild(article)
    return decision


def rebuild(article: Article) -> None:
    """The article's mentions and excerpts again from the stored mentions and the decisions,
    without geoparsing anew; places left without mention or incident go."""
    mentions = [
        (m.start, m.end, m.place)
        for m in Mention.objects.filter(article=article).select_related("place")
    ]
    mentions = apply_decisions(article, mentions)
    store_excerpts(article, mentions)
    Place.objects.filter(mentions__isnull=True, incidents__isnull=True).delete()
    context.refresh(Place.objects.filter(pk__in={m[2].pk for m in mentions}))
