"""Who may speak in a sentence: Russian officials and institutions, and everyone else.

Its job: the speaker tables built from the lexicons ``speakers.tsv`` and
``speaker_aliases.tsv`` (``speaker_tables``: Russian officials, institutions and their
groups, foreign organisations), ``SPEAKER_GROUP`` (which institution a speaker speaks
for), ``canonical_speaker`` for free-form labels, the speech-verb and official-title
patterns (compiled from the "speakers" section of ``cues.tsv``), and ``find_mentions``, which lists the speaker mentions in one sentence
(Russian, ``FOREIGN`` / ``UNKNOWN_SPEAKER``, or a pronoun) with whether each is attached
to a speech verb or title.

It must not decide which mention a cue belongs to (``attribution`` does), find cues,
or look up the gazetteer itself: callers pass the sentence's concepts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from monitor.detect.cues import (
    INVERSION_GAP as _INVERSION_GAP,
    INVERSION_VERB as _INVERSION_VERB,
    OFFICIAL_NOUN as _OFFICIAL_NOUN,
    OFFICIAL_NOUN_BEFORE as _OFFICIAL_NOUN_BEFORE,
    PRONOUN as _PRONOUN,
    QUESTION_TURN,
    RUSSIAN_TITLE,
    RUSSIAN_TITLE_BEFORE as _RUSSIAN_TITLE_BEFORE,
    SPEECH as _SPEECH,
    SPEECH_AHEAD as _SPEECH_AHEAD,
    VERB_FIRST as _VERB_FIRST,
)
from monitor.text.entities import ConceptMatch
from monitor.text.lexicons import Lexicons, active_lexicons

__all__ = ["QUESTION_TURN", "SPEAKER_GROUP", "SpeakerTables", "canonical_speaker", "speaker_tables"]

_I = re.IGNORECASE

# --------------------------------------------------------------------------- speakers

#: Concepts with rules of their own in ``find_mentions``: their speakers.tsv rows give names and groups only.
_BUILTIN = frozenset({"org:kremlin", "org:mfa", "org:mod", "country:russia"})


@dataclass(frozen=True)
class SpeakerTables:
    """The speaker lexicon (``speakers.tsv``, ``speaker_aliases.tsv``) in the shapes the detector uses."""

    #: Russian officials: concept id -> canonical name.
    people: dict[str, str]
    #: Russian institutions other than the Kremlin, the two ministries and the government.
    orgs: dict[str, str]
    #: Which institution a speaker speaks for: merging and "Kremlin" vs "Peskov" scoring use it.
    groups: dict[str, str]
    #: Concepts that name a possible denier (never the content of a claim).
    concepts: frozenset[str]
    #: Speaker names that are institutions, not people.
    institutions: frozenset[str]
    #: Non-Russian organisations: their words are never credited to a Russian speaker.
    foreign_orgs: frozenset[str]
    #: Lower-cased alias -> canonical name, in file order (``canonical_speaker``).
    aliases: dict[str, str]


@functools.lru_cache(maxsize=8)
def speaker_tables_for(lex: Lexicons) -> SpeakerTables:
    people: dict[str, str] = {}
    orgs: dict[str, str] = {}
    groups: dict[str, str] = {}
    institutions: set[str] = set()
    foreign: set[str] = set()
    for row in lex.rows("speakers"):
        concept, name, group, kind = row["concept"], row["name"], row["group"], row["kind"]
        if kind == "foreign":
            foreign.add(concept)
            continue
        if group != "-":
            groups[name] = group
        if kind == "official":
            people[concept] = name
        else:
            institutions.add(name)
            if concept not in _BUILTIN:
                orgs[concept] = name
    # Putin is usually the subject of a claim, not its denier.
    concepts = frozenset(set(people) - {"person:putin"} | {"org:kremlin", "org:mfa", "org:mod"})
    aliases = {row["alias"]: row["name"] for row in lex.rows("speaker_aliases")}
    return SpeakerTables(people, orgs, groups, concepts, frozenset(institutions), frozenset(foreign), aliases)


def speaker_tables() -> SpeakerTables:
    """The speaker tables of the lexicons in force (packaged plus ``$MONITOR_LEXICONS``)."""
    return speaker_tables_for(active_lexicons())


class _GroupView(Mapping[str, str]):
    """``SPEAKER_GROUP`` for callers outside detection: a read-only view of the tables in force."""

    def __getitem__(self, name: str) -> str:
        return speaker_tables().groups[name]

    def __iter__(self) -> Iterator[str]:
        return iter(speaker_tables().groups)

    def __len__(self) -> int:
        return len(speaker_tables().groups)


#: Speaker name -> the institution they speak for (a live view of ``speaker_tables().groups``).
SPEAKER_GROUP: Mapping[str, str] = _GroupView()
FOREIGN = "<foreign>"
UNKNOWN_SPEAKER = FOREIGN  # an unlisted speaker is treated like a foreign one: never reported
_UNKNOWN_NAME = re.compile(r"(?<![\w.])((?:[A-Z][\w'’-]+\s+){0,3}[A-Z][\w'’-]+),?\s+(?:\w+\s+)?(?:said|told|says|tells|added|wrote|stated|insisted)\b")
#: The capitalised name (first name and surname) right after a Russian official's title,
#: within a few words of the title, not followed by another capitalised word ("в Вене Михаил
#: Ульянов": "Вене Михаил" is no name).
_NAME_AFTER = re.compile(r"[^.;:!?\"«»“”]{0,50}?(?<![\w-])([A-ZА-ЯЁ][a-zа-яё'’-]+\s+[A-ZА-ЯЁ][a-zа-яё'’-]+)\b(?!\s+[A-ZА-ЯЁ])")
#: Capitalised words after a nationality or institution inside an unknown name ("Ukrainian MP Oleksiy Honcharenko").
_NAME_TAIL = re.compile(r"(?:[A-Z][\w'’-]+\s+){1,2}[A-Z][\w'’-]+")
_NOT_NAMES = {"He", "She", "It", "They", "We", "I", "This", "That", "The", "A", "An", "But", "And", "Asked", "When", "Speaking", "In", "On", "Officials", "Earlier", "Later", "Also", "So", "Meanwhile", "However", "Media", "Sources", "Source"}

# Latin-script aliases in other languages the archive carries (es/it/pt) and titles that
# the gazetteer leaves generic.
_EXTRA_SPEAKERS = re.compile(
    r"(?P<kremlin>\bCremlino\b|\bKremlim\b|\bKremlin\b)|(?P<zakharova>\bZaj[aá]rova\b|\bZakharova\b)",
    0,
)
_EMBASSY = re.compile(
    r"\b(?:(?P<nat>russian|russia's|ukrainian|ukraine's|us|u\.s\.|american|british|german|polish|chinese)\s+)?(?:embassy|ambassador|envoy)\s+(?:in|to)\s+(?:the\s+)?(?P<where>(?-i:[A-Z][\w.]+(?:\s+[A-Z]\w+)?))"
    r"|\b(?:посольств|посол|послом|посла)\w*\s+(?P<natru>россии|рф|украины|сша)?\s*(?:в|во)\s+(?P<whereru>[А-ЯЁ]\w+)",
    _I,
)
#: "The Russian Embassy said", «российское посольство»: an embassy the text does not place.
_EMBASSY_NAMELESS = re.compile(
    r"\b(?:russian|russia's)\s+embassy\b(?!\s+(?:in|to)\s)|\bроссийск\w+\s+посольств\w*(?!\s+(?:в|во)\s)"
    r"|\bпосольств\w*\s+(?:россии|рф)\b(?!\s+(?:в|во)\s)",
    re.IGNORECASE,
)
_WHERE = {
    "britain": "the UK", "uk": "the UK", "united kingdom": "the UK", "london": "the UK", "великобритании": "the UK",
    "лондоне": "the UK", "us": "the US", "u.s.": "the US", "united states": "the US", "washington": "the US",
    "сша": "the US", "вашингтоне": "the US", "германии": "Germany", "берлине": "Germany", "франции": "France",
}
TURN = re.compile(r"^\s*(?P<name>[A-ZА-ЯЁ][\w.\-’' ]{0,40}?)\s*:\s+\S")


@dataclass
class Mention:
    start: int
    speaker: str  # canonical name, FOREIGN, or "" for a pronoun
    attached: bool  # next to a speech verb or an official noun


_GIVEN_NAMES = re.compile(r"(?:[A-ZА-ЯЁ][a-zа-яё]+\s+){1,2}$")


def _near_speech(sent: str, start: int, end: int, speech: list[tuple[int, int]]) -> bool:
    """Whether a mention at [start, end) is the subject of a nearby speech verb:
    before it ("Peskov said", "Peskov, the Kremlin spokesman, told") or right after it
    with only titles between ("said Kremlin spokesman Dmitry Peskov")."""
    for s, e in speech:
        if 0 <= s - end <= 45 and not re.search(r"\b(?:that|which|who|whom|reports?|about|что|который|которая|о)\b", sent[end:s], _I):
            return True
        # A first name (and patronymic) before the listed surname is part of the mention
        # ("заявил Владимир Путин", "said Vladimir Putin"; #15 item 8).
        gap = _GIVEN_NAMES.sub("", sent[e:start]) if 0 <= start - e <= 40 else ""
        if 0 <= start - e <= 40 and _INVERSION_GAP.match(gap) and _INVERSION_VERB.match(sent, s, e):
            return True
    return False


def find_mentions(sent: str, concepts: list[ConceptMatch]) -> list[Mention]:
    """Who could be speaking in this sentence: officials, institutions, foreign parties."""
    tables = speaker_tables()
    people, russian_orgs, foreign_orgs = tables.people, tables.orgs, tables.foreign_orgs
    speech = [m.span() for m in _SPEECH.finditer(sent)]
    out: list[Mention] = []
    for k, c in enumerate(concepts):
        con = c.concept
        after = sent[c.end : c.end + 40]
        before = sent[max(0, c.start - 40) : c.start]
        attached = _near_speech(sent, c.start, c.end, speech) or bool(_OFFICIAL_NOUN.match(after)) or bool(
            _OFFICIAL_NOUN_BEFORE.search(before)
        )
        if con.startswith("person:") and (re.match(r"[-–—]\w", sent[c.end : c.end + 2]) or re.search(r"\w[-–—]$", sent[max(0, c.start - 2) : c.start])):
            continue  # "the Trump-Putin call": part of a compound, never a speaker
        if con == "person:putin" and re.match(r"(?:['’]s)?\s+(?:\w+\s+)?(?:press\s+secretary|spokes\w+)", after, _I):
            out.append(Mention(c.start, "Dmitry Peskov", True))
            continue
        if con in people and (
            re.match(r"['’]s?\s+(?:\w+\s+)?(?:statements?|words|remarks|claims?|comments?|allegations?|accusations?|post|article)\b", after, _I)
            or re.match(r"['’]s\s+(?:\w+\s+){0,3}(?:aide|adviser|advisor|deputy|envoy|assistant|representative|administration|office|government|ministry)\b", after, _I)
            or re.search(r"\b(?:заявлени\w*|слова|слов|высказывани\w*|обвинени\w*|утверждени\w*)\s+$", before, _I)
        ):
            continue  # the object of the denial ("Zakharova's statement"), not its speaker
        if con in people:
            # Putin is usually the subject of the claim, not its denier: only as a speaker
            # when a speech verb is right beside him.
            if con == "person:putin" and not _near_speech(sent, c.start, c.end, speech):
                continue
            out.append(Mention(c.start, people[con], attached or con != "person:putin"))
        elif con.startswith("person:"):
            if attached:
                out.append(Mention(c.start, FOREIGN, True))
        elif con in ("org:mfa", "org:mod"):
            nat = _nationality(concepts, k, sent)
            gen = re.match(r"\s+([А-ЯЁ][а-яё]+(?:ии|ы|ши|ьи))\b", sent[c.end : c.end + 30])
            if not nat and gen and gen.group(1) != "России":
                nat = "country:other"  # «МИД Молдовы», «Минобороны Латвии»: a country the gazetteer does not list
            if nat and nat != "country:russia":
                out.append(Mention(c.start, FOREIGN, True))
            else:
                name = "Russian Foreign Ministry" if con == "org:mfa" else "Russian Defence Ministry"
                out.append(Mention(c.start, name, True))
        elif con == "org:kremlin":
            out.append(Mention(c.start, "Kremlin", True))
        elif con in russian_orgs:
            nat = _nationality(concepts, k, sent)
            if not nat or nat == "country:russia":
                out.append(Mention(c.start, russian_orgs[con], attached))
        elif con in foreign_orgs:
            if attached:
                out.append(Mention(c.start, FOREIGN, True))
        elif con.startswith("country:"):
            nxt = concepts[k + 1] if k + 1 < len(concepts) else None
            if nxt is not None and nxt.concept in ("org:mfa", "org:mod", "org:kremlin") and nxt.start - c.end < 4:
                continue  # "Russian Foreign Ministry": the ministry mention speaks
            prv = concepts[k - 1] if k else None
            if prv is not None and prv.concept in ("org:mfa", "org:mod", "org:kremlin") and c.start - prv.end < 4:
                continue  # «Минобороны РФ»: a qualifier, not a second speaker
            if re.search(r"\b(?:in|to|from|at|of|on|against|about|with|for|в|во|из|против|о|об|с|на)\s+(?:the\s+)?$", before, _I):
                continue  # a place ("the embassy in Washington"), not a speaker
            if re.search(r"(?:заявлени|сообщени|обвинени|утверждени|версии|позици|слова|claims?\s+by|allegations?\s+by|statements?\s+by)\w*\s+(?:the\s+)?$", before, _I):
                continue  # «заявления российской стороны», "claims by the Russian side": whose claim, not who speaks
            if re.match(r"\W{0,3}(?:embassy|посольств)", after, _I):
                continue  # the embassy pattern below names it
            # «заявил министр обороны России», "the Russian side said": the country qualifies an
            # official named before it (Russia only: #15 item 8) or speaks itself.
            if _OFFICIAL_NOUN.match(after) or _SPEECH_AHEAD.match(after) or _VERB_FIRST.search(before) or (
                con == "country:russia" and _OFFICIAL_NOUN_BEFORE.search(before)
            ):
                out.append(Mention(c.start, "Russian government" if con == "country:russia" else FOREIGN, True))
    for m in _EMBASSY.finditer(sent):
        nat = (m.group("nat") or m.group("natru") or "").lower()
        where = (m.group("where") or m.group("whereru") or "").strip()
        if nat and not nat.startswith(("russia", "рф", "росс")):
            out.append(Mention(m.start(), FOREIGN, True))
        elif nat or re.search(r"\brussian?\b|росси", sent[max(0, m.start() - 30) : m.start() + 5], re.I):
            place = _WHERE.get(where.lower(), where.split()[0] if where else "")
            out.append(Mention(m.start(), f"Russian Embassy in {place}".strip(), True))
    for m in _EMBASSY_NAMELESS.finditer(sent):
        if not any(abs(x.start - m.start()) < 12 for x in out):
            out.append(Mention(m.start(), "Russian Embassy", True))
    for m in _EXTRA_SPEAKERS.finditer(sent):
        if m.group("kremlin") and not any(abs(x.start - m.start()) < 3 for x in out):
            out.append(Mention(m.start(), "Kremlin", True))
        elif m.group("zakharova") and not any(abs(x.start - m.start()) < 3 for x in out):
            out.append(Mention(m.start(), "Maria Zakharova", True))
    spans = [(c.start, c.end) for c in concepts]
    titled: set[int] = set()
    for m in RUSSIAN_TITLE.finditer(sent):
        # "Russia's envoy to the IAEA Mikhail Ulyanov" / «депутат Госдумы Иван Иванов»: a
        # Russian official the gazetteer does not list speaks under their own name (#15 item 8).
        who = _NAME_AFTER.match(sent, m.end())
        if who is None or who.group(1).split()[0] in _NOT_NAMES:
            continue
        if any(s < who.end(1) and who.start(1) < e for s, e in spans):
            continue  # a listed person: their own mention speaks
        titled.add(who.start(1))
        out.append(Mention(who.start(1), who.group(1), True))
    for m in _UNKNOWN_NAME.finditer(sent):
        if m.group(1).split()[0] in _NOT_NAMES:
            continue
        start = m.start(1)
        overlap = [c for c in concepts if c.start < m.end(1) and start < c.end]
        if overlap:
            # "Ukrainian MP Oleksiy Honcharenko wrote": a foreign nationality is a listed concept,
            # the person is not; somebody unknown speaks, never the last Russian mentioned (#15).
            # ("Russia's Security Council, wrote" stays with the Russian mentions.)
            if any(not c.concept.startswith("country:") or c.concept == "country:russia" for c in overlap):
                continue
            tail = _NAME_TAIL.search(sent, max(c.end for c in overlap), m.end(1))
            if tail is None or tail.end() != m.end(1):
                continue
            start = tail.start()
        if any(start <= t < m.end(1) for t in titled):
            continue
        if _RUSSIAN_TITLE_BEFORE.search(sent[max(0, m.start(1) - 70) : m.start(1)]):
            continue  # "Russia's ambassador to the UK, Andrei Kelin, told": the Russian mention speaks
        # Somebody the gazetteer does not know ("Spokesman Steven Cheung told"): never
        # credit their words to the last Russian official mentioned.
        out.append(Mention(start, UNKNOWN_SPEAKER, True))
    for m in _PRONOUN.finditer(sent):
        if _near_speech(sent, m.start(), m.end(), speech) or m.group().lower().startswith(("по ", "в ведом", "the ")):
            out.append(Mention(m.start(), "", True))
    out.sort(key=lambda x: x.start)
    return out


def _nationality(concepts: list[ConceptMatch], k: int, sent: str) -> str | None:
    """Country that qualifies a ministry mention: "Ukraine's Foreign Ministry", «МИД Польши»."""
    c = concepts[k]
    if k > 0:
        p = concepts[k - 1]
        if p.concept.startswith("country:") and c.start - p.end <= 4:
            return p.concept
    if k + 1 < len(concepts):
        n = concepts[k + 1]
        gap = sent[c.end : n.start]
        if n.concept.startswith("country:") and len(gap) <= 3 and not re.search(r"[,.;]", gap):
            return n.concept
    return None


def canonical_speaker(name: str) -> list[str]:
    """Canonical speaker names in a free-form label ("Dmitry Peskov (Kremlin spokesman)").

    Several speakers separated by ";" or "/" give several names. The parenthesised
    role is ignored, so "Igor Konashenkov (Russian Defence Ministry spokesman)" is
    Konashenkov, not the ministry.
    """
    aliases = speaker_tables().aliases
    out: list[str] = []
    for part in re.split(r"[;/]", name):
        part = re.sub(r"\(.*?\)", "", part).strip().lower()
        hit = None
        for alias, canon in aliases.items():
            if alias in part:
                hit = canon
                break
        if part.startswith("russian embassy"):
            hit = "Russian Embassy"
        if hit and hit not in out:
            out.append(hit)
    return out
