"""The processing backlog: which documents wait for the current pipeline version. Part of ``Store``.

Storing and processing are two stages (issue 16). ``upsert_document`` puts every new
or changed document in the backlog (``document_processing.version`` NULL) in the
transaction that stores it, so a crash between the stages loses nothing; the
processor takes documents from here and marks them processed in the transaction
that writes their results, so each is processed once per pipeline version. The
pipeline version is the caller's (``monitor.pipeline.PIPELINE_VERSION``): this module
knows none.

New and changed documents come first, oldest first; then documents processed by an
older version (a reprocess), so a long reprocess never delays today's news by more
than one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from monitor.timeutil import now_iso

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class PendingDocument:
    """One document waiting: its id, the content hash it was queued with, and whether its
    processing may queue alerts."""

    id: int
    content_hash: str
    alerts: bool


@dataclass(frozen=True)
class BacklogStatus:
    """What ``monitor status`` shows about the backlog."""

    #: new or changed documents not processed yet
    unprocessed: int
    #: documents processed by an older pipeline version (or queued again by ``--reprocess``)
    stale: int
    #: when the oldest unprocessed document was stored (UTC ISO 8601), None when there is none
    oldest_queued_at: str | None
    #: documents whose processing failed under the current version
    failed: int

    @property
    def total(self) -> int:
        return self.unprocessed + self.stale


class ProcessingMixin:
    db: "Database"

    def queue_document(self, document_id: int, *, alerts: bool = False) -> None:
        """Put a new or changed document in the backlog (called by ``upsert_document``)."""
        self.db.execute(
            "INSERT INTO document_processing (document_id, version, queued_at, processed_at, alerts, error)"
            " VALUES (?, NULL, ?, NULL, ?, NULL) ON CONFLICT(document_id) DO UPDATE SET version = NULL,"
            " queued_at = excluded.queued_at, alerts = excluded.alerts, error = NULL",
            [document_id, now_iso(), int(alerts)],
        )

    def queue_documents(self, document_ids: Iterable[int], *, alerts: bool = False) -> None:
        """``queue_document`` for many: one multi-row statement per 500 (an import batch is one)."""
        now, flag = now_iso(), int(alerts)
        ids = list(document_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            self.db.conn.execute(
                "INSERT INTO document_processing (document_id, version, queued_at, processed_at, alerts, error)"
                f" VALUES {','.join(['(?, NULL, ?, NULL, ?, NULL)'] * len(chunk))} ON CONFLICT(document_id)"
                " DO UPDATE SET version = NULL, queued_at = excluded.queued_at, alerts = excluded.alerts, error = NULL",
                [v for i in chunk for v in (i, now, flag)])

    def pending_documents(self, version: int, limit: int, *, since: str | None = None,
                          exclude: Iterable[int] = (), stale: bool = True) -> list[PendingDocument]:
        """Up to ``limit`` documents that ``version`` has not processed: new and changed ones
        first (oldest first), then, with ``stale``, older versions' (a reprocess). ``since``
        keeps documents published at or after it; ``exclude`` leaves out ids already being
        processed."""
        skip = set(exclude)
        out: list[PendingDocument] = []
        date = " AND d.published >= ?" if since else ""
        queries: tuple[tuple[str, str, list[Any]], ...] = (
            ("p.version IS NULL", "p.queued_at, p.document_id", []),
            ("p.version < ?", "p.version, p.document_id", [version]),
        )
        for where, order, params in queries[: 2 if stale else 1]:
            want = limit - len(out)
            if want <= 0:
                break
            cur = self.db.execute(
                "SELECT p.document_id, d.content_hash, p.alerts FROM document_processing p"
                f" JOIN documents d ON d.id = p.document_id WHERE {where}{date} ORDER BY {order} LIMIT ?",
                [*params, *([since] if since else []), want + len(skip)],
            )
            for doc_id, content_hash, alerts in cur.fetchall():
                if int(doc_id) not in skip and len(out) < limit:
                    out.append(PendingDocument(int(doc_id), content_hash or "", bool(alerts)))
        return out

    def still_pending(self, documents: Iterable[PendingDocument], version: int) -> list[PendingDocument]:
        """Those of ``documents`` that ``version`` has still not processed and whose content is
        the one they were queued with. Call inside the transaction that writes their results:
        a document changed meanwhile is queued again (its results would be stale), and one
        another processor finished is not written twice."""
        docs = list(documents)
        current: dict[int, str] = {}
        for start in range(0, len(docs), 500):
            chunk = [d.id for d in docs[start : start + 500]]
            marks = ",".join("?" for _ in chunk)
            current.update((int(i), h or "") for i, h in self.db.execute(
                f"SELECT p.document_id, d.content_hash FROM document_processing p JOIN documents d ON d.id ="
                f" p.document_id WHERE p.document_id IN ({marks}) AND (p.version IS NULL OR p.version < ?)",
                [*chunk, version]))
        return [d for d in docs if current.get(d.id) == d.content_hash]

    def mark_processed(self, document_ids: Iterable[int], version: int,
                       errors: dict[int, str] | None = None) -> None:
        """Record that ``version`` processed the documents (with the error, for those that failed)."""
        errors = errors or {}
        now = now_iso()
        self.db.conn.executemany(
            "UPDATE document_processing SET version = ?, processed_at = ?, alerts = 0, error = ? WHERE document_id = ?",
            [(version, now, errors.get(i), i) for i in document_ids],
        )

    def requeue_documents(self, *, since: str | None = None) -> int:
        """Queue processed documents again (``monitor process --reprocess``), those published at
        or after ``since`` (all when None); return how many. They keep their place behind new
        documents and queue no alerts."""
        # Documents without a state row (stored by a tool that bypassed the store) join too.
        self.db.execute(
            "INSERT INTO document_processing (document_id, version, queued_at, alerts)"
            " SELECT id, 0, ?, 0 FROM documents WHERE id NOT IN (SELECT document_id FROM document_processing)",
            [now_iso()])
        if since:
            cur = self.db.execute(
                "UPDATE document_processing SET version = 0, alerts = 0 WHERE version IS NOT NULL AND document_id IN"
                " (SELECT id FROM documents WHERE published >= ?)", [since])
        else:
            cur = self.db.execute("UPDATE document_processing SET version = 0, alerts = 0 WHERE version IS NOT NULL")
        return int(cur.rowcount or 0)

    def processing_backlog(self) -> tuple[int, str | None]:
        """``(new or changed documents waiting, when the oldest of them was stored)``: what
        ``monitor.health.backlog_problem`` judges."""
        waiting, oldest = self.db.execute(
            "SELECT count(*), min(queued_at) FROM document_processing WHERE version IS NULL").fetchone()
        return int(waiting), oldest

    def backlog_size(self, version: int, *, stale: bool = True) -> int:
        """Documents ``version`` has not processed (new and changed; with ``stale``, also older
        versions'): two index lookups, whatever the archive's size (a drain asks every time)."""
        size = int(self.db.execute("SELECT count(*) FROM document_processing WHERE version IS NULL").fetchone()[0])
        if stale:
            size += int(self.db.execute(
                "SELECT count(*) FROM document_processing WHERE version < ?", [version]).fetchone()[0])
        return size

    def backlog_status(self, version: int) -> BacklogStatus:
        unprocessed, oldest = self.db.execute(
            "SELECT count(*), min(queued_at) FROM document_processing WHERE version IS NULL").fetchone()
        stale = self.db.execute("SELECT count(*) FROM document_processing WHERE version < ?", [version]).fetchone()[0]
        failed = self.db.execute(
            "SELECT count(*) FROM document_processing WHERE version = ? AND error IS NOT NULL", [version]).fetchone()[0]
        return BacklogStatus(int(unprocessed), int(stale), oldest, int(failed))

    def existing_denials(self, denial_ids: Iterable[int]) -> set[int]:
        """Those of ``denial_ids`` still in the archive (a worker's matches may name a denial
        that a later chunk replaced meanwhile)."""
        ids = sorted(set(denial_ids))
        found: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            found.update(int(r[0]) for r in self.db.execute(f"SELECT id FROM denials WHERE id IN ({marks})", chunk))
        return found
