/* The map page in the browser: wires the layers, the incident list, the filters, the export
   link and the URL together. folium's inline script makes the map and hands it over in
   `window.borderMapPage` ({map, control, config}); a module script runs after the document is
   parsed, so after that script. */
import { baseNotice, chooseBase } from "./base_layers.js";
import { filterForm, matchesFilters } from "./filters.js";
import { fetchJSON, ignoreAbort, isAbort, latestOnly } from "./http.js";
import { incidentPopups } from "./incident_popup.js";
import { incidentLayer } from "./incidents_layer.js";
import { addLegend } from "./legend.js";
import { incidentList } from "./list.js";
import { placesLayer } from "./places.js";
import { areasHidden, isArea, withAreas } from "./precision.js";
import { addReferenceLayers } from "./reference_layers.js";
import { placeScaleBar } from "./scale.js";
import { shareControls } from "./share.js";
import { contextText, refusalText } from "./text.js";
import { clusterTiles, mergeTiles } from "./tiles.js";
import { timeBar } from "./timebar.js";
import { sideTotals } from "./totals.js";
import { format, gettext, language, translateLeaflet } from "./translation.js";
import {
  edges,
  filterParams,
  pageQuery,
  readState,
  viewParams,
  withLanguage,
} from "./url_state.js";

