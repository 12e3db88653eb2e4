"""Outbox and delivery: real Apprise sends to local receivers on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from alert_helpers import HOSTILE, SmtpSink, add_match, seed_event, start_http_receiver
from monitor.alerts.delivery import RetryPolicy, queue_event_alerts, send_pending
from monitor.health import assess_health
from monitor.alerts.notifier import Notifier
from monitor.store import Store

NOW = dt.datetime(2024, 11, 11, 10, 0, tzinfo=dt.timezone.utc)
FAST = RetryPolicy(base_s=60, max_delay_s=3600, max_attempts=3, lease_s=600)


@pytest.fixture
def receiver():
    r = start_http_receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def queue(store: Store, event_id: int) -> int:
    with store.atomic():
        return queue_event_alerts(store, [event_id], now=NOW)


def test_event_processed_twice_queues_one_alert(store: Store) -> None:
    event_id = seed_event(store)
    assert queue(store, event_id) == 1
    assert queue(store, event_id) == 0
    rows = store.list_alerts()
    assert [(r["kind"], r["key"], r["status"]) for r in rows] == [
        ("denial", "denial:http://kremlin.example/events/peskov-call-2024-11-11", "pending")]


def test_event_rekeyed_as_coverage_joins_does_not_alert_again(store: Store) -> None:
    event_id = seed_event(store)
    assert queue(store, event_id) == 1
    # Matching regroups: the same denials now belong to a new event with another key.
    with store.atomic():
        new_id = int(store.db["denial_events"].insert({"key": "kremlin-2024-11-11-other", "speaker": "Dmitry Peskov",
                                                       "claim": "call"}).last_pk)
        store.db.execute("UPDATE denials SET event_id = ?", [new_id])
        store.db.execute("DELETE FROM denial_events WHERE id = ?", [event_id])
    assert queue(store, new_id) == 0
    assert len(store.list_alerts()) == 1


def test_event_without_contradicted_report_queues_nothing(store: Store) -> None:
    event_id = seed_event(store, reports=0)
    assert queue(store, event_id) == 0
    assert store.list_alerts() == []


def test_queueing_joins_the_callers_transaction(store: Store) -> None:
    event_id = seed_event(store)
    with pytest.raises(RuntimeError):
        with store.atomic():
            queue_event_alerts(store, [event_id], now=NOW)
            raise RuntimeError("the document write failed")
    assert store.list_alerts() == []


def test_later_report_sends_short_followup_not_a_repeat(store: Store, receiver) -> None:
    event_id = seed_event(store, reports=2)
    queue(store, event_id)
    notifier = Notifier.from_config(receiver.url())
    assert send_pending(store, notifier, now=NOW, policy=FAST).sent == 1
    denial_id = store.db.execute("SELECT id FROM denials WHERE event_id = ? ORDER BY id", [event_id]).fetchone()[0]
    with store.atomic():
        add_match(store, denial_id, "http://nyt.example/trump-putin-call", "Trump and Putin discussed Ukraine")
    assert queue(store, event_id) == 1
    assert queue(store, event_id) == 0
    followup = store.list_alerts(status="pending")[0]
    assert followup["kind"] == "followup"
    assert followup["key"] == "followup:1:http://nyt.example/trump-putin-call"
    # a follow-up waits a little, so that a burst of news makes one follow-up
    assert send_pending(store, notifier, now=NOW, policy=FAST).sent == 0
    assert send_pending(store, notifier, now=NOW + dt.timedelta(minutes=3), policy=FAST).sent == 1
    assert len(receiver.received) == 2
    first, second = (r.body["message"] for r in receiver.received)
    assert "Contradicted reports (2)" in first
    assert "Trump and Putin discussed Ukraine" in second and "http://nyt.example/trump-putin-call" in second
    assert "Contradicted reports" not in second and "wapo.example" not in second
    assert receiver.received[1].body["title"].startswith("Follow-up")


def test_json_delivery_carries_the_alert_and_marks_it_sent(store: Store, receiver) -> None:
    queue(store, seed_event(store))
    report = send_pending(store, Notifier.from_config(receiver.url()), now=NOW, policy=FAST)
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [got] = receiver.received
    msg = got.body["message"]
    assert got.body["title"] == "Denial: Dmitry Peskov - 1 contradicted report"
    for expected in ("Dmitry Peskov, 11 Nov 2024 09:12 UTC", "pure fiction",
                     "http://kremlin.example/events/peskov-call-2024-11-11",
                     "Kremlin.ru (English), 11 Nov 2024 09:12 UTC", "TASS (English), 11 Nov 2024 10:30 UTC",
                     "The Washington Post, 10 Nov 2024 18:00 UTC: “Trump spoke with Putin”",
                     "http://wapo.example/politics/peskov-call-2024-11-11-0",
                     "score 0.87: same people (Trump, Putin), same call, names the outlet"):
        assert expected in msg
    [row] = store.list_alerts()
    assert (row["status"], row["attempts"], row["delivered_via"]) == ("sent", 1, "apprise:1")
    assert send_pending(store, Notifier.from_config(receiver.url()), now=NOW, policy=FAST).sent == 0
    assert len(receiver.received) == 1


def test_endpoint_down_then_up_delivers_once_after_recovery(store: Store, receiver) -> None:
    queue(store, seed_event(store))
    notifier = Notifier.from_config(receiver.url())
    receiver.status = 500
    report = send_pending(store, notifier, now=NOW, policy=FAST)
    assert (report.sent, report.retried) == (0, 1)
    [row] = store.list_alerts()
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["next_attempt_at"] == "2024-11-11T10:01:00+00:00"
    assert "FAILURE" in row["last_error"] and "127.0.0.1" in row["last_error"]
    receiver.status = 200
    # Not due yet: backoff holds it.
    assert send_pending(store, notifier, now=NOW + dt.timedelta(seconds=30), policy=FAST).sent == 0
    assert receiver.received == []
    assert send_pending(store, notifier, now=NOW + dt.timedelta(seconds=61), policy=FAST).sent == 1
    assert send_pending(store, notifier, now=NOW + dt.timedelta(hours=2), policy=FAST).sent == 0
    assert len(receiver.received) == 1
    assert store.list_alerts()[0]["status"] == "sent"


def test_backoff_doubles_then_fails_for_good_and_status_shows_it(store: Store, receiver) -> None:
    queue(store, seed_event(store))
    receiver.status = 503
    notifier = Notifier.from_config(receiver.url())
    send_pending(store, notifier, now=NOW, policy=FAST)
    send_pending(store, notifier, now=NOW + dt.timedelta(seconds=60), policy=FAST)
    row = store.list_alerts()[0]
    assert row["next_attempt_at"] == "2024-11-11T10:03:00+00:00"  # 60 s + 2 × 60 s
    report = send_pending(store, notifier, now=NOW + dt.timedelta(seconds=180), policy=FAST)
    assert report.failed == 1
    assert store.alert_counts() == {"failed": 1}
    health = assess_health(store, now=NOW + dt.timedelta(seconds=181))
    assert not health["healthy"] and "1 alerts failed delivery" in health["summary"]
    assert "failed 1" in health["summary"]


def test_force_sends_before_backoff_expires(store: Store, receiver) -> None:
    queue(store, seed_event(store))
    notifier = Notifier.from_config(receiver.url())
    receiver.status = 500
    send_pending(store, notifier, now=NOW, policy=FAST)
    receiver.status = 200
    assert send_pending(store, notifier, now=NOW, policy=FAST).sent == 0
    assert send_pending(store, notifier, now=NOW, policy=FAST, force=True).sent == 1


def test_partial_failure_retries_only_the_service_that_missed_it(store: Store, receiver) -> None:
    down = start_http_receiver()
    try:
        down.status = 500
        notifier = Notifier.from_config(f"{receiver.url()} {down.url()}")
        queue(store, seed_event(store))
        assert send_pending(store, notifier, now=NOW, policy=FAST).retried == 1
        down.status = 200
        assert send_pending(store, notifier, now=NOW + dt.timedelta(minutes=5), policy=FAST).sent == 1
        assert len(receiver.received) == 1 and len(down.received) == 1
    finally:
        down.server.shutdown()
        down.server.server_close()


def test_routing_by_tag(store: Store, receiver) -> None:
    digest_rx, untagged_rx = start_http_receiver(), start_http_receiver()
    try:
        notifier = Notifier.from_config(f"denial={receiver.url()} digest={digest_rx.url()} {untagged_rx.url()}")
        queue(store, seed_event(store))
        from monitor.alerts.digest import queue_digest

        queue_digest(store, NOW)
        assert send_pending(store, notifier, now=NOW, policy=FAST).sent == 2
        assert [r.body["title"][:6] for r in receiver.received] == ["Denial"]
        assert [r.body["title"][:12] for r in digest_rx.received] == ["Denial diges"]
        assert sorted(r.body["title"][:12] for r in untagged_rx.received) == ["Denial diges", "Denial: Dmit"]
    finally:
        for r in (digest_rx, untagged_rx):
            r.server.shutdown()
            r.server.server_close()


def test_no_route_for_tag_is_not_success(store: Store, receiver) -> None:
    notifier = Notifier.from_config(f"digest={receiver.url()}")
    queue(store, seed_event(store))
    report = send_pending(store, notifier, now=NOW, policy=FAST)
    assert (report.sent, report.retried) == (0, 1)
    row = store.list_alerts()[0]
    assert row["status"] == "pending" and "no route" in row["last_error"]
    assert receiver.received == []


def test_without_urls_alerts_print_to_console_and_count_as_sent(store: Store) -> None:
    out = io.StringIO()
    queue(store, seed_event(store, report_title=HOSTILE))
    report = send_pending(store, Notifier(console=out), now=NOW, policy=FAST)
    assert report.sent == 1
    text = out.getvalue()
    assert "=== Denial: Dmitry Peskov - 1 contradicted report ===" in text
    assert "score 0.87" in text and "<script>" in text  # text format: shown literally, nothing renders it
    assert store.list_alerts()[0]["delivered_via"] == "console"


def test_email_delivery_escapes_html(store: Store) -> None:
    sink = SmtpSink().start()
    try:
        queue(store, seed_event(store, report_title=HOSTILE))
        assert send_pending(store, Notifier.from_config(sink.url()), now=NOW, policy=FAST).sent == 1
        [message] = sink.messages
        assert message["Subject"] == "Denial: Dmitry Peskov - 1 contradicted report"
        html_body = sink.bodies(message)["html"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_body
        assert "<script>" not in html_body
        assert 'href="http://evil.example"' not in html_body
        assert '<a href="http://wapo.example/politics/peskov-call-2024-11-11-0">' in html_body
        assert "pure fiction" in html_body and "score <b>0.87</b>" in html_body
    finally:
        sink.stop()


def test_slack_plugin_cannot_be_made_to_ping_or_forge_links(store: Store, receiver, monkeypatch) -> None:
    from apprise.plugins.slack import NotifySlack

    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{receiver.port}/services")
    queue(store, seed_event(store, report_title=HOSTILE))
    notifier = Notifier.from_config("slack://T1ABCDEFG/B1ABCDEFG/SECRETslacktoken1234")
    assert send_pending(store, notifier, now=NOW, policy=FAST).sent == 1
    [got] = receiver.received
    assert got.path == "/services/T1ABCDEFG/B1ABCDEFG/SECRETslacktoken1234"
    raw = got.raw.decode()
    text = got.body["attachments"][0]["text"]
    assert got.body["mrkdwn"] is True
    for forbidden in ("<!channel>", "<!here", "<@U123>", "<script>", "<http://evil.example", "|forged>", "@here"):
        assert forbidden not in text, forbidden
    # Slack shows "[click](...)" literally; the only anchors (<url|label>) are the ones we built.
    anchors = re.findall(r"<(https?://[^|>]+)", text)
    assert anchors and {a.split("/")[2] for a in anchors} == {"kremlin.example", "tass.example", "wapo.example"}
    assert "&lt;!channel&gt;" in text and "&lt;script&gt;" in text
    # Our own links survive as Slack links.
    assert "<http://wapo.example/politics/peskov-call-2024-11-11-0|" in text
    assert "<http://kremlin.example/events/peskov-call-2024-11-11|Read the denial>" in text
    assert "<!channel>" not in raw


CRASH_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from monitor.alerts import delivery as alerts
    from monitor.alerts.notifier import Notifier
    from monitor.store import Store

    real_send = Notifier.send

    def send_then_die(self, *args, **kwargs):
        result = real_send(self, *args, **kwargs)
        if result.ok:  # delivered; the bookkeeping has not run yet
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    Notifier.send = send_then_die
    store = Store.open(sys.argv[1])
    alerts.send_pending(store, Notifier.from_config(sys.argv[2]))
""")


