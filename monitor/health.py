"""Is the monitor healthy? Reads the archive's counters; used by ``monitor status``.

Unhealthy (``monitor status --check`` exits 1) when any of, each named in ``problems``:

- no source has had a successful crawl within ``intervals`` of its own interval
  (``MONITOR_HEALTH_INTERVALS``, default 3). A daemon's start counts as a fresh
  start for every source, so a daemon that has not finished its first crawl, or
  that was restarted after a long stop, gets that many intervals of grace;
- the sources that matter are stale (issue 17: one working news feed kept the
  container healthy while every Kremlin and MFA source failed): any source marked
  ``critical = true`` in the catalogue that has not succeeded within its intervals,
  or, when none is marked, no enabled official source that has;
- the daemon recorded in the archive is dead (status ``running`` but no heartbeat for
  ``HEARTBEAT_MISSES`` periods, at least ``MIN_STALE_S``) or was stopped;
- alerts failed for good within ``MONITOR_HEALTH_ALERT_WINDOW`` (default 24h), or
  alerts are waiting after ``UNDELIVERABLE_ATTEMPTS`` failed deliveries (no route, a
  failing target): they cannot be delivered now;
- the processing backlog is not kept up with (``backlog_problem``): the oldest document
  waiting for processing was stored longer ago than ``MONITOR_BACKLOG_MAX_AGE``
  (default 15m; issue 16).

An archive on which no daemon ever ran (``monitor crawl`` from cron) is judged on its
sources and alerts only. Pure apart from the store reads; ``now`` is injectable.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from monitor.config import parse_duration
from monitor.errors import ConfigError
from monitor.timeutil import format_timestamp, parse_timestamp, utcnow

#: A daemon that missed this many heartbeats is dead...
HEARTBEAT_MISSES = 3
#: ... but never declared dead sooner than this (a heartbeat may wait for a busy writer).
MIN_STALE_S = 60.0
DEFAULT_INTERVALS = 3.0
DEFAULT_ALERT_WINDOW_S = 86400.0
#: Pending alerts that failed this many deliveries make the monitor unhealthy (one retry of grace).
UNDELIVERABLE_ATTEMPTS = 2
#: The oldest stored-but-unprocessed document may wait this long before health fails
#: (``MONITOR_BACKLOG_MAX_AGE`` overrides it).
BACKLOG_MAX_AGE_S = 900.0


def backlog_max_age_from_env(env: Any = None) -> float:
    """``MONITOR_BACKLOG_MAX_AGE`` (a duration, default 15m): how long a document may wait for processing."""
    env = os.environ if env is None else env
    if not env.get("MONITOR_BACKLOG_MAX_AGE"):
        return BACKLOG_MAX_AGE_S
    try:
        return parse_duration(env["MONITOR_BACKLOG_MAX_AGE"])
    except ValueError as exc:
        raise ConfigError(f"environment variable MONITOR_BACKLOG_MAX_AGE: {exc}") from None


def health_settings_from_env(env: Any = None) -> tuple[float, float]:
    """``(intervals, alert_window_s)`` from ``MONITOR_HEALTH_INTERVALS`` and ``MONITOR_HEALTH_ALERT_WINDOW``."""
    env = os.environ if env is None else env
    raw = env.get("MONITOR_HEALTH_INTERVALS") or str(DEFAULT_INTERVALS)
    try:
        intervals = float(raw)
        if intervals <= 0:
            raise ValueError
    except ValueError:
        raise ConfigError(f"environment variable MONITOR_HEALTH_INTERVALS: expected a positive number, got {raw!r}") from None
    window = DEFAULT_ALERT_WINDOW_S
    if env.get("MONITOR_HEALTH_ALERT_WINDOW"):
        try:
            window = parse_duration(env["MONITOR_HEALTH_ALERT_WINDOW"])
        except ValueError as exc:
            raise ConfigError(f"environment variable MONITOR_HEALTH_ALERT_WINDOW: {exc}") from None
    return intervals, window


def assess_health(store: Any, *, intervals: float | None = None, alert_window_s: float | None = None,
                  now: dt.datetime | None = None) -> dict[str, Any]:
    env_intervals, env_window = health_settings_from_env()
    intervals = intervals or env_intervals
    alert_window_s = alert_window_s or env_window
    now = now or utcnow()
    sources = store.source_health()
    alerts = store.alert_counts()
    daemon = store.daemon_state()
    problems: list[str] = []
    details: list[str] = []

    daemon_line, daemon_problem = _assess_daemon(daemon, now)
    if daemon_problem:
        problems.append(daemon_problem)
    # A daemon's (re)start is a fresh start for every source: grace until `intervals` have passed.
    grace_from = _parse(daemon.get("started_at")) if daemon else None

    fresh = judged = 0
    stale: dict[str, str] = {}  # name -> last success, for sources out of their expected interval
    for s in sources:
        interval = schedule_interval_s(s.get("schedule"), now)
        last_ok = _parse(s.get("last_success_at"))
        reference = max((t for t in (last_ok, grace_from) if t is not None), default=None)
        if reference is not None:
            judged += 1
            if (now - reference).total_seconds() <= interval * intervals:
                fresh += 1
            else:
                stale[s["name"]] = s.get("last_success_at") or "never"
        elif s.get("last_run_at"):  # crawled (by cron, no daemon) and never succeeded
            stale[s["name"]] = "never"
        failures = int(s.get("consecutive_failures") or 0)
        state = f"{failures} consecutive failures" if failures else ("ok" if s.get("last_run_at") else "never run")
        details.append(
            f"{s['name']}: {state}; last success {s.get('last_success_at') or 'never'};"
            f" last error {s.get('last_error') or '-'}; next run {s.get('next_run_at') or '-'};"
            f" {s.get('documents', 0)} documents"
        )
    if judged and fresh == 0:
        problems.append(f"no source crawled successfully within {intervals:g} intervals")
    else:
        problem = _key_sources_problem(sources, stale, intervals)
        if problem:
            problems.append(problem)

    since = format_timestamp(now - dt.timedelta(seconds=alert_window_s))
    recent_failed = store.count_failed_alerts_since(since)
    if recent_failed:
        problems.append(f"{recent_failed} alerts failed delivery in the last {_human(alert_window_s)}")
    stuck = [a for a in store.list_alerts(limit=1000, status="pending")
             if int(a.get("attempts") or 0) >= UNDELIVERABLE_ATTEMPTS]
    if stuck:
        problems.append(f"{len(stuck)} alerts cannot be delivered (pending after {UNDELIVERABLE_ATTEMPTS}+ attempts;"
                        f" last error: {stuck[0].get('last_error') or '-'})")
    problem = backlog_problem(store, now, backlog_max_age_from_env())
    if problem:
        problems.append(problem)
    backlog, backlog_line = _describe_backlog(store, now)
    details.append(backlog_line)
    counts = {
        "documents": store.count_documents(),
        "denials": store.count_denials(),
        "matches": store.count_matches(),
        # issue 15: detected denials that had no candidate report (reasons in denials.unmatched)
        "denials_unmatched": store.count_unmatched_denials(),
    }
    details.append(f"{counts['denials_unmatched']} denials without a candidate report "
                   "(why: SELECT id, unmatched FROM denials WHERE unmatched IS NOT NULL)")
    summary = (
        f"{'healthy' if not problems else 'UNHEALTHY: ' + '; '.join(problems)} - "
        f"{counts['documents']} documents, {counts['denials']} denials, {counts['matches']} matches; "
        f"alerts pending {alerts.get('pending', 0)}, sent {alerts.get('sent', 0)}, failed {alerts.get('failed', 0)}"
    )
    return {"healthy": not problems, "problems": problems, "summary": summary, "daemon_line": daemon_line,
            "details": details, "counts": counts, "alerts": alerts, "daemon": daemon, "sources": sources,
            "backlog": backlog}


def _key_sources_problem(sources: list[dict[str, Any]], stale: dict[str, str], intervals: float) -> str | None:
    """Critical sources that are stale, or, with none marked critical, all official ones stale."""
    enabled = [s for s in sources if s.get("enabled") is None or int(s["enabled"])]
    critical = [s["name"] for s in enabled if int(s.get("critical") or 0)]
    if critical:
        late = [n for n in critical if n in stale]
        if late:
            return (f"critical source(s) without a successful crawl within {intervals:g} intervals: "
                    + ", ".join(f"{n} (last success {stale[n]})" for n in late))
        return None
    official = [s["name"] for s in enabled if s.get("role") == "official"]
    if official and all(n in stale for n in official):
        return (f"no official source crawled successfully within {intervals:g} intervals"
                f" ({len(official)} failing, e.g. {official[0]}: last success {stale[official[0]]})")
    return None


def backlog_problem(store: Any, now: dt.datetime, max_age_s: float = BACKLOG_MAX_AGE_S) -> str | None:
    """The processing backlog (issue 16) when it is not kept up with.

    Uses ``store.processing_backlog()``, ``(documents waiting, stored_at of the oldest or
    None)``: unhealthy when the oldest has waited more than ``max_age_s`` (processing is
    not keeping up, so the backlog grows). A store without it: no problem.
    """
    probe = getattr(store, "processing_backlog", None)
    if probe is None:
        return None
    waiting, oldest = probe()
    oldest_at = _parse(oldest)
    if waiting and oldest_at is not None and (now - oldest_at).total_seconds() > max_age_s:
        return (f"processing backlog: {waiting} documents waiting, the oldest stored"
                f" {_human((now - oldest_at).total_seconds())} ago")
    return None


def _describe_backlog(store: Any, now: dt.datetime) -> tuple[dict[str, Any], str]:
    """``(backlog as JSON, line for humans)``: documents waiting for processing (issue 16)."""
    from dataclasses import asdict

    from monitor.pipeline import PIPELINE_VERSION

    status = store.backlog_status(PIPELINE_VERSION)
    oldest = _parse(status.oldest_queued_at)
    age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    data = {**asdict(status), "oldest_age_s": round(age, 1), "pipeline_version": PIPELINE_VERSION}
    line = (f"processing backlog: {status.unprocessed} unprocessed"
            + (f" (oldest stored {_human(age)} ago)" if status.unprocessed else "")
            + f", {status.stale} to redo for pipeline version {PIPELINE_VERSION}, {status.failed} failed")
    return data, line


def _assess_daemon(daemon: dict[str, Any] | None, now: dt.datetime) -> tuple[str, str | None]:
    """``(line for humans, problem or None)``."""
    if daemon is None:
        return "daemon: never run on this archive", None
    beat = _parse(daemon.get("heartbeat_at"))
    period = float(daemon.get("heartbeat_s") or 30.0)
    age = (now - beat).total_seconds() if beat else None
    where = f"pid {daemon.get('pid')} on {daemon.get('hostname')}"
    if daemon.get("status") == "stopped":
        return (f"daemon: stopped at {daemon.get('stopped_at')} ({where})",
                f"daemon stopped at {daemon.get('stopped_at')}")
    stale_after = max(HEARTBEAT_MISSES * period, MIN_STALE_S)
    if age is None or age > stale_after:
        return (f"daemon: DEAD? last heartbeat {daemon.get('heartbeat_at')} ({where})",
                f"daemon not responding: no heartbeat for {_human(age or 0)}")
    return (f"daemon: {daemon.get('status')} since {daemon.get('started_at')}, heartbeat {int(age)}s ago ({where})",
            None)


def schedule_interval_s(schedule: str | None, now: dt.datetime | None = None) -> float:
    """A source's interval from its recorded schedule text (``every 600s`` or ``cron ...``)."""
    if schedule and schedule.startswith("every ") and schedule.endswith("s"):
        try:
            return float(schedule[6:-1])
        except ValueError:
            pass
    if schedule and schedule.startswith("cron "):
        from monitor.collect.backoff import cron_interval_s

        try:
            return cron_interval_s(schedule[5:], now or utcnow())
        except ValueError:
            pass
    return 3600.0


def _parse(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return parse_timestamp(str(value))
    except ValueError:
        return None


def _human(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g}h"
    if seconds >= 60:
        return f"{seconds / 60:.0f}m"
    return f"{seconds:.0f}s"
