"""Rival claims (issue 15): a later denial whose claim fits a report better takes its match back.

``monitor.match.rivals`` counts; ``linking.PairJudge`` finds the denials around a report;
``linking.rivalled_matches`` re-judges stored matches when a denial arrives. The pipeline
tests use tests/fixtures/matching/probe_cases_6.jsonl (our own texts: a Kremlin briefing
whose claim is Kadyrov's health, a news item on Gazprom's gas to Europe the briefing also
mentions, and a Foreign Ministry briefing five months later whose claims take that item)
with a scorer that matches every candidate pair unless it has a rival, so that what is
matched and withdrawn follows from the rival rule alone.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from monitor.collect.ingest import import_jsonl
from monitor.evaluate.matching import predicted_pairs
from monitor.match.linking import PairJudge, pair_table
from monitor.match.rivals import could_rival, rival_count, rival_feature
from monitor.match.scoring import MatchingConfig, profile_from_json
from monitor.process import WorkerPool, drain_backlog
from monitor.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "matching"
KREMLIN = "https://probe6.example/kremlin-wire/briefing-0915"
MFA = "https://probe6.example/mid-wire/briefing-0221"
GAS = "https://probe6.example/north-wire/gas-europe"


def profile(denial_id: int, document_id: int, terms: dict[str, float]):
    return profile_from_json(denial_id, document_id, "", "2024-01-01T00:00:00+00:00", {"terms": terms})


def flat(terms):
    return {t: 1.0 for t in terms}


def on(other, lead, weights=None):
    """Another denial's claim weights (all 1.0 unless given) on the report's lead terms."""
    return {t: w for t, w in (weights or flat(other.terms)).items() if t in lead}


# --- the count --------------------------------------------------------------------------

def test_a_denial_whose_claim_names_what_the_report_says_and_this_claim_lacks_is_a_rival() -> None:
    denial = profile(1, 10, flat(["person:ivan-orlov", "org:acme-bank"]))
    rival = profile(2, 20, flat(["person:ivan-orlov", "place:port-vera"]))
    lead = frozenset({"person:ivan-orlov", "place:port-vera"})
    # the report shares the person with both; only the rival's claim explains the port
    assert rival_count(denial, flat(["person:ivan-orlov", "org:acme-bank"]), lead, [(rival, on(rival, lead))]) == 1
    assert rival_feature(1) > rival_feature(0) == 0.0


def test_no_rival_when_this_claim_explains_as_much_or_the_surplus_is_an_outlet() -> None:
    denial = profile(1, 10, flat(["person:ivan-orlov", "org:acme-bank"]))
    weight = flat(["person:ivan-orlov", "org:acme-bank"])
    lead = frozenset({"person:ivan-orlov", "org:acme-bank", "place:port-vera", "outlet:reuters"})
    # one term each the other lacks: not more
    even = profile(2, 20, flat(["person:ivan-orlov", "place:port-vera"]))
    # what it adds is only the outlet that carried it: nothing specific
    outlet = profile(3, 30, flat(["person:ivan-orlov", "org:acme-bank", "outlet:reuters"]))
    assert rival_count(denial, weight, lead, [(even, on(even, lead)), (outlet, on(outlet, lead))]) == 0
    assert not could_rival(denial.terms, outlet.terms, lead)
    # a heavier surplus wins
    assert rival_count(denial, weight, lead, [(even, on(even, lead, {"person:ivan-orlov": 1.0, "place:port-vera": 3.0}))]) == 1


def test_a_denial_naming_nothing_of_the_lead_that_this_claim_lacks_could_not_rival() -> None:
    denial = profile(1, 10, flat(["person:ivan-orlov"]))
    unrelated = profile(2, 20, flat(["place:port-vera"]))
    same_names = profile(3, 30, flat(["person:ivan-orlov"]))
    lead = frozenset({"person:ivan-orlov"})
    assert not could_rival(denial.terms, unrelated.terms, lead)
    assert not could_rival(denial.terms, same_names.terms, lead)
    assert rival_count(denial, flat(["person:ivan-orlov"]), lead,
                       [(unrelated, on(unrelated, lead)), (same_names, on(same_names, lead))]) == 0


def test_the_pipelines_subset_form_of_could_rival_is_the_rule() -> None:
    """``PairJudge.rivals`` and ``rivalled_matches`` ask ``could_rival`` as "the specific terms of
    the other claim that the lead names are not all this claim's" (a set test, once a report):
    the same answer as the rule for every mix of specific, generic, denier and outlet terms."""
    import random

    from monitor.match.scoring import has_specific_term

    vocab = ["person:ivan-orlov", "place:port-vera", "org:acme-bank", "name:kramat", "country:ru",
             "topic:gas", "org:kremlin", "person:peskov", "outlet:reuters", "event:meeting"]
    rng = random.Random(5)
    checked = 0
    for _ in range(400):
        own, other, lead = (frozenset(rng.sample(vocab, rng.randint(0, 5))) for _ in range(3))
        specific = frozenset(t for t in other if has_specific_term((t,)))
        assert could_rival(own, other, lead) == (not (specific & lead) <= own), (own, other, lead)
        checked += could_rival(own, other, lead)
    assert 50 < checked < 350  # both answers were asked about
    kinds = [has_specific_term((t,)) for t in vocab]
    assert 3 <= sum(kinds) <= len(vocab) - 3  # the vocabulary mixes specific terms and the others


# --- in the pipeline ----------------------------------------------------------------------

@pytest.fixture
def rival_scorer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every candidate pair matches (p 0.99995) unless a rival lowers it (by 100 per log unit)."""
    path = tmp_path / "rival_only.json"
    path.write_text(json.dumps({"features": ["hand_score", "rival_log_n"], "mean": [0.0, 0.0], "scale": [1.0, 1.0],
                                "coef": [0.0, -100.0], "intercept": 10.0, "threshold": 0.5, "thresholds": {}}))
    monkeypatch.setenv("MONITOR_SCORER", str(path))
    return path


