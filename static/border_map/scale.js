import { format, gettext } from "./translation.js";

/* The scale bar's units in the page's language: Leaflet writes "30 km" or "20 mi" itself
   (L.Control.Scale._updateScale, Leaflet 1.9.4 as vendored). */
const UNITS = {
  km: () => gettext("%(n)s km"),
  m: () => gettext("%(n)s m"),
  mi: () => gettext("%(n)s mi"),
  ft: () => gettext("%(n)s ft"),
};

export function scaleText(text) {
  const match = /^([\d.]+) (km|m|mi|ft)$/.exec(text);
  return match ? format(UNITS[match[2]](), { n: match[1] }) : text;
}

function translateScale(map) {
  const proto = L.Control.Scale.prototype;
  if (!proto._translated) {
    const update = proto._updateScale;
    proto._updateScale = function (scale, text, ratio) {
      update.call(this, scale, scaleText(text), ratio);
    };
    proto._translated = true;
  }
  map.fire("move"); // redraw the scale drawn before the units were translated
}

/* Where the scale bar sits. On a narrow map the attribution wraps onto two lines and would
   cover a scale bar at the bottom left: there the scale sits at the top left, under the zoom
   buttons. */

export function placeScaleBar(map) {
  translateScale(map);
  const narrow = window.matchMedia("(max-width: 699px)");
  const place = () => {
    const container = map.getContainer();
    const scale = container.querySelector(".leaflet-control-scale");
    const corner = container.querySelector(
      narrow.matches ? ".leaflet-top.leaflet-left" : ".leaflet-bottom.leaflet-left",
    );
    if (scale && corner && scale.parentNode !== corner) corner.append(scale);
  };
  narrow.addEventListener("change", place);
  place();
}
