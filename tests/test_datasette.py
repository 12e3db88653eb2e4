"""The SQL UI for real: Datasette serving a test archive with monitor/datasette/metadata.yml.

Datasette runs as a subprocess on 127.0.0.1 with the arguments of the compose file's
``sql`` service (only the paths, host and port swapped), so what is tested here is
what is deployed. Every canned query is run over HTTP against an archive built with
the Store API; writes must be refused; and a separate process writing to the archive
in WAL mode must be seen live, without errors.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from monitor.config import SourceConfig
from monitor.models import Denial, Document
from monitor.store import Store
from monitor.store.crawls import CrawlOutcome
from monitor.timeutil import format_timestamp, utcnow

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "monitor" / "datasette" / "metadata.yml"
UTC = dt.timezone.utc

# Real-looking URLs are only document identities stored in the archive; every request
# in this file goes to the Datasette started on 127.0.0.1.
WAPO = "https://www.washingtonpost.com/politics/2024/11/10/trump-putin-call/"
REUTERS = "https://www.reuters.com/world/trump-putin-call-2024-11-10/"
KREMLIN = "http://en.kremlin.ru/events/president/news/75521"
TASS = "https://tass.com/politics/1868745"
MFA = "https://mid.ru/en/foreign_policy/news/1950000/"
OTHER = "https://www.bbc.com/news/articles/weather"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def compose_sql_args(db_path: Path, port: int) -> list[str]:
    """The compose ``sql`` service's Datasette arguments, pointed at a local archive."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    args = [str(a) for a in compose["services"]["sql"]["command"]]
    swap = {"/data/monitor.db": str(db_path), "/app/datasette/metadata.yml": str(METADATA)}
    args = [swap.get(a, a) for a in args]
    args[args.index("--host") + 1] = "127.0.0.1"
    args[args.index("--port") + 1] = str(port)
    assert str(db_path) in args and str(METADATA) in args
    return args


