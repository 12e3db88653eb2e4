"""Cost of the learned denial stage on the synthetic corpus (issue 15 item 8: <= 0.3 ms/doc).

Runs ``detect_denials`` over ``bench/synth.py``'s documents with the rules alone and with
the shipped learned stage, alternating, in the same process, and prints CPU time per
document (``time.process_time``, best of N rounds) and the ratio. Not a test.

    .venv/bin/python bench/detection_cost.py [--docs 3000] [--rounds 5] [--pool ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import generate  # noqa: E402
from monitor.detect.denials import SHIPPED, detect_denials  # noqa: E402
from monitor.detect.learned import load_detector  # noqa: E402
from monitor.evaluate.detection import document_from_record  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pool", type=Path, help="time the *_documents.jsonl of this folder instead (real texts)")
    args = ap.parse_args(argv)
    if args.pool:
        docs = [document_from_record(json.loads(line)) for f in sorted(args.pool.glob("*_documents.jsonl"))
                for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        docs = [document_from_record(r) for r in generate(args.docs)]
    load_detector()
    best = {"rules": float("inf"), "rules+learned": float("inf")}
    found = {}
    for _ in range(args.rounds):
        for label, detector in (("rules", None), ("rules+learned", SHIPPED)):
            t0 = time.process_time()
            n = sum(1 for d in docs if detect_denials(d, detector=detector))
            best[label] = min(best[label], time.process_time() - t0)
            found[label] = n
    for label, t in best.items():
        print(f"{label:15} {1000 * t / len(docs):.3f} ms/doc CPU (best of {args.rounds}), "
              f"{found[label]} of {len(docs)} documents with a denial")
    print(f"ratio {best['rules+learned'] / best['rules']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
