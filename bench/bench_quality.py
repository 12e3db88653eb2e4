"""Quality: precision, recall, F1 of denial detection and of matching, with baselines, in one table.

Reuses the scoring of ``bench/quality_detection.py`` (its file list and
``monitor.evaluate.detection.evaluate_detection``) and of ``bench/quality_matching.py`` (the same
``import_jsonl`` into a fresh archive in shuffled order, ``predicted_pairs``,
``score_pairs``, ``baseline_pairs``: the issue's BM25 top-3 baseline). Labelled sets:

- detection: ``../shared/data/dev_statements.jsonl`` and ``dev_ru_statements.jsonl`` when
  present (skipped otherwise), and every ``tests/fixtures/denials/*.jsonl``;
- matching: ``../shared/data/dev_documents.jsonl`` + ``dev_gold.jsonl`` (and ``dev_ru_*``)
  when present, and the project's own probe sets ``tests/fixtures/matching/probe_cases*.jsonl``
  + ``probe_gold*.jsonl`` (same gold format). The other ``tests/fixtures/matching/*.jsonl``
  carry no gold file (their expectations live in tests/test_matching.py), so they are
  listed as not scored.

Detection baseline: a keyword rule (a document "has a denial" when it contains any of
a few denial words, EN + RU), to show what the detector adds over grep.

    .venv/bin/python bench/bench_quality.py [--shuffles 1]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import quality_detection  # noqa: E402
import quality_matching  # noqa: E402

from monitor.evaluate.detection import evaluate_detection, load_jsonl, prf  # noqa: E402

KEYWORDS = re.compile(
    r"\b(den(?:y|ies|ied|ial)|untrue|fiction|fake|false|nonsense|refut\w*|rejected)\b|"
    r"опроверг\w*|не соответству\w*|вымысел|вымысл\w*|фейк\w*|ложь|неправд\w*|чепух\w*", re.IGNORECASE)


def keyword_baseline(path: Path) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for rec in load_jsonl(path):
        pred = bool(KEYWORDS.search(f"{rec.get('title', '')}\n{rec.get('text', '')}"))
        want = bool(rec.get("has_denial"))
        tp += pred and want
        fp += pred and not want
        fn += want and not pred
    return prf(tp, fp, fn)


def matching_scores(docs: Path, gold_path: Path, shuffles: int, tmp: Path) -> list[tuple[str, object, object, float]]:
    """(seed label, ours PairScore, baseline PairScore, seconds) per shuffle, as quality_matching scores them."""
    prefix = docs.stem
    lines = [l if l.endswith("\n") else l + "\n" for l in docs.open(encoding="utf-8") if l.strip()]
    gold = quality_matching.Gold.from_records(json.loads(l) for l in gold_path.open(encoding="utf-8") if l.strip())
    out = []
    for seed in range(1, shuffles + 1):
        shuffled = lines[:]
        quality_matching.random.Random(seed).shuffle(shuffled)
        store = quality_matching.Store.open(tmp / f"{prefix}-{seed}.db")
        try:
            t0 = time.perf_counter()
            quality_matching.import_jsonl(store, io.StringIO("".join(shuffled)), batch_size=17)
            secs = time.perf_counter() - t0
            ours = quality_matching.score_pairs(quality_matching.predicted_pairs(store), gold)
            base = quality_matching.score_pairs(quality_matching.baseline_pairs(store, gold), gold)
        finally:
            store.close()
        out.append((f"seed {seed}", ours, base, secs))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shuffles", type=int, default=1, help="import orders for matching (default 1)")
    ap.add_argument("--data", type=Path, default=quality_detection.SHARED)
    args = ap.parse_args(argv)
    rows: list[tuple[str, str, str, str, str, str, str]] = []

    # -- detection ---------------------------------------------------------------------
    quality_detection.SHARED = args.data
    with contextlib.redirect_stdout(io.StringIO()) as captured:
        targets = quality_detection._targets()
        results = [(path, evaluate_detection(path, gold)) for path, gold in targets]
    for line in captured.getvalue().splitlines():
        if line.startswith("skip"):
            print(line)
    for path, r in results:
        bp, br, bf = keyword_baseline(path)
        rows.append(("detection", path.name, str(r["n"]), f"{r['precision']:.3f}", f"{r['recall']:.3f}",
                     f"{r['f1']:.3f}", f"keyword P {bp:.2f} R {br:.2f} F1 {bf:.2f}"))

    # -- matching ----------------------------------------------------------------------
    own = ROOT / "tests" / "fixtures" / "matching"
    labelled = [(args.data / f"{p}_documents.jsonl", args.data / f"{p}_gold.jsonl") for p in ("dev", "dev_ru")]
    for cases in sorted(own.glob("probe_cases*.jsonl")):
        labelled.append((cases, own / cases.name.replace("probe_cases", "probe_gold")))
    with tempfile.TemporaryDirectory() as tmpdir:
        for docs, gold_path in labelled:
            if not docs.exists() or not gold_path.exists():
                print(f"skip matching {docs} (not present)")
                continue
            for label, ours, base, _secs in matching_scores(docs, gold_path, args.shuffles, Path(tmpdir)):
                rows.append(("matching", f"{docs.stem} ({label})", str(ours.gold),  # type: ignore[attr-defined]
                             f"{ours.precision:.3f}", f"{ours.recall:.3f}", f"{ours.f1:.3f}",  # type: ignore[attr-defined]
                             f"bm25-top3 P {base.precision:.2f} R {base.recall:.2f} F1 {base.f1:.2f}; "  # type: ignore[attr-defined]
                             f"event-R {ours.event_recall:.2f}"))  # type: ignore[attr-defined]
    for path in sorted(own.glob("*.jsonl")):
        if not path.name.startswith(("probe_cases", "probe_gold")):
            rows.append(("matching", path.name, "-", "-", "-", "-", "no gold file: scored in tests/test_matching.py"))

    print()
    print("n = documents (detection) or gold pairs (matching)")
    head = ("task", "labelled set", "n", "P", "R", "F1", "baseline")
    widths = [9, 30, 4, 6, 6, 6, 0]
    print(" ".join(h.ljust(w) if w else h for h, w in zip(head, widths)))
    for row in rows:
        print(" ".join(c.ljust(w) if w else c for c, w in zip(row, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