def test_killed_between_delivery_and_bookkeeping_resends_once_marked_duplicate(
        store: Store, db_path: Path, receiver, tmp_path: Path) -> None:
    queue(store, seed_event(store))
    script = tmp_path / "crash.py"
    script.write_text(CRASH_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), str(db_path), receiver.url()], capture_output=True,
                          timeout=60)
    assert proc.returncode == -9, proc.stderr.decode()
    assert len(receiver.received) == 1
    row = store.list_alerts()[0]
    assert row["status"] == "sending"  # delivered, bookkeeping lost with the process

    # Restart at once: the lease has not expired, so no second copy yet.
    env = {**os.environ, "APPRISE_URLS": receiver.url()}
    cli = subprocess.run([sys.executable, "-m", "monitor", "alerts", "send", "--db", str(db_path)],
                         capture_output=True, text=True, env=env, timeout=60)
    assert cli.returncode == 0, cli.stderr
    assert len(receiver.received) == 1
    # After the lease: re-sent once (at-least-once), flagged as a possible duplicate.
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=11)
    report = send_pending(store, Notifier.from_config(receiver.url()), now=later, policy=FAST)
    assert report.sent == 1
    assert len(receiver.received) == 2
    second = receiver.received[1].body
    assert second["title"].startswith("(possible duplicate")
    assert "ref peskov-call-2024-11-11" in second["message"]
    assert store.list_alerts()[0]["status"] == "sent"
    assert send_pending(store, Notifier.from_config(receiver.url()), now=later, policy=FAST).sent == 0
    assert len(receiver.received) == 2


