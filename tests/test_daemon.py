"""The daemon (monitor/daemon.py): scheduling, backoff, alerts, shutdown.

Fast tests run ``Daemon`` in-process with an injected crawl function that records
real ``crawl_runs`` rows in a real archive; the slow test runs ``monitor run`` as a
subprocess against feeds served on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest

from monitor.collect.backoff import BackoffPolicy
from monitor.config import SourceConfig
from monitor.daemon import AlertHooks, Daemon, DaemonSettings
from monitor.store import Store
from monitor.store.crawls import CrawlOutcome
from monitor.timeutil import now_iso, parse_timestamp


class FakeCrawl:
    """A crawl function that records real outcomes; sources fail while listed in ``failing``."""

    def __init__(self, duration_s: float = 0.0, new_items: int = 0) -> None:
        self.failing: set[str] = set()
        self.duration_s = duration_s
        self.new_items = new_items
        self.calls: list[tuple[str, float]] = []
        self.running: dict[str, int] = {}
        self.max_parallel: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, db_path: Path, sources: Sequence[SourceConfig], abort: threading.Event) -> list[CrawlOutcome]:
        outcomes = []
        for src in sources:
            with self.lock:
                self.calls.append((src.name, time.monotonic()))
                self.running[src.name] = self.running.get(src.name, 0) + 1
                self.max_parallel[src.name] = max(self.max_parallel.get(src.name, 0), self.running[src.name])
            started = now_iso()
            time.sleep(self.duration_s)  # stands in for the child process doing the crawl
            failed = src.name in self.failing
            outcome = CrawlOutcome(source=src.name, started_at=started, finished_at=now_iso(),
                                   status="failed" if failed else "ok", http_status=503 if failed else 200,
                                   items_new=0 if failed else self.new_items,
                                   error="HTTP 503" if failed else None, duration_s=self.duration_s)
            with Store.open(db_path) as store:
                store.record_crawl(outcome)
            with self.lock:
                self.running[src.name] -= 1
            outcomes.append(outcome)
        return outcomes

    def times(self, name: str) -> list[float]:
        with self.lock:
            return [t for n, t in self.calls if n == name]


def source(name: str, every_s: float) -> SourceConfig:
    return SourceConfig(name=name, spider="feed", url=f"http://127.0.0.1:9/{name}.xml", every_s=every_s)


def settings(**overrides: Any) -> DaemonSettings:
    values: dict[str, Any] = {"heartbeat_s": 0.5, "stop_grace_s": 2.0, "alerts_every_s": 60.0,
                              "backoff": BackoffPolicy(max_delay_s=60, max_intervals=16)}
    values.update(overrides)
    return DaemonSettings(**values)


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.fixture
def running(db_path: Path):
    """Start daemons and make sure each is stopped, whatever the test did."""
    started: list[Daemon] = []

    def start(*args: Any, **kwargs: Any) -> Daemon:
        daemon = Daemon(db_path, *args, **kwargs)
        daemon.start()
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.stop("test teardown")


def test_failing_source_backs_off_and_recovers(db_path: Path, running) -> None:
    crawl = FakeCrawl()
    crawl.failing.add("flaky")
    running([source("flaky", 0.25), source("steady", 0.25)], crawl, settings=settings())
    assert wait_for(lambda: len(crawl.times("flaky")) >= 4, timeout=8)
    time.sleep(0.3)  # the 4th run's next_run_at is written just after its crawl_runs row
    with Store.open(db_path) as store:
        failures = store.consecutive_failures("flaky")
        flaky = {r["name"]: r for r in store.source_health()}["flaky"]
    assert failures >= 4
    assert parse_timestamp(flaky["next_run_at"]) > parse_timestamp(flaky["last_run_at"])
    times = crawl.times("flaky")
    gaps = [b - a for a, b in zip(times, times[1:])]
    # interval 0.25 s: waits of 0.5, 1, 2 s (+ up to 0.025 s jitter)
    assert gaps[0] >= 0.45 and gaps[1] >= 0.95 and gaps[2] >= 1.95, gaps
    # each wait shorter than the next one's least: the delay doubles, not stays long (a
    # busy machine starts a run late by a tenth of a second or more, so no ratio of two gaps)
    assert gaps[0] < 0.95 and gaps[1] < 1.95, gaps
    # The healthy neighbour kept its own schedule meanwhile.
    assert len(crawl.times("steady")) >= 2 * len(times)

    crawl.failing.clear()
    with Store.open(db_path) as store:
        assert wait_for(lambda: store.consecutive_failures("flaky") == 0, timeout=10)
    healed = len(crawl.times("flaky"))
    assert wait_for(lambda: len(crawl.times("flaky")) >= healed + 3, timeout=3)  # back on 0.25 s


def test_same_source_never_runs_twice_at_once(db_path: Path, running) -> None:
    crawl = FakeCrawl(duration_s=0.6)
    running([source("slow", 0.2)], crawl, settings=settings())
    assert wait_for(lambda: len(crawl.times("slow")) >= 3, timeout=6)
    assert crawl.max_parallel["slow"] == 1


def test_stop_waits_for_a_running_crawl_and_records_it(db_path: Path, running) -> None:
    crawl = FakeCrawl(duration_s=1.0)
    daemon = running([source("a", 2)], crawl, settings=settings())
    assert wait_for(lambda: crawl.running.get("a") == 1, timeout=5)
    t0 = time.monotonic()
    assert daemon.stop("test") is True
    assert time.monotonic() - t0 < 2.0
    with Store.open(db_path) as store:
        runs = store.recent_crawl_runs()
        state = store.daemon_state()
    assert [r["status"] for r in runs] == ["ok"]  # the crawl finished and was kept
    assert state is not None and state["status"] == "stopped"


def test_stop_aborts_a_crawl_that_outlives_the_grace(db_path: Path, running) -> None:
    children: list[subprocess.Popen[bytes]] = []

    def long_crawl(db: Path, sources: Sequence[SourceConfig], abort: threading.Event) -> list[CrawlOutcome]:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        children.append(child)
        abort.wait(60)  # like crawl_once: SIGTERM the child when told to abort
        child.terminate()
        raise RuntimeError(f"crawl child exited {child.wait()}")

    daemon = running([source("long", 2)], long_crawl, settings=settings(stop_grace_s=0.5))
    assert wait_for(lambda: bool(children), timeout=5)
    t0 = time.monotonic()
    assert daemon.stop("test") is True
    assert time.monotonic() - t0 < 1.5
    assert children[0].returncode == -15
    with Store.open(db_path) as store:
        run = store.recent_crawl_runs()[0]
        assert run["status"] == "aborted" and "exited -15" in run["error"]
        # our own abort is neither the source's failure nor a reason for the next daemon to back off
        assert store.consecutive_failures("long") == 0
        assert store.source_health()[0]["next_run_at"] is None


def test_stop_kills_a_crawl_child_that_ignores_the_abort(db_path: Path, running) -> None:
    children: list[subprocess.Popen[bytes]] = []

    def hung_crawl(db: Path, sources: Sequence[SourceConfig], abort: threading.Event) -> list[CrawlOutcome]:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        children.append(child)
        raise RuntimeError(f"crawl child exited {child.wait()}")

    daemon = running([source("hung", 2)], hung_crawl, settings=settings(stop_grace_s=0.5))
    assert wait_for(lambda: bool(children), timeout=5)
    t0 = time.monotonic()
    assert daemon.stop("test") is True
    assert time.monotonic() - t0 < 0.5 + 2.5 + 1.0 + 0.5  # grace + abort grace + kill, within 10 s
    assert children[0].returncode == -9
    with Store.open(db_path) as store:
        run = store.recent_crawl_runs()[0]
        assert run["status"] == "aborted" and "exited -9" in run["error"]
        assert store.consecutive_failures("hung") == 0  # killed by our shutdown, not the source's fault


def test_restart_keeps_backoff_and_health_state(db_path: Path, running) -> None:
    crawl = FakeCrawl()
    crawl.failing.add("down")
    # A 0.5 s interval: after 3 failures the backoff is 4 s, which leaves room for a slow
    # stop on a loaded machine (next_run_at is also truncated to whole seconds).
    first = running([source("down", 0.5)], crawl, settings=settings())
    assert wait_for(lambda: len(crawl.times("down")) >= 3, timeout=8)

    def backoff_planned() -> bool:
        # the third failure recorded and its (4 s) backoff planned: the crawl call alone comes earlier
        with Store.open(db_path) as store:
            row = {r["name"]: r for r in store.source_health()}.get("down") or {}
        planned = parse_timestamp(row["next_run_at"]) if row.get("next_run_at") else None
        return (int(row.get("consecutive_failures") or 0) >= 3 and planned is not None
                and (planned - dt.datetime.now(dt.timezone.utc)).total_seconds() > 1.5)

    assert wait_for(backoff_planned, timeout=5)
    first.stop("test")
    with Store.open(db_path) as store:
        before = {r["name"]: r for r in store.source_health()}["down"]
    assert before["consecutive_failures"] >= 3
    next_run = parse_timestamp(before["next_run_at"])
    count = len(crawl.times("down"))
    restart_wall, restart = dt.datetime.now(dt.timezone.utc), time.monotonic()
    assert (next_run - restart_wall).total_seconds() > 0.5  # a backoff is in progress
    running([source("down", 0.5)], crawl, settings=settings())
    assert wait_for(lambda: len(crawl.times("down")) > count, timeout=12)
    resumed_at = restart_wall + dt.timedelta(seconds=crawl.times("down")[count] - restart)
    # Honoured (next_run_at has whole seconds), not reset to a 0.15 s stagger by the restart.
    assert resumed_at >= next_run - dt.timedelta(seconds=1)
    with Store.open(db_path) as store:
        assert wait_for(lambda: store.consecutive_failures("down") > before["consecutive_failures"], timeout=3)


def test_new_documents_wake_alert_delivery_and_digest_is_scheduled(db_path: Path, running) -> None:
    delivered: list[float] = []
    hooks = AlertHooks(deliver=lambda store: delivered.append(time.monotonic()),
                       digest=lambda store, now: None)
    crawl = FakeCrawl(new_items=2)
    daemon = running([source("news", 4)], crawl, settings=settings(alerts_every_s=3600), alerts=hooks)
    assert wait_for(lambda: len(delivered) >= 1, timeout=5)  # the round at start
    assert wait_for(lambda: len(crawl.times("news")) >= 1, timeout=5)
    crawl_at = crawl.times("news")[0]
    assert wait_for(lambda: any(t > crawl_at for t in delivered), timeout=3)  # woken, not the hourly round
    digest = daemon.scheduler.get_job("digest")
    assert digest is not None and digest.next_run_time.hour == 7 and digest.next_run_time.minute == 0


def test_documents_a_crawl_stored_are_processed_by_the_daemon_and_their_alerts_delivered(
        db_path: Path, running) -> None:
    """Store first, process after (issue 16): the crawl only stores; the processing job wakes on
    its outcome, detects, matches and queues the alerts, which wakes delivery."""
    import json

    from monitor.collect.ingest import record_to_document, store_documents
    from monitor.pipeline import PIPELINE_VERSION

    fixture = Path(__file__).parent / "fixtures" / "matching" / "nov_call.jsonl"
    docs = [record_to_document(json.loads(line)) for line in fixture.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    crawled: list[float] = []
    delivered: list[int] = []

    def crawl(db: Path, sources: Sequence[SourceConfig], abort: threading.Event) -> list[CrawlOutcome]:
        started = now_iso()
        with Store.open(db) as store:
            _ids, counts = store_documents(store, [] if crawled else docs, queue_alerts=True)
            outcome = CrawlOutcome(source=sources[0].name, started_at=started, finished_at=now_iso(), status="ok",
                                   http_status=200, items_new=counts["new"], duration_s=0.0)
            store.record_crawl(outcome)
        crawled.append(time.monotonic())
        return [outcome]

    def deliver(store: Store) -> None:
        delivered.append(int(store.db.execute("SELECT count(*) FROM alerts").fetchone()[0]))

    # a long tick: only the crawl's wake-up can make the processing quick
    running([source("news", 3600)], crawl, settings=settings(process_every_s=3600.0, alerts_every_s=3600),
            alerts=AlertHooks(deliver=deliver))
    assert wait_for(lambda: bool(crawled), timeout=40)
    with Store.open(db_path) as store:
        assert wait_for(lambda: store.backlog_status(PIPELINE_VERSION).total == 0 and store.count_matches() > 0, timeout=10)
        assert store.count_denials() > 0
    assert wait_for(lambda: any(n > 0 for n in delivered), timeout=5), "alerts queued and delivery woken"


def test_a_crashing_crawl_is_recorded_and_the_daemon_keeps_going(db_path: Path, running) -> None:
    calls: list[float] = []

    def broken(db: Path, sources: Sequence[SourceConfig], abort: threading.Event) -> list[CrawlOutcome]:
        calls.append(time.monotonic())
        raise OSError("no route to host")

    running([source("broken", 0.2)], broken, settings=settings())
    assert wait_for(lambda: len(calls) >= 2, timeout=6)
    with Store.open(db_path) as store:
        runs = store.recent_crawl_runs()
        assert runs and all(r["status"] == "failed" for r in runs)
        assert "no route to host" in runs[0]["error"]


def test_heartbeat_is_recorded(db_path: Path, running) -> None:
    running([source("a", 60)], FakeCrawl(), settings=settings(heartbeat_s=0.3))
    with Store.open(db_path) as store:
        first = store.daemon_state()
        assert first is not None and first["status"] == "running"
        assert wait_for(lambda: store.daemon_state()["heartbeat_at"] > first["heartbeat_at"], timeout=3)  # type: ignore[index]


def test_the_embedding_model_is_loaded_at_start_before_any_document_arrives(
        db_path: Path, running, caplog: pytest.LogCaptureFixture) -> None:
    # The soak measures memory growth after warm-up: a model loaded when the first documents
    # came, mid-run, read as a leak of ~120 MiB. It loads at the first processing run instead.
    caplog.set_level(logging.INFO, logger="monitor.daemon")
    running([source("a", 60)], FakeCrawl(), settings=settings())
    assert wait_for(lambda: any("loaded embedder=use-m3" in r.getMessage() for r in caplog.records), timeout=30)
    with Store.open(db_path) as store:
        assert store.count_documents() == 0


# -- the daemon as a subprocess, real crawls of feeds served on 127.0.0.1 ------------------

SCRAPY_FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "RETRY_TIMES=0",
               "-s", "DOWNLOAD_TIMEOUT=5"]


def rss(base: str, items: Sequence[int]) -> str:
    entries = "".join(
        f"<item><title>Statement {i}</title><link>{base}/news/{i}</link><guid>{base}/news/{i}</guid>"
        f"<description>Full text of statement number {i} on grain shipments in the Black Sea.</description>"
        f"<pubDate>Mon, 05 Jan 2026 12:{i % 60:02d}:00 +0000</pubDate></item>"
        for i in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test feed</title>'
            f"<link>{base}/</link><description>Local test feed</description>{entries}</channel></rss>")


class ArchiveReader:
    """Read-only queries on the archive the daemon is writing (WAL: readers never block it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        import sqlite3

        if not self.path.exists():
            return []
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql, list(params)).fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return []
        finally:
            conn.close()

    def urls(self, source: str) -> set[str]:
        return {r[0] for r in self.query("SELECT url FROM documents WHERE source = ?", [source])}

    def runs(self, source: str) -> list[tuple[Any, ...]]:
        return self.query("SELECT started_at, finished_at, status FROM crawl_runs WHERE source = ? ORDER BY id",
                          [source])


