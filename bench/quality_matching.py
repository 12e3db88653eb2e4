"""Matching quality on the development set, scored like the held-out judge (issue 6).

Imports ../shared/data/dev_documents.jsonl (and dev_ru_documents.jsonl, a separate run)
in shuffled order into a fresh archive, then prints pair precision / recall / F1 and
event recall beside the BM25 baseline, detection recall over the gold denial documents,
and whether every shuffle gave the same matches. Skips when ../shared is absent.

    .venv/bin/python bench/quality_matching.py [--shuffles 3] [--verbose] [--data DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from monitor.evaluate.matching import (
    Gold, baseline_pairs, contradicted_with_denials, detection_recall, predicted_pairs, score_pairs,
)
from monitor.collect.ingest import import_jsonl
from monitor.store import Store

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def run_once(lines: list[str], gold: Gold, seed: int, tmp: Path, verbose: bool, name: str = "dev") -> tuple[set, str]:
    shuffled = lines[:]
    random.Random(seed).shuffle(shuffled)
    db = tmp / f"{name}-{seed}.db"
    store = Store.open(db)
    try:
        t0 = time.perf_counter()
        report = import_jsonl(store, io.StringIO("".join(shuffled)), batch_size=17)
        elapsed = time.perf_counter() - t0
        pred = predicted_pairs(store)
        ours = score_pairs(pred, gold)
        base = score_pairs(baseline_pairs(store, gold), gold)
        det, det_n = detection_recall(store, gold)
        leak, leak_n = contradicted_with_denials(store, gold)
        events = store.db.execute("SELECT count(*) FROM denial_events").fetchone()[0]
        out = [
            f"  seed {seed}: {report.summary()} in {elapsed:.1f}s; events {events}",
            "  " + ours.line("matching"),
            "  " + base.line("bm25-top3"),
            f"  detection recall over gold denial documents {det}/{det_n} = {det / max(det_n, 1):.3f}; "
            f"contradicted reports with a detected denial {leak}/{leak_n}",
        ]
        if verbose:
            title = {u: t for u, t in store.db.execute("SELECT url, title FROM documents")}
            for d, r in ours.wrong_pairs:
                out.append(f"    WRONG  {title[d][:60]!r} -> {title[r][:60]!r}")
            for d, r in ours.missed_pairs:
                out.append(f"    MISSED {title.get(d, d)[:60]!r} -> {title.get(r, r)[:60]!r}")
        return pred, "\n".join(out)
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--shuffles", type=int, default=3)
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--only", choices=["dev", "dev_ru"], default=None)
    ap.add_argument("--set", nargs=2, metavar=("DOCUMENTS", "GOLD"), type=Path, default=None,
                    help="score this documents + gold pair instead (e.g. a probe set under tests/fixtures/matching)")
    args = ap.parse_args(argv)
    if args.set:
        sets = [(args.set[0].stem, args.set[0], args.set[1])]
    else:
        if not (args.data / "dev_documents.jsonl").exists():
            print(f"skip: no development set at {args.data}")
            return 0
        sets = [(p, args.data / f"{p}_documents.jsonl", args.data / f"{p}_gold.jsonl") for p in ("dev", "dev_ru")
                if not args.only or p == args.only]
    with tempfile.TemporaryDirectory() as tmpdir:
        for prefix, docs, gold_path in sets:
            if not docs.exists() or not gold_path.exists():
                continue
            lines = [l if l.endswith("\n") else l + "\n" for l in docs.open(encoding="utf-8") if l.strip()]
            gold = Gold.from_records(json.loads(l) for l in gold_path.open(encoding="utf-8") if l.strip())
            print(f"== {prefix}: {len(lines)} documents, {len(gold.pairs())} gold pairs")
            results = []
            for i in range(args.shuffles):
                pred, text = run_once(lines, gold, seed=i + 1, tmp=Path(tmpdir), verbose=args.verbose and i == 0, name=prefix)
                results.append(pred)
                print(text)
            same = all(r == results[0] for r in results)
            print(f"  order-independent across {len(results)} shuffles: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
