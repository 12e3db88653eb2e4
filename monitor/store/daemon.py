"""The daemon's own state: start, heartbeat and stop. Part of ``Store``.

One ``daemon_state`` row per daemon name. The daemon writes it at start, every
heartbeat and at a clean stop; ``monitor status`` reads it to tell a running daemon
(fresh heartbeat), a dead one (stale heartbeat, status still ``running``) and one
that was stopped on purpose.
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any

from monitor.timeutil import now_iso

if TYPE_CHECKING:
    from sqlite_utils import Database

#: The row a single daemon uses; several daemons on one archive would need distinct names.
DAEMON_NAME = "monitor"


class DaemonMixin:
    db: "Database"

    def record_daemon_start(self, *, heartbeat_s: float, sources: int, schedules: str,
                            name: str = DAEMON_NAME) -> None:
        now = now_iso()
        with self.db.atomic():
            self.db.table("daemon_state").upsert(
                {"name": name, "pid": os.getpid(), "hostname": socket.gethostname(), "status": "running",
                 "started_at": now, "heartbeat_at": now, "heartbeat_s": heartbeat_s, "stopped_at": None,
                 "sources": sources, "schedules": schedules},
                pk="name",
            )

    def record_heartbeat(self, name: str = DAEMON_NAME) -> None:
        with self.db.atomic():
            self.db.execute("UPDATE daemon_state SET heartbeat_at = ? WHERE name = ?", [now_iso(), name])

    def record_daemon_status(self, status: str, name: str = DAEMON_NAME) -> None:
        """``stopping`` when a signal arrives, ``stopped`` once the archive is left consistent."""
        now = now_iso()
        with self.db.atomic():
            self.db.execute(
                "UPDATE daemon_state SET status = ?, heartbeat_at = ?,"
                " stopped_at = CASE WHEN ? = 'stopped' THEN ? ELSE stopped_at END WHERE name = ?",
                [status, now, status, now, name],
            )

    def daemon_state(self, name: str = DAEMON_NAME) -> dict[str, Any] | None:
        cur = self.db.execute("SELECT * FROM daemon_state WHERE name = ?", [name])
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row))

    def count_failed_alerts_since(self, since: str) -> int:
        """Alerts that failed for good, last touched at or after ``since`` (UTC ISO 8601)."""
        row = self.db.execute(
            "SELECT count(*) FROM alerts WHERE status = 'failed' AND coalesce(updated_at, created_at, '') >= ?",
            [since],
        ).fetchone()
        return int(row[0])
