"""Experiment (issue 15, seventh session): other pair models than the shipped logistic regression, by LOCO CV.

Every variant is judged by the same leave-one-case-out CV as ``bench/evaluate.py`` (a model per
held-out case group, thresholds per denial language chosen by the inner grouped 5-fold CV of the
training folds): the logistic regression as shipped, with a floor under the standardisation scale,
with its regularisation C chosen by the inner CV, with a few interaction terms, and gradient-boosted
trees (scikit-learn). The model is swapped for this process only. Results: docs/benchmarks.md,
"Scorer, seventh session" (the logistic regression stays: nothing here beat it at the targets).

    .venv/bin/python bench/scorer_models.py --data ../shared/data [--cache FILE] [VARIANT ...]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

import evaluate as ev
from monitor.evaluate import training
from monitor.evaluate.pairs import label_rows
from monitor.match.learned import FEATURE_NAMES
from monitor.match.scoring import MatchingConfig

#: Columns the variants leave out (``--drop``; default: what ``bench/evaluate.py`` leaves out).
DROP: set[str] = set(training.DEFAULT_DROP)

Fit = Callable[[np.ndarray, np.ndarray, Sequence[str]], Callable[[np.ndarray], np.ndarray]]


def lr(C: float = 1.0, min_scale: float = 0.0) -> Fit:
    def fit(X: np.ndarray, y: np.ndarray, names: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
        from sklearn.linear_model import LogisticRegression
        mean = X.mean(axis=0)
        sd = X.std(axis=0)
        scale = np.where(sd > 0, np.maximum(sd, min_scale), 1.0)
        m = LogisticRegression(class_weight="balanced", C=C, max_iter=2000, random_state=0).fit((X - mean) / scale, y)
        return lambda Z: m.predict_proba((Z - mean) / scale)[:, 1]
    return fit


def interactions(names: Sequence[str], terms: Sequence[tuple[str, str]]) -> Callable[[np.ndarray], np.ndarray]:
    idx = {n: i for i, n in enumerate(names)}

    def expand(X: np.ndarray) -> np.ndarray:
        return np.hstack([X] + [(X[:, idx[a]] * X[:, idx[b]])[:, None] for a, b in terms])
    return expand


def lr_inter(terms: Sequence[tuple[str, str]], C: float = 1.0, min_scale: float = 0.0, extra: Sequence[str] = ()
             ) -> Fit:
    """LR on the default columns, ``extra`` columns and the products ``terms`` (of any columns)."""
    base = lr(C, min_scale)

    def fit(X: np.ndarray, y: np.ndarray, names: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
        keep = [i for i, n in enumerate(names) if n not in DROP or n in extra]
        ex = interactions(names, terms)

        def cols(Z: np.ndarray) -> np.ndarray:
            return ex(Z)[:, keep + list(range(Z.shape[1], Z.shape[1] + len(terms)))]
        f = base(cols(X), y, names)
        return lambda Z: f(cols(Z))
    return fit


def hgb(**kw: Any) -> Fit:
    def fit(X: np.ndarray, y: np.ndarray, names: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
        from sklearn.ensemble import HistGradientBoostingClassifier
        params = {"max_iter": 100, "learning_rate": 0.1, "max_depth": 3, "class_weight": "balanced",
                  "early_stopping": False, "random_state": 0, **kw}
        m = HistGradientBoostingClassifier(**params).fit(X, y)
        return lambda Z: m.predict_proba(Z)[:, 1]
    return fit


def gb(**kw: Any) -> Fit:
    def fit(X: np.ndarray, y: np.ndarray, names: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
        from sklearn.ensemble import GradientBoostingClassifier
        params = {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 2, "random_state": 0, **kw}
        w = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
        m = GradientBoostingClassifier(**params).fit(X, y, sample_weight=w)
        return lambda Z: m.predict_proba(Z)[:, 1]
    return fit


def with_columns(fit: Fit, extra: Sequence[str] = ()) -> Fit:
    """``fit`` on the default columns (all but ``DROP``) plus ``extra``."""
    def wrapped(X: np.ndarray, y: np.ndarray, names: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
        keep = [i for i, n in enumerate(names) if n not in DROP or n in extra]
        f = fit(X[:, keep], y, [names[i] for i in keep])
        return lambda Z: f(Z[:, keep])
    return wrapped


def recall_at(train: Sequence[dict[str, Any]], probs: np.ndarray, target: Any) -> float:
    """Pairs recalled at the inner thresholds for ``target``: the selection criterion of a C."""
    thr = training.choose_thresholds(train, probs, [r["y"] for r in train], target)
    t = np.array([training.threshold_of(thr, r) for r in train])
    y = np.array([r["y"] for r in train])
    return float(((probs >= t) & (y == 1)).sum() / max(1, y.sum()))


def cross_validate(rows: list[dict[str, Any]], group_urls: dict[str, set[str]], names: Sequence[str],
                   fits: Sequence[Fit], target: Any, choose: str = "recall") -> tuple[np.ndarray, np.ndarray, list]:
    """``training.cross_validate`` with any model; with several ``fits``, each fold picks the one whose
    inner-CV out-of-fold predictions score best (recall at the target, or log-loss)."""
    X = training.matrix(rows, names)
    probs = np.zeros(len(rows))
    thresholds = np.full(len(rows), 0.5)
    labelled = np.array([r["y"] is not None for r in rows], dtype=bool)
    chosen = []
    for fold in sorted({r["fold"] for r in rows if not r["fold"].startswith("extra:")}):
        held = group_urls.get(fold, set())
        test = np.array([r["fold"] == fold for r in rows], dtype=bool)
        train = labelled & np.array([r["fold"] != fold and r["denial_url"] not in held and r["report_url"] not in held
                                     for r in rows], dtype=bool)
        tr_rows = [r for r, t in zip(rows, train) if t]
        y = np.array([r["y"] for r in tr_rows])
        if len(set(y.tolist())) < 2:
            continue
        best = None
        for j, fit in enumerate(fits):
            p = training.grouped_inner_probs(tr_rows, X[train], names, fit)
            if choose == "recall":
                s = recall_at(tr_rows, p, target)
            else:
                q = np.clip(p, 1e-6, 1 - 1e-6)
                s = float(np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))
            if best is None or s > best[0]:
                best = (s, j, p)
        _, j, p = best
        chosen.append(j)
        probs[test] = fits[j](X[train], y, names)(X[test])
        thr = training.choose_thresholds(tr_rows, p, list(y), target)
        thresholds[test] = [training.threshold_of(thr, r) for r, t in zip(rows, test) if t]
    probs[np.array([training.exclusion(r["features"]) is not None for r in rows], dtype=bool)] = 0.0
    return probs, thresholds, chosen


INTER = [("cosine", "same_lang"), ("has_cosine", "same_lang"), ("headline_cue", "after"),
         ("report_denials", "after"), ("report_lead_denier", "after"), ("entities", "same_lang"),
         ("words", "same_lang")]

VARIANTS: dict[str, tuple[list[Fit], str]] = {
    "lr": ([with_columns(lr(min_scale=0.1))], ""),
    "lr no floor": ([with_columns(lr())], ""),
    "lr floor 0.1": ([with_columns(lr(min_scale=0.1))], ""),
    "lr C 0.03": ([with_columns(lr(0.03, 0.1))], ""),
    "lr C 0.1": ([with_columns(lr(0.1, 0.1))], ""),
    "lr C 0.3": ([with_columns(lr(0.3, 0.1))], ""),
    "lr floor 0.3": ([with_columns(lr(min_scale=0.3))], ""),
    "lr C inner (recall)": ([with_columns(lr(C, 0.1)) for C in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)], "recall"),
    "lr C inner (logloss)": ([with_columns(lr(C)) for C in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)], "logloss"),
    "lr floor C inner (logloss)": ([with_columns(lr(C, 0.1)) for C in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)], "logloss"),
    "lr inter": ([lr_inter(INTER, min_scale=0.1)], ""),
    "lr inter cos": ([lr_inter(INTER[:2], min_scale=0.1)], ""),
    "lr inter relay": ([lr_inter(INTER[2:5], min_scale=0.1)], ""),
    "lr inter lang": ([lr_inter(INTER[5:], min_scale=0.1)], ""),
    "hgb d3": ([with_columns(hgb())], ""),
    "hgb d2 200 lr0.05": ([with_columns(hgb(max_depth=2, max_iter=200, learning_rate=0.05))], ""),
    "hgb d3 l2": ([with_columns(hgb(l2_regularization=1.0, min_samples_leaf=40))], ""),
    "gb d2 100": ([with_columns(gb())], ""),
    "lr cos": ([with_columns(lr(min_scale=0.1), ("cosine", "has_cosine"))], ""),
    "lr cos sq": ([lr_inter([("cosine", "cosine")], min_scale=0.1, extra=("cosine", "has_cosine"))], ""),
    "lr cos sq lang": ([lr_inter([("cosine", "cosine"), ("cosine", "same_lang")], min_scale=0.1,
                                 extra=("cosine", "has_cosine"))], ""),
    "hgb d3 cos": ([with_columns(hgb(), ("cosine", "has_cosine"))], ""),
    "hgb d3 all": ([with_columns(hgb(), FEATURE_NAMES)], ""),
    "gb d2 cos": ([with_columns(gb(), ("cosine", "has_cosine"))], ""),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ev.DEFAULT_DATA)
    ap.add_argument("--cache", type=Path, default=None, help="the pair table of bench/evaluate.py --cache")
    ap.add_argument("--drop", default=",".join(training.DEFAULT_DROP),
                    help="features to leave out (default: %(default)s); the seventh session's 'old' rows: "
                         "DEFAULT_DROP less report_lead_denier, plus report_lead_spokesperson,report_lead_denier_org")
    ap.add_argument("variants", nargs="*", help="run only these (default: all)")
    args = ap.parse_args(argv)
    DROP.clear()
    DROP.update(d for d in args.drop.split(",") if d)
    if args.cache and args.cache.exists():
        rows, gold, _ = pickle.loads(args.cache.read_bytes())
    else:
        rows, gold, _ = ev.build_pairs(args.data, 1, MatchingConfig(scorer=None), extras=False)
    info = label_rows(rows, gold)
    for name, (fits, choose) in VARIANTS.items():
        if args.variants and name not in args.variants:
            continue
        names = list(FEATURE_NAMES)  # every variant picks its columns (with_columns, lr_inter)
        t0 = time.perf_counter()
        probs, thr, chosen = cross_validate(rows, info["group_urls"], names, fits, ev.MIN_PRECISION, choose or "recall")
        t = ev.score_sets(ev.predicted(rows, probs >= thr), gold)
        pick = f" picks {np.bincount(chosen, minlength=len(fits)).tolist()}" if len(fits) > 1 else ""
        print(f"{name:28} " + "; ".join(f"{lead} P {t[lead].precision:.3f} R {t[lead].recall:.3f} F1 "
                                        f"{t[lead].f1:.3f} evR {t[lead].event_recall:.3f}" for lead in ("en", "ru"))
              + f"{pick} ({time.perf_counter() - t0:.0f}s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
