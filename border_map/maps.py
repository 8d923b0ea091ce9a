"""The one module that builds folium maps: the incident map of the site, and the plain folium
page the benchmark compares it with.

The site's map carries no data: a small element (``BrowserLayers``) hands the map to our own
script (the ES modules of ``static/border_map/``, from ``main.js``), which loads every layer from
our endpoints in the browser, so the HTML does not grow with the data.
Every script and stylesheet comes from our ``static/``; folium's CDN links are replaced.
"""

import re
from html import escape
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from django.conf import settings
from django.templatetags.static import static
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy
from folium.plugins import FastMarkerCluster
from folium.template import Template

from .models import COUNTRY_NAMES, Incident, Place

LEAFLET = "vendor/leaflet/1.9.4/dist/"
MARKERCLUSTER = "vendor/leaflet.markercluster/1.5.3/dist/"

# Batken Region and the south of the Ferghana Valley, (south, west), (north, east).
REGION_BOUNDS = [[39.6, 69.3], [40.6, 71.9]]
MIN_ZOOM, MAX_ZOOM = 4, 18

OSM_ATTRIBUTION = gettext_lazy(
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
# The country, enclave and line layers are derived from OpenStreetMap (ODbL), the places from
# GeoNames (CC BY 4.0): each layer carries its credit, shown while the layer is on the map.
GEONAMES_ATTRIBUTION = gettext_lazy('places: <a href="https://www.geonames.org/">GeoNames</a>')

# The words the page shows for the stored codes, in the page's language.
TYPE_NAMES: dict[str, Promise] = {
    Incident.Type.CLASH: pgettext_lazy("incident type", "clash"),
    Incident.Type.GUNFIRE: pgettext_lazy("incident type", "gunfire"),
    Incident.Type.CASUALTIES: pgettext_lazy("incident type", "casualties"),
    Incident.Type.EVACUATION: pgettext_lazy("incident type", "evacuation"),
    Incident.Type.NEGOTIATION: pgettext_lazy("incident type", "negotiation"),
}
KIND_NAMES: dict[str, Promise] = {
    Place.Kind.SETTLEMENT: pgettext_lazy("place kind", "settlement"),
    Place.Kind.TOWN: pgettext_lazy("place kind", "town"),
    Place.Kind.DISTRICT: pgettext_lazy("place kind", "district"),
    Place.Kind.REGION: pgettext_lazy("place kind", "region"),
    Place.Kind.CHECKPOINT: pgettext_lazy("place kind", "checkpoint"),
    Place.Kind.WATER_FACILITY: pgettext_lazy("place kind", "water facility"),
    Place.Kind.RIVER: pgettext_lazy("place kind", "river"),
    Place.Kind.AREA: pgettext_lazy("place kind", "area"),
}
COUNTRY_WORDS: dict[str, Promise] = {
    "KG": gettext_lazy("Kyrgyzstan"),
    "TJ": gettext_lazy("Tajikistan"),
    "UZ": gettext_lazy("Uzbekistan"),
}


# Okabe–Ito colours, told apart with the common colour-vision deficiencies. Incidents are coloured
# by type: the seed article alone has ten different claimants, too many to tell apart by colour.
TYPE_COLOURS: dict[str, str] = {
    Incident.Type.CLASH: "#d55e00",
    Incident.Type.GUNFIRE: "#cc79a7",
    Incident.Type.CASUALTIES: "#000000",
    Incident.Type.EVACUATION: "#e69f00",
    Incident.Type.NEGOTIATION: "#56b4e9",
}
COUNTRY_COLOURS = {"KG": "#d55e00", "TJ": "#009e73", "UZ": "#0072b2"}


def leaflet_js() -> list[tuple[str, str]]:
    return [("leaflet", static(LEAFLET + "leaflet.js"))]


def leaflet_css() -> list[tuple[str, str]]:
    return [("leaflet_css", static(LEAFLET + "leaflet.css"))]


def markercluster_js() -> list[tuple[str, str]]:
    return [("markerclusterjs", static(MARKERCLUSTER + "leaflet.markercluster.js"))]


def markercluster_css() -> list[tuple[str, str]]:
    return [
        ("markerclustercss", static(MARKERCLUSTER + "MarkerCluster.css")),
        ("markerclusterdefaultcss", static(MARKERCLUSTER + "MarkerCluster.Default.css")),
    ]


def _new_map(**kwargs):
    """A folium Map that links Leaflet from our static files instead of folium's CDNs.

    folium 0.20 keeps its links in the ``default_js``/``default_css`` class attributes; setting them
    on the instance also drops jQuery, Bootstrap and Font Awesome, which nothing here uses.
    """
    fmap = folium.Map(tiles=None, **kwargs)
    # folium gives zoom limits to its own tile layer only; marker clustering needs the map's.
    fmap.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    fmap.default_js = leaflet_js()
    fmap.default_css = leaflet_css()
    return fmap


class ModuleScriptLink(folium.JavascriptLink):
    """A ``<script type="module">`` link: it runs once the document is parsed, after folium's
    inline script has made the map, and imports its sibling modules by relative URL."""

    _template = Template('<script type="module" src="{{ this.url }}"></script>')


class BrowserLayers(MacroElement):
    """Hands the map, its layer control and the page's settings to static/border_map/main.js,
    which loads the layers from our endpoints in the browser.

    folium.GeoJson given a URL would fetch it on the server with requests while rendering.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.borderMapPage = {
                map: {{ this._parent.get_name() }},
                control: {{ this.control.get_name() }},
                tiles: {{ this.tiles.get_name() if this.tiles else "null" }},
                config: {{ this.config|tojson }}
            };
        {% endmacro %}
        """
    )

    def __init__(self, control, config, tiles=None):
        super().__init__()
        self._name = "BrowserLayers"
        self.control = control
        self.config = config
        self.tiles = tiles  # the tile layer, which base_layers.js adds once a tile loads

    def render(self, **kwargs: Any) -> str:
        header = _figure(self).header
        for name, url in markercluster_css() + [("border_map_css", static("border_map/map.css"))]:
            header.add_child(folium.CssLink(url), name=name)
        for name, url in markercluster_js():
            header.add_child(folium.JavascriptLink(url), name=name)
        header.add_child(ModuleScriptLink(static("border_map/main.js")), name="border_map_js")
        return super().render(**kwargs)


