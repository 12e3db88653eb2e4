"""Latin-script spellings of names, language by language, brought to the English transliteration.

Matching compares names across languages by a key (``match.features.name_key``): a word is
transliterated, then reduced to how it sounds. English and Russian meet that way, but the
other Latin-script languages spell the same sounds with their own letters and inflect names:
Polish writes Песков as "Pieskow" and declines it ("Pieskowa", "Pieskowem"), German writes
Пригожин "Prigoschin" and puts a genitive -s on "Putins", Hungarian writes Путин "Putyin".
Read with English rules those spellings give other keys, so a German or Polish report never
shares the name with an English or Russian denial.

``to_common_spelling`` rewrites one lower-cased word of a known language into the spelling an
English transliteration would use: first the case ending is cut, then the language's letters
are replaced by the English digraphs for the same sounds (Polish "sz" -> "sh", German "sch" ->
"sh", "ch" -> "kh" where "ch" is the sound of х, Hungarian "sz" -> "s" and "s" -> "sh"). The
tables are rules of each language's orthography and grammar, not lists of names: any Russian
name written by those rules meets its English spelling. Languages without a table (English,
and those that mostly keep the English transliteration: Italian, Swedish...) pass unchanged.

Pure: no I/O, no state.
"""

from __future__ import annotations

import re

__all__ = ["cut_ending", "to_common_spelling"]

#: Case endings of names cut before the spelling is rewritten: only endings that leave a
#: consonant (those ending in a vowel go anyway, ``name_key`` drops a key's final vowels),
#: longest first. Polish: Pieskowowi, Putinem, Tuskiem, Kremlem, Pieskowów. Czech and Slovak:
#: Putinovi, Putinem, Zelenského. Croatian, Serbian (Latin) and Slovene: Putinom, Putinem.
#: German: the genitive -s (Putins, Lawrows). Hungarian: dative -nak/-nek, instrumental
#: -val/-vel (also assimilated: Putyinnal), accusative -ot/-et/-at, and the local cases; the
#: bare accusative -t only after the consonants it follows (Putyint), not after a name's own t.
_ENDINGS: dict[str, tuple[str, ...]] = {
    "pl": ("owi", "ewi", "iem", "em", "om", "ami", "ach", "iego", "ego", "iemu", "emu", "ów", "ym", "im"),
    "cs": ("ovi", "em", "om", "ého", "ému", "ým", "ím", "ách", "ům"),
    "sk": ("ovi", "om", "ého", "ému", "ým", "ím", "och"),
    "hr": ("om", "em", "ovi", "ima", "ama"),
    "bs": ("om", "em", "ovi", "ima", "ama"),
    "sr": ("om", "em", "ovi", "ima", "ama"),
    "sl": ("om", "em", "ovi", "ih"),
    "de": ("s",),
    "hu": ("nak", "nek", "val", "vel", "nal", "nel", "ról", "ről", "ban", "ben", "hoz", "hez", "höz", "tól", "től",
           "ot", "et", "at"),
}
#: How much of a word an ending may leave: a stem of at least this many letters (one more for
#: the German -s, which short names end in: Paris, Boris).
_MIN_STEM = 4
#: Hungarian assimilates the instrumental's v to the stem's last consonant (Putyinnal).
_DOUBLED_BEFORE_VAL = re.compile(r"([b-df-hj-np-tv-z])\1(?:al|el)$")
#: The Hungarian accusative -t straight after a consonant (Putyint, Snowdent).
_BARE_T = re.compile(r"[nlrjsz]t$")

#: Letters and digraphs of each language -> the English transliteration's (longest first, one pass).
#: What several languages spell alike needs no rule here: ``name_key`` itself merges "ch" and
#: "kh" (х is "ch" in German, Polish, Czech and Dutch), "sh" and "zh" (German "sch" is ж and ш)
#: and "z" with "s" (German "s" is з). What remains differs by language: "c" alone is ц in the
#: Slavic languages and Hungarian ("ts"; "ch" is listed where that rule would split it), Polish
#: "sz"/"cz"/"rz" are ш/ч/ж and "ie" a soft consonant before е, Hungarian "s" is ш and "sz" с,
#: German "tsch" is ч (Timtschenko) and "z" is ц (Saizew, Donez: German writes з "s"), Dutch
#: and Scandinavian "sj" is ш, French "ou" is у (Poutine). French "ch" (ш in Choïgou) is left
#: alone: French text writes English and French names with it far more often (Richard).
_SPELLING: dict[str, dict[str, str]] = {
    "pl": {"szcz": "shch", "sz": "sh", "cz": "ch", "rz": "zh", "ch": "kh", "c": "ts", "ie": "e", "ó": "u"},
    "cs": {"ch": "kh", "c": "ts", "ř": "rzh", "ě": "e", "ou": "u"},
    "sk": {"ch": "kh", "c": "ts", "ä": "e", "ô": "o"},
    "hr": {"ch": "kh", "c": "ts", "dž": "dzh"},
    "bs": {"ch": "kh", "c": "ts", "dž": "dzh"},
    "sr": {"ch": "kh", "c": "ts", "dž": "dzh"},
    "sl": {"ch": "kh", "c": "ts"},
    "hu": {"zs": "zh", "sz": "s", "cs": "ch", "s": "sh", "ty": "t", "gy": "d", "ny": "n", "ly": "i", "ch": "kh",
           "c": "ts"},
    "de": {"tsch": "ch", "z": "ts"},
    "nl": {"tsj": "ch", "sj": "sh", "oe": "u"},
    "sv": {"tj": "ch", "sj": "sh"},
    "no": {"tsj": "ch", "sj": "sh"},
    "da": {"tj": "ch", "sj": "sh"},
    "fr": {"ou": "u"},
}
_PATTERNS = {lang: re.compile("|".join(sorted(map(re.escape, table), key=len, reverse=True)))
             for lang, table in _SPELLING.items()}


def _language(lang: str | None) -> str:
    return (lang or "").lower()[:2]


def cut_ending(word: str, lang: str | None) -> str:
    """``word`` (lower-cased) without the first case ending of ``lang`` that leaves a long enough stem."""
    endings = _ENDINGS.get(_language(lang))
    if not endings:
        return word
    if _language(lang) == "hu" and len(word) - 3 >= _MIN_STEM and _DOUBLED_BEFORE_VAL.search(word):
        return word[:-3]
    for end in endings:
        if word.endswith(end) and len(word) - len(end) >= _MIN_STEM + (end == "s") and not word.endswith("ss"):
            return word[: -len(end)]
    if _language(lang) == "hu" and len(word) - 1 >= _MIN_STEM and _BARE_T.search(word):
        return word[:-1]
    return word


def to_common_spelling(word: str, lang: str | None) -> str:
    """``word`` (lower-cased) of language ``lang`` respelled as an English transliteration would
    spell it, its case ending cut: Polish "pieskowem" -> "peskow", German "putins" -> "putin",
    Hungarian "putyinnal" -> "putin". Languages without rules: unchanged."""
    code = _language(lang)
    pattern = _PATTERNS.get(code)
    word = cut_ending(word, code)
    if pattern is None:
        return word
    table = _SPELLING[code]
    return pattern.sub(lambda m: table[m.group()], word)
