"""What the processing stage's worker processes run: analysis of documents, and matching.

Two kinds of task (issue 16), both free of writes to the archive so that any number of
them run beside the one writer:

- ``analyse_documents`` / ``analyse_stored``: detection, the per-document features and
  the headline + lead embedding of a group of documents. They need no archive (the
  documents are read read-only, or given); the results go back to the writer, which
  stores them with the denials' real ids.
- ``match_chunk``: ``match_documents`` for documents whose index and vectors the writer
  has committed, on a read-only connection; the match replacements it would have written
  go back to the writer to replay.

A vector's last bits depend on the texts the model embeds with it, so the documents of a
wave are analysed in fixed groups of ``ANALYSIS_CHUNK`` (the same groups in one process or
in a pool of any size): the archive does not depend on the number of workers.

It must not write to the archive (the writer, ``monitor.process.backlog``, does) nor decide
what a document yields (``detect`` and ``match`` do).
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from typing import Any, Iterator

from monitor.detect.denials import detect_denials
from monitor.match.linking import FeatureMemo, document_vectors, embedder_for, index_document, match_documents
from monitor.match.scoring import MatchingConfig
from monitor.models import Denial, Document
from monitor.pipeline import PrecomputedFailure
from monitor.store import Store
from monitor.store.analysis import EncodedJSON, encode_explanation, encode_features
from monitor.timeutil import format_timestamp

log = logging.getLogger(__name__)

__all__ = ["ANALYSIS_CHUNK", "AnalysisFailed", "DocumentAnalysis", "Replacements", "analyse_documents",
           "analyse_stored", "chunks", "match_chunk", "reading"]

#: Documents analysed (and embedded) together: one worker task. Fixed, not per worker, so
#: that the groups the model embeds, hence the vectors, are the same with any pool; large
#: enough for the model's batching (about 20 headlines fill one of its micro-batches),
#: small enough that a match task never waits long behind one.
ANALYSIS_CHUNK = 40

#: per ``match_documents`` replacement: (denial ids, report ids, matches with their explanations encoded)
Replacements = list[tuple[list[int], list[int], list[tuple[int, int, float, EncodedJSON]], list[tuple[int, int]]]]


class AnalysisFailed(PrecomputedFailure):
    """A worker could not analyse a document; the message is the original error."""


def chunks(seq: list[Any], size: int) -> list[list[Any]]:
    """``seq`` cut into consecutive pieces of ``size`` (the last one shorter)."""
    return [seq[i : i + size] for i in range(0, len(seq), max(1, size))]


class IndexRecorder:
    """Stands in for the store inside a worker: keeps what ``index_document`` writes.

    Denials have no ids yet in a worker (the writer assigns them); the k-th denial is
    passed as ``-(k + 1)`` and mapped back when the writer replays the writes.
    """

    def __init__(self) -> None:
        self.profiles: list[tuple[int, dict[str, Any]]] = []
        self.index: tuple[str, list[str], EncodedJSON, bool] | None = None

    def set_denial_profile(self, denial_id: int, profile: dict[str, Any]) -> None:
        self.profiles.append((-denial_id - 1, profile))

    def replace_document_index(self, document_id: int, published: str, terms: Any,
                               features: dict[str, Any], lead_denial: bool) -> None:
        # serialised here, in the worker, not by the single writer
        self.index = (published, list(terms), encode_features(features), lead_denial)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"index_document used store.{name} in a worker process, which has no archive: "
                             "it may only write (set_denial_profile, replace_document_index)")


@dataclass(frozen=True)
class DocumentAnalysis:
    """What a worker computed for one document: its denials, its index writes, its vector."""

    document_id: int
    detected: tuple[Denial, ...] | None
    profiles: tuple[tuple[int, dict[str, Any]], ...] = ()
    index: tuple[str, list[str], EncodedJSON, bool] | None = None
    result: tuple[dict[str, Any], bool] | None = None
    error: str | None = None
    #: (published, vector bytes) of the embedder the config names, or None (no embedder, or it failed)
    embedding: tuple[str, bytes] | None = None

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
    """Detection and index of one document, without the archive."""
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


def analyse_documents(docs: list[tuple[int, Document]], config: MatchingConfig) -> list[DocumentAnalysis]:
    """``analyse_document`` over a group, and the group's vectors embedded in one call.

    An embedding failure costs the group its vectors only: matching embeds documents it
    finds without one (``PairJudge.vectors_of``)."""
    out = [analyse_document(doc_id, doc) for doc_id, doc in docs]
    embedder = embedder_for(config)
    if embedder is None or not docs:
        return out
    try:
        rows = document_vectors(embedder, docs)
    except Exception as exc:
        log.warning("embedding failed documents=%d error=%s: %s", len(docs), type(exc).__name__, exc)
        return out
    return [DocumentAnalysis(a.document_id, a.detected, a.profiles, a.index, a.result, a.error, (published, blob))
            for a, (_, published, blob) in zip(out, rows)]


def analyse_stored(db_path: str, document_ids: list[int], config: MatchingConfig) -> list[DocumentAnalysis]:
    """``analyse_documents`` of stored documents, read here on a read-only connection (a
    worker's task: the writer neither reads nor pickles their texts). A document gone
    meanwhile is left out; one changed meanwhile is dropped by the writer (``still_pending``)."""
    with reading(db_path) as reader:
        docs = reader.get_documents(document_ids)
    return analyse_documents([(i, docs[i]) for i in document_ids if i in docs], config)


@dataclass
class _KeptReader:
    path: str
    #: (device, inode) of the file opened: another file at the same path is another archive
    identity: tuple[int, int] | None
    pid: int
    store: Store
    #: the archive's schema cookie when opened: a migration meanwhile (which ``Store`` objects
    #: read once, e.g. the documents' columns) means a fresh connection
    schema: int = 0


#: This process's read-only connection, kept across its tasks (``reading``)
_READER: _KeptReader | None = None
#: Connections inherited through a fork: never used nor closed in the child (SQLite forbids
#: using a connection across a fork, and closing it could touch the parent's WAL files)
_INHERITED: list[_KeptReader] = []


def _identity(db_path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(db_path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _schema_cookie(store: Store) -> int:
    return int(store.db.execute("PRAGMA schema_version").fetchone()[0])


@contextlib.contextmanager
def reading(db_path: str) -> Iterator[Store]:
    """A read-only connection to the archive at ``db_path``, kept for this process's next tasks.

    Why: a worker opened one for every task (70 a 2,000-document drain), and opening costs
    ~0.9 CPU ms (the connection, WAL mode, the schema, the documents' columns), about 1 % of
    the workers' CPU (issue 16). Kept, it still reads the latest commit at each statement: it
    holds no transaction between tasks (one left open is rolled back). It is reopened for
    another path or another file at the same path, after a change of the archive's schema, in
    a forked child, and after a task that failed (its state unknown). One task at a time per
    process, as a worker runs them."""
    global _READER
    identity = _identity(db_path)
    kept = _READER
    if kept is not None and kept.pid != os.getpid():
        _INHERITED.append(kept)
        kept = _READER = None
    if (kept is None or kept.path != db_path or kept.identity != identity or identity is None
            or _schema_cookie(kept.store) != kept.schema):
        if kept is not None:
            kept.store.close()
        _READER = None
        store = Store.open(db_path, read_only=True)
        kept = _READER = _KeptReader(db_path, identity, os.getpid(), store, _schema_cookie(store))
    try:
        yield kept.store
    except BaseException:
        _READER = None
        kept.store.close()
        raise
    if kept.store.db.conn.in_transaction:
        kept.store.db.conn.rollback()


class MatchRecorder:
    """Stands in for the store inside a worker: reads through a read-only connection and
    keeps the match replacements ``match_documents`` makes, for the writer to replay."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.replacements: Replacements = []

    def replace_matches(self, *, denial_ids: Any = (), report_ids: Any = (), matches: Any = (),
                        withdraw: Any = ()) -> list[tuple[int, int]]:
        # explanations serialised here, in the worker, not by the single writer
        self.replacements.append((list(denial_ids), list(report_ids),
                                  [(d, r, score, encode_explanation(expl)) for d, r, score, expl in matches],
                                  list(withdraw)))
        return []  # which pairs are new, the writer learns when it replays them

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reader, name)


def match_chunk(db_path: str, document_ids: list[int], config: MatchingConfig,
                indexed: dict[int, tuple[dict[str, Any], bool]] | None = None) -> Replacements:
    """``match_documents`` for documents whose index and vectors are committed, reading the
    archive read-only; returns the match replacements to replay. ``indexed``: the documents'
    features as the writer stored them (passed, not read back)."""
    with reading(db_path) as reader:
        recorder = MatchRecorder(reader)
        match_documents(recorder, document_ids, config, indexed=indexed, embedded=True, memo=_WORKER_MEMO)
        return recorder.replacements


#: This worker's ``FeatureMemo``, kept across its match tasks: consecutive waves read the
#: same reports again, as in one process (where ``drain_backlog`` keeps one a drain).
#: Keyed by the stored features' text, so a task never reads another archive's or an older
#: version's entry as its own; smaller than a drain's (~11 KB a document) because a pool
#: outlives its drains in the daemon.
_WORKER_MEMO = FeatureMemo(limit=2048)
