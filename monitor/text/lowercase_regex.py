"""Case-insensitive regexes that run fast: compile once, scan lower-cased text.

Its job: the ``_Lower`` wrapper and its ``phrase_rx`` constructor, shared by the denial
detector's modules (cues, speakers, event dates, outlets), and ``Exact``, the variant
whose results are always those of the IGNORECASE pattern (document features).

It must not hold any pattern of its own (the letters ``Exact`` guards against aside),
know about denials, or keep state beyond the compiled patterns it is given.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

__all__ = ["Exact", "Phrase", "_Lower", "phrase_rx"]


class _Lower:
    """A case-insensitive regex that runs case-sensitively on lower-cased text.

    Python's IGNORECASE over Unicode alternations is 3-6x slower than a plain scan of
    ``text.lower()``, and these patterns run on every sentence of the archive. Spans stay
    valid because lower-casing keeps the length (checked; otherwise the slow path runs).
    Patterns must be written in lower case (escapes aside).
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._fast = re.compile(pattern, flags & ~re.IGNORECASE)
        self._slow = re.compile(pattern, flags | re.IGNORECASE)

    def _pick(self, text: str) -> tuple[re.Pattern[str], str]:
        low = text.lower()
        return (self._fast, low) if len(low) == len(text) else (self._slow, text)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx, t = self._pick(text)
        return rx.search(t, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx, t = self._pick(text)
        return rx.match(t, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        rx, t = self._pick(text)
        return rx.finditer(t, pos, endpos)

    def sub(self, repl: str, text: str) -> str:
        rx, t = self._pick(text)
        return rx.sub(repl, t)


#: Letters that IGNORECASE matching takes for another letter but ``str.lower`` leaves as
#: they are: dotless i and long s (i, s) and the Cyrillic variants U+1C80..U+1C88 (в, д,
#: о, с, т, ъ, ѣ, ꙋ). The other such pairs are Greek, which no pattern here spells.
FOLDED_ONLY = re.compile("[\u0131\u017f\u1c80-\u1c88]")


class Exact(_Lower):
    """A ``_Lower`` that finds exactly what the IGNORECASE pattern finds, at the same offsets.

    Text holding a letter of ``FOLDED_ONLY`` takes the IGNORECASE path. Matches on the
    fast path are in the lower-cased text: take their text from the original by offset.
    """

    def _pick(self, text: str) -> tuple[re.Pattern[str], str]:
        if FOLDED_ONLY.search(text):
            return self._slow, text
        return super()._pick(text)


#: The public name of a ``phrase_rx`` pattern's type.
Phrase = _Lower


def phrase_rx(pattern: str, flags: int = 0) -> _Lower:
    return _Lower(pattern, flags)
