"""Helpers for the spider tests: fixture responses, spiders with a crawler, test catalogues."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from monitor.config import SourceConfig

SITES = Path(__file__).parent / "fixtures" / "sites"
BASE = "http://127.0.0.1:8999"

#: Scrapy settings that make local end-to-end crawls fast and their failures quick.
FAST_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 1,
    "RETRY_BACKOFF_BASE": 0.1,
}


def make_spider(cls: type, name: str = "test-source", url: str = BASE + "/", *, role: str = "media",
                lang: str | None = None, seen: Any = None, validators: dict[str, str] | None = None,
                **options: Any) -> Any:
    """A spider bound to a fresh crawler (for its stats), as ``monitor.collect.crawl`` would build it."""
    crawler = get_crawler(cls, {"ITEM_PIPELINES": {}})
    source = SourceConfig(name=name, spider=cls.name, url=url, role=role, lang=lang, options=options)
    spider = cls.from_crawler(crawler, source=source, seen=seen, validators=validators)
    crawler.spider = spider
    return spider


def fixture_response(rel: str, url: str | None = None, *, cls: type[Response] = HtmlResponse,
                     headers: dict[str, str] | None = None, status: int = 200) -> Response:
    """A response whose body is the fixture file (with ``{{BASE}}`` replaced)."""
    body = (SITES / rel).read_bytes().replace(b"{{BASE}}", BASE.encode())
    return cls(url=url or f"{BASE}/{rel}", body=body, headers=headers or {}, status=status)


def feed_response(rel: str, content_type: str = "application/rss+xml", **kw: Any) -> Response:
    return fixture_response(rel, cls=XmlResponse, headers={"Content-Type": content_type}, **kw)


def expected(rel: str) -> dict[str, Any]:
    return json.loads((SITES / (rel + ".expected.json")).read_text(encoding="utf-8"))


def text_response(url: str, body: str) -> TextResponse:
    return HtmlResponse(url=url, body=body.encode("utf-8"), encoding="utf-8")
