/* Pure text helpers of the map page: dates, marked excerpts, links, distances. */

/** The date of an incident as the page shows it: one day, a range, or a planned day. */
export function dateText(d) {
  if (d.date_precision === "planned") return `planned for ${d.date}`;
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

/** Metres as kilometres, in English number format ("1,234.5 km"). */
export function kmText(metres) {
  return `${(metres / 1000).toLocaleString("en")} km`;
}
