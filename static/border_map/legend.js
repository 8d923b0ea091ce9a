/* The legend control: incident types, enclaves by country, places and lines. */
import { el } from "./dom.js";
import { gettext } from "./translation.js";

function swatch(kind, colour) {
  const node = el("span", { class: `legend-swatch ${kind}`, "aria-hidden": "true" });
  if (colour) node.style.setProperty("--colour", colour);
  return node;
}

/* Open from the start only where the map has room for it. */
export function addLegend(map, colours, countries, typeName) {
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const items = [el("li", { class: "legend-heading", text: gettext("Incidents, by type") })];
    for (const [type, colour] of Object.entries(colours)) {
      items.push(el("li", {}, [swatch("dot", colour), typeName(type)]));
    }
    items.push(
      el("li", {}, [
        swatch("cluster"),
        gettext("group of incidents (share of each type); click to zoom in"),
      ]),
    );
    items.push(
      el("li", {
        class: "legend-heading",
        text: gettext("Enclaves, by the country they belong to"),
      }),
    );
    for (const country of Object.values(countries)) {
      items.push(el("li", {}, [swatch("area", country.colour), country.name]));
    }
    items.push(el("li", { class: "legend-heading", text: gettext("Places and lines") }));
    items.push(el("li", {}, [swatch("place"), gettext("geocoded place")]));
    items.push(
      el("li", {}, [swatch("uncertainty"), gettext("uncertainty of an estimated position")]),
    );
    items.push(el("li", {}, [swatch("kg-tj"), gettext("Kyrgyzstan–Tajikistan line")]));
    items.push(el("li", {}, [swatch("shared"), gettext("other shared lines")]));
    items.push(el("li", {}, [swatch("outline"), gettext("country outline")]));
    items.push(
      el("li", {}, [
        swatch("no-data"),
        gettext("no data in the source (a gap in the OpenStreetMap polygons; no tiles)"),
      ]),
    );
    const box = el("details", { class: "legend" }, [
      el("summary", { text: gettext("Legend") }),
      el("ul", {}, items),
    ]);
    if (window.matchMedia("(min-width: 1000px) and (min-height: 880px)").matches) box.open = true;
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  legend.addTo(map);
}
