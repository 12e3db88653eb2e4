"""Faults in the process (issue 9): kill -9 during a crawl, during a big import (which
stores batch by batch, then processes the backlog), between storing and processing and
during processing (issue 16), and during alert delivery; then restart.

After each: ``PRAGMA integrity_check`` is ok, foreign keys hold, no URL is stored twice,
and a resumed run ends with exactly what an uninterrupted run produces. Alerts: the
receiver's hits are counted against the outbox; the one at-least-once window that
``monitor.alerts.delivery`` defines (a service accepted the alert, the process died before the
bookkeeping committed) re-sends that one alert once, labelled "possible duplicate".
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import psutil
import pytest

from fault_helpers import FaultServer, rss
from monitor.alerts.delivery import DUPLICATE_NOTE
from monitor.collect.ingest import BATCH_SIZE
from monitor.store import Store

MONITOR = [sys.executable, "-m", "monitor"]
MATCHING = Path(__file__).parent / "fixtures" / "matching" / "nov_call.jsonl"


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("APPRISE_URLS", "MONITOR_APPRISE_CONFIG", "MONITOR_DB")}
    base.update(extra)
    return base


def count(db: Path, sql: str) -> int:
    """A count through a plain read-only connection (as an analyst would), or 0 before the schema exists."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, proc: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"process ended (status {proc.returncode}) before {what}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def assert_archive_sound(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT count(*) - count(DISTINCT url) FROM documents").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) - count(DISTINCT key) FROM alerts").fetchone()[0] == 0
        assert conn.execute(
            "SELECT count(*) FROM (SELECT denial_id, report_id FROM matches GROUP BY 1, 2 HAVING count(*) > 1)"
        ).fetchone()[0] == 0
        # the full-text index agrees with its content table
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")
    finally:
        conn.close()


def snapshot(db: Path) -> dict[str, Any]:
    """What analysts see, independent of row ids: documents, denials, matches, alerts."""
    conn = sqlite3.connect(db)
    try:
        return {
            "documents": {r[0]: r[1] for r in conn.execute("SELECT url, content_hash FROM documents")},
            "denials": sorted(conn.execute(
                "SELECT d.url, x.speaker, x.cue, x.quote FROM denials x JOIN documents d ON d.id = x.document_id")),
            "matches": sorted(conn.execute(
                "SELECT d.url, r.url, round(m.score, 6) FROM matches m JOIN denials x ON x.id = m.denial_id"
                " JOIN documents d ON d.id = x.document_id JOIN documents r ON r.id = m.report_id")),
            "alerts": sorted(r[0] for r in conn.execute("SELECT key FROM alerts")),
        }
    finally:
        conn.close()


# -- kill -9 during a big import (writing + detection + matching) ----------------------


def big_import(path: Path, scenarios: int = 12, filler: int = 1500) -> int:
    """The Nov 2024 denial scenario ``scenarios`` times (distinct URLs) among filler news."""
    base = [json.loads(line) for line in MATCHING.read_text(encoding="utf-8").splitlines() if line.strip()]
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for k in range(max(scenarios, filler)):
            if k < scenarios:
                for rec in base:
                    fh.write(json.dumps({**rec, "url": f"{rec['url']}/s{k}"}, ensure_ascii=False) + "\n")
                    n += 1
            if k < filler:
                fh.write(json.dumps({"url": f"https://filler.example/n/{k}", "title": f"Filler {k} on grain exports",
                                     "text": f"Item {k}. Ministers discussed shipping through the Black Sea.",
                                     "published": "2024-11-09T12:00:00Z", "source": "filler", "lang": "en"}) + "\n")
                n += 1
    return n


