// panToFit: how far the map pans to show a popup, never losing the place it points at.
import assert from "node:assert/strict";
import { test } from "node:test";

import { contentHeight, panToFit } from "../../static/border_map/incident_popup.js";

const free = { left: 8, right: 879, top: 215, bottom: 337 }; // under the zoom control
const map = { left: 0, right: 887, top: 132, bottom: 345 };

test("a popup that fits the free box is brought into it, top first", () => {
  const box = { left: 400, right: 700, top: 150, bottom: 250 };
  assert.deepEqual(panToFit(box, free), [0, -65]);
  assert.deepEqual(panToFit(box, free, { x: 550, y: 270, box: map }), [0, -65]);
});

test("a popup taller than the free box keeps its incident inside the map", () => {
  // Top first alone would pan 50 px down and push the incident (y 330) to 380, out of the map.
  const box = { left: 400, right: 700, top: 165, bottom: 313 };
  assert.deepEqual(panToFit(box, free), [0, -50]);
  assert.deepEqual(panToFit(box, free, { x: 550, y: 330, box: map }), [0, -7]);
});

test("left and right too", () => {
  const box = { left: -100, right: 200, top: 250, bottom: 300 };
  assert.deepEqual(panToFit(box, free, { x: 150, y: 320, box: map }), [-108, 0]);
  assert.deepEqual(panToFit(box, free, { x: 860, y: 320, box: map }), [-19, 0]);
});

test("the content shrinks to the free box, down to a readable least", () => {
  assert.equal(contentHeight(free), 62);
  assert.equal(contentHeight({ ...free, bottom: 260 }), 40);
  assert.equal(contentHeight({ ...free, bottom: 715 }), 440);
});
