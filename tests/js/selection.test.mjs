// static/border_map/selection.js: a selection's offsets in the article, counted as the server
// counts them (code points), white space trimmed, and the claim form's URL.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  articleOffset,
  claimUrl,
  codePointLength,
  trimmedSpan,
} from "../../static/border_map/selection.js";

test("a character beyond the BMP is one code point, as in Python", () => {
  assert.equal("😀".length, 2);
  assert.equal(codePointLength("a😀b"), 3);
  assert.equal(articleOffset(100, "😀 Vorukh", 3), 102);
});

test("Cyrillic counts one a letter", () => {
  assert.equal(articleOffset(10, "Головной", 4), 14);
});

test("white space around a selection is left out", () => {
  assert.deepEqual(trimmedSpan(5, "  Vorukh \n"), { start: 7, end: 13, text: "Vorukh" });
  assert.equal(trimmedSpan(5, " \n "), null);
});

test("the claim URL carries the offsets and the quoted words", () => {
  const url = claimUrl("/editor/articles/a/claims/new", { start: 3, end: 9, text: "a & b" });
  assert.equal(url, "/editor/articles/a/claims/new?start=3&end=9&quote=a+%26+b");
});
