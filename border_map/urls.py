"""URL routes: the map and article pages, the data endpoints, the admin."""

from django.contrib import admin
from django.urls import path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

from . import api, editor, ogcapi, tiles, views

urlpatterns = [
    path("", views.map_page, name="map"),
    path("embed/", views.embed_page, name="map_embed"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/<slug:slug>/", views.article_page, name="article"),
    path("events/<slug:slug>/", views.event_page, name="event"),
    path("map/incidents.json", views.incidents_in_view, name="map_incidents"),
    path("map/incidents/<slug:slug>.json", views.incident_detail, name="map_incident"),
    path("map/claimants.json", views.claimants_json, name="map_claimants"),
    path("map/timeline.json", views.timeline_json, name="map_timeline"),
    path("map/countries.geojson", views.countries_geojson, name="map_countries"),
    path("map/reference.geojson", views.reference_geojson, name="map_reference"),
    path("map/clusters/<str:z>/<str:x>/<str:y>.json", tiles.cluster_tile, name="map_clusters"),
    path("api/<str:layer>.geojson", api.layer_geojson, name="layer_geojson"),
    path("api/<str:layer>.csv", api.layer_export, {"fmt": "csv"}, name="layer_csv"),
    path("api/<str:layer>.kml", api.layer_export, {"fmt": "kml"}, name="layer_kml"),
    path("ogcapi", ogcapi.landing),
    path("ogcapi/", ogcapi.landing, name="ogcapi_landing"),
    path("ogcapi/conformance", ogcapi.conformance, name="ogcapi_conformance"),
    path("ogcapi/api", ogcapi.openapi, name="ogcapi_api"),
    path("ogcapi/collections", ogcapi.collections, name="ogcapi_collections"),
    path("ogcapi/collections/<str:layer>", ogcapi.collection, name="ogcapi_collection"),
    path("ogcapi/collections/<str:layer>/items", ogcapi.items, name="ogcapi_items"),
    path(
        "ogcapi/collections/<str:layer>/items/<path:feature_id>",
        ogcapi.item,
        name="ogcapi_item",
    ),
    # The map script's words in the page's language, loaded as a <script src> (no inline
    # script), before the modules; its URL carries ?lang= like the page's.
    path(
        "jsi18n/",
        cache_control(max_age=3600)(JavaScriptCatalog.as_view(packages=["border_map"])),
        name="javascript_catalog",
    ),
    path("admin/", admin.site.urls),
    # The editors' pages (border_map.editor): signed-in editors and reviewers only.
    path("editor/", editor.home, name="editor_home"),
    path("editor/login/", editor.LoginView.as_view(), name="editor_login"),
    path("editor/logout/", editor.LogoutView.as_view(), name="editor_logout"),
    path("editor/articles/new", editor.article_new, name="editor_article_new"),
    path("editor/acled", editor.acled_import, name="editor_acled_import"),
    path("editor/articles/<slug:slug>/", editor.article_review, name="editor_article"),
    path("editor/articles/<slug:slug>/ingest", editor.article_reingest, name="editor_reingest"),
    path("editor/articles/<slug:slug>/names", editor.name_decide, name="editor_name_decide"),
    path(
        "editor/articles/<slug:slug>/proposals/dismiss",
        editor.proposal_dismiss,
        name="editor_proposal_dismiss",
    ),
    path("editor/articles/<slug:slug>/claims/new", editor.claim_new, name="editor_claim_new"),
    path("editor/claims/<slug:slug>/", editor.claim_edit, name="editor_claim"),
    path("editor/claims/<slug:slug>/status", editor.claim_status, name="editor_claim_status"),
    path("editor/places/<slug:slug>/", editor.place_page, name="editor_place"),
]
