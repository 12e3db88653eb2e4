"""Evaluation of denial detection: scoring functions and the fixture-set quality bar."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.evaluate.detection import evaluate_detection, main, prf, primary_speaker, speaker_correct
from monitor.models import Denial

FIXTURES = Path(__file__).parent / "fixtures" / "denials"


def test_prf_counts() -> None:
    assert prf(9, 1, 0) == (0.9, 1.0, 2 * 0.9 / 1.9)
    assert prf(0, 0, 0) == (1.0, 1.0, 1.0)
    assert prf(0, 3, 2)[:2] == (0.0, 0.0)


def test_speaker_correct_is_strict_unless_asked() -> None:
    assert speaker_correct("Dmitry Peskov", "Dmitry Peskov (Kremlin spokesman)")
    assert speaker_correct("Russian Defence Ministry", "Russian Defence Ministry; Dmitry Peskov (Kremlin spokesman)")
    assert not speaker_correct("Kremlin", "Dmitry Peskov (Kremlin spokesman)")
    assert speaker_correct("Kremlin", "Dmitry Peskov (Kremlin spokesman)", lenient=True)
    assert not speaker_correct("Maria Zakharova", "Dmitry Peskov (Kremlin spokesman)", lenient=True)


def test_primary_speaker_is_the_first_denial() -> None:
    rows = [Denial("Dmitry Peskov", "fake", "q", "c"), Denial("Maria Zakharova", "lie", "q", "c")]
    assert primary_speaker(rows) == "Dmitry Peskov"
    assert primary_speaker([]) is None


def test_evaluate_detection_counts_documents(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {"url": "https://e.x/1", "title": "", "text": "Peskov called the Reuters report pure fiction.",
         "published": "2025-01-02", "source": "e", "lang": "en", "has_denial": True, "speaker": "Dmitry Peskov"},
        {"url": "https://e.x/2", "title": "", "text": "Peskov declined to comment on the report.",
         "published": "2025-01-02", "source": "e", "lang": "en", "has_denial": False},
        {"url": "https://e.x/3", "title": "", "text": "Putin met Erdogan in Sochi.",
         "published": "2025-01-02", "source": "e", "lang": "en", "has_denial": True},
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    res = evaluate_detection(path)
    assert (res["tp"], res["fp"], res["fn"], res["tn"]) == (1, 0, 1, 1)
    assert res["precision"] == 1.0 and res["recall"] == 0.5
    assert res["speaker_accuracy"] == 1.0
    assert "P=1.000 R=0.500" in capsys.readouterr().out


def test_own_fixture_set_meets_the_quality_bar() -> None:
    """Our labelled EN/RU set (positives and hard negatives): P and R at least 0.9."""
    res = evaluate_detection(FIXTURES / "statements.jsonl")
    assert res["n"] >= 40
    assert res["precision"] >= 0.9, res["errors"]
    assert res["recall"] >= 0.9, res["errors"]
    assert res["speaker_accuracy"] is not None and res["speaker_accuracy"] >= 0.9, res["errors"]


def test_main_without_files_is_a_usage_error() -> None:
    assert main([]) == 2


def test_every_probe_set_meets_the_quality_bar() -> None:
    """Each probe set was written to find failure modes; fixed ones must stay fixed."""
    paths = sorted(FIXTURES.glob("*.jsonl"))
    assert len(paths) >= 5
    for path in paths:
        res = evaluate_detection(path)
        assert res["precision"] >= 0.9 and res["recall"] >= 0.9, (path.name, res["errors"])
