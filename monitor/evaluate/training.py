"""Fitting the learned pair scorer and judging it by leave-one-case-out cross-validation.

Its job (issue 15): from labelled pairs (the pair table of an archive, labelled by gold
lines of ``case``, ``denial_url``, ``contradicts``, ``not_contradicts`` — the shared pool
format and analysts' exported feedback alike) fit a logistic regression (scikit-learn,
``class_weight="balanced"``, standardised features), choose the threshold that keeps
pair precision >= 0.90, and export it as the weights document ``monitor.match.learned``
reads. ``group_cases`` puts cases that share documents in one group, so a case's
documents never train the model that judges it.

scikit-learn is needed only here (the ``train`` extra), never at runtime. It must not
touch the archive; callers pass pair tables and gold records (``monitor.evaluate.pairs``
builds and labels them).
"""

from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from monitor.errors import ConfigError
from monitor.match.learned import FEATURE_NAMES, LearnedScorer, exclusion, threshold_group

#: A target precision: one for every pair, or per threshold group of the denial's language
#: (``learned.threshold_group``: "ru", "en"), each group's threshold chosen on its own pairs; the
#: key "*" (default: the lowest target) sets the threshold chosen on all pairs, for groups without one.
Precision = float | Mapping[str, float]

#: Features left out by default because leaving them out raised the CV figures
#: (docs/benchmarks.md): rarity in the archive (which also made a pair's score depend on
#: import order, EN F1 0.721 -> 0.742 without it) and the multilingual cosine (EN F1
#: +0.001, RU +0.030 without it; the embeddings still bring cross-language candidates).
#: ``report_lead_denier`` (any denier in the report's lead) is the union of
#: ``report_lead_spokesperson`` and ``report_lead_denier_org``, which the model reads instead
#: (seventh session: EN F1 0.716 -> 0.746, RU 0.735 -> 0.756); the exclusion rules still use it.
DEFAULT_DROP = ("rare_lead", "rare_body", "rare_share", "cosine", "has_cosine", "report_lead_denier")

#: A floor under a feature's standardisation scale: a flag set on one training pair in
#: thousands would otherwise standardise to tens of units, and one such pair would move the
#: score by several log-odds (seventh session: flag_topics_only, one pair in 5,000, +4.5).
MIN_SCALE = 0.1

__all__ = ["DEFAULT_DROP", "GoldLabels", "Precision", "choose_threshold", "choose_thresholds", "cross_validate", "fit_scorer", "group_cases", "inner_threshold", "matrix",
           "pair_precision_recall", "predict", "train_scorer"]


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


#: The thresholds ``choose_threshold`` tries, lowest first: every hundredth, and finer above
#: 0.99, where a model fitted on a crowded archive (1 % positives, balanced classes) puts its
#: best F1 (docs/benchmarks.md, "Weights for a crowded archive").
THRESHOLD_GRID = tuple(float(t) for t in np.round(np.arange(0.05, 0.995, 0.01), 2)) + (0.993, 0.996, 0.998, 0.999)


def choose_threshold(pairs: Sequence[tuple[str, str]], probs: np.ndarray, labels: Sequence[int], *,
                     min_precision: float = 0.90) -> float:
    """The lowest threshold whose pair precision reaches ``min_precision`` (most recall at that precision);
    when no threshold reaches it, the one of the best F1."""
    best_f1, best_t = -1.0, 0.5
    for t in THRESHOLD_GRID:
        p, r = pair_precision_recall(pairs, probs, labels, float(t))
        if p >= min_precision:
            return float(t)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best_f1:
            best_f1, best_t = f1, float(t)
    # the precision is out of reach: the threshold of the best F1 instead (reported as such)
    return best_t


def fit_scorer(X: np.ndarray, y: np.ndarray, names: Sequence[str], *, threshold: float, C: float = 1.0,
               meta: Mapping[str, Any] | None = None, min_scale: float = MIN_SCALE,
               class_weight: str | None = "balanced") -> LearnedScorer:
    """A logistic regression on standardised ``X``, as a ``LearnedScorer``; a feature's scale
    is at least ``min_scale`` (a constant feature's is 1). ``class_weight``: "balanced" (each
    class weighs the same) or None (each pair weighs the same)."""
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
    scale = [max(float(s), min_scale) if s > 0 and math.isfinite(s) else 1.0 for s in scaler.scale_]
    Xs = (X - scaler.mean_) / np.asarray(scale)
    lr = LogisticRegression(class_weight=class_weight, C=C, max_iter=2000, random_state=0).fit(Xs, y)
    return LearnedScorer(features=tuple(names), mean=tuple(float(m) for m in scaler.mean_), scale=tuple(scale),
                         coef=tuple(float(c) for c in lr.coef_[0]), intercept=float(lr.intercept_[0]),
                         threshold=float(threshold), meta=dict(meta or {}))


