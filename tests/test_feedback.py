"""Analysts' feedback (issue 19): verdicts act on the archive, survive re-matching, export as JSONL.

The archive is built by importing tests/fixtures/matching/nov_call.jsonl (our own texts:
a denied Trump-Putin call, its coverage and two reports of the call), so the matches
judged here are the ones the real pipeline asserts.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.alerts.delivery import queue_event_alerts, refresh_unsent_alerts
from monitor.alerts.digest import build_digest
from monitor.cli import cli
from monitor.collect.ingest import import_jsonl
from monitor.errors import InputError
from monitor.pipeline import rematch_archive
from monitor.store import Store
from monitor.timeutil import parse_timestamp

FIXTURES = Path(__file__).parent / "fixtures" / "matching"
WAPO_REPORT = "https://globe-daily.example/2024/11/10/trump-putin-call"
RELAY = "https://asia-wire.example/world/trump-putin-spoke"
TRANSCRIPT = "https://kremlin-wire.example/news/75540"
CONTRACT_QUERY = """
SELECT d.url AS denial, x.speaker, r.url AS report, m.score
FROM matches m
JOIN denials x ON x.id = m.denial_id
JOIN documents d ON d.id = x.document_id
JOIN documents r ON r.id = m.report_id
"""


def load(store: Store) -> None:
    text = (FIXTURES / "nov_call.jsonl").read_text(encoding="utf-8")
    import_jsonl(store, io.StringIO(text))


def pairs(store: Store) -> set[tuple[str, str]]:
    return {(r[0], r[2]) for r in store.db.execute(CONTRACT_QUERY)}


def match_id(store: Store, denial_url: str, report_url: str) -> int:
    row = store.db.execute(
        "SELECT m.id FROM matches m JOIN denials x ON x.id = m.denial_id JOIN documents d ON d.id = x.document_id"
        " JOIN documents r ON r.id = m.report_id WHERE d.url = ? AND r.url = ?", [denial_url, report_url]).fetchone()
    assert row is not None, (denial_url, report_url)
    return int(row[0])


def run(db_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--db", str(db_path)], env={"MONITOR_ANALYST": "ana"})
    return result.exit_code, result.output


@pytest.fixture
def loaded(db_path: Path) -> Path:
    with Store.open(db_path) as store:
        load(store)
        assert (TRANSCRIPT, WAPO_REPORT) in pairs(store)
    return db_path


def test_wrong_match_leaves_contract_query_and_views_but_stays_in_feedback(loaded: Path) -> None:
    with Store.open(loaded) as store:
        mid = match_id(store, TRANSCRIPT, WAPO_REPORT)
        score = store.db.execute("SELECT score FROM matches WHERE id = ?", [mid]).fetchone()[0]
    code, out = run(loaded, "feedback", str(mid), "wrong", "--note", "a different call")
    assert code == 0, out
    assert f"match {mid} marked wrong" in out
    with Store.open(loaded) as store:
        assert (TRANSCRIPT, WAPO_REPORT) not in pairs(store)
        assert (TRANSCRIPT, RELAY) in pairs(store)  # only the judged report goes
        # ... from every denial document of the event: they all carry the same denial
        assert not [p for p in pairs(store) if p[1] == WAPO_REPORT]
        views = {(r[0], r[1]) for r in store.db.execute("SELECT denial_url, report_url FROM denial_matches")}
        assert (TRANSCRIPT, WAPO_REPORT) not in views
        fb, *siblings = store.feedback_rows()
        assert (fb["verdict"], fb["denial_url"], fb["report_url"], fb["note"], fb["who"], fb["score"]) == (
            "wrong", TRANSCRIPT, WAPO_REPORT, "a different call", "ana", score)
        assert siblings and all(s["report_url"] == WAPO_REPORT and s["verdict"] == "wrong" for s in siblings)


def test_wrong_match_survives_monitor_match_and_reimport(loaded: Path) -> None:
    with Store.open(loaded) as store:
        mid = match_id(store, TRANSCRIPT, WAPO_REPORT)
    assert run(loaded, "feedback", str(mid), "wrong")[0] == 0
    code, out = run(loaded, "match")
    assert code == 0, out
    with Store.open(loaded) as store:
        assert (TRANSCRIPT, WAPO_REPORT) not in pairs(store)
        assert (TRANSCRIPT, RELAY) in pairs(store)
        load(store)  # the same documents again
        rematch_archive(store)
        assert (TRANSCRIPT, WAPO_REPORT) not in pairs(store)


def test_confirmed_match_stays_when_a_rematch_no_longer_finds_it(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(loaded) as store:
        mid = match_id(store, TRANSCRIPT, WAPO_REPORT)
        stored = store.db.execute("SELECT score, explanation, created_at FROM matches WHERE id = ?", [mid]).fetchone()
        # the verdict holds for each denial document of the event with that report
        confirmed = {p for p in pairs(store) if p[1] == WAPO_REPORT}
        assert len(pairs(store)) > len(confirmed)
    assert run(loaded, "feedback", str(mid), "right")[0] == 0
    # weights that match nothing: every pair scores p ~ 0 against a threshold of 0.5
    nothing = tmp_path / "nothing.json"
    nothing.write_text(json.dumps({"features": ["hand_score"], "mean": [0.0], "scale": [1.0], "coef": [0.0],
                                   "intercept": -50.0, "threshold": 0.5, "thresholds": {}}))
    monkeypatch.setenv("MONITOR_SCORER", str(nothing))
    code, out = run(loaded, "match")
    assert code == 0, out
    with Store.open(loaded) as store:
        assert pairs(store) == confirmed  # the unconfirmed matches went
        kept = store.db.execute("SELECT m.score, m.explanation, m.created_at FROM matches m"
                                " JOIN denials x ON x.id = m.denial_id JOIN documents d ON d.id = x.document_id"
                                " WHERE d.url = ?", [TRANSCRIPT]).fetchone()
        assert tuple(kept) == tuple(stored)  # as it was stored, not re-scored
        # the same holds for a report's replacement, and once more is idempotent
        report_id = store.db.execute("SELECT id FROM documents WHERE url = ?", [WAPO_REPORT]).fetchone()[0]
        with store.atomic():
            assert store.replace_matches(report_ids=[report_id], matches=[]) == []
        assert pairs(store) == confirmed


def test_confirmed_match_moves_to_the_denial_detected_anew_in_its_document(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(loaded) as store:
        mid = match_id(store, TRANSCRIPT, WAPO_REPORT)
        old_quote = store.db.execute("SELECT x.quote FROM matches m JOIN denials x ON x.id = m.denial_id"
                                     " WHERE m.id = ?", [mid]).fetchone()[0]
    assert run(loaded, "feedback", str(mid), "right")[0] == 0
    nothing = tmp_path / "nothing.json"
    nothing.write_text(json.dumps({"features": ["hand_score"], "mean": [0.0], "scale": [1.0], "coef": [0.0],
                                   "intercept": -50.0, "threshold": 0.5, "thresholds": {}}))
    monkeypatch.setenv("MONITOR_SCORER", str(nothing))
    # the transcript edited: its denial reads differently, so detection replaces the denial row
    record = next(json.loads(l) for l in (FIXTURES / "nov_call.jsonl").read_text(encoding="utf-8").splitlines()
                  if l.strip() and json.loads(l)["url"] == TRANSCRIPT)
    record["text"] = record["text"].replace("This is completely untrue.", "That report is false from start to end.")
    with Store.open(loaded) as store:
        import_jsonl(store, io.StringIO(json.dumps(record) + "\n"))
        (quote,) = {r[0] for r in store.db.execute(
            "SELECT x.quote FROM denials x JOIN documents d ON d.id = x.document_id WHERE d.url = ?", [TRANSCRIPT])}
        assert quote != old_quote
        assert (TRANSCRIPT, WAPO_REPORT) in pairs(store)  # moved to the new denial row
        assert {p for p in pairs(store) if p[0] == TRANSCRIPT} == {(TRANSCRIPT, WAPO_REPORT)}
        rematch_archive(store)  # and a re-run of matching keeps it
        assert (TRANSCRIPT, WAPO_REPORT) in pairs(store)


def test_latest_verdict_wins_right_after_wrong_lets_the_match_back(loaded: Path) -> None:
    with Store.open(loaded) as store:
        mid = match_id(store, TRANSCRIPT, WAPO_REPORT)
        with store.atomic():
            store.record_match_verdict(mid, "wrong", who="ana")
        assert (TRANSCRIPT, WAPO_REPORT) not in pairs(store)
        # the match is gone, so "right" is given on the label alone: reprocess finds it again
        with store.atomic():
            store.db.execute("INSERT INTO feedback (verdict, denial_url, report_url, who, created_at)"
                             " VALUES ('right', ?, ?, 'bob', '2030-01-01T00:00:00+00:00')", [TRANSCRIPT, WAPO_REPORT])
        rematch_archive(store)
        assert (TRANSCRIPT, WAPO_REPORT) in pairs(store)


def test_not_a_denial_removes_all_its_matches_for_good(loaded: Path) -> None:
    with Store.open(loaded) as store:
        denial_id = store.db.execute(
            "SELECT x.id FROM denials x JOIN documents d ON d.id = x.document_id WHERE d.url = ?",
            [TRANSCRIPT]).fetchone()[0]
        others = {p for p in pairs(store) if p[0] != TRANSCRIPT}
    code, out = run(loaded, "feedback", "--denial", str(denial_id), "not-a-denial", "--note", "a question")
    assert code == 0, out
    assert run(loaded, "match")[0] == 0
    with Store.open(loaded) as store:
        assert not [p for p in pairs(store) if p[0] == TRANSCRIPT]
        assert others and others <= pairs(store)
        # kept for audit, flagged
        assert store.db.execute("SELECT rejected FROM denials x JOIN documents d ON d.id = x.document_id"
                                " WHERE d.url = ?", [TRANSCRIPT]).fetchone()[0] == 1
        summary = store.db.execute("SELECT sum(denial_documents) FROM denial_event_summary").fetchone()[0]
        total = store.db.execute("SELECT count(DISTINCT document_id) FROM denials").fetchone()[0]
        assert summary == total - 1


def test_wrong_match_is_never_alerted_and_leaves_the_digest(loaded: Path) -> None:
    with Store.open(loaded) as store:
        mid = match_id(store, TRANSCRIPT, WAPO_REPORT)
        with store.atomic():
            store.record_match_verdict(mid, "wrong", who="ana")
        events = [int(r[0]) for r in store.db.execute("SELECT DISTINCT event_id FROM denials")]
        now = parse_timestamp("2024-11-11T12:00:00Z")
        with store.atomic():
            queue_event_alerts(store, events, now=now)
        bodies = " ".join(r[0] for r in store.db.execute("SELECT body_text FROM alerts"))
        assert RELAY in bodies
        assert WAPO_REPORT not in bodies
        assert WAPO_REPORT not in build_digest(store, now).text


def test_unknown_match_and_bad_verdict_are_one_line_errors(loaded: Path) -> None:
    code, out = run(loaded, "feedback", "999999", "wrong")
    assert code == 1 and out.strip() == "Error: match 999999: no such match (see the denial_matches view or " \
                                        "`monitor review`)"
    with Store.open(loaded) as store:
        mid = match_id(store, TRANSCRIPT, WAPO_REPORT)
        with pytest.raises(InputError, match="'maybe'"):
            store.record_match_verdict(mid, "maybe")
    code, out = run(loaded, "feedback", "export", "extra")
    assert code == 2


def test_export_gold_and_flat_jsonl(loaded: Path, tmp_path: Path) -> None:
    with Store.open(loaded) as store:
        wrong = match_id(store, TRANSCRIPT, WAPO_REPORT)
        right = match_id(store, TRANSCRIPT, RELAY)
        denial_id = store.db.execute("SELECT denial_id FROM matches WHERE id = ?", [right]).fetchone()[0]
    assert run(loaded, "feedback", str(wrong), "wrong")[0] == 0
    assert run(loaded, "feedback", str(right), "right", "--note", "same call")[0] == 0
    with Store.open(loaded) as store:
        with store.atomic():
            store.record_missed_report(denial_id, "https://missed.example/report", who="ana")
    code, out = run(loaded, "feedback", "export")
    assert code == 0, out
    lines = [json.loads(l) for l in out.splitlines()]
    assert len(lines) > 1  # the event's other denial documents carry the verdicts too
    [line] = [l for l in lines if l["denial_url"] == TRANSCRIPT]
    assert line["has_denial"] is True
    # one case per denial event: its denial documents stay together for leave-one-case-out training
    assert line["case"].startswith("feedback:kremlin-") and len({l["case"] for l in lines}) == 1
    # the project's own evaluator reads it as gold
    from monitor.evaluate.matching import Gold

    gold_pairs = Gold.from_records(lines).pairs()
    assert (TRANSCRIPT, RELAY) in gold_pairs and (TRANSCRIPT, WAPO_REPORT) not in gold_pairs
    assert line["contradicts"] == sorted([RELAY, "https://missed.example/report"])
    assert line["not_contradicts"] == [WAPO_REPORT]
    assert line["speaker"]
    out_file = tmp_path / "flat.jsonl"
    code, _ = run(loaded, "feedback", "export", "--flat", "-o", str(out_file))
    assert code == 0
    flat = [f for f in map(json.loads, out_file.read_text(encoding="utf-8").splitlines())
            if f["denial_url"] == TRANSCRIPT]
    assert [(f["report_url"], f["verdict"], f["note"], f["who"]) for f in flat] == [
        (WAPO_REPORT, "wrong", None, "ana"), (RELAY, "right", "same call", "ana"),
        ("https://missed.example/report", "missed", None, "ana")]
    assert all(f["when"] for f in flat)


def test_verdict_rewrites_an_alert_queued_before_it_or_withdraws_it(loaded: Path) -> None:
    with Store.open(loaded) as store:
        events = [int(r[0]) for r in store.db.execute("SELECT DISTINCT event_id FROM denials")]
        with store.atomic():
            assert queue_event_alerts(store, events, now=parse_timestamp("2024-11-11T12:00:00Z")) == 1
        assert WAPO_REPORT in store.list_alerts()[0]["body_text"]
        wapo, relay = match_id(store, TRANSCRIPT, WAPO_REPORT), match_id(store, TRANSCRIPT, RELAY)
    assert run(loaded, "feedback", str(wapo), "wrong")[0] == 0
    with Store.open(loaded) as store:
        [alert] = store.list_alerts()
        assert alert["status"] == "pending" and WAPO_REPORT not in alert["body_text"]
        assert RELAY in alert["body_text"] and "Contradicted reports (1)" in alert["body_text"]
    assert run(loaded, "feedback", str(relay), "wrong")[0] == 0
    with Store.open(loaded) as store:
        [alert] = store.list_alerts()
        assert alert["status"] == "withdrawn" and "rejected" in alert["last_error"]


def test_news_after_a_withdrawn_alert_is_a_first_alert_again(loaded: Path) -> None:
    from alert_helpers import add_doc

    with Store.open(loaded) as store:
        events = [int(r[0]) for r in store.db.execute("SELECT DISTINCT event_id FROM denials")]
        with store.atomic():
            queue_event_alerts(store, events, now=parse_timestamp("2024-11-11T12:00:00Z"))
        for report in (WAPO_REPORT, RELAY):
            with store.atomic():
                store.record_match_verdict(match_id(store, TRANSCRIPT, report), "wrong")
                refresh_unsent_alerts(store)
        assert [a["status"] for a in store.list_alerts()] == ["withdrawn"]
        # a genuine report arrives later and is matched to the event
        with store.atomic():
            report_id = add_doc(store, "https://later.example/call", "Leaders spoke by phone, paper says",
                                "They spoke.", "2024-11-11T14:00:00+00:00", "washingtonpost")
            denial_id = store.db.execute("SELECT x.id FROM denials x JOIN documents d ON d.id = x.document_id"
                                         " WHERE d.url = ?", [TRANSCRIPT]).fetchone()[0]
            store.replace_matches(matches=[(denial_id, report_id, 0.8, {"reason": "same call"})])
            assert queue_event_alerts(store, events, now=parse_timestamp("2024-11-11T14:05:00Z")) == 1
        newest = store.list_alerts()[0]
        assert newest["kind"] == "denial" and newest["status"] == "pending"
        assert "https://later.example/call" in newest["body_text"] and WAPO_REPORT not in newest["body_text"]
        with store.atomic():
            assert queue_event_alerts(store, events, now=parse_timestamp("2024-11-11T14:06:00Z")) == 0
