// Every module of static/border_map loads without a browser (no DOM or Leaflet at import time)
// and imports only sibling modules that exist: the page loads them unbundled.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

const DIR = new URL("../../static/border_map/", import.meta.url);
// article.js is the article page's classic script; main.js starts the page when it loads.
const modules = readdirSync(DIR).filter((name) => name.endsWith(".js") && name !== "article.js");

test("the map page is split into modules", () => {
  assert.ok(modules.includes("main.js"));
  assert.ok(modules.length >= 10, modules);
});

for (const name of modules) {
  test(`${name} imports only sibling modules by relative URL`, () => {
    const source = readFileSync(new URL(name, DIR), "utf8");
    const specifiers = [...source.matchAll(/^(?:import|export) [^;]*? from "([^"]+)";$/gms)].map(
      (m) => m[1],
    );
    for (const specifier of specifiers) {
      assert.match(specifier, /^\.\/[a-z_]+\.js$/, `${name}: ${specifier}`);
      assert.ok(existsSync(new URL(specifier, DIR)), `${name}: ${specifier} is missing`);
    }
  });

  if (name !== "main.js") {
    test(`${name} loads outside a browser`, async () => {
      await import(new URL(name, DIR));
    });
  }
}
