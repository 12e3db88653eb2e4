"""Dates as sites write them -> aware datetimes; the per-source time-zone fix.

Sites state times in many shapes (ISO 8601, RFC 822, ``20.08.2026``,
``30 September 2026``, ``12 августа 2026 года, 16:30``) and some state the wrong
offset: kremlin.ru's feeds say ``+04:00`` while the clock they show is Moscow time
(UTC+3), and rg.ru labels Moscow time as UTC. ``apply_tz_fix`` implements the
catalogue option ``tz_fix = "+03:00"``: *trust the wall clock, it is in this
offset*, i.e. keep the written date and time and replace whatever offset was
stated (or missing). Pure functions; no I/O.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

UTC = dt.timezone.utc
#: Moscow has been UTC+3 all year since 2014.
MOSCOW = dt.timezone(dt.timedelta(hours=3), "MSK")

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?$", re.IGNORECASE)
_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\D+(\d{1,2}):(\d{2}))?")
_WORDY = re.compile(r"(\d{1,2})\s+([^\W\d_]+)\.?,?\s+(\d{4})(?:\D+?(\d{1,2}):(\d{2}))?", re.UNICODE)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")


def parse_offset(value: str) -> dt.timezone:
    """``"+03:00"``, ``"+0300"``, ``"UTC+3"``, ``"MSK"``, ``"UTC"`` -> a fixed offset. ValueError otherwise."""
    text = value.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    if text.upper() == "MSK":
        return MOSCOW
    match = _OFFSET.match(text)
    if not match:
        raise ValueError(f"not a UTC offset: {value!r} (use e.g. +03:00)")
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes >= 60:
        raise ValueError(f"not a UTC offset: {value!r}")
    delta = dt.timedelta(hours=hours, minutes=minutes)
    return dt.timezone(-delta if sign == "-" else delta)


def apply_tz_fix(value: dt.datetime, fix: dt.timezone | None) -> dt.datetime:
    """Keep ``value``'s wall clock and declare it to be in ``fix`` (no-op when None)."""
    if fix is None:
        return value
    return value.replace(tzinfo=fix)


def parse_datetime(text: str, *, naive_tz: dt.timezone = UTC) -> dt.datetime | None:
    """ISO 8601 or RFC 822 -> aware datetime (a naive value is taken in ``naive_tz``); None if neither."""
    raw = (text or "").strip()
    if not raw:
        return None
    value: dt.datetime | None = None
    iso = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        value = dt.datetime.fromisoformat(iso)
    except ValueError:
        try:
            value = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive_tz)
    return value


def parse_human_date(text: str, tz: dt.timezone = MOSCOW) -> dt.datetime | None:
    """``20.08.2026``, ``30 September 2026``, ``12 августа 2026 года, 16:30`` -> aware, in ``tz``.

    A date without a time means midnight in ``tz`` (for Moscow, 21:00 UTC the day before).
    """
    raw = " ".join((text or "").split())
    if not raw:
        return None
    match = _DOTTED.search(raw)
    if match:
        day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        hour, minute = match.group(4), match.group(5)
    else:
        match = _WORDY.search(raw)
        if not match or match.group(2).lower() not in _MONTHS:
            return None
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
        hour, minute = match.group(4), match.group(5)
    try:
        return dt.datetime(year, month, day, int(hour or 0), int(minute or 0), tzinfo=tz)
    except ValueError:
        return None


def combine_date_and_clock(date_text: str, clock_text: str, tz: dt.timezone) -> dt.datetime | None:
    """A date (``2026-08-12`` or ISO date-time) plus a wall-clock ``16:30`` shown elsewhere, in ``tz``."""
    date_text = (date_text or "").strip()
    try:
        day = dt.date.fromisoformat(date_text[:10])
    except ValueError:
        return None
    clock = _CLOCK.search(clock_text or "")
    hour, minute = (int(clock.group(1)), int(clock.group(2))) if clock else (0, 0)
    if len(date_text) > 10:  # a full date-time: trust its wall clock
        full = parse_datetime(date_text, naive_tz=tz)
        if full is not None:
            return full.replace(tzinfo=tz)
    try:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    except ValueError:
        return None