@pytest.mark.slow
def test_daemon_archives_new_items_backs_off_recovers_and_stops_on_sigterm(tmp_path: Path) -> None:
    import json
    import os
    import signal

    from monitor.demo.fixture_server import FixtureServer

    db = tmp_path / "data" / "monitor.db"
    schedules = tmp_path / "schedules"
    schedules.mkdir()
    archive = ArchiveReader(db)
    lines: list[str] = []
    with FixtureServer() as server:
        base = server.base_url
        server.set_route("/robots.txt", "", content_type="text/plain")
        server.set_route("/official.xml", rss(base, [1, 2]), content_type="application/rss+xml")
        server.set_route("/outlet.xml", rss(base, [100]), content_type="application/rss+xml")
        server.set_fault("/outlet.xml", "500")  # down from the start
        (schedules / "local.toml").write_text(
            f'[[source]]\nname = "official"\nspider = "feed"\nurl = "{base}/official.xml"\nrole = "official"\n'
            f'every = "2s"\nfetch_articles = false\n\n'
            f'[[source]]\nname = "outlet"\nspider = "feed"\nurl = "{base}/outlet.xml"\nrole = "media"\n'
            f'every = "0.5s"\nfetch_articles = false\n',
            encoding="utf-8",
        )
        env = {**os.environ, "MONITOR_HEARTBEAT": "1s", "MONITOR_BACKOFF_MAX": "2s", "MONITOR_LOG_JSON": "1"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "--schedules", str(schedules), "--db", str(db), *SCRAPY_FAST],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
        reader.start()
        try:
            # Both stories run at once to keep the test short: the official feed gains an item while
            # the daemon runs; the outlet fails from the start, backs off, then heals.
            added = healed = latency = None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                if added is None and len(archive.urls("official")) == 2:  # the first crawl archived the feed
                    server.set_route("/official.xml", rss(base, [1, 2, 3]), content_type="application/rss+xml")
                    added = time.monotonic()
                if added is not None and latency is None and f"{base}/news/3" in archive.urls("official"):
                    latency = time.monotonic() - added
                if healed is None and [r[2] for r in archive.runs("outlet")].count("failed") >= 3:
                    server.set_fault("/outlet.xml", None)
                    healed = time.monotonic()
                    failing_runs = archive.runs("outlet")
                    failures_then = archive.query("SELECT consecutive_failures FROM sources WHERE name = 'outlet'")
                if latency is not None and healed is not None and archive.urls("outlet"):
                    break
                time.sleep(0.2)
            assert proc.poll() is None, lines[-20:]
            assert latency is not None and healed is not None and archive.urls("outlet"), lines[-30:]

            # The new item was archived within an interval plus a crawl or two (a crawl already under
            # way when it appeared had fetched the old feed).
            longest = archive.query("SELECT max(duration_s) FROM crawl_runs WHERE source = 'official'")[0][0]
            assert latency <= 2 + 2 * float(longest) + 1.5, (latency, longest)

            # The outlet backed off: failures accumulated, waits grew (0.5 s interval: 1 s, 2 s, capped at 2 s).
            assert [r[2] for r in failing_runs[:3]] == ["failed"] * 3
            assert failures_then[0][0] >= 3
            starts = [parse_timestamp(r[0]) for r in failing_runs[:3]]
            finishes = [parse_timestamp(r[1]) for r in failing_runs[:3]]
            # each retry starts no sooner than its delay after the previous failure ended (1 s rounding)
            assert (starts[1] - finishes[0]).total_seconds() >= 1 - 1
            assert (starts[2] - finishes[1]).total_seconds() >= 2 - 1
            planned = [json.loads(line)["message"] for line in list(lines) if "backoff source=outlet" in line]
            delays = [float(m.split("delay=")[1].split("s")[0]) for m in planned]
            assert delays[0] >= 0.9 and delays[1] >= 1.9 and delays[1] > delays[0], planned

            # ... and recovered when it healed: failures back to 0, its item archived once.
            assert archive.urls("outlet") == {f"{base}/news/100"}
            assert wait_for(lambda: archive.query(
                "SELECT consecutive_failures FROM sources WHERE name = 'outlet'")[0][0] == 0, timeout=5)

            # Health while running: the daemon is alive and a source is fresh.
            # (20 intervals: on a loaded machine a crawl may take longer than these 1-2 s intervals)
            status = subprocess.run([sys.executable, "-m", "monitor", "status", "--check", "--json", "--db", str(db)],
                                    capture_output=True, text=True, timeout=30,
                                    env={**env, "MONITOR_HEALTH_INTERVALS": "20"})
            assert status.returncode == 0, status.stdout + status.stderr
            assert json.loads(status.stdout)["daemon"]["status"] == "running"

            # SIGTERM: exit 0 within 10 s, whatever was running.
            stopped = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=12)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                reader.join(timeout=5)
                raise AssertionError("daemon still running 12 s after SIGTERM; its last log lines:\n"
                                     + "".join(lines[-40:])) from None
            assert code == 0
            assert time.monotonic() - stopped < 10
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            # also when an assertion failed: an unclosed pipe would fail a later test at GC
            reader.join(timeout=5)
            if proc.stdout is not None:
                proc.stdout.close()

    # Every served item archived exactly once; each counted new exactly once.
    docs = archive.query("SELECT url FROM documents ORDER BY url")
    assert sorted(u for (u,) in docs) == sorted([f"{base}/news/{i}" for i in (1, 2, 3, 100)])
    assert archive.query("SELECT sum(items_new) FROM crawl_runs")[0][0] == 4
    assert archive.query("PRAGMA integrity_check")[0][0] == "ok"
    assert archive.query("SELECT status FROM daemon_state")[0][0] == "stopped"
    # Logs: one JSON object per line, with a crawl summary per source per run.
    records = [json.loads(line) for line in lines if line.startswith("{")]
    summaries = [r["message"] for r in records if r["message"].startswith("crawl source=")]
    assert any("source=official status=ok new=2" in m and "http=200" in m and "duration=" in m for m in summaries)
    assert any("source=outlet status=failed" in m and "http=500" in m for m in summaries)
    assert any(r["message"].startswith("daemon stopped") for r in records)


