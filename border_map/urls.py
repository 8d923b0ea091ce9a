"""URL routes: the map and article pages, the data endpoints, the admin."""

from django.contrib import admin
from django.urls import path

from . import api

urlpatterns = [
    path("api/<str:layer>.geojson", api.layer_geojson, name="layer_geojson"),
    path("admin/", admin.site.urls),
]
