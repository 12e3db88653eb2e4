"""``feed``: any RSS 2.0 / RSS 1.0 / Atom feed, with conditional GET and full-text follow-up.

The feed is downloaded by Scrapy (politeness, limits, retries) and its BYTES are
parsed by feedparser, which honours the XML encoding declaration (windows-1251
feeds included); only when feedparser fell back to windows-1252 for want of any
declaration do we reparse Scrapy's decoded text (STACK-NOTES §3).

Conditional GET is done by hand: the previous ETag / Last-Modified (passed in as
``validators``) are sent as If-None-Match / If-Modified-Since and a 304 is let
through to the callback (``handle_httpstatus_list``), which records
``not_modified``. New validators are exposed in ``new_validators`` and saved by
``monitor.collect.crawl`` only after the items are safely stored.

Text: an entry's ``content`` or TASS's ``yandex:full-text`` when present (kremlin
feeds carry the full text); otherwise, with ``fetch_articles`` (default on), the
linked page is fetched and its text and date extracted (``article_selector`` if the
site's body selector is known, else trafilatura). Pages already archived are not
fetched again unless ``refetch_known = true``.

Options (catalogue keys): ``tz_fix`` ("+03:00": the feed's wall clock is in this
offset, whatever offset it states; kremlin.ru says +04:00 but means Moscow time),
``fetch_articles``, ``refetch_known``, ``article_selector``, ``max_items`` (newest
first; default all). A HTML page served instead of a feed (mid.ru's "bobcmn"
JS-challenge stub, a login wall) fails the source with "not a feed".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

import feedparser
from scrapy import Request
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure
from w3lib.encoding import html_to_unicode

from .base import SourceSpider, describe_failure
from .dates import UTC, apply_tz_fix, parse_datetime
from .extract import clean_space, extract_article, html_to_text
from .items import ArticleItem

_HTML_MARKERS = (b"<!doctype html", b"<html")


def parse_feed_body(response: Response) -> Any:
    """feedparser's result for the response, decoding per STACK-NOTES §3."""
    parsed = feedparser.parse(response.body)
    encoding = str(parsed.get("encoding") or "").lower()
    # Also when the declared encoding failed (one item in cp1251 inside a UTF-8 feed):
    # feedparser then decodes the WHOLE feed as e.g. iso-8859-2 (issue 9).
    overridden = isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    if parsed.get("bozo") and (encoding in ("windows-1252", "cp1252") or overridden):
        # No declaration and no charset: feedparser guessed windows-1252 (mojibake for
        # Russian). Scrapy's own detection is better here; reparse its text as UTF-8.
        if isinstance(response, TextResponse):
            text = response.text
        else:
            _enc, text = html_to_unicode(response.headers.get(b"Content-Type", b"").decode("latin-1"), response.body)
        parsed = feedparser.parse(text.encode("utf-8"), response_headers={"content-type": "application/xml; charset=utf-8"})
    return parsed


def not_a_feed_reason(response: Response, parsed: Any) -> str | None:
    """Why this body is not a feed (None if it is one)."""
    if parsed.get("version") or parsed.entries:
        return None
    head = response.body[:2048].lower()
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    if b"bobcmn" in response.body[:65536]:
        return "not a feed: HTML challenge page (bobcmn) served instead of the feed"
    if any(m in head for m in _HTML_MARKERS) or "html" in content_type.lower():
        return f"not a feed: got an HTML page (Content-Type {content_type or 'none'})"
    if not response.body.strip():
        return "not a feed: empty body"
    reason = parsed.get("bozo_exception")
    return f"not a feed: {reason}" if reason else "not a feed: unrecognised format"


