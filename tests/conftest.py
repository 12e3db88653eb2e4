"""Shared fixtures: a real archive file per test, JSONL writing helpers, and the loopback guard."""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import pytest

from monitor.store import Store


NETGUARD = Path(__file__).resolve().parent / "netguard"


def pytest_configure(config: pytest.Config) -> None:
    """Refuse non-loopback connections and lookups here and in every Python child (netguard/)."""
    fd, log = tempfile.mkstemp(prefix="monitor-netguard-", suffix=".log")
    os.close(fd)
    os.environ["MONITOR_TEST_NETGUARD_LOG"] = log
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(NETGUARD), os.environ.get("PYTHONPATH")) if p)
    spec = importlib.util.spec_from_file_location("monitor_test_netguard", NETGUARD / "sitecustomize.py")
    assert spec is not None and spec.loader is not None
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)  # installs itself: the log variable is set


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterable[None]:
    """Fail the test that tried to reach anything but 127.0.0.1 (in this process or a child)."""
    log = Path(os.environ["MONITOR_TEST_NETGUARD_LOG"])
    before = log.stat().st_size
    yield
    with log.open(encoding="utf-8") as fh:
        fh.seek(before)
        refused = fh.read()
    assert not refused, f"the test tried to leave 127.0.0.1:\n{refused}"


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
