// Precision classes of the incidents' places, area groups and the area toggle (precision.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  areaGroups,
  areasHidden,
  isArea,
  precisionClass,
  withAreas,
} from "../../static/border_map/precision.js";

test("a place within 1 km is exact, within 10 km near, a district or region an area", () => {
  assert.equal(precisionClass("settlement", 500), "exact");
  assert.equal(precisionClass("settlement", 1000), "exact");
  assert.equal(precisionClass("water_facility", 3000), "near");
  assert.equal(precisionClass("checkpoint", 10000), "near");
  assert.equal(precisionClass("town", 10001), "area");
  assert.equal(precisionClass("district", 2000), "area");
  assert.equal(precisionClass("region", 150000), "area");
  assert.equal(precisionClass("town", undefined), "area");
});

test("area-level incidents are grouped by their place, points are left out", () => {
  const incidents = [
    {
      id: "a",
      place: "Batken Region",
      lat: 40,
      lon: 70,
      place_kind: "region",
      place_precision_m: 150000,
    },
    {
      id: "b",
      place: "Kok-Tash",
      lat: 39.9,
      lon: 70.5,
      place_kind: "settlement",
      place_precision_m: 1000,
    },
    {
      id: "c",
      place: "Batken Region",
      lat: 40,
      lon: 70,
      place_kind: "region",
      place_precision_m: 150000,
    },
  ];
  assert.deepEqual(
    areaGroups(incidents).map((g) => [g.place, g.incidents.map((i) => i.id)]),
    [["Batken Region", ["a", "c"]]],
  );
  assert.equal(isArea(incidents[1]), false);
});

test("the area toggle is kept in the URL as areas=hide", () => {
  assert.equal(withAreas("lat=1&zoom=8", true), "lat=1&zoom=8&areas=hide");
  assert.equal(withAreas("lat=1&zoom=8", false), "lat=1&zoom=8");
  assert.equal(areasHidden("?lat=1&areas=hide"), true);
  assert.equal(areasHidden("?lat=1&areas=<script>"), false);
  assert.equal(areasHidden(""), false);
});
