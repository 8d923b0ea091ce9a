"""Query parameters of every data endpoint: parsing, filtering and paging, in one place.

``/api/``, ``/ogcapi/`` and the map's own JSON endpoints all call :func:`filtered_queryset` and
:func:`parse_paging`. Parameters follow OGC API – Features Part 1 (``bbox``, ``datetime``,
``limit``), so the same parsing serves both APIs. Which filters a layer takes is declared on the
layer (``exports.Layer.time_field`` and ``.filters``); bad input raises :class:`BadParameter`,
answered as a 400 with a JSON body that names the parameter, and never reaches the database.
"""

import base64
import binascii
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest, JsonResponse

from . import exports
from .models import Enclave, Event, Incident, Side, geo_precision

MAX_LIMIT = 10_000
# Larger offsets overflow the databases' integers (a 500); no layer comes near this many rows.
MAX_OFFSET = 2**31 - 1

Params = Mapping[str, Any]


class BadParameter(Exception):
    """A query parameter that cannot be used as given; answered with a 400."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message

    def response(self) -> JsonResponse:
        return JsonResponse(
            {
                "code": "InvalidParameterValue",
                "parameter": self.parameter,
                "description": self.message,
            },
            status=400,
        )


def values(params: Params, name: str) -> list[str]:
    """Every value given for a parameter, from a QueryDict or a plain dict."""
    if hasattr(params, "getlist"):
        found = params.getlist(name)
    else:
        value = params.get(name)
        if value is None:
            found = []
        else:
            found = list(value) if isinstance(value, list | tuple) else [value]
    # PostgreSQL refuses NUL in text (a 500 if it reached the query); no real value has one.
    if any("\x00" in str(v) for v in found):
        raise BadParameter(name, "contains a NUL character.")
    return found


def one_value(params: Params, name: str) -> str | None:
    """The single value of a parameter, or None; a repeated parameter is an error."""
    found = values(params, name)
    if len(found) > 1:
        raise BadParameter(name, "given more than once; give it once.")
    return found[0] if found else None


def comma_list(params: Params, name: str) -> list[str]:
    """All values of a parameter, repeated or comma-separated, without empty ones."""
    return [
        part.strip() for v in values(params, name) for part in str(v).split(",") if part.strip()
    ]


def flag(params: Params, name: str) -> bool:
    """A yes/no parameter: 1/true/yes or 0/false/no (absent: no)."""
    value = one_value(params, name)
    if value is None or value.lower() in ("0", "false", "no", ""):
        return False
    if value.lower() in ("1", "true", "yes"):
        return True
    raise BadParameter(name, f"{value!r} is not 1 or 0 (true or false).")


# Column sets a CSV may be asked for with ?columns= (the default: the layer's own properties),
# and the layers that have them.
CSV_COLUMNS = {"acled": ("incidents",)}


def csv_columns(params: Params, layer: str) -> str | None:
    """The ``columns`` parameter of a CSV: None for the layer's own columns, or a name of
    CSV_COLUMNS that the layer has."""
    value = one_value(params, "columns")
    if not value:
        return None
    if layer not in CSV_COLUMNS.get(value, ()):
        sets = ", ".join(f"{name} ({', '.join(layers)})" for name, layers in CSV_COLUMNS.items())
        raise BadParameter("columns", f"{value!r} is not a column set of {layer}; sets: {sets}.")
    return value


def parse_bbox(text: str) -> list[Polygon]:
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


def _parse_instant(text: str) -> dt.date:
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
    try:
        return value.astimezone(dt.UTC).date()
    except OverflowError:
        # 9999-12-31T23:59:59-23:59 is in year 10000 in UTC, 0001-01-01T00:00+23:59 in year 0.
        raise BadParameter(
            "datetime", f"{text!r} is outside the years 1 to 9999 once taken to UTC."
        ) from None


def parse_datetime(text: str) -> tuple[dt.date | None, dt.date | None]:
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


def _whole_number(params: Params, name: str) -> int | None:
    text = one_value(params, name)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise BadParameter(name, f"{text!r} is not a whole number.") from None


def parse_paging(params: Params, default_limit: int | None = None) -> tuple[int | None, int]:
    """``limit`` (1..MAX_LIMIT; ``default_limit`` when absent) and ``offset`` (0..MAX_OFFSET)."""
    limit = _whole_number(params, "limit")
    if limit is None:
        limit = default_limit
    elif not 1 <= limit <= MAX_LIMIT:
        raise BadParameter("limit", f"{limit} is outside 1..{MAX_LIMIT}.")
    offset = _whole_number(params, "offset")
    if offset is None:
        offset = 0
    elif offset < 0:
        raise BadParameter("offset", f"{offset} is negative.")
    elif offset > MAX_OFFSET:
        raise BadParameter("offset", f"{offset} is above the largest offset, {MAX_OFFSET}.")
    return limit, offset


# Property filters a layer may declare (exports.Layer.filters): name -> (queryset, params) ->
# queryset. Each checks its own values and raises BadParameter.
def _claimed_by(queryset: QuerySet, params: Params) -> QuerySet:
    # Claimants' names contain commas ("Delegations of both countries, in a joint statement"):
    # several are given by repeating the parameter, never split.
    claimed_by = [v for v in values(params, "claimed_by") if v]
    return queryset.filter(claimed_by__in=claimed_by) if claimed_by else queryset


def _type(queryset: QuerySet, params: Params) -> QuerySet:
    types = comma_list(params, "type")
    if not types:
        return queryset
    unknown = sorted(set(types) - set(Incident.Type.values))
    if unknown:
        raise BadParameter(
            "type",
            f"unknown type {', '.join(unknown)}; types: {', '.join(Incident.Type.values)}.",
        )
    return queryset.filter(type__in=types)


def _side(queryset: QuerySet, params: Params) -> QuerySet:
    """Claims whose actor speaks for one of these sides (Side slugs, e.g. kyrgyz-official)."""
    sides = comma_list(params, "side")
    if not sides:
        return queryset
    known = list(Side.objects.values_list("slug", flat=True))
    unknown = sorted(set(sides) - set(known))
    if unknown:
        raise BadParameter("side", f"unknown side {', '.join(unknown)}; sides: {', '.join(known)}.")
    return queryset.filter(actor__side__slug__in=sides)


GEO_PRECISION_LIST = re.compile(r"[123](,[123])*")


def _geo_precision(queryset: QuerySet, params: Params) -> QuerySet:
    """Claims whose place has one of these ACLED geo_precision codes (1, 2, 3)."""
    codes = []
    for value in values(params, "geo_precision"):
        if value and not GEO_PRECISION_LIST.fullmatch(value):
            raise BadParameter("geo_precision", f"{value!r}: give 1, 2 or 3 (comma-separated).")
        codes += value.split(",") if value else []
    if not codes:
        return queryset
    return queryset.alias(_geo_precision=geo_precision(_context_prefix(queryset))).filter(
        _geo_precision__in=[int(code) for code in codes]
    )


def _context_prefix(queryset: QuerySet) -> str:
    """Where the layer of these rows keeps its places' spatial context (Layer.context_prefix)."""
    return next(
        layer.context_prefix
        for layer in exports.LAYERS.values()
        if layer.model is queryset.model and layer.context_prefix is not None
    )


