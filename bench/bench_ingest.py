"""Ingest throughput: storing, processing and the whole import against sqlite-utils + FTS5 alone (issues 10, 16).

Generates synthetic JSONL corpora (bench/synth.py: EN + RU, ~2 KB texts, entities, a
report and its denial in every 60 documents), then in the same process and on the
same files, runs alternating (baseline, ours, baseline, ours...) and medians compared,
so machine load hits both alike:

- baseline: ``json.loads`` each line and ``insert_all`` into a table with the same
  columns, ``enable_fts(["title", "text"], create_triggers=True)``, WAL, synchronous
  NORMAL (the archive's settings), batches of 200 (the import's batch size);
- store-only: ``import_jsonl(..., store_only=True)`` of ``--docs`` documents (parse,
  validate, store, FTS index, revisions check, processing backlog); target >= 0.8x;
- end-to-end: ``import_jsonl`` of ``--process-docs`` documents (store, then drain the
  backlog with the default workers: the machine's cores); target >= 0.1x;
- workers: ``drain_backlog`` of the same stored archive (copies) with 1 and with 2
  worker processes; target 2 workers >= 1.6x one.

Then processing's CPU time per document on one core (the 1-worker drains; issue 15's
target <= 2 ms, embeddings included), the per-stage CPU cost on the same documents
(the embedding its own row), and a cProfile of the in-process
pipeline on a small sample (top functions by cumulative time).

    .venv/bin/python bench/bench_ingest.py [--docs 20000] [--process-docs 2000] [--repeat 3] [--profile 300]
    .venv/bin/python bench/bench_ingest.py --store-only [--docs 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synth  # noqa: E402
from sqlite_utils import Database  # noqa: E402

from monitor.detect.denials import detect_denials  # noqa: E402
from monitor.match.features import document_features  # noqa: E402
from monitor.match.linking import document_vectors, embedder_for  # noqa: E402
from monitor.match.scoring import MatchingConfig  # noqa: E402
from monitor.process import ANALYSIS_CHUNK, drain_backlog  # noqa: E402
from monitor.collect.ingest import BATCH_SIZE, import_jsonl, record_to_document  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.timeutil import format_timestamp  # noqa: E402

COLUMNS = ("url", "source", "role", "title", "text", "published", "lang")


def run_baseline(jsonl: Path, db_path: Path, *, archive_schema: bool = False) -> float:
    """The raw baseline; ``archive_schema``: into a table shaped like the archive's ``documents``
    (its columns, its three indexes, its FTS5 tokenizer), to tell the schema's cost from ours."""
    db = Database(db_path)
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    table = db["documents"]
    extra = {"fetched_at": str, "content_hash": str, "extra": str} if archive_schema else {}
    table.create({"id": int, **{c: str for c in COLUMNS}, **extra}, pk="id")
    table.create_index(["url"], unique=True)
    if archive_schema:
        table.create_index(["published"])
        table.create_index(["source", "published"])
        table.enable_fts(["title", "text"], fts_version="FTS5", create_triggers=True,
                         tokenize="unicode61 remove_diacritics 2")
    else:
        table.enable_fts(["title", "text"], fts_version="FTS5", create_triggers=True)
    t0 = time.perf_counter()
    with jsonl.open(encoding="utf-8") as fh:
        rows = ({c: rec.get(c) for c in COLUMNS} for rec in (json.loads(line) for line in fh))
        with db.conn:
            table.insert_all(rows, batch_size=BATCH_SIZE)
    elapsed = time.perf_counter() - t0
    db.close()
    return elapsed


def run_pipeline(jsonl: Path, db_path: Path, *, store_only: bool = False, workers: int | None = None) -> tuple[float, str]:
    store = Store.open(db_path)
    try:
        t0 = time.perf_counter()
        with jsonl.open("rb") as fh:  # bytes, as `monitor import FILE` reads it (each line decoded alone)
            report = import_jsonl(store, fh, store_only=store_only, workers=workers)
        return time.perf_counter() - t0, report.summary()
    finally:
        store.close()


def with_cpu(into: list[float], run: Callable[[], tuple[float, str]]) -> tuple[float, str]:
    """``run()``, appending the CPU seconds this process spent in it to ``into`` (single-process
    runs: steadier than wall time on a shared machine)."""
    c0 = time.process_time()
    result = run()
    into.append(time.process_time() - c0)
    return result


