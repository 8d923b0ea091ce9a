/* The open incident: its popup (date, claim, casualties, excerpts with the place marked), which
   incident it is, and the flight to it. */
import { el } from "./dom.js";
import { fetchJSON, ignoreAbort } from "./http.js";
import { dateText, highlightSegments, localPath } from "./text.js";
import { figureText } from "./totals.js";
import { gettext, localName } from "./translation.js";

function popupContent(d, { typeName, where, articleLink, eventLink }) {
  const rows = [
    el("h3", { text: d.title }),
    el("p", { class: "popup-meta" }, [
      el("time", { datetime: d.date, text: dateText(d) }),
      ` · ${typeName(d.type)}`,
    ]),
    el("p", { class: `popup-claimant side-${d.side || "none"}` }, [
      el("span", { class: "side-swatch", "aria-hidden": "true" }),
      el("strong", { text: `${gettext("Claimed by:")} ` }),
      d.claimed_by,
      d.side ? ` (${localName(d.side_label, d.side_label_ru)})` : "",
    ]),
  ];
  if (d.casualties) {
    rows.push(
      el("p", {}, [el("strong", { text: `${gettext("Casualties (as stated):")} ` }), d.casualties]),
    );
  }
  if (d.figures?.length) {
    rows.push(
      el("p", { class: "popup-figures" }, [
        el("strong", { text: `${gettext("Figures claimed:")} ` }),
        d.figures.map(figureText).join(" · "),
      ]),
    );
  }
  rows.push(
    el("p", {}, [
      el("strong", { text: `${gettext("Place:")} ` }),
      localName(d.place, d.place_ru),
      d.location_note ? ` (${d.location_note})` : "",
    ]),
  );
  rows.push(el("p", { class: "popup-context", text: where(d) }));
  if (d.event) {
    // The other accounts of the same happening, side by side on the event's page.
    rows.push(
      el("p", { class: "popup-event" }, [
        el("a", {
          href: articleLink(eventLink(d.event)),
          text: gettext("Every account of this event, side by side"),
        }),
      ]),
    );
  }
  for (const excerpt of d.excerpts) {
    const pieces = highlightSegments(excerpt.text, excerpt.highlights).map((piece) =>
      piece.marked ? el("mark", { text: piece.text }) : piece.text,
    );
    rows.push(el("blockquote", { class: "excerpt" }, pieces));
    rows.push(
      el("p", { class: "excerpt-source" }, [
        el("a", {
          href: articleLink(localPath(excerpt.url)),
          text: gettext("Read it in the article"),
        }),
        ` — ${excerpt.outlet}`,
      ]),
    );
  }
  return el("div", { class: "incident-popup-body", "data-incident": d.id }, rows);
}

// Below this map width the popup is a sheet over the lower part of the map (map.css).
const SHEET = "(max-width: 699px)";
const GAP = 8; // pixels kept between the popup and the map's edges and controls
const CHROME = 60; // a popup's padding, close button and tip besides its content
const MIN_CONTENT = 40; // the least of a popup's content shown (one or two lines; it scrolls)

/** The part of the map's box (in page pixels) that no control covers: between the controls of
    the top corners and those of the bottom corners. */
export function freeBox(container) {
  // The map's container never scrolls: Leaflet undoes a scroll of it (a focus or a
  // scrollIntoView of a marker near its edge scrolls it) on the scroll event, which comes after
  // a click that follows at once. Undo it now, or every box measured inside is off by it.
  container.scrollTop = 0;
  container.scrollLeft = 0;
  const box = container.getBoundingClientRect();
  const free = {
    left: box.left + GAP,
    right: box.right - GAP,
    top: box.top + GAP,
    bottom: box.bottom - GAP,
  };
  for (const control of container.querySelectorAll(".leaflet-top > *")) {
    free.top = Math.max(free.top, control.getBoundingClientRect().bottom + GAP);
  }
  for (const control of container.querySelectorAll(".leaflet-bottom > *")) {
    free.bottom = Math.min(free.bottom, control.getBoundingClientRect().top - GAP);
  }
  // Only what the window shows of the map (the page may be scrolled past its top or bottom).
  const view = container.ownerDocument.defaultView;
  free.top = Math.max(free.top, GAP);
  free.bottom = Math.min(free.bottom, view.innerHeight - GAP);
  return free;
}

/** The tallest a popup's content may be to fit `free` (page pixels) with its padding, close
    button and tip; scrolled inside itself beyond that. */
export function contentHeight(free) {
  return Math.max(MIN_CONTENT, Math.round(free.bottom - free.top - CHROME));
}

/** Keeps a popup that is not an incident's (an area badge's list) inside the part of the map
    no control covers: its content scrolls inside itself and the map pans to show it whole.
    Bind it with `autoPan: false`. */
export function fitPopup(map, popup) {
  const content = popup.getElement().querySelector(".leaflet-popup-content");
  content.style.maxHeight = `${contentHeight(freeBox(map.getContainer()))}px`;
  content.style.overflowY = "auto";
  panToPopup(map, popup);
}

/** Pans the map to bring the open popup inside the part of the map no control covers, but
    never so far that the place it points at leaves the map (the list shows only what is in
    the map's view, and must keep the open incident). */
function panToPopup(map, popup) {
  const container = map.getContainer();
  const free = freeBox(container); // first: it undoes a scroll of the container
  const box = container.getBoundingClientRect();
  const anchor = map.latLngToContainerPoint(popup.getLatLng());
  const [dx, dy] = panToFit(popup.getElement().getBoundingClientRect(), free, {
    x: box.left + anchor.x,
    y: box.top + anchor.y,
    box,
  });
  if (dx || dy) map.panBy([dx, dy], { animate: false });
}

