"""Bilingual (EN/RU) gazetteer: find people, countries, organisations, outlets and event types.

Its job is to turn English or Russian text into language-neutral concept ids
(``person:putin``, ``country:ukraine``, ``org:kremlin``, ``outlet:washingtonpost``,
``event:call``) so that a Russian denial and an English report can be compared
term by term. Both denial detection and matching index text through it, so the
public API (``extract_concepts``, ``find_concepts``, ``find_outlets``,
``find_event_types``) must stay small and stable.

Russian inflection is handled with hand-written stems ("Путин*" matches Путина,
Путиным, Путину): a full morphological analyser would be slower and is not needed
for a closed list of names. Outlet names are matched before places so that
"The Washington Post" is an outlet and not ``country:us``.

The alias tables are data: ``monitor/lexicons/{news_outlets,people,organisations,countries,
places,events,not_events,labels}.tsv`` plus the user's files (``text.lexicons``).

It must not do I/O of its own (``text.lexicons`` reads the files), keep state between
calls beyond the cached gazetteer, or guess: unknown names are simply not returned.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from itertools import islice
from typing import Iterable

from monitor.text.lexicons import Lexicons, active_lexicons, split_aliases
from monitor.text.prefix_trie import phrase_pattern

__all__ = [
    "ConceptMatch",
    "concept_label",
    "concept_labels",
    "extract_concepts",
    "find_concepts",
    "find_event_types",
    "find_outlets",
]

#: The gazetteer's lexicon files (``monitor/lexicons/*.tsv``, README "Lexicons"), in the
#: order that breaks ties between aliases of equal length: outlets before people before places.
#: Alias syntax: "pure fiction" a phrase (case-insensitive, whole words, any whitespace
#: between words); "путин*" a stem (the word may continue: Russian cases); "=US"
#: case-sensitive (acronyms that are also English words). Multi-word aliases may put "*"
#: on any word: "телефонн* разговор*". ``not_events`` phrases name no concept ("calls for").
CATEGORIES = ("news_outlets", "people", "organisations", "countries", "places", "events", "not_events")


def alias_tables(lex: Lexicons) -> list[dict[str, list[str]]]:
    """Concept id -> aliases, one table per category of ``CATEGORIES`` (rows of a concept add up)."""
    tables: list[dict[str, list[str]]] = []
    for kind in CATEGORIES:
        table: dict[str, list[str]] = {}
        for row in lex.rows(kind):
            concept = row.values.get("concept", "")  # "" marks a phrase that names no concept
            table.setdefault(concept, []).extend(split_aliases(row["aliases"]))
        tables.append(table)
    return tables


_TOKEN = re.compile(r"\w+")
#: Distinct first tokens the gazetteer remembers (news repeats its names).
_TOKEN_CACHE = 65536
# What may separate the words of a multi-word alias ("Trump-Putin", "Би-би-си", "U.S.").
_GAP = re.compile(r"[\s\-\u2010-\u2014.'’«»\"]{0,3}")


@dataclass(frozen=True)
class ConceptMatch:
    """One alias found in a text."""

    #: Concept id, e.g. ``person:putin``.
    concept: str
    #: Character offsets of the alias in the text.
    start: int
    end: int
    #: The alias as written.
    text: str


@dataclass(frozen=True)
class _Alias:
    concept: str
    #: (word, is_stem) per token, lower-cased unless case_sensitive.
    words: tuple[tuple[str, bool], ...]
    case_sensitive: bool
    #: Tie-break between aliases of equal length: outlets before people before places.
    rank: int


def _parse_alias(alias: str, concept: str, rank: int) -> _Alias:
    case_sensitive = alias.startswith("=")
    if case_sensitive:
        alias = alias[1:]
    words: list[tuple[str, bool]] = []
    for raw in alias.split():
        stem = raw.endswith("*")
        toks = _TOKEN.findall(raw)
        for i, tok in enumerate(toks):
            w = tok if case_sensitive else tok.lower()
            words.append((w, stem and i == len(toks) - 1))
    return _Alias(concept, tuple(words), case_sensitive, rank)


class _Gazetteer:
    """Alias tables indexed by the first three letters of their first word.

    A single regex alternation over ~900 aliases with look-arounds costs ~50 ms per
    article; a token scan with a prefix index costs well under 1 ms, and detection runs
    over the whole archive. Longest alias wins at each token ("Washington Post" over
    "Washington"), so outlets never leak into places.

    The scan visits only the tokens where an alias may start: ``at_start`` and
    ``after_gap`` (a trie of every alias, run by ``re`` over the lower-cased text) find
    them, so Python never sees the other tokens.
    """

    def __init__(self, tables: list[dict[str, list[str]]] | None = None) -> None:
        if tables is None:
            tables = alias_tables(active_lexicons())
        self.index: dict[str, list[_Alias]] = {}
        rank = 0
        for table in tables:
            rank += 1
            for concept, aliases in table.items():
                for alias in aliases:
                    a = _parse_alias(alias, concept, rank)
                    if not a.words:
                        continue
                    key = a.words[0][0][:3].lower()
                    self.index.setdefault(key, []).append(a)
        for lst in self.index.values():
            lst.sort(key=lambda a: (-len(a.words), a.rank))
        phrases = {tuple((w.lower(), stem) for w, stem in a.words) for lst in self.index.values() for a in lst}
        #: the trie of every alias (regex source): where it matches, an alias may start
        self.trie = phrase_pattern(sorted(phrases), _GAP.pattern)
        #: a non-word character followed by an alias (a pattern that opens with a character
        #: class lets ``re`` skip, in C, to the next non-word character: ~15 % cheaper than
        #: ``(?<!\w)(?=trie)`` at every position). One pattern, not a second one for an alias
        #: at the text's start: compiling the trie costs ~0.1 CPU s of every process's start.
        self.after_gap = re.compile(r"\W(?=" + self.trie + ")")
        #: first token as written -> the aliases it may start (a bounded memo of a pure lookup)
        self._by_token: dict[str, tuple[_Alias, ...]] = {}

    @staticmethod
    def _word_ok(word: str, stem: bool, tok: str) -> bool:
        return tok.startswith(word) if stem else tok == word

    def _candidates(self, text: str) -> Iterable[int]:
        """Offsets of the tokens that may start an alias (a superset; ``find`` checks each).

        Lower-casing keeps word characters word characters, so on lower-cased text of
        the same length the trie sees the same token starts; when lower-casing changes
        the length (a rare "İ"), every token is a candidate.
        """
        low = text.lower()
        if len(low) == len(text):
            # the positions where ``(?<!\w)(?=trie)`` matches: 0, or just after a non-word
            # character; a space put before the text stands for its start (so offsets are one on)
            return [m.end() - 1 for m in self.after_gap.finditer(" " + low)]
        return (m.start() for m in _TOKEN.finditer(text))

    def _starting_with(self, token: str) -> tuple[_Alias, ...]:
        """The aliases whose first word ``token`` is, longest first (memoised per token)."""
        found = self._by_token.get(token)
        if found is None:
            low = token.lower()
            found = tuple(a for a in self.index.get(low[:3], ())
                          if self._word_ok(*a.words[0], token if a.case_sensitive else low))
            if len(self._by_token) < _TOKEN_CACHE:
                self._by_token[token] = found
        return found

    def _longest(self, text: str, first: re.Match[str], cands: tuple[_Alias, ...]) -> tuple[_Alias, int] | None:
        """The first of ``cands`` (longest first) whose other words follow ``first``, with its end."""
        if len(cands[0].words) == 1:
            return cands[0], first.end()
        toks = [first, *islice(_TOKEN.finditer(text, first.end()), len(cands[0].words) - 1)]
        for a in cands:
            k = len(a.words)
            if k > len(toks):
                continue
            for j in range(1, k):
                w, stem = a.words[j]
                tok = toks[j].group()
                if not self._word_ok(w, stem, tok if a.case_sensitive else tok.lower()):
                    break
                if not _GAP.fullmatch(text, toks[j - 1].end(), toks[j].start()):
                    break
            else:
                return a, toks[k - 1].end()
        return None

    def find(self, text: str) -> list[ConceptMatch]:
        out: list[ConceptMatch] = []
        resume = 0
        for pos in self._candidates(text):
            if pos < resume:
                continue  # inside the alias just matched
            first = _TOKEN.match(text, pos)
            cands = self._starting_with(first.group()) if first else ()
            found = self._longest(text, first, cands) if first and cands else None
            if found is None:
                continue
            best, end = found
            resume = end
            if best.concept:  # "" marks a phrase that names no concept ("calls for")
                out.append(ConceptMatch(best.concept, pos, end, text[pos:end]))
        return out


@functools.lru_cache(maxsize=8)
def gazetteer_for(lex: Lexicons) -> _Gazetteer:
    """The gazetteer built from ``lex`` (cached per lexicon set: the tables are constants)."""
    return _Gazetteer(alias_tables(lex))


@functools.lru_cache(maxsize=8)
def _labels(lex: Lexicons) -> dict[str, str]:
    return {row["concept"]: row["label"] for row in lex.rows("labels")}


def _gazetteer() -> _Gazetteer:
    # Built lazily on first use from the lexicons in force and cached: a cache of pure
    # data, not application state.
    return gazetteer_for(active_lexicons())


def find_concepts(text: str) -> list[ConceptMatch]:
    """Every alias occurrence in ``text``, in order, with its concept id and span.

    Outlets are resolved first ("Washington Post" is ``outlet:washingtonpost``, never
    ``country:us``). Overlapping aliases resolve to the longest at the same position.
    """
    if not text:
        return []
    return _gazetteer().find(text)


def extract_concepts(text: str, lang: str | None = None) -> set[str]:
    """Concept ids (people, countries, organisations, outlets, events) named in ``text``.

    ``lang`` is accepted for API stability; the tables hold both languages, so the
    result does not depend on it today.
    """
    del lang
    return {m.concept for m in find_concepts(text)}


def find_outlets(text: str) -> list[str]:
    """Outlet concept ids named in ``text``, in order of first mention, without repeats."""
    return _ordered(m.concept for m in find_concepts(text) if m.concept.startswith("outlet:"))


def find_event_types(text: str) -> list[str]:
    """Event concept ids (``event:call``...) in ``text``, in order of first mention."""
    return _ordered(m.concept for m in find_concepts(text) if m.concept.startswith("event:"))


def concept_label(concept: str) -> str:
    """A display label for a concept id ("person:putin" -> "Vladimir Putin")."""
    labels = _labels(active_lexicons())
    if concept in labels:
        return labels[concept]
    return concept.split(":", 1)[-1].replace("_", " ").title()


def concept_labels(concepts: Iterable[str]) -> list[str]:
    """``concept_label`` of each concept, the lexicons in force looked up once (a match's
    explanation labels a dozen concepts)."""
    labels = _labels(active_lexicons())
    return [labels[c] if c in labels else c.split(":", 1)[-1].replace("_", " ").title() for c in concepts]


def _ordered(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