@pytest.mark.slow
def test_import_killed_mid_way_resumes_to_the_same_archive_as_an_uninterrupted_one(tmp_path: Path) -> None:
    data = tmp_path / "big.jsonl"
    total = big_import(data)
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"
    lines = data.read_bytes().splitlines(keepends=True)

    # Storing runs at storage speed (issue 16): a whole file is stored before a poll could see it
    # half done. The import reads standard input, which this test feeds three and a half batches
    # and then holds open, so the kill lands while the importer waits for more.
    proc = subprocess.Popen([*MONITOR, "import", "-", "--db", str(killed_db), "--alerts"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())
    assert proc.stdin is not None
    proc.stdin.write(b"".join(lines[: 3 * BATCH_SIZE + BATCH_SIZE // 2]))
    proc.stdin.flush()
    wait_for(lambda: count(killed_db, "SELECT count(*) FROM documents") >= 3 * BATCH_SIZE, 60,
             "three batches to be committed", proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdin.close()
    assert proc.returncode == -signal.SIGKILL

    assert_archive_sound(killed_db)
    committed = count(killed_db, "SELECT count(*) FROM documents")
    assert 0 < committed < total, "killed mid-way"
    # A batch commits with its backlog entries, or not at all (issue 16: processing comes after storing).
    assert committed % BATCH_SIZE == 0, committed
    assert count(killed_db, "SELECT count(*) FROM document_processing") == committed

    resumed = subprocess.run([*MONITOR, "import", str(data), "--db", str(killed_db), "--alerts"],
                             capture_output=True, text=True, env=env(), timeout=240)
    assert resumed.returncode == 0, resumed.stderr
    assert f"unchanged {committed}," in resumed.stdout, resumed.stdout
    clean = subprocess.run([*MONITOR, "import", str(data), "--db", str(clean_db), "--alerts"],
                           capture_output=True, text=True, env=env(), timeout=240)
    assert clean.returncode == 0, clean.stderr

    assert_archive_sound(killed_db)
    after, reference = snapshot(killed_db), snapshot(clean_db)
    assert len(after["documents"]) == total
    assert after["documents"] == reference["documents"]
    assert after["denials"] == reference["denials"]
    assert after["matches"] == reference["matches"]
    assert after["alerts"] == reference["alerts"] and after["alerts"], "no alert lost or doubled"


# -- kill -9 between storing and processing, and during processing (issue 16) --------------

PROCESSED = "SELECT count(*) FROM document_processing WHERE version IS NOT NULL"


@pytest.mark.slow
def test_killed_between_storing_and_processing_and_during_processing_loses_nothing_and_does_nothing_twice(
        tmp_path: Path) -> None:
    data = tmp_path / "big.jsonl"
    total = big_import(data)
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"

    # 1. kill -9 the import once everything is stored, before processing is through
    proc = subprocess.Popen([*MONITOR, "import", str(data), "--db", str(killed_db), "--alerts"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())
    wait_for(lambda: count(killed_db, "SELECT count(*) FROM document_processing") >= total, 60,
             "every document to be stored", proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert_archive_sound(killed_db)
    first = count(killed_db, PROCESSED)
    assert first < total, "killed before processing was through"

    # 2. kill -9 `monitor process` after it has written some more
    proc = subprocess.Popen([*MONITOR, "process", "--db", str(killed_db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())
    wait_for(lambda: count(killed_db, PROCESSED) > first, 120, "a wave to be processed", proc)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "`monitor process` runs its analysis in worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # its workers do not outlive it (they would idle for ever, each holding the embedding model)
    gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, f"orphaned workers still running: {[p.pid for p in alive]}"
    assert_archive_sound(killed_db)
    second = count(killed_db, PROCESSED)
    assert first < second < total, (first, second, total)

    # 3. the next run processes exactly the documents left, once each, and ends where a clean run ends
    resumed = subprocess.run([*MONITOR, "process", "--db", str(killed_db)], capture_output=True, text=True,
                             env=env(), timeout=240)
    assert resumed.returncode == 0, resumed.stderr
    assert f"processed {total - second} documents (0 failed)" in resumed.stdout, resumed.stdout
    assert "backlog now 0" in resumed.stdout
    again = subprocess.run([*MONITOR, "process", "--db", str(killed_db)], capture_output=True, text=True,
                           env=env(), timeout=240)
    assert "processed 0 documents" in again.stdout, again.stdout
    clean = subprocess.run([*MONITOR, "import", str(data), "--db", str(clean_db), "--alerts"],
                           capture_output=True, text=True, env=env(), timeout=240)
    assert clean.returncode == 0, clean.stderr
    assert_archive_sound(killed_db)
    after, reference = snapshot(killed_db), snapshot(clean_db)
    assert len(after["documents"]) == total
    assert after["denials"] == reference["denials"]
    assert after["matches"] == reference["matches"] and after["matches"]
    assert after["alerts"] == reference["alerts"] and after["alerts"], "no alert lost or doubled"


# -- kill -9 of the crawler child while it writes ---------------------------------------


@pytest.fixture
def feed_server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.mark.slow
def test_crawl_writer_killed_mid_way_is_recorded_and_the_next_crawl_completes_it(
        feed_server: FaultServer, tmp_path: Path) -> None:
    db = tmp_path / "crawl.db"
    items = 2000
    feed_server.set_route("/big.rss", rss([
        {"url": feed_server.url(f"/big/{k}"), "title": f"Big feed item {k}",
         "text": f"Item {k}: the ministry commented on port fees and grain shipping."} for k in range(items)]))
    cat = tmp_path / "big.toml"
    cat.write_text(f'[[source]]\nname = "big"\nspider = "feed"\nurl = "{feed_server.url("/big.rss")}"\n'
                   "fetch_articles = false\n", encoding="utf-8")
    args = [*MONITOR, "crawl", "--sources", str(cat), "--db", str(db), "-s", "DOWNLOAD_DELAY=0",
            "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "MONITOR_BATCH_SIZE=50"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
    wait_for(lambda: count(db, "SELECT count(*) FROM documents") >= 200, 90, "the crawler to store 200 items", proc)
    children = psutil.Process(proc.pid).children()
    assert len(children) == 1 and "monitor.collect.crawl" in " ".join(children[0].cmdline())
    children[0].send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, out + err
    assert "Traceback" not in out + err

    assert_archive_sound(db)
    stored = count(db, "SELECT count(*) FROM documents")
    assert 200 <= stored < items and stored % 50 == 0, stored  # whole batches only
    with Store.open(db) as store:
        run = list(store.db["crawl_runs"].rows_where(order_by="id"))[-1]
    assert run["status"] == "failed" and "exited with status -9" in run["error"], run

    again = subprocess.run(args, capture_output=True, text=True, env=env(), timeout=180)
    assert again.returncode == 0, again.stdout + again.stderr
    assert_archive_sound(db)
    assert count(db, "SELECT count(*) FROM documents") == items
    assert count(db, "SELECT count(*) FROM revisions") == 0, "no item was rewritten"
    with Store.open(db) as store:
        last = list(store.db["crawl_runs"].rows_where(order_by="id"))[-1]
    assert last["status"] == "ok" and last["items_new"] == items - stored and last["items_unchanged"] == stored


# -- kill -9 during alert delivery ------------------------------------------------------


class SlowReceiver:
    """A json:// endpoint that records each POST and answers after ``delay_s``; the
    ``hold_at``-th POST is recorded, then held unanswered (the moment we kill the sender)."""

    def __init__(self, delay_s: float = 0.3, hold_at: int | None = None) -> None:
        self.delay_s = delay_s
        self.hold_at = hold_at
        self.hits: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                with receiver.lock:
                    receiver.hits.append(body)
                    n = len(receiver.hits)
                if receiver.hold_at is not None and n == receiver.hold_at:
                    receiver.release.wait(30)
                else:
                    time.sleep(receiver.delay_s)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def titles(self) -> list[str]:
        with self.lock:
            return [str(h.get("title")) for h in self.hits]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def queue_alerts(db: Path, n: int) -> None:
    with Store.open(db) as store, store.atomic():
        for k in range(1, n + 1):
            store.queue_alert(key=f"denial:test-{k}", kind="denial", tag="denial", title=f"Alert {k}",
                              body_text=f"Body {k}", body_markdown=f"Body {k}", body_html=f"<p>Body {k}</p>")


@pytest.mark.slow
def test_alert_sender_killed_mid_delivery_loses_nothing_and_resends_only_the_inflight_alert(tmp_path: Path) -> None:
    db = tmp_path / "alerts.db"
    queue_alerts(db, 6)
    receiver = SlowReceiver(delay_s=0.3, hold_at=3)
    try:
        cmd = [*MONITOR, "alerts", "send", "--db", str(db)]
        e = env(APPRISE_URLS=receiver.url, MONITOR_ALERT_LEASE="1")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
        # Alert 3 has reached the service, which has not answered yet: kill now, the worst moment.
        wait_for(lambda: len(receiver.titles()) >= 3, 60, "the third alert to reach the receiver", proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        assert_archive_sound(db)
        with Store.open(db) as store:
            status = {r["title"]: r["status"] for r in store.db["alerts"].rows}
        assert status == {"Alert 1": "sent", "Alert 2": "sent", "Alert 3": "sending",
                          "Alert 4": "pending", "Alert 5": "pending", "Alert 6": "pending"}

        time.sleep(2.5)  # the interrupted alert's lease (MONITOR_ALERT_LEASE=1 s) expires
        again = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        receiver.close()

    titles = receiver.titles()
    with Store.open(db) as store:
        rows = list(store.db["alerts"].rows)
    assert {r["status"] for r in rows} == {"sent"}, "every alert delivered"
    for r in rows:
        received = [t for t in titles if t.endswith(r["title"])]
        if r["title"] == "Alert 3":
            # the at-least-once window: delivered before the kill, re-sent once, labelled
            assert received == ["Alert 3", DUPLICATE_NOTE + "Alert 3"], titles
        else:
            assert received == [r["title"]], titles
    assert len(titles) == len(rows) + 1


@pytest.mark.slow
def test_alert_sender_killed_at_an_arbitrary_point_loses_none_and_doubles_none_outside_the_window(
        tmp_path: Path) -> None:
    """Frozen (SIGSTOP) then killed wherever it happens to be once two alerts are sent:
    after the restart every alert has reached the receiver; only an alert that was
    ``sending`` at the kill may arrive twice, and then the repeat is labelled."""
    db = tmp_path / "alerts.db"
    queue_alerts(db, 5)
    receiver = SlowReceiver(delay_s=0.0)
    try:
        cmd = [*MONITOR, "alerts", "send", "--db", str(db)]
        e = env(APPRISE_URLS=receiver.url, MONITOR_ALERT_LEASE="1")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
        wait_for(lambda: count(db, "SELECT count(*) FROM alerts WHERE status = 'sent'") >= 2, 60,
                 "two alerts to be sent", proc)
        os.kill(proc.pid, signal.SIGSTOP)
        with Store.open(db) as store:
            state = {r["title"]: r["status"] for r in store.db["alerts"].rows}
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        in_flight = {t for t, s in state.items() if s == "sending"}
        assert len(in_flight) <= 1
        time.sleep(2.5)
        again = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        receiver.close()
    titles = receiver.titles()
    for k in range(1, 6):
        title = f"Alert {k}"
        received = [t for t in titles if t.endswith(title)]
        assert received, f"{title} lost: {titles}"
        if title in in_flight:
            assert received in ([title, DUPLICATE_NOTE + title], [DUPLICATE_NOTE + title]), titles
        else:
            assert received == [title], f"{title} doubled: {titles}"
    with Store.open(db) as store:
        assert {r["status"] for r in store.db["alerts"].rows} == {"sent"}
    assert_archive_sound(db)
