"""Pages (the map, an article) and the small JSON endpoints the map's script reads.

The map draws incidents from ``incidents_in_view``: the database groups the incidents of the
visible box into grid cells sized for the zoom, so the browser gets at most a few hundred
clusters however many incidents there are; once few enough are in view it gets them one by one.
"""

import datetime as dt
from typing import Any

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Floor
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import conditional_page, require_safe

from . import drawing, events, exports, filters, i18n, maps, pyramid, tiles, timeline
from .articles import reading_spans
from .models import Article, Country, Event, Excerpt, Incident, Place, Side

# Up to this many incidents in view are sent one by one (clustered in the browser, where
# markers at the same place can be spread out); beyond it the database clusters them.
POINT_LIMIT = 1000
# The list beside the map shows at most this many incidents of the view, in date order.
LIST_LIMIT = 200
# ... and counts the incidents in view up to this many (beyond: "more than 1,000"): the count
# costs one index probe per incident, and the map's clusters say how many there are anyway.
# (The APIs count further, up to filters.COUNT_LIMIT.)
LIST_COUNT_LIMIT = 1_000
# Width in screen pixels of a grid cell when the database clusters.
CELL_PIXELS = 64


def _map_context(request: HttpRequest) -> dict[str, Any]:
    """What the map page and its embeddable copy are rendered with."""
    urls = {
        "map": reverse("map"),
        "incidents": reverse("map_incidents"),
        "incident": reverse("map_incident", args=["__slug__"]),
        "claimants": reverse("map_claimants"),
        "timeline": reverse("map_timeline"),
        "event": reverse("event", args=["__slug__"]),
        "places": reverse("layer_geojson", args=["places"]),
        "enclaves": reverse("layer_geojson", args=["enclaves"]),
        "boundaries": reverse("layer_geojson", args=["boundaries"]),
        "countries": reverse("map_countries"),
        "reference": reverse("map_reference"),
        "export": reverse("layer_geojson", args=["incidents"]),
        "embed": reverse("map_embed"),
        "clusters": reverse("map_clusters", args=["__z__", "__x__", "__y__"])
        .replace("__z__", "{z}")
        .replace("__x__", "{x}")
        .replace("__y__", "{y}"),
    }
    header, body, script = maps.map_parts(maps.incident_map(urls))
    # The Content-Security-Policy runs folium's inline scripts only with this request's nonce.
    header = maps.with_nonce(header, request.csp_nonce)  # type: ignore[attr-defined]
    # Kept on write with the cluster pyramid: no scan of the incidents per page load.
    summary = pyramid.current()
    days = {"first": summary.first_day}
    last = summary.last_day
    return {
        "map_header": header,
        "map_body": body,
        "map_script": script,
        "types": [(value, maps.type_name(value)) for value in Incident.Type.values],
        "sides": [{"slug": side.slug, "name": side_label(side)} for side in Side.objects.all()],
        "languages": settings.LANGUAGES,
        "lang": i18n.chosen_language(request),
        "first_day": days["first"],
        "last_day": last if days["first"] else None,
        # Says what is shown without counts, so the page stays the same size at any size.
        "og_description": (
            "Claims about incidents on the Kyrgyz–Tajik border"
            + (f", {days['first']:%d %B %Y} to {last:%d %B %Y}" if days["first"] and last else "")
            + ", each attributed to whoever made it, with the words of the news reports "
            "behind them."
        ),
        "export_url": urls["export"],
        "csv_url": reverse("layer_csv", args=["incidents"]),
    }


@require_safe
def map_page(request: HttpRequest) -> HttpResponse:
    """The map with its filters, incident list and export button."""
    return render(request, "border_map/map.html", _map_context(request))


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed_page(request: HttpRequest) -> HttpResponse:
    """The map alone, for another site's page (an <iframe>): no header, filters or list, the
    popups kept, a link back to the full map. The only page that may be framed."""
    return render(request, "border_map/embed.html", _map_context(request))


