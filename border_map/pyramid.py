"""The cluster pyramid: incidents counted per grid cell of each zoom level, by type and day
(models.ClusterCell), so that the clusters of one web-map tile cost the same at 1,000 or
10,000,000 incidents; and the summary every map page needs (claimants, date range), kept with it.

:func:`rebuild` recomputes both from the incidents, in the database (one ``INSERT … SELECT`` per
zoom level, each level from the one below it). The loaders call it (``load_incidents``,
``load_data``, the synthetic loader and its delete). Saving or deleting one incident through the
ORM (an editor publishing a claim, the admin) is incremental, in the save's transaction: what the
incident counted for before is taken off every level, what it counts for now is added, and the
summary (claimants, date range, version) follows (:func:`incident_saved`, :func:`incident_deleted`).
Saving or deleting a place (which moves all its incidents), a write while the summary is already
stale or missing, and any write inside :func:`bulk` (the loaders, which rebuild after) only mark the
summary stale, and :func:`current` rebuilds on the next read.

Cells are standard web-map (Web Mercator, "slippy map") tiles of zoom ``z + CELL_BITS``, so a
tile of zoom ``z`` holds 8 × 8 cells. The map draws each tile at 512 screen pixels (it asks for
the tiles of zoom ``z`` when it shows zoom ``z + 1``: a third of the requests 256-pixel tiles
would take), so a cell is 64 pixels on screen. Levels 0 to TOP_ZOOM are kept; a deeper tile,
down to DEEPEST, is counted from the top level's cells inside it (bigger on screen). Filters the
pyramid has no dimension for (claimant, spatial context) are grouped live from the incidents
inside the tile by the same cell expressions (:func:`live_cells`).
"""

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, FloatField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Cos, Floor, Ln, Pi, Radians, Tan
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from .exports import X, Y
from .filters import in_boxes
from .models import ClusterCell, DataSummary, Incident, Place

CELL_BITS = 3  # 2**3 = 8 cells across a tile drawn at 512 px: 64 px each
# Deepest level kept (its cells are tiles of zoom 14). At 1,000,000 incidents spread over the
# region the pyramid is about 196,000 rows, and a tile of zoom 12 holds about 2,000 incidents,
# one of zoom 13 about 560, one of zoom 14 about 140.
TOP_ZOOM = 11
# The deepest tile the pyramid can count: one of the top level's cells. Tiles of zoom
# TOP_ZOOM + 1 to DEEPEST are counted from the top level's cells inside them (border_map.tiles).
DEEPEST = TOP_ZOOM + CELL_BITS
MAX_ZOOM = 24
# Web Mercator's edge: latitudes beyond it are on no tile.
MAX_LAT = 85.0511287798066


def _mercator_x(lon: Any) -> Any:
    """Longitude as a fraction 0..1 of the world's width (west to east)."""
    return (lon + Value(180.0)) / Value(360.0)


def _mercator_y(lat: Any) -> Any:
    """Latitude as a fraction 0..1 of the world's height (north to south), as tiles count it."""
    phi = Radians(lat)
    stretched = Ln(Tan(phi) + Value(1.0) / Cos(phi), output_field=FloatField())
    return (Value(1.0) - stretched / Pi()) / Value(2.0)


