"""Admin pages for reviewing the data (geocoding flags in particular)."""

from django.contrib.gis import admin

from .models import Article, Boundary, Country, Enclave, Excerpt, Incident, Mention, Place


@admin.register(Place)
class PlaceAdmin(admin.GISModelAdmin):
    list_display = [
        "name",
        "kind",
        "country",
        "precision_m",
        "estimated",
        "geocoder",
        "needs_review",
    ]
    list_filter = ["kind", "country", "estimated", "needs_review"]
    search_fields = ["name"]


@admin.register(Incident)
class IncidentAdmin(admin.GISModelAdmin):
    list_display = ["date", "title", "type", "claimed_by", "place"]
    list_filter = ["type", "claimed_by"]


@admin.register(Enclave)
class EnclaveAdmin(admin.GISModelAdmin):
    list_display = ["name", "sovereign", "surrounded_by", "area_km2"]


admin.site.register([Article, Excerpt, Mention, Country, Boundary])
