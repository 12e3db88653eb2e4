"""Names in Greek and Arabic script meet their Latin and Cyrillic spellings (issue 15 item 4)."""

from __future__ import annotations

import pytest

from monitor.match.features import arabic_key, name_key, text_terms
from monitor.text.romanize import arabic_shape, is_caseless_script, latin_shapes, romanize


@pytest.mark.parametrize("greek, latin", [
    ("Ντρίσκολ", "Driscoll"),      # open vocabulary: a name the gazetteer does not know
    ("Πριγκόζιν", "Prigozhin"),    # γκ is g
    ("Καλαμπόκοφ", "Kalabokov"),   # μπ is b (a made-up name)
])
def test_greek_names_get_the_key_of_their_latin_spelling(greek: str, latin: str) -> None:
    assert name_key(greek) is not None
    assert name_key(greek) == name_key(latin)


def test_different_greek_and_latin_names_do_not_meet() -> None:
    assert name_key("Παπαδόπουλος") != name_key("Driscoll")
    assert name_key("Ντρίσκολ") != name_key("Drummond")


def test_latin_and_cyrillic_words_are_not_romanized() -> None:
    assert romanize("Driscoll") is None
    assert romanize("Дрисколл") is None
    assert romanize("Ντρίσκολ") == "driskol"


@pytest.mark.parametrize("arabic, latin", [
    ("دوريكوف", "dorikov"),    # a made-up Russian surname: every vowel written (و, ي), v as ف
    ("سنودن", "snowden"),     # the short e unwritten
    ("بيترسون", "peterson"),   # p written as ب
])
def test_arabic_spelling_has_a_shape_of_its_latin_spelling(arabic: str, latin: str) -> None:
    assert is_caseless_script(arabic)
    assert arabic_shape(arabic) in latin_shapes(latin)


def test_different_arabic_and_latin_names_do_not_meet() -> None:
    assert arabic_shape("مالينين") not in latin_shapes("malenkov")  # Malinin is not Malenkov
    assert arabic_shape("دوريكوف") not in latin_shapes("dorokhin")


def test_the_arabic_article_is_not_part_of_the_name() -> None:
    assert arabic_shape("الدوريكوف") == arabic_shape("دوريكوف")


def test_arabic_spelling_of_a_gazetteer_person_names_the_person() -> None:
    terms = text_terms("قال المتحدث بيسكوف إن التقرير غير صحيح")
    assert "person:peskov" in terms


def test_arabic_common_words_name_nobody() -> None:
    terms = text_terms("قالت الوزارة في بيان إن التقرير الذي نشرته الصحيفة كاذب تماما")
    assert not any(t.startswith(("person:", "name:")) for t in terms)
    assert arabic_key("في") is None  # too short to be linked to any name
