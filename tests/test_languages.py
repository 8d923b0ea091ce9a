"""The pages in English and Russian: Accept-Language picks, ?lang= in the URL wins."""

import pytest

from border_map.models import Article

pytestmark = pytest.mark.django_db


def test_the_map_page_follows_the_browser_s_language_and_says_it_varies_by_it(client):
    russian = client.get("/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    assert '<html lang="ru">' in russian.text
    assert "Карта границы" in russian.text
    assert "Accept-Language" in russian["Vary"]
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert '<html lang="en">' in english.text and "Border map" in english.text


def test_lang_in_the_url_wins_over_the_browser_s_language(client):
    page = client.get("/?lang=en", HTTP_ACCEPT_LANGUAGE="ru")
    assert '<html lang="en">' in page.text
    assert 'href="?lang=ru"' in page.text  # the switch to the other language
    page = client.get("/?lang=ru", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ru">' in page.text
    assert '<script src="/jsi18n/?lang=ru"></script>' in page.text
    # An unknown language is ignored: the browser's applies.
    assert '<html lang="en">' in client.get("/?lang=xx", HTTP_ACCEPT_LANGUAGE="en").text


def test_the_javascript_catalogue_is_a_script_file_in_the_page_s_language(client):
    response = client.get("/jsi18n/?lang=ru")
    assert response["Content-Type"].startswith("text/javascript")
    legend = '"Legend": "' + "Легенда".encode("ascii", "backslashreplace").decode() + '"'
    assert legend in response.text  # JSON-escaped
    assert legend not in client.get("/jsi18n/?lang=en").text


def test_the_incident_types_are_named_in_russian_in_the_filter(client):
    page = client.get("/?lang=ru")
    assert '<option value="clash">столкновение</option>' in page.text


def test_the_article_page_in_russian_keeps_the_language_in_its_links_to_the_map(client):
    article = Article.objects.first()
    page = client.get(f"/articles/{article.slug}/?lang=ru")
    assert "← Назад к карте" in page.text
    assert 'href="/?lang=ru"' in page.text
    assert "&amp;lang=ru" in page.text  # the place mentions' links to the map


def test_the_ogc_api_html_pages_speak_the_browser_s_language(client):
    page = client.get("/ogcapi/collections?f=html", HTTP_ACCEPT_LANGUAGE="ru")
    assert "<h1>Коллекции</h1>" in page.text
    items = client.get("/ogcapi/collections/places/items?f=html&limit=2", HTTP_ACCEPT_LANGUAGE="ru")
    assert "подходящих объектов" in items.text
    assert "<h1>Collections</h1>" in client.get("/ogcapi/collections?f=html").text
