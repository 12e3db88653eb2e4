"""Prototype (issue 15, fourteenth session): does a report of THIS claim differ from a report
on the same people about another event by how the terms it shares are spread over the
archive's other denials?

Two steps, both on ``bench/evaluate.py``'s pair tables:

    .venv/bin/python bench/rival_claims.py build --data /work/shared/data --cache FILE
        builds the sparse table (FILE) and the dense one (FILE.dense.pkl) with main's features,
        each row also carrying what the prototypes read: the denial's claim weights
        (``claim_rarity``), its document, and the report's headline + lead terms.
    .venv/bin/python bench/rival_claims.py run --cache FILE --variant NAME [evaluate.py flags]
        adds the variant's columns to every row (sparse and dense alike), writes the tables
        to FILE.NAME (+ .dense.pkl) and runs ``evaluate.main`` on them with the columns as
        features (or, for a ``rule:`` variant, as an exclusion rule).

A row's rivals are the other denials (of other documents) whose pairs include the same
report: the denials in whose window the report lies and with which it shares a term; a rival
counts when the report shares more claim weight with it, in terms this denial lacks, than
with this denial in terms it lacks. The pair table is read from the finished archive, where
every denial is present; a daemon scores a pair once, when its later document arrives. The
``rival_causal*`` columns count only the denials published by then, and ``run ... --first-pass``
judges the dense pairs by those values while fitting on the finished-archive ones: what a
model fitted on the table would do to a crowded archive's first verdicts (docs/benchmarks.md,
"Rival claims").
"""

from __future__ import annotations

import math
import pickle
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import evaluate
from monitor.evaluate import pairs as pairs_module, training
from monitor.match import learned, linking
from monitor.match.scoring import has_specific_term


def augmented_pair_table(store: Any, config: Any) -> list[dict[str, Any]]:
    """``linking.pair_table`` with the claim weights and the report's lead terms kept on each row."""
    judge = linking.PairJudge(store, config, learned=True)
    judge.n_docs = store.count_indexed_documents()
    urls = store.document_urls()
    out: list[dict[str, Any]] = []
    for row, profile, rid in linking.window_pairs(store, judge):
        got = judge.pair(profile, rid)
        if got is None:
            continue
        f = judge.feats[rid][0]
        own = judge.feats.get(profile.document_id)
        out.append({"denial_id": int(row["id"]), "denial_url": urls[row["document_id"]],
                    "report_url": urls[rid], "denial_lang": profile.lang or "", "features": got[0],
                    "claim_weight": dict(judge.rarity(profile)), "lead_terms": f.lead_terms,
                    "claim_terms": frozenset(profile.terms),
                    "denial_doc_terms": own[0].body_terms if own else frozenset()})
    return out


def build(argv: list[str]) -> int:
    linking.pair_table = augmented_pair_table
    pairs_module.pair_table = augmented_pair_table
    rc = evaluate.main([*argv, "--no-detection"])
    if rc:
        return rc
    return evaluate.main([*argv, "--no-detection", "--train-on", "sparse", "--judge-on", "dense"])


def shared(row: dict[str, Any]) -> dict[str, float]:
    """The claim's weighted terms found in the report's headline and lead."""
    lead = row["lead_terms"]
    return {t: w for t, w in row["claim_weight"].items() if t in lead}


