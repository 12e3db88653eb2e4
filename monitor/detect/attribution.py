"""Which speaker a denial cue belongs to.

Its job: the per-sentence record the detector works on (``Sentence``), quotation
tracking (``_enclosing_quote``, ``quote_open``, ``quote_delta``), and the
attribution rules: a cue's speaker inside its own sentence (``pick_speaker``), from
the transcript turn or the neighbouring sentences (``context_speaker``), or from the
headline (``title_speaker``).

It must not find mentions or cues (``speakers`` and ``denial_cues`` do, and fill the
``Sentence``), filter speakers by nationality, or build ``Denial`` records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from monitor.detect.cues import FOLLOWING_ATTRIBUTION, NAMING_PARTICIPLE, NAMING_VERB, RELATIVE_CLAUSE, SAME_SPEAKER, SPEECH, SPEECH_THAT
from monitor.text.entities import ConceptMatch
from monitor.detect.speakers import UNKNOWN_SPEAKER, Mention



@dataclass
class Sentence:
    idx: int
    start: int  # offset in the document text (title sentences: 0)
    text: str
    is_title: bool
    concepts: list[ConceptMatch]
    mentions: list[Mention]
    turn_speaker: str | None = None  # speaker of the transcript turn this sentence is in
    is_question: bool = False
    in_quote: bool = False  # starts inside a quotation opened in an earlier sentence
    cues: list[tuple[str, int, int, str]] = field(default_factory=list)
    has_stem: bool = False  # carries a prefilter stem: a candidate of the learned stage
    #: starts of the cues that negate an action the document says someone is accused of
    #: (``cues.mirror_cues``): the accusation is their context
    mirrored: tuple[int, ...] = ()


def pick_speaker(s: Sentence, cue_start: int, cue_end: int, cls: str) -> tuple[str | None, bool]:
    """The speaker of a cue inside its own sentence: (speaker, explicit) or (None, False).

    Reported-denial verbs take their subject (the mention before the verb, or one right
    after it: «опроверг пресс-секретарь Песков»). Other cues take the nearest mention;
    a pronoun returns "" (resolve from context).
    """
    ms = s.mentions
    if not ms:
        return None, False
    if cls != "verb":
        # "X dismissed reports that he would leave the Kremlin as fabricated" / «X опроверг
        # сообщения о том, что Кремль ..., назвав их фейком»: a cue after a reported-denial
        # verb in the same sentence belongs to that verb's subject, never to an entity
        # named inside the denied claim.
        verbs = [c for c in s.cues if c[0] == "verb" and c[2] <= cue_start]
        if verbs and _enclosing_quote(s.text, cue_start) is None:
            spk, explicit = pick_speaker(s, verbs[-1][1], verbs[-1][2], "verb")
            if spk:
                return spk, explicit
    naming = [m for m in NAMING_VERB.finditer(s.text, 0, cue_start)]
    participle = False
    if cls != "verb" and naming:
        # "X called Y's statement a lie" / «X назвал заявления Y ложью»: X speaks.
        cls, cue_start, cue_end = "verb", naming[-1].start(), naming[-1].end()
        participle = bool(NAMING_PARTICIPLE.match(naming[-1].group()))
    if cls != "verb":
        # "X said that <Ukraine's claims> were untrue" / «В Минобороны заявили, что сообщения
        # украинской стороны ... не соответствуют действительности»: the cue is inside the
        # complement of X's speech verb, so X speaks, not a party named inside the clause.
        for sp in SPEECH_THAT.finditer(s.text, 0, cue_start):
            subj = [m for m in ms if m.start < sp.start() and sp.start() - m.start <= 70]
            if subj and not _enclosing_quote(s.text, cue_start):
                return subj[-1].speaker, True
    if cls == "verb":
        before = [m for m in ms if m.start < cue_start]
        rel = RELATIVE_CLAUSE.search(s.text, max(0, cue_start - 40), cue_start)
        if rel is not None:
            # "Donald Trump Jr., who strongly denies this, ..." / «..., который отрицает ...»:
            # the verb's subject is the relative clause's antecedent, right before the comma
            # (#15); nobody we know there is an unknown speaker, never the quote's speaker.
            antecedent = [m for m in before if 0 <= rel.start() - m.start <= 60]
            return (antecedent[-1].speaker, True) if antecedent else (UNKNOWN_SPEAKER, True)
        if participle and before:
            # "Zakharova denied that Lavrov had met Rubio, calling the report a canard":
            # the participle's subject is the main clause's, an attached mention.
            attached = [m for m in before if m.attached]
            if attached:
                return attached[0].speaker, True
        if before:
            return before[-1].speaker, True
        after = [m for m in ms if 0 <= m.start - cue_end <= 40]
        if after:
            return after[0].speaker, True
        return None, False
    quoted = _enclosing_quote(s.text, cue_start)
    if quoted is not None:
        # A cue inside quotation marks belongs to whoever the quote is attributed to,
        # not to a person named inside it ("That is not true, Lavrov will lead the
        # delegation," Peskov said).
        outside = [m for m in ms if not quoted[0] <= m.start < quoted[1]]
        if outside:
            ms = outside
    # "another Kremlin lie", «ложь Кремля»: a mention inside or right beside the cue's noun
    # phrase is whose lie it is, the accused, not the speaker (#15 item 8).
    ends = {c.start: c.end for c in s.concepts}
    cue_text = s.text[cue_start:cue_end]
    noun_cue = not (SPEECH.search(cue_text) or NAMING_VERB.search(cue_text))
    own = [
        m for m in ms
        if noun_cue and (
            cue_start <= m.start < cue_end
            or (m.start < cue_start and m.start in ends and not s.text[ends[m.start] : cue_start].strip())
            or (m.start >= cue_end and not s.text[cue_end : m.start].strip())
        )
    ]
    if own and len(own) < len(ms):
        ms = [m for m in ms if m not in own]
    elif own:
        return None, False
    best = min(ms, key=lambda m: abs(m.start - cue_start) * (1.0 if m.attached else 2.0))
    return best.speaker, True



_QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“"}


def _enclosing_quote(text: str, pos: int) -> tuple[int, int] | None:
    """The span of the quotation (marks included) around ``pos``, if it is inside one."""
    i = 0
    while i < len(text):
        close = _QUOTE_PAIRS.get(text[i])
        if close is None:
            i += 1
            continue
        end = text.find(close, i + 1)
        if end < 0:
            return (i, len(text)) if i <= pos else None
        if i <= pos <= end:
            return (i, end + 1)
        i = end + 1
    return None


def quote_delta(text: str, inside: bool) -> bool:
    """Whether a quotation is still open after ``text``, given ``inside`` before it."""
    for ch in text:
        if ch in "“«":
            inside = True
        elif ch in "”»":
            inside = False
        elif ch == '"':
            inside = not inside
    return inside


def quote_open(text: str) -> bool:
    """Whether ``text`` opens a quotation it does not close."""
    return text.count("“") + text.count("«") > text.count("”") + text.count("»") or text.count('"') % 2 == 1


def context_speaker(sents: list[Sentence], i: int) -> str | None:
    """Speaker of an unattributed quote: the transcript turn, the next sentence's
    attribution ("…untrue.” Peskov said."), else the last attributed speaker up to
    three sentences back."""
    s = sents[i]
    if s.turn_speaker:
        return s.turn_speaker
    if s.in_quote or quote_open(s.text) or re.search(r"[\"”»’]\s*$", s.text):
        # A quote split across sentences: its attribution follows the closing mark.
        for j in range(i + 1, min(len(sents), i + 4)):
            nxt = sents[j]
            close = max(nxt.text.rfind("”"), nxt.text.rfind("»"), nxt.text.rfind('"'))
            if j == i + 1 and not quote_open(s.text) and not s.in_quote:
                close = 0
            if close < 0 and nxt.in_quote:
                continue  # the quotation goes on
            after = [m for m in nxt.mentions if m.speaker and m.start >= close and m.start - close < 60]
            if after:
                return after[0].speaker
            if close > 0:
                break
    following = _following_speaker(sents, i)
    if following is not None:
        return following
    for j in range(i - 1, max(-1, i - 4), -1):
        if sents[j].is_title:
            continue
        named = [m for m in sents[j].mentions if m.speaker]
        verbs = [c for c in sents[j].cues if c[0] == "verb"]
        if named and verbs and sents[j].turn_speaker is None:
            # "X denied rumours about Y's resignation. 'No, that is not so,' he said": the
            # pronoun is the denier (the verb's subject), not the person the claim is about.
            spk, _ = pick_speaker(sents[j], verbs[0][1], verbs[0][2], "verb")
            if spk:
                return spk
        if named:
            return named[-1].speaker if sents[j].turn_speaker is None else sents[j].turn_speaker
        if sents[j].turn_speaker:
            return sents[j].turn_speaker
    return _chain_speaker(sents, i)


def _following_speaker(sents: list[Sentence], i: int) -> str | None:
    """The speaker a following sentence credits the cue's sentence to: «... не соответствует
    действительности. Об этом сообщили в Минобороны.», "... are false. This was stated by the
    ministry." (#15 item 8). The attributing sentence may come one sentence later when the
    one between names nobody. An attribution to someone we do not list (an outlet, an
    unknown person) is ``UNKNOWN_SPEAKER``: the cue is theirs, not the last Russian's."""
    for j in range(i + 1, min(len(sents), i + 3)):
        nxt = sents[j]
        if nxt.is_title or nxt.is_question:
            return None
        if FOLLOWING_ATTRIBUTION.match(nxt.text):
            named = [m.speaker for m in nxt.mentions if m.speaker]
            # «пресс-секретарь Путина Песков»: whose spokesman is not who spoke.
            named = [n for n in named if n != "Vladimir Putin"] or named
            return named[0] if named else None
        if any(m.speaker for m in nxt.mentions) or nxt.cues:
            return None
    return None


#: How far back a chain of "he said ... he added ..." sentences may lead to its speaker.
_CHAIN = 10


def _chain_speaker(sents: list[Sentence], i: int) -> str | None:
    """The speaker a run of pronoun sentences leads back to, beyond the three-sentence window.

    Long articles name an official once ("Peskov answered questions on Monday") and go on
    for paragraphs with "he said", "он добавил" (#15 item 8). Every sentence between must
    refer to the same person by pronoun, and the one that names them must name only one.
    """
    s = sents[i]
    if not (SAME_SPEAKER.search(s.text) or s.in_quote or quote_open(s.text) or re.search(r"[\"”»’]\s*$", s.text)):
        return None
    for j in range(i - 1, max(-1, i - _CHAIN), -1):
        p = sents[j]
        if p.is_title or p.turn_speaker:
            return None
        named = {m.speaker for m in p.mentions if m.speaker}
        if named:
            return named.pop() if len(named) == 1 else None
        if not SAME_SPEAKER.search(p.text):
            return None
    return None


def title_speaker(sents: list[Sentence]) -> str | None:
    for s in sents:
        if s.is_title:
            named = [m.speaker for m in s.mentions if m.speaker]
            return named[0] if named else None
    return None