# Farther than this from any line is farther than the countries on the map reach.
MAX_LINE_KM = 5000.0


def _near_line_km(queryset: QuerySet, params: Params) -> QuerySet:
    text = one_value(params, "near_line_km")
    if text is None:
        return queryset
    try:
        km = float(text)
    except ValueError:
        raise BadParameter("near_line_km", f"{text!r} is not a number of kilometres.") from None
    if not (math.isfinite(km) and 0 <= km <= MAX_LINE_KM):
        raise BadParameter("near_line_km", f"{text!r} is outside 0..{MAX_LINE_KM:g} km.")
    # Within km of the nearest shared line (the "line" property names it).
    return queryset.filter(**{f"{_context_prefix(queryset)}line_distance_km__lte": km})


def _enclave(queryset: QuerySet, params: Params) -> QuerySet:
    names = comma_list(params, "enclave")
    if not names:
        return queryset
    known = {name.casefold(): name for name in Enclave.objects.values_list("name", flat=True)}
    unknown = [n for n in names if n.casefold() not in known]
    if unknown:
        raise BadParameter(
            "enclave",
            f"unknown enclave {', '.join(unknown)}; enclaves: {', '.join(sorted(known.values()))}.",
        )
    chosen = [known[n.casefold()] for n in names]
    return queryset.filter(**{f"{_context_prefix(queryset)}enclave__in": chosen})


