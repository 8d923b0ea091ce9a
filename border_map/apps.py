"""App configuration; checks the BORDER_MAP settings dict at start-up."""

import math
from typing import Any

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured

EXPECTED_SHAPE = """BORDER_MAP = {
    "GEOCODER": "gazetteer" | "nominatim",
    "NOMINATIM_DOMAIN": str, "NOMINATIM_SCHEME": "http" | "https",
    "NOMINATIM_USER_AGENT": str (non-empty), "NOMINATIM_TIMEOUT": float > 0,
    "TILE_URL": str with {z}, {x}, {y} or "" for no tiles,
    "REVIEW_DISTANCE_KM": float > 0,
}"""


def check_options(options: dict[str, Any]) -> None:
    """Raise ImproperlyConfigured, showing the expected shape, if the options are off."""
    problems = []
    if options.get("GEOCODER") not in {"gazetteer", "nominatim"}:
        problems.append(f"GEOCODER is {options.get('GEOCODER')!r}")
    if options.get("NOMINATIM_SCHEME") not in {"http", "https"}:
        problems.append(f"NOMINATIM_SCHEME is {options.get('NOMINATIM_SCHEME')!r}")
    if not options.get("NOMINATIM_USER_AGENT"):
        problems.append("NOMINATIM_USER_AGENT is empty")
    for key in ("NOMINATIM_TIMEOUT", "REVIEW_DISTANCE_KM"):
        value = options.get(key)
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            problems.append(f"{key} is {options.get(key)!r}")
    tiles = options.get("TILE_URL")
    if not isinstance(tiles, str) or (tiles and not all(k in tiles for k in ("{z}", "{x}", "{y}"))):
        problems.append(f"TILE_URL is {tiles!r}")
    if problems:
        raise ImproperlyConfigured(
            "BORDER_MAP settings are off: " + "; ".join(problems) + "\nExpected:\n" + EXPECTED_SHAPE
        )


class BorderMapConfig(AppConfig):
    name = "border_map"
    verbose_name = "Border map"

    def ready(self) -> None:
        from django.conf import settings

        check_options(settings.BORDER_MAP)

        from django.db.models.signals import post_migrate

        from border_map.roles import ensure_groups

        # The editor and reviewer groups exist, with their permissions, after every migrate.
        post_migrate.connect(ensure_groups, sender=self)

        from django.db.models.signals import pre_save

        from border_map.history import keep_real_changes

        for name in ("Article", "Place", "Incident", "Excerpt"):
            pre_save.connect(keep_real_changes, sender=self.get_model(name))

        from . import pyramid

        pyramid.connect_signals()