function start({ map, control, tiles, config }) {
  const root = document.documentElement;
  const share = shareControls({ config, document, window });
  // On paper the map is narrower than on screen: keep the same centre and zoom.
  let screenCentre = null;
  const recentre = () => {
    map.invalidateSize({ pan: false });
    if (screenCentre) map.setView(screenCentre, map.getZoom(), { animate: false });
  };
  window.addEventListener("beforeprint", () => {
    screenCentre = map.getCenter();
    recentre();
  });
  window.addEventListener("afterprint", recentre);
  const form = document.getElementById("filters");
  const filters = filterForm(form);
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const colourOf = (type) => config.types[type] || "#777777";
  const countryName = (code) => config.countries[code]?.name || code;
  const typeName = (type) => config.typeNames[type] || type;
  const kindName = (kind) => config.kindNames[kind] || kind;
  const where = (d) => contextText(d, countryName);
  const linked = readState(window.location.search);
  let hideAreas = areasHidden(window.location.search);
  const articleLink = (path) => withLanguage(path, linked.lang);
  const languageSwitch = document.getElementById("language-switch");

  function writeURL() {
    const state = [filters.values(), map.getCenter(), map.getZoom(), popups.current()];
    const query = withAreas(pageQuery(...state, linked.lang), hideAreas);
    window.history.replaceState(null, "", `${window.location.pathname}?${query}`);
    // The switch opens the same view in the other language.
    if (languageSwitch) {
      const other = withAreas(
        pageQuery(...state, languageSwitch.getAttribute("data-lang")),
        hideAreas,
      );
      languageSwitch.href = `${window.location.pathname}?${other}`;
    }
    share.update(filters.values(), query);
  }

  const list = incidentList({
    pane: document.getElementById("incident-pane"),
    list: document.getElementById("incident-list"),
    status: document.getElementById("list-status"),
    colourOf,
    typeName,
    where,
    onChoose: (id) => {
      // On a phone the list is under the map: bring the map back into view first.
      const box = map.getContainer().getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) {
        map.getContainer().scrollIntoView({
          block: "start",
          behavior: reducedMotion ? "auto" : "smooth",
        });
      }
      popups.open(id, "fly");
    },
  });
  const totals = sideTotals({
    section: document.getElementById("side-totals"),
    list: document.getElementById("side-totals-list"),
  });
  const popups = incidentPopups(map, {
    detailURL: config.urls.incident,
    eventURL: config.urls.event,
    reducedMotion,
    linked: linked.incident,
    typeName,
    where,
    articleLink,
    onChange: (id) => {
      list.markCurrent(id);
      writeURL();
    },
  });
  const incidents = incidentLayer(map, {
    colourOf,
    reducedMotion,
    onMarkerClick: (id) => {
      popups.open(id, "pan");
      list.reveal(id);
    },
  });

  const backdrop = addReferenceLayers(map, control, config, countryName);
  const places = placesLayer(map, {
    url: config.urls.places,
    attribution: config.attribution.geonames,
    countryName,
    kindName,
    place: linked.place,
    incidentOpen: () => popups.current() !== null,
  });
  control.addOverlay(places.layer, gettext("Places"));
  control.addOverlay(incidents.layer, gettext("Incidents"));
  control.addOverlay(incidents.areaLayer, gettext("Area-level claims (district, region)"));
  places.layer.addTo(map);
  incidents.layer.addTo(map);
  if (!hideAreas) incidents.areaLayer.addTo(map);
  // The toggle hides the area-level claims from the list too, and the URL keeps it.
  map.on("overlayadd overlayremove", (event) => {
    if (event.layer !== incidents.areaLayer) return;
    hideAreas = event.type === "overlayremove";
    writeURL();
    loadIncidents();
  });
  addLegend(map, config.types, config.countries, typeName);
  placeScaleBar(map);
  translateLeaflet(map);

  const fetchIncidents = latestOnly();
  const clusters = clusterTiles(config.urls.clusters);
  let latest = 0;
  async function loadIncidents() {
    root.setAttribute("data-incidents", "loading");
    const params = viewParams(edges(map.getBounds()), map.getZoom(), filters.values());
    // The map draws the tiles in view; the incidents endpoint gives only the list.
    const listParams = new URLSearchParams(params);
    listParams.set("clusters", "0");
    const query = filterParams(filters.values()).toString();
    const current = ++latest;
    const listed = fetchIncidents(`${config.urls.incidents}?${listParams}`);
    listed.catch(() => {}); // awaited below; a refusal while the tiles load is handled there
    try {
      // The map is drawn as soon as its tiles are in, without waiting for the list.
      const answers = await clusters.load(edges(map.getBounds()), map.getZoom(), query);
      if (current !== latest) return; // a newer view is on its way
      incidents.draw(mergeTiles(answers), params.get("zoom"));
      root.setAttribute("data-map-view", params.toString());
      const data = await listed;
      if (current !== latest) return;
      const shown = hideAreas ? data.incidents.filter((i) => !isArea(i)) : data.incidents;
      // total is null when more match than the list endpoint counts to.
      const total =
        data.total === null ? null : data.total - (data.incidents.length - shown.length);
      list.render({ ...data, incidents: shown, total }, popups.current());
      totals.render(data.totals);
      root.setAttribute("data-incident-total", String(data.total));
      // Which view is drawn (map and list), so that a test or a benchmark can wait for a
      // given view; data-map-view says which view the map alone has drawn.
      root.setAttribute("data-incidents-view", params.toString());
      root.setAttribute("data-incidents", "ready");
    } catch (error) {
      if (isAbort(error)) return;
      // The endpoint refused the view (a bad filter in the URL) or could not be reached: say
      // why in the list, and show no incident rather than the last view's.
      incidents.clear();
      totals.render([]);
      list.showError(
        format(gettext("No incidents shown: %(why)s"), { why: refusalText(error, language()) }),
      );
      share.disable();
      root.setAttribute("data-incident-total", "0");
      root.setAttribute("data-incidents", "error");
    }
  }

  // The time bar (the embedded map has it too): its counts follow the claimant and type
  // filters, its range is the date filters.
  const timebarRoot = document.getElementById("timebar");
  const timebar = timebarRoot
    ? timeBar({
        root: timebarRoot,
        fetchJSON: latestOnly(),
        url: config.urls.timeline,
        types: Object.keys(config.types),
        colourOf,
        typeName,
        onRange: ({ from, to }) => {
          filters.setDates(from, to);
          form.dispatchEvent(new Event("change"));
        },
        // The player waits for the map to draw each day before it counts the day's time.
        busy: () => root.getAttribute("data-incidents") === "loading",
      })
    : null;
  function followFilters() {
    if (!timebar) return;
    const values = filters.values();
    timebar.load(filterParams({ ...values, from: "", to: "" }));
    timebar.show(values);
  }

  filters.restore(linked.filters);
  if (linked.view)
    map.setView([linked.view.lat, linked.view.lon], linked.view.zoom, { animate: false });

  // Each view is asked for as soon as the map stops moving: a newer view aborts the list
  // request of the one before, and tiles already fetched are not asked again.
  map.on("moveend", () => {
    writeURL();
    places.load();
    loadIncidents();
  });
  form.addEventListener("change", () => {
    filters.limitDates();
    // An open incident the filters now exclude is closed.
    popups.closeUnless((d) => matchesFilters(d, filters.values()));
    writeURL();
    loadIncidents();
    followFilters();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", () => {
    // The inputs are cleared after the reset event.
    window.setTimeout(() => {
      filters.limitDates();
      writeURL();
      loadIncidents();
      if (timebar) timebar.stop();
      followFilters();
    }, 0);
  });
  chooseBase(map, { tiles, backdrop, notice: baseNotice(map) });
  writeURL();
  loadIncidents();
  followFilters();
  places.load();
  if (linked.incident) popups.open(linked.incident, "stay");
  fetchJSON(config.urls.claimants)
    .then((data) => filters.setClaimants(data.claimants))
    .catch(ignoreAbort);
}

start(window.borderMapPage);
