/* The list of the incidents in view beside the map: one button per incident, in date order. */
import { el } from "./dom.js";
import { dateText } from "./text.js";
import { format, gettext, localName, ngettext, numberText } from "./translation.js";

/** What the list says above its entries. */
export function listStatusText(shown, total, atLeast = 0) {
  if (total === 0) return gettext("No incident in view matches the filters.");
  // Not counted past a limit (the server says how far it counted).
  if (total === null) {
    return format(
      gettext(
        "The first %(shown)s of more than %(total)s incidents in view, by date. Zoom in or filter to see the others.",
      ),
      { shown, total: numberText(atLeast) },
    );
  }
  if (shown < total) {
    return format(
      gettext(
        "The first %(shown)s of %(total)s incidents in view, by date. Zoom in or filter to see the others.",
      ),
      { shown, total: numberText(total) },
    );
  }
  return format(
    ngettext(
      "%(total)s incident in view, by date.",
      "%(total)s incidents in view, by date.",
      total,
    ),
    {
      total,
    },
  );
}

/** The list in `pane`; `onChoose(id)` runs when an entry is pressed. */
export function incidentList({ pane, list, status, colourOf, typeName, where, onChoose }) {
  const entry = (id) => list.querySelector(`.incident-entry[data-incident="${CSS.escape(id)}"]`);

  function item(incident) {
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = colourOf(incident.type);
    const button = el(
      "button",
      {
        type: "button",
        class: `incident-entry side-${incident.side || "none"}`,
        "data-incident": incident.id,
      },
      [
        el("time", { datetime: incident.date, text: dateText(incident) }),
        el("span", { class: "entry-title", text: incident.title }),
        el("span", { class: "entry-meta" }, [
          swatch,
          format(gettext("%(type)s · %(place)s · claimed by %(claimant)s"), {
            type: typeName(incident.type),
            place: localName(incident.place, incident.place_ru),
            claimant: incident.claimed_by,
          }),
        ]),
        el("span", { class: "entry-context", text: where(incident) }),
      ],
    );
    button.addEventListener("click", () => onChoose(incident.id));
    // On paper the list stands for the popups: each claim's own words (print.css shows them).
    const quotes = (incident.excerpts || []).map((text) => el("blockquote", { text }));
    return el("li", {}, [button, el("div", { class: "print-only entry-excerpts" }, quotes)]);
  }

  /** Mark the entry of the open incident (`id`, or none) as the current one. */
  function markCurrent(id) {
    for (const button of list.querySelectorAll(".incident-entry")) {
      if (button.getAttribute("data-incident") === id) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
  }

  function render(data, currentId) {
    status.textContent = listStatusText(data.incidents.length, data.total, data.counted_to);
    // Keep the keyboard focus on the same entry when the list is rebuilt (every map move).
    const focused = list.contains(document.activeElement)
      ? document.activeElement.getAttribute("data-incident")
      : null;
    // And keep the open incident's entry in view if it was (the list changes under it).
    const shown = currentId && inView(currentId);
    list.replaceChildren(...data.incidents.map(item));
    const again = focused && entry(focused);
    if (again) again.focus({ preventScroll: true });
    markCurrent(currentId);
    if (shown) reveal(currentId);
  }

  function inView(id) {
    const found = entry(id);
    if (!found) return false;
    const box = found.getBoundingClientRect();
    const view = pane.getBoundingClientRect();
    return box.bottom > view.top && box.top < view.bottom;
  }

  /* Scroll the list pane, not the page, to an entry: on a phone the list is under the map,
     and the page must not leave the map whose marker was just clicked. */
  function reveal(id) {
    const found = entry(id);
    if (!found || pane.scrollHeight <= pane.clientHeight) return;
    const box = found.getBoundingClientRect();
    const view = pane.getBoundingClientRect();
    // Whole pixels, rounded up: the pane scrolls by whole pixels and the boxes are fractional.
    if (box.top < view.top) pane.scrollTop -= Math.ceil(view.top - box.top);
    else if (box.bottom > view.bottom) pane.scrollTop += Math.ceil(box.bottom - view.bottom);
  }

  function showError(message) {
    list.replaceChildren();
    status.textContent = message;
  }

  return { render, markCurrent, reveal, showError };
}
