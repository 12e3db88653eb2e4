"""Experiment (issue 15, sixth session): features relative to a denial's candidate list, by LOCO CV.

Each pair gets, against the other candidates of the same denial: its rank and gap to the best
hand score, its rank and gap to the best multilingual cosine, a z-score of its hand score, and
how many candidates the denial has. They are judged by the same leave-one-case-out CV as
``bench/evaluate.py`` (per-language thresholds chosen inside the training folds). None helped
(docs/benchmarks.md, "Matching CV, sixth session"), so the runtime does not compute them; the
experiment lets the training code accept their names for this process only.

    .venv/bin/python bench/relative_features.py --data ../shared/data [--cache FILE] [VARIANT ...]
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

import evaluate as ev
from monitor.evaluate import training
from monitor.evaluate.pairs import label_rows
from monitor.match.learned import FEATURE_NAMES
from monitor.match.scoring import MatchingConfig

REL = ["rel_hand_rank", "rel_hand_gap", "rel_cos_rank", "rel_cos_gap", "rel_n_cands", "rel_hand_z"]


def add_relative(rows: list[dict[str, Any]]) -> None:
    """Write the relative features into each row's ``features`` (a denial = its set and id)."""
    by: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by[(r["set"], r["denial_id"])].append(r)
    for group in by.values():
        hs = np.array([g["features"]["hand_score"] for g in group])
        cs = np.array([g["features"]["cosine"] if g["features"]["has_cosine"] else -1.0 for g in group])
        for g, h, c in zip(group, hs, cs):
            g["features"].update({
                "rel_hand_rank": math.log1p(float((hs > h).sum())), "rel_hand_gap": float(hs.max() - h),
                "rel_cos_rank": math.log1p(float((cs > c).sum())), "rel_cos_gap": float(cs.max() - c),
                "rel_n_cands": math.log1p(len(group)), "rel_hand_z": float((h - hs.mean()) / (hs.std() + 1e-6))})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ev.DEFAULT_DATA)
    ap.add_argument("--cache", type=Path, default=None, help="the pair table of bench/evaluate.py --cache")
    ap.add_argument("variants", nargs="*", help="run only these (default: all)")
    args = ap.parse_args(argv)
    if args.cache and args.cache.exists():
        rows, gold, _ = pickle.loads(args.cache.read_bytes())
    else:
        rows, gold, _ = ev.build_pairs(args.data, 1, MatchingConfig(scorer=None), extras=False)
    add_relative(rows)
    info = label_rows(rows, gold)
    training.FEATURE_NAMES = FEATURE_NAMES + tuple(REL)  # this process only: the runtime has no such features
    base = [n for n in FEATURE_NAMES if n not in training.DEFAULT_DROP]
    variants = {"base": base, "all relative": base + REL, "hand rank + gap": base + REL[:2],
                "cosine rank + gap": base + REL[2:4], "candidate count": base + ["rel_n_cands"]}
    for name, names in variants.items():
        if args.variants and name not in args.variants:
            continue
        probs, thr = training.cross_validate(rows, info["group_urls"], names, min_precision=ev.MIN_PRECISION)
        t = ev.score_sets(ev.predicted(rows, probs >= thr), gold)
        print(f"{name:18} " + "; ".join(f"{lead} P {t[lead].precision:.3f} R {t[lead].recall:.3f} F1 "
                                        f"{t[lead].f1:.3f} event-R {t[lead].event_recall:.3f}" for lead in ("en", "ru")),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
