"""The review page (issue 19) through Starlette's TestClient, on a real archive.

The archive holds the real pipeline's output for tests/fixtures/matching/nov_call.jsonl
(our own texts), plus one event whose headline is hostile markup. The browser test is
tests/test_review_browser.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from monitor.collect.ingest import import_jsonl
from monitor.errors import ConfigError
from monitor.review.app import ReviewSettings, create_app, highlight
from monitor.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "matching"
TOKEN = "review-token-for-tests"
TRANSCRIPT = "https://kremlin-wire.example/news/75540"
WAPO_REPORT = "https://globe-daily.example/2024/11/10/trump-putin-call"


@pytest.fixture
def archive(db_path: Path) -> Path:
    with Store.open(db_path) as store:
        import_jsonl(store, io.StringIO((FIXTURES / "nov_call.jsonl").read_text(encoding="utf-8")))
        with store.atomic():  # a hostile headline on a matched report
            store.db.execute("UPDATE documents SET title = ? WHERE url = ?",
                             ["<script>alert(1)</script> Trump urged Putin", WAPO_REPORT])
    return db_path


@pytest.fixture
def client(archive: Path):
    with TestClient(create_app(ReviewSettings(archive, TOKEN, "test-secret-key"))) as c:
        yield c


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, who: str = "ana") -> str:
    page = client.get("/login").text
    r = client.post("/login", data={"csrf": csrf(page), "who": who, "token": TOKEN}, follow_redirects=False)
    assert r.status_code == 303
    return csrf(client.get("/").text)


def match_id(db_path: Path, denial_url: str, report_url: str) -> int:
    with Store.open(db_path) as store:
        return int(store.db.execute(
            "SELECT m.id FROM matches m JOIN denials x ON x.id = m.denial_id JOIN documents d ON d.id = x.document_id"
            " JOIN documents r ON r.id = m.report_id WHERE d.url = ? AND r.url = ?",
            [denial_url, report_url]).fetchone()[0])


def test_page_shows_denial_and_reports_side_by_side_with_the_explanation_highlighted(client: TestClient) -> None:
    html = client.get("/").text
    assert 'class="pair"' in html and "denial-side" in html and "report-side" in html
    assert "This is completely untrue" in html
    assert "<mark>Putin</mark>" in html  # a shared name, highlighted in the report
    assert "Why:</b> asserts what Dmitry Peskov denied" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Log in to give verdicts" in html and "Wrong match" not in html  # no buttons before login


def test_wrong_match_from_the_page_acts_and_records_who(client: TestClient, archive: Path) -> None:
    token = login(client, "Ana Analyst")
    mid = match_id(archive, TRANSCRIPT, WAPO_REPORT)
    r = client.post(f"/feedback/match/{mid}", data={"csrf": token, "verdict": "wrong", "note": "other call",
                                                    "event": "1"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/#event-1"
    assert f"Match {mid} marked wrong." in client.get("/").text
    with Store.open(archive) as store:
        assert store.db.execute("SELECT count(*) FROM matches m JOIN documents r ON r.id = m.report_id"
                                " WHERE r.url = ?", [WAPO_REPORT]).fetchone()[0] == 0
        fb = store.feedback_rows()[0]
        assert (fb["verdict"], fb["who"], fb["via"], fb["note"]) == ("wrong", "Ana Analyst", "review", "other call")


def test_not_a_denial_and_missed_report_from_the_page(client: TestClient, archive: Path) -> None:
    token = login(client)
    with Store.open(archive) as store:
        denial_id = store.db.execute("SELECT x.id FROM denials x JOIN documents d ON d.id = x.document_id"
                                     " WHERE d.url = ?", [TRANSCRIPT]).fetchone()[0]
    client.post(f"/feedback/missed/{denial_id}", data={"csrf": token, "url": "https://missed.example/a"})
    bad = client.post(f"/feedback/missed/{denial_id}", data={"csrf": token, "url": "javascript:alert(1)"})
    assert "Not recorded: report URL" in bad.text
    client.post(f"/feedback/denial/{denial_id}", data={"csrf": token, "verdict": "not-a-denial"})
    html = client.get("/").text
    assert "Marked not a denial." in html and "https://missed.example/a" in html
    with Store.open(archive) as store:
        assert [r["verdict"] for r in store.feedback_rows()] == ["missed", "not-a-denial"]
        assert store.db.execute("SELECT rejected FROM denials WHERE id = ?", [denial_id]).fetchone()[0] == 1


def test_writes_need_login_and_a_valid_csrf_token_from_this_origin(client: TestClient, archive: Path) -> None:
    mid = match_id(archive, TRANSCRIPT, WAPO_REPORT)
    anonymous = csrf(client.get("/login").text)
    r = client.post(f"/feedback/match/{mid}", data={"csrf": anonymous, "verdict": "wrong"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    token = login(client)
    assert client.post(f"/feedback/match/{mid}", data={"verdict": "wrong"}).status_code == 403
    assert client.post(f"/feedback/match/{mid}", data={"csrf": "forged", "verdict": "wrong"}).status_code == 403
    other = client.post(f"/feedback/match/{mid}", data={"csrf": token, "verdict": "wrong"},
                        headers={"origin": "http://evil.example"})
    assert other.status_code == 403
    with Store.open(archive) as store:
        assert store.feedback_rows() == []


def test_wrong_token_is_refused(client: TestClient) -> None:
    page = client.get("/login").text
    r = client.post("/login", data={"csrf": csrf(page), "who": "x", "token": "not-the-token"})
    assert r.status_code == 401 and "Wrong token." in r.text
    assert "Log in to give verdicts" in client.get("/").text


def test_awaiting_review_lists_only_events_with_unjudged_matches(client: TestClient, archive: Path) -> None:
    assert 'id="event-' in client.get("/?awaiting=1").text
    token = login(client)
    with Store.open(archive) as store:
        ids = [int(r[0]) for r in store.db.execute("SELECT id FROM matches")]
    for mid in ids:  # judge every match (siblings are judged with it, so some are gone already)
        client.post(f"/feedback/match/{mid}", data={"csrf": token, "verdict": "right"})
    assert "No denial events awaiting review." in client.get("/?awaiting=1").text


def test_settings_need_a_long_enough_token(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MONITOR_REVIEW_TOKEN: not set"):
        ReviewSettings.from_env({}, tmp_path / "a.db")
    with pytest.raises(ConfigError, match="shorter than 12"):
        ReviewSettings.from_env({"MONITOR_REVIEW_TOKEN": "short"}, tmp_path / "a.db")
    settings = ReviewSettings.from_env({"MONITOR_REVIEW_TOKEN": TOKEN}, tmp_path / "a.db")
    assert settings.token == TOKEN and len(settings.secret_key) >= 32


def test_highlight_escapes_and_marks_word_starts() -> None:
    out = str(highlight("<b>Escalation</b> in Ukraine", ["escal", "ukrain"]))
    assert out == "&lt;b&gt;<mark>Escalation</mark>&lt;/b&gt; in <mark>Ukraine</mark>"


def test_review_command_without_a_token_is_a_one_line_usage_error(db_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    result = CliRunner().invoke(cli, ["review", "--db", str(db_path)], env={"MONITOR_REVIEW_TOKEN": ""})
    assert result.exit_code == 2
    assert result.output.strip() == ("Error: MONITOR_REVIEW_TOKEN: not set (the review page needs a token to log "
                                     "in with)")