def http(url: str, data: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode("utf-8", "replace")


class Datasette:
    """A Datasette subprocess on 127.0.0.1; always terminated by ``stop``."""

    def __init__(self, db_path: Path, log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "datasette", *compose_sql_args(db_path, self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                if http(self.base + "/-/versions.json")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"datasette did not come up: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        qs = urllib.parse.urlencode({**params, "_shape": "array"})
        status, body = http(f"{self.base}/monitor/{name}.json?{qs}")
        assert status == 200, (name, status, body)
        return body

    def sql(self, sql: str) -> tuple[int, Any]:
        return http(f"{self.base}/monitor.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array"}))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def build_archive(path: Path) -> dict[str, Any]:
    """The Peskov "pure fiction" case plus an unmatched older denial and two sources."""
    ids: dict[str, Any] = {}
    with Store.open(path) as store, store.atomic():
        docs = [
            (WAPO, "Trump spoke with Putin, urged him not to escalate in Ukraine",
             "Trump spoke with Putin by phone on Thursday, people familiar with the call said.",
             "2024-11-10T16:00:00", "washingtonpost", "media"),
            (REUTERS, "Trump and Putin spoke by phone, Washington Post reports",
             "Trump held a call with Putin, the Washington Post reported.", "2024-11-10T18:00:00", "reuters", "media"),
            (KREMLIN, "Dmitry Peskov on reports of a call", "Peskov said the report was pure fiction: there was no call.",
             "2024-11-11T08:00:00", "kremlin-en", "official"),
            (TASS, "Kremlin denies Trump-Putin call report", "This is pure fiction, Peskov told reporters about the call.",
             "2024-11-11T09:30:00", "tass-en", "official"),
            (MFA, "Zakharova on drone reports", "Zakharova called the reports about drones fake news.",
             "2024-10-01T10:00:00", "mid-en", "official"),
            (OTHER, "Weather", "Rain in London.", "2024-11-12T10:00:00", "bbc", "media"),
        ]
        for url, title, text, published, source, role in docs:
            ids[url] = store.upsert_document(Document(url=url, title=title, text=text, published=at(published),
                                                      source=source, role=role, lang="en")).id
        peskov = dict(speaker="Dmitry Peskov", cue="pure fiction", claim="Trump spoke with Putin by phone",
                      entities=("person:trump", "person:putin"), event_type="event:call", confidence=0.95)
        [ids["d_kremlin"]] = store.replace_denials(ids[KREMLIN], "2024-11-11T08:00:00+00:00",
                                                   [Denial(quote="Peskov said the report was pure fiction", **peskov)])
        [ids["d_tass"]] = store.replace_denials(ids[TASS], "2024-11-11T09:30:00+00:00",
                                                [Denial(quote="This is pure fiction, Peskov told reporters", **peskov)])
        [ids["d_mfa"]] = store.replace_denials(ids[MFA], "2024-10-01T10:00:00+00:00", [Denial(
            speaker="Maria Zakharova", cue="fake news", quote="Zakharova called the reports fake news",
            claim="drones")])
        ids["e_call"] = store.upsert_event("call:trump:putin:2024-11-07", {
            "speaker": "Dmitry Peskov", "claim": "Trump spoke with Putin by phone", "event_type": "event:call",
            "first_published": "2024-11-11T08:00:00+00:00", "last_published": "2024-11-11T09:30:00+00:00"})
        ids["e_drones"] = store.upsert_event("drones:2024-10-01", {
            "speaker": "Maria Zakharova", "claim": "drones", "event_type": None,
            "first_published": "2024-10-01T10:00:00+00:00", "last_published": "2024-10-01T10:00:00+00:00"})
        store.set_denial_events({ids["d_kremlin"]: ids["e_call"], ids["d_tass"]: ids["e_call"],
                                 ids["d_mfa"]: ids["e_drones"]})
        store.replace_matches(matches=[(ids["d_kremlin"], ids[WAPO], 0.91, {"outlet": "washingtonpost"}),
                                       (ids["d_kremlin"], ids[REUTERS], 0.72, {"entities": ["person:putin"]})])
        store.replace_matches(matches=[(ids["d_tass"], ids[WAPO], 0.88, {"outlet": "washingtonpost"})])
    with Store.open(path) as store:
        store.sync_sources([
            SourceConfig(name="kremlin-en", spider="kremlin", url="http://en.kremlin.ru/", role="official", every_s=300),
            SourceConfig(name="tass-en", spider="feed", url="https://tass.com/rss/v2.xml", role="official", every_s=300),
        ])
        now = format_timestamp(utcnow())
        store.record_crawl(CrawlOutcome(source="kremlin-en", started_at=now, finished_at=now, status="ok",
                                        http_status=200, items_seen=3, items_new=2))
        store.record_crawl(CrawlOutcome(source="tass-en", started_at=now, finished_at=now, status="failed",
                                        http_status=503, error="HTTP 503"))
    return ids


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[Datasette, dict[str, Any], Path]]:
    folder = tmp_path_factory.mktemp("archive")
    db_path = folder / "monitor.db"
    ids = build_archive(db_path)
    server = Datasette(db_path, folder / "datasette.log")
    try:
        yield server, ids, db_path
    finally:
        server.stop()


def test_metadata_defines_exactly_the_tested_canned_queries():
    queries = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["monitor"]["queries"]
    assert set(queries) == {"latest_denial_events", "denial_with_reports", "search_documents",
                            "source_health", "recent_matches", "denials_by_speaker", "outlets_denied_most",
                            "events_awaiting_review", "slowest_alerts"}
    assert not any(q.get("write") for q in queries.values())


def test_latest_denial_events_lists_events_newest_first_with_counts(served):
    server, ids, _ = served
    rows = server.query("latest_denial_events")
    assert [r["event_id"] for r in rows] == [ids["e_call"], ids["e_drones"]]
    call, drones = rows
    assert (call["denials"], call["reports"], call["best_score"]) == (2, 2, 0.91)
    assert call["first_denial_url"] == KREMLIN and call["speaker"] == "Dmitry Peskov"
    assert (drones["denials"], drones["reports"], drones["best_score"]) == (1, 0, None)


