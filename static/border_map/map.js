/* The map page in the browser: loads every layer from our endpoints, keeps the incident list,
   the filters, the export link and the URL in step with the map.
   Text from the data is put in the page with textContent and DOM nodes, never parsed as HTML. */
(function () {
  "use strict";

  var FILTERS = ["datetime", "claimed_by", "type"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.append(child); // strings become text nodes
    });
    return node;
  }

  /* An error answer rejects with an Error carrying the status and the JSON ``description``
     our endpoints give (api.BadParameter, 404s), so the page can say what went wrong. */
  function fetchJSON(url, signal) {
    return fetch(url, { signal: signal, headers: { Accept: "application/json" } }).then(
      function (response) {
        if (response.ok) return response.json();
        return response
          .json()
          .catch(function () { return {}; })
          .then(function (body) {
            var error = new Error(url + " answered " + response.status);
            error.status = response.status;
            error.description = typeof body.description === "string" ? body.description : "";
            throw error;
          });
      }
    );
  }

  function ignoreAbort(error) {
    if (error && error.name === "AbortError") return;
    console.warn(error); // a failed layer must not stop the others
  }

  function dateText(d) {
    if (d.date_precision === "planned") return "planned for " + d.date;
    if (d.date_end && d.date_end !== d.date) return d.date + " – " + d.date_end;
    return d.date;
  }

  /* Excerpt text with the given [start, end) spans wrapped in <mark>, as DOM nodes. */
  function highlighted(text, spans) {
    var nodes = [];
    var at = 0;
    spans
      .slice()
      .sort(function (a, b) { return a[0] - b[0]; })
      .forEach(function (span) {
        var start = Math.max(span[0], at);
        var end = Math.min(span[1], text.length);
        if (end <= start) return;
        nodes.push(text.slice(at, start));
        nodes.push(el("mark", { text: text.slice(start, end) }));
        at = end;
      });
    nodes.push(text.slice(at));
    return nodes;
  }

  function localPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "#";
  }

  function start(map, control, config) {
    var colours = config.types;
    var countries = config.countries;
    var form = document.getElementById("filters");
    var inputs = {
      from: document.getElementById("filter-from"),
      to: document.getElementById("filter-to"),
      claimed_by: document.getElementById("filter-claimed-by"),
      type: document.getElementById("filter-type"),
    };
    var pane = document.getElementById("incident-pane");
    var list = document.getElementById("incident-list");
    var listStatus = document.getElementById("list-status");
    var exportLink = document.getElementById("export-geojson");
    var state = { incident: null, place: null };
    var details = {};
    var popup = null;
    var request = null;
    var drawnKey = null;
    var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

    function colourOf(type) {
      return colours[type] || "#777777";
    }

    function countryName(code) {
      return (countries[code] && countries[code].name) || code;
    }

    /* ---- filters and the URL ---- */

    function filterParams() {
      var params = new URLSearchParams();
      var from = inputs.from.value;
      var to = inputs.to.value;
      if (from || to) params.set("datetime", (from || "..") + "/" + (to || ".."));
      if (inputs.claimed_by.value) params.set("claimed_by", inputs.claimed_by.value);
      if (inputs.type.value) params.set("type", inputs.type.value);
      return params;
    }

    function selectValue(select, value) {
      var known = Array.prototype.some.call(select.options, function (option) {
        return option.value === value;
      });
      select.value = known ? value : "";
    }

    /* The claimant options come from their own endpoint, so the page's HTML does not grow with
       the number of claimants. Until they arrive, a claimant the URL names is its only option. */
    function claimantOptions(claimants) {
      var chosen = inputs.claimed_by.value;
      var options = [el("option", { value: "", text: "anyone" })];
      var known = false;
      claimants.forEach(function (c) {
        known = known || c.name === chosen;
        options.push(el("option", { value: c.name, text: c.name + " (" + c.count + ")" }));
      });
      if (chosen && !known) options.push(el("option", { value: chosen, text: chosen + " (0)" }));
      inputs.claimed_by.replaceChildren.apply(inputs.claimed_by, options);
      inputs.claimed_by.value = chosen;
    }

    /* Each date bounds the other, so the form cannot ask for a range that ends before it
       starts; the template's min and max (the days of the data) stay the outer limits. */
    var dayLimits = { min: inputs.from.min, max: inputs.to.max };
    function limitDates() {
      inputs.to.min = inputs.from.value || dayLimits.min;
      inputs.from.max = inputs.to.value || dayLimits.max;
    }

    function readURL() {
      var params = new URLSearchParams(window.location.search);
      var range = (params.get("datetime") || "").split("/");
      var day = /^\d{4}-\d{2}-\d{2}$/;
      inputs.from.value = day.test(range[0]) ? range[0] : "";
      inputs.to.value = day.test(range[range.length - 1]) ? range[range.length - 1] : "";
      var claimant = params.get("claimed_by") || "";
      if (claimant) inputs.claimed_by.append(el("option", { value: claimant, text: claimant }));
      inputs.claimed_by.value = claimant;
      limitDates();
      selectValue(inputs.type, params.get("type") || "");
      state.incident = params.get("incident");
      state.place = params.get("place");
      var lat = parseFloat(params.get("lat"));
      var lon = parseFloat(params.get("lon"));
      var zoom = parseInt(params.get("zoom"), 10);
      if (isFinite(lat) && isFinite(lon) && isFinite(zoom) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        map.setView([lat, lon], zoom, { animate: false });
      }
    }

    function writeURL() {
      var params = filterParams();
      var centre = map.getCenter();
      params.set("lat", centre.lat.toFixed(5));
      params.set("lon", centre.lng.toFixed(5));
      params.set("zoom", String(map.getZoom()));
      if (state.incident) params.set("incident", state.incident);
      var url = window.location.pathname + "?" + params.toString();
      window.history.replaceState(null, "", url);
      var exportParams = filterParams().toString();
      exportLink.href = config.urls.export + (exportParams ? "?" + exportParams : "");
      exportLink.removeAttribute("aria-disabled");
    }

    /* ---- incidents: markers, clusters, list ---- */

    /* A cluster's disc shows each type's share of its incidents. */
    function clusterIcon(count, byType) {
      var total = 0;
      var stops = [];
      Object.keys(byType)
        .sort()
        .forEach(function (type) {
          var from = (total / count) * 100;
          total += byType[type];
          var to = (total / count) * 100;
          stops.push(colourOf(type) + " " + from.toFixed(1) + "% " + to.toFixed(1) + "%");
        });
      var size = Math.round(28 + 8 * Math.log10(Math.max(count, 1)));
      var disc = el("span", { class: "incident-cluster-disc" }, [el("span", { text: count.toLocaleString("en") })]);
      disc.style.background = "conic-gradient(" + stops.join(", ") + ")";
      return L.divIcon({ html: disc, className: "incident-cluster", iconSize: [size, size] });
    }

    var pointLayer = L.markerClusterGroup({
      maxClusterRadius: 40,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      chunkedLoading: true,
      iconCreateFunction: function (cluster) {
        var byType = {};
        cluster.getAllChildMarkers().forEach(function (marker) {
          var type = marker.options.incidentType;
          byType[type] = (byType[type] || 0) + 1;
        });
        return clusterIcon(cluster.getChildCount(), byType);
      },
    });
    var clusterLayer = L.layerGroup();
    var incidentLayer = L.layerGroup([pointLayer, clusterLayer]);

    function incidentMarker(incident) {
      var dot = el("span", { class: "incident-dot", "data-incident": incident.id });
      dot.style.background = colourOf(incident.type);
      var marker = L.marker([incident.lat, incident.lon], {
        icon: L.divIcon({ html: dot, className: "incident-marker", iconSize: [18, 18] }),
        title: incident.date + ": " + incident.title,
        alt: incident.title,
        keyboard: true,
        riseOnHover: true,
        incidentType: incident.type,
      });
      marker.on("click", function () {
        openIncident(incident.id, "pan");
        revealEntry(incident.id);
      });
      return marker;
    }

    function serverCluster(cluster) {
      var marker = L.marker([cluster[1], cluster[0]], {
        icon: clusterIcon(cluster[2], cluster[3]),
        title: cluster[2] + " incidents: zoom in",
        keyboard: true,
      });
      marker.on("click", function () {
        map.setView(marker.getLatLng(), Math.min(map.getZoom() + 2, map.getMaxZoom()));
      });
      return marker;
    }

    function renderList(data) {
      var shown = data.incidents.length;
      if (data.total === 0) listStatus.textContent = "No incident in view matches the filters.";
      else if (shown < data.total)
        listStatus.textContent =
          "The first " + shown + " of " + data.total.toLocaleString("en") +
          " incidents in view, by date. Zoom in or filter to see the others.";
      else listStatus.textContent = data.total + (data.total === 1 ? " incident" : " incidents") + " in view, by date.";
      var items = data.incidents.map(function (incident) {
        var swatch = el("span", { class: "swatch", "aria-hidden": "true" });
        swatch.style.background = colourOf(incident.type);
        var button = el("button", { type: "button", class: "incident-entry", "data-incident": incident.id }, [
          el("time", { datetime: incident.date, text: dateText(incident) }),
          el("span", { class: "entry-title", text: incident.title }),
          el("span", { class: "entry-meta" }, [
            swatch,
            incident.type + " · " + incident.place + " · claimed by " + incident.claimed_by,
          ]),
        ]);
        button.addEventListener("click", function () {
          // On a phone the list is under the map: bring the map back into view first.
          var box = map.getContainer().getBoundingClientRect();
          if (box.top < 0 || box.bottom > window.innerHeight) {
            map.getContainer().scrollIntoView({ block: "start", behavior: reducedMotion ? "auto" : "smooth" });
          }
          openIncident(incident.id, "fly");
        });
        return el("li", {}, [button]);
      });
      // Keep the keyboard focus on the same entry when the list is rebuilt (every map move).
      var focused = list.contains(document.activeElement)
        ? document.activeElement.getAttribute("data-incident")
        : null;
      list.replaceChildren.apply(list, items);
      if (focused) {
        var again = list.querySelector('.incident-entry[data-incident="' + CSS.escape(focused) + '"]');
        if (again) again.focus({ preventScroll: true });
      }
      markCurrent();
    }

    /* Scroll the list pane, not the page, to an entry: on a phone the list is under the map,
       and the page must not leave the map whose marker was just clicked. */
    function revealEntry(id) {
      var entry = list.querySelector('.incident-entry[data-incident="' + CSS.escape(id) + '"]');
      if (!entry || pane.scrollHeight <= pane.clientHeight) return;
      var box = entry.getBoundingClientRect();
      var view = pane.getBoundingClientRect();
      if (box.top < view.top) pane.scrollTop -= view.top - box.top;
      else if (box.bottom > view.bottom) pane.scrollTop += box.bottom - view.bottom;
    }

    function markCurrent() {
      list.querySelectorAll(".incident-entry").forEach(function (button) {
        var current = button.getAttribute("data-incident") === state.incident;
        if (current) button.setAttribute("aria-current", "true");
        else button.removeAttribute("aria-current");
      });
    }

    function viewParams(box) {
      var bounds = box || map.getBounds();
      var clamp = function (value, limit) { return Math.max(-limit, Math.min(limit, value)); };
      var west = bounds.getWest();
      var east = bounds.getEast();
      if (east - west >= 360) { west = -180; east = 180; }
      var params = filterParams();
      params.set(
        "bbox",
        [clamp(west, 180), clamp(bounds.getSouth(), 90), clamp(east, 180), clamp(bounds.getNorth(), 90)]
          .map(function (n) { return n.toFixed(5); })
          .join(",")
      );
      params.set("zoom", String(Math.round(map.getZoom())));
      return params;
    }

    function loadIncidents() {
      if (request) request.abort();
      request = new AbortController();
      document.documentElement.setAttribute("data-incidents", "loading");
      var params = viewParams();
      fetchJSON(config.urls.incidents + "?" + params.toString(), request.signal)
        .then(function (data) {
          var key = data.clusters.length
            ? null
            : params.get("zoom") + "|" + data.incidents.map(function (i) { return i.id; }).join(",");
          if (key === null || key !== drawnKey) {
            pointLayer.clearLayers();
            clusterLayer.clearLayers();
            if (data.clusters.length) data.clusters.forEach(function (c) { clusterLayer.addLayer(serverCluster(c)); });
            else pointLayer.addLayers(data.incidents.map(incidentMarker));
            drawnKey = key;
          }
          renderList(data);
          document.documentElement.setAttribute("data-incident-total", String(data.total));
          document.documentElement.setAttribute("data-incidents", "ready");
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          showIncidentError(error);
        });
    }

    /* The endpoint refused the view (a bad filter in the URL) or could not be reached: say why
       in the list, and show no incident rather than the last view's. */
    function showIncidentError(error) {
      pointLayer.clearLayers();
      clusterLayer.clearLayers();
      drawnKey = null;
      list.replaceChildren();
      listStatus.textContent =
        "No incidents shown: " + ((error && error.description) || "the incidents could not be loaded.");
      exportLink.removeAttribute("href");
      exportLink.setAttribute("aria-disabled", "true");
      document.documentElement.setAttribute("data-incident-total", "0");
      document.documentElement.setAttribute("data-incidents", "error");
    }

    /* ---- the incident popup ---- */

    function popupContent(d) {
      var rows = [
        el("h3", { text: d.title }),
        el("p", { class: "popup-meta" }, [
          el("time", { datetime: d.date, text: dateText(d) }),
          " · " + d.type,
        ]),
        el("p", {}, [el("strong", { text: "Claimed by: " }), d.claimed_by]),
      ];
      if (d.casualties) rows.push(el("p", {}, [el("strong", { text: "Casualties (as stated): " }), d.casualties]));
      rows.push(el("p", {}, [el("strong", { text: "Place: " }), d.place, d.location_note ? " (" + d.location_note + ")" : ""]));
      d.excerpts.forEach(function (excerpt) {
        rows.push(el("blockquote", { class: "excerpt" }, highlighted(excerpt.text, excerpt.highlights)));
        rows.push(
          el("p", { class: "excerpt-source" }, [
            el("a", { href: localPath(excerpt.url), text: "Read it in the article" }),
            " — " + excerpt.outlet,
          ])
        );
      });
      return el("div", { class: "incident-popup-body", "data-incident": d.id }, rows);
    }

    function showPopup(d, pan) {
      if (popup) popup.off("remove", onPopupRemove);
      var room = map.getSize().x - 60; // popup padding and tip included
      popup = L.popup({
        className: "incident-popup",
        maxWidth: Math.min(340, room),
        minWidth: Math.min(220, room),
        autoPan: pan,
        offset: [0, -4],
      })
        .setLatLng([d.lat, d.lon])
        .setContent(popupContent(d));
      popup.on("remove", onPopupRemove);
      popup.openOn(map);
    }

    function onPopupRemove() {
      state.incident = null;
      popup = null;
      markCurrent();
      writeURL();
    }

    /* Open an incident's popup; ``move`` is "fly" (to it), "pan" (just enough to show the
       popup) or "stay" (restoring a link: keep the view it names). */
    function openIncident(id, move) {
      state.incident = id;
      markCurrent();
      writeURL();
      var shown = details[id]
        ? Promise.resolve(details[id])
        : fetchJSON(config.urls.incident.replace("__slug__", encodeURIComponent(id)));
      return shown
        .then(function (d) {
          details[id] = d;
          if (state.incident !== id) return;
          if (move === "fly") {
            // Put the incident a quarter of the map's height below the centre, so that the
            // popup above it fits.
            var zoom = Math.max(map.getZoom(), 11);
            var point = map.project([d.lat, d.lon], zoom).subtract([0, map.getSize().y / 4]);
            var centre = map.unproject(point, zoom);
            showPopup(d, false);
            if (reducedMotion) map.setView(centre, zoom);
            else map.flyTo(centre, zoom, { duration: 0.6 });
          } else {
            showPopup(d, move === "pan");
          }
        })
        .catch(function (error) {
          // A link to an incident that does not exist (any more): drop it from the URL.
          if (error && error.status === 404 && state.incident === id) {
            state.incident = null;
            markCurrent();
            writeURL();
          }
          ignoreAbort(error);
        });
    }

    /* Whether an incident (popup data) passes the filters of the form; dates overlap the range. */
    function matchesFilters(d) {
      var from = inputs.from.value;
      var to = inputs.to.value;
      if (inputs.claimed_by.value && d.claimed_by !== inputs.claimed_by.value) return false;
      if (inputs.type.value && d.type !== inputs.type.value) return false;
      if (to && d.date > to) return false;
      if (from && (d.date_end || d.date) < from) return false;
      return true;
    }

    /* After a filter change, an open incident the filters now exclude is closed. */
    function closeExcluded() {
      var d = state.incident && details[state.incident];
      if (d && popup && !matchesFilters(d)) map.closePopup(popup);
    }

    /* ---- the other layers ---- */

    map.createPane("backdrop").style.zIndex = 250;
    var backdrop = L.layerGroup();
    var outlines = L.layerGroup();
    var enclaves = L.layerGroup();
    var lines = L.layerGroup();
    var places = L.layerGroup();

    control.addBaseLayer(backdrop, "No tiles (country outlines)");
    control.addOverlay(outlines, "Country outlines");
    control.addOverlay(enclaves, "Enclaves");
    control.addOverlay(lines, "Shared border lines");
    control.addOverlay(places, "Places");
    control.addOverlay(incidentLayer, "Incidents");
    if (!config.tiles) backdrop.addTo(map);
    [outlines, enclaves, lines, places, incidentLayer].forEach(function (layer) { layer.addTo(map); });

    function syncBase() {
      map.getContainer().classList.toggle("no-tiles", map.hasLayer(backdrop));
    }
    map.on("baselayerchange", syncBase);
    syncBase();

    fetchJSON(config.urls.countries)
      .then(function (data) {
        backdrop.addLayer(
          L.geoJSON(data, {
            pane: "backdrop",
            interactive: false,
            attribution: config.attribution.osm,
            style: { color: "#8a8a8a", weight: 1, fillColor: "#f3efe4", fillOpacity: 1 },
          })
        );
        outlines.addLayer(
          L.geoJSON(data, {
            interactive: false,
            attribution: config.attribution.osm,
            style: { color: "#444", weight: 1.2, fill: false },
          })
        );
      })
      .catch(ignoreAbort);

    fetchJSON(config.urls.enclaves)
      .then(function (data) {
        enclaves.addLayer(
          L.geoJSON(data, {
            attribution: config.attribution.osm,
            style: function (feature) {
              var colour = (countries[feature.properties.sovereign] || {}).colour || "#666";
              return { color: colour, weight: 1.5, fillColor: colour, fillOpacity: 0.35 };
            },
            onEachFeature: function (feature, layer) {
              var p = feature.properties;
              var names = (p.alternate_names || []).length ? " (" + p.alternate_names.join(", ") + ")" : "";
              layer.bindTooltip(
                el("div", { class: "enclave-tooltip" }, [
                  el("strong", { text: p.name }),
                  names,
                  el("br"),
                  "belongs to " + countryName(p.sovereign) + ", surrounded by " + countryName(p.surrounded_by),
                  el("br"),
                  p.area_km2.toLocaleString("en") + " km²",
                ]),
                { sticky: true }
              );
            },
          })
        );
      })
      .catch(ignoreAbort);

    fetchJSON(config.urls.boundaries)
      .then(function (data) {
        lines.addLayer(
          L.geoJSON(data, {
            attribution: config.attribution.osm,
            style: function (feature) {
              return feature.id === "KG-TJ"
                ? { color: "#7a0019", weight: 4, opacity: 0.9 }
                : { color: "#333", weight: 2, opacity: 0.8, dashArray: "6 4" };
            },
            onEachFeature: function (feature, layer) {
              var codes = String(feature.properties.countries).split("-");
              layer.bindTooltip(
                el("span", {
                  text: codes.map(countryName).join("–") + " line: " +
                    feature.properties.length_km.toLocaleString("en") + " km in this data",
                }),
                { sticky: true }
              );
            },
          })
        );
      })
      .catch(ignoreAbort);

    /* Places are loaded for the view (padded), at most PLACES_LIMIT at a time: with more in
       view they are not drawn until the user zooms in. */
    var PLACES_LIMIT = 1000;
    var placesBox = null;
    var placesRequest = null;
    var placesNote = L.control({ position: "bottomleft" });
    placesNote.onAdd = function () {
      return el("div", { class: "map-note", text: "Too many places in view: zoom in to see them." });
    };

    function placeLayer(data) {
      var layers = {};
      var layer = L.geoJSON(data, {
        attribution: config.attribution.geonames,
        pointToLayer: function (feature, latlng) {
          var dot = L.circleMarker(latlng, { radius: 4, color: "#222", weight: 1.5, fillColor: "#fff", fillOpacity: 1 });
          if (!feature.properties.estimated) return dot;
          var circle = L.circle(latlng, {
            radius: feature.properties.precision_m,
            color: "#222", weight: 1, dashArray: "4 4", fill: true, fillOpacity: 0.05, interactive: false,
          });
          return L.featureGroup([circle, dot]);
        },
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          layers[feature.id] = layer;
          var precision = p.estimated
            ? "Estimated position, within about " + (p.precision_m / 1000).toLocaleString("en") + " km"
            : "Position within about " + (p.precision_m / 1000).toLocaleString("en") + " km";
          layer.bindTooltip(el("span", { text: p.name }));
          layer.bindPopup(
            el("div", { class: "place-popup" }, [
              el("h3", { text: p.name }),
              el("p", { text: p.kind + (p.country ? ", " + countryName(p.country) : "") }),
              el("p", { text: precision + "." }),
              el("p", { class: "place-source", text: "Source: " + p.source }),
              p.needs_review ? el("p", { text: "Needs review." }) : null,
            ])
          );
        },
      });
      return { layer: layer, byId: layers };
    }

    function loadPlaces() {
      var view = map.getBounds();
      if (placesBox && placesBox.contains(view)) return; // everything in view is drawn already
      if (placesRequest) placesRequest.abort();
      placesRequest = new AbortController();
      var box = view.pad(0.5);
      var params = viewParams(box);
      ["datetime", "claimed_by", "type", "zoom"].forEach(function (name) { params.delete(name); });
      params.set("limit", String(PLACES_LIMIT));
      fetchJSON(config.urls.places + "?" + params.toString(), placesRequest.signal)
        .then(function (data) {
          var more = (data.links || []).some(function (link) { return link.rel === "next"; });
          places.clearLayers();
          if (more) {
            placesBox = null;
            placesNote.addTo(map);
            return;
          }
          placesNote.remove();
          placesBox = box;
          var drawn = placeLayer(data);
          places.addLayer(drawn.layer);
          if (state.place && drawn.byId[state.place] && !state.incident) {
            drawn.byId[state.place].openPopup();
            state.place = null;
          }
        })
        .catch(ignoreAbort);
    }

    /* ---- legend ---- */

    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      function swatch(kind, colour) {
        var node = el("span", { class: "legend-swatch " + kind, "aria-hidden": "true" });
        if (colour) node.style.setProperty("--colour", colour);
        return node;
      }
      var items = [el("li", { class: "legend-heading", text: "Incidents, by type" })];
      Object.keys(colours).forEach(function (type) {
        items.push(el("li", {}, [swatch("dot", colours[type]), type]));
      });
      items.push(el("li", {}, [swatch("cluster"), "group of incidents (share of each type); click to zoom in"]));
      items.push(el("li", { class: "legend-heading", text: "Enclaves, by the country they belong to" }));
      Object.keys(countries).forEach(function (code) {
        items.push(el("li", {}, [swatch("area", countries[code].colour), countries[code].name]));
      });
      items.push(el("li", { class: "legend-heading", text: "Places and lines" }));
      items.push(el("li", {}, [swatch("place"), "geocoded place"]));
      items.push(el("li", {}, [swatch("uncertainty"), "uncertainty of an estimated position"]));
      items.push(el("li", {}, [swatch("kg-tj"), "Kyrgyzstan–Tajikistan line"]));
      items.push(el("li", {}, [swatch("shared"), "other shared lines"]));
      items.push(el("li", {}, [swatch("outline"), "country outline"]));
      var box = el("details", { class: "legend" }, [el("summary", { text: "Legend" }), el("ul", {}, items)]);
      if (window.matchMedia("(min-width: 1000px) and (min-height: 880px)").matches) box.open = true;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    legend.addTo(map);

    /* ---- the scale bar ---- */

    /* On a narrow map the attribution wraps onto two lines and would cover a scale bar at the
       bottom left: there the scale sits at the top left, under the zoom buttons. */
    var narrow = window.matchMedia("(max-width: 699px)");
    function placeScale() {
      var container = map.getContainer();
      var scale = container.querySelector(".leaflet-control-scale");
      var corner = container.querySelector(narrow.matches ? ".leaflet-top.leaflet-left" : ".leaflet-bottom.leaflet-left");
      if (scale && corner && scale.parentNode !== corner) corner.append(scale);
    }
    narrow.addEventListener("change", placeScale);
    placeScale();

    /* ---- wiring ---- */

    readURL();
    var timer = null;
    map.on("moveend", function () {
      writeURL();
      loadPlaces();
      window.clearTimeout(timer);
      timer = window.setTimeout(loadIncidents, 120);
    });
    form.addEventListener("change", function () {
      limitDates();
      closeExcluded();
      writeURL();
      loadIncidents();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(function () {
        limitDates();
        writeURL();
        loadIncidents();
      }, 0);
    });
    writeURL();
    loadIncidents();
    loadPlaces();
    if (state.incident) openIncident(state.incident, "stay");
    fetchJSON(config.urls.claimants)
      .then(function (data) { claimantOptions(data.claimants); })
      .catch(ignoreAbort);
  }

  window.borderMap = { start: start };
})();
