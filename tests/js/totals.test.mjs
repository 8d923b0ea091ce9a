import assert from "node:assert/strict";
import { test } from "node:test";

import { figureText, rangeText, totalsText } from "../../static/border_map/totals.js";

test("a stated number is shown as it is, a bound as a bound, a range as a range", () => {
  assert.equal(rangeText({ low: 31, best: 31, high: 31 }), "31");
  assert.equal(rangeText({ low: 12, best: null, high: null }), "at least 12");
  assert.equal(rangeText({ low: 2, best: null, high: 9 }), "2–9");
  assert.equal(rangeText({ low: 0, best: null, high: 10 }), "0–10");
  assert.equal(rangeText({ low: 13500, best: 13500, high: 13500 }), "13,500");
});

test("an estimate added to a count stays an estimate", () => {
  // At least 12 killed (RFE/RL) and 31 killed (Kyrgyz officials): a total with an open end.
  assert.equal(rangeText({ low: 43, best: null, high: null }), "at least 43");
  assert.equal(
    figureText({ kind: "killed", low: 12, best: null, high: null }),
    "at least 12 killed",
  );
});

test("a side's totals list only the kinds its claims state, in a fixed order", () => {
  const figures = {
    injured: { low: 154, best: 154, high: 154 },
    killed: { low: 31, best: 31, high: 31 },
  };
  assert.equal(totalsText(figures), "31 killed · 154 injured");
  assert.equal(totalsText({}), "");
});
