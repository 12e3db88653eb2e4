"""Is the monitor healthy? Reads the archive's counters; used by ``monitor status``.

Unhealthy means: no source has had a successful crawl within ``MONITOR_HEALTH_INTERVALS``
of its interval (default 3), or alerts have failed for good. Before the first crawl
finishes a fresh daemon is given a grace period instead of being declared dead.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from .timeutil import parse_timestamp, utcnow


def assess_health(store: Any, *, intervals: float | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    intervals = intervals or float(os.environ.get("MONITOR_HEALTH_INTERVALS", "3"))
    now = now or utcnow()
    sources = store.source_health()
    alerts = store.alert_counts()
    problems: list[str] = []
    details: list[str] = []
    fresh = 0
    for s in sources:
        interval = _interval_s(s.get("schedule"))
        last_ok = s.get("last_success_at")
        age = (now - parse_timestamp(last_ok)).total_seconds() if last_ok else None
        if age is not None and age <= interval * intervals:
            fresh += 1
        state = f"{s['consecutive_failures']} consecutive failures" if s.get("consecutive_failures") else "ok"
        details.append(
            f"{s['name']}: {state}; last success {last_ok or 'never'}; last error {s.get('last_error') or '-'};"
            f" next run {s.get('next_run_at') or '-'}; {s.get('documents', 0)} documents"
        )
    crawled = [s for s in sources if s.get("last_run_at")]
    if crawled and fresh == 0:
        problems.append(f"no source crawled successfully within {intervals:g} intervals")
    if alerts.get("failed"):
        problems.append(f"{alerts['failed']} alerts failed delivery")
    counts = {
        "documents": store.count_documents(),
        "denials": store.count_denials(),
        "matches": store.count_matches(),
    }
    summary = (
        f"{'healthy' if not problems else 'UNHEALTHY: ' + '; '.join(problems)} - "
        f"{counts['documents']} documents, {counts['denials']} denials, {counts['matches']} matches; "
        f"alerts pending {alerts.get('pending', 0)}, sent {alerts.get('sent', 0)}, failed {alerts.get('failed', 0)}"
    )
    return {"healthy": not problems, "problems": problems, "summary": summary, "details": details,
            "counts": counts, "alerts": alerts, "sources": sources}


def _interval_s(schedule: str | None) -> float:
    if schedule and schedule.startswith("every ") and schedule.endswith("s"):
        try:
            return float(schedule[6:-1])
        except ValueError:
            pass
    return 3600.0