def _contested(queryset: QuerySet, params: Params) -> QuerySet:
    # Events with claims from both governments (events.CONTESTED_SIDES), or their claims.
    if not flag(params, "contested"):
        return queryset
    from .events import contested_events

    field = "pk" if queryset.model is Event else "happening"
    return queryset.filter(**{f"{field}__in": contested_events()})


PROPERTY_FILTERS: dict[str, Callable[[QuerySet, Params], QuerySet]] = {
    "claimed_by": _claimed_by,
    "side": _side,
    "type": _type,
    "geo_precision": _geo_precision,
    "near_line_km": _near_line_km,
    "enclave": _enclave,
    "contested": _contested,
}


def layer_or_404(name: str) -> exports.Layer:
    """The declared layer of that name; an unknown one raises Http404."""
    if name not in exports.LAYERS:
        raise Http404(f"No layer {name!r}; layers: {', '.join(exports.LAYERS)}.")
    return exports.LAYERS[name]


def _date_filter(layer: exports.Layer, queryset: QuerySet, text: str) -> QuerySet:
    start, end = parse_datetime(text)
    # A row spans time_field..time_end_field (end empty: one day); keep those that overlap.
    if end is not None:
        queryset = queryset.filter(**{f"{layer.time_field}__lte": end})
    if start is not None:
        queryset = queryset.alias(last_day=layer.last_day()).filter(last_day__gte=start)
    return queryset


def _only_on(name: str) -> str:
    takers = [n for n, layer in exports.LAYERS.items() if name in layer.parameters]
    return ", ".join(takers)


#: Fields on border_map_place.point, and the field holding the place's id, for the R*Tree.
_PLACE_POINT_KEYS = {"point": "pk", "place__point": "place"}


def in_boxes(queryset: QuerySet, geometry_field: str, polygons: list[Polygon]) -> QuerySet:
    """Rows whose ``geometry_field`` intersects one of ``polygons`` (boxes, e.g. from parse_bbox).

    On SpatiaLite, GeoDjango's ``__intersects`` is a plain function call per row; for places'
    points the R*Tree ``idx_border_map_place_point`` is asked first for the places in the boxes'
    extents (issue 11). The exact intersects test is kept. PostGIS uses its GiST index itself.
    """
    match = Q()
    for polygon in polygons:
        match |= Q(**{f"{geometry_field}__intersects": polygon})
    queryset = queryset.filter(match)
    key = _PLACE_POINT_KEYS.get(geometry_field)
    if connection.vendor == "sqlite" and key is not None and polygons:
        selects, params = [], []
        for polygon in polygons:
            west, south, east, north = polygon.extent
            selects.append(
                "SELECT pkid FROM idx_border_map_place_point"
                " WHERE xmin <= %s AND xmax >= %s AND ymin <= %s AND ymax >= %s"
            )
            params += [east, west, north, south]
        queryset = queryset.filter(**{f"{key}__in": RawSQL(" UNION ".join(selects), params)})
    return queryset


def filtered_queryset(
    layer_name: str, params: Params, untimed_datetime: str = "refuse"
) -> QuerySet:
    """The rows of a layer that match ``bbox``, ``datetime`` and the layer's property filters.

    ``limit`` and ``offset`` are checked (a bad one raises) but not applied: slice with
    :func:`parse_paging`. An unknown layer raises Http404; a bad parameter, BadParameter.
    ``datetime`` on a layer without time is refused, or with ``untimed_datetime="ignore"`` checked
    and then without effect (OGC API – Features: every collection takes it,
    /req/core/fc-time-definition).
    """
    layer = layer_or_404(layer_name)
    parse_paging(params)
    queryset = layer.queryset()

    bbox = one_value(params, "bbox")
    if bbox is not None:
        queryset = in_boxes(queryset, layer.geometry_field, parse_bbox(bbox))

    for name in ("datetime", *PROPERTY_FILTERS):
        if name in layer.parameters or one_value(params, name) is None:
            continue
        if name == "datetime" and untimed_datetime == "ignore":
            parse_datetime(one_value(params, name) or "")
            continue
        raise BadParameter(name, f"filters {_only_on(name)} only; {layer.name} have no {name}.")

    text = one_value(params, "datetime")
    if text is not None and layer.time_field:
        queryset = _date_filter(layer, queryset, text)
    for name in layer.filters:
        queryset = PROPERTY_FILTERS[name](queryset, params)
    return queryset


