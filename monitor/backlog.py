"""The processing stage: drain the backlog of stored documents (issue 16).

Storing and processing are two stages. Crawls and imports commit documents and put
them in the backlog (``Store.upsert_document``); ``drain_backlog`` takes them from
there, new and changed documents first, and runs the pipeline's stages (``monitor.pipeline``)
on them, marking each processed by ``PIPELINE_VERSION`` in the transaction that writes
its results: a crash at any point loses nothing, and a document is written once per
version (``Store.still_pending`` drops results for documents another processor
finished or that changed meanwhile; those are simply taken again).

Documents go in waves (``WAVE_SIZE``), each processed like one ``process_documents``
batch: detected and indexed, then matched, then marked. With more than one worker and
a backlog worth it, the CPU-bound work runs in a pool of worker processes: detection
and the per-document features (``detect_denials``, ``index_document``, which need no
archive; the next wave's run while this one is written and matched), then, once this
process (the one writer) has committed the wave's denials, index and events, matching
(``match_documents`` on read-only connections: candidates come from the archive),
whose match rows the writer replays with the alerts and the processed marks. Matching
is about 40 % of processing on the synthetic corpus: kept in the writer, it held two
workers to 1.1x one. The waves do not depend on the number of workers, so neither
does the archive (1,500 synthetic documents: byte-identical denials, matches, events
and index with 1 and 2 workers, and to the inline import this stage replaced).
SQLite has one writer; WAL keeps readers (analysts, Datasette) unblocked throughout.

It must not run SQL (``store`` does) nor decide what a document yields (``pipeline``,
``detect`` and ``match`` do).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from monitor.detect.denials import detect_denials
from monitor.match.linking import embed_new_documents, index_document, match_documents
from monitor.match.scoring import MatchingConfig
from monitor.models import Denial, Document
from monitor.pipeline import PIPELINE_VERSION, index_documents, queue_alerts_for
from monitor.timeutil import format_timestamp

log = logging.getLogger(__name__)

__all__ = ["POOL_MIN_BACKLOG", "WAVE_SIZE", "DocumentAnalysis", "DrainReport", "Progress", "analyse_documents",
           "default_workers", "drain_backlog"]

#: Documents processed together (indexed, matched, marked): large enough to amortise
#: matching's per-batch queries and the commits, small enough that readers and crawls
#: never wait long for the write lock and a crash redoes little. Fixed, not per worker,
#: so that any number of workers gives the same archive.
WAVE_SIZE = 200
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
    wave_size: int = WAVE_SIZE,
    config: MatchingConfig | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    version: int = PIPELINE_VERSION,
    pool_min: int = POOL_MIN_BACKLOG,
    stale: bool = True,
) -> DrainReport:
    """Process every stored document ``version`` has not processed; return the counts.

    Documents go in waves of ``wave_size``: each wave is detected and indexed, then
    matched, then marked processed, like one ``process_documents`` batch. ``workers``
    (default: the machine's cores) above 1 does the detection, features and matching
    of each wave in that many worker processes when the backlog is at least
    ``pool_min``; otherwise this process does everything. Either way the same waves
    give the same archive. ``since`` keeps documents published at or after it (UTC ISO
    8601). ``stop`` ends the drain after the wave being written; what is left stays in
    the backlog. Documents arriving meanwhile are drained too. Alerts are queued for
    new matches that involve a document stored with ``alerts`` (daemon crawls,
    ``import --alerts``). ``stale=False`` leaves documents processed by an older version
    (a reprocess after a version bump) to ``monitor process`` and the daemon: an import
    or a crawl drains only what is new or changed.
    """
    workers = workers or default_workers()
    report = DrainReport(workers=1)
    started = time.monotonic()
    expected = store.backlog_size(version, stale=stale)
    if expected == 0:
        return report
    config = config or MatchingConfig()

    def progress() -> None:
        report.seconds = time.monotonic() - started
        if on_progress:
            rate = report.documents / report.seconds if report.seconds > 0 else 0.0
            on_progress(Progress(report.documents, max(0, expected - report.documents), rate, report.seconds))

    pool = None
    if workers > 1 and expected >= pool_min and store.path is not None and str(store.path) != ":memory:":
        context = _pool_context()
        if context.get_start_method() == "fork":
            _warm_up(store, version)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        report.workers = workers
    try:
        taken: set[int] = set()
        wave = _start_wave(store, pool, workers, version, wave_size, since, taken, stale)
        while wave is not None and not (stop and stop.is_set()):
            taken |= {d.id for d in wave.items}
            # The next wave's detection and features run in the workers while this one is written and matched.
            upcoming = _start_wave(store, pool, workers, version, wave_size, since, taken, stale) if pool else None
            _finish_wave(store, pool, workers, wave, config, version, report)
            taken -= {d.id for d in wave.items}
            progress()
            # (and documents stored meanwhile, once the prefetched wave is none)
            wave = upcoming or _start_wave(store, pool, workers, version, wave_size, since, taken, stale)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    report.seconds = time.monotonic() - started
    return report


@dataclass
class _Wave:
    """Documents processed together, and the worker tasks analysing them (none in-process)."""

    items: list[Any]
    analyses: list[Future[list[DocumentAnalysis]]]


def _split(seq: list[Any], parts: int) -> list[list[Any]]:
    size = max(1, -(-len(seq) // max(1, parts)))
    return [seq[i : i + size] for i in range(0, len(seq), size)]


def _start_wave(store: Any, pool: ProcessPoolExecutor | None, parts: int, version: int, wave_size: int,
                since: str | None, taken: set[int], stale: bool) -> _Wave | None:
    items = store.pending_documents(version, wave_size, since=since, exclude=taken, stale=stale)
    if not items:
        return None
    futures: list[Future[list[DocumentAnalysis]]] = []
    if pool is not None:
        docs = store.get_documents([d.id for d in items])
        task = [(d.id, docs[d.id]) for d in items if d.id in docs]
        futures = [pool.submit(analyse_documents, part) for part in _split(task, parts)]
    return _Wave(items, futures)


def _finish_wave(store: Any, pool: ProcessPoolExecutor | None, parts: int, wave: _Wave, config: MatchingConfig,
                 version: int, report: DrainReport) -> None:
    """Index, match and mark one wave. In-process: one transaction. With workers: the
    index commits first, the workers match against it, then the matches, alerts and
    processed marks commit together (a crash in between leaves the wave in the backlog)."""
    analyses = {a.document_id: a for f in wave.analyses for a in f.result()} if wave.analyses else None
    with store.atomic():
        valid = store.still_pending(wave.items, version)
        batch = index_documents(store, [d.id for d in valid], analyses=analyses)
        if pool is None or not batch.done:
            new_pairs = match_documents(store, batch.done, config, indexed=batch.indexed) if batch.done else []
            _conclude(store, valid, batch.report, new_pairs, version, report)
            report.skipped += len(wave.items) - len(valid)
            return
        embed_new_documents(store, batch.done, config)  # workers read the archive only
    futures = [pool.submit(match_chunk, str(store.path), part, config) for part in _split(batch.done, parts)]
    replacements = [r for f in futures for r in f.result()]
    with store.atomic():
        still = store.still_pending(valid, version)
        _conclude(store, still, batch.report, _replay(store, replacements), version, report)
    report.skipped += len(wave.items) - len(still)


def _conclude(store: Any, valid: list[Any], indexed: Any, new_pairs: list[tuple[int, int]], version: int,
              report: DrainReport) -> None:
    """Count, queue the alerts a wave's new matches call for, and mark its documents processed."""
    _add(report, indexed)
    report.matches += len(new_pairs)
    flagged = {d.id for d in valid if d.alerts}
    if flagged and new_pairs:
        owners = {int(r["id"]): int(r["document_id"]) for r in store.denials_of_ids([d for d, _ in new_pairs])}
        report.alerts += queue_alerts_for(store, [(d, r) for d, r in new_pairs
                                                  if r in flagged or owners.get(d) in flagged])
    store.mark_processed([d.id for d in valid], version, indexed.errors)


def _pool_context() -> Any:
    """``fork`` from a single-threaded process (``monitor import``/``process``): the workers
    start at once with this process's loaded lexicons and gazetteer. With other threads
    running (the daemon's scheduler) a forked child could inherit a lock held by one of
    them, so ``forkserver`` (or ``spawn``) then, at about a second per worker to start."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _warm_up(store: Any, version: int) -> None:
    """Load detection's and matching's lexicons and gazetteer here before the workers fork
    from this process, so that each does not load its own."""
    first = store.pending_documents(version, 1)
    doc = store.get_document(first[0].id) if first else None
    if doc is not None:
        analyse_document(first[0].id, doc)


Replacements = list[tuple[list[int], list[int], list[tuple[int, int, float, dict[str, Any]]]]]


class MatchRecorder:
    """Stands in for the store inside a worker: reads through a read-only connection and
    keeps the match replacements ``match_documents`` makes, for the writer to replay."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.replacements: Replacements = []

    def replace_matches(self, *, denial_ids: Any = (), report_ids: Any = (), matches: Any = ()) -> list[tuple[int, int]]:
        self.replacements.append((list(denial_ids), list(report_ids), list(matches)))
        return []  # which pairs are new, the writer learns when it replays them

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reader, name)


