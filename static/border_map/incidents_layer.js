/* The incidents on the map: single markers, clustered in the browser by Leaflet.markercluster,
   or the database's clusters when the view holds too many. */
import { clusterDisc, countByType } from "./clusters.js";
import { el } from "./dom.js";
import { fitPopup } from "./incident_popup.js";
import { areaGroups, isArea } from "./precision.js";
import { format, gettext, localName } from "./translation.js";

function clusterIcon(count, byType, colourOf) {
  const disc = clusterDisc(count, byType, colourOf);
  const node = el("span", { class: "incident-cluster-disc" }, [el("span", { text: disc.label })]);
  node.style.background = disc.background;
  return L.divIcon({ html: node, className: "incident-cluster", iconSize: [disc.size, disc.size] });
}

/** The layer, and `draw(data, zoom)` / `clear()` for an answer of the incidents endpoint. */
export function incidentLayer(map, { colourOf, onMarkerClick, reducedMotion }) {
  // Area-level claims: one badge per area with its count, apart from the clustered points.
  const areaLayer = L.layerGroup();
  const pointLayer = L.markerClusterGroup({
    maxClusterRadius: 40,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    chunkedLoading: true,
    animate: !reducedMotion, // no sliding markers for who asked for less motion
    iconCreateFunction: (cluster) => {
      const types = cluster.getAllChildMarkers().map((marker) => marker.options.incidentType);
      return clusterIcon(cluster.getChildCount(), countByType(types), colourOf);
    },
  });
  const clusterLayer = L.layerGroup();
  // What is drawn, so that a list of the same points at the same zoom is not drawn again.
  let drawnKey = null;
  // The badges drawn, by area and claims: a badge stays while its area holds the same claims,
  // so that its open popup stays open when opening it pans the map and new tiles come in.
  const badges = new Map();

  function incidentMarker(incident) {
    const dot = el("span", {
      class: `incident-dot precision-${incident.precision_class}`,
      "data-incident": incident.id,
    });
    dot.style.background = colourOf(incident.type);
    const marker = L.marker([incident.lat, incident.lon], {
      icon: L.divIcon({ html: dot, className: "incident-marker", iconSize: [18, 18] }),
      title: `${incident.date}: ${incident.title}`,
      alt: incident.title,
      keyboard: true,
      riseOnHover: true,
      incidentType: incident.type,
    });
    marker.on("click", () => onMarkerClick(incident.id));
    return marker;
  }

  function serverCluster([lon, lat, count, byType]) {
    const marker = L.marker([lat, lon], {
      icon: clusterIcon(count, byType, colourOf),
      title: `${count} incidents: zoom in`,
      keyboard: true,
    });
    marker.on("click", () => {
      map.setView(marker.getLatLng(), Math.min(map.getZoom() + 2, map.getMaxZoom()));
    });
    return marker;
  }

  function areaBadge(group) {
    const name = localName(group.place, group.place_ru);
    const count = group.incidents.length;
    const badge = el("span", { class: "area-badge" }, [
      el("span", { class: "area-name", text: name }),
      el("span", { class: "area-count", text: String(count) }),
    ]);
    const marker = L.marker([group.lat, group.lon], {
      icon: L.divIcon({ html: badge, className: "incident-area", iconSize: null }),
      title: format(gettext("%(n)s claims about %(area)s as a whole"), { n: count, area: name }),
      keyboard: true,
    });
    const claims = group.incidents.map((incident) => {
      const button = el("button", {
        type: "button",
        class: "area-claim",
        "data-incident": incident.id,
        text: `${incident.date}: ${incident.title}`,
      });
      button.addEventListener("click", () => onMarkerClick(incident.id));
      return el("li", {}, [button]);
    });
    marker.bindPopup(
      el("div", { class: "area-popup" }, [
        el("h3", { text: name }),
        el("p", {
          text: format(gettext("%(n)s claims about the area as a whole, not a point in it:"), {
            n: count,
          }),
        }),
        el("ul", {}, claims),
      ]),
      {
        className: "area-claims-popup",
        maxWidth: Math.min(320, map.getSize().x - 60),
        autoPan: false, // fitPopup places it clear of the controls
      },
    );
    marker.on("popupopen", (event) => fitPopup(map, event.popup));
    return marker;
  }

  function clear() {
    pointLayer.clearLayers();
    clusterLayer.clearLayers();
    areaLayer.clearLayers();
    drawnKey = null;
    badges.clear();
  }

  /* `data`: the tiles in view merged (tiles.mergeTiles): the clusters of the full tiles and
     the incidents of the others, one by one. */
  function draw(data, zoom) {
    const clusters = data.clusters.map(([lon, lat, count]) => `${lon},${lat},${count}`);
    const key = `${zoom}|${clusters.join(";")}|${data.incidents.map((i) => i.id).join(",")}`;
    if (key === drawnKey) return;
    pointLayer.clearLayers();
    clusterLayer.clearLayers();
    for (const cluster of data.clusters) clusterLayer.addLayer(serverCluster(cluster));
    // Area-level claims (a district, a region) are badges on their area, not pins in a town.
    pointLayer.addLayers(data.incidents.filter((i) => !isArea(i)).map(incidentMarker));
    const wanted = new Map();
    for (const group of areaGroups(data.incidents)) {
      wanted.set(
        `${group.place}|${group.lat}|${group.lon}|${group.incidents.map((i) => i.id)}`,
        group,
      );
    }
    for (const [area, badge] of badges) {
      if (wanted.has(area)) continue;
      areaLayer.removeLayer(badge);
      badges.delete(area);
    }
    for (const [area, group] of wanted) {
      if (badges.has(area)) continue;
      badges.set(area, areaBadge(group));
      areaLayer.addLayer(badges.get(area));
    }
    drawnKey = key;
  }

  return { layer: L.layerGroup([pointLayer, clusterLayer]), areaLayer, draw, clear };
}
