"""Health assessment (monitor/health.py) and `monitor status --check`, on a real archive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import SourceConfig
from monitor.health import assess_health, schedule_interval_s
from monitor.store import Store
from monitor.store.crawls import CrawlOutcome
from monitor.timeutil import format_timestamp, utcnow


def later(seconds: float) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=seconds)


def add_sources(store: Store, *names: str, every_s: float = 600) -> None:
    store.sync_sources([SourceConfig(name=n, spider="feed", url=f"http://127.0.0.1:9/{n}", every_s=every_s)
                        for n in names])


def crawl(store: Store, name: str, status: str, at: dt.datetime | None = None) -> None:
    stamp = format_timestamp(at or utcnow())
    store.record_crawl(CrawlOutcome(source=name, started_at=stamp, finished_at=stamp, status=status,
                                    error="HTTP 503" if status == "failed" else None))


def start_daemon(store: Store, heartbeat_s: float = 30) -> None:
    store.record_daemon_start(heartbeat_s=heartbeat_s, sources=2, schedules="schedules")


def test_fresh_archive_without_daemon_is_healthy(store: Store) -> None:
    add_sources(store, "a")
    status = assess_health(store)
    assert status["healthy"], status["problems"]
    assert status["daemon_line"] == "daemon: never run on this archive"


def test_fresh_daemon_whose_first_crawls_failed_is_in_grace(store: Store) -> None:
    add_sources(store, "a", "b")
    start_daemon(store)
    crawl(store, "a", "failed")
    crawl(store, "b", "failed")
    assert assess_health(store, intervals=3)["healthy"]
    # Still no success three intervals (3 x 600 s) after the daemon started: unhealthy.
    late = assess_health(store, intervals=3, now=later(1801))
    assert not late["healthy"]
    assert any("no source crawled successfully within 3 intervals" in p for p in late["problems"])


def test_one_fresh_source_is_enough(store: Store) -> None:
    add_sources(store, "a", "b")
    crawl(store, "a", "failed")
    crawl(store, "b", "ok")
    assert assess_health(store, intervals=3, now=later(1700))["healthy"]
    assert not assess_health(store, intervals=3, now=later(1900))["healthy"]


def test_a_restarted_daemon_gets_grace_after_a_long_stop(store: Store) -> None:
    add_sources(store, "a")
    crawl(store, "a", "ok", at=utcnow() - dt.timedelta(days=7))
    assert not assess_health(store)["healthy"]  # no daemon: judged on the last success
    start_daemon(store)
    assert assess_health(store)["healthy"]


def test_stale_heartbeat_means_a_dead_daemon(store: Store) -> None:
    add_sources(store, "a")
    start_daemon(store, heartbeat_s=30)
    crawl(store, "a", "ok")
    assert assess_health(store, now=later(80))["healthy"]
    dead = assess_health(store, now=later(95))  # 3 missed beats of 30 s
    assert not dead["healthy"]
    assert any(p.startswith("daemon not responding") for p in dead["problems"])
    assert dead["daemon_line"].startswith("daemon: DEAD?")


def test_short_heartbeats_are_not_declared_dead_within_a_minute(store: Store) -> None:
    start_daemon(store, heartbeat_s=1)
    assert assess_health(store, now=later(50))["healthy"]
    assert not assess_health(store, now=later(61))["healthy"]


def test_a_stopped_daemon_is_unhealthy(store: Store) -> None:
    add_sources(store, "a")
    start_daemon(store)
    crawl(store, "a", "ok")
    store.record_daemon_status("stopped")
    status = assess_health(store)
    assert not status["healthy"]
    assert any(p.startswith("daemon stopped at") for p in status["problems"])


def test_recently_failed_alerts_are_unhealthy_old_ones_are_not(store: Store) -> None:
    add_sources(store, "a")
    crawl(store, "a", "ok")
    alert_id = store.queue_alert(key="k1", kind="denial", tag="denials", title="t", body_text="b",
                                 body_markdown="b", body_html="b")
    assert alert_id is not None
    store.mark_alert_failed(alert_id, format_timestamp(utcnow()), "HTTP 500")
    status = assess_health(store)
    assert not status["healthy"]
    assert any("1 alerts failed delivery" in p for p in status["problems"])
    # A day later the failure is history: still counted, no longer failing the check.
    crawl(store, "a", "ok", at=later(86400 + 60))
    day_after = assess_health(store, now=later(86400 + 120))
    assert day_after["healthy"], day_after["problems"]
    assert day_after["alerts"]["failed"] == 1


def test_schedule_interval_of_every_and_cron() -> None:
    assert schedule_interval_s("every 600s") == 600
    assert schedule_interval_s("cron */5 * * * *") == 300
    assert schedule_interval_s(None) == 3600


def test_status_check_exit_codes(db_path: Path, monkeypatch) -> None:
    with Store.open(db_path) as store:
        add_sources(store, "a", every_s=1)
        start_daemon(store)
        crawl(store, "a", "ok", at=utcnow() - dt.timedelta(seconds=100))
    runner = CliRunner()
    monkeypatch.setenv("MONITOR_HEALTH_INTERVALS", "200")
    ok = runner.invoke(cli, ["status", "--check", "--db", str(db_path)])
    assert ok.exit_code == 0, ok.output
    assert "daemon: running since" in ok.output and "a: ok; last success" in ok.output
    monkeypatch.setenv("MONITOR_HEALTH_INTERVALS", "3")
    with Store.open(db_path) as store:  # the daemon has been up long enough to be judged
        store.db.execute("UPDATE daemon_state SET started_at = ?",
                         [format_timestamp(utcnow() - dt.timedelta(seconds=50))])
        store.db.conn.commit()
    bad = runner.invoke(cli, ["status", "--check", "--db", str(db_path)])
    assert bad.exit_code == 1
    assert "UNHEALTHY: no source crawled successfully within 3 intervals" in bad.output
    monkeypatch.setenv("MONITOR_HEALTH_INTERVALS", "zero")
    usage = runner.invoke(cli, ["status", "--check", "--db", str(db_path)])
    assert usage.exit_code == 2 and "MONITOR_HEALTH_INTERVALS" in usage.output


# --- issue 17 item 5: health that means something ---------------------------------------------


def add(store: Store, name: str, *, role: str = "media", critical: bool = False, enabled: bool = True) -> None:
    store.sync_sources([SourceConfig(name=name, spider="feed", url=f"http://127.0.0.1:9/{name}", every_s=600,
                                     role=role, critical=critical, enabled=enabled)])


def test_a_working_news_feed_does_not_hide_every_official_source_failing(store: Store) -> None:
    add(store, "news")
    add(store, "kremlin-en", role="official")
    add(store, "mid-en", role="official")
    long_ago = later(-7200)
    for name in ("news", "kremlin-en", "mid-en"):
        crawl(store, name, "ok", at=long_ago)
    crawl(store, "news", "ok")
    crawl(store, "kremlin-en", "failed")
    crawl(store, "mid-en", "failed")
    status = assess_health(store, intervals=3)
    assert not status["healthy"]
    assert status["problems"] == [
        f"no official source crawled successfully within 3 intervals (2 failing, e.g. kremlin-en: last success"
        f" {format_timestamp(long_ago)})"]
    crawl(store, "mid-en", "ok")  # one official source back: healthy again
    assert assess_health(store, intervals=3)["healthy"]


def test_a_stale_critical_source_is_unhealthy_even_when_other_officials_work(store: Store) -> None:
    add(store, "kremlin-en", role="official", critical=True)
    add(store, "mid-en", role="official")
    add(store, "old-official", role="official", critical=True, enabled=False)
    crawl(store, "kremlin-en", "failed")
    crawl(store, "mid-en", "ok")
    crawl(store, "old-official", "failed")
    status = assess_health(store, intervals=3)
    assert status["problems"] == ["critical source(s) without a successful crawl within 3 intervals:"
                                  " kremlin-en (last success never)"]


def test_alerts_that_keep_failing_delivery_make_it_unhealthy(store: Store) -> None:
    add(store, "news")
    crawl(store, "news", "ok")
    assert assess_health(store)["healthy"]
    store.db["alerts"].insert({"key": "k1", "kind": "denial", "tag": "denial", "status": "pending", "attempts": 2,
                               "last_error": "no route: no notification URL has tag 'denial'", "title": "t"})
    status = assess_health(store)
    assert status["problems"] == ["1 alerts cannot be delivered (pending after 2+ attempts; last error: no route:"
                                  " no notification URL has tag 'denial')"]
    assert "UNHEALTHY: 1 alerts cannot be delivered" in status["summary"]


def test_a_backlog_not_kept_up_with_is_unhealthy() -> None:
    from monitor.health import backlog_problem

    class Probe:
        def __init__(self, waiting: int, oldest: dt.datetime) -> None:
            self.answer = (waiting, format_timestamp(oldest))

        def processing_backlog(self) -> tuple[int, str]:
            return self.answer

    now = utcnow().replace(microsecond=0)
    assert backlog_problem(Probe(40, now - dt.timedelta(minutes=5)), now) is None
    assert backlog_problem(Probe(40, now - dt.timedelta(hours=2)), now) == (
        "processing backlog: 40 documents waiting, the oldest stored 2h ago")


def test_sources_never_run_say_so(store: Store) -> None:
    add(store, "news")
    assert assess_health(store)["details"][0].startswith("news: never run;")