def entry_published(entry: Any, tz_fix: dt.timezone | None) -> dt.datetime | None:
    """The entry's publication time; ``tz_fix`` keeps the wall clock and replaces the offset."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            parsed = parse_datetime(str(raw))
            if parsed is not None:
                return apply_tz_fix(parsed, tz_fix)
    for key in ("published_parsed", "updated_parsed"):
        struct = entry.get(key)
        if struct:
            # feedparser already converted to UTC; the original wall clock is lost.
            return dt.datetime(*struct[:6], tzinfo=UTC)
    return None


def entry_full_text(entry: Any) -> tuple[str, str]:
    """(text, where it came from) for an entry that carries its full text, else ("", "")."""
    full = entry.get("yandex_full-text") or entry.get("fulltext") or entry.get("full-text")
    if full:
        return html_to_text(str(full)), "full-text"
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    if contents:
        return html_to_text(max(contents, key=len)), "content"
    return "", ""


class FeedSpider(SourceSpider):
    """Generic RSS/Atom spider (catalogue ``spider = "feed"``)."""

    name = "feed"
    default_options: dict[str, Any] = {
        "tz_fix": None, "fetch_articles": True, "refetch_known": False, "article_selector": None,
        "max_items": None,
    }

    async def start(self) -> Any:
        headers = {}
        if self.validators.get("etag"):
            headers["If-None-Match"] = self.validators["etag"]
        if self.validators.get("last_modified"):
            headers["If-Modified-Since"] = self.validators["last_modified"]
        yield Request(self.source.url, headers=headers, callback=self.parse_feed, errback=self.entry_errback,
                      meta={"handle_httpstatus_list": [304]}, dont_filter=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        self.note_status(response.status)
        if response.status == 304:
            self.crawler.stats.set_value("source/not_modified", True)
            return
        parsed = parse_feed_body(response)
        reason = not_a_feed_reason(response, parsed)
        if reason:
            self.fail_source(reason, response.status)
            return
        self.new_validators = {
            "etag": _header(response, b"ETag"),
            "last_modified": _header(response, b"Last-Modified"),
        }
        tz_fix = self.option_tz()
        feed_lang = str(parsed.feed.get("language") or "")[:2].lower() or None
        entries = list(parsed.entries)
        limit = self.options.get("max_items")
        if limit:
            entries = entries[: int(limit)]
        for entry in entries:
            yield from self.handle_entry(response, entry, tz_fix, feed_lang)

    def handle_entry(self, response: Response, entry: Any, tz_fix: dt.timezone | None,
                     feed_lang: str | None) -> Iterator[Any]:
        link = entry.get("link") or (entry.get("id") if str(entry.get("id", "")).startswith("http") else None)
        if not link:
            self.note_error("entry without a link", response.url)
            return
        link = response.urljoin(str(link))
        title_detail = entry.get("title_detail") or {}
        raw_title = str(entry.get("title") or "")
        title = html_to_text(raw_title) if "html" in str(title_detail.get("type", "")) else clean_space(raw_title)
        summary = html_to_text(str(entry.get("summary") or ""))
        text, text_source = entry_full_text(entry)
        lead = summary or (text.split("\n\n", 1)[0] if text else "")
        published = entry_published(entry, tz_fix)
        item = self.make_item(
            link, title, text or summary, published, lang=feed_lang,
            feed_id=entry.get("id"), lead=lead if lead != text else None, author=entry.get("author"),
            text_source=text_source or "summary",
            # Where the date came from: the archive prefers page markup over a feed (issue 17).
            published_from="feed" if published else None,
        )
        if text or not self.options.get("fetch_articles"):
            yield item
            return
        if self.is_known(link) and not self.options.get("refetch_known"):
            self.skip_known()
            return
        yield Request(link, callback=self.parse_article, errback=self.article_errback,
                      cb_kwargs={"partial": item}, meta={"partial": item})

    def parse_article(self, response: Response, partial: ArticleItem) -> Iterator[ArticleItem]:
        if not isinstance(response, TextResponse):
            self.note_error(f"not an HTML page ({_header(response, b'Content-Type')})", response.url)
            yield partial
            return
        article = extract_article(response.text, response.url, body_selector=self.options.get("article_selector"))
        partial.text = article.text or partial.text
        partial.title = partial.title or article.title
        if partial.published is None and article.published is not None:
            partial.published = article.published
            partial.extra["published_from"] = "page"
        partial.extra["text_source"] = "article" if article.text else "summary"
        if response.url != partial.url:
            partial.extra["final_url"] = response.url
        yield partial

    def article_errback(self, failure: Failure) -> Iterator[ArticleItem]:
        reason, _status = describe_failure(failure)
        request = getattr(failure, "request", None)
        self.note_error(reason, request.url if request is not None else "?")
        partial = request.meta.get("partial") if request is not None else None
        if partial is not None:
            yield partial  # keep the summary rather than nothing


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
