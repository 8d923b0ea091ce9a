// The page's words without a catalogue (node has none): the English source strings, the
// placeholders filled, Latin names kept; and the spatial context as the popups and list say it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { scaleText } from "../../static/border_map/scale.js";
import { contextText, refusalText } from "../../static/border_map/text.js";
import { format, language, localName, ngettext } from "../../static/border_map/translation.js";

const countryName = (code) => ({ KG: "Kyrgyzstan", TJ: "Tajikistan" })[code] || code;

test("placeholders are filled by name and unknown ones are left as they are", () => {
  assert.equal(format("%(a)s of %(b)s", { a: 1, b: "two" }), "1 of two");
  assert.equal(format("%(a)s and %(c)s", { a: "x" }), "x and %(c)s");
});

test("without a catalogue the language is English and plurals follow English", () => {
  assert.equal(language(), "en");
  assert.equal(ngettext("%(n)s incident", "%(n)s incidents", 1), "%(n)s incident");
  assert.equal(ngettext("%(n)s incident", "%(n)s incidents", 2), "%(n)s incidents");
  assert.equal(localName("Kok-Tash", "Кёк-Таш"), "Kok-Tash");
});

test("a Russian page shows the Russian name, else the first alternate in Russian letters", () => {
  globalThis.document = { documentElement: { lang: "ru" } };
  try {
    assert.equal(localName("Kok-Tash", "Кёк-Таш"), "Кёк-Таш");
    assert.equal(localName("Vorukh", "", ["Varukh", "Ворух"]), "Ворух");
    assert.equal(localName("Kalacha", "", ["Kalacha"]), "Kalacha");
    // A Kyrgyz spelling (ө) is not Russian.
    assert.equal(localName("Kok-Tash", "", ["Көк-Таш"]), "Kok-Tash");
  } finally {
    delete globalThis.document;
  }
});

test("the context of a place near the line says the country, the line and the enclave", () => {
  const kokTash = {
    territory: "KG",
    line: "KG-TJ",
    line_distance_km: 0.905,
    enclave: null,
    nearest_enclave: "Vorukh",
    nearest_enclave_km: 6.46,
  };
  assert.equal(
    contextText(kokTash, countryName),
    "in Kyrgyzstan; 0.91 km from the Kyrgyzstan–Tajikistan line; 6.5 km from the Vorukh enclave",
  );
});

test("a place on the line is on it, and a place in an enclave says so and no nearest one", () => {
  const golovnoi = { territory: null, line: "KG-TJ", line_distance_km: 0, nearest_enclave: null };
  assert.equal(contextText(golovnoi, countryName), "on the Kyrgyzstan–Tajikistan line");
  const vorukh = {
    territory: "TJ",
    enclave: "Vorukh",
    line: "KG-TJ",
    line_distance_km: 0.958,
    nearest_enclave: "Vorukh",
    nearest_enclave_km: 0,
  };
  assert.equal(
    contextText(vorukh, countryName),
    "in the Vorukh enclave; in Tajikistan; 0.96 km from the Kyrgyzstan–Tajikistan line",
  );
  assert.equal(contextText({}, countryName), "");
});

test("the scale bar's units go through the catalogue; other texts are left alone", () => {
  assert.equal(scaleText("30 km"), "30 km");
  assert.equal(scaleText("500 m"), "500 m");
  assert.equal(scaleText("0.5 mi"), "0.5 mi");
  assert.equal(scaleText("thirty"), "thirty");
});

test("a refusal is the endpoint's words in English and the refused setting otherwise", () => {
  const error = { parameter: "datetime", description: "the interval ends before it starts." };
  assert.equal(refusalText(error, "en"), "the interval ends before it starts.");
  assert.equal(refusalText(error, "ru"), "the link's dates cannot be used.");
  assert.equal(refusalText({ parameter: "other" }, "ru"), "the link cannot be used.");
  assert.equal(refusalText(new Error("offline"), "en"), "the incidents could not be loaded.");
});
