"""Check mode (``monitor sources --check``): what one pass over a source finds, nothing archived.

A spider middleware, enabled only for checks (``monitor.collect.crawl`` with
``check=True``, which also disables the archive pipeline). It counts what the entry
page yields (items, and links to follow: a feed whose entries need their article
fetched yields links), keeps the newest date seen, and lets exactly one link through so
that the article extraction is tried once; every other link is dropped. So a user who
edits ``schedules/`` learns at once whether the URL answers, whether its shape is
recognised (feed, listing, article) and how fresh it is, without crawling the site.

Stats (read by ``monitor.collect.crawl``): ``check/items``, ``check/links``,
``check/newest`` (ISO 8601, UTC), ``check/followed`` (the one link tried),
``check/article`` (True when that link gave an item with text).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, AsyncIterator, Iterable, Iterator

from itemadapter import ItemAdapter, is_item
from scrapy import Request

#: Request meta key marking the one link followed in check mode.
FOLLOWED = "monitor_check_followed"


class CheckMiddleware:
    """Counts a source's entry output and follows one link (see module docstring)."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CheckMiddleware":
        return cls(crawler.stats)

    def process_spider_output(self, response: Any, result: Iterable[Any], spider: Any = None) -> Iterator[Any]:
        for out in result:
            kept = self._see(response, out)
            if kept is not None:
                yield kept

    async def process_spider_output_async(self, response: Any, result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        async for out in result:
            kept = self._see(response, out)
            if kept is not None:
                yield kept

    def _see(self, response: Any, out: Any) -> Any:
        followed = bool(response.meta.get(FOLLOWED))
        if isinstance(out, Request):
            if followed:
                return None  # the one article does not lead further
            self.stats.inc_value("check/links")
            partial = out.meta.get("partial")
            if partial is not None:
                self._date(ItemAdapter(partial).get("published"))
            if self.stats.get_value("check/followed"):
                return None
            self.stats.set_value("check/followed", out.url)
            out.meta[FOLLOWED] = True
            return out
        if is_item(out):
            adapter = ItemAdapter(out)
            self._date(adapter.get("published"))
            if followed:
                if str(adapter.get("text") or "").strip():
                    self.stats.set_value("check/article", True)
            else:
                self.stats.inc_value("check/items")
        return out

    def _date(self, value: Any) -> None:
        if not isinstance(value, dt.datetime):
            return
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        stamp = value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if stamp > (self.stats.get_value("check/newest") or ""):
            self.stats.set_value("check/newest", stamp)
