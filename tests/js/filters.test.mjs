// static/border_map/filters.js: whether an open incident still passes the filters.
import assert from "node:assert/strict";
import { test } from "node:test";

import { matchesFilters } from "../../static/border_map/filters.js";
import { NO_FILTERS } from "../../static/border_map/url_state.js";

const ONE_DAY = { date: "2021-04-29", date_end: null, claimed_by: "Khovar", type: "clash" };
const THREE_DAYS = { ...ONE_DAY, date_end: "2021-05-01" };

test("with no filter every incident passes", () => {
  assert.equal(matchesFilters(ONE_DAY, NO_FILTERS), true);
});

test("the claimant and the type must be the chosen ones", () => {
  assert.equal(matchesFilters(ONE_DAY, { ...NO_FILTERS, claimed_by: "Khovar" }), true);
  assert.equal(matchesFilters(ONE_DAY, { ...NO_FILTERS, claimed_by: "Kabar" }), false);
  assert.equal(matchesFilters(ONE_DAY, { ...NO_FILTERS, type: "clash" }), true);
  assert.equal(matchesFilters(ONE_DAY, { ...NO_FILTERS, type: "gunfire" }), false);
});

test("an incident passes when its days overlap the range, ends included", () => {
  const range = (from, to) => ({ ...NO_FILTERS, from, to });
  assert.equal(matchesFilters(ONE_DAY, range("2021-04-29", "2021-04-29")), true);
  assert.equal(matchesFilters(ONE_DAY, range("2021-04-30", "")), false);
  assert.equal(matchesFilters(ONE_DAY, range("", "2021-04-28")), false);
  assert.equal(matchesFilters(THREE_DAYS, range("2021-05-01", "2021-05-01")), true);
  assert.equal(matchesFilters(THREE_DAYS, range("2021-05-02", "")), false);
  assert.equal(matchesFilters(THREE_DAYS, range("2021-04-01", "2021-04-30")), true);
});

test("every filter must hold at once", () => {
  const filters = { from: "2021-04-29", to: "2021-04-29", claimed_by: "Khovar", type: "gunfire" };
  assert.equal(matchesFilters(ONE_DAY, filters), false);
  assert.equal(matchesFilters(ONE_DAY, { ...filters, type: "clash" }), true);
  assert.equal(matchesFilters(ONE_DAY, { ...filters, type: "clash", side: "media" }), false);
  const tajik = { ...ONE_DAY, side: "tajik-official" };
  assert.equal(matchesFilters(tajik, { ...filters, type: "clash", side: "tajik-official" }), true);
});

test("contested only keeps claims that belong to an event", () => {
  const contested = { ...NO_FILTERS, contested: "1" };
  assert.equal(matchesFilters(ONE_DAY, contested), false);
  assert.equal(matchesFilters({ ...ONE_DAY, event: "shooting-at-golovnoi" }, contested), true);
});
