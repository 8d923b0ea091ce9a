"""OGC API – Features Part 1 (OGC 17-069r4) over the layers: landing page, conformance,
collections, items and single features, as JSON/GeoJSON or HTML, with an OpenAPI 3.0 document.

Items go through the same filters (filters.filtered_queryset) and the same GeoJSON writer
(exports.iter_geojson) as ``/api/``, so that both give the same features.
"""

import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.gis.db.models import Extent
from django.db.models import Max, Min
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from . import api, exports, filters
from .models import Incident

DEFAULT_LIMIT = 10
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
]
# Query parameters of /items (OGC API – Features 7.15, plus equality filters on incidents'
# properties as /per/core/additional-parameters allows); any other one is a 400
# (/req/core/query-param-unknown).
ITEMS_PARAMETERS = {"f", "limit", "offset", "cursor", "bbox", "datetime"}


def _wants_html(request):
    """HTML or JSON, from ``f`` first, then the Accept header; JSON when nothing says."""
    f = filters.one_value(request.GET, "f")
    if f is not None:
        if f in ("json", "geojson"):
            return False
        if f == "html":
            return True
        raise filters.BadParameter("f", f"{f!r} is not a format here; use f=json or f=html.")
    preferred = request.get_preferred_type(
        ["application/json", "application/geo+json", "text/html"]
    )
    return preferred == "text/html"


def _url(request, name, *args, f=None):
    url = request.build_absolute_uri(reverse(name, args=args))
    return url + "?" + urlencode({"f": f}) if f else url


def _self_links(request, name, *args, json_type="application/json"):
    """``self`` and ``alternate`` links for a resource that exists as JSON and HTML."""
    wants_html = _wants_html(request)
    json_link = {"href": _url(request, name, *args, f="json"), "type": json_type}
    html_link = {"href": _url(request, name, *args, f="html"), "type": "text/html"}
    json_link["rel"], html_link["rel"] = (
        ("alternate", "self") if wants_html else ("self", "alternate")
    )
    json_link["title"], html_link["title"] = "This document as JSON", "This document as HTML"
    return [json_link, html_link]


def ogc_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap a view: GET/HEAD only, gzip, and BadParameter answered with a 400 JSON body."""

    @functools.wraps(view)
    @require_safe
    @gzip_page
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except filters.BadParameter as error:
            response = error.response()
        # JSON or HTML is chosen by the Accept header too: caches must key on it.
        patch_vary_headers(response, ["Accept"])
        return response

    return wrapper


def _respond(request, template, context, data):
    """The resource as HTML (the template gets ``data``) or as JSON."""
    if _wants_html(request):
        return render(request, f"ogcapi/{template}", {**context, "data": data})
    return JsonResponse(data, json_dumps_params={"indent": 1, "ensure_ascii": False})


@ogc_view
def landing(request: HttpRequest) -> HttpResponseBase:
    """The landing page: links to the API definition, the conformance classes and the data."""
    links = _self_links(request, "ogcapi_landing")
    links += [
        {
            "href": _url(request, "ogcapi_api"),
            "rel": "service-desc",
            "type": OPENAPI_TYPE,
            "title": "The API definition (OpenAPI 3.0)",
        },
        {
            "href": _url(request, "ogcapi_api", f="html"),
            "rel": "service-doc",
            "type": "text/html",
            "title": "The API documentation",
        },
        {
            "href": _url(request, "ogcapi_conformance"),
            "rel": "conformance",
            "type": "application/json",
            "title": "Conformance classes",
        },
        {
            "href": _url(request, "ogcapi_collections"),
            "rel": "data",
            "type": "application/json",
            "title": "The collections",
        },
    ]
    data = {
        "title": "border_map",
        "description": "Border disputes in the Fergana Valley (Kyrgyzstan, Tajikistan, "
        "Uzbekistan): places, incidents, enclaves and shared boundary lines.",
        "links": links,
    }
    return _respond(request, "landing.html", {}, data)


@ogc_view
def conformance(request: HttpRequest) -> HttpResponseBase:
    """The conformance classes this service implements."""
    data = {"conformsTo": CONFORMANCE, "links": _self_links(request, "ogcapi_conformance")}
    return _respond(request, "conformance.html", {}, data)


def _extent(layer):
    """The layer's spatial extent (and temporal one for incidents), computed by the database."""
    spec = exports.LAYERS[layer]
    queryset = spec.queryset().order_by()
    box = queryset.aggregate(box=Extent(spec.geometry_field))["box"]
    extent = {"spatial": {"bbox": [list(box) if box else [-180, -90, 180, 90]], "crs": CRS84}}
    if spec.time_field:
        span = queryset.aggregate(first=Min(spec.time_field), last=Max(spec.last_day()))
        interval = [span["first"], span["last"]]
        extent["temporal"] = {
            "interval": [[d.isoformat() + "T00:00:00Z" if d else None for d in interval]],
            "trs": GREGORIAN,
        }
    return extent


