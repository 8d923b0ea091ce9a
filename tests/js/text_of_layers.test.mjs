// Texts the list, the places and the shared lines show (list.js, places.js, reference_layers.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { listStatusText } from "../../static/border_map/list.js";
import { precisionText } from "../../static/border_map/places.js";
import { lineText } from "../../static/border_map/reference_layers.js";

test("the list says how many incidents are in view", () => {
  assert.equal(listStatusText(0, 0), "No incident in view matches the filters.");
  assert.equal(listStatusText(1, 1), "1 incident in view, by date.");
  assert.equal(listStatusText(12, 12), "12 incidents in view, by date.");
  assert.equal(
    listStatusText(200, 50500),
    "The first 200 of 50,500 incidents in view, by date. Zoom in or filter to see the others.",
  );
});

test("a place says how precise its position is, and whether it is an estimate", () => {
  assert.equal(
    precisionText({ estimated: false, precision_m: 500 }),
    "Position within about 0.5 km.",
  );
  assert.equal(
    precisionText({ estimated: true, precision_m: 15000 }),
    "Estimated position, within about 15 km.",
  );
});

test("a shared line names its countries and its length", () => {
  const names = { KG: "Kyrgyzstan", TJ: "Tajikistan" };
  const countryName = (code) => names[code] || code;
  assert.equal(
    lineText({ countries: "KG-TJ", length_km: 1234.5 }, countryName),
    "Kyrgyzstan–Tajikistan line: 1,234.5 km in this data",
  );
  assert.equal(
    lineText({ countries: "<svg>", length_km: 1 }, countryName),
    "<svg> line: 1 km in this data",
  );
});
