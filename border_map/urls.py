"""URL routes: the map and article pages, the data endpoints, the admin."""

from django.contrib import admin
from django.urls import path

from . import api

urlpatterns = [
    path("api/<str:layer>.geojson", api.layer_geojson, name="layer_geojson"),
    path("api/<str:layer>.csv", api.layer_export, {"fmt": "csv"}, name="layer_csv"),
    path("api/<str:layer>.kml", api.layer_export, {"fmt": "kml"}, name="layer_kml"),
    path("admin/", admin.site.urls),
]
