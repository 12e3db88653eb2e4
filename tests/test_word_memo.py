"""The per-word memo that document features read their words through."""

from __future__ import annotations

from monitor.text.word_memo import WordMemos


def test_a_word_is_computed_once_and_read_back_with_its_context() -> None:
    calls: list[tuple[str, str | None]] = []

    def key(word: str, lang: str | None) -> str:
        calls.append((word, lang))
        return f"{word.lower()}/{lang}"

    memo = WordMemos(key, limit=10)("pl")
    assert list(map(memo.__getitem__, ["Putin", "Putin", "putin"])) == ["putin/pl", "putin/pl", "putin/pl"]
    assert calls == [("Putin", "pl"), ("putin", "pl")]


def test_the_words_of_every_context_count_toward_one_limit_past_which_all_start_over() -> None:
    memos = WordMemos(lambda word, lang: f"{word}:{lang}", limit=3)
    en, de = memos("en"), memos("de")
    assert [en["a"], en["b"], de["a"]] == ["a:en", "b:en", "a:de"] and memos.size == 3
    assert de["c"] == "c:de"  # the fourth word: every table emptied first
    assert (dict(en), dict(de), memos.size) == ({}, {"c": "c:de"}, 1)
    assert en["a"] == "a:en" and memos("en") is en  # the tables stay in use


def test_a_none_value_is_kept_like_any_other() -> None:
    calls: list[str] = []

    def nothing(word: str, _: object) -> None:
        calls.append(word)
        return None

    memo = WordMemos(nothing, limit=4)(None)
    assert memo["x"] is None and memo["x"] is None and calls == ["x"]


def test_each_context_has_its_own_table_and_too_many_contexts_start_over() -> None:
    memos = WordMemos(lambda word, lang: f"{word}:{lang}", limit=8, contexts=2)
    en, de = memos("en"), memos("de")
    assert en is memos("en") and en is not de
    assert en["Putin"] == "Putin:en" and de["Putin"] == "Putin:de" and memos(None)["Putin"] == "Putin:None"
    assert memos("en") is not en and memos.size == 1  # the third context dropped the first two
