"""The web API: each layer as GeoJSON, CSV or KML, filtered by area, date, claimant and type.

Parameters are parsed and applied by :mod:`border_map.filters` (the same for ``/ogcapi/`` and
the map); this module only turns the result into HTTP responses. Bad input is a 400 with a JSON
body that names the parameter; it never reaches the database.
"""

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator

from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils.cache import get_conditional_response
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from . import acled, exports, filters

# Responses up to this many features are built in memory so that they carry a strong ETag
# (a hash of the body) and answer If-None-Match with 304; larger ones are streamed.
ETAG_MAX_FEATURES = 5_000

# Each format: (file extension, content type, iterator of text chunks).
FORMATS: dict[str, tuple[str, str, Callable[..., Iterator[str]]]] = {
    "geojson": ("geojson", "application/geo+json", exports.iter_geojson),
    "csv": ("csv", "text/csv; charset=utf-8", exports.iter_csv),
    "kml": ("kml", "application/vnd.google-earth.kml+xml", exports.iter_kml),
}


def not_found(message: str) -> JsonResponse:
    """A 404 with a JSON body, for API clients."""
    return JsonResponse({"code": "NotFound", "description": message}, status=404)


def serve_text(
    request: HttpRequest,
    chunks: Iterable[str],
    content_type: str,
    filename: str | None,
    small: bool,
) -> HttpResponse | StreamingHttpResponse:
    """A response from text chunks: built in memory with an ETag when ``small``, else streamed."""
    response: HttpResponseBase
    if small:
        body = "".join(chunks).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        response = get_conditional_response(request, etag=etag) or HttpResponse(
            body, content_type=content_type
        )
        response["ETag"] = etag
    else:
        response = StreamingHttpResponse(
            (chunk.encode("utf-8") for chunk in chunks), content_type=content_type
        )
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _acled_csv(layer: str, queryset: QuerySet, bom: bool = False) -> Iterator[str]:
    """The incidents in ACLED's columns (``?columns=acled``)."""
    return acled.iter_acled_csv(queryset, bom)


@require_safe
@gzip_page
def layer_export(request: HttpRequest, layer: str, fmt: str) -> HttpResponseBase:
    """``/api/<layer>.<geojson|csv|kml>``: the layer, filtered and optionally paged."""
    if layer not in exports.LAYERS or fmt not in FORMATS:
        return not_found(f"No layer {layer!r}; layers: {', '.join(exports.LAYERS)}.")
    try:
        queryset = filters.filtered_queryset(layer, request.GET)
        limit, offset = filters.parse_paging(request.GET)
    except filters.BadParameter as error:
        return error.response()
    extension, content_type, iterate = FORMATS[fmt]
    if fmt == "csv":
        try:
            bom = filters.flag(request.GET, "bom")
            columns = filters.csv_columns(request.GET, layer)
        except filters.BadParameter as error:
            return error.response()
        iterate = functools.partial(exports.iter_csv, bom=bom)
        if columns == "acled":
            iterate = functools.partial(_acled_csv, bom=bom)
    links = None
    if limit is None:
        rows = queryset[offset:] if offset else queryset
        # Asking for one row past the threshold is cheaper than counting a large layer.
        small = not rows[ETAG_MAX_FEATURES : ETAG_MAX_FEATURES + 1].exists()
        if small:
            # Bounded, so that exports fetch it with one plain query (see exports._iter_rows).
            rows = rows[:ETAG_MAX_FEATURES]
        chunks = iterate(layer, rows)
    elif fmt == "geojson":
        # One row more than the page says whether there is a next page, without a second query.
        features = list(exports.iter_features(layer, queryset[offset : offset + limit + 1]))
        links = filters.page_links(request, offset, limit, len(features) > limit, content_type)
        small = limit <= ETAG_MAX_FEATURES
        chunks = exports.iter_collection(features[:limit], {"links": links})
    else:
        has_next = queryset[offset + limit : offset + limit + 1].exists()
        links = filters.page_links(request, offset, limit, has_next, content_type)
        small = limit <= ETAG_MAX_FEATURES
        chunks = iterate(layer, queryset[offset : offset + limit])
    response = serve_text(request, chunks, content_type, f"border_map-{layer}.{extension}", small)
    if links:
        # RFC 8288 Link header, so that CSV and KML pages can be followed too.
        response["Link"] = ", ".join(
            f'<{link["href"]}>; rel="{link["rel"]}"' for link in links if link["rel"] != "self"
        )
    return response


def layer_geojson(request: HttpRequest, layer: str) -> HttpResponseBase:
    """``/api/<layer>.geojson`` (kept for the existing route name)."""
    return layer_export(request, layer, "geojson")
