"""Shared fixtures: a real archive file per test, and JSONL writing helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import pytest

from monitor.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive" / "monitor.db"


@pytest.fixture
def store(db_path: Path):
    s = Store.open(db_path)
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep tests away from the user's archive, catalogue and notification URLs."""
    for var in ("MONITOR_DB", "APPRISE_URLS", "MONITOR_APPRISE_CONFIG", "MONITOR_SCHEDULES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MONITOR_SCHEDULES", str(tmp_path / "no-schedules"))


def write_jsonl(path: Path, records: Iterable[Any]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(rec if isinstance(rec, str) else json.dumps(rec, ensure_ascii=False))
            fh.write("\n")
    return path


def doc_record(n: int, **overrides: Any) -> dict[str, Any]:
    rec = {
        "url": f"https://news.example.org/world/{n}",
        "title": f"Item {n} about the grain corridor",
        "text": f"Body of item {n}. Ministers discussed shipping through the Black Sea.",
        "published": "2024-11-10T12:00:00Z",
        "source": "example-news",
    }
    rec.update(overrides)
    return rec
