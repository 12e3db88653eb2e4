"""Rival claims: does another denial's claim explain a report better than this one does?

In a crowded archive most wrong matches are reports on the same people about *another*
event (issue 15; docs/benchmarks.md, "Rival claims"). Such a report shares the famous names
with the claim, but also the specific terms of another denial's claim, terms this claim
lacks. Similarity to this claim alone cannot see that; the archive's other denials can.

A denial ``o`` is a rival of the pair (denial ``d``, report ``r``) when ``o`` is another
document's denial whose window holds ``r`` and the report's headline + lead share more claim
weight (``claim_rarity``) with ``o`` in terms ``d``'s claim lacks than with ``d`` in terms
``o``'s claim lacks, one of the former naming something specific. The learned scorer reads
``rival_log_n`` = log(1 + number of rivals); its weight is negative, so a rival only ever
lowers a pair's score. That is what lets matching compute it only for pairs that would
match without it, and lets a later denial take a match back without adding any
(``linking.match_documents``).

This module only counts; ``linking.PairJudge`` finds the denials around a report.
"""

from __future__ import annotations

import math
from typing import Container, Iterable, Mapping

from monitor.match.scoring import DenialProfile, has_specific_term

__all__ = ["could_rival", "rival_count", "rival_feature"]


def could_rival(own_terms: Container[str], other_terms: Iterable[str], lead_terms: frozenset[str]) -> bool:
    """Whether a denial with ``other_terms`` could be a rival at all: the report's lead names
    something specific of its claim that this claim (``own_terms``: its terms, a mapping or
    a set) lacks. Cheap: no weights."""
    return has_specific_term([t for t in other_terms if t in lead_terms and t not in own_terms])


def rival_count(denial: DenialProfile, weight: Mapping[str, float], lead_terms: frozenset[str],
                others: Iterable[tuple[DenialProfile, Mapping[str, float]]], limit: int | None = None) -> int:
    """How many of ``others`` (denials whose window holds the report, of other documents than
    the denial's and the report's) are rivals of the pair. ``weight`` is the denial's
    ``claim_rarity``; each other comes with its own ``claim_rarity`` restricted to the report's
    headline + lead terms (the same for every denial the report is paired with, so a caller
    computes it once a report). A caller with many denials around a report passes only those
    that ``could_rival``: the others cannot be rivals, and their weights need not be read.
    ``limit``: stop counting there (a caller that only needs to know whether the count
    reaches it; ``others`` is then read no further)."""
    own_terms = denial.terms
    own = [(t, w) for t, w in weight.items() if t in lead_terms]
    n = 0
    for other, in_lead in others:
        gained = [(t, w) for t, w in in_lead.items() if t not in own_terms]
        if not gained:
            continue
        terms = other.terms
        if sum([w for _, w in gained]) > sum([w for t, w in own if t not in terms]) and \
                has_specific_term([t for t, _ in gained]):
            n += 1
            if n == limit:
                break
    return n


def rival_feature(n: int) -> float:
    """The scorer's ``rival_log_n``."""
    return math.log1p(n)
