"""When a source runs next: its interval, jitter and exponential backoff after failures.

Pure functions of values (no clock, no randomness of their own: callers pass ``now``
and a ``random.Random``), so the daemon's schedule can be tested without waiting.

Backoff rule (issue 4): after ``n`` consecutive failures the next attempt waits
``interval × 2**n``, capped at ``min(max_delay_s, 4 × interval)`` but never below the
interval itself; one success resets ``n`` to 0 and the source is back on its schedule.
The cap is relative to the interval (issue 17: 16 intervals parked a 10-minute official
source for over 2 h after a DNS failure): a source is never polled less than a quarter
as often as configured. ``monitor sources --retry NAME`` resets a backoff by hand.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

#: Never wait more than this long between attempts at a failing source (default 6 h).
DEFAULT_MAX_DELAY_S = 6 * 3600.0
#: ... nor more than this many intervals.
MAX_INTERVALS = 4
#: Per-run jitter: a fraction of the interval, at most this many seconds.
JITTER_FRACTION = 0.1
MAX_JITTER_S = 60.0
#: Stagger of the first runs after start: at most half an interval, at most this long.
MAX_STAGGER_S = 30.0


@dataclass(frozen=True)
class BackoffPolicy:
    """How failing sources slow down; built once from the environment by the daemon."""

    #: Upper bound of any backoff delay, in seconds.
    max_delay_s: float = DEFAULT_MAX_DELAY_S
    #: Upper bound as a multiple of the source's interval.
    max_intervals: float = MAX_INTERVALS

    def cap_s(self, interval_s: float) -> float:
        """The longest wait for a source with this interval (never below the interval)."""
        return max(interval_s, min(self.max_delay_s, self.max_intervals * interval_s))

    def delay_s(self, interval_s: float, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failures (0 failures: the interval)."""
        if failures <= 0:
            return interval_s
        # 2**n overflows nothing but grows fast: clamp the exponent before multiplying.
        factor = 2.0 ** min(failures, 40)
        return min(interval_s * factor, self.cap_s(interval_s))


def jitter_s(interval_s: float) -> float:
    """Spread added to each run of a source so sources do not fire in lockstep."""
    return min(interval_s * JITTER_FRACTION, MAX_JITTER_S)


def first_run_at(
    now: dt.datetime,
    interval_s: float,
    rng: random.Random,
    stored_next_run: dt.datetime | None = None,
    policy: BackoffPolicy | None = None,
) -> dt.datetime:
    """When a source first runs after the daemon starts.

    Soon, but staggered (up to half an interval, at most ``MAX_STAGGER_S``) so a fleet
    of sources does not fire at once. A restart keeps a backoff in progress: a
    ``next_run_at`` recorded by the previous daemon still in the future is honoured,
    but never further away than the policy's cap (the catalogue may have changed).
    """
    policy = policy or BackoffPolicy()
    soon = now + dt.timedelta(seconds=rng.uniform(0.0, min(interval_s / 2.0, MAX_STAGGER_S)))
    if stored_next_run is not None and stored_next_run > soon:
        return min(stored_next_run, now + dt.timedelta(seconds=policy.cap_s(interval_s)))
    return soon


def retry_at(finished: dt.datetime, interval_s: float, failures: int, policy: BackoffPolicy,
             rng: random.Random) -> dt.datetime:
    """Earliest time a failing source may run again (with the per-run jitter added)."""
    delay = policy.delay_s(interval_s, failures) + rng.uniform(0.0, jitter_s(interval_s))
    return finished + dt.timedelta(seconds=delay)


def cron_interval_s(expr: str, now: dt.datetime) -> float:
    """The typical spacing of a cron schedule: the gap between its next two fire times."""
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(expr, timezone=dt.timezone.utc)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + dt.timedelta(seconds=1)) if first else None
    if first is None or second is None:
        return 86400.0
    return max(1.0, (second - first).total_seconds())
