"""The daily digest: content, idempotence per day, cron configuration, delivery to tag digest."""

from __future__ import annotations

import datetime as dt

import pytest

from alert_helpers import seed_event, start_http_receiver
from monitor.alerts.delivery import RetryPolicy, send_pending
from monitor.alerts.digest import DEFAULT_DIGEST_CRON, build_digest, digest_cron, queue_digest
from monitor.errors import ConfigError
from monitor.alerts.notifier import Notifier

MORNING = dt.datetime(2024, 11, 12, 7, 0, tzinfo=dt.timezone.utc)


def test_digest_lists_last_24h_events_with_their_reports(store) -> None:
    seed_event(store)  # denial on 11 Nov 09:12, inside the window
    seed_event(store, key="old-event", published="2024-11-01T09:12:00+00:00")
    with store.atomic():  # the old event's match was also made long ago
        store.db.execute("UPDATE matches SET created_at = '2024-11-01T10:00:00+00:00' WHERE report_id IN"
                         " (SELECT id FROM documents WHERE url LIKE '%old-event%')")
    digest = build_digest(store, MORNING)
    assert digest.title == "Denial digest 12 Nov 2024: 1 event"
    assert "Dmitry Peskov, 11 Nov 2024 09:12 UTC" in digest.text
    assert "contradicts The Washington Post: “Trump spoke with Putin” (score 0.87)" in digest.text
    assert "old-event" not in digest.text and "2024-11-01" not in digest.text


def test_empty_day_still_gets_a_digest(store) -> None:
    digest = build_digest(store, MORNING)
    assert "No denial events in this period." in digest.text


def test_queue_digest_is_idempotent_per_day_and_routed_to_digest_tag(store) -> None:
    seed_event(store)
    assert queue_digest(store, MORNING) is not None
    assert queue_digest(store, MORNING + dt.timedelta(hours=3)) is None
    assert queue_digest(store, MORNING + dt.timedelta(days=1)) is not None
    rows = store.list_alerts()
    assert sorted(r["key"] for r in rows) == ["digest:2024-11-12", "digest:2024-11-13"]
    assert {r["tag"] for r in rows} == {"digest"}
    digest_rx, denial_rx = start_http_receiver(), start_http_receiver()
    try:
        n = Notifier.from_config(f"digest={digest_rx.url()} denial={denial_rx.url()}")
        assert send_pending(store, n, now=MORNING + dt.timedelta(days=1), policy=RetryPolicy()).sent == 2
        assert len(digest_rx.received) == 2 and denial_rx.received == []
    finally:
        for r in (digest_rx, denial_rx):
            r.server.shutdown()
            r.server.server_close()


def test_digest_cron_from_env() -> None:
    assert digest_cron({}) == DEFAULT_DIGEST_CRON == "0 7 * * *"
    assert digest_cron({"MONITOR_DIGEST_CRON": "30 6 * * 1-5"}) == "30 6 * * 1-5"
    with pytest.raises(ConfigError, match="MONITOR_DIGEST_CRON"):
        digest_cron({"MONITOR_DIGEST_CRON": "every morning"})
