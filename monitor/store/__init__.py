"""The archive: the only code that runs SQL.

``Store`` wraps one SQLite connection (sqlite-utils ``Database``) in WAL mode with a
busy timeout, applies pending migrations on open, and offers typed operations
grouped by concern in the mixin modules beside this file (documents, crawls,
analysis, outbox). Everything else in the project talks to the archive through it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from monitor.errors import ArchiveError
from monitor.store.analysis import AnalysisMixin
from monitor.store.crawls import CrawlsMixin
from monitor.store.daemon import DaemonMixin
from monitor.store.documents import DocumentsMixin, UpsertResult
from monitor.store.outbox import OutboxMixin
from monitor.store.processing import BacklogStatus, PendingDocument, ProcessingMixin
from monitor.store.schema import migrations

__all__ = ["BacklogStatus", "PendingDocument", "Store", "UpsertResult", "default_db_path"]

#: Seconds a writer waits for another writer's lock before SQLite gives up.
BUSY_TIMEOUT_S = 30.0


class _Database(Database):
    """sqlite-utils ``Database`` whose outermost ``atomic()`` takes the write lock up front.

    A deferred ``BEGIN`` that reads (sqlite-utils introspects tables before writing)
    and then writes fails at once with "database is locked" when another connection
    committed in between: SQLite cannot wait there without risking deadlock, so the
    busy timeout does not apply. ``BEGIN IMMEDIATE`` waits for the lock instead. Seen
    with the daemon's concurrent jobs (issue 4; reliability, issue 9).
    """

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:  # type: ignore[override]
        if self.conn.in_transaction:
            with super().atomic() as db:  # a savepoint inside the outer transaction
                yield db
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.rollback()
                raise


def default_db_path() -> Path:
    """``$MONITOR_DB`` if set, else ``data/monitor.db`` (the contract's default)."""
    return Path(os.environ.get("MONITOR_DB") or "data/monitor.db")


class Store(ProcessingMixin, DocumentsMixin, CrawlsMixin, AnalysisMixin, OutboxMixin, DaemonMixin):
    """An open archive. Create with ``Store.open(path)``; close with ``close()``."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, migrate: bool = True,
             create: bool = True, read_only: bool = False) -> "Store":
        """Open (creating folders and file as needed) and upgrade the archive at ``path``.

        With ``create=False`` (read-only commands: ``status``, ``sources``...) a missing
        archive is an ``ArchiveError`` naming the path, and nothing is created: a typo
        in ``--db`` must not yield an empty archive reported healthy (issue 17).
        ``read_only`` opens an existing archive for reading only (no migration; a write
        fails): the processing workers' connections (issue 16).

        Raises ``ArchiveError`` with the path and SQLite's reason when the file cannot
        be created, opened or written (a read-only folder, a file that is not SQLite).
        """
        db_path = Path(path) if path is not None else default_db_path()
        if not create and str(db_path) != ":memory:" and not db_path.is_file():
            raise ArchiveError(f"no archive at {db_path} (nothing crawled or imported there yet;"
                               " check --db or MONITOR_DB)")
        try:
            if str(db_path) != ":memory:":
                db_path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
            db = _Database(conn)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            if str(db_path) != ":memory:":
                db.enable_wal()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(db, db_path)
            if read_only:
                conn.execute("PRAGMA query_only = ON")
            elif migrate:
                migrations.apply(db)
        except (sqlite3.Error, OSError) as exc:
            raise ArchiveError(f"cannot open archive {db_path}: {exc}") from exc
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction: everything inside commits together or not at all."""
        with self.db.atomic():
            yield

    def schema_version(self) -> list[str]:
        """Names of the migrations this archive has had, oldest first."""
        return [m.name for m in migrations.applied(self.db)]

    def integrity_check(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])