@require_safe
@gzip_page
@cache_control(no_cache=True)
def claimants_json(request: HttpRequest) -> HttpResponse:
    """Who claims incidents, with how many each, by name: the options of the claimant filter.

    Loaded by the page's script rather than written into the page, whose HTML would otherwise
    grow with every new claimant.
    """
    # Kept on write with the cluster pyramid (sorted there, ignoring case, so that SQLite and
    # PostgreSQL, whose collations differ, agree); its version is the ETag.
    summary = pyramid.current()
    etag = f'"claimants-v{summary.version}"'
    response = get_conditional_response(request, etag=etag) or JsonResponse(
        {"claimants": pyramid.summary_claimants(summary)}
    )
    response["ETag"] = etag
    return response


def _cell_degrees(zoom: int) -> float:
    """Grid cell size in degrees of longitude at a zoom level (Web Mercator tiles of 256 px)."""
    return 360.0 / (256 * 2**zoom) * CELL_PIXELS


def _clusters(queryset: QuerySet, zoom: int) -> list[list]:
    """Incidents grouped into grid cells by the database: [lon, lat, count, counts by type]."""
    size = _cell_degrees(zoom)
    rows = (
        queryset.order_by()
        .annotate(x=exports.X("place__point"), y=exports.Y("place__point"))
        .annotate(gx=Floor(F("x") / size), gy=Floor(F("y") / size))
        .values("gx", "gy", "type")
        .annotate(n=Count("pk"), lon=Avg("x"), lat=Avg("y"))
    )
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for row in rows:
        cell = cells.setdefault((row["gx"], row["gy"]), {"n": 0, "lon": 0.0, "lat": 0.0, "by": {}})
        cell["n"] += row["n"]
        cell["lon"] += row["lon"] * row["n"]
        cell["lat"] += row["lat"] * row["n"]
        cell["by"][row["type"]] = row["n"]
    return [
        [round(c["lon"] / c["n"], 6), round(c["lat"] / c["n"], 6), c["n"], c["by"]]
        for c in cells.values()
    ]


def _list_count(params: QueryDict, queryset: QuerySet, zoom: int) -> int | None:
    """How many incidents the list's view holds, or None past LIST_COUNT_LIMIT. A view whose
    filters the pyramid has, and whose cells (64 px at this zoom) wholly inside it already hold
    more, is not counted row by row (at 1,000,000 incidents a view of zoom 11 holds 140,000:
    40 ms to count to 1,001 through the spatial index, 2 ms from the pyramid)."""
    kept = tiles.pyramid_filters(params)
    bbox = filters.one_value(params, "bbox")
    if kept is not None and bbox is not None:
        pyramid.current()  # rebuilt first if stale
        boxes = [polygon.extent for polygon in filters.parse_bbox(bbox)]
        level = max(0, min(zoom - 1, pyramid.TOP_ZOOM))
        if pyramid.count_inside(boxes, level, *kept) > LIST_COUNT_LIMIT:
            return None
    return filters.count_up_to(queryset, LIST_COUNT_LIMIT)


