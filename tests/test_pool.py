"""The processing stage's worker pool (issue 16): urgent tasks first, errors reach the caller."""

from __future__ import annotations

import gc
import os
import threading
import time
from concurrent.futures import CancelledError
from pathlib import Path

import pytest

from monitor.process import WorkerPool
from monitor.process.pool import PROCESSING_GC_THRESHOLD, fewer_collections


def record(log: Path, name: str, wait_for: str | None = None) -> int:
    """Append ``name`` to ``log``; first wait (at most 60 s) until the file ``wait_for`` exists."""
    if wait_for:
        deadline = time.monotonic() + 60
        while not os.path.exists(wait_for) and time.monotonic() < deadline:
            time.sleep(0.01)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(name + "\n")
    return os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


def test_an_urgent_task_runs_before_tasks_submitted_earlier(tmp_path: Path) -> None:
    log, gate = tmp_path / "log", tmp_path / "gate"
    with WorkerPool(1) as pool:
        first = pool.submit(record, log, "first", str(gate))  # holds the only worker until the gate opens
        later = [pool.submit(record, log, f"analysis {k}") for k in range(3)]
        urgent = pool.submit(record, log, "match", urgent=True)
        gate.touch()
        pids = {f.result(timeout=60) for f in [first, *later, urgent]}
    assert log.read_text(encoding="utf-8").split("\n")[:-1] == ["first", "match", "analysis 0", "analysis 1",
                                                               "analysis 2"]
    assert len(pids) == 1 and os.getpid() not in pids, "one worker process, not this one"


def test_a_task_error_reaches_its_caller_and_the_pool_keeps_working(tmp_path: Path) -> None:
    with WorkerPool(2) as pool:
        broken = pool.submit(fail, "no such document")
        with pytest.raises(ValueError, match="no such document"):
            broken.result(timeout=60)
        assert pool.submit(record, tmp_path / "log", "after").result(timeout=60) > 0


def test_closing_cancels_waiting_tasks_and_refuses_new_ones(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    pool = WorkerPool(1)
    running = pool.submit(record, tmp_path / "log", "running", str(gate))
    waiting = pool.submit(record, tmp_path / "log", "waiting")

    def open_gate_once_cancelled() -> None:
        deadline = time.monotonic() + 60
        while not waiting.cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        gate.touch()

    opener = threading.Thread(target=open_gate_once_cancelled)
    opener.start()
    pool.close()  # cancels the waiting task, then waits for the running one
    opener.join()
    assert running.result(timeout=60) > 0
    with pytest.raises(CancelledError):
        waiting.result(timeout=60)
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(record, tmp_path / "log", "late")
    assert (tmp_path / "log").read_text(encoding="utf-8") == "running\n"


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        WorkerPool(0)


def test_fewer_collections_raises_the_young_threshold_and_restores_it() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (PROCESSING_GC_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections(1234):
        assert gc.get_threshold()[0] == 1234
        raise RuntimeError("a failed drain")
    assert gc.get_threshold() == before
