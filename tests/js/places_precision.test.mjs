// What a place's popup says it is (places.js): its kind in words, its country, or that it lies
// on a shared line within the precision of its position.
import assert from "node:assert/strict";
import { test } from "node:test";

import { onTheLine, placeKindText } from "../../static/border_map/places.js";

const kindName = (kind) => ({ water_facility: "water facility", town: "town" })[kind] || kind;
const names = { KG: "Kyrgyzstan", TJ: "Tajikistan" };
const countryName = (code) => names[code] || code;

test("a place with a country says its kind in words and the country", () => {
  const p = {
    kind: "town",
    country: "KG",
    line: "KG-TJ",
    line_distance_km: 0.2,
    precision_m: 1000,
  };
  assert.equal(placeKindText(p, kindName, countryName), "town, Kyrgyzstan");
});

test("a place with no country within its precision of the line says it is on the line", () => {
  const p = {
    kind: "water_facility",
    country: "",
    line: "KG-TJ",
    line_distance_km: 0.004,
    precision_m: 3000,
  };
  assert.ok(onTheLine(p));
  assert.equal(
    placeKindText(p, kindName, countryName),
    "water facility, on the Kyrgyzstan–Tajikistan line, within the precision of its position",
  );
});

test("a place farther from the line than its precision is not on it", () => {
  const p = { kind: "town", country: "", line: "KG-TJ", line_distance_km: 2.5, precision_m: 1000 };
  assert.equal(onTheLine(p), false);
  assert.equal(placeKindText(p, kindName, countryName), "town");
  assert.equal(
    onTheLine({ kind: "town", line: "", line_distance_km: null, precision_m: 10 }),
    false,
  );
});