def test_denial_with_reports_gives_the_contradicted_reports_best_first(served):
    server, ids, _ = served
    rows = server.query("denial_with_reports", denial_id=ids["d_kremlin"])
    assert [(r["report_url"], r["score"]) for r in rows] == [(WAPO, 0.91), (REUTERS, 0.72)]
    assert {r["denial_url"] for r in rows} == {KREMLIN}
    assert rows[0]["cue"] == "pure fiction" and json.loads(rows[0]["explanation"]) == {"outlet": "washingtonpost"}
    unmatched = server.query("denial_with_reports", denial_id=ids["d_mfa"])
    assert len(unmatched) == 1 and unmatched[0]["denial_url"] == MFA and unmatched[0]["report_id"] is None
    assert server.query("denial_with_reports", denial_id=99999) == []


def test_search_documents_uses_the_full_text_index(served):
    server, _, _ = served
    rows = server.query("search_documents", q='"pure fiction"')
    assert {r["url"] for r in rows} == {KREMLIN, TASS}
    assert all("[pure fiction]" in r["snippet"] for r in rows)
    assert {r["url"] for r in server.query("search_documents", q="Putin AND familiar")} == {WAPO}
    assert server.query("search_documents", q="nonexistentword") == []


def test_source_health_puts_failing_sources_first_with_recent_runs(served):
    server, ids, _ = served
    rows = server.query("source_health")
    assert [r["name"] for r in rows] == ["tass-en", "kremlin-en"]
    tass, kremlin = rows
    assert (tass["consecutive_failures"], tass["last_status"], tass["failed_24h"], tass["last_error"]) == (
        1, "failed", 1, "HTTP 503")
    assert (kremlin["last_status"], kremlin["runs_24h"], kremlin["new_24h"], kremlin["documents"]) == ("ok", 1, 2, 1)
    assert kremlin["last_success_at"] is not None and kremlin["schedule"] == "every 300s"


def test_recent_matches_lists_matches_newest_first(served):
    server, ids, _ = served
    rows = server.query("recent_matches")
    assert [(r["denial_id"], r["report_url"]) for r in rows] == [
        (ids["d_tass"], WAPO), (ids["d_kremlin"], REUTERS), (ids["d_kremlin"], WAPO)]
    assert rows[0]["denial_url"] == TASS and rows[0]["report_source"] == "washingtonpost"


def test_writes_are_refused_and_the_archive_is_unchanged(served):
    server, _, db_path = served
    status, body = server.sql("DELETE FROM documents")
    assert status == 400 and "SELECT" in body["error"]
    # Passes Datasette's SELECT-only check; SQLite refuses it on the ?mode=ro connection.
    status, body = server.sql("WITH x AS (SELECT 1) DELETE FROM documents")
    assert status == 400 and "readonly" in body["error"]
    # A POST to a read-only canned query fails (Datasette 0.65 answers 500, not 405).
    assert http(f"{server.base}/monitor/recent_matches", data=b"")[0] >= 400
    assert http(f"{server.base}/monitor.db")[0] == 403  # allow_download off
    assert server.sql("SELECT count(*) AS n FROM documents") == (200, [{"n": 6}])
    with Store.open(db_path) as store:
        assert store.count_documents() == 6 and store.count_matches() == 3


def test_monitor_ui_runs_datasette_as_compose_does_with_the_packaged_metadata(tmp_path):
    from monitor.review.datasette import datasette_args, metadata_path

    db_path = tmp_path / "monitor.db"
    assert datasette_args(db_path, host="127.0.0.1", port=8123) == compose_sql_args(db_path, 8123)
    assert metadata_path().resolve() == METADATA.resolve()


def test_denials_by_speaker_filters_by_name_and_inclusive_dates(served):
    server, ids, _ = served
    rows = server.query("denials_by_speaker", speaker="Peskov", since="2024-11-11", until="2024-11-11")
    assert [r["denial_id"] for r in rows] == [ids["d_tass"], ids["d_kremlin"]]  # newest first
    assert rows[0]["outlet"] == "TASS (English)" and rows[1]["contradicted_reports"] == 2
    assert [r["denial_id"] for r in server.query("denials_by_speaker", speaker="", since="", until="2024-10-01")] \
        == [ids["d_mfa"]]
    assert server.query("denials_by_speaker", speaker="Peskov", since="2024-11-12", until="") == []


