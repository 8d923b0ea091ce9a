"""Admin pages for reviewing the data (geocoding flags in particular)."""

from django.contrib.gis import admin

from .models import Article, Boundary, Country, Enclave, Excerpt, Incident, Mention, Place
from .widgets import LeafletWidget


class MapAdmin(admin.GISModelAdmin):
    """Geometry fields on our own Leaflet widget: it works on a closed network and under the
    Content-Security-Policy, where Django's OpenLayers from a CDN does not."""

    gis_widget = LeafletWidget  # type: ignore[assignment]  # django-stubs types it as an instance


@admin.register(Place)
class PlaceAdmin(MapAdmin):
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
class IncidentAdmin(MapAdmin):
    list_display = ["date", "title", "type", "claimed_by", "place"]
    list_filter = ["type", "claimed_by"]


@admin.register(Enclave)
class EnclaveAdmin(MapAdmin):
    list_display = ["name", "sovereign", "surrounded_by", "area_km2"]


admin.site.register([Article, Excerpt, Mention])
admin.site.register([Country, Boundary], MapAdmin)
