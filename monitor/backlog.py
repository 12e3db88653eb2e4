"""The processing stage: drain the backlog of stored documents (issue 16).

Storing and processing are two stages. Crawls and imports commit documents and put
them in the backlog (``Store.upsert_document``); ``drain_backlog`` takes them from
there, new and changed documents first, and runs ``monitor.pipeline.process_documents``
on them, marking each processed by ``PIPELINE_VERSION`` in the transaction that writes
its results: a crash at any point loses nothing, and a document is written once per
version (``Store.still_pending`` drops results for documents another processor
finished or that changed meanwhile; those are simply taken again).

With more than one worker and a backlog worth it, detection and the per-document
features (``detect_denials``, ``index_document``: the CPU-bound part, with no need of
the archive) run in a pool of worker processes, chunk by chunk, while this process,
the one writer, writes the results, matches (which needs the archive's candidates)
and regroups events, a chunk per transaction. SQLite has one writer; WAL keeps
readers (analysts, Datasette) unblocked throughout.

It must not run SQL (``store`` does) nor decide what a document yields (``pipeline``,
``detect`` and ``match`` do).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from monitor.detect.denials import detect_denials
from monitor.match.linking import index_document
from monitor.match.scoring import MatchingConfig
from monitor.models import Denial, Document
from monitor.pipeline import PIPELINE_VERSION, PrecomputedAnalysis, process_documents
from monitor.timeutil import format_timestamp

log = logging.getLogger(__name__)

__all__ = ["CHUNK_SIZE", "POOL_MIN_BACKLOG", "DocumentAnalysis", "DrainReport", "Progress", "analyse_documents",
           "default_workers", "drain_backlog"]

#: Documents per worker task and per writer transaction: large enough to amortise
#: matching's per-batch queries and the commit, small enough that readers and crawls
#: never wait long for the write lock and a crash redoes little.
CHUNK_SIZE = 100
#: Below this many waiting documents, starting worker processes costs more than it saves.
POOL_MIN_BACKLOG = 300


def default_workers() -> int:
    """The machine's cores (``os.cpu_count()``), at least 1."""
    return max(1, os.cpu_count() or 1)


class AnalysisFailed(Exception):
    """A worker could not analyse a document; the message says why."""


class IndexRecorder:
    """Stands in for the store inside a worker: keeps what ``index_document`` writes.

    Denials have no ids yet in a worker (the writer assigns them); the k-th denial is
    passed as ``-(k + 1)`` and mapped back when the writer replays the writes.
    """

    def __init__(self) -> None:
        self.profiles: list[tuple[int, dict[str, Any]]] = []
        self.index: tuple[str, list[str], dict[str, Any], bool] | None = None

    def set_denial_profile(self, denial_id: int, profile: dict[str, Any]) -> None:
        self.profiles.append((-denial_id - 1, profile))

    def replace_document_index(self, document_id: int, published: str, terms: Any,
                               features: dict[str, Any], lead_denial: bool) -> None:
        self.index = (published, list(terms), features, lead_denial)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"index_document used store.{name} in a worker process, which has no archive: "
                             "it may only write (set_denial_profile, replace_document_index)")


@dataclass(frozen=True)
class DocumentAnalysis:
    """What a worker computed for one document: its denials and its index writes."""

    document_id: int
    detected: tuple[Denial, ...] | None
    profiles: tuple[tuple[int, dict[str, Any]], ...] = ()
    index: tuple[str, list[str], dict[str, Any], bool] | None = None
    result: tuple[dict[str, Any], bool] | None = None
    error: str | None = None

    @property
    def denials(self) -> tuple[Denial, ...]:
        if self.detected is None:
            raise AnalysisFailed(self.error or "no analysis")
        return self.detected

    def write_index(self, store: Any, denial_ids: list[int]) -> tuple[dict[str, Any], bool]:
        if self.error or self.index is None or self.result is None:
            raise AnalysisFailed(self.error or "no index")
        for k, profile in self.profiles:
            store.set_denial_profile(denial_ids[k], profile)
        store.replace_document_index(self.document_id, *self.index)
        return self.result


def analyse_document(doc_id: int, doc: Document) -> DocumentAnalysis:
    """Detection and index of one document, without the archive (runs in a worker)."""
    try:
        denials = detect_denials(doc)
    except Exception as exc:  # reported by the writer, with the URL
        return DocumentAnalysis(doc_id, None, error=f"{type(exc).__name__}: {exc}")
    recorder = IndexRecorder()
    try:
        result = index_document(recorder, doc_id, doc, format_timestamp(doc.published),
                                [(-(k + 1), d) for k, d in enumerate(denials)])
    except Exception as exc:
        return DocumentAnalysis(doc_id, tuple(denials), error=f"{type(exc).__name__}: {exc}")
    return DocumentAnalysis(doc_id, tuple(denials), tuple(recorder.profiles), recorder.index, result)


