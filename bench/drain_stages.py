"""Where a pooled drain's time goes, stage by stage (issue 16): the writer's phases and the workers' tasks.

    .venv/bin/python bench/drain_stages.py [--docs 2000] [--workers 2] [--end-to-end] [--runs 1]

Stores ``--docs`` one-world documents of ``bench/synth.py`` (the corpus written once to
``/tmp/drain-cost-DOCS.jsonl``, as ``bench/drain_cost.py`` does, so two checkouts drain the
same documents), then drains them with ``--workers`` processes, timing (wall and CPU) each
phase of the writer (model loading, pool start, waiting for a wave's analysis, indexing,
storing vectors, commits, waiting for its matching, the replay and conclusion, closing the
pool) and each task in the workers (CPU inside the task, and the bytes its result pickles
to). ``--end-to-end`` times ``import_jsonl`` as the benchmark does (store, then drain with the
default workers) instead of a drain of a stored archive. Figures move with the machine's
load: A/B two checkouts alternately.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import os
import gc
import pickle
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402

from monitor.collect import ingest  # noqa: E402
from monitor.match.scoring import MatchingConfig  # noqa: E402
from monitor.pipeline import PIPELINE_VERSION  # noqa: E402
from monitor.process import backlog, pool as pool_module, tasks  # noqa: E402
from monitor.store import Store  # noqa: E402

#: phase name -> [wall s, CPU s of this process, calls]
PHASES: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    w0, c0 = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        entry = PHASES[name]
        entry[0] += time.perf_counter() - w0
        entry[1] += time.process_time() - c0
        entry[2] += 1


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with phase(name):
            return fn(*args, **kwargs)
    return wrapper


class TimedResult(list):  # type: ignore[type-arg]
    """A task's result list, carrying the task's CPU and wall time in the worker."""

    cpu = 0.0
    wall = 0.0
    size = 0
    span: tuple[int, float, float] = (0, 0.0, 0.0)  # worker pid, start and end (perf_counter: one clock for all)
    gc: tuple[float, list[int]] = (0.0, [0, 0, 0])  # collector CPU s and passes by generation in the task
    dumps = 0.0  # CPU s to pickle the result (``--sizes``)
    loads = 0.0  # and to unpickle it


#: ``gc.freeze()`` after the models are loaded, before the workers fork (``--freeze``)
FREEZE = False
#: a folder for a cProfile of each match task (``--profile-tasks``)
PROFILE_DIR = ""
#: pickle each task's result once more to weigh it (costs the workers CPU: off by default)
MEASURE_SIZES = False


class CollectionTimer:
    """CPU seconds and count of the garbage collector's passes in this process, by generation."""

    def __init__(self) -> None:
        self.passes = [0, 0, 0]
        self.seconds = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            self.passes[info["generation"]] += 1
            self.seconds += time.process_time() - self._start


COLLECTIONS = CollectionTimer()


def _run_timed(fn: Callable[..., list[Any]], *args: Any) -> TimedResult:
    if COLLECTIONS not in gc.callbacks:
        gc.callbacks.append(COLLECTIONS)
    g0, p0 = COLLECTIONS.seconds, list(COLLECTIONS.passes)
    w0, c0 = time.perf_counter(), time.process_time()
    if PROFILE_DIR and fn is tasks.match_chunk:
        profile = cProfile.Profile()
        out = TimedResult(profile.runcall(fn, *args))
        profile.dump_stats(str(Path(PROFILE_DIR) / f"match-{os.getpid()}-{time.monotonic_ns()}.prof"))
    else:
        out = TimedResult(fn(*args))
    out.cpu, out.wall = time.process_time() - c0, time.perf_counter() - w0
    out.span = (os.getpid(), w0, w0 + out.wall)
    out.gc = (COLLECTIONS.seconds - g0, [a - b for a, b in zip(COLLECTIONS.passes, p0)])
    if MEASURE_SIZES:
        c1 = time.process_time()
        blob = pickle.dumps(list(out), protocol=pickle.HIGHEST_PROTOCOL)
        c2 = time.process_time()
        pickle.loads(blob)
        out.size, out.dumps, out.loads = len(blob), c2 - c1, time.process_time() - c2
    return out


def timed_analyse(*args: Any) -> TimedResult:
    return _run_timed(tasks.analyse_stored, *args)


def timed_match(*args: Any) -> TimedResult:
    return _run_timed(tasks.match_chunk, *args)


#: task kind -> list of (cpu, wall, pickled bytes)
TASKS: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
#: seconds from a match task's submission to its start in a worker (behind a running analysis task)
MATCH_DELAYS: list[float] = []
#: (task kind, worker pid, start, end) of each task
SPANS: list[tuple[str, int, float, float]] = []
#: (collector CPU s, passes by generation) of each task
GC_IN_TASKS: list[tuple[float, list[int]]] = []
#: task kind -> list of (pickling CPU, unpickling CPU) of its results (``--sizes``)
RESULTS: dict[str, list[tuple[float, float]]] = defaultdict(list)
#: task kind -> list of (pickling CPU, unpickling CPU, bytes) of its arguments (``--sizes``)
ARGS: dict[str, list[tuple[float, float, int]]] = defaultdict(list)


