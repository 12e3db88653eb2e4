"""The alert outbox. Part of ``Store``.

Every alert is written here, with an idempotency key, before any delivery is tried;
delivery only flips its status. The alerts module builds on these operations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database


class OutboxMixin:
    db: "Database"

    def alert_counts(self) -> dict[str, int]:
        """Number of alerts per status (pending, sending, sent, failed)."""
        rows = self.db.execute("SELECT status, count(*) FROM alerts GROUP BY status").fetchall()
        return {str(status): int(n) for status, n in rows}

    def list_alerts(self, limit: int = 50) -> list[dict[str, Any]]:
        return list(self.db["alerts"].rows_where(order_by="id desc", limit=limit))
