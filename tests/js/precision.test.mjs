// Precision classes of the incidents' places, area groups and the area toggle (precision.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { areaGroups, areasHidden, isArea, withAreas } from "../../static/border_map/precision.js";

test("area-level incidents are grouped by their place, points are left out", () => {
  const incidents = [
    {
      id: "a",
      place: "Batken Region",
      lat: 40,
      lon: 70,
      precision_class: "area",
    },
    {
      id: "b",
      place: "Kok-Tash",
      lat: 39.9,
      lon: 70.5,
      precision_class: "exact",
    },
    {
      id: "c",
      place: "Batken Region",
      lat: 40,
      lon: 70,
      precision_class: "area",
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
