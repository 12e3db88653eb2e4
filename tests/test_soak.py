"""The soak, shortened (issue 9): ``scripts/soak.py`` for ~20 s against 10 changing feeds.

The full run (10 minutes, 50 sources) is ``.venv/bin/python scripts/soak.py``; its figures
are in docs/reliability.md. Here the same script, as a subprocess, must PASS: every
listed item archived exactly once, integrity ok, no failed crawl, memory and open files
within bounds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parent.parent / "scripts" / "soak.py"


@pytest.mark.slow
def test_short_soak_archives_every_item_once_with_flat_memory_and_files(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    done = subprocess.run([sys.executable, str(SOAK), "--minutes", "0.3", "--sources", "10", "--every", "5s",
                           "--period", "2", "--window", "10", "--sample", "1", "--workdir", str(tmp_path / "w"),
                           "--json", str(out)], capture_output=True, text=True, timeout=180)
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert done.returncode == 0 and figures["verdict"] == "PASS", done.stdout + done.stderr
    assert figures["items_listed"] >= 50 and figures["items_missing"] == 0 and figures["duplicate_urls"] == 0
    assert figures["crawl_runs"].get("ok", 0) >= 20 and not figures["crawl_runs"].get("failed")
    assert figures["samples"] >= 10
    assert figures["fds_end"] - figures["fds_start"] <= 5
    assert "verdict: PASS" in done.stdout