@require_safe
@gzip_page
def incidents_in_view(request: HttpRequest) -> JsonResponse:
    """Incidents in ``bbox`` that match the filters, for ``zoom``: one by one or in clusters.

    Answers ``{"total", "clusters", "incidents", "totals"}``: when ``total`` is at most POINT_LIMIT,
    ``incidents`` holds them all and ``clusters`` is empty; otherwise ``clusters`` covers them all
    and ``incidents`` holds the first LIST_LIMIT in date order, for the list. ``totals`` adds up
    the casualty figures of all of them per side of the claimant (exports.side_totals). With
    ``clusters=0`` (the page, which draws the map from border_map.tiles) it is the list only,
    and ``total`` is null when more than ``counted_to`` match.
    """
    try:
        zoom = request.GET.get("zoom", "")
        # isascii: "²".isdigit() is true, but int("²") fails.
        if not (zoom.isascii() and zoom.isdigit()) or not 0 <= int(zoom) <= 24:
            raise filters.BadParameter("zoom", f"{zoom!r} is not a zoom level 0..24.")
        queryset = filters.filtered_queryset("incidents", request.GET)
        if filters.one_value(request.GET, "clusters") not in (None, "0", "1"):
            raise filters.BadParameter("clusters", "give 0 (the list only) or 1.")
    except filters.BadParameter as error:
        return error.response()
    # Figures added up per side, under the list: what the claims in view say, not facts.
    totals = exports.side_totals(queryset)
    if request.GET.get("clusters") == "0":
        # The page draws the map from the cluster tiles (border_map.tiles) and asks here only
        # for the list, whose count stops at LIST_COUNT_LIMIT: past it, total is null.
        total = _list_count(request.GET, queryset, int(zoom))
        incidents = exports.incident_summaries(queryset[:LIST_LIMIT], with_excerpts=LIST_LIMIT)
        return JsonResponse(
            {
                "total": total,
                "counted_to": LIST_COUNT_LIMIT,
                "clusters": [],
                "incidents": incidents,
                "totals": totals,
            }
        )
    total = queryset.count()
    if total <= POINT_LIMIT:
        clusters, incidents = [], exports.incident_summaries(queryset, with_excerpts=LIST_LIMIT)
    else:
        clusters = _clusters(queryset, int(zoom))
        incidents = exports.incident_summaries(queryset[:LIST_LIMIT], with_excerpts=LIST_LIMIT)
    return JsonResponse(
        {"total": total, "clusters": clusters, "incidents": incidents, "totals": totals}
    )


@require_safe
@gzip_page
@conditional_page
@cache_control(no_cache=True)
def timeline_json(request: HttpRequest) -> JsonResponse:
    """Incidents per day (per week or month over a long span) and type, for the time bar:
    ``{"unit", "first", "last", "total", "bins": [[first day, last day, {type: n}], ...]}``.

    Takes the filters of ``incidents_in_view`` (bbox, datetime, claimed_by, type, ...); the page
    leaves out the dates, so that the bar shows the whole span with the chosen range on it.
    With no filter but types and dates, the counts come from the cluster pyramid's top level
    (kept on write, as the tiles'); otherwise one GROUP BY query. The ETag of the body lets the
    browser revalidate (a 304 when unchanged).
    """
    try:
        queryset = filters.filtered_queryset("incidents", request.GET)
    except filters.BadParameter as error:
        return error.response()
    kept = tiles.pyramid_filters(request.GET, spatial=True)
    if kept is None:
        return JsonResponse(timeline.bins(timeline.day_counts(queryset)))
    # Only types and dates: the counts kept on write (the pyramid's top level), as the tiles.
    pyramid.current()
    return JsonResponse(timeline.bins(pyramid.day_counts(*kept)))


@require_safe
def incident_detail(request: HttpRequest, slug: str) -> JsonResponse:
    """One incident and its excerpts, for the popup, each linked to its place in the article."""
    incident = get_object_or_404(
        Incident.objects.published().select_related("place", "actor__side"), slug=slug
    )
    return JsonResponse(exports.incident_detail(incident))


@require_safe
@gzip_page
@conditional_page
@cache_control(no_cache=True)
def countries_geojson(request: HttpRequest) -> HttpResponse:
    """Country outlines, simplified, as an RFC 7946 FeatureCollection (backdrop without tiles).

    Not a layer of the exports module: a simplified outline is the map's own view, not data to
    download; the full polygons are cut into the enclaves and lines that are. The outlines are
    simplified when the boundaries load (Country.outline); the ETag of the body lets a browser
    revalidate its copy (no-cache) and get a 304 while they have not changed.
    """
    rows = Country.objects.annotate(simple=AsGeoJSON("outline", precision=4)).values_list(
        "code", "name", "simple"
    )
    features = ((code, {"name": name, "code": code}, geometry) for code, name, geometry in rows)
    body = "".join(exports.iter_collection(features))
    return HttpResponse(body, content_type="application/geo+json")


def public_articles() -> QuerySet[Article]:
    """The articles behind at least one published claim: an article an editor added, or an
    imported event's notes, stays on the editors' pages until a claim quoting it is published."""
    quoted = Excerpt.objects.filter(incidents__status=Incident.Status.PUBLISHED)
    return Article.objects.filter(pk__in=quoted.values("article_id"))