def match_chunk(db_path: str, document_ids: list[int], config: MatchingConfig) -> Replacements:
    """``match_documents`` for documents whose index is committed, reading the archive
    read-only (runs in a worker); returns the match replacements to replay."""
    from monitor.store import Store

    with Store.open(db_path, read_only=True) as reader:
        recorder = MatchRecorder(reader)
        match_documents(recorder, document_ids, config, embedded=True)
        return recorder.replacements


def _replay(store: Any, replacements: Replacements) -> list[tuple[int, int]]:
    """Write the workers' match replacements for a wave; return the new pairs.

    ``match_documents`` over a whole wave first replaces each of its denials' matches
    (against candidates, a capped list), then the matches of its documents as reports
    (against every denial around them). Replaying every worker's denial replacements
    before any report replacement gives the same rows as that one call.
    """
    new_pairs: set[tuple[int, int]] = set()
    ordered = [r for r in replacements if not r[1]] + [r for r in replacements if r[1]]
    for denial_ids, report_ids, matches in ordered:
        new_pairs.update(store.replace_matches(denial_ids=denial_ids, report_ids=report_ids, matches=matches))
    return sorted(new_pairs)


def _add(report: DrainReport, r: Any) -> None:
    report.documents += r.documents
    report.denials += r.denials
    report.matches += r.matches
    report.alerts += r.alerts
    report.events += r.events
    report.failed += r.failed