@pytest.fixture
def restore_logging():
    import logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    levels = {n: logging.getLogger(n).level for n in ("apprise", "urllib3", "requests")}
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


TOKEN = "SECRETtoken1234"


def test_secrets_never_reach_logs_or_archive_even_at_debug(store: Store, db_path: Path, receiver, monkeypatch,
                                                           restore_logging) -> None:
    from apprise.plugins.slack import NotifySlack

    from monitor.alerts.delivery import send_test
    from monitor.logsetup import configure_logging

    log = io.StringIO()
    configure_logging("DEBUG", stream=log)
    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{receiver.port}/services")
    urls = (f"slack://T1ABCDEFG/B1ABCDEFG/{TOKEN} json://user:{TOKEN}@127.0.0.1:{receiver.port}/hook?+X-Token={TOKEN}"
            " json://127.0.0.1:9/closed-port")
    notifier = Notifier.from_config(urls)
    queue(store, seed_event(store))
    send_pending(store, notifier, now=NOW, policy=FAST)
    results = send_test(notifier)
    assert [r.ok for r in results] == [True, True, False]
    assert len(receiver.received) == 4  # alert + test to each live service
    assert "alert delivery failed" in log.getvalue()  # the closed port was logged...
    assert TOKEN not in log.getvalue()  # ...without any token
    assert all(TOKEN not in m for m in notifier.masked_urls())
    assert all(TOKEN not in (r.error + r.masked_url) for r in results)
    store.close()
    for f in db_path.parent.iterdir():
        assert TOKEN.encode() not in f.read_bytes(), f


def test_cli_output_masks_urls(store: Store, db_path: Path, receiver) -> None:
    queue(store, seed_event(store))
    store.close()
    env = {**os.environ, "APPRISE_URLS": f"json://user:{TOKEN}@127.0.0.1:{receiver.port}/hook?+X-Token={TOKEN}",
           "MONITOR_LOG_LEVEL": "DEBUG"}
    outputs = []
    for args in (["alerts", "test"], ["alerts", "send", "--db", str(db_path)],
                 ["alerts", "list", "--json", "--db", str(db_path)], ["status", "--db", str(db_path)]):
        proc = subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, env=env,
                              timeout=60)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        outputs.append(proc.stdout + proc.stderr)
    assert "ok     json://user:****@127.0.0.1:" in outputs[0] and "X-Token=****" in outputs[0]
    assert "1 sent, 0 to retry, 0 failed" in outputs[1]
    assert json.loads(outputs[2][outputs[2].index("[\n"):])[0]["delivered_via"] == "apprise:1"
    assert len(receiver.received) == 2
    assert TOKEN not in "\n".join(outputs)