def predict(scorer: LearnedScorer, X: np.ndarray) -> np.ndarray:
    """Probabilities for the rows of ``X`` (columns in ``scorer.features`` order), vectorised."""
    z = scorer.intercept + ((X - np.asarray(scorer.mean)) / np.asarray(scorer.scale)) @ np.asarray(scorer.coef)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))


def matrix(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> np.ndarray:
    """The rows' ``features`` as a matrix, columns in ``names`` order."""
    return np.array([[r["features"][n] for n in names] for r in rows], dtype=np.float64).reshape(len(rows), len(names))


def pair_keys(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [(r["denial_url"], r["report_url"]) for r in rows]


def group_of(row: Mapping[str, Any]) -> str:
    """The threshold group of a pair row (its denial's language)."""
    return threshold_group(row.get("denial_lang"))


def choose_thresholds(rows: Sequence[Mapping[str, Any]], probs: np.ndarray, labels: Sequence[int],
                      min_precision: Precision) -> dict[str, float]:
    """``choose_threshold`` for every pair (key "*"), and, when ``min_precision`` is per group,
    for each group's pairs on their own (a group without pairs keeps the overall one)."""
    if not isinstance(min_precision, Mapping):
        return {"*": choose_threshold(pair_keys(rows), probs, labels, min_precision=min_precision)}
    overall = min_precision.get("*", min(min_precision.values()))
    out = {"*": choose_threshold(pair_keys(rows), probs, labels, min_precision=overall)}
    groups = [group_of(r) for r in rows]
    for g, target in sorted((g, t) for g, t in min_precision.items() if g != "*"):
        sel = [i for i, x in enumerate(groups) if x == g]
        if sel:
            out[g] = choose_threshold(pair_keys([rows[i] for i in sel]), probs[sel], [labels[i] for i in sel],
                                      min_precision=target)
    return out


def threshold_of(thresholds: Mapping[str, float], row: Mapping[str, Any]) -> float:
    return float(thresholds.get(group_of(row), thresholds["*"]))


def inner_threshold(train: Sequence[Mapping[str, Any]], X: np.ndarray, names: Sequence[str], *, k: int = 5,
                    C: float = 1.0, min_precision: Precision = 0.90,
                    class_weight: str | None = "balanced") -> dict[str, float]:
    """Thresholds for ``min_precision`` on grouped k-fold out-of-fold predictions of ``train``
    (rows with ``fold`` and a 0/1 ``y``): a fold's threshold never sees the held-out case.
    Keys as ``choose_thresholds``."""
    probs = grouped_inner_probs(
        train, X, names,
        lambda Xt, yt, n: lambda Z: predict(fit_scorer(Xt, yt, n, threshold=0.5, C=C, class_weight=class_weight), Z),
        k=k)
    probs[np.array([exclusion(r["features"]) is not None for r in train], dtype=bool)] = 0.0  # as at runtime
    return choose_thresholds(train, probs, [r["y"] for r in train], min_precision)


def grouped_inner_probs(train: Sequence[Mapping[str, Any]], X: np.ndarray, names: Sequence[str],
                        fit: Callable[[np.ndarray, np.ndarray, Sequence[str]], Callable[[np.ndarray], np.ndarray]],
                        *, k: int = 5) -> np.ndarray:
    """Out-of-fold probabilities of a grouped k-fold CV of ``train`` (rows with ``fold`` and a
    0/1 ``y``; whole case groups move together, in a fixed shuffled order). ``fit(X, y, names)``
    returns a predictor of probabilities; a part whose training side has one class stays 0."""
    folds = sorted({r["fold"] for r in train})
    random.Random(0).shuffle(folds)
    part = {f: i % k for i, f in enumerate(folds)}
    y = np.array([r["y"] for r in train])
    probs = np.zeros(len(train))
    for i in range(k):
        test = np.array([part[r["fold"]] == i for r in train], dtype=bool)
        if test.all() or not test.any() or len(set(y[~test])) < 2:
            continue
        probs[test] = fit(X[~test], y[~test], names)(X[test])
    return probs


def cross_validate(rows: Sequence[dict[str, Any]], group_urls: Mapping[str, set[str]], names: Sequence[str], *,
                   nested: bool = True, C: float = 1.0, train_rows: Sequence[dict[str, Any]] | None = None,
                   min_precision: Precision = 0.90,
                   class_weight: str | None = "balanced") -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities and per-pair thresholds for ``rows`` (labelled by
    ``pairs.label_rows``): one model per held-out fold, fitted on ``train_rows`` (default:
    ``rows``) less every pair touching a document of that fold's cases. Folds named
    ``extra:...`` train in every fold and are never judged. The exclusion rules
    (``learned.exclusion``) set a pair's probability to 0, as at runtime."""
    pool = rows if train_rows is None else train_rows
    X = matrix(rows, names)
    Xp = X if train_rows is None else matrix(pool, names)
    probs = np.zeros(len(rows))
    thresholds = np.full(len(rows), 0.5)
    labelled = np.array([r["y"] is not None for r in pool], dtype=bool)
    for fold in sorted({r["fold"] for r in rows if not r["fold"].startswith("extra:")}):
        held = group_urls.get(fold, set())
        test = np.array([r["fold"] == fold for r in rows], dtype=bool)
        train = labelled & np.array([r["fold"] != fold and r["denial_url"] not in held and r["report_url"] not in held
                                     for r in pool], dtype=bool)
        tr_rows = [r for r, t in zip(pool, train) if t]
        y = np.array([r["y"] for r in tr_rows])
        if len(set(y.tolist())) < 2:
            continue  # nothing to learn from without this fold: its pairs stay unmatched
        model = fit_scorer(Xp[train], y, names, threshold=0.5, C=C, class_weight=class_weight)
        probs[test] = predict(model, X[test])
        if nested:
            inner = inner_threshold(tr_rows, Xp[train], names, C=C, min_precision=min_precision,
                                    class_weight=class_weight)
            thresholds[test] = [threshold_of(inner, r) for r, t in zip(rows, test) if t]
    probs[np.array([exclusion(r["features"]) is not None for r in rows], dtype=bool)] = 0.0
    return probs, thresholds


def train_scorer(rows: Sequence[dict[str, Any]], group_urls: Mapping[str, set[str]], names: Sequence[str], *,
                 min_precision: Precision = 0.90, meta: Mapping[str, Any] | None = None,
                 oof: np.ndarray | None = None, fit_rows: Sequence[dict[str, Any]] | None = None,
                 class_weight: str | None = "balanced") -> LearnedScorer:
    """The weights to ship: fitted on every labelled row, with the threshold chosen on the
    pooled leave-one-case-out predictions (``oof``, computed here when not given) for
    ``min_precision``. ``fit_rows``: fit on these instead of ``rows`` (the threshold still
    comes from ``rows``). Deterministic for the same rows (fixed solver seed)."""
    if oof is None:
        oof, _ = cross_validate(rows, group_urls, names, min_precision=min_precision, class_weight=class_weight)
    judged = [(p, r) for p, r in zip(oof, rows) if r["y"] is not None and not r["fold"].startswith("extra:")]
    if not judged:
        raise ConfigError("training needs labelled pairs (no gold line labels any scored pair)")
    chosen = choose_thresholds([r for _, r in judged], np.array([p for p, _ in judged]),
                               [r["y"] for _, r in judged], min_precision)
    labelled = [r for r in (rows if fit_rows is None else fit_rows) if r["y"] is not None]
    model = fit_scorer(matrix(labelled, names), np.array([r["y"] for r in labelled]), names, threshold=chosen["*"],
                       class_weight=class_weight, meta={"pairs": len(labelled), "positives": int(sum(r["y"] for r in labelled)),
                             "threshold_rule": f"pooled LOCO out-of-fold precision >= {min_precision}",
                             **(meta or {})})
    groups = {g: t for g, t in chosen.items() if g != "*"}
    return dataclasses.replace(model, thresholds=groups) if groups else model
