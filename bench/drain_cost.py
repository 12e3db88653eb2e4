"""Processing's CPU per document on one core: a 1-worker drain of synthetic documents (issue 16).

    .venv/bin/python bench/drain_cost.py [--docs 2000] [--world stories] [--profile FILE]

Stores ``--docs`` documents of ``bench/synth.py`` (one-world unless ``--world`` says otherwise;
written once to ``--corpus``, reused after, so two checkouts drain the same documents) with a store-only
import, loads the models (``warm_up``), then times ``drain_backlog(workers=1)`` in this
process: CPU milliseconds a document, wall seconds, and the garbage collector's share,
beside the CPU of a fixed reference workload run just before (``reference_cpu``: the
machine's speed moves from day to day; ``per_ref`` compares runs of different days).
The embedder is ``MONITOR_EMBEDDER``'s. Unlike ``bench_ingest.py`` it leaves model loading
out and runs nothing else, so an A/B of two checkouts is one line each, alternated::

    for i in 1 2 3 4 5; do for t in /path/to/main /path/to/branch; do
        (cd $t && MONITOR_EMBEDDER=use-m3-static .venv/bin/python bench/drain_cost.py); done; done

(each checkout's own ``bench/drain_cost.py`` imports that checkout's ``monitor``). Take
medians; on a shared machine CPU time moves by ±5 % from run to run.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402

from monitor.collect.ingest import import_jsonl  # noqa: E402
from monitor.match.scoring import MatchingConfig  # noqa: E402
from monitor.pipeline import PIPELINE_VERSION  # noqa: E402
from monitor.process import drain_backlog  # noqa: E402
from monitor.process.backlog import warm_up  # noqa: E402
from monitor.store import Store  # noqa: E402


def reference_cpu() -> float:
    """CPU seconds of a fixed workload of the kinds a drain spends on (regex tokenising, dicts,
    JSON, SQLite), run in this process just before the drain.

    Why: this machine's speed moves from day to day (the same commit drained at 1.87 CPU ms a
    document one evening and 2.3-2.4 the next morning, on a quiet machine), so a figure
    compared across sessions needs this yardstick beside it: ``per_ref`` is the drain's CPU
    per document divided by it. The workload never changes."""
    import json
    import re
    import sqlite3

    words = re.compile(r"\w+")
    text = " ".join(f"word{i % 97} Name{i % 13} {i}" for i in range(2000))
    c0 = time.process_time()
    counts: dict[str, int] = {}
    for _ in range(180):
        for w in words.findall(text):
            counts[w.lower()] = counts.get(w.lower(), 0) + 1
        json.loads(json.dumps(counts))
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)")
    for _ in range(20):
        db.executemany("INSERT OR REPLACE INTO t VALUES (?, ?)", counts.items())
        db.execute("SELECT sum(n) FROM t").fetchone()
    db.close()
    return time.process_time() - c0


class CollectionTimer:
    """CPU seconds and count of the garbage collector's passes while it is attached."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            self.count += 1
            self.seconds += time.process_time() - self._start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--corpus", type=Path, default=None,
                    help="JSONL of the documents (default: /tmp/drain-cost-DOCS.jsonl; written when missing)")
    ap.add_argument("--profile", type=Path, default=None, help="write a cProfile of the drain here")
    ap.add_argument("--world", choices=synth.WORLDS, default="one-world",
                    help="the synthetic corpus's world (default one-world, the yardstick; bench/README.md)")
    args = ap.parse_args()
    suffix = "" if args.world == "one-world" else f"-{args.world}"
    corpus = args.corpus or Path(tempfile.gettempdir()) / f"drain-cost-{args.docs}{suffix}.jsonl"
    if not corpus.exists():
        synth.write_jsonl(corpus, args.docs, world=args.world)
    tmp = Path(tempfile.mkdtemp())
    try:
        store = Store.open(tmp / "archive.db")
        with corpus.open("rb") as fh:
            import_jsonl(store, fh, store_only=True)
        config = MatchingConfig()
        warm_up(store, PIPELINE_VERSION, config)
        reference = reference_cpu()
        collections = CollectionTimer()
        gc.callbacks.append(collections)
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        c0, t0 = time.process_time(), time.perf_counter()
        report = drain_backlog(store, workers=1, pool_min=0)
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        gc.callbacks.remove(collections)
        store.close()
    finally:
        shutil.rmtree(tmp)
    docs = max(report.documents, 1)
    print(f"RESULT {ROOT.name} world={args.world} embedder={config.embedder} documents={report.documents} "
          f"matches={report.matches} "
          f"cpu_ms_doc={cpu / docs * 1000:.3f} wall_s={wall:.2f} gc={collections.count} passes "
          f"{collections.seconds:.3f} CPU s reference_cpu_s={reference:.3f} "
          f"per_ref={cpu / docs * 1000 / reference:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
