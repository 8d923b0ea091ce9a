// static/border_map/timebar.js: the time bar's bins, and ranges of bins to days and back.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  addDays,
  binAt,
  binStart,
  binsOfRange,
  binText,
  countIn,
  fillBins,
  keyedSelection,
  nextBin,
  rangeOfBins,
} from "../../static/border_map/timebar.js";

// The seed's counts as /map/timeline.json gives them (tests/test_timeline.py checks the server).
const SEED = {
  unit: "day",
  first: "2021-04-28",
  last: "2021-05-01",
  total: 12,
  bins: [
    ["2021-04-28", "2021-04-28", { casualties: 2, clash: 1, gunfire: 4 }],
    ["2021-04-29", "2021-04-29", { casualties: 1, evacuation: 1 }],
    ["2021-04-30", "2021-04-30", { evacuation: 1, negotiation: 1 }],
    ["2021-05-01", "2021-05-01", { negotiation: 1 }],
  ],
};

test("days are added across month and year ends and leap days", () => {
  assert.equal(addDays("2021-04-30", 1), "2021-05-01");
  assert.equal(addDays("2020-12-31", 1), "2021-01-01");
  assert.equal(addDays("2024-02-28", 1), "2024-02-29");
  assert.equal(addDays("2021-03-01", -1), "2021-02-28");
});

test("a week bin starts on Monday and a month bin on the 1st", () => {
  assert.equal(binStart("2021-04-28", "week"), "2021-04-26"); // a Wednesday
  assert.equal(binStart("2021-04-26", "week"), "2021-04-26");
  assert.equal(binStart("2021-05-02", "week"), "2021-04-26"); // a Sunday
  assert.equal(binStart("2021-04-28", "month"), "2021-04-01");
  assert.equal(binStart("2021-04-28", "day"), "2021-04-28");
  assert.equal(nextBin("2021-01-01", "month"), "2021-02-01");
  assert.equal(nextBin("2021-12-01", "month"), "2022-01-01");
  assert.equal(nextBin("2021-04-26", "week"), "2021-05-03");
});

test("the seed fills four day bins with their totals", () => {
  const bins = fillBins(SEED);
  assert.deepEqual(
    bins.map((b) => [b.start, b.end, b.total]),
    [
      ["2021-04-28", "2021-04-28", 7],
      ["2021-04-29", "2021-04-29", 2],
      ["2021-04-30", "2021-04-30", 2],
      ["2021-05-01", "2021-05-01", 1],
    ],
  );
  assert.equal(countIn(bins, 0, 3), SEED.total);
});

test("days without incidents become empty bins between the others", () => {
  const data = {
    unit: "day",
    first: "2021-04-28",
    last: "2021-05-02",
    total: 2,
    bins: [
      ["2021-04-28", "2021-04-28", { clash: 1 }],
      ["2021-05-02", "2021-05-02", { clash: 1 }],
    ],
  };
  assert.deepEqual(
    fillBins(data).map((b) => b.total),
    [1, 0, 0, 0, 1],
  );
});

test("month bins run from the first day's month to the last day's, ends included", () => {
  const data = {
    unit: "month",
    first: "2020-11-15",
    last: "2021-02-03",
    total: 3,
    bins: [
      ["2020-11-01", "2020-11-30", { clash: 2 }],
      ["2021-02-01", "2021-02-28", { gunfire: 1 }],
    ],
  };
  const bins = fillBins(data);
  assert.deepEqual(
    bins.map((b) => [b.start, b.end, b.total]),
    [
      ["2020-11-01", "2020-11-30", 2],
      ["2020-12-01", "2020-12-31", 0],
      ["2021-01-01", "2021-01-31", 0],
      ["2021-02-01", "2021-02-28", 1],
    ],
  );
  // A range of bins is cut to the days the data has.
  assert.deepEqual(rangeOfBins(bins, 3, 0, data.first, data.last), {
    from: "2020-11-15",
    to: "2021-02-03",
  });
  assert.deepEqual(rangeOfBins(bins, 1, 2, data.first, data.last), {
    from: "2020-12-01",
    to: "2021-01-31",
  });
});

test("no data gives no bins", () => {
  assert.deepEqual(fillBins({ unit: "day", first: null, last: null, total: 0, bins: [] }), []);
  assert.equal(binsOfRange([], "2021-04-28", ""), null);
});

test("a point on the bar falls in its bin, clamped to the ends", () => {
  assert.equal(binAt(0, 400, 4), 0);
  assert.equal(binAt(99.9, 400, 4), 0);
  assert.equal(binAt(100, 400, 4), 1);
  assert.equal(binAt(399, 400, 4), 3);
  assert.equal(binAt(450, 400, 4), 3);
  assert.equal(binAt(-5, 400, 4), 0);
});

test("days map to bins and back", () => {
  const bins = fillBins(SEED);
  assert.deepEqual(binsOfRange(bins, "2021-04-29", "2021-04-30"), [1, 2]);
  assert.deepEqual(rangeOfBins(bins, 1, 2, SEED.first, SEED.last), {
    from: "2021-04-29",
    to: "2021-04-30",
  });
  // Open ends reach the ends of the bar; no dates is no range.
  assert.deepEqual(binsOfRange(bins, "2021-04-30", ""), [2, 3]);
  assert.deepEqual(binsOfRange(bins, "", "2021-04-28"), [0, 0]);
  assert.equal(binsOfRange(bins, "", ""), null);
  // A range outside the data misses every bin.
  assert.equal(binsOfRange(bins, "2021-06-01", "2021-06-30"), null);
  // A range wider than the data covers all of it.
  assert.deepEqual(binsOfRange(bins, "2021-01-01", "2021-12-31"), [0, 3]);
});

test("arrow keys move the range, Shift widens it, Home and End jump", () => {
  assert.deepEqual(keyedSelection(null, "ArrowRight", false, 4), [0, 0]);
  assert.deepEqual(keyedSelection(null, "ArrowLeft", false, 4), [3, 3]);
  assert.deepEqual(keyedSelection([0, 1], "ArrowRight", false, 4), [1, 2]);
  assert.deepEqual(keyedSelection([2, 3], "ArrowRight", false, 4), [2, 3]); // at the end
  assert.deepEqual(keyedSelection([0, 1], "ArrowLeft", false, 4), [0, 1]); // at the start
  assert.deepEqual(keyedSelection([0, 0], "ArrowRight", true, 4), [0, 1]);
  assert.deepEqual(keyedSelection([0, 1], "ArrowLeft", true, 4), [0, 0]);
  assert.deepEqual(keyedSelection([0, 0], "ArrowLeft", true, 4), [0, 0]);
  assert.deepEqual(keyedSelection([1, 2], "Home", false, 4), [0, 0]);
  assert.deepEqual(keyedSelection([1, 2], "End", false, 4), [3, 3]);
  assert.deepEqual(keyedSelection([1, 2], "End", true, 4), [1, 3]);
  assert.equal(keyedSelection([1, 2], "a", false, 4), null);
  assert.equal(keyedSelection(null, "ArrowRight", false, 0), null);
});

test("a bar's tooltip names its days and counts by type, most first", () => {
  const [first] = fillBins(SEED);
  assert.equal(
    binText(first, (t) => t),
    "2021-04-28: 7 incidents (4 gunfire, 2 casualties, 1 clash)",
  );
  const empty = { start: "2021-04-26", end: "2021-05-02", counts: {}, total: 0 };
  assert.equal(
    binText(empty, (t) => t),
    "2021-04-26 – 2021-05-02: 0 incidents",
  );
});
