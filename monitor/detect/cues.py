"""The denial cue lexicon: which words and phrases in a sentence deny something.

Its job: compile the cue grammar (``strong``, ``verb``, ``weak``, ``event``,
``involvement``), the guards that veto ordinary negation, no-comment and "neither confirm
nor deny", and the context patterns the cues need (a claim noun, a naming verb, a question
or report) from the lexicon ``cues.tsv`` (``cue_patterns``); the cheap literal prefilter (``has_cue_stem``, an Aho-Corasick automaton of stems) and
``find_cues``, which lists the unguarded cues of one sentence.

It must not attribute cues to speakers, look up the gazetteer, split text into
sentences or build ``Denial`` records; it works on one string at a time. Keep the
prefilter stems (``cue_stems.tsv``) a superset of every cue when adding one.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

from monitor.errors import LexiconError
from monitor.text.lexicons import Lexicons, active_lexicons
from monitor.text.lowercase_regex import Phrase, phrase_rx

_I = re.IGNORECASE

#: The cue classes, in the order ``find_cues`` tries them (an earlier class wins an overlap).
CUE_CLASSES = ("strong", "verb", "weak", "event", "involvement")
#: The kinds of event an ``event`` cue may say did not happen, in the order they are tried.
_CUE_EVENT_TYPES = ("talks", "call", "meeting", "contact")
#: Every pattern name ``cues.tsv`` may use (its rows are alternatives, joined with "|").
PATTERN_NAMES = (
    *CUE_CLASSES,
    "guard.negated_verb", "guard.after_verb", "guard.sentence", "guard.negated_noun", "guard.generic_fakes",
    "specific_claim", "involvement.action", "claim_noun", "naming", "naming_verb", "naming_participle", "question_context", "future",
    "bare_no", "reported", *(f"cue_event.{t}" for t in _CUE_EVENT_TYPES), "russian_title",
    "accusation", "negated_action",
    # speakers (detect/speakers.py)
    "speech", "speech.inversion_verb", "speech.inversion_gap", "speech.pronoun", "speech.question_turn", "speech.verb_first",
    "official.after", "official.before", "official.russian_title_before",
    # outlets named as a claim's source or a denial's relay (detect/claim_outlets.py)
    "outlet.relay_before", "outlet.relay_after", "outlet.claim_before",
    # who said a cue (detect/attribution.py)
    "attribution.speech_that", "attribution.relative", "attribution.same_speaker", "attribution.following",
)


@dataclass(frozen=True, eq=False)
class CuePatterns:
    """The compiled cue lexicon (``cues.tsv``, ``cue_stems.tsv``) of one lexicon set."""

    #: Pattern name -> compiled pattern (case-insensitive, run on lower-cased text).
    rx: dict[str, Phrase]
    #: Literal stems of every cue: no stem, no denial (``has_cue_stem``).
    stems: tuple[str, ...]
    prefilter: ahocorasick.Automaton
    #: ``prefilter``'s stems (value None) and ``_PREFILTER_CONTEXT``'s words (value: (their
    #: place in ``_PREFILTER_LOOSE``, the word)) in one automaton: ``has_cue_stem`` reads a
    #: text once, where the stems' automaton and then the loose words' regex read it twice
    scan: ahocorasick.Automaton


@functools.lru_cache(maxsize=8)
def cue_patterns_for(lex: Lexicons) -> CuePatterns:
    """Compile ``lex``'s cue patterns; an unknown pattern name raises ``LexiconError`` (file:line)."""
    alternatives: dict[str, list[str]] = {name: [] for name in PATTERN_NAMES}
    for row in lex.rows("cues"):
        if row["name"] not in alternatives:
            raise LexiconError(f"{row.file}:{row.line}: name: unknown pattern name {row['name']!r} (known: {', '.join(PATTERN_NAMES)})")
        alternatives[row["name"]].append(row["pattern"])
    missing = [name for name, alts in alternatives.items() if not alts]
    if missing:
        raise LexiconError(f"cues.tsv: no pattern for {', '.join(missing)}")
    rx = {name: phrase_rx("|".join(alts), _I) for name, alts in alternatives.items()}
    # A speech or denial verb within two words after a mention ("Iran denies", "Moscow said").
    rx["speech.ahead"] = phrase_rx(r"^\W{0,3}(?:on\s+\w+\s+)?(?:\w+\s+){0,2}?(?:" + "|".join(alternatives["speech"]) + ")", _I)
    stems = tuple(row["stem"] for row in lex.rows("cue_stems"))
    return CuePatterns(rx, stems, _automaton(sorted(set(stems))), _scan_automaton(stems))


