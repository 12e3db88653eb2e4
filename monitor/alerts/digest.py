"""The daily digest: the last 24 hours' denial events and matches, to the ``digest`` tag.

The daemon schedules ``queue_digest`` with ``digest_cron(environ)`` (env
``MONITOR_DIGEST_CRON``, default ``0 7 * * *``, read as UTC) and then runs
``send_pending``. Queueing is idempotent per UTC day (key ``digest:YYYY-MM-DD``), so a
restart or a second scheduler run the same day adds nothing. A day with no event
still gets a digest saying so: silence would look like a dead monitor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from monitor.alerts.formatting import DigestView, Rendered, render_digest
from monitor.alerts.delivery import event_view
from monitor.errors import ConfigError
from monitor.timeutil import format_timestamp, to_utc

DEFAULT_DIGEST_CRON = "0 7 * * *"
WINDOW = dt.timedelta(hours=24)


def digest_cron(environ: Mapping[str, str]) -> str:
    """The digest's cron expression (5 fields, UTC); ``ConfigError`` if it does not parse."""
    value = (environ.get("MONITOR_DIGEST_CRON") or DEFAULT_DIGEST_CRON).strip()
    try:
        digest_trigger(value)
    except ValueError as exc:
        raise ConfigError(f"MONITOR_DIGEST_CRON: not a 5-field cron expression: {value!r} ({exc})") from None
    return value


def digest_trigger(cron: str) -> Any:
    """An APScheduler ``CronTrigger`` for ``cron`` in UTC (raises ValueError when invalid)."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(cron, timezone=dt.timezone.utc)


def build_digest(store: Any, now: dt.datetime) -> Rendered:
    """Render the digest of the 24 hours before ``now`` (events with a denial or a match in it)."""
    until = to_utc(now)
    since = until - WINDOW
    ids = store.recent_event_ids(format_timestamp(since), format_timestamp(until))
    views = [v for v in (event_view(store, i) for i in ids) if v is not None]
    views.sort(key=lambda v: v.published)
    return render_digest(DigestView(format_timestamp(since), format_timestamp(until), tuple(views)))


def queue_digest(store: Any, now: dt.datetime) -> int | None:
    """Queue today's digest unless it exists; return the alert id, or None if already queued."""
    key = f"digest:{to_utc(now).date().isoformat()}"
    if store.alert_keys(key):
        return None
    rendered = build_digest(store, now)
    with store.atomic():
        return store.queue_alert(key=key, kind="digest", tag="digest", title=rendered.title,  # type: ignore[no-any-return]
                                 body_text=rendered.text, body_markdown=rendered.markdown, body_html=rendered.html,
                                 now=format_timestamp(now))