def test_outlets_denied_most_counts_reports_by_display_name(served):
    server, _, _ = served
    rows = server.query("outlets_denied_most")
    assert [(r["outlet"], r["contradicted_reports"], r["denial_events"]) for r in rows] == [
        ("Reuters", 1, 1), ("The Washington Post", 1, 1)]


def test_events_awaiting_review_and_the_speakers_view(served):
    server, ids, _ = served
    rows = server.query("events_awaiting_review")
    assert [(r["event_id"], r["matches"], r["unreviewed"]) for r in rows] == [(ids["e_call"], 3, 3)]
    status, speakers = server.sql("SELECT speaker, denials, events, contradicted_reports FROM speakers"
                                  " ORDER BY speaker")
    assert status == 200 and speakers == [
        {"speaker": "Dmitry Peskov", "denials": 2, "events": 1, "contradicted_reports": 2},
        {"speaker": "Maria Zakharova", "denials": 1, "events": 1, "contradicted_reports": 0}]


def test_slowest_alerts_lists_per_stage_seconds_slowest_first(served):
    server, ids, db_path = served
    now = utcnow().replace(microsecond=0)
    stamp = lambda seconds: format_timestamp(now - dt.timedelta(seconds=seconds))  # noqa: E731
    with Store.open(db_path) as store, store.atomic():
        for key, published, delivered in (("fast", 100, 0), ("slow", 4000, 10)):
            alert_id = store.queue_alert(key=key, kind="denial", tag="denial", title=key, body_text="",
                                         body_markdown="", body_html="", event_id=ids["e_call"], now=stamp(20))
            store.db.execute(
                "INSERT INTO alert_latency (alert_id, event_id, document_url, published, fetched, stored,"
                " processed, queued, delivered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [alert_id, ids["e_call"], WAPO, stamp(published), stamp(60), stamp(50), stamp(30), stamp(20),
                 stamp(delivered)])
    rows = server.query("slowest_alerts")
    assert [r["title"] for r in rows] == ["slow", "fast"]
    slow = rows[0]
    assert (slow["published_to_delivered"], slow["published_to_fetched"], slow["fetched_to_stored"],
            slow["stored_to_processed"], slow["processed_to_queued"], slow["queued_to_delivered"]) == (
        3990, 3940, 10, 20, 10, 10)


WRITER = textwrap.dedent("""
    import datetime as dt, sys, time
    from monitor.models import Document
    from monitor.store import Store
    with Store.open(sys.argv[1]) as store:
        for i in range(int(sys.argv[2])):
            with store.atomic():
                store.upsert_document(Document(url=f"https://example.org/live/{i}", title=f"live {i}",
                    text=f"Peskov comment number w{i}", published=dt.datetime(2024, 11, 11, tzinfo=dt.timezone.utc),
                    source="tass-en", role="official"))
            time.sleep(0.01)
    print("done", flush=True)
""")


def test_ui_reads_an_archive_another_process_keeps_writing_in_wal_mode(tmp_path):
    db_path = tmp_path / "monitor.db"
    Store.open(db_path).close()
    server = Datasette(db_path, tmp_path / "datasette.log")
    try:
        total = 150
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), str(total)],
                                  stdout=subprocess.PIPE, text=True)
        seen = []
        try:
            while writer.poll() is None:
                status, body = server.sql("SELECT count(*) AS n FROM documents")
                assert status == 200, body
                seen.append(body[0]["n"])
                time.sleep(0.02)
        finally:
            out, _ = writer.communicate(timeout=30)
        assert writer.returncode == 0 and out.strip() == "done"
        assert seen == sorted(seen), "a reader went back in time"
        assert len(set(seen)) >= 3, f"updates were not seen live: {sorted(set(seen))}"
        assert server.sql("SELECT count(*) AS n FROM documents") == (200, [{"n": total}])
        rows = server.query("search_documents", q=f"w{total - 1}")
        assert [r["url"] for r in rows] == [f"https://example.org/live/{total - 1}"]
        with Store.open(db_path) as store:
            assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert store.integrity_check() == "ok"
    finally:
        server.stop()
