"""Alerts: queue them in the outbox with the data that caused them; deliver them through Apprise.

Queueing (``queue_event_alerts``) runs inside the transaction that stored the documents,
so an alert exists exactly when its denial and matches do. Idempotency keys make it
safe to run again:

- ``denial:<denial url>``: the full alert for an event, queued once, when the event has
  at least one contradicted report; it records the denial and report URLs it covers.
- ``followup:<alert id>:<url>``: a short alert for the reports and denial documents
  that joined an event already alerted (one whose denial documents an earlier alert
  covered), coalesced while it waits (issue 19); the URL is the first new one.

Delivery (``send_pending``) claims an alert (``pending`` -> ``sending``, one UPDATE),
sends it to each routed service that does not have it yet, then marks it ``sent``; a
failure puts it back to ``pending`` with exponential backoff, and after
``max_attempts`` it is ``failed`` (``monitor status`` reports it).

Crash semantics (issue 7): delivery is **at-least-once**. If the process dies after a
service accepted an alert but before the bookkeeping commits, the alert stays
``sending``; once its lease (``lease_s``, default 10 minutes, longer than any Apprise
timeout) has expired, the next ``send_pending`` re-sends it, marked "possible
duplicate" so analysts can tell, with the same ``ref``. The window is one alert and one
service: per-service success is committed as soon as it happens. An alert is never
lost; it is sent twice only across such a crash. Nothing here is at-most-once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from monitor.alerts.formatting import (
    EventView, Rendered, SourceView, reason_with_outlet, render_event, render_followup, render_test,
)
from monitor.alerts.notifier import KIND_TAGS, Notifier, ServiceResult, fingerprint
from monitor.lexicons import display_name, load_outlets
from monitor.timeutil import format_timestamp, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for failed deliveries: base × 2**(attempt-1), capped."""

    base_s: float = 60.0
    max_delay_s: float = 3600.0
    max_attempts: int = 8
    #: How long an alert may stay ``sending`` before it is presumed interrupted.
    lease_s: float = 600.0

    def delay(self, attempts: int) -> float:
        return float(min(self.max_delay_s, self.base_s * 2 ** max(0, attempts - 1)))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "RetryPolicy":
        """``MONITOR_ALERT_RETRY_BASE``, ``..._MAX_DELAY`` (seconds), ``..._MAX_ATTEMPTS``, ``MONITOR_ALERT_LEASE``."""
        from monitor.errors import ConfigError

        values: dict[str, Any] = {}
        for var, name, kind in (("MONITOR_ALERT_RETRY_BASE", "base_s", float),
                                ("MONITOR_ALERT_RETRY_MAX_DELAY", "max_delay_s", float),
                                ("MONITOR_ALERT_MAX_ATTEMPTS", "max_attempts", int),
                                ("MONITOR_ALERT_LEASE", "lease_s", float)):
            raw = environ.get(var)
            if raw:
                try:
                    values[name] = kind(raw)
                except ValueError:
                    raise ConfigError(f"{var}: not a number: {raw!r}") from None
                if values[name] <= 0:
                    raise ConfigError(f"{var}: must be positive, got {raw!r}")
        return cls(**values)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    #: (alert id, masked URL or "console", ok, error) per attempt, for the CLI.
    results: list[tuple[int, str, bool, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} failed"


# -- queueing ------------------------------------------------------------------------


#: A follow-up waits this long before delivery, so that a burst of news about one
#: event (several reports, the agencies relaying the denial) makes one follow-up.
FOLLOWUP_COALESCE_S = 120.0


def _reason(explanation: str | None, outlets: Mapping[str, str]) -> str:
    """The match's one-line reason, the cited outlet by its display name."""
    try:
        data = json.loads(explanation or "{}")
    except ValueError:
        return ""
    return reason_with_outlet(data, outlets) if isinstance(data, dict) else ""


def event_view(store: Any, event_id: int, outlets: Mapping[str, str] | None = None) -> EventView | None:
    """Everything an alert shows about an event, read from the archive.

    ``outlets`` maps source slugs to display names (default: the packaged lexicon).
    Counts are of distinct documents: one source per denial document, one report per
    contradicted document (its best match)."""
    names = load_outlets() if outlets is None else outlets
    event = store.denial_event(event_id)
    denials = store.event_denials(event_id)
    if event is None or not denials:
        return None
    first = denials[0]
    # The speaker's own words beat a reported denial: prefer an official source.
    own = next((d for d in denials if d.get("role") == "official"), first)
    sources, seen = [], set()
    for d in denials:
        if d["url"] not in seen:
            seen.add(d["url"])
            sources.append(SourceView(d["source"] or "", d["published"] or "", d["title"] or "", d["url"],
                                      name=display_name(d["source"], names)))
    reports = [SourceView(m["source"] or "", m["published"] or "", m["title"] or "", m["url"],
                          float(m["score"]) if m["score"] is not None else None, _reason(m["explanation"], names),
                          name=display_name(m["source"], names))
               for m in store.event_matches(event_id)]
    return EventView(key=str(event.get("key") or f"event-{event_id}"), speaker=own["speaker"] or event.get("speaker") or "",
                     published=own["published"] or "", quote=own["quote"] or "", quote_url=own["url"],
                     claim=_claim(own["claim"], event.get("claim")), sources=tuple(sources), reports=tuple(reports))


def _claim(own: str | None, event: str | None) -> str:
    """The quoted denial's own claim when it is a whole sentence; else the event's (the
    longest whole one among its denials); a fragment cut before the cue only as a last resort."""
    if own and re.search(r"[.!?…][\"»”’)]*$", own.rstrip()):
        return own
    return event or own or ""


def queue_event_alerts(store: Any, event_ids: Iterable[int], *, now: dt.datetime | None = None,
                       coalesce_s: float = FOLLOWUP_COALESCE_S) -> int:
    """Queue the alert (or a follow-up) each event needs; return how many alerts were added.

    Call inside the transaction that stored the denials and matches; this does not
    commit. Events with no contradicted report get nothing (yet). An event counts as
    already alerted when an earlier alert covered any of its denial documents: event
    keys change as coverage joins an event, document URLs do not. Then what no alert
    has shown yet (new contradicted reports, new denial documents) goes:

    - into the full alert itself, re-rendered, while nobody has tried to deliver it;
    - else into the event's follow-up still waiting (``coalesce_s`` after it was
      queued), re-rendered with everything new since the last delivered alert;
    - else into one new follow-up. Never a second full alert.
    """
    current = now or utcnow()
    stamp = format_timestamp(current)
    outlets = load_outlets()
    added = 0
    for event_id in dict.fromkeys(int(e) for e in event_ids):
        view = event_view(store, event_id, outlets)
        if view is None or not view.reports:
            continue
        denial_urls = [s.url for s in view.sources]
        report_urls = [r.url for r in view.reports]
        covering = store.alerts_covering(denial_urls)
        # A withdrawn alert (analysts rejected all it said) was never delivered: news
        # after it is a first alert again, under a key of its own.
        withdrawn = [a for a in covering if a["status"] == "withdrawn"]
        earlier = [a for a in covering if a["status"] != "withdrawn"]
        if not earlier:
            key = f"denial:{view.quote_url}" + (f":after:{max(a['id'] for a in withdrawn)}" if withdrawn else "")
            alert_id = _queue(store, key, "denial", event_id, render_event(view), denial_urls, report_urls, stamp)
            if alert_id is not None:
                store.record_alert_latency(alert_id, event_id, denial_urls + report_urls, stamp)
                added += 1
            continue
        unsent = [a for a in earlier if a["status"] == "pending" and not a["attempts"]]
        delivered = [a for a in earlier if a not in unsent]
        covered_reports = {u for a in earlier for u in json.loads(a["reports"] or "[]")}
        covered_denials = {u for a in earlier for u in json.loads(a["denials"] or "[]")}
        if set(report_urls) <= covered_reports and set(denial_urls) <= covered_denials:
            continue
        full = next((a for a in unsent if a["kind"] == "denial"), None)
        if full is not None:
            r = render_event(view)
            if store.update_unsent_alert(full["id"], title=r.title, body_text=r.text, body_markdown=r.markdown,
                                         body_html=r.html, denials=denial_urls, reports=report_urls, now=stamp):
                store.record_alert_latency(full["id"], event_id, denial_urls + report_urls, stamp)
                continue
        # What the alerts already (being) delivered did not show goes into one follow-up.
        shown_reports = {u for a in delivered for u in json.loads(a["reports"] or "[]")}
        shown_denials = {u for a in delivered for u in json.loads(a["denials"] or "[]")}
        new_reports = [r for r in view.reports if r.url not in shown_reports]
        new_sources = [s for s in view.sources if s.url not in shown_denials]
        rendered = render_followup(view, new_reports, new_sources)
        new_urls = [x.url for x in new_sources] + [x.url for x in new_reports]
        waiting = next((a for a in unsent if a["kind"] == "followup"), None)
        if waiting is not None and store.update_unsent_alert(
                waiting["id"], title=rendered.title, body_text=rendered.text, body_markdown=rendered.markdown,
                body_html=rendered.html, denials=denial_urls, reports=[r.url for r in new_reports], now=stamp):
            store.record_alert_latency(waiting["id"], event_id, new_urls, stamp)
            continue
        anchor = next((a for a in earlier if a["kind"] == "denial"), earlier[0])
        not_before = format_timestamp(current + dt.timedelta(seconds=coalesce_s))
        alert_id = _queue(store, f"followup:{anchor['id']}:{min(new_urls)}", "followup", event_id, rendered,
                          denial_urls, [r.url for r in new_reports], stamp, not_before=not_before)
        if alert_id is not None:
            store.record_alert_latency(alert_id, event_id, new_urls, stamp)
            added += 1
    if added:
        log.info("alerts queued count=%d", added)
    return added


def refresh_unsent_alerts(store: Any, *, now: dt.datetime | None = None,
                          reason: str = "withdrawn: analysts rejected what it reported") -> int:
    """Re-render every alert not yet tried from its event's current state; return how many changed.

    Called after an analyst's verdict (issue 19): a match marked wrong, or a denial
    marked not a denial, must not reach anyone through an alert queued before the
    verdict. An alert left with no contradicted report is ``withdrawn`` (``reason``). Matching
    calls it too, when a later denial took matches back (``pipeline.refresh_after_withdrawals``).
    Does not commit.
    """
    stamp = format_timestamp(now or utcnow())
    outlets = load_outlets()
    changed = 0
    for alert in store.unsent_event_alerts():
        view = event_view(store, int(alert["event_id"]), outlets) if alert["event_id"] is not None else None
        listed = set(json.loads(alert["reports"] or "[]"))
        if view is None or not view.reports:
            changed += store.withdraw_alert(alert["id"], reason, stamp)
            continue
        if alert["kind"] == "denial":
            rendered = render_event(view)
            reports = [r.url for r in view.reports]
        else:
            kept = [r for r in view.reports if r.url in listed]
            if not kept:
                changed += store.withdraw_alert(alert["id"], reason, stamp)
                continue
            rendered, reports = render_followup(view, kept), [r.url for r in kept]
        changed += store.update_unsent_alert(
            alert["id"], title=rendered.title, body_text=rendered.text, body_markdown=rendered.markdown,
            body_html=rendered.html, denials=[s.url for s in view.sources], reports=reports, now=stamp)
    return changed


def _queue(store: Any, key: str, kind: str, event_id: int | None, r: Rendered, denials: list[str],
           reports: list[str], stamp: str, not_before: str | None = None) -> int | None:
    return store.queue_alert(key=key, kind=kind, tag=KIND_TAGS.get(kind, kind), title=r.title,  # type: ignore[no-any-return]
                             body_text=r.text, body_markdown=r.markdown, body_html=r.html, event_id=event_id,
                             denials=denials, reports=reports, now=stamp, not_before=not_before)


# -- delivery ------------------------------------------------------------------------

DUPLICATE_NOTE = "(possible duplicate: an earlier delivery was interrupted) "


def send_pending(store: Any, notifier: Notifier | None = None, *, now: dt.datetime | None = None, force: bool = False,
                 policy: RetryPolicy | None = None, timeout: float = 0) -> DeliveryReport:
    """Deliver every due alert (every pending one when ``force``); return what happened.

    Never raises for a delivery failure: it is recorded on the alert and retried.
    """
    notifier = notifier or notifier_from_env()
    policy = policy or RetryPolicy.from_env(os.environ)
    current = now or utcnow()
    stamp = format_timestamp(current)
    stale = format_timestamp(current - dt.timedelta(seconds=policy.lease_s))
    report = DeliveryReport()
    for alert in store.due_alerts(stamp, force=force, stale_before=stale):
        interrupted = alert["status"] == "sending"
        if not store.claim_alert(alert["id"], stamp, stale_before=stale):
            continue  # another process has it
        if interrupted:
            log.warning("alert delivery was interrupted; re-sending id=%s key=%s", alert["id"], alert["key"])
        _deliver_one(store, notifier, alert, current, policy, report, interrupted, timeout)
    if report.sent or report.retried or report.failed:
        log.info("alerts delivered sent=%d retry=%d failed=%d", report.sent, report.retried, report.failed)
    return report


def _deliver_one(store: Any, notifier: Notifier, alert: dict[str, Any], now: dt.datetime, policy: RetryPolicy,
                 report: DeliveryReport, interrupted: bool, timeout: float) -> None:
    stamp = format_timestamp(now)
    title = (DUPLICATE_NOTE if interrupted else "") + (alert["title"] or "")
    if notifier.is_console:
        notifier.console.write(f"\n=== {title} ===\n{alert['body_text'] or ''}")
        notifier.console.flush()
        store.mark_alert_sent(alert["id"], stamp, "console")
        report.sent += 1
        report.results.append((alert["id"], "console", True, ""))
        return
    tag = alert["tag"] if alert["kind"] != "test" else None
    services = notifier.route(tag)
    done = set(json.loads(alert.get("delivered_to") or "[]"))
    errors: list[str] = []
    if not services:
        errors.append(f"no route: no notification URL has tag {tag!r} (and none is untagged)")
    for service in services:
        if fingerprint(service) in done:
            continue
        result: ServiceResult = notifier.send(service, title=title, text=_note(alert["body_text"], interrupted),
                                              markdown=_note(alert["body_markdown"], interrupted),
                                              html=_note(alert["body_html"], interrupted, html=True),
                                              timeout=timeout)
        report.results.append((alert["id"], result.masked_url, result.ok, result.error))
        if result.ok:
            store.record_delivered_to(alert["id"], [result.fingerprint])
        else:
            errors.append(result.error)
    if not errors:
        store.mark_alert_sent(alert["id"], stamp, f"apprise:{len(services)}")
        report.sent += 1
        return
    error = "; ".join(errors)[:500]
    attempts = int(alert["attempts"] or 0) + 1
    if attempts >= policy.max_attempts:
        store.mark_alert_failed(alert["id"], stamp, error)
        report.failed += 1
        log.error("alert failed for good id=%s key=%s attempts=%d error=%s", alert["id"], alert["key"], attempts, error)
    else:
        when = format_timestamp(now + dt.timedelta(seconds=policy.delay(attempts)))
        store.mark_alert_retry(alert["id"], stamp, error, when)
        report.retried += 1
        log.warning("alert delivery failed id=%s key=%s attempt=%d next=%s error=%s",
                    alert["id"], alert["key"], attempts, when, error)


def _note(body: str | None, interrupted: bool, html: bool = False) -> str:
    if not interrupted:
        return body or ""
    return (f"<p><i>{DUPLICATE_NOTE}</i></p>" if html else DUPLICATE_NOTE + "\n\n") + (body or "")


def send_test(notifier: Notifier, *, now: dt.datetime | None = None, timeout: float = 0) -> list[ServiceResult]:
    """Send a test notification to every configured service (not through the outbox)."""
    r = render_test(now or utcnow())
    if notifier.is_console:
        notifier.console.write(f"=== {r.title} ===\n{r.text}")
        return [ServiceResult("console", "console", True)]
    return [notifier.send(s, title=r.title, text=r.text, markdown=r.markdown, html=r.html, timeout=timeout)
            for s in notifier.services]


def notifier_from_env(environ: Mapping[str, str] | None = None, config_path: str | None = None) -> Notifier:
    """The notifier configured by ``APPRISE_URLS`` / ``MONITOR_APPRISE_CONFIG`` (for the daemon)."""
    return Notifier.from_env(environ, config_path)