def cell_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The tile (x, y) of zoom ``zoom`` holding a point, in Python (tests, checks)."""
    n = 2**zoom
    phi = math.radians(lat)
    x = math.floor((lon + 180.0) / 360.0 * n)
    y = math.floor((1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0 * n)
    return x, y


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a tile, in degrees."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def _incident_cells(queryset: QuerySet, cell_zoom: int) -> QuerySet:
    """Incidents annotated with the cell (cx, cy) of zoom ``cell_zoom`` holding their place."""
    n = Value(float(2**cell_zoom))
    return queryset.annotate(lon=X("place__point"), lat=Y("place__point")).annotate(
        cx=Floor(_mercator_x(F("lon")) * n),
        cy=Floor(_mercator_y(F("lat")) * n),
    )


def _counted(queryset: QuerySet) -> QuerySet:
    """The incidents of ``queryset`` a tile can show, annotated with their cell (cx, cy) of the
    top level, lon, lat and last day: what :func:`rebuild` groups and :func:`_contribution` reads
    for one incident, in one place so that the two cannot disagree."""
    return (
        _incident_cells(queryset, TOP_ZOOM + CELL_BITS)
        # Only incidents a tile can show: Web Mercator stops short of the poles.
        .filter(lat__gte=-MAX_LAT, lat__lte=MAX_LAT, lon__lt=180.0)
        .annotate(last=Coalesce("date_end", "date"))
    )


def _box(west: float, south: float, east: float, north: float) -> Any:
    from django.contrib.gis.geos import Polygon

    polygon = Polygon.from_bbox((west, south, east, north))
    polygon.srid = 4326
    return polygon


def rebuild(only_if_stale: bool = False) -> DataSummary:
    """Recompute the whole pyramid and the summary from the incidents, in one transaction.
    ``only_if_stale``: unless another process rebuilt it meanwhile (readers use it)."""
    table = ClusterCell._meta.db_table
    columns = "z, x, y, type, day, last_day, n, sum_lon, sum_lat"
    with transaction.atomic():
        lift_statement_timeout()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Two workers finding the summary stale at once rebuild one after the other,
                # and the second finds it rebuilt.
                cursor.execute("SELECT pg_advisory_xact_lock(8120110)")
        if only_if_stale:
            summary = DataSummary.objects.order_by("pk").first()
            if summary is not None and not summary.stale:
                return summary
        ClusterCell.objects.all()._raw_delete(ClusterCell.objects.db)
        base = (
            _counted(Incident.objects.published().order_by())
            .values("cx", "cy", "type", "date", "last")
            .annotate(count=Count("pk"), slon=Sum("lon"), slat=Sum("lat"))
            .values_list("cx", "cy", "type", "date", "last", "count", "slon", "slat")
        )
        select, params = base.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, cells.* FROM ({select}) AS cells",
                (TOP_ZOOM, *params),
            )
            for z in range(TOP_ZOOM - 1, -1, -1):
                # Each level from the one below: a cell is the four cells it splits into.
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "
                    "SELECT %s, x / 2, y / 2, type, day, last_day, SUM(n), SUM(sum_lon), "
                    f"SUM(sum_lat) FROM {table} WHERE z = %s "
                    "GROUP BY x / 2, y / 2, type, day, last_day",
                    (z, z + 1),
                )
        analyse(ClusterCell)
        return _summarise()


def lift_statement_timeout() -> None:
    """In the current transaction, no statement timeout: a rebuild or a bulk load reads or
    writes every incident, and the requests' timeout (settings) is not meant for it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")


def analyse(*models: Any) -> None:
    """Fresh planner statistics for tables a bulk load just grew or shrank (every loader calls
    it before :func:`rebuild`). PostgreSQL: with the old ones, the planner takes 100,000 rows
    for 40 and picks nested loops that run for minutes, until autovacuum catches up. SQLite
    keeps none until asked: without them it walks a tile's incidents from the status and date
    index rather than from the tile's places (a tile at 100,000 incidents 171 → 29 ms p95,
    bench/RESULTS.md). SQLite samples each index (analysis_limit): rougher row counts than a
    full ANALYZE, the same plans for the tiles measured."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def vacuum(*models: Any) -> None:
    """PostgreSQL, once a bulk load has committed: VACUUM sets the new rows' hint bits and
    visibility map now, which otherwise the first readers do (each writing the pages back: a
    tile read after a load of 1,000,000 incidents dirtied 236 pages, 8 ms instead of 2) and
    autovacuum later, under the readers. Does nothing inside a transaction, where VACUUM cannot
    run (the tests, a dry run), or on SQLite."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'VACUUM "{model._meta.db_table}"')


def _summarise() -> DataSummary:
    """The summary row, recomputed from the incidents, its version one up."""
    counted = (
        Incident.objects.published().order_by().values_list("claimed_by").annotate(n=Count("pk"))
    )
    summary = DataSummary.objects.select_for_update().order_by("pk").first() or DataSummary()
    summary.version += 1
    summary.stale = False
    summary.first_day, summary.last_day = _date_range()
    summary.claimants = _sorted_claimants(counted)
    summary.save()
    DataSummary.objects.exclude(pk=summary.pk).delete()
    return summary


def _date_range() -> tuple[dt.date | None, dt.date | None]:
    """(first day, last day) of the incidents the pyramid counts, from its top level (the
    fewest rows); (None, None) when it counts none."""
    days = ClusterCell.objects.filter(z=0).order_by()
    first = days.order_by("day").values_list("day", flat=True).first()
    last = days.order_by("-last_day").values_list("last_day", flat=True).first()
    return first, last


