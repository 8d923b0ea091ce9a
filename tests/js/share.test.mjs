import assert from "node:assert/strict";
import { test } from "node:test";

import { embedSnippet, extraParams } from "../../static/border_map/share.js";
import { exportHref } from "../../static/border_map/url_state.js";

test("the embed snippet frames the embed page with the view's query, escaped for HTML", () => {
  const html = embedSnippet("https://map.example", "/embed/", "type=gunfire&zoom=9");
  assert.match(html, /^<iframe src="https:\/\/map\.example\/embed\/\?type=gunfire&amp;zoom=9" /);
  assert.match(html, /title="[^"]+"/);
  assert.doesNotMatch(html, /&zoom/);
});

test("an embed snippet without filters has no query", () => {
  assert.match(embedSnippet("http://x", "/embed/", ""), /src="http:\/\/x\/embed\/"/);
});

test("a quote in the query cannot close the src attribute", () => {
  assert.doesNotMatch(embedSnippet("http://x", "/embed/", 'a="b'), /src="[^"]*"b/);
});

test("an export link's extra parameters come with the filters", () => {
  assert.deepEqual(extraParams("bom=1"), { bom: "1" });
  assert.deepEqual(extraParams(undefined), {});
  assert.equal(
    exportHref("/api/incidents.csv", { type: "gunfire" }, { bom: "1" }),
    "/api/incidents.csv?type=gunfire&bom=1",
  );
  assert.equal(exportHref("/api/incidents.geojson", {}), "/api/incidents.geojson");
});
