"""The processing stage's writer: drain the backlog of stored documents (issue 16).

Storing and processing are two stages. Crawls and imports commit documents and put
them in the backlog (``Store.upsert_document``); ``drain_backlog`` takes them from
there, new and changed documents first, and runs the pipeline's stages (``monitor.pipeline``)
on them, marking each processed by ``PIPELINE_VERSION`` in the transaction that writes
its results: a crash at any point loses nothing, and a document is written once per
version (``Store.still_pending`` drops results for documents another processor
finished or that changed meanwhile; those are simply taken again).

Documents go in waves (``WAVE_SIZE``), each processed like one ``process_documents``
batch: analysed (detection, features, embedding: ``monitor.process.tasks``), indexed,
then matched, then marked. With more than one worker and a backlog worth it, the CPU-bound
work runs in a pool of worker processes (``monitor.process.pool``): the analysis of the
next wave runs while this one is written and matched; once this process (the one writer)
has committed the wave's denials, index, vectors and events, its matching runs in the
workers on read-only connections (candidates come from the archive), ahead of any
analysis, and the writer replays the match rows with the alerts and the processed marks.
The writer itself only writes: it neither reads the documents' texts nor embeds them.
The waves and their analysis groups do not depend on the number of workers, so neither
does the archive (byte-identical denials, matches, events, index and vectors with 1 and
2 workers: ``tests/test_backlog.py``, ``bench/check_identical.py``). SQLite has one
writer; WAL keeps readers (analysts, Datasette) unblocked throughout.

It must not run SQL (``store`` does) nor decide what a document yields (``pipeline``,
``detect`` and ``match`` do).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable

from monitor.match.linking import FeatureMemo, embedder_for, match_documents
from monitor.match.scoring import MatchingConfig
from monitor.pipeline import PIPELINE_VERSION, index_documents, queue_alerts_for, refresh_after_withdrawals
from monitor.process.pool import WorkerPool, fewer_collections, one_blas_thread
from monitor.process.tasks import (
    ANALYSIS_CHUNK, DocumentAnalysis, Replacements, analyse_documents, analyse_stored, chunks, match_chunk,
)

log = logging.getLogger(__name__)

__all__ = ["POOL_MIN_BACKLOG", "WAVE_SIZE", "DrainReport", "Progress", "default_workers", "drain_backlog"]

#: Documents processed together (indexed, matched, marked): large enough to amortise
#: matching's per-batch queries and the commits, small enough that readers and crawls
#: never wait long for the write lock and a crash redoes little. Fixed, not per worker,
#: so that any number of workers gives the same archive.
WAVE_SIZE = 200
#: Waves whose analysis is handed to the workers ahead of the one being written: with one,
#: the workers idled while the writer wrote (2 workers kept 1.5 cores busy); with two, there
#: is always analysis queued behind the urgent match tasks.
PREFETCH_WAVES = 2
#: Below this many waiting documents, starting worker processes costs more than it saves
#: (a pool passed in, already running, is used for any backlog).
POOL_MIN_BACKLOG = 300


def default_workers() -> int:
    """The machine's cores (``os.cpu_count()``), at least 1."""
    return max(1, os.cpu_count() or 1)


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
    pool: WorkerPool | None = None,
) -> DrainReport:
    """Process every stored document ``version`` has not processed; return the counts.

    Documents go in waves of ``wave_size``: each wave is analysed, indexed, then matched,
    then marked processed, like one ``process_documents`` batch. ``workers`` (default:
    the machine's cores) above 1 does the analysis and matching of each wave in that many
    worker processes when the backlog is at least ``pool_min``, in a pool started for this
    drain; ``pool`` (a running ``WorkerPool`` its owner keeps across drains, as the daemon
    does) is used instead, for any backlog. Otherwise this process does everything. Either
    way the same waves give the same archive. ``since`` keeps documents published at or
    after it (UTC ISO 8601). ``stop`` ends the drain after the wave being written; what is
    left stays in the backlog. Documents arriving meanwhile are drained too. Alerts are
    queued for new matches that involve a document stored with ``alerts`` (daemon crawls,
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

    on_disk = store.path is not None and str(store.path) != ":memory:"
    own_pool = None
    if pool is None and workers > 1 and expected >= pool_min and on_disk:
        warm_up(store, version, config)
        pool = own_pool = WorkerPool(workers)
    elif not on_disk:
        pool = None
    if pool is not None:
        report.workers = pool.workers
    ahead = PREFETCH_WAVES if pool is not None else 0
    # the waves matched here read the same reports again: their parsed features are kept
    memo = FeatureMemo() if pool is None else None
    taken: set[int] = set()
    waves: deque[_Wave] = deque()

    def take() -> bool:
        wave = _start_wave(store, pool, version, wave_size, since, taken, stale, config)
        if wave is not None:
            taken.update(d.id for d in wave.items)
            waves.append(wave)
        return wave is not None

    try:
        with one_blas_thread(), fewer_collections():
            take()
            while waves and not (stop and stop.is_set()):
                # The next waves' analysis runs in the workers while this one is written and matched.
                while len(waves) <= ahead and take():
                    pass
                wave = waves.popleft()
                _finish_wave(store, pool, wave, config, version, report, memo)
                taken.difference_update(d.id for d in wave.items)
                progress()
                if not waves:  # documents stored meanwhile
                    take()
    finally:
        for wave in waves:  # stopped: what was prefetched stays in the backlog
            for future in wave.analyses:
                future.cancel()
        if own_pool is not None:
            own_pool.close()
    report.seconds = time.monotonic() - started
    return report


@dataclass
class _Wave:
    """Documents processed together, and the worker tasks analysing them (none in-process)."""

    items: list[Any]
    analyses: list[Future[list[DocumentAnalysis]]]


def _start_wave(store: Any, pool: WorkerPool | None, version: int, wave_size: int, since: str | None,
                taken: set[int], stale: bool, config: MatchingConfig) -> _Wave | None:
    items = store.pending_documents(version, wave_size, since=since, exclude=taken, stale=stale)
    if not items:
        return None
    futures: list[Future[list[DocumentAnalysis]]] = []
    if pool is not None:
        futures = [pool.submit(analyse_stored, str(store.path), part, config)
                   for part in chunks([d.id for d in items], ANALYSIS_CHUNK)]
    return _Wave(items, futures)


def _analyses(store: Any, wave: _Wave, config: MatchingConfig) -> dict[int, DocumentAnalysis]:
    """The wave's analyses: the workers', or computed here in the same groups."""
    if wave.analyses:
        return {a.document_id: a for f in wave.analyses for a in f.result()}
    out: dict[int, DocumentAnalysis] = {}
    for part in chunks([d.id for d in wave.items], ANALYSIS_CHUNK):
        docs = store.get_documents(part)
        out.update((a.document_id, a) for a in analyse_documents([(i, docs[i]) for i in part if i in docs], config))
    return out


def _finish_wave(store: Any, pool: WorkerPool | None, wave: _Wave, config: MatchingConfig, version: int,
                 report: DrainReport, memo: FeatureMemo | None = None) -> None:
    """Index, match and mark one wave. In-process: one transaction. With workers: the
    index commits first, the workers match against it, then the matches, alerts and
    processed marks commit together (a crash in between leaves the wave in the backlog).
    ``memo``: the drain's ``FeatureMemo``, for matching in this process."""
    analyses = _analyses(store, wave, config)
    with store.atomic():
        valid = store.still_pending(wave.items, version)
        batch = index_documents(store, [d.id for d in valid], analyses=analyses)
        _store_vectors(store, batch.done, analyses, config)
        if pool is None or not batch.done:
            new_pairs = (match_documents(store, batch.done, config, indexed=batch.indexed, embedded=True, memo=memo)
                         if batch.done else [])
            _conclude(store, valid, batch.report, new_pairs, version, report)
            report.skipped += len(wave.items) - len(valid)
            return
    futures = [pool.submit(match_chunk, str(store.path), part, config, {i: batch.indexed[i] for i in part},
                           urgent=True)
               for part in _split(batch.done, pool.workers)]
    replacements = [r for f in futures for r in f.result()]
    with store.atomic():
        still = store.still_pending(valid, version)
        _conclude(store, still, batch.report, _replay(store, replacements), version, report)
    report.skipped += len(wave.items) - len(still)


