"""Incidents from the reviewed incidents file: every incident is checked first (place, article,
dates, type, each quote found exactly once in the article), and one bad incident rejects the
file. Once editors work in the database it is the source of truth: the load adds what the file
has and the database lacks, applies the file's changes to incidents nobody edited since the
file was last loaded, deletes those the file dropped if nobody edited them, and keeps every
edited incident as the editor left it, reporting a conflict where the file changed it too
(what the file last said of each incident is kept, datafiles.remember). The
load_incidents command runs it in a transaction."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import slugify

from border_map.articles import sentences
from border_map.datafiles import (
    DataError,
    Problem,
    Say,
    changed,
    check_date,
    check_record,
    edited,
    numbered_records,
    recorded,
    remember,
    silent,
)
from border_map.models import (
    COUNTRIES,
    Actor,
    Article,
    CasualtyFigure,
    Excerpt,
    Incident,
    Mention,
    Place,
)

FIELDS: dict[str, type | tuple[type, ...]] = {
    "slug": str,
    "date": str,
    "date_end": (str, type(None)),
    "date_precision": str,
    "title": str,
    "type": str,
    "place": str,
    "location_note": str,
    "claimed_by": str,
    "actor": (str, type(None)),
    "casualties": str,
    "figures": list,
    "article": str,
    "excerpts": list,
    "event_id": str,
    "event_fields": dict,
}
OPTIONAL: dict[str, Any] = {
    "date_end": None,
    "location_note": "",
    "casualties": "",
    "actor": None,
    "figures": [],
    "event_id": "",
    "event_fields": {},
}
FIGURE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "kind": str,
    "people": str,
    "low": (int, type(None)),
    "best": (int, type(None)),
    "high": (int, type(None)),
    "phrase": str,
}
FIGURE_OPTIONAL = {"people": "", "low": None, "best": None, "high": None}
# The fields of an incident row that come straight from the file.
STORED = (
    "date",
    "date_end",
    "date_precision",
    "title",
    "type",
    "place",
    "location_note",
    "claimed_by",
    "actor",
    "casualties",
    "event_id",
    "event_fields",
)


def _span(text: str, quote: Any, start: Any, problem: Problem) -> tuple[int, int]:
    """(start, end) of the quote in the article text: found once, or at the given start."""
    if not isinstance(quote, str) or not quote:
        raise problem("an excerpt quote must be a non-empty string")
    if start is not None:
        # bool is an int in Python, and a negative start would slice from the end.
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise problem(f"start {start!r} of quote {quote[:60]!r} is not an offset (0 or more)")
        if text[start : start + len(quote)] != quote:
            raise problem(f"quote {quote[:60]!r} is not at start {start!r} in the article")
        return start, start + len(quote)
    starts = []
    at = text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    if not starts:
        raise problem(f"quote not found in the article: {quote[:80]!r}")
    if len(starts) > 1:
        raise problem(
            f"quote {quote[:60]!r} occurs {len(starts)} times in the article (at {starts}); "
            "give its start"
        )
    return starts[0], starts[0] + len(quote)


def validate(path: str | Path, items: Any) -> list[dict[str, Any]]:
    """Check every incident; returns them ready to store, or raises a DataError naming the
    incident and the problem."""
    if not isinstance(items, list):
        raise DataError(f"{path}: expected a JSON list of incidents")
    if not items:
        # The file is the source of truth, so an empty one would delete every incident.
        raise DataError(f"{path}: no incidents in the file; refusing to delete them all")
    checked, slugs = [], set()
    articles: dict[str, Article | None] = {}
    places: dict[str, Place | None] = {}
    for item, problem in numbered_records(path, items, "incident"):
        item = check_record(
            item, FIELDS, OPTIONAL, ("slug", "title", "claimed_by", "place", "article"), problem
        )
        if slugify(item["slug"]) != item["slug"]:
            raise problem(f"slug {item['slug']!r} is not a slug")
        if item["slug"] in slugs:
            raise problem("slug used twice in the file")
        slugs.add(item["slug"])
        if item["type"] not in Incident.Type.values:
            raise problem(f"type {item['type']!r} is not one of {Incident.Type.values}")
        if item["date_precision"] not in Incident.DatePrecision.values:
            raise problem(
                f"date_precision {item['date_precision']!r} is not one of "
                f"{Incident.DatePrecision.values}"
            )
        date = check_date(item["date"], problem)
        date_end = None if item["date_end"] is None else check_date(item["date_end"], problem)
        if item["date_precision"] == "range":
            if date_end is None or date_end <= date:
                raise problem("a range needs a date_end after its date")
        elif date_end is not None:
            raise problem(f"date_end is only for a range, not {item['date_precision']!r}")

        if item["place"] not in places:
            places[item["place"]] = Place.objects.filter(name=item["place"]).first()
        if places[item["place"]] is None:
            # A place no article names (an imported event's) comes from the curated gazetteer
            # beside the file, as dump_reviewed writes it.
            from border_map.reviewed import place_from_gazetteer

            places[item["place"]] = place_from_gazetteer(
                item["place"], Path(path).parent / "gazetteer.csv"
            )
        if places[item["place"]] is None:
            raise problem(f"unknown place {item['place']!r} (ingest its article first)")
        if item["article"] not in articles:
            articles[item["article"]] = Article.objects.filter(slug=item["article"]).first()
        article = articles[item["article"]]
        if article is None:
            raise problem(f"unknown article {item['article']!r}")
        if not item["excerpts"]:
            raise problem("at least one excerpt is needed")
        spans = []
        for excerpt in item["excerpts"]:
            if isinstance(excerpt, dict):
                if set(excerpt) - {"quote", "start"}:
                    raise problem("an excerpt object has only 'quote' and 'start'")
                spans.append(
                    _span(article.text, excerpt.get("quote"), excerpt.get("start"), problem)
                )
            else:
                spans.append(_span(article.text, excerpt, None, problem))
        actor = None
        if item["actor"] is not None:
            actor = Actor.objects.filter(slug=item["actor"]).first()
            if actor is None:
                raise problem(f"unknown actor {item['actor']!r} (data/actors.json)")
        quoted = [article.text[start:end] for start, end in spans]
        checked.append(
            {
                **item,
                "date": date,
                "date_end": date_end,
                "place": places[item["place"]],
                "actor": actor,
                "article": article,
                "spans": spans,
                "figures": [_figure(figure, quoted, problem) for figure in item["figures"]],
            }
        )
    return checked


def _figure(figure: Any, quoted: list[str], problem: Problem) -> dict[str, Any]:
    """A casualty figure checked: a known kind, whole numbers with low <= best <= high, and its
    phrase verbatim inside one of the incident's excerpts."""
    if not isinstance(figure, dict):
        raise problem("a figure must be a JSON object")
    figure = check_record(figure, FIGURE_FIELDS, FIGURE_OPTIONAL, ("kind", "phrase"), problem)
    if figure["kind"] not in CasualtyFigure.Kind.values:
        raise problem(f"figure kind {figure['kind']!r} is not one of {CasualtyFigure.Kind.values}")
    if figure["people"] and figure["people"] not in COUNTRIES:
        raise problem(f"figure people {figure['people']!r} is not one of {sorted(COUNTRIES)}")
    numbers = [figure[k] for k in ("low", "best", "high") if figure[k] is not None]
    if not numbers:
        raise problem(f"figure {figure['phrase'][:60]!r} has no number (low, best or high)")
    if any(isinstance(n, bool) or n < 0 for n in numbers) or numbers != sorted(numbers):
        raise problem(
            f"figure {figure['phrase'][:60]!r}: low, best, high must be whole numbers, "
            "0 or more, in that order"
        )
    if not any(figure["phrase"] in text for text in quoted):
        raise problem(f"figure phrase {figure['phrase'][:60]!r} is not in the incident's excerpts")
    return figure


