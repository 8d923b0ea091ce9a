"""ACLED-format event data: `manage.py import_acled` turns a CSV into draft claims (a bad file
changes nothing, a second import changes nothing), and `manage.py export_acled` and
`/api/incidents.csv?columns=acled` give the published claims back in the same columns."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from border_map import acled
from border_map.models import Article, Excerpt, Incident, Place
from tests import seed

pytestmark = pytest.mark.django_db

HEADER = list(acled.COLUMNS)
KOK_TASH_NOTES = (
    "On 29 April 2021, Kyrgyz and Tajik forces exchanged fire near Кок-Таш (Batken) over the "
    '"Golovnoi" water facility, "stones, then guns"; 2 killed.\nSecond line, <b>bold</b>.'
)
ROWS = [
    {
        "event_id_cnty": "KGZ1001",
        "event_date": "2021-04-29",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Kyrgyzstan (2017-)",
        "actor2": "Military Forces of Tajikistan (2020-)",
        "country": "Kyrgyzstan",
        "admin1": "Batken",
        "admin2": "Batken",
        "admin3": "Ak-Sai",
        # The seed's Kok-Tash, spelled in Cyrillic, 30 m from its point.
        "location": "Кок-Таш",
        "latitude": "39.9497",
        "longitude": "70.5361",
        "geo_precision": "1",
        "source": "24.kg; Азаттык",
        "notes": KOK_TASH_NOTES,
        "fatalities": "2",
    },
    {
        "event_id_cnty": "KGZ1002",
        "event_date": "29 April 2021",  # ACLED's older date format
        "event_type": "Strategic developments",
        "sub_event_type": "Agreement",
        "actor1": "Government of Kyrgyzstan (2017-)",
        "actor2": "Government of Tajikistan (2020-)",
        "country": "Kyrgyzstan",
        "admin1": "Batken",
        "admin2": "Batken",
        "admin3": "",
        "location": "Kyzyl-Bel",
        "latitude": "40.106233",
        "longitude": "70.686802",
        "geo_precision": "2",
        "source": "AKIpress",
        "notes": "Delegations agreed to withdraw troops from the Kyzyl-Bel checkpoint.",
        "fatalities": "0",
    },
    {
        "event_id_cnty": "KGZ1003",
        "event_date": "2021-05-02",
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
        "actor1": "Protesters (Kyrgyzstan)",
        "actor2": "",
        "country": "Kyrgyzstan",
        "admin1": "Bishkek",
        "admin2": "",
        "admin3": "",
        "location": "Bishkek",
        "latitude": "42.87",
        "longitude": "74.59",
        "geo_precision": "1",
        "source": "Kloop",
        "notes": "People protested in Bishkek.",
        "fatalities": "0",
    },
    {
        "event_id_cnty": "TJK2001",
        "event_date": "2021-04-30",
        "event_type": "Violence against civilians",
        "sub_event_type": "Attack",
        "actor1": "Unidentified Armed Group (Kyrgyzstan)",
        "actor2": "Civilians (Tajikistan)",
        "country": "Tajikistan",
        "admin1": "Sughd",
        "admin2": "Isfara",
        "admin3": "",
        # No stored place: a new one, in Tajik Cyrillic (slugify keeps none of it).
        "location": "Хоҷаи Аъло",
        "latitude": "40.13",
        "longitude": "70.61",
        "geo_precision": "3",
        "source": "Asia-Plus",
        "notes": "An armed group attacked villagers near Хоҷаи Аъло; <script>x</script>.",
        "fatalities": "",
    },
]


def acled_csv(rows=ROWS, header=HEADER, extra=None):
    """The rows as an ACLED CSV, with any extra columns ACLED's downloads carry."""
    buffer = io.StringIO()
    columns = [*header, *(extra or [])]
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**dict.fromkeys(extra or [], "417"), **row})
    return buffer.getvalue()


