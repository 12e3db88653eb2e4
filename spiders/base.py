"""What every monitor spider shares: its catalogue source, outcome bookkeeping, items.

A spider crawls ONE catalogue source per run. It records what ``monitor.collect.crawl``
needs to write the source's ``crawl_runs`` row into the crawler's stats, under
``source/*`` keys:

- ``source/http_status``: status of the entry request (feed, first listing page);
- ``source/not_modified``: the feed answered 304 to our conditional GET;
- ``source/error``: why the entry request failed (the source failed);
- ``source/errors`` and ``source/first_error``: failed follow-up requests (articles);
- ``source/skipped_known``: linked articles not fetched because already archived.

Spiders receive the ``SourceConfig`` (``source=``), and optionally ``seen`` (a
callable telling whether a canonical URL is archived) and ``validators`` (ETag /
Last-Modified from the previous fetch). From the command line (``scrapy crawl feed
-a source=x -a url=...``) plain strings work too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from monitor.config import SourceConfig

from .dates import parse_offset
from .items import ArticleItem
from .urls import canonical_url


def describe_failure(failure: Failure) -> tuple[str, int | None]:
    """A one-line reason for a failed request, and the HTTP status when there was one."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"HTTP {status}", status
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if "robots.txt" in text.lower():
        return "forbidden by robots.txt", None
    if "dataloss" in name.lower():
        return "truncated response (connection closed before the announced length)", None
    if "timeout" in name.lower() or "timed out" in text.lower():
        return f"timeout ({name})", None
    if "cancelled" in name.lower() and not text:
        # Scrapy cancels a body that outgrows DOWNLOAD_MAXSIZE with no message (issue 9).
        return f"{name}: download cancelled (body over the DOWNLOAD_MAXSIZE limit, or the crawl was stopping)", None
    return f"{name}: {text[:200]}" if text else name, None


class SourceSpider(scrapy.Spider):
    """Base class: one catalogue source, bookkeeping in stats, items with source fields."""

    #: Catalogue options this spider understands, with defaults (documented in README).
    default_options: dict[str, Any] = {}

    def __init__(self, source: SourceConfig | str | None = None, *, seen: Callable[[str], bool] | None = None,
                 validators: dict[str, str] | None = None, **kwargs: Any) -> None:
        if not isinstance(source, SourceConfig):
            url = kwargs.pop("url", None)
            if not source or not url:
                raise ValueError(f"spider {self.name!r} needs a source (SourceConfig, or -a source=NAME -a url=URL)")
            options = {k: kwargs.pop(k) for k in list(kwargs) if k in self.default_options}
            source = SourceConfig(name=str(source), spider=str(self.name), url=str(url),
                                  role=str(kwargs.pop("role", "media")), lang=kwargs.pop("lang", None),
                                  options=options)
        super().__init__(**kwargs)
        self.source = source
        self.options = {**self.default_options, **source.options}
        self.seen = seen or (lambda url: False)
        self.validators = dict(validators or {})
        #: ETag / Last-Modified of the latest 200, saved by monitor.collect.crawl if the crawl succeeds.
        self.new_validators: dict[str, str | None] = {}

    # -- options ---------------------------------------------------------------------
    def option_int(self, key: str) -> int:
        value = self.options.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"source {self.source.name}: option {key!r} must be a positive integer, got {value!r}")
        return value

    def option_tz(self, key: str = "tz_fix") -> dt.timezone | None:
        value = self.options.get(key)
        if value in (None, ""):
            return None
        try:
            return parse_offset(str(value))
        except ValueError as exc:
            raise ValueError(f"source {self.source.name}: option {key!r}: {exc}") from None

    # -- bookkeeping -------------------------------------------------------------------
    def _stats(self) -> Any:
        return self.crawler.stats

    def note_status(self, status: int) -> None:
        self._stats().set_value("source/http_status", status)

    def fail_source(self, reason: str, status: int | None = None) -> None:
        """The source as a whole failed (entry request, not a feed...)."""
        if status is not None:
            self.note_status(status)
        if not self._stats().get_value("source/error"):
            self._stats().set_value("source/error", reason)
        self.logger.warning("source failed source=%s url=%s reason=%s", self.source.name, self.source.url, reason)

    def note_error(self, reason: str, url: str) -> None:
        """A follow-up request failed; the source may still have succeeded."""
        stats = self._stats()
        stats.inc_value("source/errors")
        if not stats.get_value("source/first_error"):
            stats.set_value("source/first_error", f"{reason} url={url}")
        self.logger.info("request failed source=%s url=%s reason=%s", self.source.name, url, reason)

    def entry_errback(self, failure: Failure) -> None:
        reason, status = describe_failure(failure)
        self.fail_source(reason, status)

    def follow_errback(self, failure: Failure) -> None:
        reason, _status = describe_failure(failure)
        self.note_error(reason, failure.request.url if hasattr(failure, "request") else "?")

    def is_known(self, url: str) -> bool:
        try:
            return bool(self.seen(canonical_url(url)))
        except ValueError:
            return False

    def skip_known(self) -> None:
        self._stats().inc_value("source/skipped_known")

    def make_item(self, url: str, title: str, text: str, published: dt.datetime | None,
                  lang: str | None = None, **extra: Any) -> ArticleItem:
        return ArticleItem(url=url, title=title, text=text, published=published, source=self.source.name,
                           role=self.source.role, lang=self.source.lang or lang,
                           extra={k: v for k, v in extra.items() if v not in (None, "", [], {})})
