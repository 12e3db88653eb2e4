"""``kremlin``: kremlin.ru / en.kremlin.ru listings (news, transcripts) and article pages.

Routine polling uses the sites' Atom feeds through the ``feed`` spider (full text,
cheaper); this spider is for what feeds miss or truncate: backfill (``depth`` listing
pages, ``/page/N``) and transcripts read from their pages. Kremlin pages answer 403
to many datacenter IPs; such failures are recorded per source like any other.

Listing: ``div.hentry`` cards -> ``h3.hentry__title > a`` (or the card's
``data-url``); cards appear twice (mobile/desktop) so links are de-duplicated; photo
and video tabs are skipped. Article: ``article.read__in``, title
``h1.entry-title``, lead ``div.read__lead``, date ``time.read__published[datetime]``
(often a date only) plus the clock in ``div.read__time``, body ``div.entry-content p``;
the tag, share and "cut" blocks are removed first. Times shown on the site are
Moscow time (option ``tz``, default ``+03:00``).

Options: ``depth`` (listing pages to read, default 1), ``refetch_known`` (default
true: transcripts get edited after publication, and the archive keeps revisions),
``tz``.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Response, TextResponse

from .base import SourceSpider
from .dates import MOSCOW, combine_date_and_clock
from .extract import clean_space, drop_elements, parse_html, text_of
from .items import ArticleItem
from .listing import ListingSpider

#: Blocks inside an article that are not its text (tags, share bar, "cut" marker).
NOISE = (".read__cut", ".read__bottommeta", ".read__tags", ".masha-ignore", "script", "style")
_SKIP_SUFFIXES = ("/photos", "/videos", "/photos/", "/videos/")


def listing_links(response: TextResponse) -> list[str]:
    """Article URLs of a listing page, in page order, without duplicates or media tabs."""
    links: list[str] = []
    for card in response.css("div.hentry"):
        anchors = card.css("h3.hentry__title a")
        candidates = [a for a in anchors if a.attrib.get("aria-hidden") != "true"]
        href = candidates[0].attrib.get("href") if candidates else card.attrib.get("data-url")
        if not href:
            continue
        classes = candidates[0].attrib.get("class", "") if candidates else ""
        if "tabs_photo" in classes or "tabs_video" in classes:
            continue
        url = response.urljoin(href.strip())
        if url.rstrip("/").endswith(("/photos", "/videos")) or url in links:
            continue
        links.append(url)
    return links


def page_url(listing: str, page: int) -> str:
    """``/events/president/news`` page N (page 1 is the listing itself)."""
    return listing if page <= 1 else f"{listing.rstrip('/')}/page/{page}"


class KremlinSpider(ListingSpider):
    """kremlin.ru listings and articles (catalogue ``spider = "kremlin"``)."""

    name = "kremlin"
    default_options: dict[str, Any] = {"depth": 1, "refetch_known": True, "tz": "+03:00"}

    missing_article = "no article.read__in on the page (markup changed?)"

    # The site-specific parts, as module functions (also tested on their own).
    page_url = staticmethod(page_url)
    listing_links = staticmethod(listing_links)

    def read_article(self, response: Response) -> ArticleItem | None:
        return parse_article_page(self, response)

def parse_article_page(spider: SourceSpider, response: Response) -> ArticleItem | None:
    """An ``ArticleItem`` from a kremlin.ru article page, or None if the markup is not there."""
    if not isinstance(response, TextResponse):
        return None
    root = parse_html(response.text)
    articles = root.cssselect("article.read__in")
    if not articles:
        return None
    article = articles[0]
    title = text_of(article, "h1.entry-title") or text_of(root, "h1")
    lead = text_of(article, "div.read__lead")
    place = text_of(article, "div.read__place")
    tz = spider.option_tz("tz") or MOSCOW
    stamp = article.cssselect("time.read__published")
    published = None
    if stamp:
        published = combine_date_and_clock(stamp[0].get("datetime") or "", text_of(article, "div.read__time"), tz)
    drop_elements(article, NOISE)
    paragraphs: list[str] = []
    for body in article.cssselect("div.entry-content"):
        for p in body.cssselect("p"):
            text = clean_space(p.text_content())
            if text and text not in paragraphs:
                paragraphs.append(text)
    if lead and (not paragraphs or paragraphs[0] != lead):
        paragraphs.insert(0, lead)
    return spider.make_item(response.url, title, "\n\n".join(paragraphs), published,
                            lead=lead, place=place, text_source="page",
                            published_from="page" if published else None)
