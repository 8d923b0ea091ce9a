"""The web API: each layer as GeoJSON, CSV or KML, filtered by area, date, claimant and type.

Query parameters follow OGC API – Features Part 1 (``bbox``, ``datetime``, ``limit``), so that the
same parsing serves ``/api/`` and ``/ogcapi/``. Bad input raises :class:`BadParameter`, answered as
a 400 with a JSON body that names the parameter; it never reaches the database.
"""

import datetime as dt
import hashlib
import math
from urllib.parse import urlencode

from django.contrib.gis.geos import Polygon
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from . import exports
from .models import Incident

MAX_LIMIT = 10_000
# Larger offsets overflow the databases' integers (a 500); no layer comes near this many rows.
MAX_OFFSET = 2**31 - 1
# Responses up to this many features are built in memory so that they carry a strong ETag
# (a hash of the body) and answer If-None-Match with 304; larger ones are streamed.
ETAG_MAX_FEATURES = 5_000

INCIDENT_PARAMETERS = ("datetime", "claimed_by", "type")

# Each format: (file extension, content type, iterator of text chunks).
FORMATS = {
    "geojson": ("geojson", "application/geo+json", exports.iter_geojson),
    "csv": ("csv", "text/csv; charset=utf-8", exports.iter_csv),
    "kml": ("kml", "application/vnd.google-earth.kml+xml", exports.iter_kml),
}


class BadParameter(Exception):
    """A query parameter that cannot be used as given; answered with a 400."""

    def __init__(self, parameter, message):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message

    def response(self):
        return JsonResponse(
            {
                "code": "InvalidParameterValue",
                "parameter": self.parameter,
                "description": self.message,
            },
            status=400,
        )


def not_found(message):
    """A 404 with a JSON body, for API clients."""
    return JsonResponse({"code": "NotFound", "description": message}, status=404)


def _values(params, name):
    """Every value given for a parameter, from a QueryDict or a plain dict."""
    if hasattr(params, "getlist"):
        values = params.getlist(name)
    else:
        value = params.get(name)
        if value is None:
            values = []
        else:
            values = list(value) if isinstance(value, list | tuple) else [value]
    # PostgreSQL refuses NUL in text (a 500 if it reached the query); no real value has one.
    if any("\x00" in str(v) for v in values):
        raise BadParameter(name, "contains a NUL character.")
    return values


def one_value(params, name):
    """The single value of a parameter, or None; a repeated parameter is an error."""
    values = _values(params, name)
    if len(values) > 1:
        raise BadParameter(name, "given more than once; give it once.")
    return values[0] if values else None


def _get_list(params, name):
    """All values of a parameter, repeated or comma-separated, without empty ones."""
    values = _values(params, name)
    return [part.strip() for v in values for part in str(v).split(",") if part.strip()]


def parse_bbox(text):
    """``minLon,minLat,maxLon,maxLat`` (or 6 values with heights, which are ignored) as a list
    of polygons; a box whose minLon is greater than its maxLon crosses the antimeridian and is
    split in two (OGC API – Features Part 1, 7.15.3)."""
    parts = text.split(",")
    if len(parts) not in (4, 6):
        raise BadParameter(
            "bbox",
            f"expected 4 numbers minLon,minLat,maxLon,maxLat (or 6 with heights), "
            f"got {len(parts)}.",
        )
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise BadParameter("bbox", f"{text!r} is not a list of numbers.") from None
    if not all(math.isfinite(n) for n in numbers):
        raise BadParameter("bbox", "values must be finite numbers.")
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    min_lon, min_lat, max_lon, max_lat = numbers
    for lat in (min_lat, max_lat):
        if not -90 <= lat <= 90:
            raise BadParameter("bbox", f"latitude {lat:g} is outside -90..90.")
    for lon in (min_lon, max_lon):
        if not -180 <= lon <= 180:
            raise BadParameter("bbox", f"longitude {lon:g} is outside -180..180.")
    if min_lat > max_lat:
        raise BadParameter("bbox", f"minLat {min_lat:g} is greater than maxLat {max_lat:g}.")
    if min_lon <= max_lon:
        boxes = [(min_lon, min_lat, max_lon, max_lat)]
    else:
        boxes = [(min_lon, min_lat, 180.0, max_lat), (-180.0, min_lat, max_lon, max_lat)]
    polygons = []
    for box in boxes:
        polygon = Polygon.from_bbox(box)
        polygon.srid = 4326
        polygons.append(polygon)
    return polygons


def _parse_instant(text):
    """An RFC 3339 date or date-time as a date (a date-time's day in UTC)."""
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        if "T" not in text.upper():
            raise ValueError
        value = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(
            "datetime",
            f"{text!r} is not an RFC 3339 date (2021-04-29) or date-time (2021-04-29T10:00:00Z).",
        ) from None
    if value.tzinfo is None:
        raise BadParameter("datetime", f"{text!r} has no time zone offset (add Z or +06:00).")
    return value.astimezone(dt.UTC).date()


def parse_datetime(text):
    """An instant or an interval ``start/end`` (``..`` or empty for an open end) as a pair of
    dates, either of which may be None."""
    text = text.strip()
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 2:
            raise BadParameter("datetime", f"{text!r} has more than one '/'.")
        start, end = (None if p in ("", "..") else _parse_instant(p) for p in parts)
        if start is None and end is None:
            # OGC API – Features 7.15.4: an interval is open at one end at most.
            raise BadParameter("datetime", f"the interval {text!r} has no end at all.")
        if start and end and start > end:
            raise BadParameter("datetime", f"the interval {text!r} ends before it starts.")
        return start, end
    if text in ("", ".."):
        raise BadParameter("datetime", "give a date, a date-time or an interval start/end.")
    day = _parse_instant(text)
    return day, day


