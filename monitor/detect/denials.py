"""Denial detection: find where a Russian official or institution denies a report or claim.

Its job: given one ``Document`` (an official transcript or a media article, English or
Russian), return one ``Denial`` per distinct denied claim, with who denied it, the cue
and its sentence, the claim, and what matching needs (entities, event type and date,
outlets named as the source). A headline like "Kremlin denies report of ..." counts:
an article reporting a denial contains that denial (issue 5).

How: a cue grammar, not a list of cases. Four cue families are found per sentence:
``strong`` (the speaker's own words: "pure fiction", «не соответствует
действительности»), ``verb`` (a reported denial with a claim object: "denied reports
that", «опроверг сообщения»), ``weak`` ("provocation", «постановка», counted only when
the sentence names a report or uses a naming verb) and ``event``/``involvement`` ("there
was no conversation", «Россия не имеет к этому отношения», counted only with support).
Guards veto ordinary negation, no-comment and "neither confirm nor deny". Each cue is
then attributed to a speaker (same sentence, transcript turn, or carried over from the
previous attributed sentence / pronoun); cues of non-Russian speakers are dropped.

It must not do I/O, keep state between calls, or report a denial whose speaker is not
a Russian official or institution. It must stay fast: it runs over the whole archive,
so a cheap prefilter returns ``[]`` for texts without any cue word.

This module is the assembly: it prepares the sentences, takes the scored candidates
(``candidates``), merges them per speaker and claim, and builds the ``Denial`` records.
The parts live beside it: ``denial_cues`` (cue grammar, guards, prefilter),
``speakers`` (officials, institutions, mentions), ``attribution`` (which speaker a cue
belongs to), ``candidates``, ``sentences``, ``event_dates`` and ``claim_outlets``.
Their public names used elsewhere (``SPEAKER_GROUP``, ``canonical_speaker``,
``split_sentences``, ``resolve_event_date``) are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from monitor.detect.attribution import quote_delta, Sentence, title_speaker
from monitor.detect.candidates import Cand, find_candidates, learned_candidate
from monitor.detect.claim_outlets import claim_outlets_of
from monitor.detect.cues import QUESTION_CTX, accused_actions, cue_event_type, find_cues, has_cue_stem, mirror_cues
from monitor.text.entities import ConceptMatch
from monitor.text.entities import find_concepts as _find_concepts
from monitor.detect.learned import DetectorModel, best_candidate, document_features, load_detector
from monitor.detect.event_dates import DATE_RX, resolve_event_date
from monitor.models import Denial, Document
from monitor.text.lexicons import Lexicons, active_lexicons
from monitor.text.sentences import split_sentences
from monitor.detect.speakers import (
    FOREIGN,
    QUESTION_TURN,
    TURN,
    UNKNOWN_SPEAKER,
    SPEAKER_GROUP,
    find_mentions,
    canonical_speaker,
    speaker_tables,
)

__all__ = [
    "SPEAKER_GROUP",
    "canonical_speaker",
    "candidate_vectors",
    "detect_denials",
    "find_concepts",
    "is_denial_coverage",
    "prepare_sentences",
    "resolve_event_date",
    "split_sentences",
]

_I = re.IGNORECASE


@functools.lru_cache(maxsize=8192)
def _concepts_cached(text: str, lexicons: Lexicons) -> tuple[ConceptMatch, ...]:
    del lexicons  # part of the key: the gazetteer in force
    return tuple(_find_concepts(text))


def find_concepts(text: str) -> list[ConceptMatch]:
    """The gazetteer's matches for ``text``, memoised: claims and quotes are looked up
    several times per document (a bounded cache of a pure function, not state; keyed by
    the lexicons in force too)."""
    return list(_concepts_cached(text, active_lexicons()))


#: How many sentences before a cue get speaker mentions: a chain of "he said" sentences may
#: lead back that far to the official who is speaking (attribution, #15 item 8).
_CHAIN_BACK = 10

_PERSONLIKE = re.compile(r"^(?:[A-ZА-ЯЁ]\.\s?)+[A-ZА-ЯЁ][\w-]+$|^[A-ZА-ЯЁ][\w-]+(?:\s+[A-ZА-ЯЁ][\w-]+){1,3}$")


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _accused(doc: Document) -> frozenset[str]:
    """The actions ``doc`` says someone is accused of (``cues.accused_actions``): a document
    without a cue stem is read for its mirror cues when it names any."""
    return accused_actions(f"{doc.title or ''}\n{doc.text or ''}")


def _gate(doc: Document) -> tuple[bool, frozenset[str] | None]:
    """Whether ``doc`` is worth reading at all (a cue stem, or an accusation whose action a
    negation may mirror), and its accused actions when deciding needed them (None: not
    read, ``_prepare`` reads them)."""
    if has_cue_stem(doc.title or "") or has_cue_stem(doc.text or ""):
        return True, None
    actions = _accused(doc)
    return bool(actions), actions


def _prepare(doc: Document, *, stems: bool = False, actions: frozenset[str] | None = None) -> list[Sentence]:
    """Sentences with their cues; gazetteer work only near a cue (the expensive part).

    Returns ``[]`` when no sentence carries a cue. With ``stems`` (the learned stage), a
    sentence with a prefilter stem counts as well, and gets its speaker mentions too.
    ``actions``: ``_accused(doc)`` when the caller has it already."""
    lang = doc.lang
    title = (doc.title or "").strip()
    text = doc.text or ""
    sents: list[Sentence] = []
    body_starts_with_title = bool(title) and _norm(text[: len(title) + 20]).startswith(_norm(title))
    if title and not body_starts_with_title:
        sents.append(Sentence(0, 0, title, True, [], []))
    for i, (offset, _end, sentence) in enumerate(split_sentences(text, lang)):
        sents.append(Sentence(len(sents), offset, sentence, body_starts_with_title and i == 0, [], []))
    need: set[int] = set()
    for s in sents:
        if has_cue_stem(s.text):
            s.has_stem = True
            s.cues = find_cues(s.text)
            if s.cues:
                need.update(range(max(0, s.idx - _CHAIN_BACK), min(len(sents), s.idx + 4)))
            elif stems:
                need.update(range(max(0, s.idx - 3), min(len(sents), s.idx + 2)))
    if actions is None:
        actions = _accused(doc)
    if actions:  # "accused ... of violating" makes "did not violate" a cue, whatever the verb
        for s in sents:
            mirrored = [c for c in mirror_cues(s.text, actions)
                        if not any(c[1] < e and b < c[2] for _, b, e, _ in s.cues)]
            if mirrored:
                s.cues = sorted([*s.cues, *mirrored], key=lambda c: c[1])
                s.mirrored = tuple(c[1] for c in mirrored)
                need.update(range(max(0, s.idx - _CHAIN_BACK), min(len(sents), s.idx + 4)))
    if not need:
        return []
    need.update(s.idx for s in sents if s.is_title)
    turn: str | None = None
    inside = False
    prev_end = 0
    for s in sents:
        if s.is_title or "\n" in text[prev_end : s.start]:
            inside = False  # quotations do not run across headlines or paragraphs
        s.in_quote = inside
        inside = quote_delta(s.text, inside) if not s.is_title else False
        prev_end = s.start + len(s.text) if not s.is_title else 0
        if s.idx in need:
            s.concepts = find_concepts(s.text)
            s.mentions = find_mentions(s.text, s.concepts)
        m = TURN.match(s.text)
        if m and not s.is_title:
            name = m.group("name").strip()
            if QUESTION_TURN.match(name):
                turn, s.is_question = None, True
            else:
                named = [x for x in find_mentions(name + " said", find_concepts(name)) if x.speaker]
                if named:
                    turn = named[0].speaker
                elif _PERSONLIKE.match(name):
                    turn = UNKNOWN_SPEAKER  # a transcript turn by someone we do not list
        s.turn_speaker = turn
        if not s.is_question and re.search(r"\?\s*$|\b(?:asked\s+(?:[\w.]+\s+){0,3}?(?:whether|if|about)|asked\s+to\s+comment|was\s+asked|when\s+asked)\b|на\s+вопрос|отвечая\s+на", s.text, re.I):
            s.is_question = True
    _mark_dialogue_answers(sents, text)
    return sents


_DIALOGUE_DASH = re.compile(r"^\s*[—–]\s*\S")


def _mark_dialogue_answers(sents: list[Sentence], text: str) -> None:
    """An interview set as dialogue ("— Is it true that ...?" / "— No, this is a fabrication."):
    the answers are the interviewee's words, the official the introduction names (#15 item 8).

    Runs only when the text has a dashed question line and a dashed answer line; the
    interviewee is the first Russian speaker named in the headline or the first three
    sentences. Answers keep any speaker a transcript turn gave them.
    """
    body = [s for s in sents if not s.is_title]
    dashed = [s for s in body if _DIALOGUE_DASH.match(s.text)]
    if not any(s.text.rstrip().endswith("?") for s in dashed) or all(s.text.rstrip().endswith("?") for s in dashed):
        return
    interviewee = None
    for s in [*(x for x in sents if x.is_title), *body[:3]]:
        named = [m.speaker for m in find_mentions(s.text, find_concepts(s.text)) if m.speaker and m.speaker != FOREIGN]
        if named:
            interviewee = named[0]
            break
    if interviewee is None:
        return
    answer = False
    prev_end = 0
    for s in body:
        if _DIALOGUE_DASH.match(s.text):
            answer = not s.text.rstrip().endswith("?")
            if not answer:
                s.is_question = True
        elif "\n" in text[prev_end : s.start]:
            answer = False  # a paragraph without a dash: the article's own words
        prev_end = s.start + len(s.text)
        if answer and s.turn_speaker is None:
            s.turn_speaker = interviewee



def prepare_sentences(doc: Document, *, stems: bool = False) -> list[Sentence]:
    """The sentences ``detect_denials`` works on, with cues, mentions and turns (``[]`` when
    none carries a cue, or a stem with ``stems``): for diagnostics (``bench/detection_misses.py``)."""
    read, actions = _gate(doc)
    return _prepare(doc, stems=stems, actions=actions) if read else []


def _jaccard(a: set[str], b: set[str]) -> float:
    a = {x for x in a if not x.startswith("outlet:")}
    b = {x for x in b if not x.startswith("outlet:")}
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _informative(claim: str) -> int:
    """How much a claim tells matching: a named outlet, a date, a "reported that"."""
    score = 2 * any(c.concept.startswith("outlet:") for c in find_concepts(claim))
    score += bool(DATE_RX.search(claim)) + bool(re.search(r"\b(?:reported|claimed|wrote|writes|alleged)\b|\bпишет\b|сообщил|утвержда", claim, _I))
    return score


def _merge(cands: list[Cand]) -> list[Cand]:
    """One row per (speaker institution, claim): the same claim denied twice is one denial."""
    tables = speaker_tables()
    groups, institutions = tables.groups, tables.institutions
    rows: list[Cand] = []
    for c in cands:
        group = groups.get(c.speaker, c.speaker)
        for r in rows:
            if groups.get(r.speaker, r.speaker) != group:
                continue
            shared = (r.claim_concepts & c.claim_concepts) - {x for x in r.claim_concepts if x.startswith(("outlet:", "event:"))}
            ents_r = {x for x in r.claim_concepts if not x.startswith(("outlet:", "event:"))}
            ents_c = {x for x in c.claim_concepts if not x.startswith(("outlet:", "event:"))}
            ev_r = {x for x in r.claim_concepts if x.startswith("event:")}
            ev_c = {x for x in c.claim_concepts if x.startswith("event:")}
            content_free = not (ents_c - tables.concepts) and not ev_c
            same = (
                r.claim == c.claim
                or content_free
                or bool(ev_r & ev_c) and (bool(shared) or not ents_r or not ents_c)
                or _jaccard(r.claim_concepts, c.claim_concepts) >= 0.5
                or r.sent.is_title or c.sent.is_title
            )
            if not same:
                continue
            if r.speaker in institutions and c.speaker not in institutions:
                r.speaker = c.speaker
            if r.sent.is_title and not c.sent.is_title:
                r.sent, r.quote = c.sent, c.quote
            if c.confidence > r.confidence:
                r.confidence, r.cls, r.cue = c.confidence, c.cls, c.cue
            if c.cue not in r.cues:
                r.cues.append(c.cue)
            if c.quote not in r.quote and len(r.quote) < 600 and not c.sent.is_title:
                r.quote = r.quote + " " + c.quote
            if c.claim != r.claim and c.claim not in r.other_claims:
                r.other_claims.append(c.claim)
            if (r.claim_from_title and not c.claim_from_title) or (
                r.claim_from_title == c.claim_from_title and _informative(c.claim) > _informative(r.claim)
            ):
                r.other_claims.append(r.claim)
                r.claim, r.claim_concepts, r.claim_from_title = c.claim, c.claim_concepts, c.claim_from_title
            break
        else:
            rows.append(c)
    return rows


def _upgrade_speakers(rows: list[Cand], sents: list[Sentence]) -> None:
    """Name the person behind an institution: "the Kremlin denied ..." in an article that
    quotes Peskov is Peskov's denial; «в Минобороны опровергли» with Konashenkov quoted
    is Konashenkov's. "Russian government" takes any Russian speaker the text names."""
    tables = speaker_tables()
    groups, institutions = tables.groups, tables.institutions
    counts: dict[str, int] = {}
    for s in sents:
        for m in s.mentions:
            if m.speaker and m.speaker != FOREIGN:
                counts[m.speaker] = counts.get(m.speaker, 0) + 1
    for r in rows:
        if r.speaker not in institutions:
            continue
        group = groups.get(r.speaker)
        people = [
            (n, k) for k, n in counts.items()
            if k not in institutions and not k.startswith("Russian Embassy")
            and (r.speaker == "Russian government" or groups.get(k) == group)
            and k != "Vladimir Putin"
        ]
        if people:
            r.speaker = max(people)[1]
        elif r.speaker == "Russian government":
            inst = [(n, k) for k, n in counts.items() if k != "Russian government"]
            if inst:
                r.speaker = max(inst)[1]