@require_safe
def article_page(request: HttpRequest, slug: str) -> HttpResponse:
    """An article as a reader wants it: without the source page's furniture, each passage the
    map quotes marked in the colour of its claimant's side with the claim beside it, place
    names linked to the map, the claims it supports and the other articles on the same events."""
    article = get_object_or_404(public_articles(), slug=slug)
    claims = list(
        Incident.objects.published()
        .filter(excerpts__article=article)
        .select_related(*CLAIM_RELATED)
        .distinct()
        .order_by("date", "slug")
    )
    for claim in claims:
        claim.type_name = maps.type_name(claim.type)  # type: ignore[attr-defined]
    return render(
        request,
        "border_map/article.html",
        {
            "article": article,
            "pieces": article_pieces(article),
            "source_url": _safe_url(article.url),
            "claims": claims,
            "sides": sides_in(claims),
            "related": related_articles(article, claims),
            "og_description": (
                f"{article.outlet}, {article.published:%d %B %Y}: the article behind "
                f"{len(claims)} claim{'s' if len(claims) != 1 else ''} on the border map, "
                "each passage marked with who made the claim."
            ),
            "lang": i18n.chosen_language(request),
        },
    )


@require_safe
def event_page(request: HttpRequest, slug: str) -> HttpResponse:
    """An event's claims side by side, one column per side (Kyrgyz official, Tajik official,
    third party, media), each with its claimant, figures and verbatim excerpts, under a table of
    what they disagree on."""
    event = get_object_or_404(Event.objects.select_related("place"), slug=slug)
    claims = list(
        Incident.objects.published()
        .filter(happening=event)
        .select_related(*CLAIM_RELATED)
        .prefetch_related(
            Prefetch("excerpts", Excerpt.objects.select_related("article").order_by("start"))
        )
        .order_by("date", "slug")
    )
    for claim in claims:
        claim.type_name = maps.type_name(claim.type)  # type: ignore[attr-defined]
    columns = events.by_side(claims)
    shown = {c.slug for c in claims}
    # Each disagreement as a row of answers in the columns' claim order ("" where a claim is
    # silent on that point); answers for claims not published are left out.
    order = [c for column in columns for c in column["claims"]]
    disagreements = [
        {
            "point": point["point"],
            "answers": [(c, point["answers"].get(c.slug, "")) for c in order],
        }
        for point in event.disagreements
        if set(point["answers"]) & shown
    ]
    sides = {column["slug"] for column in columns}
    return render(
        request,
        "border_map/event.html",
        {
            "event": event,
            "columns": columns,
            "claims": order,
            "disagreements": disagreements,
            "contested": all(side in sides for side in events.CONTESTED_SIDES),
            "lang": i18n.chosen_language(request),
            "og_description": (
                f"{event.title}: {len(claims)} claim{'s' if len(claims) != 1 else ''} side by "
                "side, each with who made it and the article's own words."
            ),
        },
    )


@require_safe
def article_list(request: HttpRequest) -> HttpResponse:
    """Every article the map draws on, newest first, with how many claims each supports."""
    articles = (
        public_articles()
        .annotate(
            claims=Count(
                "excerpts__incidents",
                filter=Q(excerpts__incidents__status=Incident.Status.PUBLISHED),
                distinct=True,
            )
        )
        .order_by("-published", "title")
    )
    for article in articles:
        article.source_url = _safe_url(article.url)  # type: ignore[attr-defined]
    return render(
        request,
        "border_map/articles.html",
        {"articles": articles, "lang": i18n.chosen_language(request)},
    )


# What a claim's note needs: its place, and its actor's side.
CLAIM_RELATED = ("place", "actor__side")


def side_label(side: Side) -> str:
    """A side's name in the page's language."""
    return side.label_ru if translation.get_language() == "ru" and side.label_ru else side.label


def claim_side(incident: Incident) -> dict[str, str]:
    """The side a claim speaks for, as {"slug", "label"}: its actor's side where the reviewed
    data gives one, else empty (the mark is then drawn in a neutral colour)."""
    side = incident.actor.side if incident.actor else None
    return {"slug": side.slug, "label": side_label(side)} if side else {"slug": "", "label": ""}