def parse_paging(params, default_limit=None):
    """``limit`` (1..MAX_LIMIT; ``default_limit`` when absent) and ``offset`` (0..MAX_OFFSET)."""
    limit = one_value(params, "limit")
    if limit is None:
        limit = default_limit
    else:
        try:
            limit = int(limit)
        except ValueError:
            raise BadParameter("limit", f"{limit!r} is not a whole number.") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise BadParameter("limit", f"{limit} is outside 1..{MAX_LIMIT}.")
    offset = one_value(params, "offset")
    if offset is None:
        offset = 0
    else:
        try:
            offset = int(offset)
        except ValueError:
            raise BadParameter("offset", f"{offset!r} is not a whole number.") from None
        if offset < 0:
            raise BadParameter("offset", f"{offset} is negative.")
        if offset > MAX_OFFSET:
            raise BadParameter("offset", f"{offset} is above the largest offset, {MAX_OFFSET}.")
    return limit, offset


def filtered_queryset(layer, params):
    """The rows of a layer that match ``bbox``, ``datetime``, ``claimed_by`` and ``type``.

    ``limit`` and ``offset`` are checked (a bad one raises) but not applied: slice with
    :func:`parse_paging`. An unknown layer raises Http404; a bad parameter, BadParameter.
    """
    if layer not in exports.LAYERS:
        raise Http404(f"No layer {layer!r}; layers: {', '.join(exports.LAYERS)}.")
    parse_paging(params)
    queryset = exports.layer_queryset(layer)
    geom_field = exports.LAYERS[layer][2]

    bbox = one_value(params, "bbox")
    if bbox is not None:
        match = Q()
        for polygon in parse_bbox(bbox):
            match |= Q(**{f"{geom_field}__intersects": polygon})
        queryset = queryset.filter(match)

    if layer != "incidents":
        for name in INCIDENT_PARAMETERS:
            if one_value(params, name) is not None:
                raise BadParameter(name, f"filters incidents only; {layer} have no {name}.")
        return queryset

    text = one_value(params, "datetime")
    if text is not None:
        start, end = parse_datetime(text)
        # An incident spans date..date_end (date_end empty: one day); keep those that overlap.
        if end is not None:
            queryset = queryset.filter(date__lte=end)
        if start is not None:
            queryset = queryset.alias(last_day=Coalesce("date_end", F("date"))).filter(
                last_day__gte=start
            )

    # Claimants' names contain commas ("Delegations of both countries, in a joint statement"):
    # several are given by repeating the parameter, never split.
    claimed_by = [v for v in _values(params, "claimed_by") if v]
    if claimed_by:
        queryset = queryset.filter(claimed_by__in=claimed_by)

    types = _get_list(params, "type")
    if types:
        unknown = sorted(set(types) - set(Incident.Type.values))
        if unknown:
            raise BadParameter(
                "type",
                f"unknown type {', '.join(unknown)}; types: {', '.join(Incident.Type.values)}.",
            )
        queryset = queryset.filter(type__in=types)
    return queryset


def page_links(request, offset, limit, has_next, media_type, fmt=None):
    """OGC-style ``links`` for a page: self, and next/prev when there are such pages (with
    ``f=fmt`` when given, so that a link gives its media type whatever the Accept header)."""

    def url(new_offset):
        query = request.GET.copy()
        query["offset"] = str(new_offset)
        query["limit"] = str(limit)
        if fmt:
            query["f"] = fmt
        return request.build_absolute_uri(request.path + "?" + urlencode(query, doseq=True))

    links = [{"href": request.build_absolute_uri(), "rel": "self", "type": media_type}]
    if limit is None:
        return links
    if has_next:
        links.append({"href": url(offset + limit), "rel": "next", "type": media_type})
    if offset > 0:
        links.append({"href": url(max(0, offset - limit)), "rel": "prev", "type": media_type})
    return links


def serve_text(request, chunks, content_type, filename, small):
    """A response from text chunks: built in memory with an ETag when ``small``, else streamed."""
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
    # Open data: any web page may fetch it (OGC API – Features recommends CORS, 7.8).
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@gzip_page
def layer_export(request, layer, fmt):
    """``/api/<layer>.<geojson|csv|kml>``: the layer, filtered and optionally paged."""
    if layer not in exports.LAYERS or fmt not in FORMATS:
        return not_found(f"No layer {layer!r}; layers: {', '.join(exports.LAYERS)}.")
    try:
        queryset = filtered_queryset(layer, request.GET)
        limit, offset = parse_paging(request.GET)
    except BadParameter as error:
        return error.response()
    extension, content_type, iterate = FORMATS[fmt]
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
        links = page_links(request, offset, limit, len(features) > limit, content_type)
        small = limit <= ETAG_MAX_FEATURES
        chunks = exports.iter_collection(features[:limit], {"links": links})
    else:
        has_next = queryset[offset + limit : offset + limit + 1].exists()
        links = page_links(request, offset, limit, has_next, content_type)
        small = limit <= ETAG_MAX_FEATURES
        chunks = iterate(layer, queryset[offset : offset + limit])
    response = serve_text(request, chunks, content_type, f"border_map-{layer}.{extension}", small)
    if links:
        # RFC 8288 Link header, so that CSV and KML pages can be followed too.
        response["Link"] = ", ".join(
            f'<{link["href"]}>; rel="{link["rel"]}"' for link in links if link["rel"] != "self"
        )
    return response


def layer_geojson(request, layer):
    """``/api/<layer>.geojson`` (kept for the existing route name)."""
    return layer_export(request, layer, "geojson")