@pytest.mark.slow
def test_default_catalogue_starts_logs_its_schedule_and_survives_an_unreachable_network(tmp_path: Path) -> None:
    """A fresh install: the bundled catalogue with every host unreachable (closed port on 127.0.0.1)."""
    import os
    import re
    import signal

    from monitor.config import load_catalogue

    bundled = Path(__file__).resolve().parent.parent / "schedules"
    schedules = tmp_path / "schedules"
    schedules.mkdir()
    for toml in bundled.glob("*.toml"):
        text = re.sub(r'(url\s*=\s*")https?://[^/"]+', r"\1http://127.0.0.1:1", toml.read_text(encoding="utf-8"))
        (schedules / toml.name).write_text(text, encoding="utf-8")
    enabled = [s.name for s in load_catalogue([schedules]) if s.enabled]
    assert len(enabled) >= 5
    db = tmp_path / "fresh" / "monitor.db"  # the folder does not exist yet
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--schedules", str(schedules), "--db", str(db),
                             *SCRAPY_FAST], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "MONITOR_HEARTBEAT": "1s", "MONITOR_STOP_GRACE": "1s"})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    archive = ArchiveReader(db)
    try:
        # Crawls fail (connection refused), are recorded, and the daemon keeps running.
        assert wait_for(lambda: len(archive.query("SELECT id FROM crawl_runs WHERE status = 'failed'")) >= 2,
                        timeout=30, step=0.2), "".join(lines[-30:])
        assert proc.poll() is None
        scheduled = {m.group(1) for m in (re.search(r"scheduled source=(\S+)", line) for line in lines) if m}
        assert scheduled == set(enabled)
        failing = archive.query("SELECT name, last_error, next_run_at FROM sources WHERE consecutive_failures > 0")
        assert failing and all(error and next_run for _, error, next_run in failing)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=12) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()
    # Failures are outcomes, not crashes: no job raised, no crawl function blew up.
    assert not [line for line in lines if "crawl crashed" in line or "raised an exception" in line], "".join(lines)
    assert any("monitor.daemon: crawl source=" in line and "status=failed" in line for line in lines)