def _collection(request, layer):
    title, description = exports.LAYERS[layer].title, exports.LAYERS[layer].description
    links = _self_links(request, "ogcapi_collection", layer)
    links += [
        {
            "href": _url(request, "ogcapi_items", layer, f="json"),
            "rel": "items",
            "type": "application/geo+json",
            "title": f"{title} as GeoJSON",
        },
        {
            "href": _url(request, "ogcapi_items", layer, f="html"),
            "rel": "items",
            "type": "text/html",
            "title": f"{title} as HTML",
        },
        {
            "href": request.build_absolute_uri(reverse("layer_geojson", args=[layer])),
            "rel": "enclosure",
            "type": "application/geo+json",
            "title": f"All {layer} as one GeoJSON file",
        },
    ]
    return {
        "id": layer,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": _extent(layer),
        "links": links,
    }


@ogc_view
def collections(request: HttpRequest) -> HttpResponseBase:
    """Every collection, with its extent and links to its items."""
    data = {
        "links": _self_links(request, "ogcapi_collections"),
        "collections": [_collection(request, layer) for layer in exports.LAYERS],
    }
    return _respond(request, "collections.html", {}, data)


def _not_found(request, message):
    if _wants_html(request):
        return render(request, "ogcapi/not_found.html", {"message": message}, status=404)
    return api.not_found(message)


def _unknown_collection(request, layer):
    return _not_found(
        request, f"No collection {layer!r}; collections: {', '.join(exports.LAYERS)}."
    )


@ogc_view
def collection(request: HttpRequest, layer: str) -> HttpResponseBase:
    """One collection's description."""
    if layer not in exports.LAYERS:
        return _unknown_collection(request, layer)
    data = _collection(request, layer)
    return _respond(request, "collection.html", {"layer": layer}, data)


def _check_items_parameters(request, layer):
    allowed = ITEMS_PARAMETERS | set(exports.LAYERS[layer].filters)
    for name in request.GET:
        if name not in allowed:
            raise filters.BadParameter(
                name, f"unknown parameter; {layer} items take {', '.join(sorted(allowed))}."
            )


@ogc_view
def items(request: HttpRequest, layer: str) -> HttpResponseBase:
    """A page of a collection's features (OGC API – Features 7.15), filtered and counted."""
    if layer not in exports.LAYERS:
        return _unknown_collection(request, layer)
    _check_items_parameters(request, layer)
    wants_html = _wants_html(request)
    # Every collection takes datetime (/req/core/fc-time-definition); places, enclaves and
    # boundaries have no time, so it is checked and then has no effect on them.
    queryset = filters.filtered_queryset(layer, request.GET, untimed_datetime="ignore")
    limit, offset = filters.parse_paging(request.GET, default_limit=DEFAULT_LIMIT)
    assert limit is not None  # a default is given
    # Counted only up to filters.COUNT_LIMIT: beyond, numberMatched is left out.
    matched = filters.count_up_to(queryset)
    queryset = filters.after_cursor(layer, queryset, request.GET)
    rows = queryset[offset : offset + limit]
    returned = rows.count()
    has_next = queryset[offset + limit : offset + limit + 1].exists()
    media_type = "text/html" if wants_html else "application/geo+json"
    last = filters.last_key(layer, rows) if has_next else None
    links = filters.page_links(
        request,
        offset,
        limit,
        has_next,
        media_type,
        "html" if wants_html else "json",
        next_cursor=filters.make_cursor(layer, last) if last else None,
    )
    other = "json" if wants_html else "html"
    query = request.GET.copy()
    query["f"] = other
    links.append(
        {
            "href": request.build_absolute_uri(request.path + "?" + query.urlencode()),
            "rel": "alternate",
            "type": "application/geo+json" if other == "json" else "text/html",
        }
    )
    links.append(
        {
            "href": _url(request, "ogcapi_collection", layer),
            "rel": "collection",
            "type": "application/json",
        }
    )
    members: dict[str, Any] = {"numberReturned": returned, "links": links}
    if matched is not None:
        members = {"numberMatched": matched, **members}
    if wants_html:
        names = exports.property_names(layer)
        features = [
            {"id": fid, "values": [exports.as_text(props[n]) for n in names]}
            for fid, props, _geometry in exports.iter_features(layer, rows)
        ]
        context = {
            "layer": layer,
            "title": exports.LAYERS[layer].title,
            "features": features,
            "offset": offset,
            "names": names,
        }
        shown = {"numberMatched": f"more than {filters.COUNT_LIMIT:,}", **members}
        return render(request, "ogcapi/items.html", {**context, "data": shown})
    return api.serve_text(
        request,
        exports.iter_geojson(layer, rows, members),
        "application/geo+json",
        None,
        small=limit <= api.ETAG_MAX_FEATURES,
    )