def add_columns(rows: list[dict[str, Any]]) -> None:
    """Every prototype column, on every row (the variants pick among them)."""
    by_report: dict[str, list[dict[str, Any]]] = defaultdict(list)
    # each document's own denials (claim weights and terms), by (set, document url): a report
    # that itself relays a denial of another claim has that claim as a rival from the start
    own_denials: dict[tuple[str, str], dict[int, tuple[dict[str, float], frozenset[str]]]] = defaultdict(dict)
    for r in rows:
        r["_shared"] = shared(r)
        by_report[(r.get("set", ""), r["report_url"])].append(r)
        own_denials[(r.get("set", ""), r["denial_url"])][r["denial_id"]] = (r["claim_weight"], r["claim_terms"])
    for group in by_report.values():
        for r in group:
            own = r["_shared"]
            own_total = sum(own.values())
            margin = 0.0
            causal = 0.0
            n_rivals = 0
            n_causal = 0
            # the denials an in-order archive holds when this pair is scored: published no
            # later than the denial or the report, whichever came last ("days" > 0: report first)
            known_by = max(r["features"]["days"], 0.0)
            # how many other denial documents share each of this pair's shared terms
            spread: dict[str, set[str]] = defaultdict(set)
            for o in group:
                if o["denial_url"] == r["denial_url"]:
                    continue
                other = o["_shared"]
                for t in other:
                    if t in own:
                        spread[t].add(o["denial_url"])
                # what the report shares with the other claim that this claim lacks, against
                # what it shares with this claim that the other lacks
                gain_other = sum(w for t, w in other.items() if t not in r["claim_terms"])
                gain_own = sum(w for t, w in own.items() if t not in o["claim_terms"])
                if gain_other > gain_own and has_specific_term(frozenset(t for t in other if t not in r["claim_terms"])):
                    n_rivals += 1
                    margin = max(margin, gain_other - gain_own)
                    if o["features"]["days"] <= known_by:
                        causal = max(causal, gain_other - gain_own)
                        n_causal += 1
            n_self = 0
            for weight, terms in own_denials.get((r.get("set", ""), r["report_url"]), {}).values():
                other = {t: w for t, w in weight.items() if t in r["lead_terms"]}
                gain_other = sum(w for t, w in other.items() if t not in r["claim_terms"])
                gain_own = sum(w for t, w in own.items() if t not in terms)
                if gain_other > gain_own and has_specific_term(frozenset(t for t in other if t not in r["claim_terms"])):
                    n_self += 1
            r["features"]["rival_causal_self_log_n"] = math.log1p(n_causal + n_self)
            r["features"]["rival_self_log_n"] = math.log1p(n_rivals + n_self)
            specific = sum(w / (1.0 + len(spread[t])) for t, w in own.items())
            r["features"]["rival_margin"] = margin
            r["features"]["rival"] = 1.0 if margin > 0 else 0.0
            r["features"]["rival_causal"] = causal
            r["features"]["rival_causal_log_n"] = math.log1p(n_causal)
            r["features"]["rival_log_margin"] = math.log1p(margin)
            r["features"]["rival_log_n"] = math.log1p(n_rivals)
            r["features"]["lead_own_share"] = specific / own_total if own_total else 0.0
            r["features"]["lead_own"] = specific
    # the report's specific headline + lead terms the claim lacks, each weighted by its rarity
    # among the archive's reports' leads (a proxy: the table keeps no body frequencies)
    lead_df: dict[tuple[str, str], int] = defaultdict(int)
    reports = {(r.get("set", ""), r["report_url"]): r["lead_terms"] for r in rows}
    n_reports: dict[str, int] = defaultdict(int)
    for (s, _), terms in reports.items():
        n_reports[s] += 1
        for t in terms:
            lead_df[(s, t)] += 1
    for r in rows:
        s = r.get("set", "")
        top = learned.rarity(0, n_reports[s])
        extra = [t for t in r["lead_terms"] if t not in r["claim_terms"] and has_specific_term((t,))]
        unexplained = sum(learned.rarity(lead_df[(s, t)], n_reports[s]) / top for t in extra)
        own = sum(r["_shared"].values())
        r["features"]["lead_unexplained"] = unexplained
        r["features"]["lead_unexplained_share"] = unexplained / (unexplained + own) if unexplained + own else 0.0
        # the same, counting as explained what the denial's document names anywhere (first BODY_CHARS)
        doc = r.get("denial_doc_terms", frozenset())
        beyond = sum(learned.rarity(lead_df[(s, t)], n_reports[s]) / top for t in extra if t not in doc)
        r["features"]["lead_beyond_doc"] = beyond
        r["features"]["lead_beyond_doc_share"] = beyond / (beyond + own) if beyond + own else 0.0
        del r["_shared"]


VARIANTS = {
    "none": [],
    "margin": ["rival_margin"],
    "causal": ["rival_causal"],
    "unexpl": ["lead_unexplained"],
    "unexplshare": ["lead_unexplained_share"],
    "beyond": ["lead_beyond_doc"],
    "beyondshare": ["lead_beyond_doc_share"],
    "causal+n": ["rival_causal", "rival_causal_log_n"],
    "logmargin": ["rival_log_margin"],
    "rival": ["rival"],
    "nrivals": ["rival_log_n"],
    "causalself": ["rival_causal_self_log_n"],
    "nself": ["rival_self_log_n"],
    "own": ["lead_own"],
    "ownshare": ["lead_own_share"],
    "margin+own": ["rival_margin", "lead_own"],
    "all": ["rival_margin", "rival", "rival_log_n", "lead_own", "lead_own_share"],
}


def run(argv: list[str]) -> int:
    cache = Path(argv[argv.index("--cache") + 1])
    variant = argv[argv.index("--variant") + 1]
    rest = [a for i, a in enumerate(argv) if a not in ("--variant", variant) and not (i and argv[i - 1] == "--variant")]
    rest = [a for i, a in enumerate(rest) if a != "--cache" and not (i and rest[i - 1] == "--cache")]
    first_pass = "--first-pass" in rest
    rest = [a for a in rest if a != "--first-pass"]
    out = cache.with_name(f"{cache.stem}.{variant.replace(':', '_').replace('>', 'gt')}{'.first' if first_pass else ''}.pkl")
    sparse = pickle.loads(cache.read_bytes())
    add_columns(sparse[0])
    out.write_bytes(pickle.dumps(sparse))
    dense_in = cache.with_suffix(".dense.pkl")
    if dense_in.exists():
        dense = pickle.loads(dense_in.read_bytes())
        add_columns(dense[0])
        if first_pass:  # the crowded archive as an in-order daemon first scores it
            for r in dense[0]:
                r["features"]["rival_log_n"] = r["features"]["rival_causal_log_n"]
                r["features"]["rival_margin"] = r["features"]["rival_causal"]
                r["features"]["rival_self_log_n"] = r["features"]["rival_causal_self_log_n"]
        out.with_suffix(".dense.pkl").write_bytes(pickle.dumps(dense))
    if variant.startswith("rule:"):  # e.g. rule:rival_margin>0.5: excluded, whatever the score
        name, _, cut = variant[5:].partition(">")
        base = learned.exclusion

        def exclusion(features: Any) -> str | None:
            if features.get(name, 0.0) > float(cut):
                return "another denial's claim explains the report better"
            return base(features)

        learned.exclusion = exclusion
        training.exclusion = exclusion
        extra: list[str] = []
    else:
        extra = VARIANTS[variant]
    evaluate.FEATURE_NAMES = (*evaluate.FEATURE_NAMES, *extra)
    training.FEATURE_NAMES = (*training.FEATURE_NAMES, *extra)
    return evaluate.main([*rest, "--cache", str(out)])


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    sys.exit(build(args) if cmd == "build" else run(args))
