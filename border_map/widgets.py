"""The admin's map widget on the vendored Leaflet: Django's own widgets load OpenLayers from a
CDN and start it with an inline script, which a closed network and our Content-Security-Policy
both stop ("ol is not defined"). This one is served by us and starts from a static script."""

from typing import Any

from django.conf import settings
from django.contrib.gis.forms.widgets import BaseGeometryWidget

from border_map.maps import LEAFLET, OSM_ATTRIBUTION


class LeafletWidget(BaseGeometryWidget):
    """A geometry as GeoJSON in a hidden textarea, on a Leaflet map: a point is set by a click
    on the map or by dragging its marker; lines and areas are shown, not edited."""

    # In the app's templates/: widgets render through the form renderer, which reads the apps'
    # template folders, not the project's.
    template_name = "border_map/widgets/leaflet.html"
    map_srid = 4326  # GeoJSON's (RFC 7946) and the models': no reprojection in the page

    class Media:
        css = {"all": (f"{LEAFLET}leaflet.css", "border_map/admin/map_widget.css")}
        js = (f"{LEAFLET}leaflet.js", "border_map/admin/map_widget.js")

    def serialize(self, value: Any) -> str:
        return value.json if value else ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["tile_url"] = settings.BORDER_MAP["TILE_URL"]
        context["attribution"] = str(OSM_ATTRIBUTION)
        return context