def figure_rows(figures: Any) -> list[list[Any]]:
    """Figures (dicts of the file, or CasualtyFigure rows) as lists of FIGURE_FIELDS' values,
    to compare what the file says with what is stored."""
    return [
        [f[k] if isinstance(f, dict) else getattr(f, k) for k in FIGURE_FIELDS] for f in figures
    ]


@dataclass
class Merge:
    """What a load of the incidents file did, by slug."""

    loaded: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited in the database, the file unchanged
    conflicts: list[str] = field(default_factory=list)  # edited in both: the database's kept


def plain_value(value: Any) -> Any:
    """A field's value as the file writes it: a date as ISO text, a place by its name, an
    actor by its slug."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Place):
        return value.name
    if isinstance(value, Actor):
        return value.slug
    return value


def item_state(item: dict[str, Any]) -> dict[str, Any]:
    """A validated incident of the file, in the form incident_state gives a stored one."""
    return {
        **{name: plain_value(item[name]) for name in STORED},
        "excerpts": sorted([item["article"].slug, start, end] for start, end in item["spans"]),
        "figures": figure_rows(item["figures"]),
        "status": Incident.Status.PUBLISHED,  # the file holds published claims
    }


def incident_state(incident: Incident) -> dict[str, Any]:
    """A stored incident as the file would say it."""
    excerpts = incident.excerpts.select_related("article")
    return {
        **{name: plain_value(getattr(incident, name)) for name in STORED},
        "excerpts": sorted([e.article.slug, e.start, e.end] for e in excerpts),
        "figures": figure_rows(incident.figures.order_by("pk")),
        "status": incident.status,
    }


def replace_all(path: str | Path, items: Any, say: Say = silent) -> Merge:
    """Validate the file's incidents and merge them into the database (see the module's
    docstring). Call it in a transaction: a DataError leaves nothing stored."""
    incidents = validate(path, items)
    merge = Merge(loaded=len(incidents))
    last = recorded("incident")
    # Only the incidents the file or its last load name: never the whole table (synthetic
    # incidents, claims drafted in the database).
    named = {item["slug"] for item in incidents} | set(last)
    stored = {
        i.slug: i for i in Incident.objects.filter(slug__in=named).select_related("place", "actor")
    }
    for item in incidents:
        slug, wanted = item["slug"], item_state(item)
        said = last.get(slug)
        incident = stored.get(slug)
        if incident is None and said is not None:
            # Loaded before and deleted in the database since: an editor's decision.
            merge.conflicts.append(slug)
            say(f"CONFLICT {slug}: deleted in the database since {path} was loaded; not re-added")
            continue
        now = None if incident is None else incident_state(incident)
        if now is not None and now != wanted and said is not None and edited(now, said):
            if not changed(wanted, said):
                merge.kept.append(slug)
                say(f"kept {slug}: edited in the database; {path} has not changed it")
            else:
                merge.conflicts.append(slug)
                say(
                    f"CONFLICT {slug}: edited in the database and changed in {path}; "
                    "the database's version is kept"
                )
            continue
        if now != wanted:
            incident, created = store(item)
            (merge.created if created else merge.updated).append(slug)
            say(
                f"{'created' if created else 'updated'} {incident.slug}: {incident.date} "
                f"{incident.type} at {incident.place.name}, claimed by {incident.claimed_by}"
            )
        else:
            say(f"unchanged {slug}")
        remember("incident", slug, wanted)
    # An incident the file dropped leaves the map too, unless an editor changed it since or
    # it never came from the file (a claim drafted or imported in the database).
    in_file = {item["slug"] for item in incidents}
    for slug, incident in sorted(stored.items()):
        if slug in in_file or slug not in last:
            continue
        if not edited(incident_state(incident), last[slug]):
            incident.delete()
            merge.deleted.append(slug)
        else:
            merge.conflicts.append(slug)
            say(f"CONFLICT {slug}: edited in the database and gone from {path}; kept")
    delete_uncited_quotes()
    return merge


def store(item: dict[str, Any]) -> tuple[Incident, bool]:
    """Store one validated incident and its excerpts: (incident, created)."""
    article = item["article"]
    excerpts = []
    for start, end in item["spans"]:
        excerpt, _ = Excerpt.objects.get_or_create(
            article=article, start=start, end=end, defaults={"text": article.text[start:end]}
        )
        # An excerpt names the places mentioned inside it, as ingest links them.
        named = Mention.objects.filter(article=article, start__gte=start, end__lte=end)
        excerpt.places.add(*{m.place_id for m in named})
        excerpts.append(excerpt)
    incident, created = Incident.objects.update_or_create(
        slug=item["slug"], defaults={field: item[field] for field in STORED}
    )
    incident.excerpts.set(excerpts)
    if figure_rows(incident.figures.order_by("pk")) != figure_rows(item["figures"]):
        incident.figures.all().delete()  # rewritten only when changed: a reload changes nothing
        CasualtyFigure.objects.bulk_create(
            CasualtyFigure(incident=incident, **figure) for figure in item["figures"]
        )
    return incident, created


def delete_uncited_quotes() -> None:
    """Excerpts only a deleted incident cited and that ingest would not keep (a sentence naming
    a place): quotes like "Khovar ... said on April 30" go with it."""
    for article in Article.objects.filter(excerpts__incidents__isnull=True).distinct():
        sentence_spans = set(sentences(article.text))
        for excerpt in article.excerpts.filter(incidents__isnull=True):
            named = excerpt.places.exists()
            if not (named and (excerpt.start, excerpt.end) in sentence_spans):
                excerpt.delete()
