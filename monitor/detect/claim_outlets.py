"""Which outlets a text names as the source of the denied report.

Its job: ``claim_outlets_of``: of the ``outlet:`` concepts in a text, keep those named as
the report's source ("the Bloomberg report", «сообщения Reuters») and drop those that
merely relay the denial ("Peskov told TASS", "according to RIA Novosti").

Its patterns are data: the "outlets" section of ``cues.tsv`` and ``state_outlets.tsv``.

It must not look up the gazetteer itself (callers pass the concepts) or judge
speakers, cues or dates.
"""

from __future__ import annotations

import functools
import re

from monitor.detect.cues import OUTLET_CLAIM_BEFORE, OUTLET_RELAY_AFTER, OUTLET_RELAY_BEFORE
from monitor.text.entities import ConceptMatch
from monitor.text.lexicons import Lexicons, active_lexicons


@functools.lru_cache(maxsize=8)
def state_outlets_for(lex: Lexicons) -> frozenset[str]:
    """Outlets that relay denials (``state_outlets.tsv``): a source only after a claim word."""
    return frozenset(row["concept"] for row in lex.rows("state_outlets"))


def claim_outlets_of(text: str, concepts: list[ConceptMatch]) -> list[str]:
    """Outlets named as the source of the denied report, not those relaying the denial."""
    state_wires = state_outlets_for(active_lexicons())
    out: list[str] = []
    for c in concepts:
        if not c.concept.startswith("outlet:") or c.concept in out:
            continue
        before = text[max(0, c.start - 60) : c.start]
        after = text[c.end : c.end + 40]
        if OUTLET_CLAIM_BEFORE.search(before):
            out.append(c.concept)
            continue
        if c.concept in state_wires:
            continue
        if OUTLET_RELAY_BEFORE.search(before) or OUTLET_RELAY_AFTER.match(after.split(".")[0] + ("." if "." in after else "")):
            if not re.match(r"\W{0,3}(?:\w+\s+){0,2}?(?:reported|said|wrote|claimed|published)\s+(?:\w+\s+){0,3}?that\b", after, re.I):
                continue
        out.append(c.concept)
    return out