def cue_patterns() -> CuePatterns:
    """The cue patterns of the lexicons in force (packaged plus ``$MONITOR_LEXICONS``)."""
    return cue_patterns_for(active_lexicons())


class NamedPattern:
    """A cue-lexicon pattern by name, resolved in the lexicons in force at each call.

    Other detection modules import these (``CLAIM_NOUN.search(text)``) as they imported
    the compiled patterns before the lexicons became data.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return cue_patterns().rx[self.name].search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return cue_patterns().rx[self.name].match(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return cue_patterns().rx[self.name].finditer(text, pos, endpos)


#: An involvement cue that denies a past action ("did not target", «не нарушали»).
INVOLVEMENT_ACTION = NamedPattern("involvement.action")
#: A report, claim or allegation named as the object of a denial.
CLAIM_NOUN = NamedPattern("claim_noun")
NAMING = NamedPattern("naming")
NAMING_VERB = NamedPattern("naming_verb")
#: A participle naming verb ("..., calling the report a canard", «..., назвав их фейком») shares the main clause subject.
NAMING_PARTICIPLE = NamedPattern("naming_participle")
QUESTION_CTX = NamedPattern("question_context")
#: Plans and intentions: an event cue under them ("will not meet") denies nothing yet.
FUTURE = NamedPattern("future")
#: A bare "No." / «Нет.» answer: a denial only when the question it answers relays a
#: report or claim ("American newspapers write that ... Is that so?"), not a plan.
BARE_NO = NamedPattern("bare_no")
REPORTED = NamedPattern("reported")
#: A title that makes the name after it a Russian official ("Russia's envoy to the IAEA").
RUSSIAN_TITLE = NamedPattern("russian_title")
#: Speech verbs, and what ``detect.speakers`` needs around mentions (cues.tsv, "speakers" section).
SPEECH = NamedPattern("speech")
SPEECH_AHEAD = NamedPattern("speech.ahead")
INVERSION_VERB = NamedPattern("speech.inversion_verb")
INVERSION_GAP = NamedPattern("speech.inversion_gap")
PRONOUN = NamedPattern("speech.pronoun")
#: A speech verb right before its subject in verb-first languages (Arabic «نفت روسيا»).
VERB_FIRST = NamedPattern("speech.verb_first")
QUESTION_TURN = NamedPattern("speech.question_turn")
OFFICIAL_NOUN = NamedPattern("official.after")
OFFICIAL_NOUN_BEFORE = NamedPattern("official.before")
RUSSIAN_TITLE_BEFORE = NamedPattern("official.russian_title_before")
#: Around an outlet's name: a relay of the denial or the source of the report (cues.tsv, "outlets").
OUTLET_RELAY_BEFORE = NamedPattern("outlet.relay_before")
OUTLET_RELAY_AFTER = NamedPattern("outlet.relay_after")
OUTLET_CLAIM_BEFORE = NamedPattern("outlet.claim_before")
#: Attribution: "said that", ", who denies", "he" (cues.tsv, "attribution").
SPEECH_THAT = NamedPattern("attribution.speech_that")
RELATIVE_CLAUSE = NamedPattern("attribution.relative")
SAME_SPEAKER = NamedPattern("attribution.same_speaker")
#: A sentence that attributes the one before it ("Об этом сообщили в Минобороны.").
FOLLOWING_ATTRIBUTION = NamedPattern("attribution.following")


#: Stems that occur inside common words ("earlier", «отношения», "discussed sanctions"):
#: they count only in the context every cue containing them needs (a word start; "not
#: / been discussed"; «не имеет ... отношения»), so most news text needs no sentence work.
_PREFILTER_CONTEXT = {
    # a bare "No." / «Нет» answer opening a transcript turn or a quotation
    "no.": re.compile(r"[:\"“«—–]\s*$"), "no!": re.compile(r"[:\"“«—–]\s*$"), 'no,"': re.compile(r"[:\"“«—–]\s*$"),
    "no,”": re.compile(r"[:\"“«—–]\s*$"), 'no"': re.compile(r"[:\"“«—–]\s*$"), "no”": re.compile(r"[:\"“«—–]\s*$"),
    "нет.": re.compile(r"[:\"“«—–]\s*$"), "нет!": re.compile(r"[:\"“«—–]\s*$"), "нет»": re.compile(r"[:\"“«—–]\s*$"),
    "нет,»": re.compile(r"[:\"“«—–]\s*$"), 'нет"': re.compile(r"[:\"“«—–]\s*$"),
    "lie": re.compile(r"(?:^|\W)$"),
    "discussed": re.compile(r"\b(?:not|been)\s+$"),
    "reflect": re.compile(r"(?:\bnot|n't)\s+$"), "aware": re.compile(r"\bnot\s+$"), "knowledge": re.compile(r"\bno\s+(?:such\s+)?$"), "know anything": re.compile(r"\bnot\s+$|n't\s+$"),
    "обсуждал": re.compile(r"\bне\s+$"), "известно": re.compile(r"\bне\s*$"),
    "имеет": re.compile(r"\bне\s+$"), "имеют": re.compile(r"\bне\s+$"), "имел": re.compile(r"\bне\s+$"),
}


def _automaton(stems: Iterable[str]) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton over the stems: one pass over the text finds any of them.

    A trie-shaped regex costs ~45 us on a 2 KB text (``re`` still starts a match at every
    position); the automaton reads each character once (~4x faster). Detection runs it
    over every document.
    """
    automaton = ahocorasick.Automaton()
    for stem in stems:
        automaton.add_word(stem, stem)
    automaton.make_automaton()
    return automaton


