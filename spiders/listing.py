"""The shape shared by sites without a usable feed: paged listings, then article pages.

A subclass names how to build the URL of listing page N, how to find article links on a
listing, and how to read one article page; this class does the paging (the catalogue's
``depth`` option, for backfill), skips archived articles unless ``refetch_known``, and
reports a listing that is not HTML or an article whose markup is missing, so that a
site redesign shows up as an error on the source rather than as silence.
"""

from __future__ import annotations

from typing import Any, Iterator

from scrapy import Request
from scrapy.http import Response, TextResponse

from .base import SourceSpider
from .items import ArticleItem


class ListingSpider(SourceSpider):
    """Base for listing-and-article spiders (``kremlin``, ``mid``)."""

    #: What to say when an article page lacks the expected markup.
    missing_article: str = "no article body on the page (markup changed?)"

    def page_url(self, listing: str, page: int) -> str:
        raise NotImplementedError

    def listing_links(self, response: TextResponse) -> list[str]:
        raise NotImplementedError

    def read_article(self, response: Response) -> ArticleItem | None:
        raise NotImplementedError

    async def start(self) -> Any:
        depth = self.option_int("depth")
        for page in range(1, depth + 1):
            entry = page == 1
            yield Request(self.page_url(self.source.url, page), callback=self.parse_listing,
                          errback=self.entry_errback if entry else self.follow_errback,
                          cb_kwargs={"entry": entry}, dont_filter=entry)

    def parse_listing(self, response: Response, entry: bool = False) -> Iterator[Request]:
        if entry:
            self.note_status(response.status)
        if not isinstance(response, TextResponse):
            self.note_error("listing is not HTML", response.url)
            return
        for url in self.listing_links(response):
            if self.is_known(url) and not self.options.get("refetch_known"):
                self.skip_known()
                continue
            yield Request(url, callback=self.parse_article, errback=self.follow_errback)

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        item = self.read_article(response)
        if item is None:
            self.note_error(self.missing_article, response.url)
            return
        yield item
