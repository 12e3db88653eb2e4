"""Lexicon files: read, validate and merge the word lists that detection and the gazetteer use.

Its job: the one file format (documented below and in README "Lexicons"), the list of
lexicons the package knows with their columns and checks, reading the packaged files in
``monitor/lexicons/`` and, when ``MONITOR_LEXICONS`` names a folder, the user's files
there, which *extend* the packaged ones (their rows come after the packaged rows).

It must not interpret the rows: compiling cue patterns, building the gazetteer and the
speaker tables belongs to the modules that use them (``text.entities``,
``detect.cues``, ``detect.speakers``), each of which caches what it builds per
``Lexicons`` object.

Format (one for every lexicon): UTF-8 text, tab-separated values. Blank lines and lines
starting with ``#`` are ignored. The first other line is the header: the lexicon's column
names, tab-separated, exactly as listed in ``KINDS``. Every following line is one row
with exactly that many fields. A file's name (without ``.tsv``) says which lexicon it
extends. A bad line raises ``LexiconError`` naming ``file:line`` and the reason.

Loading happens on first use, never at import; the packaged files are read once per
process (``load_lexicons`` is cached per folder). ``active_lexicons`` reads
``MONITOR_LEXICONS`` at each call (a dictionary look-up) so the folder in force is the
one of the environment the command runs in.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from monitor.errors import LexiconError

__all__ = ["KINDS", "Lexicons", "LexiconError", "LexiconRow", "active_lexicons", "load_lexicons", "split_aliases"]

#: The environment variable naming a folder of user lexicon files.
ENV = "MONITOR_LEXICONS"

_CONCEPT = re.compile(r"^[a-z]+:[\w\-]+$")
_GROUP = re.compile(r"^(?:-|[a-z][a-z0-9_]*)$")
_PATTERN_NAME = re.compile(r"^[a-z][a-z0-9_.]*$")


def split_aliases(cell: str) -> list[str]:
    """The aliases of an ``aliases`` cell: ``;``-separated, surrounding spaces dropped."""
    return [a.strip() for a in cell.split(";") if a.strip()]


def _check_pattern(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"bad regular expression: {exc}"
    # Cue patterns run on lower-cased text (``phrase_rx``): a capital letter would never match.
    if re.search(r"(?<!\\)[A-ZА-ЯЁ]", re.sub(r"\\.", "", value)):
        return "patterns are written in lower case (they run on lower-cased text)"
    return None


def _check_aliases(value: str) -> str | None:
    aliases = split_aliases(value)
    if not aliases:
        return "no alias"
    for alias in aliases:
        if not re.search(r"\w", alias):
            return f"alias {alias!r} has no letter or digit"
    return None


def _check_concept(value: str) -> str | None:
    return None if _CONCEPT.match(value) else f"concept id {value!r} is not of the form kind:name (e.g. person:peskov)"


def _check_group(value: str) -> str | None:
    return None if _GROUP.match(value) else f"group {value!r} is not a lower-case word or '-'"


def _check_speaker_kind(value: str) -> str | None:
    return None if value in ("official", "institution", "foreign") else f"kind {value!r} is not official, institution or foreign"


def _check_name(value: str) -> str | None:
    return None if _PATTERN_NAME.match(value) else f"pattern name {value!r} is not a lower-case identifier"


def _check_stem(value: str) -> str | None:
    if value != value.lower():
        return "stems are written in lower case"
    return None


def _nonempty(value: str) -> str | None:
    return None


Check = Callable[[str], "str | None"]

_GAZETTEER_COLUMNS: tuple[tuple[str, Check], ...] = (("concept", _check_concept), ("aliases", _check_aliases))

#: Every lexicon the package knows: file name (without ``.tsv``) -> its columns with their checks.
KINDS: dict[str, tuple[tuple[str, Check], ...]] = {
    # The gazetteer (text.entities), one file per category, in the order ties are broken.
    "news_outlets": _GAZETTEER_COLUMNS,
    "people": _GAZETTEER_COLUMNS,
    "organisations": _GAZETTEER_COLUMNS,
    "countries": _GAZETTEER_COLUMNS,
    "places": _GAZETTEER_COLUMNS,
    "events": _GAZETTEER_COLUMNS,
    #: phrases that contain an alias but name nothing ("calls for")
    "not_events": (("aliases", _check_aliases),),
    #: display labels of concept ids
    "labels": (("concept", _check_concept), ("label", _nonempty)),
    # Speakers (detect.speakers).
    "speakers": (("concept", _check_concept), ("name", _nonempty), ("group", _check_group), ("kind", _check_speaker_kind)),
    #: free-form speaker labels (gold files, analysts) -> canonical speaker name
    "speaker_aliases": (("alias", _check_stem), ("name", _nonempty)),
    # Denial cues and guards (detect.cues): named patterns, each row one alternative.
    "cues": (("name", _check_name), ("pattern", _check_pattern)),
    #: literal stems of the cue prefilter: a sentence without any of them is never read
    "cue_stems": (("stem", _check_stem),),
    #: outlets that relay denials (Russian state wires): never a report's source by default
    "state_outlets": (("concept", _check_concept),),
}


@dataclass(frozen=True)
class LexiconRow:
    """One data line of a lexicon file."""

    #: The file it came from and its 1-based line number (for messages).
    file: str
    line: int
    #: Column name -> value, in the header's order.
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


@dataclass(frozen=True, eq=False)
class Lexicons:
    """Every lexicon's rows, packaged first, then the user's. Hashed by identity (a cache key)."""

    tables: dict[str, tuple[LexiconRow, ...]]
    #: The user folder merged in, if any.
    user_dir: str | None = None

    def rows(self, kind: str) -> tuple[LexiconRow, ...]:
        if kind not in KINDS:
            raise KeyError(kind)
        return self.tables.get(kind, ())


def parse_lexicon(text: str, kind: str, file: str) -> list[LexiconRow]:
    """Validate and parse one lexicon file's text; raise ``LexiconError`` naming file:line."""
    columns = KINDS[kind]
    names = [c for c, _ in columns]
    header: list[str] | None = None
    rows: list[LexiconRow] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            if header != names:
                raise LexiconError(f"{file}:{number}: header must be {chr(9).join(names)!r} (tab-separated), got {line!r}")
            continue
        if len(fields) != len(names):
            raise LexiconError(f"{file}:{number}: expected {len(names)} tab-separated fields ({', '.join(names)}), got {len(fields)}")
        for (column, check), value in zip(columns, fields):
            if not value.strip():
                raise LexiconError(f"{file}:{number}: empty {column}")
            problem = check(value)
            if problem:
                raise LexiconError(f"{file}:{number}: {column}: {problem}")
        rows.append(LexiconRow(file, number, dict(zip(names, fields))))
    if header is None:
        raise LexiconError(f"{file}: empty lexicon (no header line)")
    return rows