#: The loose words, longest first: what ``has_cue_stem`` finds of them is what this
#: pattern's ``finditer`` finds (its definition; the scan does not run it)
_LOOSE_WORDS = sorted(_PREFILTER_CONTEXT, key=len, reverse=True)
_PREFILTER_LOOSE = re.compile("|".join(re.escape(k) for k in _LOOSE_WORDS))


def _scan_automaton(stems: Iterable[str]) -> ahocorasick.Automaton:
    """``CuePatterns.scan``: the loose words, then the stems (a stem that is also a loose
    word is a stem: either way the text has a cue stem)."""
    automaton = ahocorasick.Automaton()
    for place, word in enumerate(_LOOSE_WORDS):
        automaton.add_word(word, (place, word))
    for stem in sorted(set(stems)):
        automaton.add_word(stem, None)
    automaton.make_automaton()
    return automaton


def has_cue_stem(text: str) -> bool:
    """Whether ``text`` holds a prefilter stem, or a loose word (``_PREFILTER_CONTEXT``) in
    its context, as ``_PREFILTER_LOOSE.finditer`` finds them.

    One pass of ``CuePatterns.scan``: any stem ends it; the loose words it found are then
    read as ``finditer`` would (by start; at one start the first alternative, the longest;
    none overlapping the one taken before)."""
    if not text:
        return False
    low = text.lower()
    loose = []
    for end, found in cue_patterns().scan.iter(low):
        if found is None:
            return True
        loose.append((end - len(found[1]) + 1, found[0], found[1]))
    if not loose:
        return False
    loose.sort()
    taken_end = 0
    for start, _, word in loose:
        if start < taken_end:
            continue  # inside the word taken before (or a later alternative at its start)
        taken_end = start + len(word)
        if _PREFILTER_CONTEXT[word].search(low, max(0, start - 20), start):
            return True
    return False


def first_stem(text: str) -> tuple[int, int] | None:
    """Span of the first prefilter stem in ``text`` (the cue of a sentence the learned stage
    picked without a rule cue), or None."""
    low = text.lower()
    hits = [(end - len(stem) + 1, end + 1) for end, stem in cue_patterns().prefilter.iter(low)]
    return min(hits) if hits else None


#: A verb's object that points back: "reject this", "dismissed it", «отвергаем это».
_PRONOUN_OBJECT = re.compile(r"\W*(?:this|it|these|those|them|это|эти|их)\b", re.IGNORECASE)


