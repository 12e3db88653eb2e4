"""What happens to every new or changed document, crawled or imported.

Detect denials in it, index its matching features, then link denials to reports in
both directions (its denials against earlier and later reports in the window; the
document as a report against denials in the window), group denials into events and
queue alerts. Called inside the transaction that stored the documents, so a document
and everything derived from it commit together. A failure on one document is logged
with its URL and does not lose the others.

Order-independence: a pair's score depends only on the two documents, both sides are
re-evaluated whenever either changes, and events are recomputed as connected
components around the changed denials, so the same documents give the same matches
and events whatever order they arrive in, and re-running changes nothing.

It must not run SQL itself (``store`` does), score pairs (``match.linking`` and ``match.scoring``
do) or group events (``match.clustering`` does): it calls the stages in order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable

from monitor.detect.denials import detect_denials
from monitor.match.clustering import recluster
from monitor.match.linking import index_document, match_documents
from monitor.match.scoring import MatchingConfig
from monitor.timeutil import format_timestamp

log = logging.getLogger(__name__)


@dataclass
class ProcessingReport:
    documents: int = 0
    denials: int = 0
    matches: int = 0
    alerts: int = 0
    failed: int = 0
    events: int = 0


def process_documents(store: Any, document_ids: Iterable[int], *, queue_alerts: bool = False,
                      config: MatchingConfig | None = None) -> ProcessingReport:
    """Detect, index, match and cluster the given documents; return counts."""
    config = config or MatchingConfig()
    report = ProcessingReport()
    ids = list(dict.fromkeys(document_ids))
    if not ids:
        return report
    docs = store.get_documents(ids)
    done: list[int] = []
    indexed: dict[int, tuple[dict[str, Any], bool]] = {}
    previous = store.denials_of(ids)
    old_events = {int(r["event_id"]) for r in previous if r["event_id"] is not None}
    # A document with no denials before or now has nothing to replace.
    had_denials = {int(r["document_id"]) for r in previous}
    for doc_id in ids:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        report.documents += 1
        try:
            denials = detect_denials(doc)
        except Exception:  # a detector bug must not lose the document
            log.exception("detection failed url=%s", doc.url)
            report.failed += 1
            continue
        published = format_timestamp(doc.published)
        denial_ids = store.replace_denials(doc_id, published, denials) if denials or doc_id in had_denials else []
        report.denials += len(denials)
        try:
            indexed[doc_id] = index_document(store, doc_id, doc, published, list(zip(denial_ids, denials)))
        except Exception:
            log.exception("indexing failed url=%s", doc.url)
            report.failed += 1
            continue
        done.append(doc_id)
    if not done:
        return report
    new_pairs = match_documents(store, done, config, indexed=indexed)
    report.matches += len(new_pairs)
    touched = recluster(store, done, old_events)
    report.events = len(touched)
    if queue_alerts:
        gained = {int(r["event_id"]) for r in store.denials_of_ids([d for d, _ in new_pairs])
                  if r["event_id"] is not None}
        report.alerts += _queue_alerts(store, sorted(gained))
    return report


def _queue_alerts(store: Any, event_ids: list[int]) -> int:
    if not event_ids:
        return 0
    try:
        from monitor.alerts.delivery import queue_event_alerts
    except ImportError:
        return 0
    return int(queue_event_alerts(store, event_ids))


def rematch_archive(store: Any, since: str | None = None, *, batch_size: int = 500,
                    config: MatchingConfig | None = None) -> ProcessingReport:
    """Re-run detection and matching over documents published at or after ``since``.

    Idempotent (the same archive gives the same denials, matches and events), one
    transaction per batch; never queues alerts (re-running is not news).
    """
    total = ProcessingReport()
    ids = store.document_ids_since(since)
    for start in range(0, len(ids), batch_size):
        with store.atomic():
            r = process_documents(store, ids[start : start + batch_size], queue_alerts=False, config=config)
        for name in ("documents", "denials", "matches", "failed", "events"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    return total
