"""mid spider: Bitrix listings with PAGEN_1 paging, briefings with their contents stripped."""

from __future__ import annotations

import asyncio

import pytest

from monitor.timeutil import format_timestamp
from spiders.dates import MOSCOW, parse_human_date
from spiders.mid import MidSpider, listing_links, page_url, parse_article_page
from spider_helpers import BASE, expected, fixture_response, make_spider

BRIEFINGS = "mid/ru/press_service/spokesman/briefings/"


def test_listing_links_are_absolute_and_unique() -> None:
    links = listing_links(fixture_response(f"{BRIEFINGS}index.html", f"{BASE}/{BRIEFINGS}"))
    assert links == [f"{BASE}/{BRIEFINGS}2001234/", f"{BASE}/{BRIEFINGS}2001190/"]


def test_paging_uses_pagen_parameter() -> None:
    assert page_url("https://mid.ru/ru/x/", 1) == "https://mid.ru/ru/x/"
    assert page_url("https://mid.ru/ru/x/", 3) == "https://mid.ru/ru/x/?PAGEN_1=3"
    spider = make_spider(MidSpider, url=f"{BASE}/{BRIEFINGS}", depth=2)

    async def collect() -> list[str]:
        return [r.url async for r in spider.start()]

    assert asyncio.run(collect()) == [f"{BASE}/{BRIEFINGS}", f"{BASE}/{BRIEFINGS}?PAGEN_1=2"]


@pytest.mark.parametrize("rel", [
    f"{BRIEFINGS}2001234/index.html",
    "mid/en/press_service/spokesman/briefings/2001240/index.html",
])
def test_briefing_matches_expected_without_contents_or_back_links(rel: str) -> None:
    item = parse_article_page(make_spider(MidSpider), fixture_response(rel))
    want = expected(rel)
    assert item is not None
    assert (item.title, format_timestamp(item.published), item.text) == (
        want["title"], want["published_utc"], want["text"])
    for noise in ("Содержание", "Назад к оглавлению", "Contents", "Back to contents"):
        assert noise not in item.text
    # the section headings the TOC pointed to are kept once, as text
    first = item.text.split("\n\n")[0]
    assert first in ("О ситуации на Ближнем Востоке", "Update on the Black Sea grain talks")
    assert item.text.count(first) == 1


def test_announce_text_is_the_fallback_body() -> None:
    item = parse_article_page(make_spider(MidSpider), fixture_response(f"{BRIEFINGS}2001190/index.html"))
    assert item is not None and item.text.startswith("К предстоящим контактам")


@pytest.mark.parametrize("text, utc", [
    ("20.08.2026", "2026-08-19T21:00:00+00:00"),
    ("30 September 2026", "2026-09-29T21:00:00+00:00"),
    ("12 августа 2026 года, 16:30", "2026-08-12T13:30:00+00:00"),
    ("20.08.2026 14:35", "2026-08-20T11:35:00+00:00"),
])
def test_dates_are_moscow_time_converted_to_utc(text: str, utc: str) -> None:
    parsed = parse_human_date(text, MOSCOW)
    assert parsed is not None and format_timestamp(parsed) == utc


def test_nonsense_date_is_none() -> None:
    assert parse_human_date("вчера", MOSCOW) is None
    assert parse_human_date("31.02.2026", MOSCOW) is None
