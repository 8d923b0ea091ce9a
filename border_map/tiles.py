"""The map's incident clusters by standard web-map tile: ``/map/clusters/{z}/{x}/{y}.json``.

A tile's answer is the same for everyone who asks with the same filters, so it carries an ETag
(the pyramid's version and the query) and ``Cache-Control``: a browser or any HTTP cache keeps
it, a revalidation costs one row read and gets a 304, and a pan fetches only the new tiles.

How filters are served: ``datetime`` and ``type`` are dimensions of the pyramid (each cell is
counted per type and per first and last day), so they cost what the unfiltered tile costs. The
claimant and the spatial-context filters are not (their values are open-ended): those are
grouped live from the incidents inside the tile (the spatial index finds them), which costs what
the incidents in that one tile cost. A tile deeper than the pyramid's top level is counted from
the top level's cells inside it, and grouped live into finer cells only when that count says it
holds few incidents (LIVE_LIMIT); past the pyramid's deepest cells (pyramid.DEEPEST) it is
grouped live.
"""

import datetime as dt
import hashlib
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from . import exports, filters, pyramid

# A tile holding at most this many incidents sends them one by one (the browser clusters them
# and spreads out markers at one place); beyond it, its clusters.
TILE_POINT_LIMIT = 100
# A tile deeper than the pyramid's top level holding at most this many incidents is grouped
# live into 64 px cells (about 0.1 ms an incident whose pages PostgreSQL has not in its buffers:
# 20 ms); one holding more gets the pyramid's bigger cells, so that no tile the pyramid can count
# costs more at 10,000,000 incidents than at 1,000.
LIVE_LIMIT = 200
# The filters the pyramid has dimensions for; any other filter is grouped live.
PYRAMID_FILTERS = {"datetime", "type"}
# Every other filter of the incidents (claimant, side, precision, spatial context, ...) is
# grouped live: its values are open-ended, or the pyramid has no dimension for them.
LIVE_FILTERS = set(filters.PROPERTY_FILTERS) - PYRAMID_FILTERS


def parse_tile(z: str, x: str, y: str) -> tuple[int, int, int]:
    """z/x/y as whole numbers: z in 0..pyramid.MAX_ZOOM (BadParameter otherwise); x and y
    are checked against z by the caller."""
    numbers = []
    for name, text in (("z", z), ("x", x), ("y", y)):
        # isascii: "²".isdigit() is true, but int("²") fails.
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise filters.BadParameter(name, f"{text!r} is not a whole number of a tile.")
        numbers.append(int(text))
    if numbers[0] > pyramid.MAX_ZOOM:
        raise filters.BadParameter("z", f"{numbers[0]} is outside the zoom levels 0..24.")
    return numbers[0], numbers[1], numbers[2]


@require_safe
@gzip_page
def cluster_tile(request: HttpRequest, z: str, x: str, y: str) -> HttpResponse:
    """The incidents of one tile that match the filters: ``{"z", "x", "y", "total",
    "clusters": [[lon, lat, count, {type: count}], ...], "incidents": [...]}``; ``incidents``
    lists them one by one (as the list's entries) when the tile holds TILE_POINT_LIMIT or
    fewer, and ``clusters`` is then empty."""
    try:
        zoom, column, row = parse_tile(z, x, y)
        queryset = filters.filtered_queryset("incidents", request.GET)
    except filters.BadParameter as error:
        return error.response()
    side = 2**zoom
    if column >= side or row >= side:
        return JsonResponse(
            {
                "code": "NotFound",
                "description": f"No tile {zoom}/{column}/{row}: at zoom {zoom}, x and y "
                f"are 0..{side - 1}.",
            },
            status=404,
        )
    summary = pyramid.current()
    query = "&".join(
        f"{name}={value}" for name, value in sorted(request.GET.lists()) if name != "lang"
    )
    digest = hashlib.sha256(query.encode()).hexdigest()[:16]
    etag = f'"v{summary.version}-{zoom}-{column}-{row}-{digest}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = JsonResponse(_tile(queryset, request, zoom, column, row))
    response["ETag"] = etag
    # Any cache may keep a tile but asks again each time (a 304 costs one row read): a claim
    # an editor publishes is on the map at the next request, never after a max-age.
    patch_cache_control(response, public=True, no_cache=True)
    return response


def pyramid_filters(
    params: QueryDict, spatial: bool = False
) -> tuple[list[str], dt.date | None, dt.date | None] | None:
    """The types and the date range of the query when the pyramid can answer it, or None when
    it has another filter (then grouped live). ``spatial``: a bbox counts as another filter
    (the time bar; a tile has its own box). The query is already validated."""
    # Given with a value (claimed_by may be repeated).
    given = {name for name in params if any(filters.values(params, name))}
    if given & LIVE_FILTERS or (spatial and given - PYRAMID_FILTERS - {"lang"}):
        return None
    start, end = None, None
    text = filters.one_value(params, "datetime")
    if text is not None:
        start, end = filters.parse_datetime(text)
    return filters.comma_list(params, "type"), start, end


def _tile(queryset: QuerySet, request: HttpRequest, z: int, x: int, y: int) -> dict[str, Any]:
    kept = pyramid_filters(request.GET)
    if kept is not None and z <= pyramid.DEEPEST:
        clusters = pyramid.tile_cells(z, x, y, *kept)
        # Below the top level the pyramid's cells are bigger than 64 px: group the tile live
        # into 64 px cells when it holds few enough for that to cost little.
        if z > pyramid.TOP_ZOOM and TILE_POINT_LIMIT < _total(clusters) <= LIVE_LIMIT:
            clusters = pyramid.live_cells(queryset, z, x, y)
    else:
        clusters = pyramid.live_cells(queryset, z, x, y)
    total = _total(clusters)
    incidents = []
    if total <= TILE_POINT_LIMIT:
        clusters = []
        incidents = exports.incident_summaries(pyramid.in_tile(queryset, z, x, y))
    return {"z": z, "x": x, "y": y, "total": total, "clusters": clusters, "incidents": incidents}


def _total(clusters: list[list[Any]]) -> int:
    return sum(cluster[2] for cluster in clusters)
