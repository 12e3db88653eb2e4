"""When the denied event happened: the first event date expression in a text.

Its job: ``resolve_event_date`` and its month/weekday tables and date patterns, which
resolve "on Monday", «в среду», "11 November", "last week" against the publication
date while skipping datelines and the date a statement was made ("reported on Sunday").

It must not read the clock (the caller passes the publication date), look at speakers
or cues, or return a date for text that states none.
"""

from __future__ import annotations

import datetime as dt
import re

from monitor.text.lowercase_regex import phrase_rx

__all__ = ["resolve_event_date"]

_I = re.IGNORECASE

_EN_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_RU_MONTHS = {m: i for i, m in enumerate(
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(), 1)}
_EN_DAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_RU_DAYS = {"понедельник": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3, "пятницу": 4, "пятница": 4,
            "субботу": 5, "суббота": 5, "воскресенье": 6}
DATE_RX = phrase_rx(
    r"\b(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>january|february|march|april|may|june|july|august|september|october|november|december)(?:,?\s+(?P<y1>\d{4}))?\b"
    r"|\b(?P<m2>january|february|march|april|june|july|august|september|october|november|december)\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{4}))?\b"
    r"|\b(?P<d3>\d{1,2})\s+(?P<m3>января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)(?:\s+(?P<y3>\d{4}))?"
    r"|\b(?:on\s+|last\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\bв\s+(?:прошл\w+\s+)?(?P<wdru>понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)\b"
    r"|(?P<lastweek>\blast\s+week\b|\bна\s+прошлой\s+неделе\b|\blate\s+last\s+week\b)"
    r"|(?P<yesterday>\byesterday\b|\bвчера\b|\bнакануне\b)",
    _I,
)


_SPEECH_WORDS = (
    r"(?:reported|reports|said|says|told(?:\s+\w+){0,2}|wrote|writes|denied|denies|dismissed|rejected|refuted|stated|added|announced|published|claimed"
    r"|заявил\w*|сообщил\w*|написал\w*|опроверг\w*|отверг\w*|пишет|сказал\w*|отметил\w*|опубликовал\w*)"
)
_DATE_OF_SPEECH_BEFORE = phrase_rx(
    r"\b" + _SPEECH_WORDS + r"(?:\s+\w+)?\s+(?:on|в|во|,)?\s*$|\b(?:made|published|report\w*|article|story)\s+(?:by|in)\s+(?:the\s+)?(?:\w+\s+){0,3}(?:on|в|во)?\s*$", _I
)
_DATE_OF_SPEECH_AFTER = phrase_rx(r"^[\s,]*(?:\w+\s+)?" + _SPEECH_WORDS + r"\b", _I)


def resolve_event_date(text: str, published: dt.date) -> dt.date | None:
    """The first date expression in ``text`` resolved against the publication date.

    Weekdays and "last week" look backwards (a denial is about something already
    reported); a day-month without a year takes the publication year, or the previous
    year when that would put the event more than two days in the future.
    """
    for m in DATE_RX.finditer(text):
        g = m.groupdict()
        if re.match(r"^\W*[A-ZА-ЯЁ][\w\s-]{0,25},\s*$", text[: m.start()]):
            continue  # a dateline: "MOSCOW, November 11. /TASS/"
        if _DATE_OF_SPEECH_BEFORE.search(text[max(0, m.start() - 30) : m.start()]) or _DATE_OF_SPEECH_AFTER.match(text[m.end() : m.end() + 30]):
            continue  # "reported on Sunday", "on Monday denied": when it was said, not when it happened
        try:
            if g["d1"] or g["d2"] or g["d3"]:
                day = int(g["d1"] or g["d2"] or g["d3"])
                mon_name = (g["m1"] or g["m2"] or g["m3"]).lower()
                mon = _EN_MONTHS.get(mon_name) or _RU_MONTHS[mon_name]
                year_s = g["y1"] or g["y2"] or g["y3"]
                year = int(year_s) if year_s else published.year
                d = dt.date(year, mon, day)
                if not year_s and d > published + dt.timedelta(days=2):
                    d = dt.date(year - 1, mon, day)
                return d
        except (ValueError, KeyError):
            continue
        if g["wd"] or g["wdru"]:
            wd = _EN_DAYS[g["wd"].lower()] if g["wd"] else _RU_DAYS[g["wdru"].lower()]
            delta = (published.weekday() - wd) % 7
            if m.group().lower().startswith("last"):
                delta = delta or 7
            return published - dt.timedelta(days=delta)
        if g["lastweek"]:
            # The middle (Thursday) of the previous calendar week: within +-3 days of any day in it.
            return published - dt.timedelta(days=published.weekday() + 7) + dt.timedelta(days=3)
        if g["yesterday"]:
            return published - dt.timedelta(days=1)
    return None