def instrument() -> None:
    """Wrap the writer's phases and the tasks it submits."""
    warm_up = backlog.warm_up
    if FREEZE:
        def warm_up_and_freeze(*args: Any) -> None:
            warm_up(*args)
            gc.freeze()  # what is loaded so far: never scanned again, here or in a forked worker
        backlog.warm_up = warm_up_and_freeze
    backlog.warm_up = timed("warm_up (models loaded in the writer)", backlog.warm_up)
    analyses = backlog._analyses
    waited: list[int] = []

    def first_or_later(*args: Any) -> Any:
        name = "wait for the first wave's analysis" if not waited else "wait for a later wave's analysis"
        waited.append(1)
        with phase(name):
            return analyses(*args)
    backlog._analyses = first_or_later
    backlog.index_documents = timed("index_documents (writes)", backlog.index_documents)
    backlog._store_vectors = timed("store vectors", backlog._store_vectors)
    backlog._replay = timed("replay matches", backlog._replay)
    backlog._conclude = timed("conclude (counts, alerts, marks)", backlog._conclude)
    backlog.match_documents = timed("match_documents in the writer", backlog.match_documents)
    backlog._start_wave = timed("start a wave (pending query, submit)", backlog._start_wave)
    original_init = pool_module.WorkerPool.__init__
    original_close = pool_module.WorkerPool.close
    original_submit = pool_module.WorkerPool.submit

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        with phase("pool start"):
            original_init(self, *args, **kwargs)

    def close(self: Any) -> None:
        with phase("pool close"):
            original_close(self)

    def submit(self: Any, fn: Callable[..., Any], *args: Any, urgent: bool = False) -> Any:
        kind = {tasks.analyse_stored: "analyse_stored", tasks.match_chunk: "match_chunk"}.get(fn)
        wrapped = {tasks.analyse_stored: timed_analyse, tasks.match_chunk: timed_match}.get(fn, fn)
        future = original_submit(self, wrapped, *args, urgent=urgent)
        if kind and MEASURE_SIZES:
            c0 = time.process_time()
            blob = pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)
            c1 = time.process_time()
            pickle.loads(blob)
            ARGS[kind].append((c1 - c0, time.process_time() - c1, len(blob)))
        if kind == "match_chunk":  # the writer waits for these: their results, timed
            future.result = timed("wait for a wave's matching", future.result)
            submitted = time.perf_counter()
        if kind:
            def note(f: Any) -> None:
                if not f.cancelled() and f.exception() is None:
                    r = f.result()
                    TASKS[kind].append((r.cpu, r.wall, r.size))
                    RESULTS[kind].append((r.dumps, r.loads))
                    GC_IN_TASKS.append(r.gc)
                    SPANS.append((kind, *r.span))
                    if kind == "match_chunk":
                        MATCH_DELAYS.append(r.span[1] - submitted)
            future.add_done_callback(note)
        return future

    pool_module.WorkerPool.__init__ = init  # type: ignore[method-assign]
    pool_module.WorkerPool.close = close  # type: ignore[method-assign]
    pool_module.WorkerPool.submit = submit  # type: ignore[method-assign]
    backlog.WorkerPool = pool_module.WorkerPool
    original_atomic = Store.atomic

    @contextlib.contextmanager
    def atomic(self: Any) -> Iterator[None]:
        with original_atomic(self):
            yield
            w0, c0 = time.perf_counter(), time.process_time()
        # the commit runs as the inner context exits
        entry = PHASES["commits"]
        entry[0] += time.perf_counter() - w0
        entry[1] += time.process_time() - c0
        entry[2] += 1

    Store.atomic = atomic  # type: ignore[method-assign]


def idle_of(pid: int, end: float) -> float:
    """Seconds a worker ran no task between its first task's start and ``end``."""
    spans = sorted((a, b) for _, p, a, b in SPANS if p == pid)
    busy = sum(b - a for a, b in spans)
    return end - spans[0][0] - busy


