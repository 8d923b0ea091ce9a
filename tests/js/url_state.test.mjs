// static/border_map/url_state.js: filters, view and open incident to query strings and back.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  bboxText,
  edges,
  exportHref,
  filterParams,
  NO_FILTERS,
  pageQuery,
  readState,
  viewParams,
  withLanguage,
} from "../../static/border_map/url_state.js";

test("no filters give no parameters", () => {
  assert.equal(filterParams(NO_FILTERS).toString(), "");
});

test("dates become an open or closed datetime interval", () => {
  assert.equal(
    filterParams({ ...NO_FILTERS, from: "2021-04-29" }).get("datetime"),
    "2021-04-29/..",
  );
  assert.equal(filterParams({ ...NO_FILTERS, to: "2021-05-01" }).get("datetime"), "../2021-05-01");
  assert.equal(
    filterParams({ ...NO_FILTERS, from: "2021-04-29", to: "2021-05-01" }).get("datetime"),
    "2021-04-29/2021-05-01",
  );
});

test("claimant and type pass through, encoded", () => {
  const params = filterParams({ ...NO_FILTERS, claimed_by: "Kyrgyz police & co", type: "gunfire" });
  assert.equal(params.toString(), "claimed_by=Kyrgyz+police+%26+co&type=gunfire");
});

test("a page URL is read back into the same filters, view and incident", () => {
  const filters = {
    from: "2021-04-29",
    to: "2021-05-01",
    claimed_by: "Khovar",
    side: "tajik-official",
    type: "clash",
    contested: "",
  };
  const query = pageQuery(filters, { lat: 39.9497222, lng: 70.5358333 }, 13, "kok-tash");
  assert.equal(
    query,
    "datetime=2021-04-29%2F2021-05-01&claimed_by=Khovar&side=tajik-official&type=clash&lat=39.94972&lon=70.53583&zoom=13&incident=kok-tash",
  );
  assert.deepEqual(readState(`?${query}`), {
    filters,
    incident: "kok-tash",
    place: null,
    lang: null,
    view: { lat: 39.94972, lon: 70.53583, zoom: 13 },
  });
});

test("the language a URL chose stays in the page URL and in links to the article", () => {
  const query = pageQuery(NO_FILTERS, { lat: 40, lng: 70 }, 8, null, "ru");
  assert.equal(query, "lat=40.00000&lon=70.00000&zoom=8&lang=ru");
  assert.equal(readState(`?${query}`).lang, "ru");
  assert.equal(withLanguage("/articles/a/#excerpt-3", "ru"), "/articles/a/?lang=ru#excerpt-3");
  assert.equal(withLanguage("/articles/a/", null), "/articles/a/");
  assert.equal(withLanguage("#", "ru"), "#");
});

test("the contested filter is contested=1 in the URL and read back; other values drop it", () => {
  const filters = { ...NO_FILTERS, contested: "1" };
  assert.equal(filterParams(filters).toString(), "contested=1");
  assert.equal(readState("?contested=1").filters.contested, "1");
  assert.equal(readState("?contested=yes").filters.contested, "");
});

test("a page URL leaves out the incident when none is open", () => {
  const query = pageQuery(NO_FILTERS, { lat: 40, lng: 70 }, 8, null);
  assert.equal(query, "lat=40.00000&lon=70.00000&zoom=8");
});

test("a single day in a link is both ends of the range; other texts are dropped", () => {
  assert.deepEqual(readState("?datetime=2021-05-01").filters, {
    ...NO_FILTERS,
    from: "2021-05-01",
    to: "2021-05-01",
  });
  assert.deepEqual(readState("?datetime=yesterday/2021-05-01").filters, {
    ...NO_FILTERS,
    to: "2021-05-01",
  });
  assert.deepEqual(readState("?datetime=../..").filters, NO_FILTERS);
});

test("a view outside the world or without a zoom is ignored", () => {
  assert.equal(readState("?lat=91&lon=70&zoom=8").view, null);
  assert.equal(readState("?lat=40&lon=-181&zoom=8").view, null);
  assert.equal(readState("?lat=40&lon=70").view, null);
  assert.equal(readState("?lat=north&lon=70&zoom=8").view, null);
  assert.deepEqual(readState("?lat=-90&lon=180&zoom=4").view, { lat: -90, lon: 180, zoom: 4 });
});

test("a link to a place names it", () => {
  const state = readState("?lat=39.9&lon=70.56&zoom=12&place=ak-sai");
  assert.equal(state.place, "ak-sai");
  assert.equal(state.incident, null);
});

test("the export link carries the filters only", () => {
  assert.equal(exportHref("/api/incidents.geojson", NO_FILTERS), "/api/incidents.geojson");
  assert.equal(
    exportHref("/api/incidents.geojson", { ...NO_FILTERS, type: "clash" }),
    "/api/incidents.geojson?type=clash",
  );
});

test("the box is written west,south,east,north with five decimals", () => {
  assert.equal(
    bboxText({ west: 69.3, south: 39.6, east: 71.9, north: 40.6 }),
    "69.30000,39.60000,71.90000,40.60000",
  );
});

test("a box past the poles or the antimeridian is clamped to the world", () => {
  assert.equal(
    bboxText({ west: 170, south: -95, east: 190, north: 95 }),
    "170.00000,-90.00000,180.00000,90.00000",
  );
});

test("a view wider than the world asks for every longitude", () => {
  assert.equal(
    bboxText({ west: -300, south: 10, east: 200, north: 20 }),
    "-180.00000,10.00000,180.00000,20.00000",
  );
});

test("the incidents endpoint gets the filters, the box and a whole zoom", () => {
  const box = { west: 69, south: 39, east: 72.5, north: 41 };
  const params = viewParams(box, 8.6, { ...NO_FILTERS, type: "gunfire" });
  assert.equal(
    params.toString(),
    "type=gunfire&bbox=69.00000%2C39.00000%2C72.50000%2C41.00000&zoom=9",
  );
});

test("Leaflet bounds become plain edges", () => {
  const bounds = { getWest: () => 1, getSouth: () => 2, getEast: () => 3, getNorth: () => 4 };
  assert.deepEqual(edges(bounds), { west: 1, south: 2, east: 3, north: 4 });
});
