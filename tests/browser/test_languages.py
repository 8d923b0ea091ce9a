"""The map page in Russian, in real Chromium: every word of the interface translated, the
language picked from the browser's and kept in the URL by the switch."""

import ast
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from border_map.context import russian_name
from border_map.models import Article, Enclave, Excerpt, Incident, Place

pytestmark = pytest.mark.browser

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "ru" / "LC_MESSAGES"
KOK_TASH = "kyrgyz-police-tajik-shooting-at-kok-tash"
# Names the Russian page writes in Latin letters, as Russian texts do: the services credited
# and the formats offered, the language of the map library.
PROPER_NAMES = (
    *("OpenStreetMap", "GeoNames", "Leaflet", "GeoJSON", "CSV", "HTML", "JavaScript"),
    # The keys as printed on a keyboard, which Russian texts name in Latin letters too.
    *("Shift", "Escape"),
)

# Every text node the reader sees (and every option of the selects), with the language of the
# element it is in.
VISIBLE_TEXT = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest("script, style")) continue;
    const shown = parent.closest("option") || parent.checkVisibility({ visibilityProperty: true });
    if (!shown) continue;
    found.push({ text, lang: parent.closest("[lang]")?.getAttribute("lang") || "" });
  }
  // The words a pointer or a screen reader gives: titles and labels.
  for (const node of document.body.querySelectorAll("[title], [aria-label]")) {
    const lang = node.closest("[lang]")?.getAttribute("lang") || "";
    for (const name of ["title", "aria-label"]) {
      const text = (node.getAttribute(name) || "").trim();
      if (text) found.push({ text, lang });
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def data_texts(django_db_blocker, django_db_setup):
    """Every text the page may show that is data, not interface: longest first."""
    with django_db_blocker.unblock():
        texts = set()
        for row in Incident.objects.values_list(
            "title", "claimed_by", "casualties", "location_note"
        ):
            texts.update(row)
        texts.update(Excerpt.objects.values_list("text", flat=True))
        for row in Article.objects.values_list("title", "outlet"):
            texts.update(row)
        # A place or an enclave with a Russian name is shown by it: its Latin name is no data
        # to the Russian page (it stays only inside the article's own words).
        for name, name_ru, source in Place.objects.values_list("name", "name_ru", "source"):
            texts.update([name_ru or name, source])
        for name, alternates in Enclave.objects.values_list("name", "alternate_names"):
            texts.add(russian_name(alternates) or name)
    return sorted((t for t in texts if t), key=len, reverse=True)


def catalogue_strings():
    """The Russian strings of both catalogues (each msgstr, its lines joined)."""
    strings = []
    for name in ("django.po", "djangojs.po"):
        current = None
        for line in (LOCALE / name).read_text(encoding="utf-8").splitlines() + [""]:
            if line.startswith("msgstr"):
                current = [ast.literal_eval(line.split(" ", 1)[1])]
            elif line.startswith('"') and current is not None:
                current.append(ast.literal_eval(line))
            elif current is not None:
                joined = "".join(current)
                if joined and "Project-Id-Version" not in joined:
                    strings.append(joined)
                current = None
    return strings


def english_left(text, data_texts):
    """What remains of a text in Latin letters once data and proper names are taken out (a
    text node that is a piece of a data text, such as an excerpt cut by its <mark>, is data)."""
    if any(text in data for data in data_texts):
        return []
    for data in data_texts:
        text = text.replace(data, " ")
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return re.findall(r"[A-Za-z]{2,}", text)


def open_everything(page):
    """Open the Kok-Tash popup, then the layer control and the legend (which closes itself
    when a popup opens, so it is opened last)."""
    page.click(f"#incident-list .incident-entry[data-incident='{KOK_TASH}']")
    page.wait_for_selector(f".incident-popup-body[data-incident='{KOK_TASH}']")
    page.hover(".leaflet-control-layers")
    page.wait_for_selector(".leaflet-control-layers-expanded")
    page.evaluate("() => { document.querySelector('details.legend').open = true; }")


def test_the_russian_page_leaves_no_english_word_of_the_interface(visit, data_texts):
    v = visit()
    page = v.open("/?lang=ru")
    assert page.get_attribute("html", "lang") == "ru"
    open_everything(page)
    page.wait_for_selector(".incident-popup .popup-context")
    texts = page.evaluate(VISIBLE_TEXT)
    # Text marked as another language (the switch's "English") is not the page's.
    russian = [t["text"] for t in texts if t["lang"] in ("", "ru")]
    left = {text: english_left(text, data_texts) for text in russian}
    assert {text: words for text, words in left.items() if words} == {}
    # The check sees the interface: the catalogue's words are on the page.
    body = "\n".join(russian)
    for word in ("Легенда", "Инциденты по типу", "Заявитель:", "Место:", "Читать в статье"):
        assert word in body
    assert "Кёк-Таш" in body  # the place in Cyrillic, from the gazetteer
    assert "от линии Кыргызстан–Таджикистан" in body  # its spatial context
    assert "от анклава Ворух" in body
    assert v.errors == []
    assert v.other_hosts() == []


def test_a_catalogue_string_is_what_the_page_shows_not_a_copy(visit):
    """The strings checked above come from locale/ru: the page shows the catalogue's msgstr."""
    strings = catalogue_strings()
    assert "Легенда" in strings and "Загрузка…" in strings
    v = visit()
    page = v.open("/?lang=ru")
    assert page.inner_text("#list-heading") in strings
    assert page.inner_text(".legend summary") in strings
    assert page.evaluate("() => django.gettext('Legend')") == "Легенда"


def test_the_browser_s_language_picks_russian_and_the_switch_keeps_the_view(visit):
    v = visit(locale="ru-RU")
    page = v.open("/?lat=39.95&lon=70.53&zoom=12")
    assert page.get_attribute("html", "lang") == "ru"
    assert page.inner_text("#list-heading") == "Инциденты"
    switch = page.locator("#language-switch")
    assert switch.inner_text() == "English"
    with page.expect_navigation():
        switch.click()
    v.wait_ready()
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#list-heading") == "Incidents"
    query = parse_qs(urlsplit(page.url).query)
    assert query["lang"] == ["en"]
    assert (query["lat"], query["lon"], query["zoom"]) == (["39.95000"], ["70.53000"], ["12"])


def test_the_chosen_language_stays_in_the_url_and_the_links_as_the_map_moves(visit):
    v = visit()
    page = v.open("/?lang=ru")
    page.click(f"#incident-list .incident-entry[data-incident='{KOK_TASH}']")
    page.wait_for_function(f"() => location.search.includes('incident={KOK_TASH}')")
    query = parse_qs(urlsplit(page.url).query)
    assert query["lang"] == ["ru"]
    link = page.get_attribute(".incident-popup .excerpt-source a", "href")
    assert "lang=ru" in link
    # A permalink opens the same view in Russian, whatever the browser's language.
    again = visit(locale="en-US")
    again_page = again.open("/?" + urlsplit(page.url).query)
    assert again_page.get_attribute("html", "lang") == "ru"
    assert "lang=en" in again_page.get_attribute("#language-switch", "href")


def test_a_refused_link_is_explained_in_russian_on_the_russian_page(visit, data_texts):
    v = visit()
    page = v.page
    page.goto(v.live_url + "/?lang=ru&datetime=2021-05-01/2021-04-28")
    page.wait_for_selector("html[data-incidents=error]", state="attached")
    status = page.inner_text("#list-status")
    assert status == "Инциденты не показаны: в ссылке нельзя использовать этот параметр: даты."
    assert english_left(status, data_texts) == []
