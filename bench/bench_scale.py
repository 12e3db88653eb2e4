"""Scale: time per new document at 10k / 100k / 1M archived documents, and import memory (issue 10).

Part 1, time per new document. For each size, builds a synthetic archive fast
(bench/synth.py texts, ~2 KB, EN + RU, 150 documents a day so a bigger archive spans
a longer period, as a real one does; one report + one denial in every 60): documents
go in through ``Store.upsert_document`` (real text, so the FTS5 index and its
vocabulary grow for real) in transactions of 20k, with matching features and denial
profiles computed once for a pool of documents and reused (computing them for 1M
documents would take hours and changes nothing about lookup cost). Then times
``store_documents`` + ``drain_backlog`` (store + FTS, then detect + index + match both ways + events) for new
documents published at the end of the archive, one transaction each, a quarter of
them denials, round-robin across the sizes so load hits each alike. Ratio: median at the largest size / median at the smallest (target <= 1.2, issue 16; issue 10 asked for 1.5).

Part 2, peak memory. Runs ``monitor import FILE --db ...`` in a child process on
synthetic JSONL files of two sizes and reads the child's peak RSS (``os.wait4``):
the import streams, so the peak must not grow with the file.

    .venv/bin/python bench/bench_scale.py [--sizes 10000,100000] [--new 40] [--mem-lines 2000,8000]
    .venv/bin/python bench/bench_scale.py --sizes 10000,100000,1000000 --keep /tmp/scale   # the 1M run
    .venv/bin/python bench/bench_scale.py --sizes '' --mem-lines 10000,1000000   # import memory of 1M lines
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synth  # noqa: E402

from monitor.match.features import body_lead, document_features  # noqa: E402
from monitor.match.linking import embedder_for  # noqa: E402
from monitor.match.scoring import MatchingConfig  # noqa: E402
from monitor.text.embeddings import embedding_text, to_blob  # noqa: E402
from monitor.process import drain_backlog  # noqa: E402
from monitor.collect.ingest import record_to_document, store_documents  # noqa: E402
from monitor.pipeline import PIPELINE_VERSION  # noqa: E402
from monitor.match.scoring import build_profile  # noqa: E402
from monitor.models import Denial  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.timeutil import format_timestamp  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TX = 20_000
POOL = 400


def _pool(world: str = "one-world", embeddings: bool = True) -> list[tuple[str, bool, dict, bool, dict | None, bytes | None]]:
    """(lang, is_denial, features json, lead_denial, denial profile json, vector) for reusable documents
    (vector: the headline + lead embedding the processing stage stores, None with ``embeddings`` off)."""
    out = []
    recs = []
    for rec in synth.generate(POOL * 2, seed=99, world=world):
        denial = "-denial-" in rec["url"]
        if not denial and len(out) >= POOL and rec["lang"] != "ru":
            continue
        feats = document_features(rec["title"], rec["text"], lang=rec["lang"], role=rec["role"],
                                  source=rec["source"], published="")
        prof = None
        if denial:
            prof = build_profile(denial_id=0, document_id=0, speaker="Dmitry Peskov", published="",
                                 lang=rec["lang"], claim=rec["title"], quote=rec["text"][:200], entities=(),
                                 event_type=None, outlets=(), event_date=None, doc_title=rec["title"],
                                 doc_lead=rec["text"][:400], use_context=True).to_json()
        out.append((rec["lang"], denial, feats.to_json(), denial, prof))
        recs.append(rec)
    embedder = embedder_for(MatchingConfig()) if embeddings else None
    if embedder is None:
        return [(*p, None) for p in out]
    vecs = embedder.embed([embedding_text(r["title"], body_lead(r["title"], r["text"])) for r in recs])
    return [(*p, to_blob(v)) for p, v in zip(out, vecs)]


def build_archive(path: Path, size: int, world: str = "one-world", embeddings: bool = True) -> float:
    """Fill ``path`` with ``size`` documents; return seconds taken. ``embeddings``: each document
    gets a stored vector (a pool document's), as the processing stage stores one for every
    document; without them matching reads no window of vectors (and embeds candidates lazily)."""
    pool = _pool(world, embeddings)
    model = embedder_for(MatchingConfig()) if embeddings else None
    by_kind = {(lang, d): [p for p in pool if p[0] == lang and p[1] == d] for lang in ("en", "ru") for d in (0, 1)}
    rng = random.Random(3)
    store = Store.open(path)
    t0 = time.perf_counter()
    gen = synth.generate(size, seed=2, world=world)
    done = 0
    try:
        while done < size:
            with store.atomic():
                for rec in gen:
                    doc = record_to_document(rec)
                    res = store.upsert_document(doc)
                    ts = format_timestamp(doc.published)
                    denial = "-denial-" in rec["url"]
                    _lang, _d, fj, lead, prof, vec = rng.choice(by_kind[(doc.lang or "en", denial)] or pool)
                    store.replace_document_index(res.id, ts, fj["body_terms"], {**fj, "published": ts}, lead)
                    if model is not None and vec is not None:
                        store.set_document_embeddings(model.name, [(res.id, ts, vec)])
                    if denial and prof:
                        d = Denial(speaker="Dmitry Peskov", cue="pure fiction", quote=doc.text[:200],
                                   claim=doc.title, lang=doc.lang, position=len(doc.title))
                        (did,) = store.replace_denials(res.id, ts, [d])
                        store.set_denial_profile(did, {**prof, "published": ts})
                    done += 1
                    if done % TX == 0:
                        break
            if done % 100_000 == 0 or done == size:
                print(f"    {done:,} documents, {time.perf_counter() - t0:.0f}s", flush=True)
        # their index and denials are written above: nothing waits for processing (issue 16)
        with store.atomic():
            store.mark_processed(store.document_ids_since(None), PIPELINE_VERSION)
    finally:
        store.close()
    return time.perf_counter() - t0


def new_records(size: int, count: int, world: str = "one-world") -> list[dict]:
    """``count`` fresh records published at the archive's end, a quarter of them denials."""
    end = synth.START + dt.timedelta(days=size / synth.PER_DAY)
    recs = list(synth.generate(count * 2 + 2, seed=size + 17, start=end, per_day=2,
                               url_prefix=f"new{time.time_ns()}", world=world))
    denials = [r for r in recs if "-denial-" in r["url"]]
    others = [r for r in recs if "-denial-" not in r["url"]]
    return [others.pop(0)] + [(denials.pop(0) if (i % 4 == 0 and denials) else others.pop(0)) for i in range(count)]


def time_new_documents(paths: dict[int, Path], count: int, world: str = "one-world") -> dict[int, list[float]]:
    """Seconds per new document for each archive, timed round-robin across the archives.

    Interleaving (one document at 10k, one at 100k, ...) makes a change in machine
    load hit every size alike, so the ratio between sizes holds.
    """
    stores = {size: Store.open(path) for size, path in paths.items()}
    recs = {size: new_records(size, count, world) for size in paths}
    times: dict[int, list[float]] = {size: [] for size in paths}
    try:
        for size, store in stores.items():  # warm caches (gazetteer, SQLite pages)
            store_documents(store, [record_to_document(recs[size][0])], queue_alerts=False)
            drain_backlog(store, workers=1)
        for i in range(1, count + 1):
            for size, store in stores.items():
                doc = record_to_document(recs[size][i])
                t0 = time.perf_counter()
                store_documents(store, [doc], queue_alerts=False)  # store, then process (issue 16)
                drain_backlog(store, workers=1)
                times[size].append(time.perf_counter() - t0)
    finally:
        for store in stores.values():
            store.close()
    return times


def import_peak_rss(lines: int, tmp: Path) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of ``monitor import`` on a file of ``lines`` documents, in a child."""
    jsonl = tmp / f"mem-{lines}.jsonl"
    synth.write_jsonl(jsonl, lines, seed=lines)
    db = tmp / f"mem-{lines}.db"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--log-level", "WARNING", "import", str(jsonl),
                             "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0,):
        print(f"  warning: monitor import exited {proc.returncode}")
    jsonl.unlink()
    return usage.ru_maxrss / 1024, elapsed  # ru_maxrss is KiB on Linux


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="archive sizes, comma-separated (default 10000,100000)")
    ap.add_argument("--new", type=int, default=40, help="new documents timed per size (default 40)")
    ap.add_argument("--mem-lines", default="2000,8000", help="JSONL sizes for the memory check ('' to skip)")
    ap.add_argument("--keep", type=Path, default=None, help="keep and reuse the built archives in this folder")
    ap.add_argument("--world", choices=synth.WORLDS, default="one-world",
                    help="synthetic corpus (bench/synth.py WORLDS; default one-world, the original)")
    ap.add_argument("--no-embeddings", action="store_true",
                    help="archives without stored vectors (the figures before the seventh session)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    medians: dict[int, float] = {}
    p90s: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        folder = args.keep or Path(tmpdir)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {}
        for size in sizes:
            tag = ("" if args.world == "one-world" else f"-{args.world}") + ("-noemb" if args.no_embeddings else "")
            path = folder / f"bench-scale-{size}{tag}.db"
            if not path.exists():
                print(f"building archive of {size:,} documents ...", flush=True)
                secs = build_archive(path, size, args.world, not args.no_embeddings)
                print(f"  built in {secs:.0f}s ({size / secs:,.0f} docs/s), {path.stat().st_size / 1e6:,.0f} MB",
                      flush=True)
            paths[size] = path
        if sizes:
            print(f"timing {args.new} new documents per archive, round-robin across sizes ({args.world} corpus, "
                  f"{'no stored vectors' if args.no_embeddings else 'stored vectors'}) ...", flush=True)
        for size, times in time_new_documents(paths, args.new, args.world).items():
            medians[size] = statistics.median(times)
            p90s[size] = sorted(times)[int(0.9 * (len(times) - 1))]
        if sizes:
            print()
            print(f"{'archived documents':>20} {'median ms/doc':>14} {'p90 ms/doc':>11} {'ratio':>7}")
        for size in sizes:
            print(f"{size:>20,} {medians[size] * 1000:>14.1f} {p90s[size] * 1000:>11.1f} "
                  f"{medians[size] / medians[sizes[0]]:>7.2f}")
        if len(sizes) > 1:
            base = medians[sizes[0]]
            ratio = medians[sizes[-1]] / base
            # the tail beside it: a cost that grows with the archive may hit only some documents
            # (the denials' term frequencies did: median flat, 90th percentile 18x; twentieth session)
            tail = p90s[sizes[-1]] / p90s[sizes[0]]
            print(f"RESULT scale ratio {sizes[-1]:,}/{sizes[0]:,} = {ratio:.2f} (target <= 1.2): "
                  f"{'PASS' if ratio <= 1.2 else 'FAIL'}; 90th percentile ratio {tail:.2f} (no target)")
        mem = [int(s) for s in args.mem_lines.split(",") if s]
        if mem:
            print()
            print(f"{'import JSONL lines':>20} {'peak RSS MiB':>13} {'seconds':>8} {'ratio':>7}")
            peaks = {}
            for lines in mem:
                peaks[lines], secs = import_peak_rss(lines, Path(tmpdir))
                print(f"{lines:>20,} {peaks[lines]:>13.0f} {secs:>8.0f} {peaks[lines] / peaks[mem[0]]:>7.2f}",
                      flush=True)
            if len(mem) > 1:
                growth = peaks[mem[-1]] / peaks[mem[0]]
                print(f"RESULT import peak RSS {mem[-1]:,} / {mem[0]:,} lines = {growth:.2f} "
                      f"(bounded: target <= 1.2, i.e. flat): {'PASS' if growth <= 1.2 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