def records() -> list[str]:
    lines = [l for l in (FIXTURES / "probe_cases_6.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    return sorted(lines, key=lambda l: json.loads(l)["published"])


def test_a_later_denial_takes_back_the_match_it_rivals_and_arrival_order_ends_where_all_at_once_does(
        rival_scorer: Path, tmp_path: Path) -> None:
    with Store.open(tmp_path / "at_once.db") as store:
        import_jsonl(store, io.StringIO("\n".join(records()) + "\n"))
        at_once = predicted_pairs(store)
        rows = pair_table(store, MatchingConfig())
    assert (KREMLIN, GAS) not in at_once
    rivalled = {(r["denial_url"], r["report_url"]) for r in rows if r["features"]["rival_log_n"] > 0}
    assert (KREMLIN, GAS) in rivalled and not rivalled & at_once

    seen = []
    with Store.open(tmp_path / "in_order.db") as store:
        for line in records():  # a daemon that sees one document at a time
            import_jsonl(store, io.StringIO(line + "\n"), queue_alerts=True)
            seen.append((json.loads(line)["url"], predicted_pairs(store)))
        alerts = store.list_alerts()
    before_mfa = next(pairs for url, pairs in seen if url == KREMLIN)
    assert (KREMLIN, GAS) in before_mfa  # matched when the Kremlin briefing arrived: no rival yet
    assert seen[-1][0] == MFA and (KREMLIN, GAS) not in seen[-1][1]  # taken back by the Foreign Ministry's
    assert seen[-1][1] == at_once
    # the alert queued (not yet sent) for the Kremlin briefing no longer lists the report
    kremlin_alerts = [a for a in alerts if KREMLIN in json.loads(a["denials"])]
    assert kremlin_alerts and all(GAS not in json.loads(a["reports"]) and GAS not in a["body_text"]
                                  for a in kremlin_alerts if a["status"] == "pending")


def test_worker_processes_take_the_same_match_back(rival_scorer: Path, tmp_path: Path) -> None:
    lines = records()
    cut = next(i for i, l in enumerate(lines) if json.loads(l)["url"] == MFA)
    with WorkerPool(2) as pool, Store.open(tmp_path / "pooled.db") as store:
        import_jsonl(store, io.StringIO("\n".join(lines[:cut]) + "\n"), store_only=True)
        drain_backlog(store, pool=pool)
        assert (KREMLIN, GAS) in predicted_pairs(store)
        import_jsonl(store, io.StringIO("\n".join(lines[cut:]) + "\n"), store_only=True)
        drain_backlog(store, pool=pool)
        pooled = predicted_pairs(store)
    with Store.open(tmp_path / "serial.db") as store:
        import_jsonl(store, io.StringIO("\n".join(lines[:cut]) + "\n"), workers=1)
        import_jsonl(store, io.StringIO("\n".join(lines[cut:]) + "\n"), workers=1)
        serial = predicted_pairs(store)
    assert (KREMLIN, GAS) not in pooled and pooled == serial


def _import_in_order(store: Store, lines: list[str], before_last=None) -> None:
    for i, line in enumerate(lines):
        if i == len(lines) - 1 and before_last is not None:
            before_last(store)
        import_jsonl(store, io.StringIO(line + "\n"), queue_alerts=True)


def test_a_withdrawn_match_leaves_a_row_saying_what_it_was_and_why(rival_scorer: Path, tmp_path: Path) -> None:
    lines = records()
    assert json.loads(lines[-1])["url"] == MFA
    with Store.open(tmp_path / "in_order.db") as store:
        held = {}

        def note_the_match(s: Store) -> None:
                held.update(next(s.db.query(
                "SELECT m.score, m.explanation FROM matches m JOIN denials x ON x.id = m.denial_id"
                " JOIN documents d ON d.id = x.document_id JOIN documents r ON r.id = m.report_id"
                " WHERE d.url = ? AND r.url = ?", [KREMLIN, GAS])))

        _import_in_order(store, lines, before_last=note_the_match)
        rows = list(store.db["match_withdrawals"].rows)
    assert held, "the Kremlin briefing was matched to the gas item before the Foreign Ministry's arrived"
    assert [(r["denial_url"], r["report_url"]) for r in rows] == [(KREMLIN, GAS)]
    row = rows[0]
    assert row["score"] == held["score"] and row["explanation"] == held["explanation"]
    assert row["quote"] and "fits the report better" in row["reason"] and row["withdrawn_at"]


def test_a_match_an_analyst_confirmed_is_not_taken_back_by_a_later_denial(rival_scorer: Path, tmp_path: Path) -> None:
    def confirm(s: Store) -> None:
        match_id = s.db.execute(
            "SELECT m.id FROM matches m JOIN denials x ON x.id = m.denial_id JOIN documents d ON d.id = x.document_id"
            " JOIN documents r ON r.id = m.report_id WHERE d.url = ? AND r.url = ?", [KREMLIN, GAS]).fetchone()[0]
        with s.atomic():
            s.record_match_verdict(match_id, "right", who="test")

    with Store.open(tmp_path / "confirmed.db") as store:
        _import_in_order(store, records(), before_last=confirm)
        assert (KREMLIN, GAS) in predicted_pairs(store)
        assert store.db["match_withdrawals"].count == 0
    with Store.open(tmp_path / "unconfirmed.db") as store:  # the same order without the verdict takes it back
        _import_in_order(store, records())
        assert (KREMLIN, GAS) not in predicted_pairs(store)


def test_a_judge_that_kept_a_pairs_rival_count_answers_every_limit_as_a_fresh_count_does(
        rival_scorer: Path, tmp_path: Path) -> None:
    """``PairJudge.rivals`` keeps a pair's count over all the denials around its report (exact,
    or reached its limit): ``rivalled_matches`` asks it once in full, then the verdict up to
    another limit (issue 16). probe_cases_3 (our own texts: six Russian-led cases) has pairs with
    up to three rivals."""
    lines = [l for l in (FIXTURES / "probe_cases_3.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]

    def judge(store: Store) -> PairJudge:
        j = PairJudge(store, MatchingConfig(), learned=True)  # (every claim's term frequencies read with it)
        j.n_docs = store.count_indexed_documents()
        return j

    with Store.open(tmp_path / "a.db") as store:
        import_jsonl(store, io.StringIO("\n".join(lines) + "\n"))
        rows = [r for r in store.denials_between("0000", "9999") if r["profile"]]
        reports = store.indexed_between("0000", "9999")
        asked = []
        for limits in ([1, None, 1, 2], [None, 1, 2, None], [2, 1, None], [1, 2, 3, None]):
            kept = judge(store)
            kept.features(reports)
            for row in rows:
                for rid in reports:
                    if rid == row["document_id"]:
                        continue
                    for limit in limits:
                        fresh = judge(store)
                        fresh.features([rid])
                        got = kept.rivals(kept.profile_of(row), rid, limit)
                        assert got == fresh.rivals(fresh.profile_of(row), rid, limit), (row["id"], rid, limit)
                        asked.append(got)
        assert max(asked) >= 2  # some pair has more rivals than a limit of 1 counts


def test_a_claims_weights_read_its_terms_frequencies_whatever_the_judge_read_before(
        rival_scorer: Path, tmp_path: Path) -> None:
    """With a scorer that reads no ``rare_*`` feature (the shipped one, and this one) a judge
    does not read a claim's term frequencies with its profile; its weights must read them all
    the same. Before PIPELINE_VERSION 18 a term no earlier call had read weighed as the rarest,
    so rival counts followed the order of the calls, and a 2-worker drain stored other matches
    than a 1-worker one (docs/benchmarks.md, sixteenth session)."""
    from monitor.match.learned import claim_rarity

    lines = [l for l in (FIXTURES / "probe_cases_3.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    with Store.open(tmp_path / "a.db") as store:
        import_jsonl(store, io.StringIO("\n".join(lines) + "\n"))
        rows = [r for r in store.denials_between("0000", "9999") if r["profile"]]
        n_docs = store.count_indexed_documents()
        for order in (rows, rows[::-1]):
            judge = PairJudge(store, MatchingConfig())
            judge.n_docs = n_docs
            assert not judge.wants_rarity
            for row in order:
                profile = judge.profile_of(row)
                df = store.term_document_frequency(list(profile.terms))
                assert judge.rarity(profile) == claim_rarity(profile, {t: df.get(t, 0) for t in profile.terms}, n_docs)
