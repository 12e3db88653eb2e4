"""Latency per stage (issue 19): recorded with each alert, summarised by ``monitor status``."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from click.testing import CliRunner

from alert_helpers import seed_event
from monitor.alerts.delivery import RetryPolicy, queue_event_alerts, send_pending
from monitor.alerts.latency import latency_line, latency_summary, percentile
from monitor.alerts.notifier import Notifier
from monitor.cli import cli
from monitor.store import Store
from monitor.timeutil import format_timestamp, utcnow


def test_nearest_rank_percentiles() -> None:
    values = list(range(1, 101))
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 100)) == (50, 95, 100)
    assert percentile([7.0], 95) == 7.0 and percentile([], 50) is None


def test_summary_leaves_a_missing_stage_out_of_that_stage_only() -> None:
    rows = [{"published_to_fetched": None, "queued_to_delivered": 10, "published_to_delivered": 100},
            {"published_to_fetched": 30, "queued_to_delivered": None, "published_to_delivered": None}]
    summary = latency_summary(rows)
    assert summary["alerts"] == 2
    assert summary["stages"]["published_to_fetched"] == {"p50": 30.0, "p95": 30.0, "n": 1}
    assert summary["stages"]["queued_to_delivered"]["n"] == 1
    line = latency_line(summary)
    assert "published->fetched 30s/30s" in line and "published->delivered 100m/100m" not in line
    assert "published->delivered 2m/2m" in line  # 100 s
    assert latency_line(latency_summary([])) == "alert latency (last 24 h): no alerts queued"


def test_status_prints_p50_p95_per_stage_of_the_last_day(db_path: Path) -> None:
    now = utcnow().replace(microsecond=0)
    with Store.open(db_path) as store:
        event_id = seed_event(store, published=format_timestamp(now - dt.timedelta(hours=2)))
        with store.atomic():
            assert queue_event_alerts(store, [event_id], now=now) == 1
        report = send_pending(store, Notifier(console=io.StringIO()), now=now + dt.timedelta(seconds=45),
                              policy=RetryPolicy(max_attempts=1))
        assert report.sent == 1
    result = CliRunner().invoke(cli, ["status", "--db", str(db_path)])
    assert "alert latency (last 24 h, 1 alerts, p50/p95):" in result.output, result.output
    assert "queued->delivered 45s/45s" in result.output
    as_json = CliRunner().invoke(cli, ["status", "--json", "--db", str(db_path)])
    latency = json.loads(as_json.output)["latency"]
    assert latency["alerts"] == 1 and latency["stages"]["queued_to_delivered"]["p50"] == 45.0