def incident_map(urls: dict[str, str]) -> folium.Map:
    """The site's map: base layers, scale bar, layer control, and the layers loaded in the browser.

    ``urls`` maps endpoint names (incidents, incident, places, enclaves, boundaries, countries,
    export) to paths.
    """
    fmap = _new_map(control_scale=True)
    tile_url = settings.BORDER_MAP["TILE_URL"]
    tiles = None
    if tile_url:
        # Not shown at first (show=False): on a closed network the first view would be a grey
        # backdrop and a screenful of failed requests. The page opens on the country backdrop
        # and adds the tiles once one of them loads (static/border_map/base_layers.js).
        tiles = folium.TileLayer(
            tiles=tile_url,
            attr=str(OSM_ATTRIBUTION),
            name="OpenStreetMap",
            max_zoom=MAX_ZOOM,
            show=False,
        ).add_to(fmap)
    # Without animation: an animated fit would end after, and undo, the view a link restores.
    fit = folium.FitBounds(REGION_BOUNDS)
    fit.options["animate"] = False
    fmap.add_child(fit)
    control = folium.LayerControl(collapsed=True)
    fmap.add_child(control)
    config = {
        "urls": urls,
        "bounds": REGION_BOUNDS,
        "tiles": bool(tile_url),
        "attribution": {"osm": str(OSM_ATTRIBUTION), "geonames": str(GEONAMES_ATTRIBUTION)},
        "types": {value: TYPE_COLOURS.get(value, "#777777") for value in Incident.Type.values},
        "typeNames": {value: type_name(value) for value in Incident.Type.values},
        "kindNames": {value: str(KIND_NAMES.get(value, value)) for value in Place.Kind.values},
        "countries": {
            code: {
                "name": str(COUNTRY_WORDS.get(code, name)),
                "colour": COUNTRY_COLOURS.get(code, "#666666"),
            }
            for code, name in COUNTRY_NAMES.items()
        },
    }
    fmap.add_child(BrowserLayers(control, config, tiles))
    return fmap


def type_name(value: str) -> str:
    """An incident type as the page says it, in the active language."""
    return str(TYPE_NAMES.get(value, value))


def _figure(element: Element) -> Figure:
    """The branca Figure a map is rendered into (get_root() is typed as any Element)."""
    root = element.get_root()
    assert isinstance(root, Figure)
    return root


def map_parts(fmap: folium.Map) -> tuple[str, str, str]:
    """The rendered (header, body, script) of a folium map, to place in a Django template."""
    root = _figure(fmap)
    root.render()
    header = _FOLIUM_VIEWPORT.sub(PAGE_VIEWPORT, root.header.render())
    return header, root.html.render(), root.script.render()


# folium's viewport meta forbids zooming the page (maximum-scale=1, user-scalable=no), which
# keeps people with poor sight from pinch-zooming the text on a phone; the map keeps its own
# gestures (Leaflet handles touch on the map itself).
_FOLIUM_VIEWPORT = re.compile(r'<meta\s+name="viewport"[^>]*>', re.S)
PAGE_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def fast_marker_cluster_map(points: list[list[float]]) -> folium.Map:
    """The benchmark's baseline: plain folium with every point embedded in a FastMarkerCluster."""
    fmap = _new_map(control_scale=True)
    fmap.fit_bounds(REGION_BOUNDS)
    # folium's default callback draws Leaflet.awesome-markers icons, a CDN plugin we do not
    # vendor; Leaflet's own marker is the lighter choice, which favours the baseline.
    cluster = FastMarkerCluster(
        points,
        callback="function (row) { return L.marker(new L.LatLng(row[0], row[1])); }",
    )
    cluster.default_js = markercluster_js()
    cluster.default_css = markercluster_css()
    cluster.add_to(fmap)
    return fmap


def with_nonce(html: str, nonce: str) -> str:
    """folium's rendered HTML with ``nonce`` on each inline script (one without ``src``), so that
    the Content-Security-Policy runs them and nothing else that is inline."""
    return html.replace("<script>", f'<script nonce="{escape(nonce)}">')
