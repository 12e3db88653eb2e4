"""The per-word memo that document features read their words through."""

from __future__ import annotations

from monitor.text.word_memo import WordMemo, WordMemos


def test_a_word_is_computed_once_and_read_back_with_its_context() -> None:
    calls: list[tuple[str, str | None]] = []

    def key(word: str, lang: str | None) -> str:
        calls.append((word, lang))
        return f"{word.lower()}/{lang}"

    memo = WordMemo(key, "pl", limit=10)
    assert list(map(memo.__getitem__, ["Putin", "Putin", "putin"])) == ["putin/pl", "putin/pl", "putin/pl"]
    assert calls == [("Putin", "pl"), ("putin", "pl")]


def test_a_full_memo_starts_over_and_still_answers() -> None:
    memo = WordMemo(lambda word, _: len(word), None, limit=2)
    assert [memo[w] for w in ("a", "bb", "ccc", "a")] == [1, 2, 3, 1]
    assert len(memo) <= 2


def test_a_none_value_is_kept_like_any_other() -> None:
    calls: list[str] = []

    def nothing(word: str, _: object) -> None:
        calls.append(word)
        return None

    memo = WordMemo(nothing, None, limit=4)
    assert memo["x"] is None and memo["x"] is None and calls == ["x"]


def test_each_context_has_its_own_memo_and_too_many_contexts_start_over() -> None:
    memos = WordMemos(lambda word, lang: f"{word}:{lang}", limit=8, contexts=2)
    en, de = memos("en"), memos("de")
    assert en is memos("en") and en is not de
    assert en["Putin"] == "Putin:en" and de["Putin"] == "Putin:de" and memos(None)["Putin"] == "Putin:None"
    assert memos("en") is not en  # the third context dropped the first two
