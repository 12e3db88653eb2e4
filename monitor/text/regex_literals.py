"""Read a regex source for what every match must contain: its alternatives and their literals.

Its job: ``alternatives`` cuts a pattern into its top-level alternatives (opening
non-capturing groups that span a whole alternative), and ``required_literal`` names, for
one alternative, a run of plain characters that every match of it contains, so a caller
can skip the alternatives whose literal a text lacks (``lowercase_regex.Alternatives``).
Python's ``re`` scans for a literal prefix in C, but not for an alternation of many, which
it enters at every position of the text.

It reads the pattern's source, not the ``re`` module's private parser, and errs on the safe
side: what it does not understand ends a run, and a pattern with inline flags (which would
change what a literal matches) is refused. It must not compile or run patterns itself.
"""

from __future__ import annotations

__all__ = ["alternatives", "required_literal"]

#: Characters that end a run of plain characters (besides groups, classes and escapes).
_SPECIAL = ".^$"
#: Quantifiers: the character before one may be absent (``?``, ``*``, ``{0,n}``) or repeated.
_QUANTIFIERS = "?*+{"


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern``, in order; an alternative that is one
    non-capturing group (``(?:a|b)``) is replaced by the group's own alternatives.

    ``"|".join(alternatives(p))`` matches what ``p`` matches, with the same leftmost-first
    choice: an ordered alternation nested as a whole alternative is associative."""
    _refuse_inline_flags(pattern)
    out: list[str] = []
    for part in _split_top(pattern):
        if part.startswith("(?:") and _group_end(part, 0) == len(part) - 1:
            out.extend(alternatives(part[3:-1]))
        else:
            out.append(part)
    return out


def required_literal(alternative: str) -> str | None:
    """The longest run of plain characters that every match of ``alternative`` (one
    alternative: no top-level ``|``) contains, as written; None when there is none.

    A run is made of characters outside groups, classes and escapes, each followed by no
    quantifier that could leave it out; lookarounds, groups and classes end a run (what
    they hold may be optional, zero-width or one of several). Matching without IGNORECASE,
    a match's text then contains the run verbatim."""
    _refuse_inline_flags(alternative)
    runs: list[str] = []
    run: list[str] = []
    i = 0
    while i < len(alternative):
        ch = alternative[i]
        if ch == "|":
            raise ValueError(f"required_literal takes one alternative: {alternative!r}")
        if ch in "\\[(" or ch in _SPECIAL:
            runs.append("".join(run))
            run = []
            i = _atom_end(alternative, i) if ch in "\\[(" else i + 1
            continue
        if ch in _QUANTIFIERS:
            end = _quantifier_end(alternative, i)
            if ch != "+" and run:
                run.pop()  # the character before ``?``, ``*`` or ``{m,n}`` may be absent
            runs.append("".join(run))
            run = []
            i = end
            continue
        run.append(ch)
        i += 1
    runs.append("".join(run))
    best = max(runs, key=len)
    return best or None


def _refuse_inline_flags(pattern: str) -> None:
    i = pattern.find("(?")
    while i >= 0:
        if not _escaped(pattern, i) and i + 2 < len(pattern) and pattern[i + 2] in "aiLmsux-":
            raise ValueError(f"inline flags change what a literal matches: {pattern!r}")
        i = pattern.find("(?", i + 1)


def _escaped(pattern: str, i: int) -> bool:
    """Whether ``pattern[i]`` is escaped by an odd number of backslashes."""
    k = i
    while k > 0 and pattern[k - 1] == "\\":
        k -= 1
    return (i - k) % 2 == 1


def _split_top(pattern: str) -> list[str]:
    parts: list[str] = []
    start = i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch in "\\[(":
            i = _atom_end(pattern, i)
        elif ch == "|":
            parts.append(pattern[start:i])
            start = i = i + 1
        else:
            i += 1
    parts.append(pattern[start:])
    return parts


def _atom_end(pattern: str, i: int) -> int:
    """Index just past the escape, class or group that opens at ``pattern[i]``."""
    if pattern[i] == "\\":
        return i + 2
    if pattern[i] == "[":
        return _class_end(pattern, i) + 1
    return _group_end(pattern, i) + 1


def _class_end(pattern: str, i: int) -> int:
    """Index of the ``]`` closing the class opened at ``pattern[i]``."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1  # a leading "]" is a member
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    if j >= len(pattern):
        raise ValueError(f"unterminated class at {i}: {pattern!r}")
    return j


def _group_end(pattern: str, i: int) -> int:
    """Index of the ``)`` closing the group opened at ``pattern[i]``."""
    depth = 0
    j = i
    while j < len(pattern):
        ch = pattern[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            j = _class_end(pattern, j) + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ValueError(f"unbalanced group at {i}: {pattern!r}")


def _quantifier_end(pattern: str, i: int) -> int:
    """Index just past the quantifier starting at ``pattern[i]`` (a ``{`` that is not
    ``{m}``, ``{m,}``, ``{,n}`` or ``{m,n}`` is a literal brace: conservatively, it ends
    the run all the same)."""
    if pattern[i] != "{":
        return i + 1
    close = pattern.find("}", i)
    return close + 1 if close > 0 and all(c.isdigit() or c == "," for c in pattern[i + 1 : close]) else i + 1
