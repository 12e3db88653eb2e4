"""URL canonicalisation and the archive pipeline (real SQLite file, counts, revisions)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from monitor.errors import InputError
from monitor.store import Store
from spiders.feed import FeedSpider
from spiders.items import ArticleItem
from spiders.pipelines import ArchivePipeline, item_to_document
from spiders.urls import canonical_url

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 8, 12, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("raw, canonical", [
    ("HTTPS://WWW.BBC.co.uk:443/news/world-1?at_medium=RSS&at_campaign=rss", "https://www.bbc.co.uk/news/world-1"),
    ("https://example.org/a?utm_source=x&id=5&utm_campaign=y#section", "https://example.org/a?id=5"),
    ("https://example.org/a?b=2&a=1&fbclid=XYZ&gclid=1", "https://example.org/a?a=1&b=2"),
    ("http://Kremlin.ru:80/events/president/news/75546", "http://kremlin.ru/events/president/news/75546"),
    ("https://mid.ru/ru/press_service/spokesman/briefings/?PAGEN_1=2", "https://mid.ru/ru/press_service/spokesman/briefings/?PAGEN_1=2"),
    ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
    ("https://example.org", "https://example.org/"),
])
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize("bad", ["ftp://example.org/a", "not a url", "javascript:alert(1)"])
def test_canonical_url_rejects_non_http(bad: str) -> None:
    with pytest.raises(ValueError):
        canonical_url(bad)


def item(**kw: object) -> ArticleItem:
    base: dict[str, object] = dict(url="https://example.org/a?utm_source=rss", title="Title", text="Body text.",
                                   published=dt.datetime(2026, 8, 12, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))),
                                   source="example", role="media", lang="en")
    base.update(kw)
    return ArticleItem(**base)  # type: ignore[arg-type]


def test_item_becomes_a_utc_document_with_canonical_url() -> None:
    doc = item_to_document(item(), fetched_at=NOW)
    assert doc.url == "https://example.org/a"
    assert doc.published == dt.datetime(2026, 8, 12, 12, 0, tzinfo=UTC)
    assert doc.extra["link"] == "https://example.org/a?utm_source=rss"
    assert doc.fetched_at == NOW


def test_item_without_date_keeps_the_archived_date_else_is_estimated() -> None:
    earlier = dt.datetime(2026, 8, 1, tzinfo=UTC)
    assert item_to_document(item(published=None), fetched_at=NOW, previous_published=earlier).published == earlier
    doc = item_to_document(item(published=None), fetched_at=NOW)
    assert doc.published == NOW and doc.extra["published_estimated"] is True


def test_language_is_detected_when_the_source_does_not_say() -> None:
    doc = item_to_document(item(lang=None, title="Песков опроверг сообщения",
                                text="Пресс-секретарь президента назвал публикацию вымыслом."), fetched_at=NOW)
    assert doc.lang == "ru"


def test_the_pipeline_guesses_a_sources_language_and_reuses_it_per_script(db_path: Path) -> None:
    """Issue 16: a feed without a language is classified until its guesses settle."""
    ru = ["Пресс-секретарь президента заявил журналистам, что переговоры продолжатся на следующей неделе.",
          "Министерство опубликовало заявление на своем сайте поздно вечером в четверг.",
          "Эксперты отмечают, что последствия для рынка станут понятны через несколько месяцев.",
          "Губернатор сообщил, что аварийные службы работали на месте всю ночь."]
    en = "The ministry published a statement on its website late on Thursday evening, giving few details."
    items = [item(url=f"https://example.org/{i}", lang=None, title="", text=t) for i, t in enumerate([*ru, en])]
    assert run_pipeline(db_path, items) == {"seen": 5, "new": 5}
    with Store.open(db_path) as store:
        langs = [store.get_document_by_url(f"https://example.org/{i}")[1].lang for i in range(5)]
    assert langs == ["ru", "ru", "ru", "ru", "en"]


@pytest.mark.parametrize("kw, reason", [
    ({"url": "mailto:x@example.org"}, r"not an http\(s\) URL"),
    ({"title": "", "text": "  "}, "empty item"),
    ({"role": "spokesman"}, "bad role"),
])
def test_bad_items_are_rejected_with_a_reason(kw: dict[str, object], reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        item_to_document(item(**kw), fetched_at=NOW)


def run_pipeline(db_path: Path, items: list[ArticleItem], batch_size: int = 2) -> dict[str, int]:
    crawler = get_crawler(FeedSpider, {"MONITOR_DB": str(db_path), "MONITOR_BATCH_SIZE": batch_size})
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    for it in items:
        pipeline.process_item(it)
    pipeline.close_spider()
    return {k.split("/")[1]: v for k, v in crawler.stats.get_stats().items() if k.startswith("pipeline/") and v}


def test_pipeline_counts_new_unchanged_updated_and_keeps_revisions(db_path: Path) -> None:
    first = [item(url=f"https://example.org/{i}", text=f"Text {i}.") for i in range(3)]
    assert run_pipeline(db_path, first) == {"seen": 3, "new": 3}
    changed = [item(url="https://example.org/0", text="Text 0, edited."), *first[1:]]
    assert run_pipeline(db_path, changed) == {"seen": 3, "updated": 1, "unchanged": 2}
    with Store.open(db_path) as store:
        assert store.count_documents() == 3
        doc_id, doc = store.get_document_by_url("https://example.org/0")
        assert doc.text == "Text 0, edited."
        assert [r["text"] for r in store.revisions_of(doc_id)] == ["Text 0."]


def test_pipeline_rejects_bad_items_and_drops_duplicates_without_losing_good_ones(db_path: Path) -> None:
    items = [item(url="https://example.org/ok"), item(url="nonsense"), item(url="https://example.org/ok#again"),
             item(url="https://example.org/two", title="", text="")]
    assert run_pipeline(db_path, items) == {"seen": 4, "new": 1, "rejected": 2, "duplicates": 1}
    with Store.open(db_path) as store:
        assert store.count_documents() == 1


def test_a_dateless_item_reusing_the_archived_date_never_overrides_it() -> None:
    from monitor.store.documents import published_rank

    earlier = NOW - dt.timedelta(days=1)
    doc = item_to_document(item(published=None), fetched_at=NOW, previous_published=earlier)
    assert doc.extra["published_from"] == "archive" and published_rank(dict(doc.extra)) == 0
    assert published_rank({"published_from": "page"}) > published_rank({"published_from": "feed"}) > 0
