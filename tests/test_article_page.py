"""The article page: full text, place mentions linked to the map, excerpts anchored and marked,
and article text always shown as text."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from border_map.articles import reading_spans
from border_map.models import Article, Excerpt, Mention, Place
from border_map.views import article_pieces, claim_side

pytestmark = pytest.mark.django_db

SEED = "rferl-2021-04-30-kyrgyz-tajik-ceasefire"


def test_the_pieces_of_an_article_are_verbatim_slices_of_its_text_in_order():
    article = Article.objects.get(slug=SEED)
    pieces = article_pieces(article)
    assert all(p["text"] == article.text[p["start"] : p["end"]] for p in pieces)
    assert all(a["end"] <= b["start"] for a, b in zip(pieces, pieces[1:], strict=False))
    quoted = [(e.start, e.end) for e in article.excerpts.filter(incidents__isnull=False)]
    spans = reading_spans(article.text, article.title, quoted)
    assert "".join(p["text"] for p in pieces) == "".join(article.text[a:b] for a, b in spans)


def test_the_reading_view_drops_the_source_pages_furniture_but_no_quoted_word():
    article = Article.objects.get(slug=SEED)
    shown = "".join(p["text"] for p in article_pieces(article))
    assert "Accessibility links" not in shown and "Breaking News" not in shown
    assert article.title not in shown  # the page shows it once, as the heading
    caption = "Authorities in the Batken region said 13,500 Kyrgyz were evacuated"
    assert article.text.count(caption) == 2 and shown.count(caption) == 1
    for excerpt in article.excerpts.filter(incidents__isnull=False).distinct():
        assert excerpt.text == article.text[excerpt.start : excerpt.end]
        assert excerpt.text in shown


def test_reading_spans_keep_a_quoted_passage_even_inside_the_furniture():
    text = "Home\nNews\nThe headline\nBody line.\nBody line.\nMore.\n"
    shown = [text[a:b] for a, b in reading_spans(text, "The headline")]
    assert shown == ["Body line.\n", "More.\n"]
    kept = reading_spans(text, "The headline", [(0, 4)])
    assert [text[a:b] for a, b in kept] == ["Home", "Body line.\n", "More.\n"]


def test_every_place_mention_links_to_the_map_at_that_place(client):
    article = Article.objects.get(slug=SEED)
    page = client.get(reverse("article", args=[SEED])).content.decode()
    links = re.findall(r'<a class="mention" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    spans = reading_spans(article.text, article.title)
    mentions = [
        m
        for m in article.mentions.select_related("place").order_by("start")
        if any(a <= m.start and m.end <= b for a, b in spans)
    ]
    assert len(mentions) > 0
    assert [html.unescape(text) for _href, text in links] == [m.text for m in mentions]
    for (href, _text), mention in zip(links, mentions, strict=True):
        href = html.unescape(href)
        assert href.startswith("/?")
        assert f"place={mention.place.slug}" in href
        assert f"lat={mention.place.point.y:.5f}" in href and "zoom=13" in href


def test_every_excerpt_a_claim_quotes_is_anchored_marked_and_noted_with_its_claim(client):
    article = Article.objects.get(slug=SEED)
    page = client.get(reverse("article", args=[SEED])).content.decode()
    quoted = article.excerpts.filter(incidents__isnull=False).distinct()
    assert quoted.count() > 0
    for excerpt in quoted:
        for claim in excerpt.incidents.all():
            note = re.search(
                rf'<span class="claim-note" data-excerpt="{excerpt.pk}">(.*?)</span></span>',
                page,
                flags=re.S,
            )
            assert note and html.escape(claim.title) in note.group(1)
            # Every seed claim's actor has a side (data/actors.json): no neutral mark.
            assert claim_side(claim)["slug"], claim.slug
            assert f"side-{claim_side(claim)['slug']}" in note.group(1)
        assert f'id="excerpt-{excerpt.pk}"' in page
        marked = re.findall(
            rf'<mark class="excerpt side-[a-z_-]+" data-excerpts="[^"]*\b{excerpt.pk}\b[^"]*">'
            r"(.*?)</mark>",
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
    assert "the original article</a>" not in page  # the javascript: source URL is not linked


def test_an_unknown_article_is_a_404(client):
    assert client.get(reverse("article", args=["no-such-article"])).status_code == 404
