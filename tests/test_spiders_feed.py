"""feed spider: RSS/Atom parsing from bytes, encodings, tz fix, full text, follow-ups, 304, non-feeds."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse

from monitor.timeutil import format_timestamp
from spiders.extract import extract_article, html_to_text
from spiders.feed import FeedSpider
from spiders.items import ArticleItem
from spider_helpers import BASE, SITES, expected, feed_response, fixture_response, make_spider


def items_of(results: list) -> list[ArticleItem]:
    return [r for r in results if isinstance(r, ArticleItem)]


def test_windows_1251_feed_with_declaration_decodes_under_a_wrong_charset_header() -> None:
    spider = make_spider(FeedSpider, fetch_articles=False)
    response = feed_response("feeds/agency-cp1251.xml", "text/xml; charset=utf-8")
    items = items_of(list(spider.parse_feed(response)))
    assert [i.title for i in items] == ["Песков назвал выдумкой сообщения о переговорах",
                                        "В Москве открылась выставка «Осень»"]
    assert "чистой воды вымысел" in items[0].text
    assert items[0].lang == "ru" and items[0].extra["text_source"] == "full-text"


def test_windows_1251_feed_without_any_declaration_is_reparsed_not_mojibake() -> None:
    spider = make_spider(FeedSpider, fetch_articles=False)
    response = fixture_response("feeds/agency-nodecl-cp1251.xml", cls=TextResponse, headers={})
    items = items_of(list(spider.parse_feed(response)))
    assert [i.title for i in items] == ["Захарова ответила на публикацию британской газеты"]
    assert "фейком" in items[0].text


def test_atom_feed_with_tz_fix_trusts_the_moscow_wall_clock() -> None:
    spider = make_spider(FeedSpider, tz_fix="+03:00", role="official")
    items = items_of(list(spider.parse_feed(feed_response("feeds/kremlin-en.atom", "application/atom+xml"))))
    assert [format_timestamp(i.published) for i in items] == ["2026-08-12T16:00:00+00:00", "2026-08-12T07:15:00+00:00"]
    first = items[0]
    assert first.url == f"{BASE}/kremlin-en/events/president/news/75550"
    assert first.text.startswith("Presidential Press Secretary") and "pure fiction" in first.text
    assert first.extra["lead"].startswith("Presidential Press Secretary")  # empty summary: lead = first <p>
    assert first.role == "official"


def test_atom_feed_without_tz_fix_keeps_the_stated_offset() -> None:
    spider = make_spider(FeedSpider)
    items = items_of(list(spider.parse_feed(feed_response("feeds/kremlin-en.atom", "application/atom+xml"))))
    assert format_timestamp(items[0].published) == "2026-08-12T15:00:00+00:00"


def test_rss_content_encoded_is_full_text_and_scripts_are_dropped() -> None:
    spider = make_spider(FeedSpider)
    results = list(spider.parse_feed(feed_response("feeds/moscow-daily.rss")))
    assert not [r for r in results if isinstance(r, Request)]  # full text: nothing to follow
    items = items_of(results)
    assert items[0].text.endswith('Spokesman Dmitry Peskov called the report "pure fiction".')
    assert "track()" not in items[0].text
    assert items[0].extra["author"] == "Staff writer"
    assert spider.new_validators == {"etag": None, "last_modified": None}


def test_yandex_full_text_keeps_its_paragraphs() -> None:
    spider = make_spider(FeedSpider)
    items = items_of(list(spider.parse_feed(feed_response("feeds/tass-ru-yandex.xml"))))
    assert items[0].text.split("\n\n")[1] == "«Это полностью не соответствует действительности, это чистый вымысел», — сказал он."
    assert format_timestamp(items[0].published) == "2026-08-11T09:34:00+00:00"


def test_summary_only_entries_are_followed_to_the_article() -> None:
    spider = make_spider(FeedSpider)
    results = list(spider.parse_feed(feed_response("feeds/world-summaries.rss")))
    requests = [r for r in results if isinstance(r, Request)]
    assert [r.url for r in requests] == [f"{BASE}/outlet/articles/putin-trump-call.html",
                                         f"{BASE}/outlet/articles/geneva-envoys.html",
                                         f"{BASE}/outlet/articles/grain-exports.html"]
    assert not items_of(results)


def test_followed_article_gives_text_and_the_page_date_when_the_feed_has_none() -> None:
    spider = make_spider(FeedSpider)
    requests = [r for r in spider.parse_feed(feed_response("feeds/world-summaries.rss")) if isinstance(r, Request)]
    rel = "outlet/articles/geneva-envoys.html"
    page = fixture_response(rel, requests[1].url)
    (item,) = list(spider.parse_article(page, **requests[1].cb_kwargs))
    want = expected(rel)
    assert item.text == want["text"]
    assert format_timestamp(item.published) == want["published_utc"]  # from JSON-LD @graph
    assert item.title == "Envoys met secretly in Geneva, people familiar say"  # the feed's title
    assert item.extra["text_source"] == "article"


def test_feed_date_wins_over_the_page_date() -> None:
    spider = make_spider(FeedSpider)
    requests = [r for r in spider.parse_feed(feed_response("feeds/world-summaries.rss")) if isinstance(r, Request)]
    page = fixture_response("outlet/articles/putin-trump-call.html", requests[0].url)
    (item,) = list(spider.parse_article(page, **requests[0].cb_kwargs))
    assert format_timestamp(item.published) == "2026-08-10T21:12:00+00:00"
    assert item.text.startswith("President Trump spoke by telephone")


def test_known_articles_are_not_fetched_again() -> None:
    spider = make_spider(FeedSpider, seen=lambda url: "grain" in url)
    results = list(spider.parse_feed(feed_response("feeds/world-summaries.rss")))
    assert len([r for r in results if isinstance(r, Request)]) == 2
    assert spider.crawler.stats.get_value("source/skipped_known") == 1


def test_conditional_get_sends_validators_and_304_is_not_modified() -> None:
    spider = make_spider(FeedSpider, url=f"{BASE}/feed.xml", validators={"etag": '"abc"',
                                                                         "last_modified": "Tue, 11 Aug 2026 10:00:00 GMT"})

    async def first() -> Request:
        return [r async for r in spider.start()][0]

    request = asyncio.run(first())
    assert request.headers[b"If-None-Match"] == b'"abc"'
    assert request.headers[b"If-Modified-Since"] == b"Tue, 11 Aug 2026 10:00:00 GMT"
    assert request.meta["handle_httpstatus_list"] == [304]
    assert list(spider.parse_feed(Response(url=request.url, status=304, body=b""))) == []
    assert spider.crawler.stats.get_value("source/not_modified") is True
    assert spider.crawler.stats.get_value("source/http_status") == 304


def test_bobcmn_challenge_page_fails_as_not_a_feed() -> None:
    spider = make_spider(FeedSpider)
    response = fixture_response("feeds/bobcmn-challenge.html", headers={"Content-Type": "text/html"})
    assert list(spider.parse_feed(response)) == []
    error = spider.crawler.stats.get_value("source/error")
    assert error.startswith("not a feed") and "bobcmn" in error


def test_garbage_body_fails_as_not_a_feed() -> None:
    spider = make_spider(FeedSpider)
    response = Response(url=f"{BASE}/x", body=b"\x00\x01garbage\xff" * 20)
    assert list(spider.parse_feed(response)) == []
    assert spider.crawler.stats.get_value("source/error").startswith("not a feed")


def test_html_to_text_collapses_markup_into_paragraphs() -> None:
    assert html_to_text("<p>One <b>two</b></p><div><p>Three</p>tail</div><script>x()</script>") == \
        "One two\n\nThree\n\ntail"
    assert html_to_text("line one\n\nline  two") == "line one\n\nline two"


def test_article_with_naive_meta_date_is_taken_as_utc() -> None:
    rel = "outlet/articles/grain-exports.html"
    article = extract_article((SITES / rel).read_text(encoding="utf-8"), f"{BASE}/{rel}")
    assert format_timestamp(article.published) == "2026-08-09T06:00:00+00:00"
    assert article.text.startswith("Grain exports through the Black Sea")  # headline not repeated


def test_site_body_selector_wins_over_generic_extraction() -> None:
    html = "<html><body><div class='text-block'><p>Only this.</p></div><p>Not this.</p></body></html>"
    page = HtmlResponse(url=f"{BASE}/a", body=html.encode())
    spider = make_spider(FeedSpider, article_selector="div.text-block")
    partial = ArticleItem(url=f"{BASE}/a", title="T", text="summary", published=None, source="s")
    (item,) = list(spider.parse_article(page, partial))
    assert item.text == "Only this."
