/* Pure text helpers of the map page: dates, marked excerpts, links, distances. */
import { format, gettext, localName, numberText } from "./translation.js";

/** The date of an incident as the page shows it: one day, a range, or a planned day. */
export function dateText(d) {
  if (d.date_precision === "planned")
    return format(gettext("planned for %(day)s"), { day: d.date });
  if (d.date_end && d.date_end !== d.date) return `${d.date} – ${d.date_end}`;
  return d.date;
}

/* An excerpt cut at the given [start, end) spans (the place name): {text, marked} pieces in
   order, whose texts join back into the excerpt; overlapping or out-of-range spans are clipped. */
export function highlightSegments(text, spans) {
  const pieces = [];
  let at = 0;
  for (const span of [...spans].sort((a, b) => a[0] - b[0])) {
    const start = Math.max(span[0], at);
    const end = Math.min(span[1], text.length);
    if (end <= start) continue;
    pieces.push({ text: text.slice(at, start), marked: false });
    pieces.push({ text: text.slice(start, end), marked: true });
    at = end;
  }
  pieces.push({ text: text.slice(at), marked: false });
  return pieces;
}

/** A link the page may follow: a path on this site, or "#" for anything else. */
export function localPath(url) {
  return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "#";
}

/** Metres as kilometres, in the page's number format ("1,234.5 km"). */
export function kmText(metres) {
  return format(gettext("%(km)s km"), { km: numberText(metres / 1000) });
}

/* The parameters of the page's own URL that the incidents endpoint may refuse, as the page
   calls them. */
const PARAMETER_WORDS = {
  datetime: () => gettext("dates"),
  type: () => gettext("type"),
  claimed_by: () => gettext("claimant"),
  bbox: () => gettext("map view"),
  zoom: () => gettext("zoom"),
};

/** Why the incidents are not shown, from the endpoint's refusal (`error.parameter` and its
    English `description`): in English the endpoint's own words, otherwise which setting of the
    link was refused, in the page's language. */
export function refusalText(error, lang) {
  if (!error?.parameter && !error?.description)
    return gettext("the incidents could not be loaded.");
  if (lang === "en" && error.description) return error.description;
  const word = PARAMETER_WORDS[error.parameter];
  return word
    ? format(gettext("the link's %(setting)s cannot be used."), { setting: word() })
    : gettext("the link cannot be used.");
}

/** A distance in km as the context says it: 1 decimal from 1 km, 2 below. */
function distanceText(km) {
  const rounded = km >= 1 ? Math.round(km * 10) / 10 : Math.round(km * 100) / 100;
  return kmText(rounded * 1000);
}

/** Where a place lies: its territory, the nearest shared line and how far, the enclave
    holding it or the nearest one; `countryName(code)` names a country. */
export function contextText(p, countryName) {
  const parts = [];
  if (p.enclave) {
    const enclave = localName(p.enclave, p.enclave_ru);
    parts.push(format(gettext("in the %(enclave)s enclave"), { enclave }));
  }
  if (p.territory)
    parts.push(format(gettext("in %(country)s"), { country: countryName(p.territory) }));
  if (p.line && p.line_distance_km !== null && p.line_distance_km !== undefined) {
    const line = p.line.split("-").map(countryName).join("–");
    parts.push(
      p.line_distance_km < 0.01
        ? format(gettext("on the %(line)s line"), { line })
        : format(gettext("%(km)s from the %(line)s line"), {
            km: distanceText(p.line_distance_km),
            line,
          }),
    );
  }
  if (
    !p.enclave &&
    p.nearest_enclave &&
    p.nearest_enclave_km !== null &&
    p.nearest_enclave_km !== undefined
  ) {
    parts.push(
      format(gettext("%(km)s from the %(enclave)s enclave"), {
        km: distanceText(p.nearest_enclave_km),
        enclave: localName(p.nearest_enclave, p.nearest_enclave_ru),
      }),
    );
  }
  return parts.join("; ");
}
