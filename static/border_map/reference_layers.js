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

/** The name a label writes for a shared line: its two countries, "Kyrgyzstan–Tajikistan". */
export function lineLabel(properties, countryName) {
  return String(properties.countries).split("-").map(countryName).join("–");
}

/** What a gap of the source says when hovered. */
export function gapText(properties) {
  return format(
    gettext("No data in the source: a gap in the OpenStreetMap polygons, %(area)s km²"),
    {
      area: numberText(properties.area_km2),
    },
  );
}

/* A name written on the map (a country, an enclave, a line): text only, never HTML, and not in
   the way of the mouse. */
function label(latlng, text, kind) {
  return L.marker(latlng, {
    pane: "labels",
    interactive: false,
    keyboard: false,
    icon: L.divIcon({
      className: `map-label ${kind}-label`,
      html: el("span", { text }),
      iconSize: null,
    }),
  });
}

function labels(feature, text, kind) {
  return (feature.properties.labels || []).map(([lon, lat]) => label([lat, lon], text, kind));
}

/* Adds the layers to the map and the layer control and loads them (one request: the outlines,
   enclaves, gaps and lines as drawn together, map/reference.geojson). The backdrop, the base
   without tiles, fills each country with its colour and writes the names of the countries,
   the enclaves and the lines; `backdrop` is returned for the base switcher (base_layers.js). */
export function addReferenceLayers(map, control, config, countryName) {
  const osm = config.attribution.osm;
  map.createPane("backdrop").style.zIndex = 250;
  map.createPane("labels").style.zIndex = 450;
  const backdrop = L.layerGroup();
  const outlines = L.layerGroup();
  const enclaves = L.layerGroup();
  const lines = L.layerGroup();
  control.addBaseLayer(backdrop, gettext("No tiles (country outlines)"));
  control.addOverlay(outlines, gettext("Country outlines"));
  control.addOverlay(enclaves, gettext("Enclaves"));
  control.addOverlay(lines, gettext("Shared border lines"));
  for (const layer of [outlines, enclaves, lines]) layer.addTo(map);

  const syncBase = () => map.getContainer().classList.toggle("no-tiles", map.hasLayer(backdrop));
  map.on("baselayerchange layeradd layerremove", syncBase);
  syncBase();

  const colour = (code) => config.countries[code]?.colour || "#666";
  fetchJSON(config.urls.reference)
    .then((data) => {
      const of = (kind) => ({
        type: "FeatureCollection",
        features: data.features.filter((f) => f.properties.kind === kind),
      });
      const countries = of("country");
      backdrop.addLayer(
        L.geoJSON(countries, {
          pane: "backdrop",
          interactive: false,
          attribution: osm,
          style: (feature) => ({
            className: "country-fill",
            color: "#8a8a8a",
            weight: 1,
            fillColor: colour(feature.properties.code),
            fillOpacity: 0.22,
          }),
        }),
      );
      backdrop.addLayer(
        L.geoJSON(of("gap"), {
          pane: "backdrop",
          attribution: osm,
          style: {
            className: "no-data",
            color: "#555",
            weight: 1,
            dashArray: "3 3",
            fillColor: "#ffffff",
            fillOpacity: 1,
          },
          onEachFeature: (feature, layer) => {
            layer.bindTooltip(el("span", { text: gapText(feature.properties) }), { sticky: true });
          },
        }),
      );
      outlines.addLayer(
        L.geoJSON(countries, {
          interactive: false,
          attribution: osm,
          style: { color: "#444", weight: 1.2, fill: false },
        }),
      );
      enclaves.addLayer(
        L.geoJSON(of("enclave"), {
          attribution: osm,
          style: (feature) => {
            const fill = colour(feature.properties.sovereign);
            return { color: fill, weight: 1.5, fillColor: fill, fillOpacity: 0.35 };
          },
          onEachFeature: (feature, layer) => {
            layer.bindTooltip(enclaveTooltip(feature.properties, countryName), { sticky: true });
          },
        }),
      );
      lines.addLayer(
        L.geoJSON(of("line"), {
          attribution: osm,
          style: (feature) =>
            feature.properties.countries === "KG-TJ"
              ? { color: "#7a0019", weight: 4, opacity: 0.9 }
              : { color: "#333", weight: 2, opacity: 0.8, dashArray: "6 4" },
          onEachFeature: (feature, layer) => {
            layer.bindTooltip(el("span", { text: lineText(feature.properties, countryName) }), {
              sticky: true,
            });
          },
        }),
      );
      // The names, written on the backdrop only: the tiles carry their own.
      for (const feature of countries.features) {
        for (const marker of labels(feature, countryName(feature.properties.code), "country")) {
          backdrop.addLayer(marker);
        }
      }
      for (const feature of of("enclave").features) {
        const p = feature.properties;
        const name = localName(p.name, "", p.alternate_names || []);
        for (const marker of labels(feature, name, "enclave")) backdrop.addLayer(marker);
      }
      for (const feature of of("line").features) {
        const text = lineLabel(feature.properties, countryName);
        for (const marker of labels(feature, text, "line")) backdrop.addLayer(marker);
      }
      map.getContainer().setAttribute("data-reference", "ready");
    })
    .catch(ignoreAbort);
  return backdrop;
}
