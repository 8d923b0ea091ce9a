/* Sharing the current view: the export links follow the filters, the "Embed" dialog gives an
   <iframe> snippet for the view and filters, the embedded map links back to the full map, and
   "Print" prints the page with the date it was printed. */
import { exportHref } from "./url_state.js";

/** The HTML to put in another page to show this view there. */
export function embedSnippet(origin, embedPath, query) {
  const src = `${origin}${embedPath}${query ? `?${query}` : ""}`;
  const quoted = src.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  return (
    `<iframe src="${quoted}" width="100%" height="480" style="border:0" ` +
    `title="Border map: Kyrgyz–Tajik border incidents" loading="lazy"></iframe>`
  );
}

/** A link's extra query ("bom=1") as an object. */
export function extraParams(text) {
  return Object.fromEntries(new URLSearchParams(text || ""));
}

export function shareControls({ config, document, window }) {
  const links = [...document.querySelectorAll("a[data-export]")];
  const fullMap = document.getElementById("full-map-link");
  const dialog = document.getElementById("embed-dialog");
  const code = document.getElementById("embed-code");
  const printedOn = document.getElementById("printed-on");
  const printedFrom = document.getElementById("printed-from");
  let query = "";

  document.getElementById("embed-button")?.addEventListener("click", () => {
    code.value = embedSnippet(window.location.origin, config.urls.embed, query);
    dialog.showModal();
    code.select();
  });
  document.getElementById("embed-copy")?.addEventListener("click", () => {
    code.select();
    window.navigator.clipboard?.writeText(code.value).catch(() => {});
  });
  document.getElementById("embed-close")?.addEventListener("click", () => dialog.close());
  document.getElementById("print-button")?.addEventListener("click", () => window.print());
  const stamp = () => {
    if (printedOn) printedOn.textContent = new Date().toISOString().slice(0, 10);
    if (printedFrom) printedFrom.textContent = window.location.href;
  };
  window.addEventListener("beforeprint", () => {
    stamp();
    // On paper the legend is always open.
    for (const details of document.querySelectorAll("details.legend")) details.open = true;
  });
  stamp();

  return {
    /** The view and filters changed: links follow them. */
    update(filters, pageQuery) {
      query = pageQuery;
      for (const link of links) {
        link.href = exportHref(link.dataset.export, filters, extraParams(link.dataset.exportExtra));
        link.removeAttribute("aria-disabled");
      }
      if (fullMap) fullMap.href = `${config.urls.map}?${pageQuery}`;
      stamp();
    },
    /** The view was refused: no export of it. */
    disable() {
      for (const link of links) {
        link.removeAttribute("href");
        link.setAttribute("aria-disabled", "true");
      }
    },
  };
}