@ogc_view
def item(request: HttpRequest, layer: str, feature_id: str) -> HttpResponseBase:
    """One feature by its id (OGC API – Features 7.16)."""
    if layer not in exports.LAYERS:
        return _unknown_collection(request, layer)
    if "\x00" in feature_id:  # PostgreSQL refuses NUL in text; no id has one
        return _not_found(request, f"No feature {feature_id!r} in {layer}.")
    spec = exports.LAYERS[layer]
    queryset = spec.queryset().filter(**{spec.id_field: feature_id})
    found = list(exports.iter_features(layer, queryset))
    if not found:
        return _not_found(request, f"No feature {feature_id!r} in {layer}.")
    fid, props, geometry = found[0]
    links = _self_links(request, "ogcapi_item", layer, feature_id, json_type="application/geo+json")
    links.append(
        {
            "href": _url(request, "ogcapi_collection", layer),
            "rel": "collection",
            "type": "application/json",
        }
    )
    if _wants_html(request):
        context = {
            "layer": layer,
            "title": exports.LAYERS[layer].title,
            "feature": {
                "id": fid,
                "rows": [(n, exports.as_text(props[n])) for n in exports.property_names(layer)],
                "geometry": geometry,
            },
        }
        return render(request, "ogcapi/item.html", {**context, "data": {"links": links}})
    text = exports.feature_json(fid, props, geometry)
    # The feature's text ends with "}": add the links as one more member.
    text = text[:-1] + ',"links":' + json.dumps(links) + "}"
    return api.serve_text(request, [text], "application/geo+json", None, small=True)


def _parameter(name, where, description, schema, required=False, **extra):
    return {
        "name": name,
        "in": where,
        "description": description,
        "required": required,
        "schema": schema,
        **extra,
    }


# The shape of ``datetime`` (OGC API – Features 7.15.4): an RFC 3339 date or date-time with an
# offset, or an interval of two with ".." or nothing for one open end. The calendar (no 30
# February) and the order of an interval's ends are checked by the server, not by this pattern.
_INSTANT = (
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?"
)
DATETIME_PATTERN = f"^({_INSTANT}|{_INSTANT}/({_INSTANT}|\\.\\.)?|(\\.\\.)?/{_INSTANT})$"

# Query parameters the property filters take, described as the server reads them.
FILTER_PARAMETERS: dict[str, dict[str, Any]] = {
    "claimed_by": {
        "description": "Who reported or claimed the incident, exactly as in the data (repeat "
        "the parameter for several; names may contain commas).",
        "schema": {"type": "string"},
    },
    "side": {
        "description": "The side the claimant speaks for (comma-separated for several): a "
        "slug of the sides in data/actors.json, e.g. kyrgyz-official, tajik-official, media.",
        "schema": {"type": "string"},
    },
    "geo_precision": {
        "description": "ACLED's geo_precision of the incident's place (comma-separated for "
        "several): 1 the place itself, 2 an estimated point near it, 3 a district or region.",
        "schema": {"type": "string", "pattern": "^([123](,[123])*)?$"},
    },
    "type": {
        "description": "The incident type (comma-separated for several).",
        "schema": {"type": "string", "enum": list(Incident.Type.values)},
    },
    "near_line_km": {
        "description": "Within this many kilometres (geodesic) of the nearest shared boundary "
        "line (the 'line' property names it).",
        "schema": {"type": "number", "minimum": 0, "maximum": filters.MAX_LINE_KM},
    },
    "enclave": {
        "description": "Inside the enclave of that name (any case; comma-separated for several).",
        "schema": {"type": "string"},
    },
    "contested": {
        "description": "1: only contested events (with claims from both the Kyrgyz and the "
        "Tajik officials), or on incidents the claims of such events; 0 or absent: all.",
        "schema": {"type": "string", "enum": ["0", "1", "true", "false", "yes", "no"]},
    },
}


