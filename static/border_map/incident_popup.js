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

  function show(d, pan) {
    if (popup) popup.off("remove", onPopupRemove);
    const room = map.getSize().x - 60; // popup padding and tip included
    popup = L.popup({
      className: "incident-popup",
      maxWidth: Math.min(340, room),
      minWidth: Math.min(220, room),
      autoPan: pan,
      offset: [0, -4],
    })
      .setLatLng([d.lat, d.lon])
      .setContent(popupContent(d, { typeName, where, articleLink, eventLink }));
    popup.on("remove", onPopupRemove);
    popup.openOn(map);
  }

  function flyTo(d) {
    // Put the incident a quarter of the map's height below the centre, so that the popup
    // above it fits.
    const zoom = Math.max(map.getZoom(), 11);
    const point = map.project([d.lat, d.lon], zoom).subtract([0, map.getSize().y / 4]);
    const centre = map.unproject(point, zoom);
    show(d, false);
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
      else show(d, move === "pan");
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
