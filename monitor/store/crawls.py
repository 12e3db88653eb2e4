"""Sources and crawl runs: the catalogue as last loaded and each source's health.

Part of ``Store``. One ``crawl_runs`` row per source per crawl records what
happened (items new/updated, HTTP status, error, duration); the ``sources`` row
keeps the running state operators look at (last success, consecutive failures,
next run) and the validators for conditional GET (ETag, Last-Modified).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from monitor.timeutil import now_iso

if TYPE_CHECKING:
    from sqlite_utils import Database

    from monitor.config import SourceConfig


@dataclass
class CrawlOutcome:
    """The result of crawling one source once; becomes a ``crawl_runs`` row."""

    source: str
    started_at: str
    finished_at: str | None = None
    #: ok, not_modified, failed, suspect (a 200 that yielded nothing: markup change?),
    #: aborted (stopped by a daemon shutdown: neither a success nor a failure)
    status: str = "ok"
    http_status: int | None = None
    items_seen: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_rejected: int = 0
    error: str | None = None
    duration_s: float | None = None
    #: ids of new or changed documents, for processing (not stored in the row)
    document_ids: list[int] = field(default_factory=list)
    #: ``monitor sources --check`` only: what one pass found (``spiders.check``; not stored)
    check: dict[str, Any] | None = None


class CrawlsMixin:
    db: "Database"

    def sync_sources(self, sources: Iterable["SourceConfig"]) -> None:
        """Record the catalogue as loaded; keep each source's health across reloads."""
        now = now_iso()
        with self.db.atomic():
            for src in sources:
                row = {
                    "name": src.name,
                    "spider": src.spider,
                    "url": src.url,
                    "role": src.role,
                    "lang": src.lang,
                    "schedule": src.schedule_text,
                    "config": json.dumps(src.options, ensure_ascii=False, sort_keys=True),
                    "loaded_at": now,
                    "enabled": int(src.enabled),
                    "critical": int(src.critical),
                    "every": src.schedule_label,
                }
                self.db.table("sources").upsert(row, pk="name")

    def record_crawl(self, outcome: CrawlOutcome) -> int:
        """Write a ``crawl_runs`` row and update the source's health."""
        row = {k: v for k, v in asdict(outcome).items() if k not in ("document_ids", "check")}
        with self.db.atomic():
            run_id = self.db.table("crawl_runs").insert(row).last_pk
            failed = outcome.status == "failed"
            existing = self.db.execute(
                "SELECT consecutive_failures FROM sources WHERE name = ?", [outcome.source]
            ).fetchone()
            if existing is None:
                self.db.table("sources").insert({"name": outcome.source, "consecutive_failures": 0}, pk="name")
                failures = 0
            else:
                failures = int(existing[0] or 0)
            stamp = outcome.finished_at or outcome.started_at
            if outcome.status == "aborted":  # our shutdown, not the source: health unchanged
                self.db.execute("UPDATE sources SET last_run_at = ? WHERE name = ?", [stamp, outcome.source])
            elif failed:
                self.db.execute(
                    "UPDATE sources SET last_run_at = ?, last_error = ?, last_error_at = ?,"
                    " consecutive_failures = ? WHERE name = ?",
                    [stamp, outcome.error, stamp, failures + 1, outcome.source],
                )
            else:
                self.db.execute(
                    "UPDATE sources SET last_run_at = ?, last_success_at = ?, consecutive_failures = 0"
                    " WHERE name = ?",
                    [stamp, stamp, outcome.source],
                )
        return int(run_id or 0)

    def consecutive_failures(self, source: str) -> int:
        row = self.db.execute("SELECT consecutive_failures FROM sources WHERE name = ?", [source]).fetchone()
        return int(row[0] or 0) if row else 0

    def request_retry(self, source: str) -> bool:
        """Cut a source's backoff short: no planned run kept, a retry requested.

        A running daemon crawls it at its next heartbeat (``take_retry_requests``); a
        stopped one soon after its next start (no stored ``next_run_at`` to honour).
        The failure count stays (it is the source's true state) until a crawl succeeds.
        False if the archive has no such source.
        """
        cur = self.db.execute(
            "UPDATE sources SET next_run_at = NULL, retry_requested_at = ? WHERE name = ?",
            [now_iso(), source])
        self.db.conn.commit()
        return cur.rowcount > 0

    def take_retry_requests(self) -> list[str]:
        """Names of the sources with a pending retry request, clearing the requests."""
        with self.db.atomic():
            names = [r[0] for r in self.db.execute(
                "SELECT name FROM sources WHERE retry_requested_at IS NOT NULL ORDER BY name").fetchall()]
            if names:
                self.db.execute("UPDATE sources SET retry_requested_at = NULL WHERE retry_requested_at IS NOT NULL")
        return names

    def set_next_run(self, source: str, when: str | None) -> None:
        self.db.execute("UPDATE sources SET next_run_at = ? WHERE name = ?", [when, source])
        self.db.conn.commit()

    def http_validators(self, source: str) -> dict[str, str]:
        """ETag / Last-Modified last seen for a source's feed URL (for conditional GET)."""
        row = self.db.execute("SELECT etag, last_modified FROM sources WHERE name = ?", [source]).fetchone()
        if not row:
            return {}
        return {k: v for k, v in (("etag", row[0]), ("last_modified", row[1])) if v}

    def save_http_validators(self, source: str, etag: str | None, last_modified: str | None) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE sources SET etag = ?, last_modified = ? WHERE name = ?", [etag, last_modified, source]
            )

    def source_health(self) -> list[dict[str, Any]]:
        """One row per source: schedule, last success/error, failures, next run, documents."""
        sql = """
            SELECT s.name, s.spider, s.role, s.lang, s.schedule, s.url, s.last_run_at, s.last_success_at,
                   s.last_error, s.last_error_at, s.consecutive_failures, s.next_run_at,
                   s.enabled, s.critical, s.every,
                   (SELECT count(*) FROM documents d WHERE d.source = s.name) AS documents
            FROM sources s ORDER BY s.name
        """
        cur = self.db.execute(sql)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def recent_crawl_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        return list(self.db["crawl_runs"].rows_where(order_by="id desc", limit=limit))