/** How far to pan the map ([x, y] pixels) to bring `box` inside `free`, top and left first;
    with `anchor` ({x, y, box}: the point the popup points at and the map's box, page pixels),
    no further than keeps that point inside the map's box. */
export function panToFit(box, free, anchor = null) {
  let dx = 0;
  let dy = 0;
  if (box.right > free.right) dx = box.right - free.right;
  if (box.left - dx < free.left) dx = box.left - free.left;
  if (box.bottom > free.bottom) dy = box.bottom - free.bottom;
  if (box.top - dy < free.top) dy = box.top - free.top;
  if (anchor) {
    const clamp = (d, at, low, high) => Math.min(Math.max(d, at - high), at - low);
    dx = clamp(dx, anchor.x, anchor.box.left + GAP, anchor.box.right - GAP);
    dy = clamp(dy, anchor.y, anchor.box.top + GAP, anchor.box.bottom - GAP);
  }
  return [Math.round(dx), Math.round(dy)];
}

/* `detailURL` has __slug__ where the incident's id goes; `linked` is the incident a link names
   (it counts as open until `open` shows it or finds it gone); `onChange(id)` runs whenever the
   open incident changes (to an id, or to null when its popup closes). */
export function incidentPopups(
  map,
  { detailURL, reducedMotion, linked = null, onChange, typeName, where, articleLink, eventURL },
) {
  const eventLink = (slug) => eventURL.replace("__slug__", encodeURIComponent(slug));
  const details = new Map(); // popup data by incident id, fetched once
  let current = linked;
  let popup = null;

  function setCurrent(id) {
    current = id;
    onChange(id);
  }

  function onPopupRemove() {
    popup = null;
    setCurrent(null);
  }

  const container = map.getContainer();
  const sheet = window.matchMedia(SHEET);

  function show(d) {
    if (popup) popup.off("remove", onPopupRemove);
    container.removeAttribute("data-popup-fitted");
    const room = map.getSize().x - 60; // popup padding and tip included
    popup = L.popup({
      className: "incident-popup",
      maxWidth: Math.min(340, room),
      minWidth: Math.min(220, room),
      autoPan: false, // fit() places it clear of the controls
      offset: [0, -4],
    })
      .setLatLng([d.lat, d.lon])
      .setContent(popupContent(d, { typeName, where, articleLink, eventLink }));
    popup.on("remove", onPopupRemove);
    popup.openOn(map);
    const element = popup.getElement();
    const content = element.querySelector(".leaflet-popup-content");
    if (sheet.matches) {
      // A sheet over the lower part of the map, out of the map's moving panes, above the
      // controls; it scrolls inside itself.
      element.classList.add("popup-sheet");
      container.append(element);
      content.style.maxHeight = `${Math.round(map.getSize().y * 0.5)}px`;
    } else {
      content.style.maxHeight = `${contentHeight(freeBox(container))}px`;
    }
  }

  /* Pans the map so that the open popup lies inside the map, clear of the controls; on a
     sheet, so that the incident lies above the sheet. */
  function fit(id) {
    if (!popup || current !== id) return;
    const element = popup.getElement();
    if (sheet.matches) {
      // The sheet lies on the map's bottom edge: when that edge is below the window (the page
      // scrolled up), scroll it into view so that the whole sheet is readable.
      const below = element.getBoundingClientRect().bottom - window.innerHeight;
      if (below > 0) window.scrollBy({ top: Math.ceil(below), behavior: "instant" });
      const height = map.getSize().y - element.offsetHeight;
      const y = map.latLngToContainerPoint(popup.getLatLng()).y;
      if (y < GAP || y > height - GAP) map.panBy([0, y - height / 2], { animate: false });
    } else {
      panToPopup(map, popup);
    }
    container.setAttribute("data-popup-fitted", id);
  }

  function flyTo(d) {
    // Put the incident a quarter of the map's height below the centre, so that the popup
    // above it fits; above the centre when the popup is a sheet under it.
    const zoom = Math.max(map.getZoom(), 11);
    const quarter = (map.getSize().y / 4) * (sheet.matches ? -1 : 1);
    const point = map.project([d.lat, d.lon], zoom).subtract([0, quarter]);
    const centre = map.unproject(point, zoom);
    show(d);
    map.once("moveend", () => fit(d.id));
    if (reducedMotion) map.setView(centre, zoom);
    else map.flyTo(centre, zoom, { duration: 0.6 });
  }

  /* Open an incident's popup; `move` is "fly" (to it), "pan" (just enough to show the popup)
     or "stay" (restoring a link: keep the view it names). */
  async function open(id, move) {
    setCurrent(id);
    try {
      const url = detailURL.replace("__slug__", encodeURIComponent(id));
      const d = await (details.get(id) || fetchJSON(url));
      details.set(id, d);
      if (current !== id) return;
      if (move === "fly") flyTo(d);
      else {
        show(d);
        if (move === "pan") fit(id);
      }
    } catch (error) {
      // A link to an incident that does not exist (any more): drop it from the URL.
      if (error && error.status === 404 && current === id) setCurrent(null);
      ignoreAbort(error);
    }
  }

  /** Close the open incident's popup unless `keep(data)` holds for it. */
  function closeUnless(keep) {
    const d = current && details.get(current);
    if (d && popup && !keep(d)) map.closePopup(popup);
  }

  return { open, closeUnless, current: () => current };
}
