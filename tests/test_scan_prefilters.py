"""The fast scans must find exactly what the plain scans they stand in for find.

The gazetteer visits only the tokens its trie regex proposes, document features search
lower-cased text for IGNORECASE patterns, denial detection looks for cue stems with an
Aho-Corasick automaton, and the store replaces many reports' matches at once. Each rests
on an assumption (about Unicode lower-casing, or about order) that these tests check.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys

import pytest

from monitor.detect import cues as denial_cues
from monitor.text import entities
from monitor.match import features
from monitor.text.lowercase_regex import FOLDED_ONLY, Alternatives, Exact
from monitor.models import Denial, Document
from monitor.text.prefix_trie import phrase_pattern

UTC = dt.timezone.utc

TRICKY = [
    "Kremlin spokesman Dmitry Peskov said the Washington  Post report was pure fiction.",
    "According to the Independent, the U.S. and the UK spoke; The Post and The Times did not.",
    "Песков: «Путин и Трамп не обсуждали» — заявил пресс-секретарь президента РФ Д. Песков.",
    "İstanbul talks: Erdoğan, xİ Jinping and ΟΔΟΣ Σ; calls for a phone call with Xi.",
    "Trump-Putin call, Би-би-си, «Агентство», Zaporizhzhia nuclear power plant, Nord Stream 2.",
    "struck a deal... strikes deal; dealing with the so-called Kerch   bridge",
    "ſo the Kremlin’s ſpokesman; ᲀ Москве; ı; K; ǅemal",
    "",
    "Putin",
    "the",
]


def _spans(matches: list[entities.ConceptMatch]) -> list[tuple[str, int, int, str]]:
    return [(m.concept, m.start, m.end, m.text) for m in matches]


def test_phrase_pattern_whole_words_stems_and_gaps() -> None:
    rx = re.compile(r"(?<!\w)(?=" + phrase_pattern([(("put", True),), (("phone", False), ("call", False))],
                                                    r"\s{0,3}") + ")")
    assert [m.start() for m in rx.finditer("putin phone  call phonecall phone calls phone")] == [0, 6]
    assert re.compile(phrase_pattern([], "")).search("anything") is None


@pytest.mark.parametrize("text", TRICKY)
def test_gazetteer_finds_what_a_scan_of_every_token_finds(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    gaz = entities._Gazetteer()
    fast = _spans(gaz.find(text))
    monkeypatch.setattr(gaz, "_candidates", lambda t: (m.start() for m in entities._TOKEN.finditer(t)))
    assert fast == _spans(gaz.find(text))


def test_gazetteer_candidates_are_where_the_lookbehind_trie_matches() -> None:
    """``after_gap`` proposes the positions ``(?<!\\w)(?=trie)`` finds, no more, no fewer."""
    gaz = entities._Gazetteer()
    plain = re.compile(r"(?<!\w)(?=" + gaz.trie + ")")
    found = 0
    for text in _windows(TRICKY + CUE_TEXTS):
        low = text.lower()
        if len(low) == len(text):
            expected = [m.start() for m in plain.finditer(low)]
            assert list(gaz._candidates(text)) == expected, text
            found += len(expected)
    assert found > 1000


def test_lower_casing_keeps_the_classes_the_token_scans_rely_on() -> None:
    """Word characters stay word characters, letters letters, digits digits (length-keeping case only)."""
    classes = [re.compile(r"\w"), re.compile(r"[^\W\d_]"), re.compile(r"\d")]
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        low = c.lower()
        if len(low) == 1 and low != c:
            assert [bool(rx.match(c)) for rx in classes] == [bool(rx.match(low)) for rx in classes], hex(cp)


def test_ignorecase_is_lower_casing_outside_the_folded_only_letters() -> None:
    """For every letter the features' patterns spell, IGNORECASE matches exactly the
    characters whose ``lower()`` is that letter, once ``FOLDED_ONLY`` letters and those whose
    lower case is longer (which take the IGNORECASE path) are excluded."""
    every = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)
    by_lower: dict[str, set[str]] = {}
    for c in every:
        by_lower.setdefault(c.lower(), set()).add(c)
    letters = {c for rx in (features._COVER, features._CONFIRMED, features._ADMITS) for c in rx.pattern if c.isalpha() and c.islower()}
    assert letters
    for letter in sorted(letters):
        matched = {m.group() for m in re.finditer(re.escape(letter), every, re.IGNORECASE)}
        lowered = by_lower[letter]
        assert {c for c in matched - lowered if not FOLDED_ONLY.search(c) and len(c.lower()) == 1} == set(), letter
        assert lowered <= matched, letter


@pytest.mark.parametrize("text", TRICKY + ["KREMLIN DENIES Report", "Ministry conſirmed", "Песков ОПРОВЕРГ"])
def test_exact_lower_regex_matches_like_ignorecase(text: str) -> None:
    for rx in (features._COVER, features._CONFIRMED, features._ADMITS):
        slow = re.compile(rx.pattern, re.IGNORECASE)
        assert [m.span() for m in rx.finditer(text)] == [m.span() for m in slow.finditer(text)]
    assert isinstance(features._COVER, Exact)


#: Headlines and sentences of our own in the cue languages, cues and near misses.
CUE_TEXTS = [
    "Kremlin DENIES report that Moscow shoots down drones; spokesman calls it pure fiction",
    "President rejects the reports of a deal. Dismissal of the minister is \"not true\", he said",
    "Peskov brushed aside claims; the ministry said it was not involved and it never happened.",
    "Песков опроверг сообщения о встрече. Захарова назвала публикацию «фейком» и ложью.",
    "В Кремле отвергли эти данные и заявили, что Россия не причастна к атаке; неопровержимые факты",
    "МИД не имеет отношения к инциденту, ответила на обвинения пресс-секретарь; опровержение",
    "Зеленський спростував чутки; Кремль заперечує причетність і відреагував на заяву",
    "Il Cremlino smentisce: «È una notizia smentita» — il portavoce nega ogni coinvolgimento",
    "El Kremlin desmiente y niega el informe; Moscú rechaza las acusaciones. No es un circo",
    "O Kremlin desmente: não tem conhecimento do caso e desconhece a reunião",
    "Le Kremlin dément : « c'est faux », un démenti de Moscou",
    "Der Kreml weist die Vorwürfe zurück: frei erfunden, eine Falschmeldung, zurückgewiesen, Dementi",
    "Kremlin confirms talks; Moscow CONFIRMED the call, officials admit",
    "President Biden's evidence was sudden; presidential residence",
    "WEIST DU? zurück zum Start",
    "ſo the Kremlin ſcoffs; İstanbul DENİES; K",
]


def _windows(texts: list[str]) -> list[str]:
    """The texts, their random windows (cut words, odd starts) and case changes."""
    rng = random.Random(3)
    out = list(texts)
    for t in filter(None, texts):
        for _ in range(40):
            a = rng.randrange(len(t))
            w = t[a : a + rng.randrange(1, 60)]
            out += [w, w.upper(), w.title(), w.swapcase()]
    return out


@pytest.mark.parametrize("name", ["_COVER", "_CONFIRMED", "_ADMITS"])
def test_alternatives_search_finds_what_the_ignorecase_pattern_finds(name: str) -> None:
    """The features' cue patterns skip the alternatives whose literal a text lacks: same span."""
    rx = getattr(features, name)
    assert isinstance(rx, Alternatives)
    plain = re.compile(rx.pattern, re.IGNORECASE)
    found = 0
    for text in _windows(TRICKY + CUE_TEXTS):
        for pos in (0, 1, len(text) // 2):  # ``cover_search`` searches on from a passed-over cue
            fast, slow = rx.search(text, pos), plain.search(text, pos)
            assert (fast and fast.span()) == (slow and slow.span()), (text, pos)
            found += fast is not None
    assert found > 30


def test_alternatives_keep_the_leftmost_first_choice() -> None:
    """Leftmost start first, then the first alternative in order, whichever others the text allows;
    an alternative without a literal is always tried."""
    rx = Alternatives(r"(?:\bxa|abc)|abcd|ab|[xy]\d|zz", re.IGNORECASE)
    plain = re.compile(rx.pattern, re.IGNORECASE)
    for text in ["xabcd", "yabcd", "ABCD zz", "zz ab", "q", "yab xab", "abc", "y1 ab", "ab x2"]:
        fast, slow = rx.search(text), plain.search(text)
        assert (fast and fast.span()) == (slow and slow.span()), text
    assert rx.search("yabcd").span() == (1, 4)
    assert rx.search("a x1").span() == (2, 4)
    assert rx.search("q") is None


def test_alternatives_refuse_what_they_cannot_keep_exact() -> None:
    with pytest.raises(ValueError):
        Alternatives(r"(ab)|cd")  # a left-out alternative would renumber the groups
    with pytest.raises(ValueError):
        Alternatives(r"ab | cd", re.VERBOSE)


#: Loose words (``_PREFILTER_CONTEXT``) in and out of their context, side by side and
#: overlapping, where one scan must read them as ``finditer`` does
LOOSE = ["He said: no. Then no!", "said no.no! twice", "an earlier lie, a lie", "applied allies believe",
         "it had been discussediscussed", "discussediscussed, not discussed", "this was discussed earlier",
         "известнобсуждал", "он не обсуждал", "это неизвестно", "I was not aware", "no knowledge of it",
         "a reflection", "it did not reflect", "he said — нет,» and left", "не имеет и не имел"]


@pytest.mark.parametrize("text", TRICKY + LOOSE + ["It is untrue.", "Такого не было", "nothing", "disinformation"])
def test_cue_stem_automaton_finds_any_stem(text: str) -> None:
    low = text.lower()
    expected = any(stem in low for stem in denial_cues.cue_patterns().stems) or any(
        denial_cues._PREFILTER_CONTEXT[m.group()].search(low, max(0, m.start() - 20), m.start())
        for m in denial_cues._PREFILTER_LOOSE.finditer(low))
    assert denial_cues.has_cue_stem(text) == expected


def _seed(store) -> tuple[list[int], list[int]]:
    docs = [store.upsert_document(Document(
        url=f"https://example.test/{i}", title=f"Title {i}", text=f"Text {i}", source="test",
        published=dt.datetime(2024, 11, 11, 9, i, tzinfo=UTC))).id for i in range(4)]
    denials = [store.replace_denials(docs[i], f"2024-11-11T09:0{i}:00Z", [Denial(
        speaker="Kremlin", cue="fiction", quote="q", claim=f"claim {i}")])[0] for i in range(2)]
    return docs, denials


def test_replacing_many_reports_at_once_equals_one_at_a_time(store, tmp_path) -> None:
    from monitor.store import Store

    other = Store.open(tmp_path / "other.db")
    try:
        results = []
        for s, batched in ((store, True), (other, False)):
            docs, denials = _seed(s)
            s.replace_matches(denial_ids=[denials[0]], matches=[(denials[0], docs[2], 0.7, {"a": 1}),
                                                                 (denials[0], docs[3], 0.6, {})])
            found = {docs[2]: [(denials[1], docs[2], 0.9, {"b": 2})], docs[3]: []}
            if batched:
                new = s.replace_matches(report_ids=list(found), matches=[m for ms in found.values() for m in ms])
            else:
                new = [p for rid, ms in found.items() for p in s.replace_matches(report_ids=[rid], matches=ms)]
            rows = s.db.execute("SELECT denial_id, report_id, score, explanation FROM matches"
                                " ORDER BY denial_id, report_id").fetchall()
            results.append((sorted(new), rows))
        assert results[0] == results[1]
        assert results[0][0] == [(results[0][1][0][0], results[0][1][0][1])]
    finally:
        other.close()
