/* The casualty figures the claims state, as words: one claim's figures in its popup, and the
   totals per side under the list. A total adds claims, not facts: the words say so. */
import { el } from "./dom.js";
import { format, gettext, localName, ngettext, numberText } from "./translation.js";

export const FIGURE_KINDS = ["killed", "injured", "missing", "evacuated"];

/** A kind of figure in words. */
export function kindText(kind) {
  const words = {
    killed: gettext("killed"),
    injured: gettext("injured"),
    missing: gettext("missing"),
    evacuated: gettext("evacuated"),
  };
  return words[kind] || kind;
}

/** A number or range as the claims give it: {low, best, high} ("at least 12", "13,500",
    "2–9"). An open upper end (high null) is "at least"; a total is never rounded into one
    figure when the claims give a range. */
export function rangeText({ low, best, high }) {
  if (high === null || high === undefined) {
    return format(gettext("at least %(n)s"), { n: numberText(low ?? 0) });
  }
  if (best !== null && best !== undefined && low === best && high === best) {
    return numberText(best);
  }
  if (low === high) return numberText(low);
  return `${numberText(low)}–${numberText(high)}`;
}

/** One figure of a claim: "at least 12 killed". */
export function figureText(figure) {
  return `${rangeText(figure)} ${kindText(figure.kind)}`;
}

/** A side's totals in a line: "31 killed · at least 36 injured". */
export function totalsText(figures) {
  return FIGURE_KINDS.filter((kind) => figures[kind])
    .map((kind) => `${rangeText(figures[kind])} ${kindText(kind)}`)
    .join(" · ");
}

/** The totals under the list: one entry per side (`section` hidden when no claim in view
    states a figure). */
export function sideTotals({ section, list }) {
  function render(totals) {
    const entries = [];
    for (const side of totals || []) {
      const name = side.side ? localName(side.label, side.label_ru) : gettext("No side recorded");
      const claims = format(ngettext("%(n)s claim", "%(n)s claims", side.claims), {
        n: numberText(side.claims),
      });
      entries.push(
        el("dt", { class: `side-${side.side || "none"}` }, [
          el("span", { class: "side-swatch", "aria-hidden": "true" }),
          `${name} (${claims})`,
        ]),
        el("dd", { text: totalsText(side.figures) }),
      );
    }
    list.replaceChildren(...entries);
    section.hidden = entries.length === 0;
  }
  return { render };
}