def write(tmp_path, text, name="acled.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def run(path, **options):
    out = io.StringIO()
    call_command("import_acled", str(path), stdout=out, **options)
    return out.getvalue()


def snapshot():
    return (
        list(Incident.objects.values_list("slug", "status", "title", "claimed_by", "date")),
        list(Place.objects.values_list("slug", "name", "precision_m")),
        list(Article.objects.values_list("slug", "text")),
        Excerpt.objects.count(),
    )


def test_each_event_becomes_a_draft_claim_by_its_source_quoting_its_notes(tmp_path):
    out = run(write(tmp_path, acled_csv(extra=["iso", "timestamp"])))
    assert "3 draft claims created" in out
    claim = Incident.objects.get(event_id="KGZ1001")
    assert claim.status == Incident.Status.DRAFT
    assert claim.claimed_by == "24.kg; Азаттык"
    assert claim.type == Incident.Type.CLASH
    assert str(claim.date) == "2021-04-29" and claim.date_precision == "day"
    assert claim.casualties == "2 fatalities"
    assert claim.event_fields["actor2"] == "Military Forces of Tajikistan (2020-)"
    # The notes, verbatim, are an article of their own, quoted whole.
    (excerpt,) = claim.excerpts.all()
    assert excerpt.article.slug == "acled-kgz1001" and excerpt.article.outlet == "ACLED"
    assert excerpt.article.text == KOK_TASH_NOTES
    assert (excerpt.start, excerpt.end) == (0, len(KOK_TASH_NOTES))
    assert excerpt.article.text[excerpt.start : excerpt.end] == excerpt.text
    assert Incident.objects.get(event_id="KGZ1002").type == Incident.Type.NEGOTIATION
    assert Incident.objects.get(event_id="TJK2001").casualties == ""  # not stated


def test_a_draft_is_not_on_the_public_map_or_in_the_api(tmp_path, client):
    run(write(tmp_path, acled_csv()))
    ids = [f["id"] for f in client.get("/api/incidents.geojson").json()["features"]]
    assert len(ids) == len(seed.INCIDENTS)
    assert not any(i.startswith("acled-") for i in ids)


def test_an_event_at_a_stored_place_spelled_in_cyrillic_is_at_that_place(tmp_path):
    places = Place.objects.count()
    run(write(tmp_path, acled_csv()))
    assert Incident.objects.get(event_id="KGZ1001").place.name == "Kok-Tash"
    assert Incident.objects.get(event_id="KGZ1002").place.name == "Kyzyl-Bel"
    assert Place.objects.count() == places + 1


def test_an_event_at_no_stored_place_gets_a_new_place_with_acled_as_its_source(tmp_path):
    run(write(tmp_path, acled_csv()))
    place = Incident.objects.get(event_id="TJK2001").place
    assert place.name == "Хоҷаи Аъло" and place.name_ru == ""  # Tajik, not Russian, letters
    assert place.slug == "khochai-aielo" and "Khochai Alo" in place.alternate_names
    assert place.geocoder == "acled"
    assert place.source.startswith("estimated: ACLED TJK2001: Хоҷаи Аъло (Isfara, Sughd, Tajik")
    assert "geo_precision 3" in place.source
    assert (place.precision_m, place.estimated, place.kind) == (50_000, True, "region")
    assert (round(place.point.y, 6), round(place.point.x, 6)) == (40.13, 70.61)
    assert place.country == "TJ" and place.territory == "TJ"  # computed, as for every place


def test_events_of_types_the_map_has_none_for_are_left_out_and_counted(tmp_path):
    out = run(write(tmp_path, acled_csv()))
    assert "not imported: 1 event(s) of Protests / Peaceful protest" in out
    assert not Incident.objects.filter(event_id="KGZ1003").exists()


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    path = write(tmp_path, acled_csv())
    run(path)
    before = snapshot()
    out = run(path)
    assert "0 draft claims created, 0 updated, 3 unchanged" in out and "0 new places" in out
    assert snapshot() == before


def test_a_changed_row_updates_its_draft_but_never_a_claim_an_editor_reviewed(tmp_path):
    run(write(tmp_path, acled_csv()))
    Incident.objects.filter(event_id="KGZ1002").update(status=Incident.Status.PUBLISHED)
    changed = [{**row, "notes": row["notes"] + " Updated.", "fatalities": "5"} for row in ROWS]
    out = run(write(tmp_path, acled_csv(changed), "changed.csv"))
    assert "2 updated" in out and "1 already reviewed" in out
    draft = Incident.objects.get(event_id="KGZ1001")
    assert draft.excerpts.get().text == KOK_TASH_NOTES + " Updated."
    assert draft.casualties == "5 fatalities"
    published = Incident.objects.get(event_id="KGZ1002")
    assert published.status == "published" and published.casualties == "0 fatalities"
    assert not published.excerpts.get().text.endswith("Updated.")


def test_a_dry_run_writes_nothing(tmp_path):
    before = snapshot()
    out = run(write(tmp_path, acled_csv()), dry_run=True)
    assert "3 draft claims created" in out and "Dry run" in out
    assert snapshot() == before


def test_an_upload_with_a_byte_order_mark_imports_like_the_file():
    upload = io.BytesIO(("\ufeff" + acled_csv()).encode("utf-8"))
    report = acled.import_acled(upload)
    assert sorted(report.created) == ["KGZ1001", "KGZ1002", "TJK2001"]


def replace(row_number, **cells):
    rows = [dict(row) for row in ROWS]
    rows[row_number].update(cells)
    return acled_csv(rows)


BAD_FILES = {
    "missing column": (acled_csv(header=[c for c in HEADER if c != "notes"]), "missing column"),
    "bad date": (replace(1, event_date="2021-02-30"), "row 3 (KGZ1002): event_date '2021-02-30'"),
    "latitude": (replace(0, latitude="91"), "row 2 (KGZ1001): latitude 91 is outside -90..90"),
    "longitude": (replace(3, longitude="east"), "longitude 'east' is not a number"),
    "infinite": (replace(3, longitude="inf"), "longitude inf is outside"),
    "duplicate": (
        replace(3, event_id_cnty="KGZ1001"),
        "row 5: event_id_cnty 'KGZ1001' is also in row 2",
    ),
    "precision": (replace(0, geo_precision="4"), "geo_precision '4' is not 1, 2 or 3"),
    "fatalities": (replace(0, fatalities="-1"), "fatalities '-1' is not a whole number"),
    "no notes": (replace(2, notes="  "), "row 4 (KGZ1003): notes is empty"),
    "no id": (replace(2, event_id_cnty=""), "row 4 (no id): event_id_cnty is empty"),
    "short row": (acled_csv() + "KGZ9,2021-04-29,Battles\r\n", "row 6: 17 columns in the header"),
    "no rows": (acled_csv(rows=[]), "no events in the file"),
    "empty": ("", "missing column"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_whole_with_the_row_and_problem_named(tmp_path, case):
    text, message = BAD_FILES[case]
    run(write(tmp_path, acled_csv(), "good.csv"))  # a first import: a bad one must not touch it
    before = snapshot()
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(write(tmp_path, text))
    assert snapshot() == before


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(acled_csv().encode("utf-8").replace("Кок".encode(), b"\xca\xee\xea"))
    before = snapshot()
    with pytest.raises(CommandError, match="not UTF-8"):
        run(path)
    assert snapshot() == before


def published_import(tmp_path):
    run(write(tmp_path, acled_csv()))
    Incident.objects.filter(event_id__in=["KGZ1001", "KGZ1002", "TJK2001"]).update(
        status=Incident.Status.PUBLISHED
    )


def exported(**options):
    out = io.StringIO()
    call_command("export_acled", stdout=out, **options)
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


def test_export_gives_an_imported_event_back_in_its_own_columns(tmp_path):
    published_import(tmp_path)
    rows = {row["event_id_cnty"]: row for row in exported()}
    for given in (ROWS[1], ROWS[3]):
        row = rows[given["event_id_cnty"]]
        # ACLED's older date comes back as YYYY-MM-DD; the point as the place's, to 6 decimals.
        assert row == {**given, "event_date": row["event_date"]}, given["event_id_cnty"]
    assert rows["KGZ1002"]["event_date"] == "2021-04-29"
    kok_tash = rows["KGZ1001"]
    assert kok_tash["notes"] == KOK_TASH_NOTES and kok_tash["fatalities"] == "2"
    # The stored place it was matched to, by its name on the map and its own point.
    assert (kok_tash["location"], kok_tash["latitude"]) == ("Kok-Tash", "39.949722")


def test_export_holds_published_claims_only():
    Incident.objects.filter(slug=seed.INCIDENTS[0]["slug"]).update(status="draft")
    ids = [row["event_id_cnty"] for row in exported()]
    assert len(ids) == len(seed.INCIDENTS) - 1
    assert seed.INCIDENTS[0]["slug"] not in ids


def test_the_seed_claims_exported_and_imported_into_an_empty_map_are_the_same_claims():
    """Export, take every claim off the map, import the file: each claim comes back with its
    day, type, claimant, place and words (its excerpts, joined). ACLED has one day per event:
    a range comes back as its first day, and casualties only as a figure."""

    def claims():
        return sorted(
            (
                str(i.date),
                i.type,
                i.claimed_by,
                i.place.name,
                "\n\n".join(e.text for e in i.excerpts.order_by("article_id", "start")),
            )
            for i in Incident.objects.published()
        )

    before = claims()
    path = io.StringIO()
    call_command("export_acled", stdout=path)
    Incident.objects.all().delete()
    report = acled.import_acled(io.BytesIO(path.getvalue().encode("utf-8")))
    assert len(report.created) == len(seed.INCIDENTS) and not report.new_places
    Incident.objects.update(status=Incident.Status.PUBLISHED)
    assert claims() == before


def test_export_writes_a_file_with_o(tmp_path):
    published_import(tmp_path)
    target = tmp_path / "out.csv"
    call_command("export_acled", output=str(target), bom=True, verbosity=0)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == HEADER
    assert len(rows) == len(seed.INCIDENTS) + 3
    assert "Хоҷаи Аъло" in [row["location"] for row in rows]


def test_the_api_gives_the_same_columns_with_columns_acled(tmp_path, client):
    published_import(tmp_path)
    response = client.get("/api/incidents.csv?columns=acled&bom=1")
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"), newline="")))
    assert rows == exported()
    filtered = client.get("/api/incidents.csv?columns=acled&type=negotiation").content
    assert {r["event_type"] for r in csv.DictReader(io.StringIO(filtered.decode()))} == {
        "Strategic developments"
    }


@pytest.mark.parametrize(
    "query", ["/api/incidents.csv?columns=spss", "/api/places.csv?columns=acled"]
)
def test_an_unknown_column_set_is_a_400_that_names_the_parameter(client, query):
    response = client.get(query)
    assert response.status_code == 400
    assert response.json()["parameter"] == "columns"


def test_text_a_spreadsheet_would_run_is_made_inert(tmp_path):
    run(write(tmp_path, replace(3, source="=HYPERLINK(1)")))
    Incident.objects.filter(event_id="TJK2001").update(status="published")
    row = next(r for r in exported() if r["event_id_cnty"] == "TJK2001")
    assert row["source"] == "'=HYPERLINK(1)"


def test_a_namesake_far_from_the_stored_place_is_a_place_of_its_own(tmp_path):
    """Kok-Tash 300 km from the seed's Kok-Tash is another place: a new one, with a
    name of its own."""
    run(write(tmp_path, replace(0, location="Kok-Tash", latitude="41.5", longitude="73.0")))
    place = Incident.objects.get(event_id="KGZ1001").place
    assert place.name == "Kok-Tash (2)" and place.geocoder == "acled"
    assert Place.objects.get(name="Kok-Tash").source.startswith("ru-Wikipedia")


def test_two_events_at_one_new_place_share_it(tmp_path):
    second = {**ROWS[3], "event_id_cnty": "TJK2002", "latitude": "40.131"}
    run(write(tmp_path, acled_csv([*ROWS, second])))
    first, other = (Incident.objects.get(event_id=i).place for i in ("TJK2001", "TJK2002"))
    assert first == other
    assert Place.objects.filter(geocoder="acled").count() == 1