def test_polls_are_never_further_apart_than_the_declared_interval(db_path: Path) -> None:
    # Jitter spreads the runs, but "every = 10s" must stay the worst gap between two polls:
    # it is the delay an analyst is promised between a denial appearing and it being fetched.
    daemon = Daemon(db_path, [source("kremlin", 10.0)], FakeCrawl(), settings=settings())
    trigger = daemon._trigger(daemon.sources["kremlin"])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    previous = trigger.get_next_fire_time(None, now)
    gaps = []
    for _ in range(300):
        fire = trigger.get_next_fire_time(previous, previous)
        gaps.append((fire - previous).total_seconds())
        previous = fire
    assert max(gaps) <= 10.0
    assert min(gaps) >= 9.0
    assert max(gaps) - min(gaps) > 0.5  # still spread, not lockstep


def test_sources_of_one_site_take_turns_and_other_sites_do_not_wait(db_path: Path, running) -> None:
    """Three mid.ru pages polled at once look like a burst to the site: sources naming the
    same ``site`` never crawl at the same time; a busy site's source retries soon."""
    import dataclasses

    crawl = FakeCrawl(duration_s=0.6)
    intervals: dict[str, list[tuple[float, float]]] = {}
    inner = crawl.__call__

    def timed(db: Path, sources: Sequence[SourceConfig], abort: threading.Event) -> list[CrawlOutcome]:
        t0 = time.monotonic()
        out = inner(db, sources, abort)
        intervals.setdefault(sources[0].site or sources[0].name, []).append((t0, time.monotonic()))
        return out

    mid = [dataclasses.replace(source(f"mid-{i}", 0.5), site="mid.ru") for i in range(3)]
    other = source("other", 0.5)
    running([*mid, other], timed, settings=settings())
    assert wait_for(lambda: all(len(crawl.times(s.name)) >= 2 for s in [*mid, other]), timeout=20)
    spans = sorted(intervals["mid.ru"])
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), spans
    # the other site's source ran while mid.ru sources were crawling
    busy = [(s, e) for s, e in spans]
    assert any(any(s < t < e for s, e in busy) for t in crawl.times("other"))


