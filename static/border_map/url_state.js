/* The page's state in its URL and in the endpoints' query strings, as pure functions:
   filters, map view and open incident to parameters, and back. */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const NO_FILTERS = Object.freeze({
  from: "",
  to: "",
  claimed_by: "",
  side: "",
  type: "",
  contested: "",
});

/** The filter parameters the endpoints and the export share (datetime as an interval). */
export function filterParams(filters) {
  const params = new URLSearchParams();
  const { from, to } = filters;
  if (from || to) params.set("datetime", `${from || ".."}/${to || ".."}`);
  if (filters.claimed_by) params.set("claimed_by", filters.claimed_by);
  if (filters.side) params.set("side", filters.side);
  if (filters.type) params.set("type", filters.type);
  if (filters.contested) params.set("contested", "1");
  return params;
}

/* What a page URL's query asks for: the filters (days that are not days are dropped), the
   open incident and place, and the view when it names a valid centre and zoom. */
export function readState(search) {
  const params = new URLSearchParams(search);
  const range = (params.get("datetime") || "").split("/");
  const first = range[0];
  const last = range[range.length - 1];
  const lat = Number.parseFloat(params.get("lat"));
  const lon = Number.parseFloat(params.get("lon"));
  const zoom = Number.parseInt(params.get("zoom"), 10);
  const valid =
    Number.isFinite(lat) &&
    Number.isFinite(lon) &&
    Number.isFinite(zoom) &&
    Math.abs(lat) <= 90 &&
    Math.abs(lon) <= 180;
  return {
    filters: {
      from: DAY.test(first) ? first : "",
      to: DAY.test(last) ? last : "",
      claimed_by: params.get("claimed_by") || "",
      side: params.get("side") || "",
      type: params.get("type") || "",
      contested: params.get("contested") === "1" ? "1" : "",
    },
    incident: params.get("incident"),
    place: params.get("place"),
    lang: params.get("lang"),
    view: valid ? { lat, lon, zoom } : null,
  };
}

/** The query of the page's own URL: filters, centre, zoom, the open incident and the language
    the URL chose (none: the browser's). */
export function pageQuery(filters, centre, zoom, incident, lang = null) {
  const params = filterParams(filters);
  params.set("lat", centre.lat.toFixed(5));
  params.set("lon", centre.lng.toFixed(5));
  params.set("zoom", String(zoom));
  if (incident) params.set("incident", incident);
  if (lang) params.set("lang", lang);
  return params.toString();
}

/** A path on this site (with an optional #fragment) that keeps the language the URL chose. */
export function withLanguage(path, lang) {
  if (!lang || path === "#") return path;
  const [base, fragment] = path.split("#");
  const joined = `${base}${base.includes("?") ? "&" : "?"}lang=${encodeURIComponent(lang)}`;
  return fragment === undefined ? joined : `${joined}#${fragment}`;
}

/** The export link for the filters (and any extra parameters, such as bom=1). */
export function exportHref(base, filters, extra = {}) {
  const params = filterParams(filters);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const query = params.toString();
  return base + (query ? `?${query}` : "");
}

/* A box as the endpoints' bbox (west,south,east,north, 5 decimals), clamped to the world; a
   view wider than the world asks for all of it. */
export function bboxText({ west, south, east, north }) {
  const clamp = (value, limit) => Math.max(-limit, Math.min(limit, value));
  const [w, e] = east - west >= 360 ? [-180, 180] : [west, east];
  return [clamp(w, 180), clamp(south, 90), clamp(e, 180), clamp(north, 90)]
    .map((n) => n.toFixed(5))
    .join(",");
}

/** The incidents endpoint's parameters for a box, a zoom and the filters. */
export function viewParams(box, zoom, filters) {
  const params = filterParams(filters);
  params.set("bbox", bboxText(box));
  params.set("zoom", String(Math.round(zoom)));
  return params;
}

/** A Leaflet LatLngBounds as plain edges. */
export function edges(bounds) {
  return {
    west: bounds.getWest(),
    south: bounds.getSouth(),
    east: bounds.getEast(),
    north: bounds.getNorth(),
  };
}
