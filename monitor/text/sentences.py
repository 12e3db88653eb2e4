"""Sentence splitting for denial detection.

Its job: ``split_sentences``, text -> (start, end, sentence) triples with offsets into
the text; razdel for Russian, a punctuation regex with an abbreviation guard otherwise,
and every line break ends a sentence (transcript turns start on their own line).

It must not look at cues, speakers or the gazetteer, and must keep offsets exact:
the detector's positions and the lead check rely on them.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_I = re.IGNORECASE

_EN_SPLIT = re.compile(r"(?<=[.!?…])[\"”»’)]*\s+(?=[\"“«‘(]*[A-ZА-ЯЁ0-9])|\n+")


def split_sentences(text: str, lang: str | None = None) -> list[tuple[int, int, str]]:
    """Split ``text`` into (start, end, sentence) triples, offsets into ``text``.

    Russian goes through razdel (it knows «Д.Песков», «т.е.», «г.»); everything else
    through a regex on terminal punctuation plus line breaks. Line breaks always end a
    sentence: transcript turns ("Question: ...") start on their own line.
    """
    out: list[tuple[int, int, str]] = []
    if not text:
        return out
    pos = 0
    for line in text.split("\n"):
        start_line = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        if lang == "ru" or (lang is None and _CYRILLIC.search(line)):
            from razdel import sentenize  # local import: only Russian text pays for it

            for s in sentenize(line):
                out.append((start_line + s.start, start_line + s.stop, s.text))
        else:
            last = 0
            for m in _EN_SPLIT.finditer(line):
                if _ABBREV.search(line, max(0, m.start() - 8), m.start()):
                    continue  # "U.S. President", "Gen. Konashenkov", "D. Peskov": not a sentence end
                chunk = line[last : m.start()]
                if chunk.strip():
                    lead = len(chunk) - len(chunk.lstrip())
                    out.append((start_line + last + lead, start_line + m.start(), chunk.strip()))
                last = m.end()
            chunk = line[last:]
            if chunk.strip():
                lead = len(chunk) - len(chunk.lstrip())
                out.append((start_line + last + lead, start_line + len(line.rstrip()), chunk.strip()))
    return out


_ABBREV = re.compile(
    r"(?:\b(?:U\.S|U\.K|U\.N|E\.U|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sen|Rep|Gov|St|Jan|Feb|Aug|Sept|Oct|Nov|Dec|No|vs|Jr|Sr|Prof)|(?<![\w.])[A-ZА-ЯЁ])\.$"
)
_CYRILLIC = re.compile(r"[а-яё]{3}", _I)
