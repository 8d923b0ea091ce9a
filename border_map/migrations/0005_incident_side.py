from django.db import migrations, models


class Migration(migrations.Migration):
    """Each claim says whose account it is (data/incidents.json "side"); rows stored before get
    an empty side until load_data, which rewrites every incident from the file, fills it."""

    dependencies = [("border_map", "0004_place_kinds_river_and_area")]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="side",
            field=models.CharField(
                choices=[
                    ("kyrgyz_official", "Kyrgyz official"),
                    ("tajik_official", "Tajik official"),
                    ("joint_official", "Both governments, jointly"),
                    ("third_party", "Third party"),
                    ("media", "Media"),
                ],
                default="",
                max_length=20,
            ),
            preserve_default=False,
        ),
    ]
