"""One regex for many phrases, shaped as a trie.

Its job: ``phrase_pattern``, which turns a list of phrases (words that are whole words
or stems, separated by a gap pattern) into a regex source that the ``re`` engine walks
character by character, so scanning a text for "where could one of these phrases
start" runs in C. A plain alternation of hundreds of phrases makes ``re`` try each one
at every position; the trie tries one branch per character.

It must not know what the phrases mean: callers anchor the pattern and verify each hit.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

__all__ = ["phrase_pattern"]

#: Trie symbols besides characters: a phrase ends, a whole word ends, a stem's word
#: runs on, the gap between two words.
_END, _WHOLE, _STEM, _GAP = "\0end", "\0whole", "\0stem", "\0gap"


def phrase_pattern(phrases: Iterable[Sequence[tuple[str, bool]]], gap: str) -> str:
    """Regex source matching any of ``phrases`` at the current position.

    A phrase is a sequence of ``(word, is_stem)``: a whole word must not run on into
    more word characters, a stem may; ``gap`` is the regex source of what separates
    two words.
    """
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for i, (word, stem) in enumerate(phrase):
            symbols = [*([_GAP] if i else []), *word, _STEM if stem else _WHOLE]
            for symbol in symbols:
                node = node.setdefault(symbol, {})
        node[_END] = {}
    return _node_pattern(trie, gap)


def _node_pattern(node: dict, gap: str) -> str:
    if _END in node:
        return ""  # a phrase ends here: whatever follows, the position is a hit
    alts = [_symbol(symbol, gap) + _node_pattern(child, gap) for symbol, child in sorted(node.items())]
    if not alts:
        return "(?!)"
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _symbol(symbol: str, gap: str) -> str:
    if symbol == _WHOLE:
        return r"(?!\w)"
    if symbol == _STEM:
        return r"\w*+"
    if symbol == _GAP:
        return gap
    return re.escape(symbol)
