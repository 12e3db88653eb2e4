"""Measure denial detection on every labelled statements file present and print a table.

Runs on ``../shared/data/{dev,dev_ru,train,train_ru}_statements.jsonl`` when the shared
folder exists (skipped otherwise; see ``detection_halves.py`` for the honest split) and always on ``tests/fixtures/denials/*.jsonl``.
Speaker accuracy uses the matching ``*_gold.jsonl`` files when present.

Usage: python bench/quality_detection.py [-v]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.evaluate.detection import evaluate_detection  # noqa: E402

#: ``../shared/data`` beside the clone, else the main checkout's (worktrees live one level deeper)
SHARED = next((p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data") if p.is_dir()),
              ROOT.parent / "shared" / "data")


def _targets() -> list[tuple[Path, list[Path]]]:
    out: list[tuple[Path, list[Path]]] = []
    for name, gold in (("dev_statements.jsonl", "dev_gold.jsonl"), ("dev_ru_statements.jsonl", "dev_ru_gold.jsonl"),
                       ("train_statements.jsonl", "train_gold.jsonl"), ("train_ru_statements.jsonl", "train_ru_gold.jsonl")):
        path = SHARED / name
        if path.exists():
            out.append((path, [SHARED / gold]))
        else:
            print(f"skip {path} (not present)")
    for path in sorted((ROOT / "tests" / "fixtures" / "denials").glob("*.jsonl")):
        out.append((path, []))
    return out


def main() -> int:
    verbose = "-v" in sys.argv[1:]
    rows = [evaluate_detection(path, gold, verbose=verbose) for path, gold in _targets()]
    print()
    print(f"{'file':28} {'n':>4} {'P':>6} {'R':>6} {'F1':>6} {'spk':>6} {'spk_inst':>8} {'ms/doc':>7}")
    for r in rows:
        spk = "-" if r["speaker_accuracy"] is None else f"{r['speaker_accuracy']:.3f}"
        inst = "-" if r["speaker_accuracy_institution"] is None else f"{r['speaker_accuracy_institution']:.3f}"
        print(
            f"{Path(r['file']).name:28} {r['n']:>4} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f} "
            f"{spk:>6} {inst:>8} {r['ms_per_doc']:>7.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
