"""Fitting the learned pair scorer and judging it by leave-one-case-out cross-validation.

Its job (issue 15): from labelled pairs (the pair table of an archive, labelled by gold
lines of ``case``, ``denial_url``, ``contradicts``, ``not_contradicts`` — the shared pool
format and analysts' exported feedback alike) fit a logistic regression (scikit-learn,
``class_weight="balanced"``, standardised features), choose the threshold that keeps
pair precision >= 0.90, and export it as the weights document ``monitor.match.learned``
reads. ``group_cases`` puts cases that share documents in one group, so a case's
documents never train the model that judges it.

scikit-learn is needed only here (the ``train`` extra), never at runtime. It must not
touch the archive; callers pass pair tables and gold records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from monitor.errors import ConfigError
from monitor.match.learned import FEATURE_NAMES, LearnedScorer

__all__ = ["GoldLabels", "choose_threshold", "fit_scorer", "group_cases", "pair_precision_recall"]


@dataclass
class GoldLabels:
    """Gold lines indexed for labelling pairs by the judge's rules."""

    denial_docs: dict[str, set[str]]
    contradicts: dict[str, set[str]]
    members: dict[str, set[str]]

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, origin: str = "<labels>") -> "GoldLabels":
        g = cls({}, {}, {})
        for n, r in enumerate(records, 1):
            if not isinstance(r, Mapping) or not r.get("denial_url"):
                raise ConfigError(f"{origin}: line {n}: a label line needs 'denial_url'")
            case = str(r.get("case") or r["denial_url"])
            g.denial_docs.setdefault(case, set()).add(r["denial_url"])
            g.contradicts.setdefault(case, set()).update(r.get("contradicts") or ())
            m = g.members.setdefault(case, set())
            m.add(r["denial_url"])
            m.update(r.get("contradicts") or ())
            m.update(r.get("not_contradicts") or ())
        return g

    def label(self, denial_url: str, report_url: str) -> int | None:
        """1 a gold pair, 0 a wrong one, None when the judge ignores it (or it is unlabelled)."""
        for c, denials in self.denial_docs.items():
            if denial_url in denials and report_url in self.contradicts[c]:
                return 1
        for c, members in self.members.items():
            if denial_url in members and report_url in self.contradicts[c]:
                return None
        return 0


def group_cases(members: Mapping[str, set[str]]) -> dict[str, str]:
    """Case -> group name: cases sharing any document are one group (union-find)."""
    parent = {c: c for c in members}

    def find(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    owner: dict[str, str] = {}
    for c in sorted(members):
        for url in members[c]:
            if url in owner:
                a, b = find(owner[url]), find(c)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[url] = c
    return {c: find(c) for c in members}


def pair_precision_recall(pairs: Sequence[tuple[str, str]], probs: np.ndarray, labels: Sequence[int],
                          threshold: float) -> tuple[float, float]:
    """Document-pair precision and recall at ``threshold`` (a pair's score is its best denial row)."""
    best: dict[tuple[str, str], tuple[float, int]] = {}
    for p, pr, y in zip(pairs, probs, labels):
        if p not in best or pr > best[p][0]:
            best[p] = (float(pr), int(y))
    tp = sum(1 for s, y in best.values() if s >= threshold and y == 1)
    fp = sum(1 for s, y in best.values() if s >= threshold and y == 0)
    pos = sum(1 for _, y in best.values() if y == 1)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / pos if pos else 0.0)


def choose_threshold(pairs: Sequence[tuple[str, str]], probs: np.ndarray, labels: Sequence[int], *,
                     min_precision: float = 0.90) -> float:
    """The lowest threshold whose pair precision reaches ``min_precision`` (most recall at that precision);
    when no threshold reaches it, the one of the best F1."""
    best_f1, best_t = -1.0, 0.5
    for t in np.round(np.arange(0.05, 0.995, 0.01), 2):
        p, r = pair_precision_recall(pairs, probs, labels, float(t))
        if p >= min_precision:
            return float(t)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best_f1:
            best_f1, best_t = f1, float(t)
    # the precision is out of reach: the threshold of the best F1 instead (reported as such)
    return best_t


def fit_scorer(X: np.ndarray, y: np.ndarray, names: Sequence[str], *, threshold: float, C: float = 1.0,
               meta: Mapping[str, Any] | None = None) -> LearnedScorer:
    """A logistic regression on standardised ``X`` (balanced classes), as a ``LearnedScorer``."""
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
    except ImportError as exc:
        raise ConfigError("training needs scikit-learn: pip install 'statement-monitor[train]'") from exc
    unknown = [n for n in names if n not in FEATURE_NAMES]
    if unknown:
        raise ConfigError(f"unknown feature {unknown[0]!r}")
    if len(set(int(v) for v in y)) < 2:
        raise ConfigError("training needs both contradicted and not-contradicted pairs")
    scaler = StandardScaler().fit(X)
    scale = [float(s) if s > 0 and math.isfinite(s) else 1.0 for s in scaler.scale_]
    Xs = (X - scaler.mean_) / np.asarray(scale)
    lr = LogisticRegression(class_weight="balanced", C=C, max_iter=2000, random_state=0).fit(Xs, y)
    return LearnedScorer(features=tuple(names), mean=tuple(float(m) for m in scaler.mean_), scale=tuple(scale),
                         coef=tuple(float(c) for c in lr.coef_[0]), intercept=float(lr.intercept_[0]),
                         threshold=float(threshold), meta=dict(meta or {}))


def predict(scorer: LearnedScorer, X: np.ndarray) -> np.ndarray:
    """Probabilities for the rows of ``X`` (columns in ``scorer.features`` order), vectorised."""
    z = scorer.intercept + ((X - np.asarray(scorer.mean)) / np.asarray(scorer.scale)) @ np.asarray(scorer.coef)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))
