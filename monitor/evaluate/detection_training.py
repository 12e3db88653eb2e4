"""Fitting the learned denial stage (``monitor.detect.learned``) from labelled documents.

Its job: turn documents' pooled candidate vectors into a design matrix (named features
plus hashed terms, sparse), fit a logistic regression (scikit-learn, L2, deterministic
solver), and choose the threshold at which rules-or-model keeps a precision target on
out-of-fold predictions. ``bench/detection_cv.py`` runs it under leave-one-case-out
cross-validation and writes the shipped ``detector.json``.

scikit-learn is needed only here (the ``train`` extra), never at runtime. It must not
read files or the archive: callers pass vectors and labels.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from monitor.detect.learned import FEATURE_NAMES, N_BUCKETS, DetectorModel
from monitor.errors import ConfigError

__all__ = ["Pooled", "choose_detector_threshold", "design_matrix", "fit_detector", "predict_detector"]

#: A document's pooled candidates: (named features, hashed terms); no candidate: ({}, set()).
Pooled = tuple[Mapping[str, float], set[int]]


def design_matrix(docs: Sequence[Pooled], names: Sequence[str], *, terms: bool = True) -> Any:
    """A sparse matrix: one row per document, ``names`` then (with ``terms``) the buckets."""
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    width = len(names) + (N_BUCKETS if terms else 0)
    for r, (named, hashed) in enumerate(docs):
        for c, n in enumerate(names):
            v = float(named.get(n, 0.0))
            if v:
                rows.append(r)
                cols.append(c)
                vals.append(v)
        if terms:
            for t in sorted(hashed):
                rows.append(r)
                cols.append(len(names) + t)
                vals.append(1.0)
    return csr_matrix((vals, (rows, cols)), shape=(len(docs), width))


def fit_detector(docs: Sequence[Pooled], labels: Sequence[int], *, names: Sequence[str] = FEATURE_NAMES,
                 terms: bool = True, C: float = 0.3, threshold: float = 0.5,
                 meta: Mapping[str, Any] | None = None) -> DetectorModel:
    """A logistic regression on the documents' pooled vectors (balanced classes), as weights."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise ConfigError("training needs scikit-learn: pip install 'statement-monitor[train]'") from exc
    unknown = [n for n in names if n not in FEATURE_NAMES]
    if unknown:
        raise ConfigError(f"unknown detector feature {unknown[0]!r}")
    y = np.asarray([int(v) for v in labels])
    if len(set(y.tolist())) < 2:
        raise ConfigError("training the detector needs documents with and without a denial")
    X = design_matrix(docs, names, terms=terms)
    lr = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=5000, random_state=0).fit(X, y)
    coef = lr.coef_[0]
    buckets = {t: float(coef[len(names) + t]) for t in range(N_BUCKETS) if terms and abs(coef[len(names) + t]) > 1e-6}
    return DetectorModel(tuple(names), tuple(float(c) for c in coef[: len(names)]), buckets,
                         float(lr.intercept_[0]), float(threshold), dict(meta or {}))


def predict_detector(model: DetectorModel, docs: Sequence[Pooled]) -> np.ndarray:
    """The model's probability for each document (0 for a document without candidates)."""
    return np.asarray([model.probability(named, set(hashed)) if named else 0.0 for named, hashed in docs])


def choose_detector_threshold(probs: Sequence[float], rules: Sequence[bool], labels: Sequence[int], *,
                              min_precision: float = 0.95) -> float:
    """The lowest threshold at which the documents the model ADDS (the rules found no denial
    in them) are right at ``min_precision`` or better, and at least one is; 1.01 (the model
    adds nothing) when no threshold does. Judging the additions alone keeps the model from
    spending the precision the rules earned."""
    p = np.asarray(probs, dtype=float)
    r = np.asarray(rules, dtype=bool)
    y = np.asarray(labels, dtype=int)
    best_t, best_tp = 1.01, 0
    for t in np.round(np.arange(0.99, 0.04, -0.01), 2):
        added = ~r & (p >= t)
        tp, fp = int(np.sum(added & (y == 1))), int(np.sum(added & (y == 0)))
        if tp and tp / (tp + fp) >= min_precision and tp > best_tp:
            best_t, best_tp = float(t), tp
    return best_t
