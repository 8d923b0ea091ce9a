/* The page's words in its language: Django's JavaScript catalogue (/jsi18n/, loaded by a
   <script src> before the modules) defines `django.gettext`; without it (node's tests) the
   English source strings are used. */

const catalogue = () => globalThis.django;

/** The text in the page's language. */
export function gettext(text) {
  return catalogue() ? catalogue().gettext(text) : text;
}

/** The singular or plural text for `count`, in the page's language (Russian has three forms). */
export function ngettext(singular, plural, count) {
  if (catalogue()) return catalogue().ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

/** `text` with each %(name)s replaced by `values[name]`. */
export function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (whole, name) =>
    name in values ? String(values[name]) : whole,
  );
}

/** The page's language code ("en", "ru"). */
export function language() {
  return globalThis.document?.documentElement.lang || "en";
}

/** A number written the page's way (1,234.5 or 1 234,5). */
export function numberText(value) {
  return value.toLocaleString(language());
}

const RUSSIAN = /^[А-Яа-яЁё][А-Яа-яЁё\s\-«»]*$/;

/** The name to show: on a Russian page its Russian spelling when there is one (`ru`, or the
    first of `alternates` in Russian letters), else `name`. */
export function localName(name, ru = "", alternates = []) {
  if (language() !== "ru") return name;
  return ru || alternates.find((n) => RUSSIAN.test(n)) || name;
}

/** Leaflet's own words on the map (titles and labels of its buttons and links) in the page's
    language; popups' close buttons as they open. */
export function translateLeaflet(map) {
  const words = [
    [".leaflet-control-zoom-in", ["title", "aria-label"], gettext("Zoom in")],
    [".leaflet-control-zoom-out", ["title", "aria-label"], gettext("Zoom out")],
    [".leaflet-control-layers-toggle", ["title"], gettext("Layers")],
    [".leaflet-popup-close-button", ["aria-label"], gettext("Close popup")],
    [
      '.leaflet-control-attribution a[href="https://leafletjs.com"]',
      ["title"],
      gettext("A JavaScript library for interactive maps"),
    ],
  ];
  const apply = () => {
    for (const [selector, attributes, text] of words) {
      for (const node of map.getContainer().querySelectorAll(selector)) {
        for (const attribute of attributes) node.setAttribute(attribute, text);
      }
    }
  };
  map.on("popupopen", apply);
  apply();
}
