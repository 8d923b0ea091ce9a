// static/border_map/text.js: the date of an incident, the marked excerpt, local links.
import assert from "node:assert/strict";
import { test } from "node:test";

import { dateText, highlightSegments, kmText, localPath } from "../../static/border_map/text.js";

test("a one-day incident shows its day", () => {
  assert.equal(dateText({ date: "2021-04-29", date_end: null }), "2021-04-29");
  assert.equal(dateText({ date: "2021-04-29", date_end: "2021-04-29" }), "2021-04-29");
});

test("an incident over several days shows the range", () => {
  assert.equal(dateText({ date: "2021-04-29", date_end: "2021-05-01" }), "2021-04-29 – 2021-05-01");
});

test("a planned event says it is planned", () => {
  assert.equal(
    dateText({ date: "2021-05-01", date_end: "2021-05-02", date_precision: "planned" }),
    "planned for 2021-05-01",
  );
});

const EXCERPT = "Shooting broke out near Kok-Tash, in Batken.";
const joined = (pieces) => pieces.map((p) => p.text).join("");
const marked = (pieces) => pieces.filter((p) => p.marked).map((p) => p.text);

test("the place name is the one marked piece of its excerpt", () => {
  const at = EXCERPT.indexOf("Kok-Tash");
  const pieces = highlightSegments(EXCERPT, [[at, at + 8]]);
  assert.deepEqual(marked(pieces), ["Kok-Tash"]);
  assert.equal(joined(pieces), EXCERPT);
  assert.equal(pieces[0].text, "Shooting broke out near ");
});

test("spans are marked in text order whatever order they come in", () => {
  const kok = EXCERPT.indexOf("Kok-Tash");
  const batken = EXCERPT.indexOf("Batken");
  const pieces = highlightSegments(EXCERPT, [
    [batken, batken + 6],
    [kok, kok + 8],
  ]);
  assert.deepEqual(marked(pieces), ["Kok-Tash", "Batken"]);
  assert.equal(joined(pieces), EXCERPT);
});

test("overlapping and out-of-range spans are clipped, never repeat text", () => {
  const pieces = highlightSegments("abcdef", [
    [1, 4],
    [2, 5],
    [5, 99],
    [10, 12],
  ]);
  assert.deepEqual(marked(pieces), ["bcd", "e", "f"]);
  assert.equal(joined(pieces), "abcdef");
});

test("an excerpt without spans is one unmarked piece", () => {
  assert.deepEqual(highlightSegments(EXCERPT, []), [{ text: EXCERPT, marked: false }]);
});

test("highlighting leaves the caller's spans in their order", () => {
  const spans = [
    [4, 5],
    [0, 1],
  ];
  highlightSegments("abcdef", spans);
  assert.deepEqual(spans, [
    [4, 5],
    [0, 1],
  ]);
});

test("only paths on this site are followed", () => {
  assert.equal(localPath("/articles/a/#excerpt-3"), "/articles/a/#excerpt-3");
  assert.equal(localPath("//evil.test/x"), "#");
  assert.equal(localPath("javascript:alert(1)"), "#");
  assert.equal(localPath("https://example.org/"), "#");
  assert.equal(localPath(null), "#");
});

test("metres read as kilometres", () => {
  assert.equal(kmText(2500), "2.5 km");
  assert.equal(kmText(1234500), "1,234.5 km");
});
