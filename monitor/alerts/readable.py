"""Scraped words made fit to quote in an alert or on the review page (issue 19).

Transcript labels ("Question:", "Вопрос:", "Dmitry Peskov:") removed, text cut at a
sentence end or a word boundary (never inside a word, "…" marks the cut), and quote
marks balanced (wrapping quotes dropped, unclosed ones closed, stray closers removed),
so that the alert's own quote marks read right around it. Pure: strings in, strings
out; escaping for each format is ``formatting``'s job, not this module's.
"""

from __future__ import annotations

import re

#: Control characters and line separators: never part of a one-line field.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(value: str | None, limit: int | None = None) -> str:
    """Untrusted text as one line: control characters and line breaks become spaces."""
    text = " ".join(_CONTROL.sub(" ", value or "").split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


#: Transcript labels that are not the speaker's words: "Question:", "Вопрос:" at the
#: start of the text or of a sentence.
_LABEL = re.compile(r"(?:^|(?<=[.!?…:]\s))(?:question|answer|q|a|remark|reply|replica|вопрос|ответ|реплика)\s*:\s*",
                    re.IGNORECASE)
#: A sentence end inside a text: punctuation, closing quotes or brackets, then a space.
_SENTENCE_END = re.compile(r"[.!?…][\"»”’)]*\s")
_PAIRS = {"«": "»", "“": "”", "„": "“"}
_WRAPPERS = "\"'«»“”„ "


_QUESTION = re.compile(r"^(?:question|q|вопрос)\s*:[^?]{0,600}\?\s+(?=\S)", re.IGNORECASE)


def strip_labels(value: str | None, speaker: str | None = None, *, answer_only: bool = False) -> str:
    """Transcript labels removed ("Question:", "Вопрос:", "Peskov:" naming the speaker).

    With ``answer_only`` (for a quote: the speaker's own words), a leading question is
    dropped too, and so is everything before the speaker's label ("… Dmitry Peskov: No")."""
    text = one_line(value)
    if answer_only:
        text = _QUESTION.sub("", text)
    surname = one_line(speaker).split(" ")[-1] if speaker else ""
    if surname:
        label = re.compile(r"(?:^|(?<=[.!?…]\s))(?:[\w.-]+\s){0,3}" + re.escape(surname) + r"\s*:\s*",
                           re.IGNORECASE)
        found = list(label.finditer(text))
        if found and (answer_only or found[0].start() == 0):
            last = found[-1] if answer_only else found[0]
            text = (text[last.end():] if answer_only else text[: last.start()] + text[last.end():]).strip()
    return _LABEL.sub("", text)


def clip(value: str | None, limit: int) -> str:
    """At most ``limit`` characters, cut at a sentence end when one falls in the second
    half, else at a word boundary, never inside a word; "…" marks the cut."""
    text = one_line(value)
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head + " ")]
    if ends and ends[-1] >= limit // 2:
        return head[: ends[-1]].rstrip() + " …"
    space = head.rfind(" ")
    if space >= limit // 3:
        head = head[:space]
    return head.rstrip(" ,;:–-") + "…"


def balance_quotes(value: str) -> str:
    """Quote marks paired: wrapping quotes dropped, unclosed ones closed at the end,
    stray closing ones removed, so that the alert's own quotes read right around it."""
    text = value.strip()
    while len(text) >= 2 and text[0] in _WRAPPERS and text[-1] in _WRAPPERS and text[0] != " " and (
            _PAIRS.get(text[0], text[0]) == text[-1]):
        inner = text[1:-1].strip()
        if inner.count('"') % 2 or any(inner.count(o) != inner.count(c) for o, c in _PAIRS.items() if o != "„"):
            break
        text = inner
    out: list[str] = []
    stack: list[str] = []
    straight_open = False
    for ch in text:
        if ch == '"':
            straight_open = not straight_open
        elif ch in _PAIRS and not (ch == "“" and stack and stack[-1] == "“"):
            stack.append(_PAIRS[ch])
        elif ch in ("»", "”") or (ch == "“" and stack and stack[-1] == "“"):
            if stack and stack[-1] == ch:
                stack.pop()
            else:
                continue  # a closing quote that closes nothing
        out.append(ch)
    closing = ('"' if straight_open else "") + "".join(reversed(stack))
    result = "".join(out)
    if closing:
        result = result.rstrip() + closing
    return result


def readable(value: str | None, limit: int, speaker: str | None = None, *, answer_only: bool = False) -> str:
    """Scraped words fit to quote: labels removed, cut at a boundary, quotes balanced."""
    return balance_quotes(clip(strip_labels(value, speaker, answer_only=answer_only), limit))
