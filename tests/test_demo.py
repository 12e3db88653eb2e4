"""``monitor demo`` runs the bundled scenario end to end and shows the alert."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from alert_helpers import start_http_receiver


@pytest.mark.slow
def test_demo_prints_the_alert_on_the_terminal() -> None:
    proc = subprocess.run([sys.executable, "-m", "monitor", "demo"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MONITOR_LOG_LEVEL": "WARNING"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.count("=== Denial: Dmitry Peskov - 1 contradicted report ===") == 1
    assert "This is completely untrue. This is pure fiction" in out
    assert "The Washington Post, 10 Nov 2024 15:00 UTC: “Trump spoke with Putin by phone" in out
    # the TASS relay joined the event before delivery: the alert says so, counts true
    assert "Sources of the denial (2):" in out and "TASS (English), 11 Nov 2024" in out
    assert "1 contradicted report (" in out
    # the claim is a whole sentence from the event, not the fragment before the cue
    assert "Denied claim: media reports that Russian President Vladimir Putin had a phone conversation" in out
    assert 'pure fiction, it is simply false information."”' in out and out.count("“") == out.count("”")
    assert "Grain prices" not in out and "G20" not in out and "wheat" not in out  # distractors
    assert "1 alert(s) delivered" in out


@pytest.mark.slow
def test_demo_sends_to_apprise_urls_when_set() -> None:
    rx = start_http_receiver()
    try:
        proc = subprocess.run([sys.executable, "-m", "monitor", "demo"], capture_output=True, text=True,
                              timeout=120, env={**os.environ, "APPRISE_URLS": rx.url(), "MONITOR_LOG_LEVEL": "WARNING"})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert [r.body["title"] for r in rx.received] == ["Denial: Dmitry Peskov - 1 contradicted report"]
        assert "=== Denial" not in proc.stdout and "ok     json://127.0.0.1" not in proc.stdout
        assert f"ok json://127.0.0.1:{rx.port}/hook" in proc.stdout
    finally:
        rx.server.shutdown()
        rx.server.server_close()
