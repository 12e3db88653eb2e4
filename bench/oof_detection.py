"""Out-of-fold denial detection for the matching CV (``bench/evaluate.py --oof-detection``).

Why: the shipped learned detector (``detector.json``) is fitted on the pool's statements and
gold denial documents, so when ``bench/evaluate.py`` imports the pool with it, detection is
in-sample for exactly the documents matching is judged on, and any change to the learned
stage looks better in matching than it is. Here every document of the pool is detected
with a model fitted WITHOUT its case group (the groups and the inner-CV threshold of
``bench/detection_cv.py``); documents in no labelled group (never trained on) get the
shipped model. The rules are the same for all.

``oof_import_pairs`` is ``monitor.evaluate.pairs.import_pairs`` with those denials handed
to the pipeline as precomputed analyses (the route the backlog's workers use), so
indexing and matching run exactly as ``monitor import`` runs them.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.detection_cv import MIN_PRECISION, build, extra_rows, fit_with_threshold  # noqa: E402
from monitor.detect.denials import detect_denials  # noqa: E402
from monitor.detect.learned import FEATURE_NAMES, DetectorModel, load_detector  # noqa: E402
from monitor.evaluate.pairs import import_pairs  # noqa: E402
from monitor.match.linking import index_document  # noqa: E402
from monitor.match.scoring import MatchingConfig  # noqa: E402
from monitor.models import Document  # noqa: E402
from monitor.timeutil import format_timestamp  # noqa: E402


def oof_models(data: Path, *, extras: bool = True, threshold: float | None = None) -> dict[str, DetectorModel]:
    """URL -> the detector fitted without that document's case group (as detection_cv does);
    ``threshold``: a fixed one instead of the inner-CV choice (``detection_cv.py --threshold``)."""
    t0 = time.perf_counter()
    everything = build(data)
    rows = [r for r in everything if r["origin"] != "unlabelled"]
    negatives = extra_rows() if extras else []
    args = argparse.Namespace(C=0.3, no_terms=False, train_on="all", min_precision=MIN_PRECISION,
                              threshold=threshold)
    models: dict[str, DetectorModel] = {}
    for g in sorted({r["group"] for r in rows}):
        models[g], _ = fit_with_threshold([r for r in rows + negatives if r["group"] != g], args, list(FEATURE_NAMES))
    print(f"out-of-fold detectors: {len(models)} groups ({time.perf_counter() - t0:.1f}s)", file=sys.stderr)
    return {r["url"]: models[r["group"]] for r in everything if r["group"] in models}


@dataclass
class _Detected:
    """A document's denials computed here, written by the pipeline as a worker's would be."""

    doc_id: int
    doc: Document
    denials: list[Any]

    def write_index(self, store: Any, denial_ids: list[int]) -> tuple[dict[str, Any], bool]:
        return index_document(store, self.doc_id, self.doc, format_timestamp(self.doc.published),
                              list(zip(denial_ids, self.denials)))


def oof_import_pairs(db_path: Path, records: Sequence[dict[str, Any]], seed: int, config: MatchingConfig,
                     models: dict[str, DetectorModel], *, detected: set[str] | None = None) -> list[dict[str, Any]]:
    """``import_pairs`` with each document detected by its out-of-fold model (``models``)."""
    shipped = load_detector()

    def analyze(store: Any, ids: list[int]) -> dict[int, _Detected]:
        docs = store.get_documents(ids)
        return {i: _Detected(i, d, detect_denials(d, detector=models.get(d.url, shipped))) for i, d in docs.items()}

    return import_pairs(db_path, records, seed, config, detected=detected, analyze=analyze)
