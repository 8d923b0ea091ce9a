"""What the reviewed files in data/ hold, read from the files themselves: tests compare the
database and the endpoints with these instead of numbers written out, so that a reviewed change
to the data does not need every count in the suite edited by hand."""

import csv
import json
import math

from border_map.paths import DATA_DIR

INCIDENTS = json.loads((DATA_DIR / "incidents.json").read_text(encoding="utf-8"))
EVENTS = json.loads((DATA_DIR / "events.json").read_text(encoding="utf-8"))
ENCLAVES = list(csv.DictReader((DATA_DIR / "enclaves.csv").open(encoding="utf-8")))
COUNTRIES = json.loads(
    (DATA_DIR / "osm-countries-kgz-tjk-uzb.geojson").read_text(encoding="utf-8")
)["features"]
ARTICLES = sorted((DATA_DIR / "articles").glob("*.json"))


def incidents_where(**wanted: str) -> list[dict]:
    """The reviewed incidents whose fields have the given values."""
    return [i for i in INCIDENTS if all(i.get(k) == v for k, v in wanted.items())]


def incidents_on(day: str, **wanted: str) -> list[dict]:
    """The reviewed incidents with the given field values whose days include ``day``
    (an ISO date; an incident without an end date lasts one day)."""
    return [
        i for i in incidents_where(**wanted) if i["date"] <= day <= (i.get("date_end") or i["date"])
    ]


def pages(size: int, total: int = len(INCIDENTS)) -> int:
    """How many pages of ``size`` a walk through ``total`` features takes."""
    return math.ceil(total / size)
