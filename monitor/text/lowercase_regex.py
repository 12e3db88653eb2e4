"""Case-insensitive regexes that run fast: compile once, scan lower-cased text.

Its job: the ``_Lower`` wrapper and its ``phrase_rx`` constructor, shared by the denial
detector's modules (cues, speakers, event dates, outlets), ``Exact``, the variant
whose results are always those of the IGNORECASE pattern (document features), and
``Alternatives``, an ``Exact`` for a long alternation that runs only the alternatives whose
literal the text holds.

It must not hold any pattern of its own (the letters ``Exact`` guards against aside),
know about denials, or keep state beyond the compiled patterns it is given.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator

import ahocorasick

from monitor.text.regex_literals import alternatives, required_literal

__all__ = ["Alternatives", "Exact", "Phrase", "_Lower", "phrase_rx"]


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
        self._slow_flags = flags | re.IGNORECASE

    @functools.cached_property
    def _slow(self) -> re.Pattern[str]:
        """The IGNORECASE pattern, compiled when a text first needs it: few texts do (a
        letter whose lower case has another length, or one of ``FOLDED_ONLY``), and compiling
        it for each of the ~50 cue patterns at load was ~0.04 CPU s of every process's start."""
        return re.compile(self.pattern, self._slow_flags)

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


#: Sub-patterns an ``Alternatives`` keeps compiled (one per set of alternatives a text leaves in).
_SUBSETS = 1024


class Alternatives(Exact):
    """An ``Exact`` over an alternation whose ``search`` tries only the alternatives that can
    match: those whose required literal the lower-cased text holds, and those without one.

    ``re`` scans for a literal prefix in C, but enters an alternation of many branches at
    every position: the ~90 denial cues of the document features cost ~120 us a 450-character
    lead together, 0.3-6 us each alone (issue 16, eleventh session). One Aho-Corasick pass
    finds which literals (``regex_literals.required_literal``) occur; a pattern of just those
    alternatives, in their order, then finds the same match at the same offsets, because an
    alternative that matches nowhere in the text never decides where or how the whole
    alternation matches. The IGNORECASE path (``Exact``) runs the whole pattern.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        if flags & re.VERBOSE:
            raise ValueError("Alternatives reads literals from the source: no VERBOSE patterns")
        super().__init__(pattern, flags)
        if self._fast.groups:
            raise ValueError("Alternatives renumbers groups when it leaves alternatives out: no capturing groups")
        self._flags = flags & ~re.IGNORECASE
        self._alternatives = alternatives(pattern)
        literals = [required_literal(a) for a in self._alternatives]
        #: alternatives tried whatever the text (no literal found in them)
        self._always = frozenset(i for i, lit in enumerate(literals) if lit is None)
        self._automaton: ahocorasick.Automaton | None = None
        if len(self._always) < len(literals):
            self._automaton = ahocorasick.Automaton()
            owners: dict[str, list[int]] = {}
            for i, lit in enumerate(literals):
                if lit is not None:
                    owners.setdefault(lit, []).append(i)
            for lit, idx in owners.items():
                self._automaton.add_word(lit, tuple(idx))
            self._automaton.make_automaton()
        self._subsets: dict[tuple[int, ...], re.Pattern[str]] = {}

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx, t = self._pick(text)
        if rx is not self._fast:
            return rx.search(t, pos, endpos)
        present = set(self._always)
        if self._automaton is not None:
            for _, idx in self._automaton.iter(t):
                present.update(idx)
        if not present:
            return None
        return self._subset(tuple(sorted(present))).search(t, pos, endpos)

    def _subset(self, chosen: tuple[int, ...]) -> re.Pattern[str]:
        """The alternation of the ``chosen`` alternatives (compiled once per set, up to ``_SUBSETS``)."""
        rx = self._subsets.get(chosen)
        if rx is None:
            rx = re.compile("|".join(f"(?:{self._alternatives[i]})" for i in chosen), self._flags)
            if len(self._subsets) < _SUBSETS:
                self._subsets[chosen] = rx
        return rx


#: The public name of a ``phrase_rx`` pattern's type.
Phrase = _Lower


def phrase_rx(pattern: str, flags: int = 0) -> _Lower:
    return _Lower(pattern, flags)
