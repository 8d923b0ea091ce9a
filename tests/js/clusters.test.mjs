// static/border_map/clusters.js: a cluster's disc, split by each type's share.
import assert from "node:assert/strict";
import { test } from "node:test";

import { clusterDisc, countByType } from "../../static/border_map/clusters.js";

const COLOURS = { clash: "#d55e00", gunfire: "#cc79a7", negotiation: "#56b4e9" };
const colourOf = (type) => COLOURS[type] || "#777777";

test("each type gets its share of the disc, in type order", () => {
  const disc = clusterDisc(4, { gunfire: 1, clash: 3 }, colourOf);
  assert.equal(disc.background, "conic-gradient(#d55e00 0.0% 75.0%, #cc79a7 75.0% 100.0%)");
});

test("one type fills the whole disc", () => {
  const disc = clusterDisc(2, { negotiation: 2 }, colourOf);
  assert.equal(disc.background, "conic-gradient(#56b4e9 0.0% 100.0%)");
});

test("a type without a colour is grey", () => {
  assert.match(clusterDisc(1, { riot: 1 }, colourOf).background, /#777777 0\.0% 100\.0%/);
});

test("the disc grows with the log of its count and says the count in English", () => {
  assert.equal(clusterDisc(1, { clash: 1 }, colourOf).size, 28);
  assert.equal(clusterDisc(10, { clash: 10 }, colourOf).size, 36);
  const big = clusterDisc(12345, { clash: 12345 }, colourOf);
  assert.equal(big.size, 61);
  assert.equal(big.label, "12,345");
});

test("types are counted", () => {
  assert.deepEqual(countByType(["clash", "gunfire", "clash"]), { clash: 2, gunfire: 1 });
  assert.deepEqual(countByType([]), {});
});
