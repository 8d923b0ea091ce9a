"""The spatial context of the places (territory, nearest line, enclaves), computed by the database
from the stored geometries, against figures computed independently.

The expected distances were computed for this test outside the database: the derived lines and
enclaves of border_map.boundaries, and for each segment the minimum of the WGS84 geodesic
distance (geographiclib) along it. Both databases agree with them within a few metres
(context.GeodesicDistance; SpatiaLite's own ellipsoidal distance was up to 5 % long here).
"""

import datetime

import pytest
from django.contrib.gis.geos import Point

from border_map import context
from border_map.geocoding import read_geonames
from border_map.models import Enclave, Incident, Place

# name -> (territory, nearest line, km to it, enclave holding it, nearest enclave, km to it)
EXPECTED = {
    "Kok-Tash": ("KG", "KG-TJ", 0.9050, "", "Vorukh", 6.4602),
    "Golovnoi": ("", "KG-TJ", 0.0, "", "Vorukh", 7.3327),
    "Kyzyl-Bel": ("", "KG-TJ", 0.0, "", "Vorukh", 25.7026),
    "Ak-Sai": ("KG", "KG-TJ", 0.3146, "", "Vorukh", 0.3146),
    "Leilek": ("KG", "KG-TJ", 10.0947, "", "Vorukh", 85.4859),
    "Batken Region": ("KG", "KG-TJ", 7.2947, "", "Sokh", 15.9627),
}


def _close(found: float, expected: float) -> bool:
    return abs(found - expected) < 0.005  # 5 m


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_seed_place_has_the_context_computed_here(name):
    territory, line, line_km, enclave, nearest, nearest_km = EXPECTED[name]
    place = Place.objects.get(name=name)
    assert (place.territory, place.line, place.enclave) == (territory, line, enclave)
    assert place.nearest_enclave == nearest
    assert _close(place.line_distance_km, line_km), place.line_distance_km
    assert _close(place.nearest_enclave_km, nearest_km), place.nearest_enclave_km


@pytest.mark.django_db
def test_kok_tash_and_golovnoi_lie_within_2_km_of_the_kg_tj_line():
    near = Place.objects.filter(line="KG-TJ", line_distance_km__lte=2)
    assert {"Kok-Tash", "Golovnoi"} <= set(near.values_list("name", flat=True))
    assert not near.filter(name="Leilek").exists()


@pytest.mark.django_db
def test_places_on_the_line_belong_to_no_territory_as_their_country_says():
    for place in Place.objects.all():
        assert place.territory == place.country, place.name


@pytest.mark.django_db
def test_an_incident_at_vorukh_lies_inside_the_vorukh_enclave_a_tajik_territory():
    entry = next(e for e in read_geonames() if e.name == "Vorukh")
    place = Place.objects.create(
        slug="vorukh-test",
        name="Vorukh (test)",
        kind=entry.kind,
        point=Point(entry.lon, entry.lat, srid=4326),
        geocoder="gazetteer",
        precision_m=entry.precision_m,
        source=entry.source,
    )
    incident = Incident.objects.create(
        slug="vorukh-test",
        date=datetime.date(2021, 4, 29),
        title="test",
        type=Incident.Type.CLASH,
        place=place,
        claimed_by="test",
    )
    assert context.refresh(Place.objects.filter(pk=place.pk)) == 1
    incident.refresh_from_db()
    assert incident.place.enclave == "Vorukh"
    assert incident.place.territory == "TJ"
    assert (incident.place.nearest_enclave, incident.place.nearest_enclave_km) == ("Vorukh", 0)
    assert incident.place.line == "KG-TJ"
    assert _close(incident.place.line_distance_km, 0.9579)


@pytest.mark.django_db
def test_the_context_follows_the_boundaries_when_they_change():
    vorukh = Enclave.objects.get(name="Vorukh")
    Enclave.objects.exclude(pk=vorukh.pk).delete()
    context.refresh()
    assert Place.objects.get(name="Batken Region").nearest_enclave == "Vorukh"
    Enclave.objects.all().delete()
    context.refresh()
    place = Place.objects.get(name="Kok-Tash")
    assert (place.nearest_enclave, place.nearest_enclave_km) == ("", None)


@pytest.mark.django_db
def test_every_place_has_its_russian_name_from_the_gazetteer():
    names = dict(Place.objects.values_list("name", "name_ru"))
    assert names["Kok-Tash"] == "Кёк-Таш"  # not the Kyrgyz Көк-Таш
    assert names["Golovnoi"] == "Головной"
    assert names["Batken Region"] == "Баткенская область"
    assert names["Leilek"] == "Лейлек"
    assert all(names.values()), names


@pytest.mark.django_db
def test_near_line_km_keeps_the_incidents_within_that_distance_of_the_line(client):
    response = client.get("/api/incidents.geojson", {"near_line_km": "2"})
    assert response.status_code == 200
    features = response.json()["features"]
    places = {f["properties"]["place"] for f in features}
    assert {"Kok-Tash", "Golovnoi"} <= places
    assert "Leilek" not in places and "Batken Region" not in places
    expected = Incident.objects.filter(place__line_distance_km__lte=2).count()
    assert len(features) == expected
    assert all(f["properties"]["line_distance_km"] <= 2 for f in features)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


@pytest.mark.django_db
def test_the_exports_carry_the_context_of_the_incident_s_place(client):
    response = client.get("/api/incidents.geojson")
    by_id = {f["id"]: f["properties"] for f in response.json()["features"]}
    golovnoi = by_id["tajik-border-guards-kyrgyz-fired-first-at-golovnoi"]
    assert golovnoi["territory"] is None  # on the line
    assert golovnoi["line"] == "KG-TJ"
    assert golovnoi["nearest_enclave"] == "Vorukh" and golovnoi["enclave"] is None
    assert golovnoi["place_ru"] == "Головной"
    csv = _body(client.get("/api/places.csv"))
    assert "territory,line,line_distance_km,enclave,nearest_enclave,nearest_enclave_km" in csv
    kml = _body(client.get("/api/places.kml"))
    assert "line_distance_km" in kml


@pytest.mark.django_db
def test_enclave_filter_finds_the_places_and_incidents_inside_it(client):
    assert client.get("/api/places.geojson", {"enclave": "Vorukh"}).json()["features"] == []
    place = Place.objects.get(name="Ak-Sai")
    place.point = Point(70.58012, 39.85125, srid=4326)  # GeoNames' Vorukh
    place.save()
    context.refresh()
    for url in (
        "/api/places.geojson",
        "/api/incidents.geojson",
        "/ogcapi/collections/incidents/items",
    ):
        features = client.get(url, {"enclave": "vorukh"}).json()["features"]
        assert features and all(f["properties"]["enclave"] == "Vorukh" for f in features), url
    assert client.get("/api/incidents.geojson", {"enclave": "Sokh"}).json()["features"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"near_line_km": "x"},
        {"near_line_km": "-1"},
        {"near_line_km": "nan"},
        {"near_line_km": "1e9"},
        {"near_line_km": ["1", "2"]},
        {"enclave": "Atlantis"},
    ],
)
def test_bad_context_filters_are_a_400_naming_the_parameter(client, query):
    for url in ("/api/incidents.geojson", "/api/places.csv", "/ogcapi/collections/places/items"):
        response = client.get(url, query)
        assert response.status_code == 400, url
        assert response.json()["parameter"] == next(iter(query))


@pytest.mark.django_db
def test_context_filters_on_a_layer_without_places_are_refused(client):
    response = client.get("/api/enclaves.geojson", {"near_line_km": "1"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "near_line_km"
