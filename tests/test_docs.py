"""The newcomer's map (docs/architecture.md) names only paths that exist (issue 18)."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"

#: A project path in backticks or in the diagram: monitor/..., spiders/..., tests/..., bench/..., docs/...
PATH = re.compile(r"(?<![\w/.])((?:monitor|spiders|tests|bench|schedules|datasette|docs)/[\w./-]*)")


def named_paths(text: str) -> set[str]:
    return {m.group(1).rstrip(".,)") for m in PATH.finditer(text)}


def test_every_path_the_architecture_map_names_exists() -> None:
    names = named_paths(ARCHITECTURE.read_text(encoding="utf-8"))
    assert len(names) > 20  # the map names the packages; an empty parse would pass vacuously
    missing = sorted(n for n in names if not (ROOT / n).exists())
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_every_monitor_package_is_on_the_map() -> None:
    names = named_paths(ARCHITECTURE.read_text(encoding="utf-8"))
    packages = {f"monitor/{p.parent.name}/" for p in ROOT.joinpath("monitor").glob("*/__init__.py")}
    absent = sorted(p for p in packages if p not in names)
    assert not absent, f"packages missing from docs/architecture.md: {absent}"


def test_path_parser_finds_paths_and_ignores_prose() -> None:
    assert named_paths("see `monitor/store/schema.py` and spiders/kremlin.py.") == {
        "monitor/store/schema.py", "spiders/kremlin.py"}
    assert named_paths("the monitor daemon and its spiders") == set()
