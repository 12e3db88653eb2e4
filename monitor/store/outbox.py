"""The alert outbox and the reads alerts are rendered from. Part of ``Store``.

Every alert is written here, with an idempotency key, before any delivery is tried;
delivery only moves its status: ``pending`` -> ``sending`` -> ``sent``, or back to
``pending`` with a later ``next_attempt_at``, or ``failed`` for good. Claiming
(``pending`` -> ``sending``) is one conditional UPDATE, so two processes never
deliver the same alert at once. Nothing here talks to Apprise; ``monitor.alerts.delivery`` does.
Queue operations do not commit: they join the caller's transaction (the one that
stored the documents the alert is about).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from monitor.timeutil import now_iso

if TYPE_CHECKING:
    from sqlite_utils import Database

#: ``withdrawn``: never delivered because analysts rejected everything it reported (issue 19).
ALERT_STATUSES = ("pending", "sending", "sent", "failed", "withdrawn")


def _rows(cursor: Any) -> list[dict[str, Any]]:
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


class OutboxMixin:
    db: "Database"

    # -- queueing (inside the caller's transaction) ----------------------------------

    def queue_alert(
        self,
        *,
        key: str,
        kind: str,
        tag: str,
        title: str,
        body_text: str,
        body_markdown: str,
        body_html: str,
        event_id: int | None = None,
        denials: Iterable[str] = (),
        reports: Iterable[str] = (),
        now: str | None = None,
        not_before: str | None = None,
    ) -> int | None:
        """Add an alert unless one with ``key`` exists; return its id, or None if it existed.

        ``not_before``: deliver no earlier than this (a follow-up waits so that a burst of
        news joins it instead of sending one follow-up each)."""
        stamp = now or now_iso()
        cur = self.db.execute(
            "INSERT OR IGNORE INTO alerts (key, kind, event_id, tag, title, body_text, body_markdown,"
            " body_html, status, attempts, next_attempt_at, created_at, updated_at, denials, reports, delivered_to)"
            " VALUES (?,?,?,?,?,?,?,?, 'pending', 0, ?, ?, ?, ?, ?, '[]')",
            [key, kind, event_id, tag, title, body_text, body_markdown, body_html, not_before or stamp, stamp, stamp,
             json.dumps(sorted(set(denials)), ensure_ascii=False), json.dumps(sorted(set(reports)), ensure_ascii=False)],
        )
        return int(cur.lastrowid) if cur.rowcount == 1 and cur.lastrowid else None

    def alert_keys(self, prefix: str) -> set[str]:
        """Keys of existing alerts starting with ``prefix``."""
        rows = self.db.execute("SELECT key FROM alerts WHERE substr(key, 1, ?) = ?", [len(prefix), prefix])
        return {str(r[0]) for r in rows}

    def alerts_covering(self, denial_urls: Iterable[str]) -> list[dict[str, Any]]:
        """Event alerts (and follow-ups) that covered any of these denial documents, oldest first."""
        urls = sorted(set(denial_urls))
        if not urls:
            return []
        marks = ",".join("?" for _ in urls)
        return _rows(self.db.execute(
            "SELECT DISTINCT a.id, a.key, a.kind, a.status, a.attempts, a.denials, a.reports"
            " FROM alerts a, json_each(a.denials) j"
            f" WHERE a.kind IN ('denial', 'followup') AND j.value IN ({marks}) ORDER BY a.id",
            urls,
        ))

    def update_unsent_alert(self, alert_id: int, *, title: str, body_text: str, body_markdown: str,
                            body_html: str, denials: Iterable[str], reports: Iterable[str], now: str) -> bool:
        """Re-render an alert nobody has tried to deliver yet (its event grew); True if it was.

        One conditional UPDATE, so it never changes an alert a sender has claimed."""
        cur = self.db.execute(
            "UPDATE alerts SET title = ?, body_text = ?, body_markdown = ?, body_html = ?, denials = ?,"
            " reports = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND attempts = 0",
            [title, body_text, body_markdown, body_html, json.dumps(sorted(set(denials)), ensure_ascii=False),
             json.dumps(sorted(set(reports)), ensure_ascii=False), now, alert_id])
        return cur.rowcount == 1

    def unsent_event_alerts(self) -> list[dict[str, Any]]:
        """Event alerts and follow-ups nobody has tried to deliver yet, oldest first."""
        return _rows(self.db.execute(
            "SELECT id, key, kind, event_id, denials, reports FROM alerts WHERE kind IN ('denial', 'followup')"
            " AND status = 'pending' AND attempts = 0 ORDER BY id"))

    def withdraw_alert(self, alert_id: int, reason: str, now: str) -> bool:
        """Never deliver this alert (still unsent); kept in the outbox with the reason."""
        cur = self.db.execute(
            "UPDATE alerts SET status = 'withdrawn', last_error = ?, updated_at = ?, next_attempt_at = NULL"
            " WHERE id = ? AND status = 'pending' AND attempts = 0", [reason, now, alert_id])
        return cur.rowcount == 1

    # -- latency per stage (issue 19) ------------------------------------------------

    def record_alert_latency(self, alert_id: int, event_id: int | None, urls: Iterable[str], queued: str) -> None:
        """Remember, for a queued alert, the stages of the document that completed it.

        That document is the one of ``urls`` (the denial documents and reports the alert
        covers) stored last; "processed" is when its latest match was written."""
        todo = sorted(set(urls))
        if not todo:
            return
        marks = ",".join("?" for _ in todo)
        row = self.db.execute(
            "SELECT d.id, d.url, d.published, d.fetched_at, s.stored_at FROM documents d"
            f" LEFT JOIN document_stored s ON s.document_id = d.id WHERE d.url IN ({marks})"
            " ORDER BY s.stored_at DESC, d.id DESC LIMIT 1", todo).fetchone()
        if row is None:
            return
        # two indexed lookups (by report, by the denial's document), not one OR over a join
        processed = self.db.execute(
            "SELECT max(coalesce((SELECT max(created_at) FROM matches WHERE report_id = ?), ''),"
            " coalesce((SELECT max(m.created_at) FROM denials x JOIN matches m ON m.denial_id = x.id"
            " WHERE x.document_id = ?), ''))", [row[0], row[0]]).fetchone()[0]
        self.db.execute(
            "INSERT OR REPLACE INTO alert_latency (alert_id, event_id, document_url, published, fetched, stored,"
            " processed, queued) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [alert_id, event_id, row[1], row[2], row[3], row[4], processed or queued, queued])

    def latency_rows(self, since: str) -> list[dict[str, Any]]:
        """Per-stage seconds of the alerts queued since ``since`` (view ``alert_latency_seconds``)."""
        return _rows(self.db.execute("SELECT * FROM alert_latency_seconds WHERE queued >= ? ORDER BY queued",
                                     [since]))

    # -- delivery bookkeeping (each call commits) ------------------------------------

    def due_alerts(self, now: str, *, force: bool = False, stale_before: str | None = None) -> list[dict[str, Any]]:
        """Alerts to deliver: pending ones whose time has come (all pending when ``force``),
        plus ``sending`` ones last touched before ``stale_before`` (a crashed delivery)."""
        sql = "SELECT * FROM alerts WHERE (status = 'pending'"
        params: list[Any] = []
        if not force:
            sql += " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
            params.append(now)
        sql += ")"
        if stale_before is not None:
            sql += " OR (status = 'sending' AND updated_at < ?)"
            params.append(stale_before)
        sql += " ORDER BY id"
        return _rows(self.db.execute(sql, params))

    def claim_alert(self, alert_id: int, now: str, *, stale_before: str | None = None) -> bool:
        """Mark an alert ``sending`` (counting an attempt) if nobody else holds it; True if we do."""
        with self.db.atomic():
            cur = self.db.execute(
                "UPDATE alerts SET status = 'sending', attempts = attempts + 1, updated_at = ?"
                " WHERE id = ? AND (status = 'pending' OR (status = 'sending' AND updated_at < ?))",
                [now, alert_id, stale_before or ""],
            )
        return cur.rowcount == 1

    def record_delivered_to(self, alert_id: int, fingerprints: Iterable[str]) -> None:
        """Remember the services that have the alert (fingerprints, never URLs)."""
        with self.db.atomic():
            row = self.db.execute("SELECT delivered_to FROM alerts WHERE id = ?", [alert_id]).fetchone()
            done = set(json.loads((row[0] if row else None) or "[]")) | set(fingerprints)
            self.db.execute("UPDATE alerts SET delivered_to = ? WHERE id = ?", [json.dumps(sorted(done)), alert_id])

    def mark_alert_sent(self, alert_id: int, now: str, via: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE alerts SET status = 'sent', sent_at = ?, updated_at = ?, delivered_via = ?,"
                " next_attempt_at = NULL WHERE id = ?",
                [now, now, via, alert_id],
            )
            self.db.execute("UPDATE alert_latency SET delivered = ? WHERE alert_id = ? AND delivered IS NULL",
                            [now, alert_id])

    def mark_alert_retry(self, alert_id: int, now: str, error: str, next_attempt_at: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE alerts SET status = 'pending', last_error = ?, updated_at = ?, next_attempt_at = ?"
                " WHERE id = ?",
                [error, now, next_attempt_at, alert_id],
            )

    def mark_alert_failed(self, alert_id: int, now: str, error: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE alerts SET status = 'failed', last_error = ?, updated_at = ?, next_attempt_at = NULL"
                " WHERE id = ?",
                [error, now, alert_id],
            )

    # -- reading ---------------------------------------------------------------------

    def alert_counts(self) -> dict[str, int]:
        """Number of alerts per status (pending, sending, sent, failed)."""
        rows = self.db.execute("SELECT status, count(*) FROM alerts GROUP BY status").fetchall()
        return {str(status): int(n) for status, n in rows}

    def list_alerts(self, limit: int = 50, status: str | None = None) -> list[dict[str, Any]]:
        if status:
            return list(self.db["alerts"].rows_where("status = ?", [status], order_by="id desc", limit=limit))
        return list(self.db["alerts"].rows_where(order_by="id desc", limit=limit))

    def get_alert(self, alert_id: int) -> dict[str, Any] | None:
        rows = _rows(self.db.execute("SELECT * FROM alerts WHERE id = ?", [alert_id]))
        return rows[0] if rows else None

    def denial_event(self, event_id: int) -> dict[str, Any] | None:
        rows = _rows(self.db.execute("SELECT * FROM denial_events WHERE id = ?", [event_id]))
        return rows[0] if rows else None

    def event_denials(self, event_id: int) -> list[dict[str, Any]]:
        """The event's denials with their documents, earliest first."""
        return _rows(self.db.execute(
            "SELECT x.id, x.speaker, x.cue, x.quote, x.claim, x.confidence, d.url, d.title, d.source,"
            " d.role, d.published FROM denials x JOIN documents d ON d.id = x.document_id"
            " WHERE x.event_id = ? AND x.rejected = 0 ORDER BY d.published, x.id",
            [event_id],
        ))

    def event_matches(self, event_id: int) -> list[dict[str, Any]]:
        """Reports matched to any of the event's denials: the best match per report, best first."""
        rows = _rows(self.db.execute(
            "SELECT m.report_id, m.score, m.explanation, m.created_at, r.url, r.title, r.source,"
            " r.published FROM matches m JOIN denials x ON x.id = m.denial_id"
            " JOIN documents r ON r.id = m.report_id WHERE x.event_id = ?"
            " ORDER BY m.score DESC, r.published, m.id",
            [event_id],
        ))
        best: dict[int, dict[str, Any]] = {}
        for row in rows:
            best.setdefault(int(row["report_id"]), row)
        return list(best.values())

    def recent_event_ids(self, since: str, until: str) -> list[int]:
        """Events with a denial published, or a match made, in [since, until)."""
        rows = self.db.execute(
            "SELECT DISTINCT x.event_id FROM denials x LEFT JOIN matches m ON m.denial_id = x.id"
            " WHERE x.event_id IS NOT NULL AND x.rejected = 0 AND ((x.published >= ? AND x.published < ?)"
            " OR (m.created_at >= ? AND m.created_at < ?)) ORDER BY x.event_id",
            [since, until, since, until],
        )
        return [int(r[0]) for r in rows]
