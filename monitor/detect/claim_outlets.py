"""Which outlets a text names as the source of the denied report.

Its job: ``claim_outlets_of``: of the ``outlet:`` concepts in a text, keep those named as
the report's source ("the Bloomberg report", «сообщения Reuters») and drop those that
merely relay the denial ("Peskov told TASS", "according to RIA Novosti").

It must not look up the gazetteer itself (callers pass the concepts) or judge
speakers, cues or dates.
"""

from __future__ import annotations

import re

from monitor.text.entities import ConceptMatch
from monitor.text.lowercase_regex import phrase_rx

_I = re.IGNORECASE

_RELAY_BEFORE = phrase_rx(
    r"(?:\btold|\btells|\bto|\baccording\s+to|\bquoted\s+by|\bcited\s+by|\bciting|\bin\s+an\s+interview\s+with|\bspeaking\s+to|\basked\s+by"
    r"|передает|передаёт|цитирует|изданию|агентству|телеканалу|в\s+интервью|в\s+беседе\s+с|сообщает|пишет|со\s+ссылкой\s+на|по\s+данным|cited|reports\s+citing)"
    r"\W{0,4}(?:the\s+)?(?:state[\w-]*\s+|russian\s+|news\s+agency\s+|daily\s+|newspaper\s+|broadcaster\s+|телеканал\w*\s+|агентств\w+\s+|газет\w+\s+)*\W{0,3}$",
    _I,
)
_RELAY_AFTER = phrase_rx(r"^\W{0,3}(?:\w+\s+){0,2}?(?:reported|reports|said|cites|cited|quoted|передает|передаёт|сообщает|пишет|сообщило|reported\.)\W*$|^\s*\)\s*[-–—]|^\s*/", _I)
_CLAIM_OUTLET_BEFORE = phrase_rx(r"(?:report|claim|article|story|publication|сообщени|публикаци|стать|информаци|данн|материал|газет|издани|агентств)\w*\W{0,3}(?:\w+\s+){0,3}$", _I)
_STATE_WIRES = {"outlet:tass", "outlet:ria", "outlet:interfax", "outlet:sputnik", "outlet:rt", "outlet:izvestia"}


def claim_outlets_of(text: str, concepts: list[ConceptMatch]) -> list[str]:
    """Outlets named as the source of the denied report, not those relaying the denial."""
    out: list[str] = []
    for c in concepts:
        if not c.concept.startswith("outlet:") or c.concept in out:
            continue
        before = text[max(0, c.start - 60) : c.start]
        after = text[c.end : c.end + 40]
        if _CLAIM_OUTLET_BEFORE.search(before):
            out.append(c.concept)
            continue
        if c.concept in _STATE_WIRES:
            continue
        if _RELAY_BEFORE.search(before) or _RELAY_AFTER.match(after.split(".")[0] + ("." if "." in after else "")):
            if not re.match(r"\W{0,3}(?:\w+\s+){0,2}?(?:reported|said|wrote|claimed|published)\s+(?:\w+\s+){0,3}?that\b", after, re.I):
                continue
        out.append(c.concept)
    return out
