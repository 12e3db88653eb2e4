"""Matching's per-pair Python alone: CPU microseconds a candidate pair (issue 16).

    .venv/bin/python bench/pair_cost.py [--docs 2000] [--passes 7]

Runs ``bench/drain_cost.py``'s drain once while recording every ``pair_features`` call
matching makes, then replays them ``--passes`` times: ``pair_features`` with the scorer's
``contributions`` and ``probability_of`` (what every candidate pair that survives
``early_exclusion`` costs), then ``score_parts`` and ``contributions`` alone. Prints the
median CPU time a pair of each. A drain's CPU moves by ±5 % on a shared machine, more
than a change to this code saves; a replay of the same pairs shows it. As with
``drain_cost.py``, each checkout's copy measures that checkout's ``monitor``, so an A/B
is one line each.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import drain_cost  # noqa: E402

import monitor.match.linking as linking  # noqa: E402
from monitor.match.learned import LearnedScorer, pair_features  # noqa: E402
from monitor.match.scoring import score_parts  # noqa: E402

Call = tuple[tuple[Any, ...], dict[str, Any]]


def recorded_calls(docs: int) -> list[Call]:
    """The arguments of every ``pair_features`` call of a 1-worker drain of ``docs`` documents."""
    calls: list[Call] = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return pair_features(*args, **kwargs)

    linking.pair_features = recording
    argv = sys.argv
    try:
        sys.argv = ["drain_cost.py", "--docs", str(docs)]
        with contextlib.redirect_stdout(io.StringIO()):
            drain_cost.main()
    finally:
        linking.pair_features, sys.argv = pair_features, argv
    return calls


def median_us(work: Callable[[], None], n: int, passes: int) -> float:
    """Median CPU microseconds per item of ``work`` (which handles ``n`` items) over ``passes`` runs."""
    times = []
    for _ in range(passes):
        start = time.process_time()
        work()
        times.append((time.process_time() - start) / n * 1e6)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--passes", type=int, default=7)
    args = ap.parse_args()
    calls = recorded_calls(args.docs)
    if not calls:
        print("no pair was scored")
        return 1
    scorer = LearnedScorer.load()

    def full() -> None:
        for a, k in calls:
            features, _ = pair_features(*a, **k)
            scorer.probability_of(scorer.contributions(features), lang=a[0].lang)

    def hand() -> None:
        for a, k in calls:
            score_parts(a[0], a[1], report_id=k["report_id"], report_has_lead_denial=k["lead_denial"],
                        report_source_outlets=k["source_outlets"], config=k["config"])

    features = [pair_features(*a, **k)[0] for a, k in calls]

    def dot() -> None:
        for f in features:
            scorer.contributions(f)

    n, passes = len(calls), args.passes
    print(f"RESULT {ROOT.name} pairs={n} us_pair={median_us(full, n, passes):.2f} "
          f"score_parts={median_us(hand, n, passes):.2f} contributions={median_us(dot, n, passes):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
