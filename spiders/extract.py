"""Text, title and publication date out of HTML: site selectors first, trafilatura after.

Used by the feed spider (articles linked from summary-only feeds, HTML ``content``
of entries) and by the site spiders. Output text is paragraphs separated by blank
lines, whitespace collapsed, so that a re-crawl of an unchanged page produces the
same string (the archive compares content hashes). Pure functions over strings.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import lxml.html
from lxml import etree

from .dates import UTC, parse_datetime

log = logging.getLogger(__name__)

#: Elements whose text is one paragraph of the output.
BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt",
                        "figcaption", "td", "th", "div", "section", "article", "ul", "ol", "table", "tr"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "button", "form"})
_META_DATE_KEYS = ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
                   "dc.date.issued", "dc.date", "date", "sailthru.date", "parsely-pub-date")


@dataclass(frozen=True)
class ExtractedArticle:
    title: str
    text: str
    published: dt.datetime | None


def clean_space(text: str) -> str:
    return " ".join(text.split())


def parse_html(html: str | bytes) -> Any:
    """An lxml HTML tree (``lxml.html.HtmlElement``) for a page or a fragment."""
    if isinstance(html, bytes):
        return lxml.html.document_fromstring(html)
    return lxml.html.document_fromstring(html) if html.strip() else lxml.html.fromstring("<div></div>")


def block_texts(element: Any) -> list[str]:
    """The paragraphs of ``element``: text of each innermost block, in document order.

    A block that contains other blocks contributes only its loose text (text not
    inside a child block), so nested markup never duplicates a sentence.
    """
    out: list[str] = []
    _walk(element, out)
    return [t for t in out if t]


def _walk(element: Any, out: list[str]) -> None:
    parts: list[str] = []

    def flush() -> None:
        text = clean_space("".join(parts))
        if text:
            out.append(text)
        parts.clear()

    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _SKIP_TAGS or not tag:
            if child.tail:
                parts.append(child.tail)
            continue
        if tag in BLOCK_TAGS:
            flush()
            _walk(child, out)
        elif tag == "br":
            parts.append("\n")
            flush()
        else:
            parts.append(_inline_text(child))
        if child.tail:
            parts.append(child.tail)
    flush()


def _inline_text(element: Any) -> str:
    pieces: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag and tag not in _SKIP_TAGS:
            pieces.append(" " if tag == "br" else _inline_text(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def html_to_text(html: str) -> str:
    """An HTML fragment (a feed's ``content``, a summary) -> paragraphs of plain text."""
    if not html or not html.strip():
        return ""
    if "<" not in html:  # plain text (e.g. yandex:full-text): keep its line breaks as paragraphs
        return "\n\n".join(line for line in (clean_space(x) for x in html.splitlines()) if line)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_space(html)
    return "\n\n".join(block_texts(root))


def drop_elements(root: Any, css_selectors: Iterable[str]) -> None:
    """Remove every element matching any selector (with its subtree, keeping its tail text)."""
    for selector in css_selectors:
        for element in root.cssselect(selector):
            element.drop_tree()


def text_of(root: Any, css: str) -> str:
    found = root.cssselect(css)
    return clean_space(found[0].text_content()) if found else ""


def find_published(root: Any) -> dt.datetime | None:
    """Publication time from JSON-LD, meta tags or ``<time datetime>``, in that order."""
    for value in _jsonld_dates(root):
        parsed = parse_datetime(value)
        if parsed:
            return parsed
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _META_DATE_KEYS:
            parsed = parse_datetime(meta.get("content") or "")
            if parsed:
                return parsed
    for element in root.cssselect("[itemprop=datePublished], time[datetime]"):
        parsed = parse_datetime(element.get("datetime") or element.get("content") or "")
        if parsed:
            return parsed
    return None


def _jsonld_dates(root: Any) -> Iterator[str]:
    for script in root.cssselect('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, TypeError):
            continue
        yield from _dates_in(data)


def _dates_in(data: Any) -> Iterator[str]:
    if isinstance(data, list):
        for entry in data:
            yield from _dates_in(entry)
    elif isinstance(data, dict):
        if isinstance(data.get("datePublished"), str):
            yield data["datePublished"]
        if "@graph" in data:
            yield from _dates_in(data["@graph"])


def find_title(root: Any) -> str:
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title", "twitter:title"):
            if meta.get("content", "").strip():
                return clean_space(meta.get("content"))
    return text_of(root, "h1") or text_of(root, "title")


def extract_article(html: str | bytes, url: str, *, body_selector: str | None = None,
                    drop_selectors: Iterable[str] = ()) -> ExtractedArticle:
    """Title, body text and publication time of an article page.

    ``body_selector`` (a site's own CSS selector for the article body) wins when it
    matches; otherwise trafilatura extracts the main text. The date comes from the
    page's structured metadata (full time with offset), else from trafilatura (a
    date only, taken as midnight UTC). Never raises on odd markup: missing parts are
    empty or None.
    """
    try:
        root = parse_html(html)
    except (etree.ParserError, ValueError):
        return ExtractedArticle("", "", None)
    drop_elements(root, drop_selectors)
    title = find_title(root)
    published = find_published(root)
    text = ""
    if body_selector:
        bodies = root.cssselect(body_selector)
        text = "\n\n".join(t for body in bodies for t in block_texts(body))
    if not text:
        text, fallback_date = _trafilatura(html if isinstance(html, str) else html.decode("utf-8", "replace"), url)
        if published is None and fallback_date is not None:
            published = fallback_date
    first, _sep, rest = text.partition("\n\n")
    if title and clean_space(first) == title and rest:
        text = rest  # the headline repeated as the body's first line
    return ExtractedArticle(title, text, published)


def _trafilatura(html: str, url: str) -> tuple[str, dt.datetime | None]:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, url=url, include_comments=False, include_tables=False,
                                          with_metadata=True)
    except Exception:  # trafilatura raises assorted errors on hostile markup
        log.warning("extraction failed url=%s", url, exc_info=True)
        return "", None
    if doc is None:
        return "", None
    text = getattr(doc, "text", None) or ""
    paragraphs = [clean_space(p) for p in text.split("\n")]
    date_text = getattr(doc, "date", None)
    published = None
    if date_text:
        try:
            published = dt.datetime.fromisoformat(date_text).replace(tzinfo=UTC)
        except ValueError:
            published = None
    return "\n\n".join(p for p in paragraphs if p), published
