"""Denial detection on the shared pool, split into two fixed halves of cases (issue 15 item 8).

Honest measurement for hand rules: rules are written looking only at failures of half
``A``; half ``B`` is never inspected, so its figures estimate what the rules do on cases
nobody tuned them on. A statement's case comes from the gold files (the case whose denial,
contradicted or not-contradicted documents list its URL); a statement in no case is its own
case. The half is fixed by a hash of the case id: ``A`` when the first byte of
``sha1(case)`` is even.

    .venv/bin/python bench/detection_halves.py              # table: every file, half A, half B
    .venv/bin/python bench/detection_halves.py --show A     # also list half A's errors

Never lists half B's errors (there is no option for it). Needs ``../shared/data``; prints
a note and exits 0 without it. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.detect.denials import detect_denials  # noqa: E402
from monitor.evaluate.detection import document_from_record, prf  # noqa: E402

#: ``../shared/data`` beside the clone, else the main checkout's (worktrees live one level deeper)
SHARED = next((p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data") if p.is_dir()),
              ROOT.parent / "shared" / "data")
#: statements file -> (gold file, led-by language)
FILES = {
    "dev_statements.jsonl": ("dev_gold.jsonl", "en"),
    "train_statements.jsonl": ("train_gold.jsonl", "en"),
    "dev_ru_statements.jsonl": ("dev_ru_gold.jsonl", "ru"),
    "train_ru_statements.jsonl": ("train_ru_gold.jsonl", "ru"),
}


def load(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def case_index(folder: Path) -> dict[str, str]:
    """URL -> case id, from every gold file."""
    out: dict[str, str] = {}
    for gold, _ in FILES.values():
        path = folder / gold
        if not path.exists():
            continue
        for g in load(path):
            for url in [g["denial_url"], *g.get("contradicts", []), *g.get("not_contradicts", [])]:
                out.setdefault(url, f"{gold.split('_gold')[0]}:{g['case']}")
    return out


def half_of(case: str) -> str:
    return "A" if hashlib.sha1(case.encode("utf-8")).digest()[0] % 2 == 0 else "B"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", choices=["A"], help="list the errors of half A (the half rules may be written on)")
    ap.add_argument("--data", type=Path, default=SHARED, help="folder of the shared pool")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data}: absent, nothing to measure")
        return 0
    cases = case_index(args.data)
    # (group, half) -> [tp, fp, fn]
    counts: dict[tuple[str, str], list[int]] = {}
    per_file: list[tuple[str, int, list[int]]] = []
    shown: list[str] = []
    for name, (_, led) in FILES.items():
        path = args.data / name
        if not path.exists():
            continue
        file_counts = [0, 0, 0]
        records = load(path)
        for rec in records:
            case = cases.get(rec["url"], f"url:{rec['url']}")
            half = half_of(case)
            pred = bool(detect_denials(document_from_record(rec)))
            want = bool(rec.get("has_denial"))
            k = 0 if pred and want else 1 if pred else 2 if want else -1
            if k < 0:
                continue
            file_counts[k] += 1
            for key in ((led, half), (led, "all")):
                counts.setdefault(key, [0, 0, 0])[k] += 1
            if args.show == half and k:
                shown.append(f"{'FP' if k == 1 else 'FN'} {name} {case} {rec['url']} :: {rec.get('title', '')[:80]!r}")
        per_file.append((name, len(records), file_counts))
    print(f"{'set':30} {'n':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}")
    for name, n, (tp, fp, fn) in per_file:
        p, r, f = prf(tp, fp, fn)
        print(f"{name:30} {n:>4} {tp:>4} {fp:>4} {fn:>4} {p:>6.3f} {r:>6.3f} {f:>6.3f}")
    for (led, half), (tp, fp, fn) in sorted(counts.items()):
        p, r, f = prf(tp, fp, fn)
        label = f"{led.upper()}-led, half {half}" if half != "all" else f"{led.upper()}-led, all"
        print(f"{label:30} {'':>4} {tp:>4} {fp:>4} {fn:>4} {p:>6.3f} {r:>6.3f} {f:>6.3f}")
    for line in shown:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
