// The admin's map widget (border_map.widgets.LeafletWidget): each widget's geometry is GeoJSON
// in its textarea; a point moves where the map is clicked or its marker is dragged. A classic
// script, not one of the map page's modules, started here rather than inline: the
// Content-Security-Policy allows no inline script.
/* global L */

const DEFAULT_CENTER = [40.0, 70.6]; // the Batken border area, for an empty point

function startWidget(widget) {
  const field = document.getElementById(widget.dataset.field);
  const map = L.map(`${widget.dataset.field}_map`);
  if (widget.dataset.tileUrl) {
    L.tileLayer(widget.dataset.tileUrl, {
      attribution: widget.dataset.attribution,
      maxZoom: 18,
    }).addTo(map);
  }
  let geometry = null;
  try {
    geometry = field.value.trim() ? JSON.parse(field.value) : null;
  } catch {
    geometry = null;
  }
  if (widget.dataset.geomType !== "Point") {
    if (geometry) {
      const layer = L.geoJSON(geometry).addTo(map);
      map.fitBounds(layer.getBounds());
    } else {
      map.setView(DEFAULT_CENTER, 8);
    }
    widget.dataset.ready = "true";
    return;
  }
  let marker = null;
  const write = (latlng) => {
    const lng = Math.round(latlng.lng * 1e6) / 1e6;
    const lat = Math.round(latlng.lat * 1e6) / 1e6;
    field.value = JSON.stringify({ type: "Point", coordinates: [lng, lat] });
    field.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const place = (latlng) => {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, { draggable: true }).addTo(map);
      marker.on("dragend", () => write(marker.getLatLng()));
    }
  };
  if (geometry && geometry.type === "Point") {
    const [lng, lat] = geometry.coordinates;
    place([lat, lng]);
    map.setView([lat, lng], 12);
  } else {
    map.setView(DEFAULT_CENTER, 8);
  }
  map.on("click", (event) => {
    place(event.latlng);
    write(event.latlng);
  });
  widget.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  for (const widget of document.querySelectorAll(".bm-geometry-widget")) {
    startWidget(widget);
  }
});