def cpu_seconds() -> float:
    """CPU time of this process and its reaped children (the pool's workers, once shut down)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


#: CPU seconds per document of each drain, by workers (processing's cost on one core)
DRAIN_CPU_PER_DOC: dict[int, list[float]] = {}


def run_drain(template: Path, db_path: Path, workers: int) -> tuple[float, str]:
    """Drain a copy of a stored archive with ``workers`` processes; the summary gives the cores used."""
    shutil.copyfile(template, db_path)
    store = Store.open(db_path)
    try:
        t0, c0 = time.perf_counter(), cpu_seconds()
        report = drain_backlog(store, workers=workers, pool_min=0)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        DRAIN_CPU_PER_DOC.setdefault(workers, []).append(cpu / max(report.documents, 1))
        return wall, (f"{report.summary()}; {cpu:.1f} CPU s ({cpu / max(report.documents, 1) * 1000:.2f} ms/doc), "
                      f"{cpu / wall:.2f} cores busy")
    finally:
        store.close()


def alternate(n: int, runs: dict[str, Callable[[int], tuple[float, str]]], repeat: int) -> dict[str, float]:
    """Run each measure ``repeat`` times, alternating; return documents/s (median) per measure."""
    times: dict[str, list[float]] = {k: [] for k in runs}
    for i in range(repeat):
        parts = []
        for name, run in runs.items():
            t, summary = run(i)
            times[name].append(t)
            parts.append(f"{name} {n / t:,.0f} docs/s")
            if summary and i == repeat - 1:
                print(f"  {name}: {summary}")
        print(f"  run {i + 1}: " + ", ".join(parts), flush=True)
    return {k: n / statistics.median(v) for k, v in times.items()}


def stage_costs(jsonl: Path, tmp: Path, limit: int) -> list[tuple[str, float]]:
    """CPU milliseconds per document of each stage, timed on its own (no overlap; CPU time, as
    the machine is shared: each stage runs on one thread)."""
    lines = jsonl.read_text(encoding="utf-8").splitlines()[:limit]
    n = len(lines)
    t0 = time.process_time()
    docs = [record_to_document(json.loads(line)) for line in lines]
    parse = time.process_time() - t0
    store = Store.open(tmp / "stage.db")
    t0 = time.process_time()
    for i in range(0, n, BATCH_SIZE):
        with store.atomic():
            for doc in docs[i:i + BATCH_SIZE]:
                store.upsert_document(doc)
    storing = time.process_time() - t0
    store.close()
    t0 = time.process_time()
    for doc in docs:
        detect_denials(doc)
    detect = time.process_time() - t0
    t0 = time.process_time()
    for doc in docs:
        document_features(doc.title, doc.text, lang=doc.lang, role=doc.role, source=doc.source,
                          published=format_timestamp(doc.published))
    feats = time.process_time() - t0
    stages = [("parse+validate+lang", parse / n), ("store+FTS (Store.upsert_document)", storing / n),
              ("detect_denials", detect / n), ("document_features", feats / n)]
    embedder = embedder_for(MatchingConfig())
    if embedder is not None:
        document_vectors(embedder, [(i, doc) for i, doc in enumerate(docs[:ANALYSIS_CHUNK])])  # loads the model
        t0 = time.process_time()
        for start in range(0, n, ANALYSIS_CHUNK):  # the analysis tasks' groups
            document_vectors(embedder, [(i, doc) for i, doc in enumerate(docs[start:start + ANALYSIS_CHUNK])])
        stages.append((f"embedding ({embedder.name}, headline + lead)", (time.process_time() - t0) / n))
    return stages


def report_store_only(rates: dict[str, float], n: int) -> int:
    """The store-only table and verdict alone (``--store-only``)."""
    ratio = rates["store-only"] / rates["baseline"]
    print(f"\n{'measure':52} {'docs/s':>10} {'ms/doc':>8} {'ratio':>7}")
    for label, key in ((f"baseline: insert_all + FTS5 ({n})", "baseline"),
                       ("store-only: import_jsonl(store_only=True)", "store-only"),
                       ("baseline with the archive's indexes and tokenizer", "baseline, archive schema")):
        print(f"{label:52} {rates[key]:>10,.0f} {1000 / rates[key]:>8.3f} {rates[key] / rates['baseline']:>7.3f}")
    print(f"RESULT store-only ratio {ratio:.3f} (target >= 0.8): {'PASS' if ratio >= 0.8 else 'FAIL'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20000, help="documents for the store-only run (default 20000)")
    ap.add_argument("--process-docs", type=int, default=2000,
                    help="documents for the end-to-end and worker runs (default 2000)")
    ap.add_argument("--repeat", type=int, default=3, help="alternating runs of each (median; default 3)")
    ap.add_argument("--profile", type=int, default=300, help="documents to profile (0: skip)")
    ap.add_argument("--store-only", action="store_true",
                    help="only the store-only comparison (no end-to-end, workers, stages or profile)")
    ap.add_argument("--world", choices=synth.WORLDS, default="one-world",
                    help="synthetic corpus (bench/synth.py WORLDS; default one-world, the original yardstick)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        jsonl = tmp / "corpus.jsonl"
        size = synth.write_jsonl(jsonl, args.docs, world=args.world)
        print(f"corpus ({args.world}): {args.docs} documents, {size / args.docs:.0f} B/line avg, {size / 1e6:.1f} MB")
        print(f"store-only import of {args.docs} documents:")
        cpu: dict[str, list[float]] = {"baseline": [], "store-only": []}
        rates = alternate(args.docs, {
            "baseline": lambda i: with_cpu(cpu["baseline"], lambda: (run_baseline(jsonl, tmp / f"base-{i}.db"), "")),
            "store-only": lambda i: with_cpu(cpu["store-only"],
                                             lambda: run_pipeline(jsonl, tmp / f"store-{i}.db", store_only=True)),
            "baseline, archive schema": lambda i: (run_baseline(jsonl, tmp / f"base-schema-{i}.db",
                                                                archive_schema=True), ""),
        }, args.repeat)
        base_cpu, ours_cpu = statistics.median(cpu["baseline"]), statistics.median(cpu["store-only"])
        print(f"  CPU (median, open and close included): baseline {1000 * base_cpu / args.docs:.3f} ms/doc, "
              f"store-only {1000 * ours_cpu / args.docs:.3f} ms/doc; store-only ratio by CPU {base_cpu / ours_cpu:.3f}")
        if args.store_only:
            return report_store_only(rates, args.docs)
        small = tmp / "small.jsonl"
        synth.write_jsonl(small, args.process_docs, world=args.world)
        n = args.process_docs
        print(f"end-to-end import of {n} documents (store, then process with the default workers):")
        rates_e2e = alternate(n, {
            "baseline": lambda i: (run_baseline(small, tmp / f"base-small-{i}.db"), ""),
            "end-to-end": lambda i: run_pipeline(small, tmp / f"e2e-{i}.db"),
        }, args.repeat)
        template = tmp / "stored.db"
        run_pipeline(small, template, store_only=True)
        print(f"processing {n} stored documents with 1 and 2 worker processes:")
        rates_w = alternate(n, {
            "1 worker": lambda i: run_drain(template, tmp / f"w1-{i}.db", 1),
            "2 workers": lambda i: run_drain(template, tmp / f"w2-{i}.db", 2),
        }, args.repeat)
        store_ratio = rates["store-only"] / rates["baseline"]
        e2e_ratio = rates_e2e["end-to-end"] / rates_e2e["baseline"]
        workers_ratio = rates_w["2 workers"] / rates_w["1 worker"]
        print()
        print(f"{'measure':52} {'docs/s':>10} {'ms/doc':>8} {'ratio':>7}")
        for label, rate, base in (
                (f"baseline: insert_all + FTS5 ({args.docs})", rates["baseline"], rates["baseline"]),
                ("store-only: import_jsonl(store_only=True)", rates["store-only"], rates["baseline"]),
                ("baseline with the archive's indexes and tokenizer", rates["baseline, archive schema"],
                 rates["baseline"]),
                ("store-only against that", rates["store-only"], rates["baseline, archive schema"]),
                (f"baseline: insert_all + FTS5 ({n})", rates_e2e["baseline"], rates_e2e["baseline"]),
                ("end-to-end: import_jsonl (default workers)", rates_e2e["end-to-end"], rates_e2e["baseline"]),
                ("processing: drain_backlog, 1 worker", rates_w["1 worker"], rates_w["1 worker"]),
                ("processing: drain_backlog, 2 workers", rates_w["2 workers"], rates_w["1 worker"])):
            print(f"{label:52} {rate:>10,.0f} {1000 / rate:>8.2f} {rate / base:>7.3f}")
        print(f"RESULT store-only ratio {store_ratio:.3f} (target >= 0.8): {'PASS' if store_ratio >= 0.8 else 'FAIL'}")
        print(f"RESULT end-to-end ratio {e2e_ratio:.3f} (target >= 0.1): {'PASS' if e2e_ratio >= 0.1 else 'FAIL'}")
        print(f"RESULT workers 2/1 ratio {workers_ratio:.3f} (target >= 1.6): "
              f"{'PASS' if workers_ratio >= 1.6 else 'FAIL'}")
        print()
        jsonl = small
        args.docs = n
        limit = min(args.docs, max(args.profile, 200))
        one_core = statistics.median(DRAIN_CPU_PER_DOC[1])
        print(f"processing on one core (drain_backlog, 1 worker): {one_core * 1000:.2f} CPU ms/doc, median of "
              f"{len(DRAIN_CPU_PER_DOC[1])} (target <= 2, embeddings included): {'PASS' if one_core <= 0.002 else 'FAIL'}")
        print(f"per-stage CPU cost on {limit} documents (each stage alone; the remainder of processing is "
              "indexing writes, matching and events):")
        stages = stage_costs(jsonl, tmp, limit)
        for name, cost in stages:
            print(f"  {name:40} {cost * 1000:>7.2f} ms/doc")
        rest = one_core - sum(c for name, c in stages if not name.startswith(("parse", "store")))
        print(f"  {'remainder (index, match, events)':40} {rest * 1000:>7.2f} ms/doc  (1-worker drain less the stages)")
        if args.profile:
            lines = jsonl.read_text(encoding="utf-8").splitlines(keepends=True)[: args.profile]
            store = Store.open(tmp / "profile.db")
            prof = cProfile.Profile()
            prof.enable()
            import_jsonl(store, io.StringIO("".join(lines)), workers=1)
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
