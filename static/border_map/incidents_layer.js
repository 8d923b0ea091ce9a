/* The incidents on the map: single markers, clustered in the browser by Leaflet.markercluster,
   or the database's clusters when the view holds too many. */
import { clusterDisc, countByType } from "./clusters.js";
import { el } from "./dom.js";

function clusterIcon(count, byType, colourOf) {
  const disc = clusterDisc(count, byType, colourOf);
  const node = el("span", { class: "incident-cluster-disc" }, [el("span", { text: disc.label })]);
  node.style.background = disc.background;
  return L.divIcon({ html: node, className: "incident-cluster", iconSize: [disc.size, disc.size] });
}

/** The layer, and `draw(data, zoom)` / `clear()` for an answer of the incidents endpoint. */
export function incidentLayer(map, { colourOf, onMarkerClick }) {
  const pointLayer = L.markerClusterGroup({
    maxClusterRadius: 40,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    chunkedLoading: true,
    iconCreateFunction: (cluster) => {
      const types = cluster.getAllChildMarkers().map((marker) => marker.options.incidentType);
      return clusterIcon(cluster.getChildCount(), countByType(types), colourOf);
    },
  });
  const clusterLayer = L.layerGroup();
  // What is drawn, so that a list of the same points at the same zoom is not drawn again.
  let drawnKey = null;

  function incidentMarker(incident) {
    const dot = el("span", { class: "incident-dot", "data-incident": incident.id });
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

  function clear() {
    pointLayer.clearLayers();
    clusterLayer.clearLayers();
    drawnKey = null;
  }

  /* `data`: the tiles in view merged (tiles.mergeTiles): the clusters of the full tiles and
     the incidents of the others, one by one. */
  function draw(data, zoom) {
    const clusters = data.clusters.map(([lon, lat, count]) => `${lon},${lat},${count}`);
    const key = `${zoom}|${clusters.join(";")}|${data.incidents.map((i) => i.id).join(",")}`;
    if (key === drawnKey) return;
    clear();
    for (const cluster of data.clusters) clusterLayer.addLayer(serverCluster(cluster));
    pointLayer.addLayers(data.incidents.map(incidentMarker));
    drawnKey = key;
  }

  return { layer: L.layerGroup([pointLayer, clusterLayer]), draw, clear };
}
