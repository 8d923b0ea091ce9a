"""The article page: full text, place mentions linked to the map, excerpts anchored and marked,
and article text always shown as text."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from border_map.models import Article, Excerpt, Mention, Place
from border_map.views import article_pieces

pytestmark = pytest.mark.django_db

SEED = "rferl-2021-04-30-kyrgyz-tajik-ceasefire"


def test_the_pieces_of_an_article_put_its_text_back_together_exactly():
    article = Article.objects.get(slug=SEED)
    assert "".join(piece["text"] for piece in article_pieces(article)) == article.text


def test_every_place_mention_links_to_the_map_at_that_place(client):
    article = Article.objects.get(slug=SEED)
    page = client.get(reverse("article", args=[SEED])).content.decode()
    links = re.findall(r'<a class="mention" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    mentions = list(article.mentions.select_related("place").order_by("start"))
    assert len(mentions) > 0
    assert [html.unescape(text) for _href, text in links] == [m.text for m in mentions]
    for (href, _text), mention in zip(links, mentions, strict=True):
        href = html.unescape(href)
        assert href.startswith("/?")
        assert f"place={mention.place.slug}" in href
        assert f"lat={mention.place.point.y:.5f}" in href and "zoom=13" in href


def test_every_excerpt_is_anchored_and_marked(client):
    article = Article.objects.get(slug=SEED)
    page = client.get(reverse("article", args=[SEED])).content.decode()
    for excerpt in article.excerpts.all():
        assert f'id="excerpt-{excerpt.pk}"' in page
        marked = re.findall(
            rf'<mark class="excerpt" data-excerpts="[^"]*\b{excerpt.pk}\b[^"]*">(.*?)</mark>',
            page,
            flags=re.S,
        )
        text = html.unescape(re.sub(r"<[^>]+>", "", "".join(marked)))
        assert text == excerpt.text


def test_html_in_an_article_is_shown_as_text(client):
    text = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> '
        '<a href="javascript:alert(3)">x</a> Kok-Tash'
    )
    article = Article.objects.create(
        slug="hostile",
        title="<b>bold</b>",
        outlet="o",
        url="javascript:alert(4)",
        published=dt.date(2021, 4, 30),
        text=text,
    )
    Excerpt.objects.create(article=article, start=0, end=len(text), text=text)
    at = text.index("Kok-Tash")
    Mention.objects.create(
        article=article,
        place=Place.objects.get(slug="kok-tash"),
        start=at,
        end=at + 8,
        text="Kok-Tash",
    )
    page = client.get(reverse("article", args=["hostile"])).content.decode()
    assert "<script>alert" not in page and "<img" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript' not in page
    assert ">original</a>" not in page  # the javascript: source URL is not linked


def test_an_unknown_article_is_a_404(client):
    assert client.get(reverse("article", args=["no-such-article"])).status_code == 404
