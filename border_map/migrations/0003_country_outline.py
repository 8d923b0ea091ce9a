"""Country.outline: each country's polygon simplified once for the map's backdrop, rather than
on every request. load_boundaries computes it (boundaries.outline); this fills existing rows the
same way, so that the column can be required."""

import django.contrib.gis.db.models.fields
from django.contrib.gis.geos import MultiPolygon
from django.db import migrations

# boundaries.OUTLINE_TOLERANCE when this migration was written (about 200 m).
TOLERANCE = 0.002


def fill_outlines(apps, schema_editor):
    Country = apps.get_model("border_map", "Country")
    for country in Country.objects.all():
        simple = country.geom.simplify(TOLERANCE, preserve_topology=True)
        if simple.geom_type == "Polygon":
            simple = MultiPolygon(simple, srid=simple.srid)
        country.outline = simple
        country.save(update_fields=["outline"])


class Migration(migrations.Migration):
    dependencies = [
        ("border_map", "0002_incident_order_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="country",
            name="outline",
            # Only for the rows already there, at once replaced by fill_outlines.
            field=django.contrib.gis.db.models.fields.MultiPolygonField(
                default="SRID=4326;MULTIPOLYGON EMPTY", srid=4326, spatial_index=False
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_outlines, migrations.RunPython.noop),
    ]
