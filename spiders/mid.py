"""``mid``: the Russian MFA's site (mid.ru, Bitrix): spokesperson briefings, comments, statements.

Listing: ``a.announce__link`` links, paging ``?PAGEN_1=N`` (option ``depth``,
default 1; mid.ru's robots.txt may forbid ``PAGEN_`` URLs, and robots.txt is
obeyed, so deeper pages may simply be refused). Article: title
``.photo-content__title``, date ``.photo-content__date`` (``20.08.2026`` in Russian,
``30 September 2026`` in English; Moscow time, converted to UTC), body
``div.text.article-content`` (fallback ``div.announce__text``). Briefings open with
a table of contents ("Содержание"/"Contents" and links to ``#N`` anchors) and repeat
"Назад к оглавлению"/"Back to contents" links; both are stripped so that the text is
what was said. The site sometimes serves a JS challenge page instead; that shows up
as pages without the article markup and is recorded as an error.
"""

from __future__ import annotations

import re
from typing import Any

from scrapy.http import Response, TextResponse
from w3lib.url import add_or_replace_parameter

from .base import SourceSpider
from .dates import MOSCOW, parse_human_date
from .extract import block_texts, clean_space, drop_elements, parse_html, text_of
from .items import ArticleItem
from .listing import ListingSpider

_TOC_HEADINGS = re.compile(r"^(содержание|оглавление|contents|table of contents)\s*:?$", re.IGNORECASE)
_BACK_LINKS = re.compile(r"^(назад к оглавлению|к оглавлению|back to (the )?contents|back to top)$", re.IGNORECASE)
BODY_SELECTORS = ("div.text.article-content", "div.announce__text")


def listing_links(response: TextResponse) -> list[str]:
    links: list[str] = []
    for href in response.css("a.announce__link::attr(href)").getall():
        url = response.urljoin(href.strip())
        if url not in links:
            links.append(url)
    return links


def page_url(listing: str, page: int) -> str:
    return listing if page <= 1 else add_or_replace_parameter(listing, "PAGEN_1", str(page))


def strip_contents(body: Any) -> None:
    """Remove a briefing's table of contents and its "back to contents" links, in place."""
    for anchor in list(body.cssselect('a[href^="#"]')):
        label = clean_space(anchor.text_content())
        block = anchor.getparent()
        while block is not None and block is not body and block.tag not in ("p", "li", "div", "h2", "h3", "h4"):
            block = block.getparent()
        if block is None or block is body:
            anchor.drop_tree()
            continue
        if block.getparent() is None:
            continue  # already removed with an enclosing block
        block_text = clean_space(block.text_content())
        link_text = clean_space(" ".join(a.text_content() for a in block.cssselect('a[href^="#"]')))
        if block_text and block_text == link_text:
            block.drop_tree()  # a TOC entry or a back link, alone in its paragraph
        elif _BACK_LINKS.match(label):
            anchor.drop_tree()  # a back link inside a paragraph of text
    for block in list(body.iter("p", "h2", "h3", "h4", "div", "strong")):
        if block.getparent() is not None and _TOC_HEADINGS.match(clean_space(block.text_content())):
            block.drop_tree()
    for lst in list(body.iter("ul", "ol")):
        if lst.getparent() is not None and not clean_space(lst.text_content()):
            lst.drop_tree()


class MidSpider(ListingSpider):
    """mid.ru listings and articles (catalogue ``spider = "mid"``)."""

    name = "mid"
    default_options: dict[str, Any] = {"depth": 1, "refetch_known": True}

    missing_article = "no article body on the page (markup changed or challenge page?)"

    # The site-specific parts, as module functions (also tested on their own).
    page_url = staticmethod(page_url)
    listing_links = staticmethod(listing_links)

    def read_article(self, response: Response) -> ArticleItem | None:
        return parse_article_page(self, response)

def parse_article_page(spider: SourceSpider, response: Response) -> ArticleItem | None:
    """An ``ArticleItem`` from a mid.ru article page, or None when the body is missing."""
    if not isinstance(response, TextResponse):
        return None
    root = parse_html(response.text)
    body = None
    for selector in BODY_SELECTORS:
        found = root.cssselect(selector)
        if found:
            body = found[0]
            break
    if body is None:
        return None
    title = text_of(root, ".photo-content__title") or text_of(root, "h1")
    published = parse_human_date(text_of(root, ".photo-content__date"), MOSCOW)
    drop_elements(body, ("script", "style", ".social", ".share"))
    strip_contents(body)
    text = "\n\n".join(block_texts(body))
    return spider.make_item(response.url, title, text, published, text_source="page",
                            published_from="page" if published else None)
