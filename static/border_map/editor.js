/* The editors' review page: the map of the names' places and candidates, the panel of the name
   clicked in the text (its decision forms), a map click to place a name, and a selection of the
   text to draft a claim. Everything the article says is put in the page as text, never HTML. */
import { articleOffset, claimUrl, trimmedSpan } from "./selection.js";

const COLOURS = {
  resolved: "#1b7837",
  "needs-review": "#b35806",
  unresolved: "#c51b7d",
  rejected: "#777777",
};

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** The piece element and UTF-16 offset of a DOM position inside the article's text. */
function pieceOf(node, offset) {
  const piece = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest(
    "[data-start]",
  );
  if (!piece) return null;
  if (node.nodeType !== Node.TEXT_NODE) {
    // A position between children: before the child at `offset`, or at the piece's end.
    return { piece, units: offset === 0 ? 0 : piece.textContent.length };
  }
  return { piece, units: offset };
}

function selectedSpan(container) {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  if (!container.contains(range.startContainer) || !container.contains(range.endContainer))
    return null;
  const a = pieceOf(range.startContainer, range.startOffset);
  const b = pieceOf(range.endContainer, range.endOffset);
  if (!a || !b) return null;
  const start = articleOffset(Number(a.piece.dataset.start), a.piece.textContent, a.units);
  const end = articleOffset(Number(b.piece.dataset.start), b.piece.textContent, b.units);
  if (end <= start) return null;
  return trimmedSpan(start, range.toString());
}

function setSpan(form, name) {
  form.elements.start.value = String(name.start);
  form.elements.end.value = String(name.end);
}

export function start() {
  const text = document.getElementById("article-text");
  const names = JSON.parse(document.getElementById("names-data").textContent);
  const urls = document.getElementById("review-urls").dataset;
  const panel = document.getElementById("name-panel");
  const L = window.L;

  const map = L.map("review-map", { zoomControl: true }).setView([40.0, 70.6], 8);
  if (urls.tiles)
    L.tileLayer(urls.tiles, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
  L.control.scale().addTo(map);
  const places = L.layerGroup().addTo(map);
  const candidates = L.layerGroup().addTo(map);
  let clicked = null;

  const bounds = [];
  for (const name of names) {
    if (!name.place) continue;
    const marker = L.circleMarker([name.place.lat, name.place.lon], {
      radius: 7,
      color: COLOURS[name.state] || "#333",
      weight: 2,
      fillOpacity: 0.6,
    });
    marker.bindTooltip(el("span", `${name.text} → ${name.place.name}`));
    marker.on("click", () => choose(name));
    marker.addTo(places);
    bounds.push([name.place.lat, name.place.lon]);
  }
  if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 10 });

  function choose(name) {
    for (const mark of text.querySelectorAll("mark.selected")) mark.classList.remove("selected");
    document.getElementById(`name-${name.start}`)?.classList.add("selected");
    panel.hidden = false;
    panel.dataset.start = String(name.start);
    document.getElementById("name-title").textContent = name.text;
    document.getElementById("name-state").textContent =
      name.state.replace("-", " ") + (name.why ? ` — ${name.why}` : "");
    document.getElementById("name-place").textContent = name.place
      ? `${name.place.name}: ${name.place.lat.toFixed(5)} N, ${name.place.lon.toFixed(5)} E, ±${name.place.precision_m} m (${name.place.source})`
      : "No place.";
    const link = document.getElementById("name-place-link");
    link.hidden = !name.place;
    if (name.place) link.href = urls.place.replace("__slug__", encodeURIComponent(name.place.slug));
    for (const id of ["accept-form", "choose-form", "reject-form", "place-form"]) {
      setSpan(document.getElementById(id), name);
    }
    document.getElementById("accept-form").hidden = !name.place || name.state === "rejected";
    const select = document.getElementById("candidate-select");
    select.replaceChildren();
    for (const c of name.candidates) {
      const option = el("option", `${c.name} (${c.kind}, ${c.source}, score ${c.score})`);
      option.value = String(c.index);
      select.append(option);
    }
    document.getElementById("choose-form").hidden = name.candidates.length === 0;
    candidates.clearLayers();
    for (const c of name.candidates) {
      const ring = L.circle([c.lat, c.lon], {
        radius: c.precision_m,
        color: "#2166ac",
        weight: 1,
        dashArray: "4 4",
      });
      ring.bindTooltip(el("span", `candidate ${c.index + 1}: ${c.name}`));
      ring.addTo(candidates);
      const dot = L.circleMarker([c.lat, c.lon], { radius: 4, color: "#2166ac" });
      dot.bindTooltip(el("span", `candidate ${c.index + 1}: ${c.name} (${c.source})`));
      dot.on("click", () => {
        select.value = String(c.index);
      });
      dot.addTo(candidates);
    }
    if (name.place) map.panTo([name.place.lat, name.place.lon]);
    else if (name.candidates.length) map.panTo([name.candidates[0].lat, name.candidates[0].lon]);
  }

  text.addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-name]");
    if (mark) choose(names[Number(mark.dataset.name)]);
  });
  text.addEventListener("keydown", (event) => {
    const mark = event.target.closest("mark[data-name]");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      choose(names[Number(mark.dataset.name)]);
    }
  });

  map.on("click", (event) => {
    const lat = document.getElementById("place-lat");
    const lon = document.getElementById("place-lon");
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    const radius = Number(document.getElementById("place-precision").value) || 1000;
    if (clicked) clicked.remove();
    clicked = L.circle(event.latlng, { radius, color: "#000", weight: 2 }).addTo(map);
    document.body.dataset.clicked = "yes";
  });
  document.getElementById("place-precision").addEventListener("input", (event) => {
    if (clicked) clicked.setRadius(Number(event.target.value) || 1);
  });

  const button = document.getElementById("draft-claim");
  const info = document.getElementById("selection-info");
  let span = null;
  document.addEventListener("selectionchange", () => {
    span = selectedSpan(text);
    button.disabled = !span;
    info.textContent = span
      ? `[${span.start}:${span.end}] ${span.text.length} characters selected`
      : "Select a passage of the text.";
  });
  button.addEventListener("click", () => {
    if (span) window.location.assign(claimUrl(urls.claimNew, span));
  });

  const wanted = window.location.hash.match(/^#name-(\d+)$/);
  const first = wanted ? names.find((n) => n.start === Number(wanted[1])) : null;
  if (first) choose(first);
  document.documentElement.dataset.review = "ready";
}

if (typeof document !== "undefined" && document.getElementById("article-text")) start();