def sides_in(claims: list[Incident]) -> list[dict[str, str]]:
    """The sides of these claims, once each, for the article view's key."""
    seen: dict[str, dict[str, str]] = {}
    for claim in claims:
        side = claim_side(claim)
        if side["slug"]:
            seen.setdefault(side["slug"], side)
    return list(seen.values())


def related_articles(article: Article, claims: list[Incident]) -> list[Article]:
    """Other articles with claims at the same places within two days of this one's: the same
    events as far as the data can tell (events are not yet recorded as such)."""
    match = Q()
    for claim in claims:
        last = claim.date_end or claim.date
        match |= Q(
            incidents__place_id=claim.place_id,
            incidents__date__lte=last + dt.timedelta(days=2),
            incidents__date__gte=claim.date - dt.timedelta(days=2),
            incidents__status=Incident.Status.PUBLISHED,
        )
    if not claims:
        return []
    return list(
        public_articles()
        .exclude(pk=article.pk)
        .filter(excerpts__in=Excerpt.objects.filter(match))
        .distinct()
        .order_by("-published", "title")
    )


def _safe_url(url: str) -> str:
    """The article's own URL when it is http(s); anything else (javascript:, data:) is dropped."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def article_pieces(article: Article) -> list[dict[str, Any]]:
    """The shown article text (articles.reading_spans) cut where an excerpt or a mention starts
    or ends.

    Each piece: text, ids of the excerpts covering it, the side of the claims quoting it, the
    excerpts starting there (for anchors) with the claims they support, the map link of the
    mention covering it, if any, and whether a furniture gap comes before it.
    """
    text = article.text
    excerpts = list(
        article.excerpts.order_by("start", "end").prefetch_related(
            Prefetch("incidents", Incident.objects.published().select_related(*CLAIM_RELATED))
        )
    )
    mentions = list(article.mentions.select_related("place").order_by("start"))
    claims_of = {e.pk: sorted(e.incidents.all(), key=lambda i: (i.date, i.slug)) for e in excerpts}
    # What a claim quotes is always shown, furniture or not; a sentence ingest kept for its
    # place name is shown only where the article is.
    quoted = [(e.start, e.end) for e in excerpts if claims_of[e.pk]]
    spans = reading_spans(text, article.title, quoted)
    shown = [e for e in excerpts if any(a <= e.start and e.end <= b for a, b in spans)]
    ends = {edge for span in spans for edge in span}
    ends.update(edge for e in shown for edge in (e.start, e.end))
    ends.update(edge for m in mentions for edge in (m.start, m.end))
    cuts = sorted(c for c in ends if 0 <= c <= len(text))
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        if not any(a <= start and end <= b for a, b in spans):
            continue
        covering = [e for e in shown if e.start <= start and end <= e.end]
        sides = {claim_side(i)["slug"] for e in covering for i in claims_of[e.pk]} - {""}
        mention = next((m for m in mentions if m.start <= start and end <= m.end), None)
        pieces.append(
            {
                "start": start,
                "end": end,
                "text": text[start:end],
                "excerpts": [e.pk for e in covering],
                "side": sides.pop() if len(sides) == 1 else ("several" if sides else ""),
                "anchors": [
                    {"id": e.pk, "claims": [(c, claim_side(c)) for c in claims_of[e.pk]]}
                    for e in shown
                    if e.start == start
                ],
                "map_url": _place_map_url(mention.place) if mention else "",
                "place": mention.place.name if mention else "",
            }
        )
    return pieces


def _place_map_url(place: Place) -> str:
    return (
        reverse("map")
        + f"?lat={place.point.y:.5f}&lon={place.point.x:.5f}&zoom=13&place={place.slug}"
    )


@require_safe
@gzip_page
@conditional_page
@cache_control(no_cache=True)
def reference_geojson(request: HttpRequest) -> HttpResponse:
    """The outlines, enclaves, gaps and shared lines as the map draws them, simplified together,
    with their label points (border_map/drawing.py); revalidated by ETag like the outlines."""
    body = "".join(drawing.reference_collection())
    return HttpResponse(body, content_type="application/geo+json")
