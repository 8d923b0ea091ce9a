// static/border_map/tiles.js: which web-map tiles a view needs, and their URLs.
import assert from "node:assert/strict";
import { test } from "node:test";

import { mergeTiles, tileOf, tilesInView, tileURL } from "../../static/border_map/tiles.js";

test("a point's tile is counted as OpenStreetMap counts tiles", () => {
  // Kok-Tash, in Batken: the OSM tile of zoom 10 is 10/711/387.
  assert.deepEqual(tileOf(70.0, 39.95, 10), [711, 387]);
  assert.deepEqual(tileOf(-180, 85.0511, 0), [0, 0]);
  assert.deepEqual(tileOf(180, -90, 2), [3, 3]);
});

test("the tiles in view cover the box, column by column, north to south", () => {
  const box = { west: 69.3, south: 39.6, east: 71.9, north: 40.6 };
  const tiles = tilesInView(box, 8);
  assert.deepEqual(tiles, [
    [8, 177, 96],
    [8, 177, 97],
    [8, 178, 96],
    [8, 178, 97],
    [8, 179, 96],
    [8, 179, 97],
  ]);
  assert.equal(tilesInView({ west: -400, south: -89, east: 400, north: 89 }, 1).length, 4);
});

test("a tile's URL fills the template and carries the filters", () => {
  const template = "/map/clusters/{z}/{x}/{y}.json";
  assert.equal(tileURL(template, [8, 177, 96], ""), "/map/clusters/8/177/96.json");
  assert.equal(
    tileURL(template, [8, 177, 96], "type=clash"),
    "/map/clusters/8/177/96.json?type=clash",
  );
});

test("tiles merge into one drawing with their total", () => {
  const merged = mergeTiles([
    { total: 2, clusters: [], incidents: [{ id: "a" }, { id: "b" }] },
    { total: 150, clusters: [[70, 40, 150, { clash: 150 }]], incidents: [] },
  ]);
  assert.equal(merged.total, 152);
  assert.equal(merged.clusters.length, 1);
  assert.deepEqual(
    merged.incidents.map((i) => i.id),
    ["a", "b"],
  );
});
