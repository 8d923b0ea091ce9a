"""Reviewed data in git: `manage.py dump_reviewed` writes the published claims, their articles
and places back to data/, and `manage.py load_data` (run by every `make run`) never overwrites
or deletes what editors changed in the database since the files were last loaded."""

import io
import json
import shutil

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command

from border_map.models import Article, Event, Excerpt, Incident, LoadedRecord, Mention, Place
from border_map.paths import DATA_DIR
from tests import seed
from tests.test_acled import ROWS, acled_csv

pytestmark = pytest.mark.django_db

REVIEWED = ("incidents.json", "gazetteer.csv", "actors.json")
FIRST = seed.INCIDENTS[0]["slug"]


def data_copy(tmp_path):
    """A copy of the reviewed files of data/ to load from and dump into."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR / "articles", folder / "articles")
    for name in REVIEWED:
        shutil.copy(DATA_DIR / name, folder / name)
    return folder


def load(folder, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("load_data", data_dir=str(folder), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def dump(folder):
    out = io.StringIO()
    call_command("dump_reviewed", data_dir=str(folder), stdout=out)
    return out.getvalue()


def edit_file(folder, slug, **fields):
    path = folder / "incidents.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    for item in items:
        if item["slug"] == slug:
            item.update(fields)
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2), encoding="utf-8")
    return items


def claims():
    """Every published claim as the public map has it, with its place and its words."""
    return sorted(
        (
            i.slug,
            str(i.date),
            str(i.date_end),
            i.date_precision,
            i.title,
            i.type,
            i.claimed_by,
            i.casualties,
            i.location_note,
            i.event_id,
            json.dumps(i.event_fields, sort_keys=True),
            i.place.name,
            i.place.name_ru,
            i.place.kind,
            i.place.geocoder,
            i.place.source,
            i.place.precision_m,
            i.place.estimated,
            i.place.territory,
            (round(i.place.point.x, 6), round(i.place.point.y, 6)),
            tuple((e.article.slug, e.start, e.end, e.text) for e in i.excerpts.order_by("start")),
        )
        for i in Incident.objects.published().select_related("place")
    )


def test_dumping_the_seed_gives_back_data_byte_for_byte(tmp_path):
    folder = data_copy(tmp_path)
    out = dump(folder)
    assert "0 files changed" in out
    # Into an empty folder too: the same incidents (in date order) and article files.
    empty = tmp_path / "empty"
    dump(empty)
    dumped = json.loads((empty / "incidents.json").read_text(encoding="utf-8"))
    assert sorted(dumped, key=lambda i: i["slug"]) == sorted(
        seed.INCIDENTS, key=lambda i: i["slug"]
    )
    for path in (DATA_DIR / "articles").iterdir():
        if path.suffix == ".txt":
            assert (empty / "articles" / path.name).read_bytes() == path.read_bytes()


def test_dump_then_load_into_an_empty_database_gives_the_same_map(tmp_path):
    """Imported events (a new place in Cyrillic, notes with quotes and line breaks), published,
    and an edited seed claim: dumped, then loaded from the files alone into a database with no
    articles, places or claims, they come back the same."""
    given = tmp_path / "acled.csv"
    given.write_text(acled_csv(), encoding="utf-8", newline="")
    call_command("import_acled", str(given), verbosity=0)
    Incident.objects.filter(event_id__in=[r["event_id_cnty"] for r in ROWS]).update(
        status="published"
    )
    Incident.objects.filter(slug=FIRST).update(title="Edited by an editor: «Кок-Таш»")
    before = claims()
    folder = data_copy(tmp_path)
    dump(folder)
    gazetteer = (folder / "gazetteer.csv").read_text(encoding="utf-8")
    assert "Хоҷаи Аъло" in gazetteer and "Kok-Tash" in gazetteer

    for model in (Incident, Event, Excerpt, Mention, Article, Place, LoadedRecord):
        model.objects.all().delete()
    _, err = load(folder, verbosity=0)
    assert err == ""
    assert claims() == before
    assert Incident.objects.filter(status="draft").count() == 0


def test_a_claim_edited_in_the_database_and_changed_in_the_file_keeps_the_edit(tmp_path):
    folder = data_copy(tmp_path)
    Incident.objects.filter(slug=FIRST).update(title="The editor's title")
    items = edit_file(folder, FIRST, title="The file's new title")
    new = {**items[1], "slug": "a-claim-new-in-the-file", "title": "New in the file"}
    (folder / "incidents.json").write_text(json.dumps([*items, new]), encoding="utf-8")
    out, err = load(folder, verbosity=1)
    assert Incident.objects.get(slug=FIRST).title == "The editor's title"
    assert f"CONFLICT {FIRST}: edited in the database and changed in" in out
    assert FIRST in err and "kept as they are" in err
    assert Incident.objects.get(slug="a-claim-new-in-the-file").title == "New in the file"


def test_a_claim_edited_in_the_database_is_kept_quietly_while_the_file_is_unchanged(tmp_path):
    folder = data_copy(tmp_path)
    Incident.objects.filter(slug=FIRST).update(status="rejected")
    out, err = load(folder, verbosity=1)
    assert Incident.objects.get(slug=FIRST).status == "rejected"
    assert f"kept {FIRST}: edited in the database" in out and err == ""
    # ... and stays kept on every later load.
    load(folder, verbosity=0)
    assert Incident.objects.get(slug=FIRST).status == "rejected"


def test_a_change_in_the_file_reaches_a_claim_nobody_edited(tmp_path):
    folder = data_copy(tmp_path)
    edit_file(folder, FIRST, title="The file's new title")
    _, err = load(folder, verbosity=0)
    assert Incident.objects.get(slug=FIRST).title == "The file's new title" and err == ""


def test_claims_drafted_or_imported_in_the_database_survive_load_data(tmp_path):
    given = tmp_path / "acled.csv"
    given.write_text(acled_csv(), encoding="utf-8", newline="")
    call_command("import_acled", str(given), verbosity=0)
    drafts = Incident.objects.filter(status="draft").count()
    assert drafts == 3
    load(data_copy(tmp_path), verbosity=0)
    assert Incident.objects.filter(status="draft").count() == drafts


def test_a_claim_deleted_in_the_database_is_not_added_again(tmp_path):
    Incident.objects.filter(slug=FIRST).delete()
    out, _ = load(data_copy(tmp_path), verbosity=1)
    assert not Incident.objects.filter(slug=FIRST).exists()
    assert f"CONFLICT {FIRST}: deleted in the database" in out


def test_an_edited_claim_the_file_dropped_is_kept_and_reported(tmp_path):
    folder = data_copy(tmp_path)
    Incident.objects.filter(slug=FIRST).update(title="The editor's title")
    items = json.loads((folder / "incidents.json").read_text(encoding="utf-8"))
    (folder / "incidents.json").write_text(json.dumps(items[1:]), encoding="utf-8")
    out, _ = load(folder, verbosity=1)
    assert Incident.objects.get(slug=FIRST).title == "The editor's title"
    assert f"CONFLICT {FIRST}: edited in the database and gone from" in out


def test_a_place_an_editor_moved_stays_where_the_editor_put_it(tmp_path):
    place = Place.objects.get(name="Golovnoi")
    place.point = Point(70.54, 39.95, srid=4326)
    place.precision_m = 500
    place.save()
    _, err = load(data_copy(tmp_path), verbosity=0)
    place.refresh_from_db()
    assert (round(place.point.x, 6), round(place.point.y, 6), place.precision_m) == (
        70.54,
        39.95,
        500,
    )
    assert err == ""


def test_an_article_edited_in_the_database_is_not_overwritten(tmp_path):
    slug = seed.ARTICLES[0].stem
    Article.objects.filter(slug=slug).update(title="An editor's better title")
    folder = data_copy(tmp_path)
    meta_path = folder / "articles" / f"{slug}.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "title": "The file's title"}), encoding="utf-8")
    out, err = load(folder, verbosity=1)
    assert Article.objects.get(slug=slug).title == "An editor's better title"
    assert f"article {slug}" in err


def test_a_field_the_files_gained_since_the_last_load_is_not_taken_for_an_edit(tmp_path):
    """As when a release adds a field to the incidents file: the record of the last load does
    not have it, the database holds its default, the file a value; the file's value is loaded,
    and nothing is reported."""
    record = LoadedRecord.objects.get(kind="incident", key=FIRST)
    del record.said["casualties"]
    record.save()
    Incident.objects.filter(slug=FIRST).update(casualties="")
    folder = data_copy(tmp_path)
    edit_file(folder, FIRST, casualties="A figure the new format gives")
    _, err = load(folder, verbosity=0)
    assert Incident.objects.get(slug=FIRST).casualties == "A figure the new format gives"
    assert err == ""
    assert "casualties" in LoadedRecord.objects.get(kind="incident", key=FIRST).said