def page_links(
    request: HttpRequest,
    offset: int,
    limit: int | None,
    has_next: bool,
    media_type: str,
    fmt: str | None = None,
    next_cursor: str | None = None,
) -> list[dict[str, str]]:
    """OGC-style ``links`` for a page: self, and next/prev when there are such pages (with
    ``f=fmt`` when given, so that a link gives its media type whatever the Accept header).
    With ``next_cursor``, the next link carries it instead of an offset."""

    def url(new_offset: int, cursor: str | None = None) -> str:
        query = request.GET.copy()
        query.pop("cursor", None)
        if cursor:
            query.pop("offset", None)
            query["cursor"] = cursor
        else:
            query["offset"] = str(new_offset)
        query["limit"] = str(limit)
        if fmt:
            query["f"] = fmt
        return request.build_absolute_uri(request.path + "?" + urlencode(query, doseq=True))

    links = [{"href": request.build_absolute_uri(), "rel": "self", "type": media_type}]
    if limit is None:
        return links
    if has_next:
        links.append({"href": url(offset + limit, next_cursor), "rel": "next", "type": media_type})
    if offset > 0:
        links.append({"href": url(max(0, offset - limit)), "rel": "prev", "type": media_type})
    return links


# Keyset paging: a ``next`` link carries a cursor, the sort key (Layer.order_by) of the page's
# last feature, and the next page starts after it, so that a page deep in a large layer costs
# what the first does (``offset`` stays for compatibility: the database walks the rows it skips).
def _order_fields(layer: exports.Layer) -> list[Any]:
    meta = layer.model._meta
    return [meta.pk if name == "pk" else meta.get_field(name) for name in layer.order_by]


def make_cursor(layer_name: str, row: Any) -> str:
    """The opaque cursor after ``row`` (a model instance or a dict of the order fields)."""
    layer = layer_or_404(layer_name)
    values = []
    for name, order_field in zip(layer.order_by, _order_fields(layer), strict=True):
        value = row[name] if isinstance(row, dict) else getattr(row, name)
        values.append(order_field.value_to_string(_Holder(order_field.attname, value)))
    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class _Holder:
    """Lets Field.value_to_string read one value (it reads it off an instance)."""

    def __init__(self, attname: str, value: Any) -> None:
        setattr(self, attname, value)


def after_cursor(layer_name: str, queryset: QuerySet, params: Params) -> QuerySet:
    """The rows after the ``cursor`` parameter's sort key (all when absent). A cursor that this
    API did not give, or one given with an ``offset``, raises BadParameter."""
    text = one_value(params, "cursor")
    if text is None:
        return queryset
    if _whole_number(params, "offset"):
        raise BadParameter("cursor", "give a cursor or an offset, not both.")
    layer = layer_or_404(layer_name)
    fields = _order_fields(layer)
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(values, list) or len(values) != len(fields):
            raise ValueError
        key = [f.to_python(v) for f, v in zip(fields, values, strict=True)]
        if any(v is None for v in key):
            raise ValueError
    except (ValueError, TypeError, ValidationError, binascii.Error, UnicodeDecodeError):
        raise BadParameter(
            "cursor", f"{text[:80]!r} is not a cursor of {layer.name}: follow a next link."
        ) from None
    # A row comparison, (a, b) > (ka, kb), which both databases answer from the (a, b) index
    # as where to start; the same written with OR makes PostgreSQL read and sort every row of
    # the day ka.
    table = layer.model._meta.db_table
    columns = ", ".join(f'"{table}"."{f.column}"' for f in fields)
    marks = ", ".join("%s" for _ in fields)
    values = [f.get_db_prep_value(v, connection) for f, v in zip(fields, key, strict=True)]
    after = RawSQL(f"({columns}) > ({marks})", values, output_field=BooleanField())
    return queryset.filter(after)


def last_key(layer_name: str, rows: QuerySet) -> dict[str, Any] | None:
    """The sort key of the last of ``rows`` (a page, already sliced), for make_cursor."""
    layer = layer_or_404(layer_name)
    keys = list(rows.values(*layer.order_by))
    return keys[-1] if keys else None


# Above this many matching features, numberMatched is left out (OGC API – Features 7.15.8
# makes it optional): counting a million rows costs what reading them does.
COUNT_LIMIT = 10_000


def count_up_to(queryset: QuerySet, limit: int | None = None) -> int | None:
    """How many rows match, or None when more than ``limit`` (COUNT_LIMIT) do (counted no
    further)."""
    limit = COUNT_LIMIT if limit is None else limit
    counted = queryset.order_by()[: limit + 1].count()
    return counted if counted <= limit else None