def analyse_documents(docs: list[tuple[int, Document]]) -> list[DocumentAnalysis]:
    """``analyse_document`` over a chunk: the worker processes' task."""
    return [analyse_document(doc_id, doc) for doc_id, doc in docs]


@dataclass(frozen=True)
class Progress:
    """How a drain is going, for a progress line."""

    done: int
    left: int
    rate: float  # documents per second so far
    elapsed_s: float

    @property
    def eta_s(self) -> float | None:
        return self.left / self.rate if self.rate > 0 else None


@dataclass
class DrainReport:
    """Counts of one drain."""

    documents: int = 0
    denials: int = 0
    matches: int = 0
    alerts: int = 0
    events: int = 0
    failed: int = 0
    #: results dropped because the document changed (or was processed elsewhere) meanwhile
    skipped: int = 0
    workers: int = 1
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.documents / self.seconds if self.seconds > 0 else 0.0
        return (f"processed {self.documents} documents ({self.failed} failed) in {self.seconds:.1f}s "
                f"({rate:,.0f}/s, {self.workers} worker{'s' if self.workers != 1 else ''}); denials {self.denials}, "
                f"matches {self.matches}, alerts queued {self.alerts}")


def drain_backlog(
    store: Any,
    *,
    workers: int | None = None,
    since: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    config: MatchingConfig | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    version: int = PIPELINE_VERSION,
    pool_min: int = POOL_MIN_BACKLOG,
) -> DrainReport:
    """Process every stored document ``version`` has not processed; return the counts.

    ``workers`` (default: the machine's cores) above 1 runs detection and features in
    that many worker processes when the backlog is at least ``pool_min``;
    otherwise this process does everything. ``since`` keeps documents published at or
    after it (UTC ISO 8601). ``stop`` ends the drain after the chunk being written;
    what is left stays in the backlog. Documents arriving while it runs are drained
    too. Alerts are queued for documents stored with ``alerts`` (daemon crawls,
    ``import --alerts``).
    """
    workers = workers or default_workers()
    report = DrainReport(workers=1)
    started = time.monotonic()
    backlog = store.backlog_status(version)
    if backlog.total == 0:
        return report
    expected = backlog.total
    config = config or MatchingConfig()

    def progress() -> None:
        report.seconds = time.monotonic() - started
        if on_progress:
            rate = report.documents / report.seconds if report.seconds > 0 else 0.0
            on_progress(Progress(report.documents, max(0, expected - report.documents), rate, report.seconds))

    if workers > 1 and backlog.total >= pool_min:
        report.workers = workers
        _drain_with_pool(store, workers, since, chunk_size, config, version, report, progress, stop)
    else:
        while not (stop and stop.is_set()):
            with store.atomic():
                items = store.pending_documents(version, chunk_size, since=since)
                if not items:
                    break
                _write(store, items, None, config, version, report)
            progress()
    report.seconds = time.monotonic() - started
    return report


def _write(store: Any, items: list[Any], analyses: Mapping[int, PrecomputedAnalysis] | None,
           config: MatchingConfig, version: int, report: DrainReport) -> None:
    """Write one chunk's results and mark its documents processed, in one transaction."""
    with store.atomic():
        valid = store.still_pending(items, version)
        report.skipped += len(items) - len(valid)
        errors: dict[int, str] = {}
        # Documents stored to alert (a daemon crawl) and the others (a quiet import) in one transaction.
        for alerts in (True, False):
            group = [d.id for d in valid if d.alerts == alerts]
            if not group:
                continue
            r = process_documents(store, group, queue_alerts=alerts, config=config, analyses=analyses)
            report.documents += r.documents
            report.denials += r.denials
            report.matches += r.matches
            report.alerts += r.alerts
            report.events += r.events
            report.failed += r.failed
            errors.update(r.errors)
        store.mark_processed([d.id for d in valid], version, errors)


def _pool_context() -> Any:
    # Not fork: the daemon has threads, and a forked child can inherit a held lock.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _drain_with_pool(store: Any, workers: int, since: str | None, chunk_size: int, config: MatchingConfig,
                     version: int, report: DrainReport, progress: Callable[[], None],
                     stop: threading.Event | None) -> None:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())
    inflight: deque[tuple[Future[list[DocumentAnalysis]], list[Any]]] = deque()
    taken: set[int] = set()
    try:
        while not (stop and stop.is_set()):
            # Keep every worker busy with a chunk in hand and one queued behind it.
            while len(inflight) < 2 * workers:
                items = store.pending_documents(version, chunk_size, since=since, exclude=taken)
                if not items:
                    break
                docs = store.get_documents([d.id for d in items])
                task = [(d.id, docs[d.id]) for d in items if d.id in docs]
                inflight.append((pool.submit(analyse_documents, task), items))
                taken |= {d.id for d in items}
            if not inflight:
                break
            future, items = inflight.popleft()
            analyses = {a.document_id: a for a in future.result()}
            _write(store, items, analyses, config, version, report)
            taken -= {d.id for d in items}
            progress()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
