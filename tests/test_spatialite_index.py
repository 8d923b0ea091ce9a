"""Issue 11: on SpatiaLite, bbox filters on places ask the R*Tree idx_border_map_place_point
(filters.in_boxes), which migration 0016 (re)creates; results are the same as without it."""

import json
import math
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.db import connection

from border_map import filters, pyramid
from border_map.models import Incident, Place

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="SpatiaLite only: PostGIS filters bboxes through its GiST index by itself",
    ),
]

BBOXES = ["-180,-90,180,90", "60,30,80,45", "70.5,39.9,70.55,39.96", "170,-10,-170,10"]


def tile_of(lon, lat, z):
    n = 2**z
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2
    return int((lon + 180) / 360 * n), int(y * n)


def listed_ids(client, url):
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return sorted(f["id"] for f in json.loads(body)["features"])


def all_ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


def without_index(monkeypatch):
    monkeypatch.setattr(filters, "_PLACE_POINT_KEYS", {})


def test_the_spatial_index_is_enabled_and_kept_by_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT spatial_index_enabled FROM geometry_columns"
            " WHERE f_table_name = 'border_map_place' AND f_geometry_column = 'point'"
        )
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT count(*) FROM idx_border_map_place_point")
        assert cursor.fetchone()[0] == Place.objects.count() > 0
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            " AND tbl_name = 'border_map_place' AND name LIKE 'gi_\\_border_map_place_point'"
            " ESCAPE '\\'"
        )
        assert {name for (name,) in cursor.fetchall()} == {
            "gii_border_map_place_point",
            "giu_border_map_place_point",
            "gid_border_map_place_point",
        }


@pytest.mark.parametrize("bbox", BBOXES)
@pytest.mark.parametrize("layer", ["incidents", "places"])
def test_a_bbox_gives_the_same_rows_with_and_without_the_index(layer, bbox, monkeypatch):
    with_index = all_ids(filters.filtered_queryset(layer, {"bbox": bbox}))
    without_index(monkeypatch)
    assert all_ids(filters.filtered_queryset(layer, {"bbox": bbox})) == with_index


def test_the_bbox_list_gives_the_same_incidents_with_and_without_the_index(client, monkeypatch):
    url = "/api/incidents.geojson?bbox=60,30,80,45&limit=10000"
    with_index = listed_ids(client, url)
    assert with_index
    without_index(monkeypatch)
    assert listed_ids(client, url) == with_index


def test_a_tile_gives_the_same_incidents_with_and_without_the_index(monkeypatch):
    tiles = set()
    for place in Place.objects.all():
        for z in (0, 5, 10, 13):
            tiles.add((z, *tile_of(place.point.x, place.point.y, z)))
    found = {tile: all_ids(pyramid.in_tile(Incident.objects.all(), *tile)) for tile in tiles}
    assert sum(len(ids) for (z, *_), ids in found.items() if z == 0) == Incident.objects.count()
    without_index(monkeypatch)
    for tile, ids in found.items():
        assert all_ids(pyramid.in_tile(Incident.objects.all(), *tile)) == ids, tile


def test_a_place_moved_through_the_orm_is_found_at_its_new_place():
    place = Place.objects.filter(incidents__isnull=False).first()
    place.point = Point(-120.5, -45.5, srid=4326)
    place.save()
    far = filters.filtered_queryset("incidents", {"bbox": "-121,-46,-120,-45"})
    assert set(far.values_list("place", flat=True)) == {place.pk}
    assert place.pk not in filters.filtered_queryset("places", {"bbox": "60,30,80,45"}).values_list(
        "pk", flat=True
    )


def test_the_list_query_plan_uses_the_rtree():
    queryset = filters.filtered_queryset("incidents", {"bbox": "60,30,80,45"})
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "idx_border_map_place_point" in plan, plan


@pytest.mark.parametrize("load", ["synthetic", "incidents file"])
def test_a_load_leaves_planner_statistics_for_incidents_and_places(load):
    """SQLite keeps no statistics until ANALYZE: without them a tile's incidents are walked from
    the wrong index (bench/RESULTS.md). Every loader makes them."""
    if load == "synthetic":
        call_command("load_synthetic_incidents", "20", verbosity=0)
    else:
        call_command(
            "load_incidents", str(settings.BASE_DIR / "data" / "incidents.json"), verbosity=0
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        tables = {row[0] for row in cursor.fetchall()}
    assert {Incident._meta.db_table, Place._meta.db_table} <= tables, tables


def test_migrating_a_new_database_prints_nothing(tmp_path):
    """Migration 0016 re-creates the R*Tree without SpatiaLite's "table already exists" noise."""
    env = {**os.environ, "SPATIALITE_FILE": str(tmp_path / "new.sqlite3")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""
