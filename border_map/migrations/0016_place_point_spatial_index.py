"""Issue 11: (re)create SpatiaLite's spatial index on border_map_place.point.

A later migration rebuilt the table (SQLite ALTERs copy it), which dropped the R*Tree triggers
and left ``geometry_columns.spatial_index_enabled`` at 0. No-op on PostgreSQL (GiST index kept).
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT spatial_index_enabled FROM geometry_columns"
            " WHERE f_table_name = 'border_map_place' AND f_geometry_column = 'point'"
        )
        row = cursor.fetchone()
        if row is None:
            return
        if row[0] != 1:
            # The R*Tree left behind by the rebuild (empty) goes first: CreateSpatialIndex
            # would keep it but print "table ... already exists" on every new database.
            cursor.execute("DROP TABLE IF EXISTS idx_border_map_place_point")
            # Re-adds the triggers and an empty R*Tree.
            cursor.execute("SELECT CreateSpatialIndex('border_map_place', 'point')")
        # Fill the R*Tree from the rows (no_check=1: rebuild without validating first).
        cursor.execute("SELECT RecoverSpatialIndex('border_map_place', 'point', 1)")


class Migration(migrations.Migration):
    dependencies = [
        ("border_map", "0015_history_of_happening"),
    ]

    operations = [
        migrations.RunPython(create_index, migrations.RunPython.noop, elidable=False),
    ]
