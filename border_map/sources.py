"""Where an article comes from: a text file, an HTML page (reduced to its text and metadata by
trafilatura), a folder of such files, or a URL fetched on request. Each gives a Draft: the
verbatim text and the metadata that the source states, filled or overridden by the options.
"""

from __future__ import annotations

import datetime
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from border_map.datafiles import DataError
from border_map.geoparsing import LANGUAGES, GeoparseError, check_text, detect_language

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
# Fewer words than this after extraction is a page without an article (a login form, an index).
MIN_ARTICLE_WORDS = 25
MAX_DOWNLOAD_BYTES = 10_000_000
DEFAULT_USER_AGENT = "border_map/0.1 (article ingest)"
DEFAULT_TIMEOUT = 15.0
OPTION_FIELDS = ("title", "outlet", "published", "url", "language")


class SourceError(DataError):
    """A source cannot give an article (unreadable, empty, binary, no article in the page, a URL
    that fails); the message names the source."""


@dataclass
class Draft:
    """An article as its source gives it, before ingest."""

    origin: str  # the file or URL it was read from
    text: str
    slug: str
    title: str
    outlet: str
    url: str
    published: datetime.date
    language: str
    not_places: list = field(default_factory=list)


def parse_date(value: object, origin: object) -> datetime.date:
    """A date from YYYY-MM-DD (or the date part of an ISO timestamp)."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise SourceError(f"{origin}: published {value!r} is not a YYYY-MM-DD date") from error


def read_text_file(path: str | Path) -> str:
    """The file's text, byte for byte (offsets must match the file), or a SourceError."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except OSError as error:
        raise SourceError(f"{path}: cannot be read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not UTF-8 text, perhaps a binary file ({error})") from error


def _language(text: str, option: str | None, origin: object) -> str:
    option = option or "auto"
    if option not in (*LANGUAGES, "auto"):
        raise SourceError(f"{origin}: language {option!r} is not one of en, ru, auto")
    if option != "auto":
        return option
    try:
        return detect_language(text)
    except GeoparseError as error:
        raise SourceError(f"{origin}: {error}") from error


def _check(text: str, origin: object) -> None:
    try:
        check_text(text)
    except GeoparseError as error:
        raise SourceError(f"{origin}: {error}") from error


def _slug(*candidates: str | None) -> str:
    for candidate in candidates:
        slug = slugify(candidate or "")[:120].strip("-")
        if slug:
            return slug
    return ""


def _finish(origin: object, text: str, found: dict, options: dict | None, slug_from: str) -> Draft:
    """A Draft from what the source says (`found`) and the options, which win."""
    values = {k: v for k, v in found.items() if v}
    values.update({k: v for k, v in (options or {}).items() if k in OPTION_FIELDS and v})
    _check(text, origin)
    language = _language(text, values.get("language"), origin)
    if not values.get("published"):
        raise SourceError(f"{origin}: no publication date in the source: give --published")
    if not values.get("outlet"):
        raise SourceError(f"{origin}: no outlet in the source: give --outlet")
    title = values.get("title") or next(
        (line.strip() for line in text.splitlines() if line.strip()), ""
    )
    slug = _slug((options or {}).get("slug"), slug_from, title)
    if not slug:
        raise SourceError(f"{origin}: no Latin name to make the article's slug of: give --title")
    return Draft(
        origin=str(origin),
        text=text,
        slug=slug,
        title=title[:300],
        outlet=values["outlet"][:200],
        url=values.get("url", ""),
        published=parse_date(values["published"], origin),
        language=language,
    )


def from_text_file(path: str | Path, options: dict | None = None) -> Draft:
    """A plain-text article: its first line is taken for the title unless --title says."""
    path = Path(path)
    return from_text(read_text_file(path), path, options, path.stem)


def from_text(text: str, origin: object, options: dict | None = None, slug_from: str = "") -> Draft:
    """A plain-text article (pasted, or a file's text) as from_text_file reads it."""
    return _finish(origin, text, {}, options, slug_from)


def from_html(
    html: str, origin: object, options: dict | None = None, url: str | None = None
) -> Draft:
    """An HTML page reduced by trafilatura to the article's text, with the metadata it finds
    (title, date, site name, canonical URL); the options fill what it leaves out and win."""
    import trafilatura

    if not html or not html.strip():
        raise SourceError(f"{origin}: the page is empty")
    if "\x00" in html:
        raise SourceError(f"{origin}: NUL bytes: a binary file, not HTML")
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    # A Document (trafilatura 2), a dict when asked for one, None when nothing is found.
    got: dict = {}
    if isinstance(document, dict):
        got = document
    elif document is not None:
        got = document.as_dict()
    body = got.get("text") or ""
    if len(body.split()) < MIN_ARTICLE_WORDS:
        raise SourceError(
            f"{origin}: no article in the page (the extractor found {len(body.split())} words)"
        )
    title = (got.get("title") or "").strip()
    # The headline first, as in the project's text files, unless the body starts with it.
    text = body if not title or body.startswith(title) else f"{title}\n\n{body}"
    found = {
        "title": title,
        "outlet": got.get("sitename") or got.get("hostname") or "",
        "url": got.get("url") or url or "",
        "published": got.get("date") or "",
    }
    slug_from = Path(urllib.parse.urlparse(found["url"]).path).stem if found["url"] else ""
    if not slug_from and not str(origin).startswith(("http://", "https://")):
        slug_from = Path(str(origin)).stem
    return _finish(origin, text, found, options, slug_from)


