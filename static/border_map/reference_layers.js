/* The reference layers: country outlines (and the backdrop drawn from them when there are no
   tiles), the enclaves and the shared border lines. */
import { el } from "./dom.js";
import { fetchJSON, ignoreAbort } from "./http.js";
import { format, gettext, localName, numberText } from "./translation.js";

/** The tooltip text of a shared line, e.g. "Kyrgyzstan–Tajikistan line: 970.6 km in this data". */
export function lineText(properties, countryName) {
  const codes = String(properties.countries).split("-");
  return format(gettext("%(countries)s line: %(km)s km in this data"), {
    countries: codes.map(countryName).join("–"),
    km: numberText(properties.length_km),
  });
}

function enclaveTooltip(p, countryName) {
  const alternates = p.alternate_names || [];
  const name = localName(p.name, "", alternates);
  const others = [p.name, ...alternates].filter((n) => n !== name);
  const names = others.length ? ` (${others.join(", ")})` : "";
  return el("div", { class: "enclave-tooltip" }, [
    el("strong", { text: name }),
    names,
    el("br"),
    format(gettext("belongs to %(sovereign)s, surrounded by %(surrounding)s"), {
      sovereign: countryName(p.sovereign),
      surrounding: countryName(p.surrounded_by),
    }),
    el("br"),
    format(gettext("%(area)s km²"), { area: numberText(p.area_km2) }),
  ]);
}

/* Adds the layers to the map and the layer control and loads them; without tiles the backdrop
   is the base layer. */
export function addReferenceLayers(map, control, config, countryName) {
  const osm = config.attribution.osm;
  map.createPane("backdrop").style.zIndex = 250;
  const backdrop = L.layerGroup();
  const outlines = L.layerGroup();
  const enclaves = L.layerGroup();
  const lines = L.layerGroup();
  control.addBaseLayer(backdrop, gettext("No tiles (country outlines)"));
  control.addOverlay(outlines, gettext("Country outlines"));
  control.addOverlay(enclaves, gettext("Enclaves"));
  control.addOverlay(lines, gettext("Shared border lines"));
  if (!config.tiles) backdrop.addTo(map);
  for (const layer of [outlines, enclaves, lines]) layer.addTo(map);

  const syncBase = () => map.getContainer().classList.toggle("no-tiles", map.hasLayer(backdrop));
  map.on("baselayerchange", syncBase);
  syncBase();

  fetchJSON(config.urls.countries)
    .then((data) => {
      backdrop.addLayer(
        L.geoJSON(data, {
          pane: "backdrop",
          interactive: false,
          attribution: osm,
          style: { color: "#8a8a8a", weight: 1, fillColor: "#f3efe4", fillOpacity: 1 },
        }),
      );
      outlines.addLayer(
        L.geoJSON(data, {
          interactive: false,
          attribution: osm,
          style: { color: "#444", weight: 1.2, fill: false },
        }),
      );
    })
    .catch(ignoreAbort);

  fetchJSON(config.urls.enclaves)
    .then((data) => {
      enclaves.addLayer(
        L.geoJSON(data, {
          attribution: osm,
          style: (feature) => {
            const colour = config.countries[feature.properties.sovereign]?.colour || "#666";
            return { color: colour, weight: 1.5, fillColor: colour, fillOpacity: 0.35 };
          },
          onEachFeature: (feature, layer) => {
            layer.bindTooltip(enclaveTooltip(feature.properties, countryName), { sticky: true });
          },
        }),
      );
    })
    .catch(ignoreAbort);

  fetchJSON(config.urls.boundaries)
    .then((data) => {
      lines.addLayer(
        L.geoJSON(data, {
          attribution: osm,
          style: (feature) =>
            feature.id === "KG-TJ"
              ? { color: "#7a0019", weight: 4, opacity: 0.9 }
              : { color: "#333", weight: 2, opacity: 0.8, dashArray: "6 4" },
          onEachFeature: (feature, layer) => {
            layer.bindTooltip(el("span", { text: lineText(feature.properties, countryName) }), {
              sticky: true,
            });
          },
        }),
      );
    })
    .catch(ignoreAbort);
}
