"""Language guesses: ``detect_language`` and the per-source memory the crawls use (issue 16)."""

from __future__ import annotations

from monitor.text.language import SourceLanguages, detect_language, script_of

RU = [
    "Пресс-секретарь президента заявил журналистам, что переговоры продолжатся на следующей неделе.",
    "Министерство опубликовало заявление на своем сайте поздно вечером в четверг, не раскрыв подробностей.",
    "Эксперты отмечают, что последствия для рынка станут понятны лишь через несколько месяцев.",
]
UK = ("Міністерство закордонних справ України заявило, що переговори щодо обміну полоненими тривають,"
      " і закликало партнерів посилити підтримку.")
EN = "The ministry published a statement on its website late on Thursday evening, giving few details."


def test_fixture_texts_are_what_they_claim() -> None:
    assert [detect_language(t) for t in RU] == ["ru", "ru", "ru"]
    assert detect_language(UK) == "uk"
    assert detect_language(EN) == "en"
    assert script_of(UK) == "cyrillic" and script_of(EN) == "latin" and script_of("12 34") is None


def test_a_settled_source_reuses_its_language_for_the_same_script() -> None:
    languages = SourceLanguages(settle=3)
    assert [languages.detect("tass-ru", t) for t in RU] == ["ru", "ru", "ru"]
    # settled: a Cyrillic text now takes the source's language without classification
    # (the documented trade-off: Ukrainian in a Russian feed is labelled Russian)
    assert languages.detect("tass-ru", UK) == "ru"
    # another script is classified on its own; another source has its own memory
    assert languages.detect("tass-ru", EN) == "en"
    assert languages.detect("ukrinform", UK) == "uk"


def test_a_source_that_disagrees_early_is_never_settled() -> None:
    languages = SourceLanguages(settle=3)
    assert [languages.detect("mixed", t) for t in (RU[0], UK, RU[1])] == ["ru", "uk", "ru"]
    assert languages.detect("mixed", UK) == "uk"
    assert languages.detect("mixed", RU[2]) == "ru"


def test_too_few_letters_are_never_settled_or_guessed() -> None:
    languages = SourceLanguages(settle=1)
    assert languages.detect("s", "No 5") is None
    assert languages.detect("s", EN) == "en"
    assert languages.detect("s", "A 1") is None
