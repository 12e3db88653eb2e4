"""The one item pipeline: canonical URL, UTC date, language -> ``Document`` -> the archive.

Items are buffered and written in batches through ``monitor.collect.ingest.store_documents``,
which upserts them (new / updated with a revision / unchanged) and puts the new and
changed ones in the processing backlog in the same transaction; detection and matching
run after, as their own stage (issue 16: the crawl's parent or the daemon drains it). Counts
go to the crawler's stats (``pipeline/new``, ``pipeline/updated``,
``pipeline/unchanged``, ``pipeline/rejected``, ``pipeline/seen``) from which
``monitor.collect.crawl`` writes the source's ``crawl_runs`` row. A bad item is rejected
with its URL and reason and never costs the good ones; a failed archive write marks
the source failed (``source/error``).

Settings: ``MONITOR_DB`` (archive path; default ``$MONITOR_DB`` / data/monitor.db),
``MONITOR_QUEUE_ALERTS`` (bool), ``MONITOR_BATCH_SIZE`` (default 50: a killed crawl
loses at most one batch).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from itemadapter import ItemAdapter

from monitor.errors import InputError
from monitor.text.language import SourceLanguages, detect_language
from monitor.models import ROLES, Document
from monitor.timeutil import to_utc, utcnow

from .urls import canonical_url

log = logging.getLogger(__name__)


def item_to_document(item: Any, *, fetched_at: dt.datetime,
                     previous_published: dt.datetime | None = None,
                     languages: SourceLanguages | None = None) -> Document:
    """Validate an item and build the ``Document`` to archive. Raises ``InputError``.

    Without a date, a document keeps the date it was first archived with (so that a
    re-crawl does not make a spurious revision), else gets the fetch time and
    ``extra.published_estimated = true``. An item without a language (neither the
    catalogue nor the feed declares one) gets a guess, through ``languages`` (the
    crawl's memory per source) when given.
    """
    adapter = ItemAdapter(item)
    raw_url = str(adapter.get("url") or "")
    try:
        url = canonical_url(raw_url)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    title = " ".join(str(adapter.get("title") or "").split())
    text = str(adapter.get("text") or "").strip()
    if not title and not text:
        raise InputError(f"empty item (no title, no text) url={url}")
    source = str(adapter.get("source") or "").strip()
    if not source:
        raise InputError(f"item without a source url={url}")
    role = adapter.get("role") or "media"
    if role not in ROLES:
        raise InputError(f"bad role {role!r} url={url}")
    extra = dict(adapter.get("extra") or {})
    if raw_url != url:
        extra.setdefault("link", raw_url)
    published = adapter.get("published")
    if isinstance(published, dt.datetime):
        published = to_utc(published)
    elif previous_published is not None:
        published = previous_published
        extra["published_from"] = "archive"  # no date of its own: never overrides the stored one
    else:
        published = fetched_at
        extra["published_estimated"] = True
    lang = adapter.get("lang")
    if not lang:
        sample = f"{title}\n{text}"
        lang = languages.detect(source, sample) if languages is not None else detect_language(sample)
    return Document(url=url, title=title, text=text, published=published, source=source, role=role,
                    lang=lang, extra=extra, fetched_at=fetched_at)


class ArchivePipeline:
    """Writes items into the archive in batches and counts what happened."""

    def __init__(self, crawler: Any, db_path: str | None, queue_alerts: bool, batch_size: int) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.queue_alerts = queue_alerts
        self.batch_size = max(1, batch_size)
        self.store: Any = None
        self.batch: list[Document] = []
        self.urls: set[str] = set()
        #: languages guessed for this crawl's sources, reused once settled
        self.languages = SourceLanguages()

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ArchivePipeline":
        settings = crawler.settings
        return cls(crawler, settings.get("MONITOR_DB"), settings.getbool("MONITOR_QUEUE_ALERTS"),
                   settings.getint("MONITOR_BATCH_SIZE", 50))

    def open_spider(self, spider: Any = None) -> None:
        from monitor.store import Store

        self.store = Store.open(self.db_path)

    def close_spider(self, spider: Any = None) -> None:
        try:
            self.flush()
        finally:
            if self.store is not None:
                self.store.close()
                self.store = None

    def process_item(self, item: Any, spider: Any = None) -> Any:
        stats = self.crawler.stats
        stats.inc_value("pipeline/seen")
        now = utcnow()
        try:
            adapter = ItemAdapter(item)
            previous = None
            if not isinstance(adapter.get("published"), dt.datetime):
                # only a dateless item needs its URL before item_to_document (which canonicalises it)
                found = self.store.get_document_by_url(canonical_url(str(adapter.get("url") or "")))
                previous = found[1].published if found else None
            doc = item_to_document(item, fetched_at=now, previous_published=previous, languages=self.languages)
        except (InputError, ValueError) as exc:
            stats.inc_value("pipeline/rejected")
            log.warning("item rejected source=%s reason=%s", ItemAdapter(item).get("source"), exc)
            return item
        if doc.url in self.urls:
            stats.inc_value("pipeline/duplicates")
            return item
        self.urls.add(doc.url)
        self.batch.append(doc)
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Store the buffered documents in one transaction and add their outcome to the stats."""
        if not self.batch or self.store is None:
            return
        from monitor.collect.ingest import store_documents

        batch, self.batch = self.batch, []
        stats = self.crawler.stats
        try:
            _ids, counts = store_documents(self.store, batch, queue_alerts=self.queue_alerts)
        except Exception as exc:  # the archive must not take the crawl down silently
            log.error("archive write failed source=%s documents=%d", batch[0].source, len(batch), exc_info=True)
            stats.inc_value("pipeline/rejected", len(batch))
            if not stats.get_value("source/error"):
                stats.set_value("source/error", f"archive write failed: {type(exc).__name__}: {exc}")
            return
        for key in ("new", "updated", "unchanged"):
            stats.inc_value(f"pipeline/{key}", counts[key])