def _sorted_claimants(pairs: Iterable[tuple[str, int]]) -> list[list[Any]]:
    """(claimant, count) pairs as the summary keeps them: [name, count] sorted here, ignoring
    case, so that SQLite and PostgreSQL (whose collations differ) agree."""
    return sorted(([name, n] for name, n in pairs), key=lambda r: (r[0].casefold(), r[0]))


def current() -> DataSummary:
    """The summary (and so the pyramid) as of now: rebuilt first when a write made it stale."""
    summary = DataSummary.objects.order_by("pk").first()
    if summary is None or summary.stale:
        summary = rebuild(only_if_stale=True)
    return summary


def mark_stale(**kwargs: Any) -> None:
    """Signal receiver: a place was saved or deleted (or an incident, inside :func:`bulk`)."""
    DataSummary.objects.update(stale=True)


_bulk: ContextVar[bool] = ContextVar("pyramid_bulk", default=False)


@contextmanager
def bulk() -> Iterator[None]:
    """Inside it, saving or deleting an incident only marks the summary stale (no per-row
    work): for the loaders, which write many and rebuild after."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


# What one published incident counts for: its top-level cell (x, y), type, day, last day,
# lon, lat and claimant; None when it counts for nothing (not published, or on no tile).
Contribution = tuple[int, int, str, dt.date, dt.date, float, float, str] | None


def _contribution(pk: Any) -> Contribution:
    """What the stored incident ``pk`` counts for, read as :func:`rebuild` reads it."""
    if pk is None:
        return None
    row = (
        _counted(Incident.objects.published().filter(pk=pk).order_by())
        .values_list("cx", "cy", "type", "date", "last", "lon", "lat", "claimed_by")
        .first()
    )
    if row is None:
        return None
    cx, cy, kind, day, last, lon, lat, claimant = row
    return int(cx), int(cy), kind, day, last, lon, lat, claimant


def incident_before(sender: Any, instance: Incident, **kwargs: Any) -> None:
    """Signal receiver (pre_save, pre_delete): remember what the incident counted for."""
    if _bulk.get() or kwargs.get("raw"):
        return
    before = None if instance._state.adding else _contribution(instance.pk)
    instance._pyramid_before = before  # type: ignore[attr-defined]


def incident_saved(sender: Any, instance: Incident, **kwargs: Any) -> None:
    """Signal receiver (post_save): the pyramid and summary moved from what the incident
    counted for before to what it counts for now."""
    if _bulk.get() or kwargs.get("raw"):
        mark_stale()
        return
    _apply(getattr(instance, "_pyramid_before", None), _contribution(instance.pk))


def incident_deleted(sender: Any, instance: Incident, **kwargs: Any) -> None:
    """Signal receiver (post_delete): what the incident counted for taken off."""
    if _bulk.get():
        mark_stale()
        return
    _apply(getattr(instance, "_pyramid_before", None), None)


def _apply(before: Contribution, after: Contribution) -> None:
    """Take ``before`` off the pyramid and the summary and add ``after``, in one transaction
    (the save's, when it has one); left to :func:`current` when the summary is stale."""
    if before == after:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # After (or before) a rebuild running meanwhile, not in the middle of it.
                cursor.execute("SELECT pg_advisory_xact_lock(8120110)")
        summary = DataSummary.objects.select_for_update().order_by("pk").first()
        if summary is None or summary.stale:
            DataSummary.objects.update(stale=True)
            return
        counts = {name: n for name, n in summary.claimants}
        if before is not None:
            _add_cells(before, -1)
            counts[before[7]] = counts.get(before[7], 0) - 1
        if after is not None:
            _add_cells(after, +1)
            counts[after[7]] = counts.get(after[7], 0) + 1
        summary.first_day, summary.last_day = _date_range()
        summary.claimants = _sorted_claimants((name, n) for name, n in counts.items() if n > 0)
        summary.version += 1
        summary.save()


def _add_cells(
    contribution: tuple[int, int, str, dt.date, dt.date, float, float, str], sign: int
) -> None:
    """One incident added to (``sign`` 1) or taken off (-1) its cell at every level, in the
    same few statements whatever TOP_ZOOM, not one or two per level: adding is one upsert (a
    cell not there yet is inserted, one there counts one more); taking off is one UPDATE of
    its cells, then one DELETE of those it left empty."""
    cx, cy, kind, day, last, lon, lat, _claimant = contribution
    table = connection.ops.quote_name(ClusterCell._meta.db_table)
    cells = [(z, cx >> (TOP_ZOOM - z), cy >> (TOP_ZOOM - z)) for z in range(TOP_ZOOM + 1)]
    with connection.cursor() as cursor:
        if sign > 0:
            rows = ", ".join(["(%s, %s, %s, %s, %s, %s, 1, %s, %s)"] * len(cells))
            cursor.execute(
                f"INSERT INTO {table} (z, x, y, type, day, last_day, n, sum_lon, sum_lat) "
                f"VALUES {rows} ON CONFLICT (z, x, y, type, day, last_day) DO UPDATE SET "
                f"n = {table}.n + excluded.n, sum_lon = {table}.sum_lon + excluded.sum_lon, "
                f"sum_lat = {table}.sum_lat + excluded.sum_lat",
                [v for z, x, y in cells for v in (z, x, y, kind, day, last, lon, lat)],
            )
            return
        keys = " OR ".join(["(z = %s AND x = %s AND y = %s)"] * len(cells))
        where = f"type = %s AND day = %s AND last_day = %s AND ({keys})"
        params: list[Any] = [kind, day, last, *(v for cell in cells for v in cell)]
        cursor.execute(
            f"UPDATE {table} SET n = n - 1, sum_lon = sum_lon - %s, sum_lat = sum_lat - %s "
            f"WHERE {where}",
            [lon, lat, *params],
        )
        cursor.execute(f"DELETE FROM {table} WHERE n <= 0 AND {where}", params)


def connect_signals() -> None:
    """Called from AppConfig.ready: a saved or deleted incident updates the pyramid, a saved or
    deleted place makes it stale."""
    post_save.connect(mark_stale, sender=Place, dispatch_uid="pyramid-save-Place")
    post_delete.connect(mark_stale, sender=Place, dispatch_uid="pyramid-delete-Place")
    pre_save.connect(incident_before, sender=Incident, dispatch_uid="pyramid-before-save-Incident")
    pre_delete.connect(
        incident_before, sender=Incident, dispatch_uid="pyramid-before-delete-Incident"
    )
    post_save.connect(incident_saved, sender=Incident, dispatch_uid="pyramid-save-Incident")
    post_delete.connect(incident_deleted, sender=Incident, dispatch_uid="pyramid-delete-Incident")


def tile_cells(
    z: int,
    x: int,
    y: int,
    types: Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[list[Any]]:
    """The clusters of tile z/x/y from the pyramid (z ≤ DEEPEST): [lon, lat, count, {type:
    count}] per cell with incidents, those of ``types`` (all when empty) that overlap the days
    ``start``..``end`` (either open). A tile deeper than TOP_ZOOM gets the top level's cells
    inside it: exact counts in bigger clusters (128 px on screen at TOP_ZOOM + 1, one cluster
    at DEEPEST)."""
    level = min(z, TOP_ZOOM)
    bits = CELL_BITS - (z - level)  # a tile is 2**bits cells across (z > DEEPEST: no shift)
    first_x, first_y = x << bits, y << bits
    side = 1 << bits
    cells = _matching(
        ClusterCell.objects.filter(
            z=level, x__gte=first_x, x__lt=first_x + side, y__gte=first_y, y__lt=first_y + side
        ),
        types,
        start,
        end,
    )
    rows = (
        cells.order_by()
        .values("x", "y", "type")
        .annotate(count=Sum("n"), slon=Sum("sum_lon"), slat=Sum("sum_lat"))
    )
    return _merge((r["x"], r["y"], r["type"], r["count"], r["slon"], r["slat"]) for r in rows)


def _matching(
    cells: QuerySet, types: Iterable[str], start: dt.date | None, end: dt.date | None
) -> QuerySet:
    """The cells' rows of ``types`` (all when empty) that overlap the days start..end."""
    if types:
        cells = cells.filter(type__in=list(types))
    if end is not None:
        cells = cells.filter(day__lte=end)
    if start is not None:
        cells = cells.filter(last_day__gte=start)
    return cells


def count_inside(
    boxes: Iterable[tuple[float, float, float, float]],
    level: int,
    types: Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> int:
    """How many incidents (of ``types``, overlapping the days start..end) the cells of
    ``level`` lying wholly inside the boxes (west, south, east, north) hold: at most as many
    as the boxes hold, read from the pyramid (a few hundred cells for a map's view)."""
    n = 2 ** (level + CELL_BITS)
    total = 0
    for west, south, east, north in boxes:
        north, south = min(north, MAX_LAT), max(south, -MAX_LAT)
        if south >= north:
            continue
        lat_y = [
            (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
            for lat in (north, south)
        ]
        x0, x1 = math.ceil((west + 180.0) / 360.0 * n), math.floor((east + 180.0) / 360.0 * n)
        y0, y1 = math.ceil(lat_y[0]), math.floor(lat_y[1])
        if x0 >= x1 or y0 >= y1:
            continue
        cells = ClusterCell.objects.filter(z=level, x__gte=x0, x__lt=x1, y__gte=y0, y__lt=y1)
        total += _matching(cells, types, start, end).aggregate(n=Sum("n"))["n"] or 0
    return total


def live_cells(queryset: QuerySet, z: int, x: int, y: int) -> list[list[Any]]:
    """The clusters of tile z/x/y grouped live from ``queryset`` (incidents, already filtered):
    the same cells and answer as :func:`tile_cells`."""
    cell_zoom = z + CELL_BITS
    first_x, first_y = x << CELL_BITS, y << CELL_BITS
    side = 1 << CELL_BITS
    rows = (
        _incident_cells(in_tile(queryset, z, x, y).order_by(), cell_zoom)
        .filter(cx__gte=first_x, cx__lt=first_x + side, cy__gte=first_y, cy__lt=first_y + side)
        .values("cx", "cy", "type")
        .annotate(count=Count("pk"), slon=Sum("lon"), slat=Sum("lat"))
    )
    return _merge((r["cx"], r["cy"], r["type"], r["count"], r["slon"], r["slat"]) for r in rows)


def in_tile(queryset: QuerySet, z: int, x: int, y: int) -> QuerySet:
    """Incidents whose place lies in tile z/x/y: the tile's box (which the spatial index
    serves), then exactly the tile's cells, so that an edge belongs to one tile only."""
    west, south, east, north = tile_bounds(z, x, y)
    pad = 1e-9  # the box is only the index's first cut; the cells decide
    box = _box(west - pad, max(south - pad, -90.0), east + pad, min(north + pad, 90.0))
    boxed = in_boxes(queryset, "place__point", [box])
    n = Value(float(2**z))
    return boxed.annotate(
        tx=Floor(_mercator_x(X("place__point")) * n), ty=Floor(_mercator_y(Y("place__point")) * n)
    ).filter(tx=x, ty=y)


def _merge(rows: Iterable[tuple[Any, Any, str, int, float, float]]) -> list[list[Any]]:
    """Rows per (cell, type) as one cluster per cell: [lon, lat, count, {type: count}]."""
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for cx, cy, kind, count, slon, slat in rows:
        cell = cells.setdefault((int(cx), int(cy)), {"n": 0, "lon": 0.0, "lat": 0.0, "by": {}})
        cell["n"] += count
        cell["lon"] += slon
        cell["lat"] += slat
        cell["by"][kind] = cell["by"].get(kind, 0) + count
    return [
        [round(c["lon"] / c["n"], 6), round(c["lat"] / c["n"], 6), c["n"], c["by"]]
        for _key, c in sorted(cells.items())
        if c["n"]
    ]


def day_counts(
    types: Iterable[str] = (), start: dt.date | None = None, end: dt.date | None = None
) -> list[tuple[dt.date, str, int]]:
    """(first day, type, count) of the incidents of ``types`` (all when empty) overlapping
    ``start``..``end`` (either open), from the pyramid's top level in one query, as
    timeline.day_counts counts them live: the time bar's counts when it has no other filter.
    The claimant, the side and the rest are not dimensions of the pyramid."""
    cells = _matching(ClusterCell.objects.filter(z=0), types, start, end)
    rows = cells.order_by("day", "type").values("day", "type").annotate(count=Sum("n"))
    return [(row["day"], row["type"], row["count"]) for row in rows]


def summary_claimants(summary: DataSummary) -> list[Mapping[str, Any]]:
    """The summary's claimants as the claimant endpoint answers them."""
    return [{"name": name, "count": n} for name, n in summary.claimants]