def _packaged() -> dict[str, tuple[LexiconRow, ...]]:
    folder = resources.files("monitor") / "lexicons"
    out: dict[str, tuple[LexiconRow, ...]] = {}
    for kind in KINDS:
        entry = folder / f"{kind}.tsv"
        out[kind] = tuple(parse_lexicon(entry.read_text(encoding="utf-8"), kind, f"monitor/lexicons/{kind}.tsv"))
    return out


@functools.lru_cache(maxsize=8)
def load_lexicons(user_dir: str | None = None) -> Lexicons:
    """The packaged lexicons, extended by the ``*.tsv`` files of ``user_dir`` when given.

    A user file must be named after a known lexicon (``people.tsv``, ``cues.tsv``...);
    any other ``.tsv`` file, a missing folder or a bad line raises ``LexiconError``.
    """
    tables = dict(_packaged())
    if user_dir:
        folder = Path(user_dir)
        if not folder.is_dir():
            raise LexiconError(f"{user_dir}: no such lexicon folder ({ENV})")
        for path in sorted(folder.glob("*.tsv")):
            kind = path.stem
            if kind not in KINDS:
                raise LexiconError(f"{path}: unknown lexicon {kind!r} (known: {', '.join(KINDS)})")
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise LexiconError(f"{path}: cannot read: {exc}") from None
            tables[kind] = tables[kind] + tuple(parse_lexicon(text, kind, str(path)))
    return Lexicons(tables, user_dir or None)


def active_lexicons() -> Lexicons:
    """The lexicons in force: the packaged ones plus ``$MONITOR_LEXICONS`` when set."""
    return load_lexicons(os.environ.get(ENV) or None)
