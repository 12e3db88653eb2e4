"""kremlin spider: listings (dedupe, media tabs, pagination) and article pages, EN and RU."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.http import HtmlResponse

from monitor.timeutil import format_timestamp
from spiders.kremlin import KremlinSpider, listing_links, page_url, parse_article_page
from spider_helpers import BASE, expected, fixture_response, make_spider

NEWS = "kremlin-en/events/president/news"


def test_listing_dedupes_cards_and_skips_photo_and_video_tabs() -> None:
    links = listing_links(fixture_response(f"{NEWS}.html", f"{BASE}/{NEWS}"))
    assert links == [f"{BASE}/{NEWS}/75546", f"{BASE}/{NEWS}/75545#comments"]


def test_listing_callback_requests_each_article_once() -> None:
    spider = make_spider(KremlinSpider, url=f"{BASE}/{NEWS}")
    requests = list(spider.parse_listing(fixture_response(f"{NEWS}.html", f"{BASE}/{NEWS}"), entry=True))
    assert [r.url for r in requests] == [f"{BASE}/{NEWS}/75546", f"{BASE}/{NEWS}/75545#comments"]
    assert spider.crawler.stats.get_value("source/http_status") == 200


def test_known_articles_are_skipped_when_refetch_is_off() -> None:
    spider = make_spider(KremlinSpider, url=f"{BASE}/{NEWS}", seen=lambda url: url.endswith("75546"),
                         refetch_known=False)
    requests = list(spider.parse_listing(fixture_response(f"{NEWS}.html", f"{BASE}/{NEWS}")))
    assert [r.url for r in requests] == [f"{BASE}/{NEWS}/75545#comments"]
    assert spider.crawler.stats.get_value("source/skipped_known") == 1


def test_depth_builds_page_urls_for_backfill() -> None:
    spider = make_spider(KremlinSpider, url=f"{BASE}/{NEWS}", depth=3)

    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    urls = [r.url for r in asyncio.run(collect())]
    assert urls == [f"{BASE}/{NEWS}", f"{BASE}/{NEWS}/page/2", f"{BASE}/{NEWS}/page/3"]
    assert page_url("http://kremlin.ru/events/president/news/", 2) == "http://kremlin.ru/events/president/news/page/2"


def test_english_article_matches_expected_and_drops_tags_and_share_blocks() -> None:
    rel = f"{NEWS}/75546.html"
    item = parse_article_page(make_spider(KremlinSpider, lang="en"), fixture_response(rel))
    want = expected(rel)
    assert item is not None
    assert (item.title, format_timestamp(item.published), item.text) == (
        want["title"], want["published_utc"], want["text"])
    assert "Foreign policy" not in item.text and "Share" not in item.text and "Putin Vladimir" not in item.text
    assert item.extra["place"] == "The Kremlin, Moscow"


def test_russian_transcript_keeps_speaker_turns_and_moscow_time() -> None:
    rel = "kremlin-ru/events/president/transcripts/75560.html"
    item = parse_article_page(make_spider(KremlinSpider, lang="ru"), fixture_response(rel))
    want = expected(rel)
    assert item is not None
    assert (item.title, format_timestamp(item.published), item.text) == (
        want["title"], want["published_utc"], want["text"])
    assert "В.Путин: Добрый день" in item.text and "Безопасность" not in item.text.split("\n\n")[-1]


def test_page_without_article_markup_is_an_error_not_an_item() -> None:
    spider = make_spider(KremlinSpider)
    response = HtmlResponse(url=f"{BASE}/x", body=b"<html><body><div>Access denied</div></body></html>")
    assert list(spider.parse_article(response)) == []
    assert spider.crawler.stats.get_value("source/errors") == 1
