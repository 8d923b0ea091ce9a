/* The filter form (dates, claimant, side, type) and whether an incident passes it. */
import { el } from "./dom.js";
import { gettext } from "./translation.js";

/* Whether an incident (popup data) passes the filters; its dates overlap the range. Days are
   ISO texts, which compare in date order. */
export function matchesFilters(d, filters) {
  const { from, to } = filters;
  if (filters.claimed_by && d.claimed_by !== filters.claimed_by) return false;
  if (filters.side && d.side !== filters.side) return false;
  if (filters.type && d.type !== filters.type) return false;
  // Only claims of an event can be in a contested one (the server knows which events are).
  if (filters.contested && !d.event) return false;
  if (to && d.date > to) return false;
  if (from && (d.date_end || d.date) < from) return false;
  return true;
}

/** The form's inputs: read them, restore them from a link, keep the dates in bounds. */
export function filterForm(form) {
  const inputs = {
    from: form.querySelector("#filter-from"),
    to: form.querySelector("#filter-to"),
    claimed_by: form.querySelector("#filter-claimed-by"),
    side: form.querySelector("#filter-side"),
    type: form.querySelector("#filter-type"),
    contested: form.querySelector("#filter-contested"),
  };
  // The template's min and max (the days of the data) stay the outer limits.
  const dayLimits = { min: inputs.from.min, max: inputs.to.max };

  function values() {
    return {
      from: inputs.from.value,
      to: inputs.to.value,
      claimed_by: inputs.claimed_by.value,
      side: inputs.side.value,
      type: inputs.type.value,
      contested: inputs.contested?.checked ? "1" : "",
    };
  }

  /* Each date bounds the other, so the form cannot ask for a range that ends before it starts. */
  function limitDates() {
    inputs.to.min = inputs.from.value || dayLimits.min;
    inputs.from.max = inputs.to.value || dayLimits.max;
  }

  /* Until the claimants arrive, a claimant the link names is its only option; a side or type
     the form does not offer is dropped. */
  function restore(filters) {
    inputs.from.value = filters.from;
    inputs.to.value = filters.to;
    const claimant = filters.claimed_by;
    if (claimant) inputs.claimed_by.append(el("option", { value: claimant, text: claimant }));
    inputs.claimed_by.value = claimant;
    limitDates();
    for (const name of ["side", "type"]) {
      const known = Array.from(inputs[name].options).some((o) => o.value === filters[name]);
      inputs[name].value = known ? filters[name] : "";
    }
    if (inputs.contested) inputs.contested.checked = filters.contested === "1";
  }

  /* Set the dates (the time bar's range; both empty: all days). */
  function setDates(from, to) {
    inputs.from.value = from;
    inputs.to.value = to;
    limitDates();
  }

  /* The claimant options come from their own endpoint, so the page's HTML does not grow with
     the number of claimants. A chosen claimant that has no incident stays, with (0). */
  function setClaimants(claimants) {
    const chosen = inputs.claimed_by.value;
    const options = [el("option", { value: "", text: gettext("anyone") })];
    let known = false;
    for (const c of claimants) {
      known = known || c.name === chosen;
      options.push(el("option", { value: c.name, text: `${c.name} (${c.count})` }));
    }
    if (chosen && !known) options.push(el("option", { value: chosen, text: `${chosen} (0)` }));
    inputs.claimed_by.replaceChildren(...options);
    inputs.claimed_by.value = chosen;
  }

  return { values, limitDates, restore, setClaimants, setDates };
}
