"""Data files an analyst edits (outlet display names), and their validating loaders.

A bad line fails naming its file and line (``ConfigError``); nothing is read at import.
It must not import any stage package: every layer may read these files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Mapping

from monitor.errors import ConfigError

__all__ = ["display_name", "load_outlets"]


def load_outlets(path: str | Path | None = None) -> dict[str, str]:
    """Source slug -> display name from ``outlets.tsv`` (or ``path``).

    Raises ``ConfigError`` naming the file and line for a line without exactly one tab,
    an empty slug or name, or a slug given twice.
    """
    if path is None:
        text = resources.files(__package__).joinpath("outlets.tsv").read_text(encoding="utf-8")
        name = "monitor/lexicons/outlets.tsv"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
        name = str(path)
    names: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ConfigError(f"{name}:{number}: expected 'slug<TAB>display name', got {line!r}")
        slug, display = parts[0].strip(), parts[1].strip()
        if slug in names:
            raise ConfigError(f"{name}:{number}: slug {slug!r} given twice")
        names[slug] = display
    return names


def display_name(slug: str | None, names: Mapping[str, str]) -> str:
    """The outlet's display name, else the slug as written (never a made-up title case)."""
    return names.get(slug or "", slug or "")
