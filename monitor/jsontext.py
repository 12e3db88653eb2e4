"""The archive's JSON columns, written and read with orjson (by matching and by the store).

Every candidate pair's features, every stored match's explanation and every denial's claim
profile pass through JSON, in the processing workers and in the single writer (issue 16):
orjson does in C what the standard library's encoder does partly in Python, several times
faster. The text is compact (no spaces after separators) and UTF-8 as written, which
``json_extract`` and ``json.loads`` read alike; rows written before it keep their spaces.

A float subclass orjson does not write natively (numpy's ``float64``) is written as a float,
as ``json.dumps`` writes it; any other value ``json.dumps`` would refuse (a set, a numpy
integer) is a ``TypeError`` naming its type, as there.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["dumps", "loads"]


def _default(value: Any) -> Any:
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any, *, sort_keys: bool = False) -> str:
    """``value`` as JSON text (``sort_keys``: object keys in sorted order, as ``json.dumps``'s)."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_SORT_KEYS if sort_keys else 0).decode()


def loads(text: str | bytes) -> Any:
    """The value of a JSON text (``json.loads``; orjson raises ``orjson.JSONDecodeError``, a
    subclass of ``json.JSONDecodeError`` and so of ``ValueError``)."""
    return orjson.loads(text)
