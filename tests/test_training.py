"""`monitor train`: the matching weights rebuilt from labelled JSON Lines (issue 15).

The fixture (tests/fixtures/training, texts we wrote) holds three cases: a denial, the
reports that assert its claim, a report of the denial and a story on the same people.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli
from monitor.evaluate.pairs import read_jsonl, training_rows
from monitor.match.learned import LearnedScorer
from monitor.match.scoring import MatchingConfig

FIXTURE = Path(__file__).parent / "fixtures" / "training"
DOCS, GOLD = FIXTURE / "documents.jsonl", FIXTURE / "gold.jsonl"


def train(*args: str):
    return CliRunner().invoke(cli, ["train", *args], catch_exceptions=False)


def test_train_writes_weights_the_runtime_loads_and_the_same_inputs_give_the_same_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    r1 = train("--set", str(DOCS), str(GOLD), "-o", str(first))
    r2 = train("--set", str(DOCS), str(GOLD), "-o", str(second))
    assert r1.exit_code == 0, r1.output
    assert r2.exit_code == 0, r2.output
    assert first.read_bytes() == second.read_bytes()
    scorer = LearnedScorer.load(first)
    assert scorer.meta["cases"] == 3 and scorer.meta["sets"] == ["documents"]
    assert "rare_lead" not in scorer.features  # left out by default, as CV chose
    assert "leave-one-case-out pair P" in r1.output


def test_trained_weights_rank_the_reports_of_the_claim_above_the_report_of_the_denial(tmp_path: Path) -> None:
    rows, info = training_rows([("fx", DOCS, GOLD)], seed=1, config=MatchingConfig(scorer=None))
    out = tmp_path / "w.json"
    assert train("--set", str(DOCS), str(GOLD), "-o", str(out)).exit_code == 0
    scorer = LearnedScorer.load(out)
    pos = [scorer.score(r["features"]).score for r in rows if r["y"] == 1]
    neg = [scorer.score(r["features"]).score for r in rows if r["y"] == 0]
    assert pos and neg
    assert min(pos) > max(neg)


def test_feedback_labels_are_judged_on_the_archives_own_pairs(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    assert CliRunner().invoke(cli, ["import", str(DOCS), "--db", str(db)]).exit_code == 0
    # an analyst's export has the shared gold format (plus fields training ignores)
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps({**g, "has_denial": True, "feedback": []}) + "\n"
                              for g in read_jsonl(GOLD)), encoding="utf-8")
    out = tmp_path / "w.json"
    result = train("--db", str(db), "--feedback", str(labels), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert LearnedScorer.load(out).meta["sets"] == ["feedback"]


def test_bad_labels_and_unknown_features_fail_naming_the_culprit(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"case": "x", "denial_url": "https://a.example/1"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["train", "--set", str(DOCS), str(bad), "-o", str(tmp_path / "w.json")])
    assert result.exit_code == 1 and f"{bad}:2: not valid JSON" in result.output
    result = CliRunner().invoke(cli, ["train", "--set", str(DOCS), str(GOLD), "--drop", "colour",
                                      "-o", str(tmp_path / "w.json")])
    assert result.exit_code == 2 and "unknown feature 'colour'" in result.output
    result = CliRunner().invoke(cli, ["train", "-o", str(tmp_path / "w.json")])
    assert result.exit_code == 2 and "labelled data" in result.output
    assert not (tmp_path / "w.json").exists()
