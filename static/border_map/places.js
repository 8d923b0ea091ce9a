/* The geocoded places, loaded for the view (padded), at most PLACES_LIMIT at a time: with more
   in view they are not drawn until the user zooms in. */
import { el } from "./dom.js";
import { ignoreAbort, latestOnly } from "./http.js";
import { contextText, kmText } from "./text.js";
import { format, gettext, localName } from "./translation.js";
import { bboxText, edges } from "./url_state.js";

export const PLACES_LIMIT = 1000;

/** What a place's popup says about how precise its position is. */
export function precisionText(p) {
  const km = kmText(p.precision_m);
  return p.estimated
    ? format(gettext("Estimated position, within about %(km)s."), { km })
    : format(gettext("Position within about %(km)s."), { km });
}

function placeFeatures(data, { attribution, countryName, kindName }) {
  const byId = {};
  const layer = L.geoJSON(data, {
    attribution,
    pointToLayer: (feature, latlng) => {
      const dot = L.circleMarker(latlng, {
        radius: 4,
        color: "#222",
        weight: 1.5,
        fillColor: "#fff",
        fillOpacity: 1,
      });
      // Its name, shown on the backdrop only (map.css): the tiles write their own.
      const p = feature.properties;
      const name = L.marker(latlng, {
        pane: "labels",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({
          className: "place-label",
          html: el("span", { text: localName(p.name, p.name_ru) }),
          iconSize: null,
        }),
      });
      if (!feature.properties.estimated) return L.featureGroup([dot, name]);
      const circle = L.circle(latlng, {
        radius: feature.properties.precision_m,
        color: "#222",
        weight: 1,
        dashArray: "4 4",
        fill: true,
        fillOpacity: 0.05,
        interactive: false,
      });
      return L.featureGroup([circle, dot, name]);
    },
    onEachFeature: (feature, featureLayer) => {
      const p = feature.properties;
      byId[feature.id] = featureLayer;
      const name = localName(p.name, p.name_ru);
      featureLayer.bindTooltip(el("span", { text: name }));
      featureLayer.bindPopup(
        el("div", { class: "place-popup" }, [
          el("h3", { text: name }),
          el("p", { text: kindName(p.kind) + (p.country ? `, ${countryName(p.country)}` : "") }),
          el("p", { class: "place-context", text: contextText(p, countryName) }),
          el("p", { text: precisionText(p) }),
          el("p", { class: "place-source" }, [`${gettext("Source:")} `, p.source]),
          p.needs_review ? el("p", { text: gettext("Needs review.") }) : null,
        ]),
      );
    },
  });
  return { layer, byId };
}

/* The places layer; `load()` draws those of the view. The place a link names (`place`) opens
   once it is drawn, unless an incident is open (`incidentOpen()`). */
export function placesLayer(map, { url, attribution, countryName, kindName, place, incidentOpen }) {
  const group = L.layerGroup();
  const fetchPlaces = latestOnly();
  const note = L.control({ position: "bottomleft" });
  note.onAdd = () =>
    el("div", {
      class: "map-note",
      text: gettext("Too many places in view: zoom in to see them."),
    });
  let drawnBox = null;
  let pending = place;

  async function load() {
    const view = map.getBounds();
    if (drawnBox?.contains(view)) return; // everything in view is drawn already
    const box = view.pad(0.5);
    const params = new URLSearchParams({ bbox: bboxText(edges(box)), limit: String(PLACES_LIMIT) });
    try {
      const data = await fetchPlaces(`${url}?${params}`);
      const more = (data.links || []).some((link) => link.rel === "next");
      group.clearLayers();
      if (more) {
        drawnBox = null;
        note.addTo(map);
        return;
      }
      note.remove();
      drawnBox = box;
      const drawn = placeFeatures(data, { attribution, countryName, kindName });
      group.addLayer(drawn.layer);
      if (pending && drawn.byId[pending] && !incidentOpen()) {
        drawn.byId[pending].openPopup();
        pending = null;
      }
    } catch (error) {
      ignoreAbort(error);
    }
  }

  return { layer: group, load };
}
