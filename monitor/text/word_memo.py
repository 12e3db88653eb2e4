"""A bounded memo of a pure per-word function, for one setting of its second argument.

Its job: ``WordMemo``, a dict that computes a missing word's value on first lookup, so that
``map(memo.__getitem__, words)`` reads the known words in C. A ``functools.lru_cache`` of a
two-argument function builds and hashes an ``(word, lang)`` key at every call and keeps its
recency order: over the ~230 words of a document that cost ~0.03 CPU ms against ~0.01
(document features, issue 16, seventeenth session).

It must not know what it memoises: it keeps what the function returns, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["WordMemo", "WordMemos"]


class WordMemo(dict):  # type: ignore[type-arg]
    """``fn(word, context)`` by word, computed on first lookup; emptied when ``limit`` words
    are kept (a bound on memory: a pure function's values are only recomputed after it)."""

    __slots__ = ("_fn", "_context", "_limit")

    def __init__(self, fn: Callable[[str, Any], Any], context: Any, limit: int) -> None:
        super().__init__()
        self._fn = fn
        self._context = context
        self._limit = limit

    def __missing__(self, word: str) -> Any:
        if len(self) >= self._limit:
            self.clear()
        value = self[word] = self._fn(word, self._context)
        return value


class WordMemos:
    """One ``WordMemo`` of ``fn`` per context (a document's language), at most ``contexts`` of
    them (all dropped past it: languages are few, but they come from the documents)."""

    def __init__(self, fn: Callable[[str, Any], Any], limit: int = 65536, contexts: int = 64) -> None:
        self._fn = fn
        self._limit = limit
        self._contexts = contexts
        self._memos: dict[Hashable, WordMemo] = {}

    def __call__(self, context: Hashable) -> WordMemo:
        memo = self._memos.get(context)
        if memo is None:
            if len(self._memos) >= self._contexts:
                self._memos.clear()
            memo = self._memos[context] = WordMemo(self._fn, context, self._limit)
        return memo
