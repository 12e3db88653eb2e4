"""Analysts reading while the monitor writes (issue 9).

A long read transaction (``BEGIN`` + ``SELECT`` held open for seconds, like an analyst's
sqlite3 shell or Datasette) must never make a crawl or an import fail with "database is
locked": the archive is in WAL mode, where readers never block the writer. A short
write lock held by someone else (an analyst's ``UPDATE`` in the shell) is waited out
through the busy timeout and ``BEGIN IMMEDIATE``. Real processes, a real archive file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from fault_helpers import FaultServer, rss
from monitor.store import Store

MONITOR = [sys.executable, "-m", "monitor"]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "MONITOR_BATCH_SIZE=25"]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("APPRISE_URLS", "MONITOR_DB")}


class HeldReader(threading.Thread):
    """A separate connection that opens a read transaction and holds it for at least
    ``hold_s`` and until ``release`` is set (at most a minute), re-reading the count now
    and then (its snapshot must not move)."""

    def __init__(self, db: Path, hold_s: float) -> None:
        super().__init__(daemon=True)
        self.db, self.hold_s = db, hold_s
        self.counts: list[int] = []
        self.after: int | None = None
        self.started_tx = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            conn = sqlite3.connect(self.db, isolation_level=None, timeout=1)
            conn.execute("BEGIN")
            self.counts.append(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
            self.started_tx.set()
            start = time.monotonic()
            while (time.monotonic() - start < self.hold_s or not self.release.is_set()) \
                    and time.monotonic() - start < 60:
                time.sleep(0.25)
                self.counts.append(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
                conn.execute("SELECT title FROM documents_fts WHERE documents_fts MATCH 'ministry' LIMIT 5").fetchall()
            conn.execute("COMMIT")
            self.after = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            conn.close()
        except BaseException as exc:  # reported by the test
            self.error = exc
            self.started_tx.set()


def seeded(db: Path) -> Path:
    """An archive with a few documents (schema created, WAL mode on)."""
    lines = [json.dumps({"url": f"https://seed.example/{k}", "title": f"Seed {k}", "text": "The ministry said.",
                         "published": "2024-11-01T00:00:00Z", "source": "seed", "lang": "en"}) for k in range(5)]
    data = db.parent / "seed.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run([*MONITOR, "import", str(data), "--db", str(db)], check=True, capture_output=True, env=env())
    return db


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.mark.slow
def test_crawl_writes_while_an_analyst_holds_a_read_transaction(server: FaultServer, tmp_path: Path) -> None:
    db = seeded(tmp_path / "archive.db")
    server.set_route("/feed.rss", rss([{"url": server.url(f"/n/{k}"), "title": f"News {k}",
                                        "text": f"The ministry commented on item {k}."} for k in range(400)]))
    cat = tmp_path / "cat.toml"
    cat.write_text(f'[[source]]\nname = "news"\nspider = "feed"\nurl = "{server.url("/feed.rss")}"\n'
                   "fetch_articles = false\n", encoding="utf-8")
    reader = HeldReader(db, hold_s=6)
    reader.start()
    assert reader.started_tx.wait(10) and reader.error is None
    started = time.monotonic()
    crawl = subprocess.run([*MONITOR, "crawl", "--sources", str(cat), "--db", str(db), *FAST],
                           capture_output=True, text=True, env=env(), timeout=120)
    crawl_s = time.monotonic() - started
    reader.release.set()
    reader.join(30)
    assert reader.error is None, reader.error
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    assert "locked" not in (crawl.stdout + crawl.stderr).lower()
    assert crawl_s < 60, "the writer did not wait for the reader"
    assert set(reader.counts) == {5}, "the reader's snapshot is stable for its whole transaction"
    assert reader.after == 405, "after its transaction the reader sees every new document"
    with Store.open(db) as store:
        run = list(store.db["crawl_runs"].rows)[-1]
        assert run["status"] == "ok" and run["items_new"] == 400
        assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 405
        assert store.integrity_check() == "ok"


@pytest.mark.slow
def test_import_writes_while_readers_hold_transactions_and_waits_out_a_short_write_lock(tmp_path: Path) -> None:
    db = seeded(tmp_path / "archive.db")
    data = tmp_path / "more.jsonl"
    data.write_text("".join(json.dumps({
        "url": f"https://more.example/{k}", "title": f"More {k}", "text": f"The ministry said {k}.",
        "published": "2024-11-02T00:00:00Z", "source": "more", "lang": "en"}) + "\n" for k in range(1500)),
        encoding="utf-8")
    readers = [HeldReader(db, hold_s=5) for _ in range(3)]
    for r in readers:
        r.start()
        assert r.started_tx.wait(10)
    # An analyst's write transaction in the shell, held for 2 s: the import must wait, not fail.
    locker = sqlite3.connect(db, isolation_level=None, timeout=1)
    locker.execute("BEGIN IMMEDIATE")
    locker.execute("UPDATE documents SET title = title WHERE id = 1")
    proc = subprocess.Popen([*MONITOR, "import", str(data), "--db", str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env())
    time.sleep(2)
    locker.execute("COMMIT")
    locker.close()
    out, err = proc.communicate(timeout=120)
    for r in readers:
        r.release.set()
        r.join(30)
        assert r.error is None, r.error
        assert set(r.counts) == {5}
    assert proc.returncode == 0, out + err
    assert "locked" not in (out + err).lower()
    assert "new 1500" in out
    with Store.open(db) as store:
        assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1505
        assert store.integrity_check() == "ok"
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
