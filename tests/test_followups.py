"""News joining an alerted event (issue 19): the full alert re-rendered while undelivered,
else one short follow-up, coalesced while it waits; latency recorded per stage."""

from __future__ import annotations

import datetime as dt

import pytest

from alert_helpers import add_doc, add_match, seed_event, start_http_receiver
from monitor.alerts.delivery import RetryPolicy, queue_event_alerts, send_pending
from monitor.alerts.notifier import Notifier
from monitor.store import Store

NOW = dt.datetime(2024, 11, 11, 10, 0, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(minutes=10)
FAST = RetryPolicy(base_s=60, max_delay_s=3600, max_attempts=3, lease_s=600)


@pytest.fixture
def receiver():
    r = start_http_receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def queue(store: Store, event_id: int, now: dt.datetime = NOW) -> int:
    with store.atomic():
        return queue_event_alerts(store, [event_id], now=now)


def add_denial_source(store: Store, event_id: int, url: str, source: str) -> None:
    with store.atomic():
        doc = add_doc(store, url, "Kremlin calls report fiction", "Peskov said the report was pure fiction.",
                      "2024-11-11T11:00:00+00:00", source)
        store.db["denials"].insert({"document_id": doc, "speaker": "Dmitry Peskov", "cue": "pure fiction",
                                    "quote": "The report is pure fiction.", "claim": "Trump and Putin spoke by phone",
                                    "event_id": event_id, "published": "2024-11-11T11:00:00+00:00"})


def first_denial(store: Store, event_id: int) -> int:
    return int(store.db.execute("SELECT id FROM denials WHERE event_id = ? ORDER BY id", [event_id]).fetchone()[0])


def test_news_before_delivery_rerenders_the_full_alert_not_a_second_one(store: Store) -> None:
    event_id = seed_event(store)
    assert queue(store, event_id) == 1
    add_denial_source(store, event_id, "http://ria.example/kremlin-fiction", "ria")
    assert queue(store, event_id) == 0  # nothing added ...
    [alert] = store.list_alerts()
    assert alert["kind"] == "denial"
    assert "Sources of the denial (3)" in alert["body_text"]  # ... the pending alert says it all
    assert "RIA Novosti" in alert["body_text"]
    assert queue(store, event_id) == 0


def test_new_source_after_delivery_sends_one_short_followup(store: Store, receiver) -> None:
    event_id = seed_event(store)
    queue(store, event_id)
    notifier = Notifier.from_config(receiver.url())
    assert send_pending(store, notifier, now=NOW, policy=FAST).sent == 1
    add_denial_source(store, event_id, "http://ria.example/kremlin-fiction", "ria")
    assert queue(store, event_id) == 1
    [followup] = store.list_alerts(status="pending")
    assert followup["kind"] == "followup" and followup["title"].startswith("Follow-up: 1 more source of the denial")
    assert "RIA Novosti" in followup["body_text"] and "Contradicted reports (" not in followup["body_text"]
    assert "The event now has 3 denial sources and 1 contradicted report." in followup["body_text"]
    assert queue(store, event_id) == 0


def test_a_burst_joins_the_waiting_followup(store: Store, receiver) -> None:
    event_id = seed_event(store)
    queue(store, event_id)
    notifier = Notifier.from_config(receiver.url())
    send_pending(store, notifier, now=NOW, policy=FAST)
    with store.atomic():
        add_match(store, first_denial(store, event_id), "http://nyt.example/call", "Leaders spoke, paper says")
    assert queue(store, event_id) == 1
    # within the coalescing window: a second report and a new source join the same follow-up
    with store.atomic():
        add_match(store, first_denial(store, event_id), "http://ft.example/call", "Phone call held")
    add_denial_source(store, event_id, "http://ria.example/kremlin-fiction", "ria")
    assert queue(store, event_id, NOW + dt.timedelta(seconds=30)) == 0
    assert send_pending(store, notifier, now=LATER, policy=FAST).sent == 1
    assert len(receiver.received) == 2
    body = receiver.received[1].body["message"]
    assert "nyt.example" in body and "ft.example" in body and "RIA Novosti" in body
    assert "wapo.example" not in body  # already in the delivered alert
    assert receiver.received[1].body["title"] == (
        "Follow-up: 2 more contradicted reports, 1 more source of the denial - Dmitry Peskov")
    assert queue(store, event_id, LATER) == 0  # all shown now


def test_latency_is_recorded_per_stage_and_completed_on_delivery(store: Store, receiver) -> None:
    event_id = seed_event(store)
    queue(store, event_id)
    [row] = store.db.execute("SELECT document_url, published, stored, processed, queued, delivered"
                             " FROM alert_latency").fetchall()
    url, published, stored, processed, queued, delivered = row
    assert url == "http://wapo.example/politics/peskov-call-2024-11-11-0"  # the last stored of the alert's documents
    assert published and stored and processed and queued == "2024-11-11T10:00:00+00:00" and delivered is None
    send_pending(store, Notifier.from_config(receiver.url()), now=LATER, policy=FAST)
    delivered = store.db.execute("SELECT delivered FROM alert_latency").fetchone()[0]
    assert delivered == "2024-11-11T10:10:00+00:00"
    seconds = store.db.execute("SELECT queued_to_delivered FROM alert_latency_seconds").fetchone()[0]
    assert seconds == 600
