"""The review page in a real browser (issue 19): Playwright driving Debian's Chromium.

``monitor review`` runs as a subprocess on 127.0.0.1 over an archive the real pipeline
built from tests/fixtures/matching/nov_call.jsonl; the browser logs in, marks a match
wrong and a denial not a denial, adds a missed report, and the archive is checked.
Playwright's own browser download cannot work here, so the test uses the system's
Chromium (``apt-get install chromium``; .ci/run installs it) and skips, saying why,
when there is none.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from monitor.collect.ingest import import_jsonl
from monitor.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "matching"
TOKEN = "browser-test-token-123"
WAPO_REPORT = "https://globe-daily.example/2024/11/10/trump-putin-call"
CHROMIUM = os.environ.get("MONITOR_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extra)")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (apt-get install chromium); "
                                                "Playwright's own browser download cannot work here"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def review_url(db_path: Path, tmp_path: Path) -> Iterator[str]:
    with Store.open(db_path) as store:
        import_jsonl(store, io.StringIO((FIXTURES / "nov_call.jsonl").read_text(encoding="utf-8")))
    port = free_port()
    log = (tmp_path / "review.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "review", "--db", str(db_path), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "MONITOR_REVIEW_TOKEN": TOKEN, "MONITOR_LOG_LEVEL": "WARNING"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/login", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("monitor review did not start: "
                                       + (tmp_path / "review.log").read_text(errors="replace")[-2000:]) from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def page(review_url: str):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--disable-background-networking", "--disable-component-update",
                                          "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"])
        try:
            context = browser.new_context(base_url=review_url)
            yield context.new_page()
        finally:
            browser.close()


def test_analyst_logs_in_and_judges_in_the_browser(page, db_path: Path) -> None:
    page.goto("/")
    assert page.locator("article.event").count() >= 1
    assert page.get_by_role("button", name="Wrong match").count() == 0  # read-only before login
    assert page.locator(".report-side mark").count() > 0  # the explanation is highlighted

    page.click("#login-link")
    page.fill("input[name=who]", "Ana")
    page.fill("input[name=token]", "wrong-token-xyz")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "Wrong token."
    page.fill("input[name=who]", "Ana")
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    assert "Signed in as Ana" in page.locator("header").inner_text()

    wapo = page.locator("section.pair", has=page.locator(f'a[href="{WAPO_REPORT}"]'))
    assert wapo.count() == 1
    wapo.locator("input[name=note]").fill("a different call")
    wapo.get_by_role("button", name="Wrong match").click()
    assert "marked wrong" in page.get_by_role("status").inner_text()
    assert page.locator(f'section.pair a[href="{WAPO_REPORT}"]').count() == 0

    page.locator("form.missed-form input[name=url]").first.fill("https://missed.example/report")
    page.get_by_role("button", name="Add missed report").first.click()
    assert page.get_by_role("status").inner_text() == "Missed report recorded."

    page.get_by_role("button", name="Not a denial").first.click()
    assert "marked not-a-denial" in page.get_by_role("status").inner_text()
    assert page.locator(".denial.rejected").count() == 1

    with Store.open(db_path) as store:
        rows = store.feedback_rows()
        assert {r["verdict"] for r in rows} == {"wrong", "missed", "not-a-denial"}
        assert {r["who"] for r in rows} == {"Ana"} and {r["via"] for r in rows} == {"review"}
        assert [r["note"] for r in rows if r["report_url"] == WAPO_REPORT and r["verdict"] == "wrong"][0] \
            == "a different call"
        assert store.db.execute("SELECT count(*) FROM matches m JOIN documents r ON r.id = m.report_id"
                                " WHERE r.url = ?", [WAPO_REPORT]).fetchone()[0] == 0