def test_site_must_be_a_non_empty_string(tmp_path: Path) -> None:
    from monitor.config import ConfigError, load_catalogue

    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nname = "x"\nspider = "feed"\nurl = "https://example.org/feed"\nsite = ""\n',
                   encoding="utf-8")
    with pytest.raises(ConfigError, match="site must be a non-empty string"):
        load_catalogue([bad])


def test_sources_retry_wakes_a_backed_off_source_at_the_next_heartbeat(db_path: Path, running) -> None:
    crawl = FakeCrawl()
    crawl.failing.add("dns")
    running([source("dns", 4)], crawl, settings=settings(backoff=BackoffPolicy(max_delay_s=3600)))
    assert wait_for(lambda: len(crawl.times("dns")) == 1, timeout=10)

    def backoff_planned() -> bool:  # the backoff (8 s) is planned just after the crawl_runs row
        with Store.open(db_path) as store:
            row = next(r for r in store.source_health() if r["name"] == "dns")
        return bool(row["next_run_at"]) and parse_timestamp(row["next_run_at"]) > dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)

    assert wait_for(backoff_planned, timeout=10)
    assert len(crawl.times("dns")) == 1
    crawl.failing.clear()
    with Store.open(db_path) as store:
        assert store.request_retry("dns") is True
    assert wait_for(lambda: len(crawl.times("dns")) == 2, timeout=5)  # heartbeat every 0.5 s
    with Store.open(db_path) as store:
        assert store.take_retry_requests() == []  # the request was consumed
        assert store.consecutive_failures("dns") == 0
