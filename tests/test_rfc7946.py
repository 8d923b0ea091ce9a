"""RFC 7946 rules on what /api and /ogcapi serve: no crs member, WGS84 longitude/latitude,
at most 6 decimals, counter-clockwise exterior rings and clockwise holes, valid geometry."""

import json
import re

import pytest
import shapely
from shapely.geometry import shape

pytestmark = pytest.mark.django_db

URLS = [
    *(f"/api/{layer}.geojson" for layer in ("places", "incidents", "enclaves", "boundaries")),
    *(
        f"/ogcapi/collections/{layer}/items?limit=1000"
        for layer in ("places", "incidents", "enclaves", "boundaries")
    ),
]
NUMBER = re.compile(r"^-?\d+(\.(\d+))?$")


def fetch(client, url):
    response = client.get(url)
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8")


def numbers_of(coordinates):
    if isinstance(coordinates, list):
        for item in coordinates:
            yield from numbers_of(item)
    else:
        yield coordinates


def rings_of(geometry):
    if geometry["type"] == "Polygon":
        yield geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        yield from geometry["coordinates"]


def signed_area(ring):
    """Shoelace sum: positive when the ring runs counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


@pytest.mark.parametrize("url", URLS)
def test_no_crs_member_anywhere(client, url):
    # RFC 7946 section 4: the CRS is WGS84 and the "crs" member is gone.
    collection = json.loads(fetch(client, url))
    assert "crs" not in collection
    assert collection["features"]
    for feature in collection["features"]:
        assert "crs" not in feature and "crs" not in feature["geometry"]


@pytest.mark.parametrize("url", URLS)
def test_coordinates_are_lon_lat_in_the_region_with_at_most_six_decimals(client, url):
    # Read numbers as written, not as floats, to see their decimals (RFC 7946 section 11.2).
    collection = json.loads(fetch(client, url), parse_float=str, parse_int=str)
    for feature in collection["features"]:
        numbers = list(numbers_of(feature["geometry"]["coordinates"]))
        assert numbers
        for text in numbers:
            match = NUMBER.match(text)
            assert match, text  # no exponents
            assert len(match.group(2) or "") <= 6, text
        lons, lats = numbers[0::2], numbers[1::2]
        assert all(60 < float(lon) < 80 for lon in lons), feature["id"]  # Central Asia
        assert all(35 < float(lat) < 45 for lat in lats), feature["id"]


@pytest.mark.parametrize("url", URLS)
def test_every_geometry_is_valid(client, url):
    collection = json.loads(fetch(client, url))
    for feature in collection["features"]:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid, (feature["id"], shapely.is_valid_reason(geometry))
        assert not geometry.is_empty


@pytest.mark.parametrize("url", [u for u in URLS if "enclaves" in u])
def test_exterior_rings_run_counter_clockwise_and_holes_clockwise(client, url):
    # RFC 7946 section 3.1.6.
    collection = json.loads(fetch(client, url))
    rings = 0
    for feature in collection["features"]:
        for polygon in rings_of(feature["geometry"]):
            exterior, *holes = polygon
            assert exterior[0] == exterior[-1]
            assert signed_area(exterior) > 0, feature["id"]
            assert all(signed_area(hole) < 0 for hole in holes), feature["id"]
            rings += 1 + len(holes)
    assert rings >= 7


def test_a_single_ogc_feature_follows_the_same_rules(client):
    feature = json.loads(fetch(client, "/ogcapi/collections/enclaves/items/sokh"))
    assert "crs" not in feature
    assert all(signed_area(p[0]) > 0 for p in rings_of(feature["geometry"]))
    assert shape(feature["geometry"]).is_valid
