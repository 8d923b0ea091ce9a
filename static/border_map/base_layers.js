/* Which base the map stands on. It opens on the backdrop (country fills and names, no outside
   request) and asks the tile server for one tile first: the tiles replace the backdrop only once
   that tile loads. When tiles stop loading later (a view whose tiles all fail), the map goes
   back to the backdrop by itself. Either way it says so in a notice read out by screen readers
   (aria-live). A base the user picks in the layer control is kept. */
import { el } from "./dom.js";
import { gettext } from "./translation.js";

/** The URL of the tile under `latlng` at `zoom`, from a tile layer's URL template. */
export function tileURL(template, options, x, y, z) {
  const subdomains = options.subdomains || "abc";
  return template
    .replace("{s}", subdomains[Math.abs(x + y) % subdomains.length])
    .replace("{z}", String(z))
    .replace("{x}", String(x))
    .replace("{y}", String(y))
    .replace("{r}", "");
}

export function chooseBase(map, { tiles, backdrop, notice }) {
  const say = (text) => {
    notice.hidden = !text; // shown first, so that screen readers read the text it then gets
    notice.textContent = text;
  };
  backdrop.addTo(map);
  map.getContainer().setAttribute("data-base", "backdrop");
  if (!tiles) return;
  let chosen = false; // the user picked a base in the layer control
  map.on("baselayerchange", () => {
    chosen = true;
    say("");
  });

  const fallBack = () => {
    map.removeLayer(tiles);
    backdrop.addTo(map);
    map.getContainer().setAttribute("data-base", "backdrop");
    say(
      gettext(
        "Map tiles could not be loaded: the map shows the countries without tiles (Layers to try again).",
      ),
    );
  };

  let loaded = 0;
  let failed = 0;
  tiles.on("tileload", () => {
    loaded += 1;
  });
  tiles.on("tileerror", () => {
    failed += 1;
  });
  // "load": every tile of the view has loaded or failed.
  tiles.on("load", () => {
    if (failed && !loaded && map.hasLayer(tiles)) fallBack();
    loaded = 0;
    failed = 0;
  });

  const zoom = map.getZoom();
  const tile = map.project(map.getCenter(), zoom).divideBy(256).floor();
  const probe = new Image();
  probe.onload = () => {
    if (chosen) return;
    map.removeLayer(backdrop);
    tiles.addTo(map);
    map.getContainer().setAttribute("data-base", "tiles");
  };
  probe.onerror = () => {
    if (!chosen) fallBack();
  };
  probe.src = tileURL(tiles._url, tiles.options, tile.x, tile.y, zoom);
}

/** The notice over the map that says which base it fell back to (aria-live), with a button
    that closes it. */
export function baseNotice(map) {
  const text = el("span");
  const close = el("button", { type: "button", class: "map-notice-close", text: "×" });
  close.setAttribute("aria-label", gettext("Close"));
  const box = el("div", { class: "map-notice-box", role: "status", "aria-live": "polite" }, [
    text,
    close,
  ]);
  box.hidden = true;
  close.addEventListener("click", () => {
    box.hidden = true;
  });
  L.DomEvent.disableClickPropagation(box);
  map.getContainer().append(box);
  return {
    set textContent(value) {
      text.textContent = value;
    },
    set hidden(value) {
      box.hidden = value;
    },
  };
}
