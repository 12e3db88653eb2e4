"""End to end: ``monitor crawl`` against fixture sites on 127.0.0.1, and the crawl bookkeeping."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import SourceConfig
from monitor.collect.crawl import _supervise, crawl_once, outcome_from_stats
from monitor.demo.fixture_server import FixtureServer
from monitor.store import Store
from spider_helpers import FAST_SETTINGS, SITES

#: (name, spider, path, role, lang, options, documents it must archive)
GOOD_SOURCES: list[tuple[str, str, str, str, str | None, dict[str, Any], int]] = [
    ("kremlin-en-feed", "feed", "/feeds/kremlin-en.atom", "official", "en", {"tz_fix": "+03:00"}, 2),
    ("kremlin-en-news", "kremlin", "/kremlin-en/events/president/news", "official", "en", {"depth": 2}, 3),
    ("kremlin-ru-transcripts", "kremlin", "/kremlin-ru/events/president/transcripts", "official", "ru", {}, 1),
    ("mid-ru", "mid", "/mid/ru/press_service/spokesman/briefings/", "official", "ru", {"depth": 2}, 3),
    ("mid-en", "mid", "/mid/en/press_service/spokesman/briefings/", "official", "en", {}, 1),
    ("moscow-daily", "feed", "/feeds/moscow-daily.rss", "media", "en", {}, 2),
    ("agency", "feed", "/feeds/agency-cp1251.xml", "media", None, {}, 2),
    ("agency-nodecl", "feed", "/feeds/agency-nodecl-cp1251.xml", "media", None, {"fetch_articles": False}, 1),
    ("capital-post", "feed", "/feeds/world-summaries.rss", "media", "en", {}, 3),
    ("tass-ru", "feed", "/feeds/tass-ru-yandex.xml", "official", "ru", {}, 2),
]
FEEDS = [s[0] for s in GOOD_SOURCES if s[1] == "feed"]


def toml_block(name: str, spider: str, url: str, role: str = "media", lang: str | None = None,
               options: dict[str, Any] | None = None) -> str:
    lines = ["[[source]]", f'name = "{name}"', f'spider = "{spider}"', f'url = "{url}"', f'role = "{role}"']
    if lang:
        lines.append(f'lang = "{lang}"')
    for key, value in (options or {}).items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n\n"


def write_catalogue(path: Path, server: FixtureServer, extra: list[str] | None = None) -> Path:
    blocks = [toml_block(n, sp, server.url(p), r, lang, opts) for n, sp, p, r, lang, opts, _ in GOOD_SOURCES]
    path.write_text("".join(blocks + (extra or [])), encoding="utf-8")
    return path


def run_crawl(catalogue: Path, db: Path, *names: str) -> Any:
    args = ["crawl", *names, "--sources", str(catalogue), "--db", str(db)]
    for key, value in FAST_SETTINGS.items():
        args += ["-s", f"{key}={json.dumps(value)}"]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def runs(db: Path) -> dict[str, list[dict[str, Any]]]:
    with Store.open(db) as store:
        rows = list(store.db["crawl_runs"].rows_where(order_by="id"))
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["source"], []).append(row)
    return out


def documents_per_source(db: Path) -> dict[str, int]:
    with Store.open(db) as store:
        return {r[0]: r[1] for r in store.db.execute("SELECT source, count(*) FROM documents GROUP BY source")}


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer(SITES, hang_s=10) as srv:
        yield srv


@pytest.mark.slow
def test_every_fixture_document_is_archived_exactly_once_twice_in_a_row(
        server: FixtureServer, tmp_path: Path, db_path: Path) -> None:
    catalogue = write_catalogue(tmp_path / "sources.toml", server)
    first = run_crawl(catalogue, db_path)
    assert first.exit_code == 0, first.output
    want = {name: count for name, *_rest, count in GOOD_SOURCES}
    assert documents_per_source(db_path) == want
    assert all(r[-1]["status"] == "ok" and r[-1]["items_new"] == want[s] for s, r in runs(db_path).items())
    assert "20 source(s)" not in first.output and "10 source(s): 10 ok, 0 failed; new 20" in first.output

    second = run_crawl(catalogue, db_path)
    assert second.exit_code == 0, second.output
    assert documents_per_source(db_path) == want
    latest = {s: r[-1] for s, r in runs(db_path).items()}
    assert all(len(r) == 2 for r in runs(db_path).values())
    assert {s for s, r in latest.items() if r["status"] == "not_modified"} == set(FEEDS)
    assert sum(r["items_new"] + r["items_updated"] for r in latest.values()) == 0
    assert latest["kremlin-en-news"]["items_unchanged"] == 3
    feed_requests = server.requests_for("/feeds/kremlin-en.atom")
    assert "if-none-match" not in feed_requests[0].headers and feed_requests[1].headers["if-none-match"]
    with Store.open(db_path) as store:
        assert store.db.execute("SELECT count(*) FROM revisions").fetchone()[0] == 0
        titles = {r[0] for r in store.db.execute("SELECT title FROM documents WHERE source LIKE 'agency%'")}
        assert "Песков назвал выдумкой сообщения о переговорах" in titles  # windows-1251, decoded right
        assert "Захарова ответила на публикацию британской газеты" in titles
        published = store.db.execute(
            "SELECT published FROM documents WHERE url = ?", [server.url("/kremlin-en/events/president/news/75550")]
        ).fetchone()[0]
        assert published == "2026-08-12T16:00:00+00:00"  # 19:00 Moscow, feed said +04:00
        health = {r["name"]: r for r in store.source_health()}
        assert health["moscow-daily"]["consecutive_failures"] == 0 and health["moscow-daily"]["last_success_at"]


@pytest.mark.slow
def test_changed_page_and_feed_are_updated_and_the_old_version_kept(
        server: FixtureServer, tmp_path: Path, db_path: Path) -> None:
    catalogue = write_catalogue(tmp_path / "sources.toml", server)
    assert run_crawl(catalogue, db_path, "kremlin-en-news", "kremlin-en-feed").exit_code == 0
    page = "/kremlin-en/events/president/news/75546"
    html = (SITES / "kremlin-en/events/president/news/75546.html").read_text(encoding="utf-8")
    server.set_route(page, html.replace("stay in contact.", "stay in close contact."))
    atom = (SITES / "feeds/kremlin-en.atom").read_text(encoding="utf-8")
    server.set_route("/feeds/kremlin-en.atom", atom.replace("There was no conversation.", "There was no call."),
                     content_type="application/atom+xml")
    result = run_crawl(catalogue, db_path, "kremlin-en-news", "kremlin-en-feed")
    assert result.exit_code == 0, result.output
    latest = {s: r[-1] for s, r in runs(db_path).items()}
    assert (latest["kremlin-en-news"]["items_updated"], latest["kremlin-en-news"]["items_unchanged"]) == (1, 2)
    assert (latest["kremlin-en-feed"]["status"], latest["kremlin-en-feed"]["items_updated"]) == ("ok", 1)
    with Store.open(db_path) as store:
        doc_id, doc = store.get_document_by_url(server.url(page))
        assert doc.text.endswith("would stay in close contact.")
        (revision,) = store.revisions_of(doc_id)
        assert revision["text"].endswith("would stay in contact.")
        assert store.count_documents() == 5


@pytest.mark.slow
def test_failing_sources_are_recorded_and_the_rest_succeed(
        server: FixtureServer, tmp_path: Path, db_path: Path) -> None:
    server.set_fault("/feeds/broken.xml", "500")
    server.set_fault("/feeds/hang.xml", "hang")
    server.set_fault("/feeds/moscow-daily.rss", "truncate")
    server.set_route("/feeds/empty.rss", '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
                     '</channel></rss>', content_type="application/rss+xml")
    server.set_route("/redesigned/news", "<html><body><div class='news-card'>New layout</div></body></html>")
    server.set_route("/private/feed.xml", "<rss/>")
    extra = [
        toml_block("broken", "feed", server.url("/feeds/broken.xml")),
        toml_block("hanging", "feed", server.url("/feeds/hang.xml")),
        toml_block("challenge", "feed", server.url("/feeds/bobcmn-challenge.html")),
        toml_block("empty-feed", "feed", server.url("/feeds/empty.rss")),
        toml_block("redesigned", "kremlin", server.url("/redesigned/news")),
        toml_block("robots-forbidden", "feed", server.url("/private/feed.xml")),
        toml_block("missing", "feed", server.url("/feeds/nothing-here.xml")),
    ]
    catalogue = write_catalogue(tmp_path / "sources.toml", server, extra)
    started = time.monotonic()
    result = run_crawl(catalogue, db_path)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    latest = {s: r[-1] for s, r in runs(db_path).items()}
    status = {s: (r["status"], r["http_status"], r["error"]) for s, r in latest.items()}
    assert status["broken"] == ("failed", 500, "HTTP 500")
    assert status["hanging"][0] == "failed" and "timeout" in status["hanging"][2]
    assert status["moscow-daily"][0] == "failed" and "truncated" in status["moscow-daily"][2]
    assert status["challenge"][0] == "failed" and "bobcmn" in status["challenge"][2]
    assert status["empty-feed"][:2] == ("suspect", 200)
    assert status["redesigned"][:2] == ("suspect", 200)
    assert status["robots-forbidden"] == ("failed", None, "forbidden by robots.txt")
    assert status["missing"] == ("failed", 404, "HTTP 404")
    good = {name: count for name, *_rest, count in GOOD_SOURCES if name != "moscow-daily"}
    assert {s: latest[s]["status"] for s in good} == {s: "ok" for s in good}
    assert documents_per_source(db_path) == good
    assert "moscow-daily" in result.output and "failed" in result.output
    assert elapsed < 30
    with Store.open(db_path) as store:
        health = {r["name"]: r for r in store.source_health()}
        assert health["broken"]["consecutive_failures"] == 1 and health["broken"]["last_error"] == "HTTP 500"


def test_unknown_source_name_exits_2_naming_it(server: FixtureServer, tmp_path: Path, db_path: Path) -> None:
    catalogue = write_catalogue(tmp_path / "sources.toml", server)
    result = CliRunner().invoke(cli, ["crawl", "mid-ru", "no-such-source", "--sources", str(catalogue),
                                      "--db", str(db_path)])
    assert result.exit_code == 2
    assert "no-such-source" in result.output
    assert not db_path.exists() or not runs(db_path)


def test_unknown_spider_or_bad_option_exits_2(tmp_path: Path, db_path: Path) -> None:
    catalogue = tmp_path / "sources.toml"
    catalogue.write_text(toml_block("odd", "rss", "http://127.0.0.1:9/feed"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(catalogue), "--db", str(db_path)])
    assert result.exit_code == 2 and "unknown spider 'rss'" in result.output
    catalogue.write_text(toml_block("odd", "kremlin", "http://127.0.0.1:9/x", options={"depth": 0}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(catalogue), "--db", str(db_path)])
    assert result.exit_code == 2 and "'depth' must be a positive integer" in result.output


@pytest.mark.slow
def test_crawl_once_reports_progress_and_bounds_a_trickling_server(server: FixtureServer, db_path: Path) -> None:
    server.set_fault("/feeds/tass-ru-yandex.xml", "slow")  # 16 bytes every 0.2 s: minutes for the whole feed
    sources = [SourceConfig(name="trickle", spider="feed", url=server.url("/feeds/tass-ru-yandex.xml")),
               SourceConfig(name="quick", spider="feed", url=server.url("/feeds/moscow-daily.rss"))]
    seen: list[str] = []
    started = time.monotonic()
    outcomes = crawl_once(db_path, sources, settings={**FAST_SETTINGS, "DOWNLOAD_TIMEOUT": 60}, time_limit=6,
                          kill_grace=2, on_outcome=lambda o: seen.append(o.source))
    assert time.monotonic() - started < 25  # 6 s limit + 2 s to SIGTERM + 2 s to SIGKILL, plus start-up
    assert [o.source for o in outcomes] == ["trickle", "quick"]
    assert sorted(seen) == ["quick", "trickle"]
    assert outcomes[0].status == "failed" and outcomes[0].error
    assert (outcomes[1].status, outcomes[1].items_new) == ("ok", 2)


def test_supervise_kills_a_child_that_ignores_sigterm() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import signal, time\n"
                              "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\n"
                              "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    started = time.monotonic()
    reason = _supervise(child, deadline=time.monotonic() + 0.3, stop=None, grace=0.5)
    assert reason == "crawl killed: time limit exceeded"
    assert child.returncode is not None and child.returncode < 0
    assert time.monotonic() - started < 5
    child.stdout.close()


@pytest.mark.parametrize("stats, reason, status, error", [
    ({"source/http_status": 200, "pipeline/seen": 3, "pipeline/new": 3}, "finished", "ok", None),
    ({"source/http_status": 304, "source/not_modified": True}, "finished", "not_modified", None),
    ({"source/http_status": 200}, "finished", "suspect", "no items from a 200 response (markup changed?)"),
    ({"source/http_status": 200, "source/errors": 2, "source/first_error": "HTTP 403 url=x"}, "finished",
     "failed", "all 2 request(s) failed; first: HTTP 403 url=x"),
    ({"source/http_status": 200, "pipeline/seen": 1, "source/errors": 1, "source/first_error": "HTTP 403 url=x"},
     "finished", "ok", "1 request(s) failed; first: HTTP 403 url=x"),
    ({"source/error": "HTTP 500", "source/http_status": 500}, "finished", "failed", "HTTP 500"),
    ({"pipeline/seen": 4, "pipeline/new": 4}, "closespider_timeout", "failed",
     "time limit reached (600 s); kept what was fetched"),
    ({"pipeline/seen": 1}, "shutdown", "aborted", "stopped by shutdown; kept what was fetched"),
])
def test_outcome_classification(stats: dict[str, Any], reason: str, status: str, error: str | None) -> None:
    outcome = outcome_from_stats("s", stats, reason, started_at="2026-08-12T00:00:00+00:00", time_limit=600)
    assert (outcome.status, outcome.error) == (status, error)


def test_known_articles_count_as_unchanged_not_as_nothing() -> None:
    outcome = outcome_from_stats("s", {"source/http_status": 200, "source/skipped_known": 5}, "finished",
                                 started_at="x")
    assert (outcome.status, outcome.items_seen, outcome.items_unchanged) == ("ok", 5, 5)


def test_sources_of_one_site_are_crawled_one_after_another_in_a_crawl(server: FixtureServer, tmp_path: Path) -> None:
    """Issue 17 item 10: politeness per site; sources without a site still run in parallel."""
    from monitor.collect.crawl import site_chains

    blocks = [toml_block(n, sp, server.url(p), r, lang, opts) for n, sp, p, r, lang, opts, _ in GOOD_SOURCES
              if n in ("mid-ru", "mid-en", "moscow-daily")]
    catalogue = tmp_path / "cat.toml"
    catalogue.write_text("".join(b.replace('role = "official"', 'role = "official"\nsite = "mid.ru"') for b in blocks),
                         encoding="utf-8")
    db = tmp_path / "m.db"
    result = run_crawl(catalogue, db)
    assert result.exit_code == 0, result.output
    by_source = {name: rows[-1] for name, rows in runs(db).items()}
    assert set(by_source) == {"mid-ru", "mid-en", "moscow-daily"}
    first, second = sorted((by_source["mid-ru"], by_source["mid-en"]), key=lambda r: r["started_at"])
    assert first["finished_at"] <= second["started_at"], (first, second)
    chains = site_chains([SourceConfig(name=n, spider="feed", url="http://127.0.0.1:9/", site=s)
                          for n, s in (("a", "x.org"), ("b", None), ("c", "x.org"))])
    assert [[s.name for s in chain] for chain in chains] == [["a", "c"], ["b"]]


def test_sources_check_reports_shape_items_and_dates_and_archives_nothing(server: FixtureServer, tmp_path: Path) -> None:
    """Issue 17 item 11: `monitor sources --check` tells which URL or selector is wrong."""
    blocks = [toml_block(n, sp, server.url(p), r, lang, opts) for n, sp, p, r, lang, opts, _ in GOOD_SOURCES
              if n in ("kremlin-en-feed", "kremlin-en-news")]
    blocks.append(toml_block("wrong-page", "kremlin", server.url("/feeds/kremlin-en.atom")))  # a feed, not a listing
    blocks.append(toml_block("not-a-feed", "feed", server.url("/kremlin-en/events/president/news")))
    catalogue = tmp_path / "cat.toml"
    catalogue.write_text("".join(blocks), encoding="utf-8")
    db = tmp_path / "m.db"
    args = ["sources", "--check", "--json", "--sources", str(catalogue), "--db", str(db)]
    for key, value in FAST_SETTINGS.items():
        args += ["-s", f"{key}={json.dumps(value)}"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    feed, listing = rows["kremlin-en-feed"], rows["kremlin-en-news"]
    assert (feed["ok"], feed["shape"], feed["http_status"]) == (True, "feed", 200)
    assert feed["items"] + feed["links"] >= 2 and feed["newest"].startswith("20")
    assert (listing["ok"], listing["shape"], listing["article"]) == (True, "listing", True)
    assert listing["links"] >= 1
    assert rows["wrong-page"]["ok"] is False and rows["wrong-page"]["shape"] is None
    assert rows["not-a-feed"]["ok"] is False and "feed" in (rows["not-a-feed"]["error"] or "")
    assert not db.exists()  # nothing archived, no archive created