def openapi_document(request: HttpRequest) -> dict[str, Any]:
    """The OpenAPI 3.0 definition of this service, as a dict: every path, with each
    collection's own parameters, each format (``f``) and each error answer."""
    server = request.build_absolute_uri(reverse("ogcapi_landing")).rstrip("/")
    f = _parameter(
        "f",
        "query",
        "Format of the response: json (GeoJSON for features) or html; without it the Accept "
        "header decides, JSON by default.",
        {"type": "string", "enum": ["json", "html"]},
    )
    paging = [
        _parameter(
            "limit",
            "query",
            f"How many features per page (1..{filters.MAX_LIMIT}).",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": filters.MAX_LIMIT,
                "default": DEFAULT_LIMIT,
            },
            style="form",
            explode=False,
        ),
        _parameter(
            "offset",
            "query",
            "How many matching features to skip (the next links use it).",
            {"type": "integer", "minimum": 0, "maximum": filters.MAX_OFFSET, "default": 0},
        ),
        _parameter(
            "cursor",
            "query",
            "Where the page starts: the cursor of a next link (the sort key of the previous "
            "page's last feature); not with offset.",
            {"type": "string"},
        ),
        _parameter(
            "bbox",
            "query",
            "minLon,minLat,maxLon,maxLat in WGS84 (CRS84), or six numbers with heights (which "
            "are ignored); features that intersect it. minLon greater than maxLon crosses the "
            "antimeridian; minLat must not be greater than maxLat.",
            {
                "type": "array",
                "minItems": 4,
                "maxItems": 6,
                "items": {"type": "number", "minimum": -180, "maximum": 180},
            },
            style="form",
            explode=False,
        ),
    ]

    def datetime_parameter(timed: bool) -> dict[str, Any]:
        what = (
            "incidents whose days overlap it"
            if timed
            else "this collection has no time: the value is checked and has no effect"
        )
        return _parameter(
            "datetime",
            "query",
            "An RFC 3339 date, date-time with offset (its day in UTC, within the years 1-9999) "
            f"or interval start/end ('..' or empty for one open end); {what}.",
            {"type": "string", "pattern": DATETIME_PATTERN},
            style="form",
            explode=False,
        )

    def json_or_html(description: str, json_type: str = "application/json") -> dict[str, Any]:
        return {"description": description, "content": {json_type: {}, "text/html": {}}}

    problem: dict[str, dict] = {"application/json": {}}
    errors = {
        "400": {
            "description": "A parameter is wrong; the body names it and says why.",
            "content": problem,
        },
        "503": {
            "description": "The database cannot be reached; try again after Retry-After.",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
            "content": problem,
        },
    }
    not_found = {
        "404": {
            "description": "No such collection or feature.",
            "content": {"application/json": {}, "text/html": {}},
        }
    }

    def operation(
        operation_id: str,
        summary: str,
        parameters: list[dict[str, Any]],
        ok: dict[str, Any],
        *extra: dict[str, Any],
    ) -> dict[str, Any]:
        responses = {"200": ok, **errors}
        for more in extra:
            responses.update(more)
        return {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "parameters": parameters,
                "responses": responses,
            }
        }

    paths = {
        "/": operation("getLandingPage", "Landing page", [f], json_or_html("The landing page")),
        "/conformance": operation(
            "getConformance", "Conformance classes", [f], json_or_html("Conformance classes")
        ),
        "/api": operation(
            "getAPI", "This document", [f], json_or_html("OpenAPI 3.0", OPENAPI_TYPE)
        ),
        "/collections": operation(
            "getCollections", "The collections", [f], json_or_html("The collections")
        ),
    }
    for name, layer in exports.LAYERS.items():
        parameters = [*paging, datetime_parameter(bool(layer.time_field))]
        parameters += [
            _parameter(filter_name, "query", **FILTER_PARAMETERS[filter_name])
            for filter_name in layer.filters
        ]
        features = json_or_html(f"{layer.title}: GeoJSON or HTML", "application/geo+json")
        paths[f"/collections/{name}"] = operation(
            f"describe_{name}", f"{layer.title}: the collection", [f], json_or_html(layer.title)
        )
        paths[f"/collections/{name}/items"] = operation(
            f"get_{name}", f"{layer.title}: a page of features", [*parameters, f], features
        )
        paths[f"/collections/{name}/items/{{featureId}}"] = operation(
            f"get_{name}_feature",
            f"{layer.title}: one feature",
            [
                _parameter(
                    "featureId",
                    "path",
                    f"A feature's id ({layer.id_field}).",
                    {"type": "string"},
                    required=True,
                ),
                f,
            ],
            json_or_html(f"One of the {name}", "application/geo+json"),
            not_found,
        )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "border_map OGC API – Features",
            "version": "1.0.0",
            "description": "Places, incidents, enclaves and shared boundary lines of the "
            "border disputes in the Fergana Valley. Every path answers GET, HEAD and OPTIONS "
            "(other methods: 405), with CORS for any origin.",
            "license": {"name": "ODbL 1.0 (OpenStreetMap-derived layers)"},
        },
        "servers": [{"url": server}],
        "paths": paths,
    }


@ogc_view
def openapi(request: HttpRequest) -> HttpResponseBase:
    """The OpenAPI 3.0 document (JSON), or a page that shows it (HTML)."""
    document = openapi_document(request)
    if _wants_html(request):
        text = json.dumps(document, indent=1, ensure_ascii=False)
        return render(request, "ogcapi/api.html", {"document": document, "text": text})
    return HttpResponse(
        json.dumps(document, indent=1, ensure_ascii=False), content_type=OPENAPI_TYPE
    )