def _split(seq: list[Any], parts: int) -> list[list[Any]]:
    return chunks(seq, -(-len(seq) // max(1, parts)))


def _store_vectors(store: Any, done: list[int], analyses: dict[int, DocumentAnalysis], config: MatchingConfig) -> None:
    """Store the vectors the analysis computed, once, before the wave is matched (documents
    without one, should embedding have failed, are embedded by matching)."""
    embedder = embedder_for(config)
    if embedder is None:
        return
    rows = [(i, *emb) for i in done if (emb := analyses[i].embedding if i in analyses else None) is not None]
    if rows:
        store.set_document_embeddings(embedder.name, rows)


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
    refresh_after_withdrawals(store)
    store.mark_processed([d.id for d in valid], version, indexed.errors)


def warm_up(store: Any, version: int, config: MatchingConfig) -> None:
    """Load detection's and matching's lexicons, gazetteer and embedding model here before
    workers fork from this process, so that each does not load its own.

    The embedding model loads in a thread meanwhile: inflating its table (~0.15 s of the
    ~0.6 s start) lets go of the GIL, so it overlaps the lexicons' and the gazetteer's build
    (issue 16: a start is part of every import's time). The thread is joined before this
    returns: no thread runs when the workers fork. Should it fail, the analysis below loads
    the model again and reports the failure as it always did."""
    embedder = embedder_for(config)
    loader = threading.Thread(target=_load_quietly, args=(embedder,), name="warm-up-embedder",
                              daemon=True) if embedder is not None else None
    if loader is not None:
        loader.start()
    try:
        first = store.pending_documents(version, 1)
        doc = store.get_document(first[0].id) if first else None
        if doc is not None:
            analyse_documents([(first[0].id, doc)], config)
    finally:
        if loader is not None:
            loader.join()


def _load_quietly(embedder: Any) -> None:
    """``embedder.load()``, a failure left to the next use (which raises or logs it there)."""
    try:
        embedder.load()
    except Exception:  # noqa: BLE001 - reported by the analysis that uses the model
        pass


def _replay(store: Any, replacements: Replacements) -> list[tuple[int, int]]:
    """Write the workers' match replacements for a wave; return the new pairs.

    ``match_documents`` over a whole wave first replaces each of its denials' matches
    (against candidates, a capped list), then the matches of its documents as reports
    (against every denial around them). Replaying every worker's denial replacements
    before any report replacement gives the same rows as that one call. A withdrawal (a
    match stored before the wave that one of its denials rivals) is the same in every worker
    that makes it, and no worker stores that pair again, so its place in the order does not matter.
    """
    new_pairs: set[tuple[int, int]] = set()
    ordered = [r for r in replacements if not r[1]] + [r for r in replacements if r[1]]
    for denial_ids, report_ids, matches, withdraw in ordered:
        new_pairs.update(store.replace_matches(denial_ids=denial_ids, report_ids=report_ids, matches=matches,
                                               withdraw=withdraw))
    return sorted(new_pairs)


def _add(report: DrainReport, r: Any) -> None:
    report.documents += r.documents
    report.denials += r.denials
    report.matches += r.matches
    report.alerts += r.alerts
    report.events += r.events
    report.failed += r.failed
