"""A pool of worker processes that runs urgent tasks first, kept alive across waves and drains.

Why not a bare ``ProcessPoolExecutor``: it runs tasks in the order they were submitted,
and the processing stage submits the next wave's analysis before this wave's matching
(so that the workers are busy while the writer writes). In submission order, the match
tasks the writer waits on would queue behind a whole wave of analysis while the writer
sits idle; here they go first. At most one task per worker is handed to the executor, the
rest wait in a priority queue, so an urgent task waits for one running task at most.

Starting workers costs (``forkserver``: about a second each), so one pool serves every
wave of a drain, and a long-lived owner (the daemon) keeps one across drains: pass it to
``drain_backlog(pool=...)`` and close it when done.

It must not know what the tasks do (``monitor.process.tasks``) or touch the archive.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import heapq
import itertools
import multiprocessing
import os
import threading
import time
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from typing import Any, Callable, Iterator

from threadpoolctl import threadpool_limits

__all__ = ["PROCESSING_GC_THRESHOLD", "WorkerPool", "fewer_collections", "one_blas_thread", "pool_context"]


def one_blas_thread() -> Any:
    """Limit NumPy's BLAS to one thread (a context manager; the workers' initializer enters it
    for good). Each processing process is meant to keep one core busy: the embedding model
    limits itself, but the other products (vectors against a window's) ran on a BLAS thread
    per core, which spun more than it computed (in one process 5.9 CPU ms/doc instead of 5.6,
    for the same wall time)."""
    return threadpool_limits(limits=1, user_api="blas")


#: Allocations between two collections of the youngest generation while processing
#: (Python's default: 700). 200,000 since the seventeenth session: at 50,000 a 1-worker drain
#: of 2,000 synthetic documents ran 9 young and 1 middle passes, 0.19-0.22 CPU s (~3 % of the
#: drain: each pass re-read a wave's features, tens of thousands of frozensets and tuples,
#: still alive), none of which found any garbage; at 200,000 one pass, 0.05 s, the same
#: peak memory (198 MB).
PROCESSING_GC_THRESHOLD = 200_000


@contextlib.contextmanager
def fewer_collections(threshold: int = PROCESSING_GC_THRESHOLD) -> Iterator[None]:
    """Run Python's cyclic garbage collector less often (a context manager; the workers'
    initializer sets the same threshold for good).

    Matching allocates a few dicts and lists per candidate pair. At the default threshold a
    1-worker drain of 2,000 synthetic documents ran ~480 collections whose older-generation
    passes re-scan the long-lived gazetteer and memo tables: 0.21 CPU s, ~4 % of the drain;
    at 50,000 one, 0.014 s (issue 16, eleventh session; ``PROCESSING_GC_THRESHOLD`` says why
    it is higher now). Little of what processing allocates is cyclic, so the memory held
    meanwhile stays small. Results do not depend on it."""
    old = gc.get_threshold()
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


#: Seconds between a worker's looks at its parent.
ORPHAN_CHECK_SECONDS = 1.0


def _exit_when_orphaned(parent: int, interval: float = ORPHAN_CHECK_SECONDS) -> None:
    """Exit this worker once ``parent`` is gone (the process is re-parented).

    Why: after a kill -9 of ``monitor process``/``import`` its workers wait on the task
    queue for ever (they hold copies of the queue's write end, so it never closes), each
    with a loaded embedding model: a user's machine collected idle orphans run after run.
    Polling ``getppid`` works for ``fork`` and ``forkserver`` alike (the forkserver exits
    with its owner) and needs no platform call."""
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def _init_worker() -> None:
    one_blas_thread()
    gc.set_threshold(PROCESSING_GC_THRESHOLD, *gc.get_threshold()[1:])
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), name="orphan-watch", daemon=True).start()


def pool_context() -> Any:
    """``fork`` from a single-threaded process (``monitor import``/``process``): the workers
    start at once with this process's loaded lexicons, gazetteer and embedding model. With
    other threads running (the daemon's scheduler) a forked child could inherit a lock held
    by one of them, so ``forkserver`` (or ``spawn``) then, at about a second per worker to start."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class WorkerPool:
    """``workers`` processes; ``submit(fn, *args, urgent=...)`` returns a Future."""

    def __init__(self, workers: int, context: Any = None) -> None:
        if workers < 1:
            raise ValueError(f"a worker pool needs at least one worker, not {workers}")
        self.workers = workers
        self.context = context or pool_context()
        self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=self.context,
                                             initializer=_init_worker)
        # reentrant: a task that is already done runs its callback at once, in the submitting call
        self._lock = threading.RLock()
        self._waiting: list[tuple[int, int, Callable[..., Any], tuple[Any, ...], Future[Any]]] = []
        self._order = itertools.count()
        self._running = 0
        self._closed = False

    @property
    def start_method(self) -> str:
        return str(self.context.get_start_method())

    def submit(self, fn: Callable[..., Any], *args: Any, urgent: bool = False) -> Future[Any]:
        """Run ``fn(*args)`` in a worker; urgent tasks before any other waiting task, each
        kind in submission order."""
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            heapq.heappush(self._waiting, (0 if urgent else 1, next(self._order), fn, args, future))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        with self._lock:
            while self._running < self.workers and self._waiting and not self._closed:
                _, _, fn, args, future = heapq.heappop(self._waiting)
                if not future.set_running_or_notify_cancel():
                    continue
                self._running += 1
                try:
                    inner = self._executor.submit(fn, *args)
                except Exception as exc:  # a broken pool: the caller learns it from the future
                    self._running -= 1
                    future.set_exception(exc)
                    continue
                inner.add_done_callback(functools.partial(self._finished, outer=future))

    def _finished(self, inner: Future[Any], outer: Future[Any]) -> None:
        with self._lock:
            self._running -= 1
        if inner.cancelled():  # the pool closed under it (the outer future runs: it cannot be cancelled)
            outer.set_exception(CancelledError("the worker pool closed"))
        elif inner.exception() is not None:
            outer.set_exception(inner.exception())
        else:
            outer.set_result(inner.result())
        self._dispatch()

    def close(self) -> None:
        """Cancel the waiting tasks, let the running ones end, stop the workers."""
        with self._lock:
            self._closed = True
            waiting, self._waiting = self._waiting, []
        for *_, future in waiting:
            future.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