def find_cues(text: str) -> list[tuple[str, int, int, str]]:
    """Every cue in one sentence with its class, minus the guarded ones."""
    rx = cue_patterns().rx
    strong = rx["strong"]
    if rx["guard.sentence"].search(text) and not strong.search(rx["guard.sentence"].sub(" ", text)):
        return []
    if rx["guard.generic_fakes"].search(text) and not rx["specific_claim"].search(text) and not strong.search(rx["guard.generic_fakes"].sub(" ", text)):
        return []
    out: list[tuple[str, int, int, str]] = []
    claim_noun = rx["claim_noun"]
    for cls in CUE_CLASSES:
        for m in rx[cls].finditer(text):
            s, e = m.span()
            if any(s < oe and os_ < e for _, os_, oe, _ in out):
                continue
            if cls == "verb":
                if rx["guard.negated_verb"].search(text[max(0, s - 40) : s]) or rx["guard.after_verb"].match(text[e : e + 40]):
                    continue
                word = m.group().lower()
                tail = text[e : e + 90]
                # reject/dismiss/refute need a claim as object; "rejected a peace deal" is news, not a denial.
                # "as"/"that" must introduce the verb's own object ("dismissed as", "rejected that
                # claim"), not a later clause ("dismissed the possibility of a truce, acknowledging
                # that ...", #15): only before the first clause break.
                head = re.split(r"[,;:—–(]", tail, maxsplit=1)[0][:40]
                if not word.startswith(("den", "опроверг", "отрица", "desmi", "smenti", "disput", "dément", "démenti",
                                        "dementi", "zurückgewiesen", "weist", "nega", "niega", "negó",
                                        "спростув", "заперечи", "заперечу", "zaprzecz", "zdementowa", "förneka",
                                        "dementera", "membantah", "bantah", "menyangkal", "menepis")) and not claim_noun.search(tail) and not re.search(r"\bas\b|\bthat\b|\bкак\b", head, re.I) \
                        and not (_PRONOUN_OBJECT.match(tail) and claim_noun.search(text[:s])):
                    # ("Asked about allegations that ..., he said: 'We reject this.'": the
                    # pronoun's antecedent is the claim noun named before the verb)
                    continue
                if word.startswith(("denial", "rebuttal")) and not re.match(r"\W*(?:of|that)\b", text[e : e + 10], re.I) and "bombastic" not in text[max(0, s - 20) : s].lower():
                    if not claim_noun.search(text):
                        continue
                if word.startswith("отрица") and not claim_noun.search(tail) and not re.search(r"причаст|участи|факт|связ", tail, re.I):
                    continue
                if word.startswith(("nega", "niega", "negó")) and not re.search(r"\b(?:il|la|lo|che|las|los|que)\b", tail, re.I):
                    continue
            if cls == "strong" and rx["guard.negated_noun"].search(text[max(0, s - 12) : e]):
                continue
            while s < e and not text[s].isalnum():
                s += 1  # an answer cue may start at the colon or quotation mark before it
            out.append((cls, s, e, text[s:e]))
    out.sort(key=lambda x: x[1])
    return out


#: How many letters an accused action and a negated word must share from their start to be
#: taken for one word ("violating" / "violate", «нарушении» / «нарушали»).
MIRROR_PREFIX = 5
_WORD = re.compile(r"[\w-]+")
_PREPOSITION = re.compile(r"\s(?:of|в)\s", re.IGNORECASE)


def accused_actions(text: str) -> frozenset[str]:
    """The words naming what a text says someone is accused of: those after "of" / «в» in
    "accused X of ...", "allegations of ...", «обвинила X в ...» (lower case, 5+ letters)."""
    low = text.lower()
    if "accus" not in low and "allegation" not in low and "обвин" not in low:
        return frozenset()
    out: set[str] = set()
    for m in cue_patterns().rx["accusation"].finditer(text):
        found = m.group()
        last = list(_PREPOSITION.finditer(found))
        tail = found[last[-1].end():] if last else found
        out.update(w.lower() for w in _WORD.findall(tail) if len(w) >= MIRROR_PREFIX)
    return frozenset(out)


def mirror_cues(text: str, actions: frozenset[str]) -> list[tuple[str, int, int, str]]:
    """Involvement cues in one sentence: a negated word that shares its first
    ``MIRROR_PREFIX`` letters with one of the document's ``accused_actions``."""
    out = []
    for m in cue_patterns().rx["negated_action"].finditer(text):
        word = _WORD.findall(m.group())[-1].lower()
        if any(word[:MIRROR_PREFIX] == a[:MIRROR_PREFIX] for a in actions):
            out.append(("involvement", m.start(), m.end(), text[m.start() : m.end()]))
    return out


def cue_event_type(cue: str) -> str | None:
    """The event type an ``event`` cue names, or None ("there was no call" -> event:call)."""
    rx = cue_patterns().rx
    for kind in _CUE_EVENT_TYPES:
        if rx[f"cue_event.{kind}"].search(cue):
            return f"event:{kind}"
    return None


