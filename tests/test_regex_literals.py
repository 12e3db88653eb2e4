"""What a regex source's alternatives must contain: the splitting and the literal every match holds."""

from __future__ import annotations

import random
import re

import pytest

from monitor.text.regex_literals import alternatives, required_literal


def test_alternatives_split_at_the_top_level_only() -> None:
    assert alternatives(r"ab|c(?:d|e)|[|]x|\|y") == ["ab", "c(?:d|e)", "[|]x", r"\|y"]


def test_alternatives_open_a_group_that_is_a_whole_alternative() -> None:
    assert alternatives(r"(?:a|(?:b|c))|(?:d|e)f|(?:g)") == ["a", "b", "c", "(?:d|e)f", "g"]


@pytest.mark.parametrize(("alternative", "literal"), [
    (r"\bden(?:y|ies)\b", "den"),
    (r"\bshoots? down\b", "shoot"),  # the "s" may be absent
    (r"\b(?:pure|complete)\s+fiction\b", "fiction"),
    (r"\brebu[tf]f?\w*", "rebu"),
    (r"назвал\w*\s+(?:\S+\s+){0,6}?[«\"“„']?(?:фейк|лож)\w*", "назвал"),
    (r"ab{0,3}cd", "cd"),
    (r"xyz+q", "xyz"),  # "z" once at least: still in every match
    (r"a{2}", None),  # a literal's count is not its text: no run survives the quantifier
    (r"(?<!abcdef)gh(?=ijklm)", "gh"),
    (r"x.yz", "yz"),
    (r"\w+\s+", None),
    (r"[abc]+", None),
])
def test_required_literal_is_the_longest_run_every_match_holds(alternative: str, literal: str | None) -> None:
    assert required_literal(alternative) == literal


def test_inline_flags_and_top_level_bars_are_refused() -> None:
    with pytest.raises(ValueError):
        required_literal("(?i)abc")
    with pytest.raises(ValueError):
        alternatives("abc|(?s:x.y)")
    with pytest.raises(ValueError):
        required_literal("ab|cd")


_PIECES = ["ab", "c", "d", "x", r"\b", r"\w*", r"\s+", "[ab]", "(?:a|b)", "(?:cd|e)?", "(?!x)", ".", " "]


def _random_alternative(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randrange(1, 7)):
        piece = rng.choice(_PIECES)
        if len(piece) == 1 and piece not in ".\\" and rng.random() < 0.3:
            piece += rng.choice(["?", "*", "+", "{0,2}", "{1,3}", "*?"])
        out.append(piece)
    return "".join(out)


def test_every_match_holds_the_required_literal() -> None:
    """Random alternatives over a small alphabet, random texts: each match contains the literal."""
    rng = random.Random(7)
    checked = 0
    for _ in range(3000):
        alt = _random_alternative(rng)
        lit = required_literal(alt)
        if lit is None:
            continue
        rx = re.compile(alt)
        for _ in range(20):
            text = "".join(rng.choice("abcdx ") for _ in range(rng.randrange(0, 15)))
            for m in rx.finditer(text):
                assert lit in m.group(), (alt, lit, text)
                checked += 1
    assert checked > 1000
