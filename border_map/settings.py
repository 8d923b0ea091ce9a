"""Settings for border_map, read from the environment with defaults that are safe on a laptop.

`DATABASE_URL` (e.g. ``postgis://postgres@127.0.0.1:5432/border_map``) selects PostGIS; without it
the embedded SpatiaLite file ``var/border_map.sqlite3`` is used.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, default)
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}.") from None


DEBUG = env_bool("DEBUG")
PRODUCTION = env_bool("BORDER_MAP_PRODUCTION")
# A local-only key, published in this file: fine for a laptop or CI, where nothing signed leaves
# the machine; never in production.
LOCAL_ONLY_KEY = "border-map-local-only-not-secret"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    if len(SECRET_KEY) < 50 or SECRET_KEY == LOCAL_ONLY_KEY:
        raise ImproperlyConfigured(
            "BORDER_MAP_PRODUCTION is set: SECRET_KEY must be a secret of 50 characters or more "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if DEBUG:
        raise ImproperlyConfigured(
            "BORDER_MAP_PRODUCTION and DEBUG are both set: debug pages show settings and code to "
            "anyone; unset DEBUG."
        )
elif not SECRET_KEY:
    SECRET_KEY = LOCAL_ONLY_KEY
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "csp",
    "axes",
    "simple_history",
    "border_map",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "border_map.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and CSRF: read-only endpoints answer other methods with a 405, preflights
    # with CORS headers, and a database outage with a 503, without touching the database.
    "border_map.middleware.ReadOnlyMiddleware",
    "border_map.middleware.DatabaseFaultMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: Accept-Language, unless the URL names one (?lang=ru; border_map.i18n).
    "django.middleware.locale.LocaleMiddleware",
    "border_map.i18n.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: the history records who made each change; axes answers a locked-out
    # sign-in (it must come last, django-axes' documentation says).
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Editors sign in under /editor/ (border_map.editor). django-axes counts failed sign-ins per
# user name and address and refuses more after AXES_FAILURE_LIMIT, for AXES_COOLOFF_TIME hours.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "editor/locked_out.html"
LOGIN_URL = "editor_login"
LOGIN_REDIRECT_URL = "editor_home"
LOGOUT_REDIRECT_URL = "editor_login"
# An article file's limit, which the form states in its refusal: a long article is 100 kB, and
# with the form's other fields the request stays under nginx's 1 MB body limit (deploy/).
EDITOR_MAX_UPLOAD_BYTES = 900_000

ROOT_URLCONF = "border_map.urls"
WSGI_APPLICATION = "border_map.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SPATIALITE_FILE = Path(os.environ.get("SPATIALITE_FILE", BASE_DIR / "var" / "border_map.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
STATEMENT_TIMEOUT_S = env_float("BORDER_MAP_STATEMENT_TIMEOUT", 15.0)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgis:// (got {DATABASE_URL.split(':', 1)[0]}://)."
        )
    # PostgreSQL's JIT spends 20-100 ms compiling some bbox queries that run in 20 ms without
    # it (bench/RESULTS.md); our queries are short, so it never pays off. Nor do parallel
    # workers: many small requests at once, each plan's workers take the cores the other
    # requests need (the map's list at 1M: 28 ms on three processes, 5 ms on one). The tables
    # are read from memory, so a random read costs about what a sequential one does
    # (random_page_cost 1.1, not 4: a list of 9,000 incidents in view read them by index in
    # 75 ms instead of scanning all 1,000,000 in 270 ms).
    # statement_timeout bounds every query (a stuck one becomes a 503, not a held worker);
    # connect_timeout makes an unreachable server an error in seconds, not minutes.
    planner = "-c jit=off -c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "options": f"{planner} -c statement_timeout={int(STATEMENT_TIMEOUT_S * 1000)}",
            "connect_timeout": 3,
        }
    )
else:
    SPATIALITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.spatialite",
            "NAME": str(SPATIALITE_FILE),
            "TEST": {"NAME": str(SPATIALITE_FILE.with_name("test_border_map.sqlite3"))},
        }
    }
SPATIALITE_LIBRARY_PATH = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en"
# The interface in English and Russian (locale/ru/LC_MESSAGES: django.po for Python and the
# templates, djangojs.po for the map's script; compiled by scripts/setup.sh).
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"  # unused (finders serve); whitenoise wants it
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Plain storage: the vendored files already carry their version in their path.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# App options, in one dict checked at start-up (border_map.apps).
BORDER_MAP: dict[str, Any] = {
    # "gazetteer" works offline; "nominatim" asks the public service (1 request/s, cached).
    "GEOCODER": os.environ.get("BORDER_MAP_GEOCODER", "gazetteer"),
    "NOMINATIM_DOMAIN": os.environ.get("NOMINATIM_DOMAIN", "nominatim.openstreetmap.org"),
    "NOMINATIM_SCHEME": os.environ.get("NOMINATIM_SCHEME", "https"),
    "NOMINATIM_USER_AGENT": os.environ.get("NOMINATIM_USER_AGENT", "border_map/0.1 (local)"),
    "NOMINATIM_TIMEOUT": env_float("NOMINATIM_TIMEOUT", 10.0),
    # Tiles are the only outside resource; empty disables the OSM base layer.
    "TILE_URL": os.environ.get(
        "BORDER_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    ),
    # How far from the article's region a geocoding candidate may lie before it is flagged.
    "REVIEW_DISTANCE_KM": env_float("BORDER_MAP_REVIEW_DISTANCE_KM", 150.0),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# gis.W001: Debian's GDAL 3.6 cannot block file and network access from spatial references.
# We never hand user-supplied spatial references or GeoJSON "crs" members to GDAL: uploads are
# not accepted, request parameters are parsed as plain numbers, and every geometry we load is
# built with shapely/GEOS from our own files with SRID 4326 set in code.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Security headers. The Content-Security-Policy lets scripts come only from this site or carry
# the page's nonce (folium's inline map script gets it, see maps.with_nonce): no 'unsafe-inline'
# or 'unsafe-eval' for scripts. Styles may be inline: folium writes <style> blocks and Leaflet
# positions everything with style attributes; CSS runs no script. Images: ours, data: URIs
# (Leaflet's icons) and the tile server, the map's only outside resource.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        # The tile server's origin is added per request (border_map.middleware.CSPMiddleware).
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Behind TLS (a proxy that terminates it and says so in X-Forwarded-Proto), BORDER_MAP_HTTPS=1
# switches on together: redirect to https, HSTS, cookies only over https.
HTTPS = env_bool("BORDER_MAP_HTTPS")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
