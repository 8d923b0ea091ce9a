"""Incidents from the reviewed incidents file: every incident is checked first (place, article,
dates, type, each quote found exactly once in the article), and one bad incident rejects the
file. The file is the source of truth: incidents no longer in it are deleted. The load_incidents
command runs it in a transaction."""

from pathlib import Path
from typing import Any

from django.utils.text import slugify

from border_map.articles import sentences
from border_map.datafiles import (
    DataError,
    Problem,
    Say,
    check_date,
    check_record,
    numbered_records,
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
}
OPTIONAL: dict[str, Any] = {
    "date_end": None,
    "location_note": "",
    "casualties": "",
    "actor": None,
    "figures": [],
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


def replace_all(path: str | Path, items: Any, say: Say = silent) -> tuple[int, list[str]]:
    """Validate the file's incidents, store them, and delete the incidents the file no longer
    holds with the quotes only they cited: (incidents loaded, slugs deleted). Call it in a
    transaction: a DataError leaves nothing stored."""
    incidents = validate(path, items)
    for item in incidents:
        incident, created = store(item)
        say(
            f"{'created' if created else 'updated'} {incident.slug}: {incident.date} "
            f"{incident.type} at {incident.place.name}, claimed by {incident.claimed_by}"
        )
    # The file is the reviewed list: an incident taken out of it leaves the map too.
    removed = Incident.objects.exclude(slug__in=[item["slug"] for item in incidents])
    removed_slugs = sorted(removed.values_list("slug", flat=True))
    removed.delete()
    delete_uncited_quotes()
    return len(incidents), removed_slugs


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
    stored = [
        (f.kind, f.people, f.low, f.best, f.high, f.phrase) for f in incident.figures.order_by("pk")
    ]
    wanted = [tuple(f[k] for k in FIGURE_FIELDS) for f in item["figures"]]
    if stored != wanted:  # rewritten only when changed, so a reload changes nothing
        incident.figures.all().delete()
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
