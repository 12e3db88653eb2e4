"""Backoff, jitter and first-run planning (monitor/backoff.py): pure, no clock."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from monitor.collect.backoff import BackoffPolicy, cron_interval_s, first_run_at, jitter_s, retry_at

NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.timezone.utc)


def test_delay_doubles_per_failure_from_the_interval() -> None:
    policy = BackoffPolicy()
    assert [policy.delay_s(600, n) for n in range(4)] == [600, 1200, 2400, 2400]
    assert [BackoffPolicy(max_intervals=16).delay_s(600, n) for n in range(5)] == [600, 1200, 2400, 4800, 9600]


def test_delay_is_capped_at_four_intervals_or_six_hours() -> None:
    policy = BackoffPolicy()
    assert policy.delay_s(600, 10) == 4 * 600  # 4 intervals < 6 h: a 10-minute source waits 40 min at most
    assert policy.delay_s(7200, 10) == 6 * 3600  # 6 h < 4 intervals
    assert policy.delay_s(7200, 10_000) == 6 * 3600  # no overflow on huge counts


def test_cap_never_shortens_a_long_interval() -> None:
    assert BackoffPolicy().delay_s(86400, 3) == 86400


def test_custom_cap() -> None:
    assert [BackoffPolicy(max_delay_s=4).delay_s(1, n) for n in range(5)] == [1, 2, 4, 4, 4]


def test_retry_at_adds_delay_and_bounded_jitter() -> None:
    rng = random.Random(1)
    for failures in (1, 2, 3):
        when = retry_at(NOW, 600, failures, BackoffPolicy(max_intervals=16), rng)
        delay = (when - NOW).total_seconds()
        assert 600 * 2**failures <= delay <= 600 * 2**failures + jitter_s(600)


def test_jitter_is_a_tenth_of_the_interval_at_most_a_minute() -> None:
    assert jitter_s(2) == pytest.approx(0.2)
    assert jitter_s(3600) == 60


def test_first_runs_are_staggered_within_half_an_interval() -> None:
    rng = random.Random(7)
    firsts = [first_run_at(NOW, 10, rng) for _ in range(50)]
    offsets = [(t - NOW).total_seconds() for t in firsts]
    assert all(0 <= o <= 5 for o in offsets)
    assert len({round(o, 3) for o in offsets}) > 40  # spread, not one instant


def test_first_run_stagger_is_at_most_thirty_seconds() -> None:
    rng = random.Random(3)
    assert all((first_run_at(NOW, 3600, rng) - NOW).total_seconds() <= 30 for _ in range(50))


def test_restart_keeps_a_backoff_in_progress_but_caps_it() -> None:
    rng = random.Random(0)
    later = NOW + dt.timedelta(seconds=2000)
    assert first_run_at(NOW, 600, rng, stored_next_run=later) == later
    far = NOW + dt.timedelta(days=30)
    assert first_run_at(NOW, 600, rng, stored_next_run=far) == NOW + dt.timedelta(seconds=4 * 600)
    past = NOW - dt.timedelta(hours=1)
    assert first_run_at(NOW, 600, rng, stored_next_run=past) <= NOW + dt.timedelta(seconds=30)


def test_cron_interval_is_the_gap_between_fire_times() -> None:
    assert cron_interval_s("*/5 * * * *", NOW) == 300
    assert cron_interval_s("0 7 * * *", NOW) == 86400
