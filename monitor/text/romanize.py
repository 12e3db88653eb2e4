"""Latin spellings of words in scripts other than Latin and Cyrillic (Greek, Arabic...).

Its job is to let a name written in Greek or Arabic meet its Latin or Cyrillic spelling
(issue 15 item 4): Greek «Πριγκόζιν» and Arabic «بيسكوف» must reach the same keys as
Prigozhin and Peskov. ``anyascii`` (ISC licence, tables only) romanises any script;
Cyrillic keeps the name-key code's own table (``match.features``), which knows Russian
case endings.

Arabic writes a foreign name's long vowels (و, ي) but often not its short ones, and has
no p or v, so its spelling cannot equal a Latin key. ``arabic_shape`` and ``latin_shapes``
write both as one "shape": consonants folded to those Arabic has (p -> b, v -> f), o/u as
w and e/i as y, a dropped (Peskov / بيسكوف -> ``byskwf``); the Latin side also yields the
shapes with some vowel letters left out (Snowden / سنودن -> ``snwdn``).

It must not do I/O or keep state beyond memoised pure functions.
"""

from __future__ import annotations

import functools
import re

from anyascii import anyascii

__all__ = ["arabic_shape", "is_caseless_script", "latin_shapes", "romanize", "strip_arabic_article"]

#: Scripts that ``romanize`` handles: Latin, Cyrillic and digits are left to the caller.
_OTHER_SCRIPT = re.compile(r"[\u0370-\u03FF\u1F00-\u1FFF\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
#: Scripts without letter case (Arabic, Persian, Urdu), where a capital cannot mark a name.
_CASELESS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
#: Greek digraphs for sounds Greek has no letter for: γκ / μπ / ντ = g / b / d (Πριγκόζιν).
_GREEK_DIGRAPHS = (("γκ", "g"), ("μπ", "b"), ("ντ", "d"))
#: The Arabic article and the one-letter conjunctions and prepositions written onto it
#: (ال, وال, بال, فال, كال, لل): "الكرملين" is "the Kremlin".
_ARABIC_ARTICLE = re.compile(r"^(?:[وفبك]?ال|لل)(?=\w{3})")


def is_caseless_script(word: str) -> bool:
    """Whether ``word`` is written in a script without capitals (Arabic, Persian, Urdu)."""
    return bool(_CASELESS.search(word))


def strip_arabic_article(word: str) -> str:
    """``word`` without a leading Arabic article (الكرملين -> كرملين)."""
    return _ARABIC_ARTICLE.sub("", word)


@functools.lru_cache(maxsize=65536)
def romanize(word: str) -> str | None:
    """The Latin spelling of a Greek or Arabic-script word (lower case), or None when
    ``word`` has no letter of those scripts (Latin and Cyrillic are the caller's)."""
    if not _OTHER_SCRIPT.search(word):
        return None
    w = word.lower()
    for a, b in _GREEK_DIGRAPHS:
        w = w.replace(a, b)
    return anyascii(w).lower()


#: Arabic letters as the sounds a Latin spelling writes for them; hamza, ayn and alif
#: (which Arabic writes for a foreign "a" only sometimes) are dropped, و and ي are kept as
#: w and y (Arabic writes a foreign name's vowels o/u and e/i with them: بوتين, بيسكوف).
_ARABIC_SHAPE = str.maketrans({
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ج": "g", "چ": "s", "ح": "h", "خ": "h", "د": "d", "ذ": "z",
    "ر": "r", "ز": "z", "ژ": "z", "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "g",
    "ف": "f", "ڤ": "f", "ق": "k", "ك": "k", "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "ة": "", "و": "w", "ؤ": "w", "ي": "y", "ى": "y", "ئ": "y", "ی": "y", "ے": "y",
})
#: The same shape of a Latin spelling already spelled by sound (``match.features.sound_key``,
#: which has made w v, y i and kh h): vowels as Arabic writes them, consonants Arabic lacks folded.
_LATIN_SHAPE = str.maketrans({"a": "", "o": "w", "u": "w", "e": "y", "i": "y", "p": "b", "v": "f", "c": "k",
                              "q": "k", "x": "k", "j": "g"})
_SHAPE_DOUBLE = re.compile(r"(.)\1+")
#: Most unwritten vowels a Latin spelling's shape is allowed to lose (2^n variants).
_MAX_DROPPED = 4


def arabic_shape(word: str) -> str:
    """The letters of an Arabic-script word as ``latin_shapes`` writes them: بيسكوف -> ``byskwf``."""
    w = strip_arabic_article(word).translate(_ARABIC_SHAPE)
    return _SHAPE_DOUBLE.sub(r"\1", re.sub(r"[^a-z]", "", w))


def latin_shapes(spelled: str) -> set[str]:
    """The shapes an Arabic spelling of ``spelled`` may have: Peskov -> ``byskwf``, and the
    same without some of its vowel letters (Arabic often leaves short vowels unwritten:
    Snowden / سنودن ``snwdn``)."""
    w = spelled.replace("sh", "s").replace("ch", "s").translate(_LATIN_SHAPE)
    w = _SHAPE_DOUBLE.sub(r"\1", re.sub(r"[^a-z]", "", w))
    vowels = [i for i, ch in enumerate(w) if ch in "wy"]
    if len(vowels) > _MAX_DROPPED:
        return {w}
    out = set()
    for mask in range(1 << len(vowels)):
        drop = {vowels[j] for j in range(len(vowels)) if mask >> j & 1}
        out.add(_SHAPE_DOUBLE.sub(r"\1", "".join(ch for i, ch in enumerate(w) if i not in drop)))
    return out