def cpu_of(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--end-to-end", action="store_true", help="time import_jsonl (store, then drain)")
    ap.add_argument("--pool", action="store_true",
                    help="start a WorkerPool of --workers and pass it (--workers 1: the pooled path on one worker)")
    ap.add_argument("--profile-tasks", default=None, help="write a cProfile of each match task in this folder")
    ap.add_argument("--freeze", action="store_true", help="gc.freeze() once the models are loaded, before the fork")
    ap.add_argument("--tasks", action="store_true", help="list each task's CPU")
    ap.add_argument("--sizes", action="store_true", help="weigh each task's pickled result (adds worker CPU)")
    args = ap.parse_args()
    global MEASURE_SIZES, PROFILE_DIR, FREEZE
    FREEZE = args.freeze
    MEASURE_SIZES = args.sizes
    PROFILE_DIR = args.profile_tasks or ""
    corpus = Path(tempfile.gettempdir()) / f"drain-cost-{args.docs}.jsonl"
    if not corpus.exists():
        synth.write_jsonl(corpus, args.docs)
    tmp = Path(tempfile.mkdtemp())
    try:
        store = Store.open(tmp / "archive.db")
        if not args.end_to_end:
            with corpus.open("rb") as fh:
                ingest.import_jsonl(store, fh, store_only=True)
        instrument()
        gc.callbacks.append(COLLECTIONS)
        w0, me0, ch0 = time.perf_counter(), cpu_of(resource.RUSAGE_SELF), cpu_of(resource.RUSAGE_CHILDREN)
        if args.end_to_end:
            original_flush = ingest._flush
            ingest._flush = timed("store (import_jsonl batches)", original_flush)
            with corpus.open("rb") as fh:
                report = ingest.import_jsonl(store, fh, workers=args.workers)
            documents = report.processing.documents if report.processing else 0
        else:
            if args.workers == 1 and not args.pool:  # models loaded first, as a pooled drain does (timed apart)
                backlog.warm_up(store, PIPELINE_VERSION, MatchingConfig())
            with phase("drain_backlog"):
                if args.pool:  # the pooled path with this many workers, started here
                    backlog.warm_up(store, PIPELINE_VERSION, MatchingConfig())
                    with pool_module.WorkerPool(args.workers) as own:
                        documents = backlog.drain_backlog(store, pool=own).documents
                else:
                    documents = backlog.drain_backlog(store, workers=args.workers, pool_min=0).documents
        wall = time.perf_counter() - w0
        me, children = cpu_of(resource.RUSAGE_SELF) - me0, cpu_of(resource.RUSAGE_CHILDREN) - ch0
        usage = {who: resource.getrusage(w) for who, w in (("writer", resource.RUSAGE_SELF),
                                                           ("workers", resource.RUSAGE_CHILDREN))}
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{documents} documents, {args.workers} workers: wall {wall:.2f} s ({wall / max(documents, 1) * 1000:.2f} "
          f"ms/doc), CPU writer {me:.2f} s + workers {children:.2f} s = {me + children:.2f} s "
          f"({(me + children) / max(documents, 1) * 1000:.2f} ms/doc), {(me + children) / wall:.2f} cores busy")
    for who, u in usage.items():
        print(f"  {who}: user {u.ru_utime:.2f} s, system {u.ru_stime:.2f} s, minor page faults {u.ru_minflt} "
              "(whole process: the store step and model loading included)")
    print(f"  writer's garbage collection: {COLLECTIONS.seconds:.3f} CPU s, passes by generation {COLLECTIONS.passes}")
    print(f"\n{'writer phase':44} {'wall s':>8} {'CPU s':>8} {'calls':>6}")
    for name, (w, c, n) in sorted(PHASES.items(), key=lambda kv: -kv[1][0]):
        print(f"{name:44} {w:>8.3f} {c:>8.3f} {int(n):>6}")
    print(f"\n{'worker task':20} {'tasks':>6} {'CPU s':>8} {'wall s':>8} {'result KB':>10}")
    for kind, rows in TASKS.items():
        print(f"{kind:20} {len(rows):>6} {sum(r[0] for r in rows):>8.3f} {sum(r[1] for r in rows):>8.3f} "
              f"{sum(r[2] for r in rows) / 1024:>10.0f}")
    for kind, rows in ARGS.items():
        print(f"  {kind} arguments: {sum(r[2] for r in rows) / 1024:.0f} KB, pickled in "
              f"{sum(r[0] for r in rows) * 1000:.0f} ms, unpickled in {sum(r[1] for r in rows) * 1000:.0f} ms CPU")
    for kind, rows in RESULTS.items():
        if args.sizes:
            print(f"  {kind} results: pickled in {sum(r[0] for r in rows) * 1000:.0f} ms, "
                  f"unpickled in {sum(r[1] for r in rows) * 1000:.0f} ms CPU")
    if args.tasks:
        for kind, rows in TASKS.items():
            print(f"  {kind} CPU ms by task, in completion order: " + " ".join(f"{r[0] * 1000:.0f}" for r in rows))
    if SPANS:
        print("  workers' idle time between their first task's start and the drain's end: " + ", ".join(
            f"{pid}: {idle_of(pid, end=w0 + wall):.3f} s" for pid in sorted({s[1] for s in SPANS})))
        if MATCH_DELAYS:
            print(f"  match tasks waited {sum(MATCH_DELAYS):.3f} s in all from submission to start "
                  f"(max {max(MATCH_DELAYS) * 1000:.0f} ms)")
        first = min(s[2] for s in SPANS)
        print(f"  first task started {first - w0:.3f} s into the run; last task ended {w0 + wall - max(s[3] for s in SPANS):.3f} s "
              "before its end")
    if GC_IN_TASKS:
        passes = [sum(g[1][k] for g in GC_IN_TASKS) for k in range(3)]
        print(f"  garbage collection inside the tasks: {sum(g[0] for g in GC_IN_TASKS):.3f} CPU s, passes by "
              f"generation {passes}")
    if TASKS:
        inside = sum(r[0] for rows in TASKS.values() for r in rows)
        print(f"{'outside the tasks':20} {'':>6} {children - inside:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