#: ``detect_denials(detector=...)`` default: the shipped weights of the learned stage.
SHIPPED = "shipped"


def candidate_vectors(doc: Document) -> list[tuple[int, dict[str, float], set[int]]]:
    """The learned stage's candidates of ``doc`` with their features (for training and
    cross-validation: ``bench/detection_cv.py``); ``[]`` when no sentence has a stem."""
    if not has_cue_stem(doc.title or "") and not has_cue_stem(doc.text or ""):
        return []
    return document_features(_prepare(doc, stems=True), doc)


def detect_denials(doc: Document, *, detector: DetectorModel | str | None = SHIPPED) -> list[Denial]:
    """Every denial by a Russian official or institution in ``doc``, one per denied claim.

    Returns ``[]`` fast when no cue stem occurs anywhere. Denials by non-Russian
    speakers (a Ukrainian ministry, a Trump spokesman) are never returned. The
    document's principal denial comes first (the one whose denier the headline names),
    the rest in text order. Where the rules find no denial, the learned stage
    (``learned``: ``detector``, the shipped weights by default, None for the rules
    alone) may add one, its speaker, claim and quote found by the same extraction.
    """
    read, actions = _gate(doc)
    if not read:
        return []
    model = load_detector() if detector == SHIPPED else detector
    sents = _prepare(doc, stems=model is not None, actions=actions)
    if not sents:
        return []
    cands = _merge(find_candidates(sents, doc))
    if not cands and isinstance(model, DetectorModel):
        best = best_candidate(sents, doc, model)
        learned = learned_candidate(sents, doc, *best) if best is not None else None
        if learned is not None:
            cands = [learned]
    _upgrade_speakers(cands, sents)
    cands = _merge(cands)
    title_spk = title_speaker(sents)
    tables = speaker_tables()
    groups = tables.groups
    title_group = groups.get(title_spk or "", title_spk)
    published = doc.published.date() if doc.published else dt.date.today()
    out: list[Denial] = []
    for c in cands:
        claim_text = c.claim
        quote_concepts = find_concepts(c.quote)
        claim_concepts = find_concepts(claim_text)
        for extra in c.other_claims:
            claim_concepts += [m for m in find_concepts(extra) if not m.concept.startswith("outlet:")]
        spk_concepts = {k for k, v in tables.people.items() if v == c.speaker}
        ents = sorted(
            {
                m.concept
                for m in claim_concepts + quote_concepts
                if m.concept.split(":")[0] in ("person", "country", "org") and m.concept not in spk_concepts
            }
        )
        events = [m.concept for m in claim_concepts if m.concept.startswith("event:")]
        events = events or [m.concept for m in quote_concepts if m.concept.startswith("event:")]
        named = cue_event_type(c.cue) if c.cls == "event" else None
        if named:  # what the cue says did not happen is the denied event
            events = [named, *(e for e in events if e != named)]
        date = resolve_event_date(claim_text, published)
        for extra in [*c.other_claims, c.quote]:
            date = date or resolve_event_date(extra, published)
        outlets = claim_outlets_of(claim_text, claim_concepts)
        for extra in c.other_claims:
            for o in claim_outlets_of(extra, find_concepts(extra)):
                if o not in outlets:
                    outlets.append(o)
        # The report is usually named just before the denial; after it when the denial leads.
        window_end = c.sent.idx + (4 if c.sent.idx <= 2 else 0)
        for p in sents[max(0, c.sent.idx - 4) : window_end]:
            if p.concepts and QUESTION_CTX.search(p.text):
                for o in claim_outlets_of(p.text, p.concepts):
                    if o not in outlets:
                        outlets.append(o)
        for o in claim_outlets_of(c.quote, quote_concepts):
            if o not in outlets:
                outlets.append(o)
        out.append(
            Denial(
                speaker=c.speaker,
                cue=c.cue,
                quote=c.quote.strip(),
                claim=claim_text.strip(),
                lang=doc.lang,
                cue_class=c.cls,
                entities=tuple(ents),
                event_type=events[0] if events else None,
                event_date=date,
                outlets=tuple(outlets),
                # The headline names this denier too: the document is about this denial.
                confidence=min(1.0, c.confidence + (0.04 if title_group and groups.get(c.speaker, c.speaker) == title_group else 0.0)),
                position=c.sent.start,
            )
        )
    # Principal denial first: the one whose denier the headline names, then by position.
    out.sort(key=lambda d: (not (title_group and groups.get(d.speaker, d.speaker) == title_group), d.position))
    return out


def is_denial_coverage(doc: Document, denials: list[Denial] | None = None) -> bool:
    """Whether ``doc`` leads with a denial: a headline or lead sentence carrying one.

    Matching uses it to keep articles *about* the denial ("Kremlin denies report of
    ...") out of the reports the denial contradicts.
    """
    if denials is None:
        denials = detect_denials(doc)
    if not denials:
        return False
    sents = split_sentences(doc.text or "", doc.lang)
    # The lead: the first sentence, or the first two when the text repeats the headline.
    title_norm = _norm(doc.title or "")
    first = 1 if len(sents) > 1 and title_norm and _norm(sents[0][2]) == title_norm else 0
    lead_end = sents[first][1] if sents else 0
    if any(d.position <= lead_end for d in denials):
        return True
    title = doc.title or ""
    return bool(find_cues(title)) and any(m.speaker and m.speaker != FOREIGN for m in find_mentions(title, find_concepts(title)))