def from_html_file(path: str | Path, options: dict | None = None) -> Draft:
    """An HTML file reduced to its article, as from_html."""
    path = Path(path)
    return from_html(read_text_file(path), path, options)


def fetch(url: str, timeout: float = DEFAULT_TIMEOUT, user_agent: str = DEFAULT_USER_AGENT) -> str:
    """The HTML at an http(s) URL, sent with a user agent and read within the timeout, or a
    SourceError naming the URL and what went wrong (a status, a timeout, not HTML)."""
    if urllib.parse.urlparse(url).scheme not in {"http", "https"}:
        raise SourceError(f"{url}: only http and https URLs are fetched")
    request = urllib.request.Request(
        url, headers={"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if kind not in {"text/html", "application/xhtml+xml"}:
                raise SourceError(f"{url}: answered {kind}, not an HTML page")
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as error:
        raise SourceError(f"{url}: answered {error.code} {error.reason}") from error
    except TimeoutError as error:
        raise SourceError(f"{url}: no answer within {timeout:g} s") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise SourceError(f"{url}: no answer within {timeout:g} s") from error
        raise SourceError(f"{url}: cannot be fetched ({error.reason})") from error
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise SourceError(f"{url}: larger than {MAX_DOWNLOAD_BYTES:,} bytes")
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError) as error:
        raise SourceError(f"{url}: cannot decode the page as {charset} ({error})") from error


def from_url(
    url: str,
    options: dict | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    user_agent: str = DEFAULT_USER_AGENT,
) -> Draft:
    """A fetched page as a Draft (its URL kept unless the page names a canonical one)."""
    html = fetch(url, timeout, user_agent)
    options = {**(options or {})}
    draft = from_html(html, url, options, url=url)
    return draft


def files_in(folder: str | Path) -> list[Path]:
    """The article files of a folder, in name order: JSON metadata files, and the text and HTML
    files that no JSON file there names as its text_file."""
    import json

    folder = Path(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file())
    named = set()
    for path in files:
        if path.suffix.lower() in JSON_SUFFIXES:
            try:
                meta = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # reported when the file itself is read
            if isinstance(meta, dict) and isinstance(meta.get("text_file"), str):
                named.add((folder / meta["text_file"]).resolve())
    suffixes = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
    return [p for p in files if p.suffix.lower() in suffixes and p.resolve() not in named]


def is_url(source: str) -> bool:
    return bool(re.match(r"^https?://", str(source)))


def as_record(draft: Draft) -> tuple[str, dict, str]:
    """(origin, metadata, text) as articles.ingest takes them; the slug says it was made from
    the file name or URL, so that the same text already stored is taken for the same article."""
    meta = {
        "slug": draft.slug,
        "title": draft.title,
        "outlet": draft.outlet,
        "url": draft.url,
        "published": draft.published,
        "language": draft.language,
        "not_places": draft.not_places,
        "slug_derived": True,
    }
    return draft.origin, meta, draft.text


def read_sources(
    sources: Iterable[str | Path],
    options: dict | None = None,
    fetch_urls: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    user_agent: str = DEFAULT_USER_AGENT,
) -> list[tuple[str, dict, str]]:
    """Every article the sources give, as (origin, metadata, text): JSON metadata files (as
    data/articles/ holds them), text and HTML files, folders of these, and URLs when
    `fetch_urls`. Options (title, outlet, published, url, language) fill what a source leaves
    out and win over what it says. Everything is read before anything is stored."""
    from border_map.articles import read_article

    options = {k: v for k, v in (options or {}).items() if v}
    records = []
    for source in sources:
        source = str(source)
        if is_url(source):
            if not fetch_urls:
                raise SourceError(f"{source}: a URL is fetched only with --fetch")
            records.append(as_record(from_url(source, options, timeout, user_agent)))
            continue
        path = Path(source)
        if path.is_dir():
            paths = files_in(path)
            if not paths:
                raise SourceError(f"{path}: no .json, .txt or .html file in the folder")
        elif path.exists():
            paths = [path]
        else:
            raise SourceError(f"{path}: no such file or folder")
        for file in paths:
            suffix = file.suffix.lower()
            if suffix in JSON_SUFFIXES:
                meta, text = read_article(file)
                if options.get("published"):
                    options = {**options, "published": parse_date(options["published"], file)}
                meta = {**meta, **{k: v for k, v in options.items() if k in OPTION_FIELDS}}
                _language(text, meta["language"], file)
                records.append((str(file), meta, text))
            elif suffix in HTML_SUFFIXES:
                records.append(as_record(from_html_file(file, options)))
            elif suffix in TEXT_SUFFIXES:
                records.append(as_record(from_text_file(file, options)))
            else:
                raise SourceError(f"{file}: not an article file (.json, .txt, .html or .htm)")
    return records
