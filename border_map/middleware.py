"""Two guards in front of every view: read-only endpoints take only GET, HEAD and OPTIONS (with
CORS for the data, which is open), and a database outage is a 503 with Retry-After, logged once.
"""

import logging
import threading
import time
from collections.abc import Callable

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import Resolver404, resolve

logger = logging.getLogger("border_map.database")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ALLOW = ", ".join(SAFE_METHODS)
# Paths whose views take forms (the admin, the editors' pages); everything else is read-only.
WRITABLE_PREFIXES = ("/admin/", "/editor/")
# Open data, readable by any web page (OGC API – Features recommends CORS, 7.8).
CORS_PREFIXES = ("/api/", "/ogcapi", "/map/")
# Seconds a client should wait before trying again during an outage.
RETRY_AFTER_S = 5

Handler = Callable[[HttpRequest], HttpResponseBase]


def wants_json(request: HttpRequest) -> bool:
    """Data endpoints answer errors in JSON; pages in HTML."""
    return request.path.startswith(CORS_PREFIXES)


def _cors(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    if request.path.startswith(CORS_PREFIXES):
        response["Access-Control-Allow-Origin"] = "*"
        # Let a page read the validators and paging links, not only the body.
        response["Access-Control-Expose-Headers"] = "ETag, Link, Content-Disposition"
    return response


class ReadOnlyMiddleware:
    """405 with ``Allow`` for writing methods on read-only paths (rather than CSRF's 403 page);
    OPTIONS answered with the methods allowed and, on the data, a CORS preflight."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith(WRITABLE_PREFIXES):
            return self.get_response(request)
        if request.method in ("GET", "HEAD"):
            return _cors(request, self.get_response(request))
        try:
            resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)  # a 404 whatever the method
        response: HttpResponseBase
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            if request.path.startswith(CORS_PREFIXES):
                response["Access-Control-Allow-Methods"] = ALLOW
                asked = request.headers.get("Access-Control-Request-Headers", "")
                response["Access-Control-Allow-Headers"] = asked or "Accept, If-None-Match"
                response["Access-Control-Max-Age"] = "86400"
        elif wants_json(request):
            response = JsonResponse(
                {
                    "code": "MethodNotAllowed",
                    "description": f"{request.method} is not allowed here; use {ALLOW}.",
                },
                status=405,
            )
        else:
            response = HttpResponse(
                f"{request.method} is not allowed here.\n",
                status=405,
                content_type="text/plain; charset=utf-8",
            )
        response["Allow"] = ALLOW
        return _cors(request, response)


class _Outage:
    """Whether the database is down, so that an outage is logged once, not once a request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.since: float | None = None
        self.last_failure = 0.0

    def failed(self, error: Exception) -> None:
        with self.lock:
            self.last_failure = time.monotonic()
            if self.since is None:
                self.since = self.last_failure
                logger.error("database unavailable, answering 503: %s", str(error).strip()[:200])

    def answered(self) -> None:
        """A request went through. The outage ends only once no request has failed for
        RETRY_AFTER_S: pages that need no database, and queries already under way when the
        server stopped, still succeed during an outage and must not split it into many."""
        if self.since is None:
            return
        with self.lock:
            if self.since is not None and time.monotonic() - self.last_failure >= RETRY_AFTER_S:
                logger.warning("database back after %.1f s", time.monotonic() - self.since)
                self.since = None


OUTAGE = _Outage()

UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Border map: back soon</title></head>
<body><h1>Back soon</h1><p>The map's database cannot be reached just now. Please try again
in a few seconds.</p></body></html>
"""


class DatabaseFaultMiddleware:
    """A view that fails on the database (down, unreachable, or a query past the statement
    timeout) gives a 503 with Retry-After: JSON for the data, a small page for people. No
    traceback per request: the outage is logged when it starts and when it ends."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code < 500:
            OUTAGE.answered()
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        if not isinstance(exception, OperationalError | InterfaceError) and not (
            isinstance(exception, DatabaseError) and "timeout" in str(exception).lower()
        ):
            return None
        OUTAGE.failed(exception)
        response: HttpResponseBase
        if wants_json(request):
            response = JsonResponse(
                {
                    "code": "ServiceUnavailable",
                    "description": "The database cannot be reached; try again shortly.",
                },
                status=503,
            )
        else:
            response = HttpResponse(UNAVAILABLE_PAGE, status=503)
        response["Retry-After"] = str(RETRY_AFTER_S)
        response["Cache-Control"] = "no-store"
        # Django's request logger would log every 503 again (django.utils.log.log_response).
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response


def tile_origin() -> str:
    """The scheme and host of the configured tile server ("" without tiles)."""
    url = settings.BORDER_MAP["TILE_URL"]
    return "/".join(url.split("/")[:3]) if url else ""


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY), with the tile server, the map's
    one outside resource, allowed as an image source."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origin = tile_origin()
        if origin and not report_only:
            img_src: list[str] = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
            parts.update = {**(parts.update or {}), "img-src": [*img_src, origin]}
        return parts
