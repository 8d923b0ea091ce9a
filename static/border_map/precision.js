/* How precise an incident's place is, as the map draws it: the server's `precision_class`
   (border_map.models.precision_class: "exact" within 1 km, "near" within 10 km, "area" for a
   district or region or anything vaguer, shown at a point), so that the classes are defined in
   one place. Area-level claims are not pins in a town: they are drawn as a badge of their area
   with a count, apart from the clustered points, and a toggle (kept in the URL as areas=hide)
   hides them. */

/** Whether an incident summary (of the incidents endpoint) is an area-level claim. */
export function isArea(incident) {
  return incident.precision_class === "area";
}

/** The area-level incidents grouped by place: [{place, place_ru, lat, lon, ids}], by place. */
export function areaGroups(incidents) {
  const groups = new Map();
  for (const incident of incidents) {
    if (!isArea(incident)) continue;
    const key = `${incident.place}|${incident.lat}|${incident.lon}`;
    if (!groups.has(key)) {
      groups.set(key, {
        place: incident.place,
        place_ru: incident.place_ru,
        lat: incident.lat,
        lon: incident.lon,
        incidents: [],
      });
    }
    groups.get(key).incidents.push(incident);
  }
  return [...groups.values()];
}

/** Whether a page URL's query hides the area-level claims. */
export function areasHidden(search) {
  return new URLSearchParams(search).get("areas") === "hide";
}

/** The page's query with the area toggle added when it hides them. */
export function withAreas(query, hidden) {
  return hidden ? `${query}${query ? "&" : ""}areas=hide` : query;
}
