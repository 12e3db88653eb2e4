"""Denial candidates: one scored candidate per attributed cue, with its claim.

Its job: for each cue of a prepared document, find its speaker (via ``attribution``),
drop non-Russian and unattributed ones, apply the support rules of the weak, event and
involvement cues, find the denied claim (``_claim_for``: the verb's object, the
question asked, a report named nearby, or the headline) and score the candidate.

It must not merge candidates, look up the gazetteer, split sentences or build
``Denial`` records; it reads the ``Sentence`` list the detector prepared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from monitor.detect.attribution import context_speaker, pick_speaker, quote_open, Sentence, title_speaker
from monitor.detect.cues import first_stem, BARE_NO, CLAIM_NOUN, FUTURE, INVOLVEMENT_ACTION, NAMING, QUESTION_CTX, REPORTED
from monitor.models import Document
from monitor.detect.speakers import FOREIGN, speaker_tables


@dataclass
class Cand:
    cls: str
    cue: str
    sent: Sentence
    speaker: str
    speaker_sure: bool
    claim: str
    claim_concepts: set[str]
    quote: str
    confidence: float
    cues: list[str] = field(default_factory=list)
    claim_from_title: bool = False
    #: Claims of merged candidates: their entities, outlets and dates count too.
    other_claims: list[str] = field(default_factory=list)


def _claim_for(sents: list[Sentence], i: int, cls: str, cue_end: int, cue_start: int) -> tuple[str, set[str], bool]:
    """(claim text, its concept ids, whether a report/question context was found)."""
    s = sents[i]
    object_follows = False
    if cls == "verb":
        rest = s.text[cue_end:].strip(" ,:;—-")
        object_follows = len(rest) > 12
        if object_follows:
            return rest, {c.concept for c in s.concepts if c.start >= cue_end}, True
    if s.is_question and cue_start > 30 and not object_follows:
        # "Asked whether Putin had met Witkoff, Ushakov said: 'There was no meeting'" (or
        # "... said: 'We reject this'": a verb whose object points back to the question)
        start, end = _question_span(s.text, cue_start)
        return s.text[start:end], {c.concept for c in s.concepts if start <= c.start < end}, True
    if cls != "verb":
        # "'No, we have no information on this,' Peskov said when asked whether Russia used
        # Iranian drones": the question follows the answer, in the sentence where the
        # quotation closes.
        asked = _question_after(sents, i, cue_end)
        if asked is not None:
            return asked
    speaker_concepts = speaker_tables().concepts
    content = {
        c.concept
        for c in s.concepts
        if c.concept not in speaker_concepts and not (c.start < cue_end and cue_start < c.end)
    }
    outside_cue = s.text[:cue_start] + " " + s.text[cue_end:]
    if cls != "verb" and CLAIM_NOUN.search(outside_cue) and len(content) >= 2:
        return s.text, {c.concept for c in s.concepts}, True
    for j in range(i - 1, max(-1, i - 5), -1):
        p = sents[j]
        if p.is_title:
            continue
        if (p.is_question or QUESTION_CTX.search(p.text)) and any(
            not c.concept.startswith("person:peskov") for c in p.concepts
        ):
            return p.text, {c.concept for c in p.concepts}, True
    for p in sents:
        if p.is_title and p.idx != i:
            return p.text, {c.concept for c in p.concepts}, bool(CLAIM_NOUN.search(p.text))
    if i > 0:
        p = sents[i - 1]
        return p.text, {c.concept for c in p.concepts}, False
    return s.text, {c.concept for c in s.concepts}, False


#: The speaker's own clause that closes a question put before the answer: ", Kremlin
#: spokesman Dmitry Peskov said: 'This is", «, Песков заявил: «Это».
_SPEAKER_CLAUSE = re.compile(
    r",[^,]{0,80}?\b(?:said|says|told|tells|added|stated|replied|responded|answered|noted|stressed|insisted|retorted"
    r"|заявил|заявила|сказал|сказала|ответил|ответила|отметил|отметила|подчеркнул|подчеркнула|добавил|добавила"
    r"|сообщил|сообщила|парировал|парировала)\b[^,]*$", re.IGNORECASE)


def _question_span(text: str, cue_start: int) -> tuple[int, int]:
    """Where the question ends up in a sentence that puts it before the answer ("Asked about
    reports that Moscow cut the gas, Kremlin spokesman Dmitry Peskov said: 'This is untrue'"):
    after the words that say it was asked, before the speaker's clause; the whole head of
    the sentence when what is left would be too short to be a claim."""
    asked = _ASKED.search(text, 0, cue_start)
    start = asked.end() if asked is not None and asked.start() < 40 else 0
    clause = _SPEAKER_CLAUSE.search(text, start, cue_start)
    end = clause.start() if clause is not None else cue_start
    if end - start <= 12:
        return 0, cue_start
    while start < end and text[start] in " ,:;\"'«“„":
        start += 1
    return start, end


#: Where a question put to the speaker starts, when it follows the answer.
_ASKED = re.compile(r"\b(?:asked\s+(?:[\w.]+\s+){0,3}?(?:whether|if|about|why|how)|asked\s+to\s+comment\s+on"
                    r"|when\s+asked(?:\s+(?:whether|if|about))?)\s+"
                    r"|\bна\s+вопрос\w*\s+(?:о\s+том,?\s+)?(?:(?:ли|как|почему)\s+)?", re.IGNORECASE)


def _question_after(sents: list[Sentence], i: int, cue_end: int) -> tuple[str, set[str], bool] | None:
    """The question put to the speaker when it follows the answer: in the cue's sentence,
    or in the one where the quotation that holds the cue closes."""
    s = sents[i]
    spans = [(s, cue_end)]
    if quote_open(s.text) or s.in_quote:
        for j in range(i + 1, min(len(sents), i + 3)):
            nxt = sents[j]
            close = max(nxt.text.rfind("”"), nxt.text.rfind("»"), nxt.text.rfind('"'))
            if close >= 0:
                spans.append((nxt, close))
                break
    for sent, start in spans:
        if not sent.is_question:
            continue
        asked = _ASKED.search(sent.text, start)
        if asked and len(sent.text) - asked.end() > 12:
            return (sent.text[asked.end():].strip(" ,:;"),
                    {c.concept for c in sent.concepts if c.start >= asked.end()}, True)
    return None


_PAST_ANCHOR = re.compile(
    r"\b(?:last|previous)\s+year\b|\b(?:\w+\s+)?years?\s+ago\b|\bв\s+прошлом\s+году\b|\b(?:\w+\s+)?(?:год|года|лет)\s+назад\b"
    r"|\b(?:in|back\s+in)\s+(?P<y1>(?:19|20)\d\d)\b|\bв\s+(?P<y2>(?:19|20)\d\d)\s+году\b",
    re.IGNORECASE,
)


_CLAIM_CLAUSE = re.compile(r"\b(?:что|чтобы|о\s+том|якобы|будто|that|about|whether)\b", re.IGNORECASE)


def _old_denial(text: str, year: int | None) -> bool:
    """Whether a sentence sets its denial in an earlier year ("last year", «в 2023 году»).

    Only the main clause counts: a year inside the denied claim («опроверг сообщения о том,
    что в 2016 году ...») dates the claim, not the denial (#15 item 8).
    """
    claim = _CLAIM_CLAUSE.search(text)
    if claim is not None:
        text = text[: claim.start()]
    for m in _PAST_ANCHOR.finditer(text):
        y = m.group("y1") or m.group("y2")
        if not y or (year is not None and int(y) < year):
            return True
    return False


def recalled_denial(sents: list[Sentence], idx: int, doc: Document, title_cued: bool | None = None) -> bool:
    """Whether sentence ``idx`` recalls a denial of an earlier year in passing ("Last year the
    ministry had dismissed similar reports as fake, but ..."): never a denial of this
    document, for the rules and the learned stage alike. A cue in the headline or the first
    two sentences is the document's own."""
    s = sents[idx]
    if title_cued is None:
        title_cued = any(p.is_title and p.cues for p in sents)
    year = doc.published.year if doc.published else None
    return not title_cued and not s.is_title and idx > 1 and _old_denial(s.text, year)


_SELF_STANDING = re.compile(r"причаст", re.IGNORECASE)

_BASE_CONF = {"strong": 0.9, "verb": 0.85, "event": 0.75, "weak": 0.7, "involvement": 0.7}


def find_candidates(sents: list[Sentence], doc: Document, why: list[str] | None = None) -> list[Cand]:
    """One candidate per attributed, supported cue of the prepared ``sents``. ``why``, when
    given, collects the reason each rejected cue was dropped (``bench/detection_misses.py``:
    which rule loses a labelled denial); it never changes the result."""
    cands: list[Cand] = []
    note = why.append if why is not None else (lambda _reason: None)
    cue_sents = {s.idx: s.cues for s in sents if s.cues}
    if not cue_sents:
        return []
    title_spk = title_speaker(sents)
    title_cued = any(p.is_title and p.cues for p in sents)
    for idx, cues in cue_sents.items():
        s = sents[idx]
        if recalled_denial(sents, idx, doc, title_cued):
            # "Last year the ministry had dismissed similar reports as fake, but ...": a
            # denial of another time recalled in passing by a report asserting its claim.
            note("recalled old denial")
            continue
        for cls, cs, ce, word in cues:
            spk, explicit = pick_speaker(s, cs, ce, cls)
            sure = explicit and bool(spk)
            if not spk:  # no mention, or a pronoun
                spk = s.turn_speaker or context_speaker(sents, idx)
                sure = spk is not None
            if not spk and title_spk and title_spk != FOREIGN and doc.role == "official":
                spk, sure = title_spk, False
            if not spk or spk == FOREIGN:
                note("foreign speaker" if spk == FOREIGN else "no speaker")
                continue
            claim, claim_cons, has_ctx = _claim_for(sents, idx, cls, ce, cs)
            if BARE_NO.match(word) and not (has_ctx and REPORTED.search(claim) and not FUTURE.search(claim)):
                note("bare no without a reported claim")
                continue
            conf = _BASE_CONF[cls]
            if cls == "weak" and not (CLAIM_NOUN.search(s.text) or NAMING.search(s.text[max(0, cs - 60) : cs])):
                note("weak cue without claim noun")
                continue
            if cls in ("event", "involvement"):
                # An involvement cue's own "did not plan to strike" is a past action denied,
                # not a plan: only the words around it say whether it is about the future.
                around = (s.text[max(0, cs - 40) : cs] + " " + s.text[ce : ce + 20]) if cls == "involvement" else s.text[max(0, cs - 40) : ce + 20]
                if FUTURE.search(around):
                    note("event cue under a plan")
                    continue
            # «не причастны» says what it denies (responsibility for an incident): unlike "was
            # not involved in the talks" it needs no report or question around it.
            if cs in s.mirrored:
                # "did not violate" where the document says someone was accused of violating:
                # the accusation is the denied claim's context
                has_ctx = True
            if cls in ("event", "involvement") and not _SELF_STANDING.search(word):
                support = any(
                    c[0] in ("strong", "verb") for j in range(max(0, idx - 3), idx + 4) for c in cue_sents.get(j, ())
                )
                if not (support or has_ctx):
                    # The report may come after the denial: "Media reported on Tuesday that ..."
                    has_ctx = any(
                        QUESTION_CTX.search(sents[j].text) and CLAIM_NOUN.search(sents[j].text)
                        for j in range(idx + 1, min(len(sents), idx + 4))
                    )
                if not (support or has_ctx) and sure:
                    # Deep in a long article (#15 item 8): an official's own words answer the
                    # report the article opened with, not one in the sentences around them.
                    has_ctx = any(
                        QUESTION_CTX.search(p.text) and CLAIM_NOUN.search(p.text)
                        for p in sents[:4] if p.idx < idx - 3
                    )
                if not (support or has_ctx) and sure and (s.is_title or s.idx <= 1) and INVOLVEMENT_ACTION.search(word):
                    # A headline or lead that reports a Russian speaker saying it did not do
                    # something ("Russia says it did not target ...", «Минобороны: российские
                    # самолёты не нарушали ...») is about that denial: the article answers the
                    # accusation it goes on to name (#15 item 8). Only a denied action: "was
                    # not involved in the talks" and event cues ("did not discuss") stay as
                    # they are, a readout says those too.
                    has_ctx = True
                if not (support or has_ctx):
                    note(f"{cls} cue without support")
                    continue
            if has_ctx:
                conf += 0.05
            if not sure:
                conf -= 0.25
            from_title = s.is_title or any(p.is_title and p.text == claim for p in sents)
            cands.append(Cand(cls, word, s, spk, sure, claim, claim_cons, s.text, round(min(conf, 1.0), 2), [word], from_title))
    return cands


def learned_candidate(sents: list[Sentence], doc: Document, idx: int, prob: float) -> Cand | None:
    """The candidate of sentence ``idx``, which the learned stage (``learned``) judged a
    denial where the rules found none: its first cue (or prefilter stem), the Russian
    speaker named in it or around it (None when there is none), and the claim found the
    way the rules find theirs."""
    s = sents[idx]
    if s.cues:
        cls, cs, ce, word = s.cues[0]
        spk, sure = pick_speaker(s, cs, ce, cls)
    else:
        cs, ce = first_stem(s.text) or (0, min(len(s.text), 40))
        cls, word = "learned", s.text[cs:ce]
        russian = [m.speaker for m in s.mentions if m.speaker and m.speaker != FOREIGN]
        spk, sure = (russian[0], True) if russian else (None, False)
    if not spk or spk == FOREIGN:
        spk, sure = s.turn_speaker or context_speaker(sents, idx) or title_speaker(sents), False
    if not spk or spk == FOREIGN:
        return None
    claim, claim_cons, _ = _claim_for(sents, idx, cls if cls == "verb" else "strong", ce, cs)
    from_title = s.is_title or any(p.is_title and p.text == claim for p in sents)
    return Cand(cls, word, s, spk, sure, claim, claim_cons, s.text, round(prob, 2), [word], from_title)
