"""Ingest throughput: the whole import pipeline against sqlite-utils + FTS5 alone (issue 10).

Generates a synthetic JSONL corpus (bench/synth.py: EN + RU, ~2 KB texts, entities, a
report and its denial in every 60 documents), then in the same process and on the
same file:

- baseline: ``json.loads`` each line and ``insert_all`` into a table with the same
  columns, ``enable_fts(["title", "text"], create_triggers=True)``, WAL, synchronous
  NORMAL (the archive's settings), batches of 200 (the import's batch size);
- pipeline: ``monitor.collect.ingest.import_jsonl`` into a fresh ``Store`` (parse, validate,
  store, FTS index, detect denials, index features, match, cluster events).

Runs alternate (baseline, pipeline, baseline, pipeline...) and the medians are
compared, so machine load hits both alike. Then the per-stage cost on the same
documents, and a cProfile of the pipeline on a small sample (top functions by
cumulative time). Target: pipeline >= 0.5x the baseline rate.

    .venv/bin/python bench/bench_ingest.py [--docs 1000] [--repeat 3] [--profile 300]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synth  # noqa: E402
from sqlite_utils import Database  # noqa: E402

from monitor.detect.denials import detect_denials  # noqa: E402
from monitor.match.features import document_features  # noqa: E402
from monitor.collect.ingest import BATCH_SIZE, import_jsonl, record_to_document  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.timeutil import format_timestamp  # noqa: E402

COLUMNS = ("url", "source", "role", "title", "text", "published", "lang")


def run_baseline(jsonl: Path, db_path: Path) -> float:
    db = Database(db_path)
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    table = db["documents"]
    table.create({"id": int, **{c: str for c in COLUMNS}}, pk="id")
    table.create_index(["url"], unique=True)
    table.enable_fts(["title", "text"], fts_version="FTS5", create_triggers=True)
    t0 = time.perf_counter()
    with jsonl.open(encoding="utf-8") as fh:
        rows = ({c: rec.get(c) for c in COLUMNS} for rec in (json.loads(line) for line in fh))
        with db.conn:
            table.insert_all(rows, batch_size=BATCH_SIZE)
    elapsed = time.perf_counter() - t0
    db.close()
    return elapsed


def run_pipeline(jsonl: Path, db_path: Path) -> tuple[float, str]:
    store = Store.open(db_path)
    try:
        t0 = time.perf_counter()
        with jsonl.open(encoding="utf-8") as fh:
            report = import_jsonl(store, fh)
        return time.perf_counter() - t0, report.summary()
    finally:
        store.close()


def stage_costs(jsonl: Path, tmp: Path, limit: int) -> list[tuple[str, float]]:
    """Milliseconds per document of each stage, timed on its own (no overlap)."""
    lines = jsonl.read_text(encoding="utf-8").splitlines()[:limit]
    n = len(lines)
    t0 = time.perf_counter()
    docs = [record_to_document(json.loads(line)) for line in lines]
    parse = time.perf_counter() - t0
    store = Store.open(tmp / "stage.db")
    t0 = time.perf_counter()
    for i in range(0, n, BATCH_SIZE):
        with store.atomic():
            for doc in docs[i:i + BATCH_SIZE]:
                store.upsert_document(doc)
    storing = time.perf_counter() - t0
    store.close()
    t0 = time.perf_counter()
    for doc in docs:
        detect_denials(doc)
    detect = time.perf_counter() - t0
    t0 = time.perf_counter()
    for doc in docs:
        document_features(doc.title, doc.text, lang=doc.lang, role=doc.role, source=doc.source,
                          published=format_timestamp(doc.published))
    feats = time.perf_counter() - t0
    return [("parse+validate+lang", parse / n), ("store+FTS (Store.upsert_document)", storing / n),
            ("detect_denials", detect / n), ("document_features", feats / n)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000, help="documents in the generated file (default 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="alternating runs of each (median; default 3)")
    ap.add_argument("--profile", type=int, default=300, help="documents to profile (0: skip)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        jsonl = tmp / "corpus.jsonl"
        size = synth.write_jsonl(jsonl, args.docs)
        print(f"corpus: {args.docs} documents, {size / args.docs:.0f} B/line avg, {size / 1e6:.1f} MB")
        base_t, pipe_t = [], []
        summary = ""
        for i in range(args.repeat):
            base_t.append(run_baseline(jsonl, tmp / f"base-{i}.db"))
            t, summary = run_pipeline(jsonl, tmp / f"pipe-{i}.db")
            pipe_t.append(t)
            print(f"  run {i + 1}: baseline {args.docs / base_t[-1]:,.0f} docs/s, "
                  f"pipeline {args.docs / pipe_t[-1]:,.0f} docs/s", flush=True)
        print(f"  pipeline: {summary}")
        base_rate = args.docs / statistics.median(base_t)
        pipe_rate = args.docs / statistics.median(pipe_t)
        ratio = pipe_rate / base_rate
        print()
        print(f"{'measure':40} {'docs/s':>10} {'ms/doc':>8} {'ratio':>7}")
        print(f"{'baseline: sqlite-utils insert_all + FTS5':40} {base_rate:>10,.0f} {1000 / base_rate:>8.2f} {1:>7.2f}")
        print(f"{'pipeline: monitor.collect.ingest.import_jsonl':40} {pipe_rate:>10,.0f} {1000 / pipe_rate:>8.2f} {ratio:>7.3f}")
        print(f"RESULT ingest ratio {ratio:.3f} (target >= 0.5): {'PASS' if ratio >= 0.5 else 'FAIL'}")
        print()
        limit = min(args.docs, max(args.profile, 200))
        print(f"per-stage cost on {limit} documents (each stage alone; the remainder of the pipeline is "
              "indexing, matching and events):")
        stages = stage_costs(jsonl, tmp, limit)
        for name, cost in stages:
            print(f"  {name:40} {cost * 1000:>7.2f} ms/doc  ({cost * pipe_rate:.0%} of pipeline time)")
        rest = 1 / pipe_rate - sum(c for _, c in stages)
        print(f"  {'remainder (index, match, events)':40} {rest * 1000:>7.2f} ms/doc  ({rest * pipe_rate:.0%})")
        if args.profile:
            lines = jsonl.read_text(encoding="utf-8").splitlines(keepends=True)[: args.profile]
            store = Store.open(tmp / "profile.db")
            prof = cProfile.Profile()
            prof.enable()
            import_jsonl(store, io.StringIO("".join(lines)))
            prof.disable()
            store.close()
            print(f"\ncProfile of import_jsonl on {len(lines)} documents, top functions by cumulative time "
                  "(below import_jsonl/_flush/store_documents):")
            stats = pstats.Stats(prof)
            rows = sorted(((v[3], k) for k, v in stats.stats.items()), reverse=True)  # type: ignore[attr-defined]
            shown = 0
            skip = ("import_jsonl", "_flush", "store_documents", "process_documents", "<built-in method builtins.exec>",
                    "disable", "contextmanager", "__exit__", "__enter__")
            total = rows[0][0] if rows else 1.0
            for cum, (file, line, func) in rows:
                if func in skip or file == "~" or "contextlib" in file:
                    continue
                short = f"{Path(file).parent.name}/{Path(file).name}:{line}({func})"
                print(f"  {cum:7.2f} s cumulative ({cum / total:.0%})  {short}")
                shown += 1
                if shown == 5:
                    break
    return 0


if __name__ == "__main__":
    sys.exit(main())
