"""Time bar benchmark (not a test): the counts behind /map/timeline.json (one GROUP BY query,
border_map.timeline) on synthetic published incidents in a PostGIS database of its own, at
the sizes given (1M by default), for the map's filter combinations; the median of repeated
runs of the query alone and of the whole view through Django's test client.

Run: ``.venv/bin/python bench/timeline_benchmark.py`` (``--help`` for options). It drops and
re-creates the database ``border_map_bench_timeline`` on the local PostgreSQL. Rows are made by
the database (generate_series): 1 incident per place up to 1,000 places, over two years.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from export_benchmark import create_database, setup_django  # noqa: E402

FILTERS = {
    "none": {},
    "type": {"type": "clash"},
    "claimant": {"claimed_by": "Tajik border guards"},
    "type+claimant": {"type": "gunfire", "claimed_by": "RFE/RL"},
    "bbox (a quarter)": {"bbox": "69,39,71,40.25"},
    "near_line_km": {"near_line_km": "5"},
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000", help="cumulative row counts")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--database", default="border_map_bench_timeline")
    parser.add_argument("--runs", type=int, default=15)
    return parser.parse_args()


def add_rows(first, last):
    """Incidents first+1..last (and their places, one per 1,000 incidents), by the database."""
    from django.db import connection

    from border_map.models import Incident, Place

    places, incidents = Place._meta.db_table, Incident._meta.db_table
    with connection.cursor() as cursor:
        # Loading a million rows takes longer than a request may (the app's statement timeout).
        cursor.execute("SET statement_timeout = 0")
        cursor.execute(
            f"""INSERT INTO {places} (slug, name, alternate_names, kind, point, country,
                  geocoder, precision_m, estimated, source, needs_review, review_note, name_ru,
                  territory, line, line_distance_km, enclave, nearest_enclave,
                  nearest_enclave_km, enclave_ru, nearest_enclave_ru)
                SELECT 'bench-' || g, 'Bench ' || g, '[]', 'settlement',
                  ST_SetSRID(ST_MakePoint(69 + random() * 4, 39 + random() * 2.5), 4326),
                  'KG', 'bench', 1000, false, 'synthetic', false, '', '', 'KG', 'KG-TJ',
                  random() * 50, '', 'Vorukh', random() * 80, '', ''
                FROM generate_series(1, 1000) g
                ON CONFLICT (slug) DO NOTHING"""
        )
        cursor.execute(f"SELECT min(id) FROM {places} WHERE slug LIKE 'bench-%%'")
        (first_place,) = cursor.fetchone()
        cursor.execute(
            f"""INSERT INTO {incidents} (slug, date, date_end, date_precision, title, type,
                  place_id, location_note, claimed_by, casualties, status, event_id, event_fields)
                SELECT 'bench-' || g, date '2021-01-01' + (random() * 730)::int, NULL, 'day',
                  'Synthetic incident ' || g,
                  (ARRAY['clash','gunfire','evacuation','casualties','negotiation'])[1 + g %% 5],
                  %s + g %% 1000, '',
                  (ARRAY['Kyrgyz border service','Tajik border guards','RFE/RL',
                         'Local officials'])[1 + g %% 4],
                  '', 'published', '', '{{}}'
                FROM generate_series(%s, %s) g""",
            [first_place, first + 1, last],
        )
        cursor.execute(f"VACUUM ANALYZE {places}")
        cursor.execute(f"VACUUM ANALYZE {incidents}")
        cursor.execute("RESET statement_timeout")


def median_ms(function, runs):
    function()  # warm the cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main():
    args = parse_args()
    create_database(args)
    setup_django(f"postgis://{args.user}@{args.host}:{args.port}/{args.database}")
    from django.db import connection
    from django.test import Client

    from border_map import filters, timeline

    client = Client(HTTP_HOST="127.0.0.1")
    done = 0
    for size in (int(s) for s in args.sizes.split(",")):
        add_rows(done, size)
        done = size
        print(f"\n{size:,} incidents (PostgreSQL {connection.pg_version // 10000})")
        print(f"{'filters':<18} {'query ms':>9} {'max':>7} {'view ms':>8} {'bins':>5} {'unit':>6}")
        for name, params in FILTERS.items():

            def query(params=params):
                return timeline.day_counts(filters.filtered_queryset("incidents", params))

            query_ms, query_max = median_ms(query, args.runs)

            def view(params=params):
                response = client.get("/map/timeline.json", params)
                assert response.status_code == 200, response.content
                return response

            view_ms, _ = median_ms(view, args.runs)
            body = view().json()
            print(
                f"{name:<18} {query_ms:9.1f} {query_max:7.1f} {view_ms:8.1f} "
                f"{len(body['bins']):5d} {body['unit']:>6}"
            )
    # The plan of the query with no filter, as the database runs it.
    counted = timeline.counts_query(filters.filtered_queryset("incidents", {}))
    sql, sql_params = counted.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
        print("\n" + "\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    os.environ.setdefault("BORDER_MAP_STATEMENT_TIMEOUT", "60")
    main()
