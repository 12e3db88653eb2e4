"""Parsing and formatting of timestamps: everything stored is UTC ISO 8601.

A naive time is taken as UTC (the import contract). Stored strings all have the
same shape (``2024-11-10T14:05:00+00:00``) so that string order is time order in SQL.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc


def parse_timestamp(value: str) -> dt.datetime:
    """Parse an ISO 8601 date or date-time; naive means UTC. Raises ValueError."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("empty date")
    text = value.strip()
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date: {value!r}") from None
    return to_utc(parsed)


def to_utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` as an aware UTC datetime (naive is taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_timestamp(value: dt.datetime) -> str:
    """The archive's canonical string for a time: UTC, seconds, explicit offset."""
    if value.tzinfo is UTC and not value.microsecond:  # already canonical (what parse gives): no copies
        return value.isoformat()
    return to_utc(value).replace(microsecond=0).isoformat()


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def now_iso() -> str:
    return format_timestamp(utcnow())
