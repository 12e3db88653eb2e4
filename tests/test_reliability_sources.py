"""Faults at the sources (issue 9): one crawl of many broken servers ends in bounded time,
the healthy sources still succeed, every failure is recorded with a useful error, and an
over-size response is cut by the size limit without the crawler's memory blowing up.

Real servers on 127.0.0.1 (``fault_helpers.FaultServer``), real ``monitor crawl``
subprocesses, a real archive file.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Iterator

import pytest

from fault_helpers import FaultServer, free_port
from monitor.config import SourceConfig
from monitor.collect.crawl import crawl_once
from monitor.store import Store

MONITOR = [sys.executable, "-m", "monitor"]
#: Short timeouts: each request may take DOWNLOAD_TIMEOUT, once retried (RETRY_TIMES=1).
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 1,
        "RETRY_BACKOFF_BASE": 0.1}
#: The bound this test states for one crawl of all the faulty sources below, with FAST:
#: 2 attempts x 3 s for a hanging or trickling server + backoff + ~2 s process start-up,
#: measured 14 s on 2 cores; 35 s leaves room for a loaded CI machine. With the production
#: settings the same reasoning gives 3 x 30 s + 6 s backoff per request, and the hard
#: ceiling is the crawl's time limit + 2 x KILL_GRACE_S (600 + 60 s), proven below.
CRAWL_BOUND_S = 35.0

#: source name -> (path on the fault server, expected status, fragment the error must contain)
FAULTS: dict[str, tuple[str, str, str]] = {
    "http-404": ("/status/404", "failed", "HTTP 404"),
    "http-410": ("/status/410", "failed", "HTTP 410"),
    "http-500": ("/status/500", "failed", "HTTP 500"),
    "http-503": ("/status/503", "failed", "HTTP 503"),
    "hang": ("/hang", "failed", "timeout"),
    "trickle": ("/trickle", "failed", "timeout"),
    "truncated": ("/truncate", "failed", "truncated response"),
    "redirect-loop": ("/redirect-loop/a", "failed", "max redirections"),
    "html-as-feed": ("/html-as-feed", "failed", "not a feed: got an HTML page"),
    "garbage": ("/garbage", "failed", "not a feed"),
    "empty-200": ("/empty", "failed", "not a feed: empty body"),
    "reset": ("/reset", "failed", "Connection"),
    "huge-streamed": ("/huge", "failed", "DOWNLOAD_MAXSIZE"),
    "huge-announced": ("/huge-announced", "failed", "larger than download max size"),
    "wrong-type": ("/wrong-type", "ok", ""),  # a real feed served as octet-stream still works
}
GOOD = ["good-0", "good-1", "good-2"]


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(hang_s=120) as srv:
        yield srv


def catalogue(path: Path, blocks: list[tuple[str, str]]) -> Path:
    text = "".join(f'[[source]]\nname = "{name}"\nspider = "feed"\nurl = "{url}"\nfetch_articles = false\n\n'
                   for name, url in blocks)
    path.write_text(text, encoding="utf-8")
    return path


def crawl_cli(catalogue_path: Path, db: Path, settings: dict[str, object], timeout: float = 120,
              ) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run ``monitor crawl`` in a wrapper that reports the peak RSS of it and its crawler child.

    Returns (process result, wall seconds, peak RSS in MiB of the largest of the two).
    """
    args = [*MONITOR, "crawl", "--sources", str(catalogue_path), "--db", str(db), "--timeout", str(timeout)]
    for key, value in settings.items():
        args += ["-s", f"{key}={json.dumps(value)}"]
    wrapper = textwrap.dedent("""
        import json, resource, subprocess, sys, time
        t = time.monotonic()
        p = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True)
        print(json.dumps({"rc": p.returncode, "out": p.stdout, "err": p.stderr, "wall": time.monotonic() - t,
                          "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
    """)
    done = subprocess.run([sys.executable, "-c", wrapper, json.dumps(args)], capture_output=True, text=True,
                          timeout=timeout + 120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    result = subprocess.CompletedProcess(args, data["rc"], data["out"], data["err"])
    return result, data["wall"], data["maxrss_kib"] / 1024


def crawl_runs(db: Path) -> dict[str, dict[str, object]]:
    with Store.open(db) as store:
        return {r["source"]: r for r in store.db["crawl_runs"].rows_where(order_by="id")}


@pytest.mark.slow
def test_one_crawl_of_every_fault_ends_in_bounded_time_and_records_each_failure(
        server: FaultServer, tmp_path: Path, db_path: Path) -> None:
    for n in range(3):
        server.add_feed(f"good{n}", items=3)
    blocks = [(f"good-{n}", server.url(f"/ok/good{n}.rss")) for n in range(3)]
    blocks += [(name, server.url(path)) for name, (path, _s, _e) in FAULTS.items()]
    blocks.append(("refused", f"http://127.0.0.1:{free_port()}/feed.rss"))
    cat = catalogue(tmp_path / "faults.toml", blocks)

    result, wall, peak_mib = crawl_cli(cat, db_path, FAST)

    assert wall < CRAWL_BOUND_S, f"crawl of {len(blocks)} faulty sources took {wall:.1f}s"
    assert result.returncode == 1, result.stdout + result.stderr  # some sources failed
    assert "Traceback" not in result.stdout
    # Scrapy's robots.txt middleware logs a traceback for an unreachable host (its own
    # ERROR line); our code must never be in one.
    assert "/monitor/" not in result.stderr and "/spiders/" not in result.stderr, result.stderr[-3000:]
    runs = crawl_runs(db_path)
    assert set(runs) == {name for name, _url in blocks}, "every source gets its crawl_runs row"
    for name in GOOD:
        assert runs[name]["status"] == "ok" and runs[name]["items_new"] == 3, runs[name]
    for name, (_path, status, fragment) in FAULTS.items():
        assert runs[name]["status"] == status, (name, runs[name])
        if status == "failed":
            assert fragment in str(runs[name]["error"]), (name, runs[name]["error"])
            assert runs[name]["finished_at"] and runs[name]["items_new"] == 0
    assert runs["refused"]["status"] == "failed" and "refused" in str(runs["refused"]["error"]).lower()
    with Store.open(db_path) as store:
        assert store.integrity_check() == "ok"
        assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 3 * 3 + 2
        health = {r["name"]: r for r in store.source_health()}
    assert health["hang"]["consecutive_failures"] == 1 and health["hang"]["last_error"]
    assert health["good-0"]["consecutive_failures"] == 0 and health["good-0"]["last_success_at"]

    # The 100 MB bodies were cut by DOWNLOAD_MAXSIZE (20 MB), not read to the end...
    assert server.sent["/huge"] < 40 * 1024 * 1024, server.sent["/huge"]
    assert server.sent["/huge-announced"] < 40 * 1024 * 1024, server.sent["/huge-announced"]
    # ...and nothing held them: the largest process (CLI or crawler child) stayed small.
    assert peak_mib < 300, f"peak RSS {peak_mib:.0f} MiB"


def test_redirect_loop_is_bounded_by_the_redirect_limit(server: FaultServer, tmp_path: Path, db_path: Path) -> None:
    cat = catalogue(tmp_path / "loop.toml", [("redirect-loop", server.url("/redirect-loop/a"))])
    result, wall, _ = crawl_cli(cat, db_path, FAST)
    assert result.returncode == 1
    hops = server.hits["/redirect-loop/a"] + server.hits["/redirect-loop/b"]
    assert hops <= 25, hops  # REDIRECT_MAX_TIMES (20) + 1, never an endless loop
    assert "max redirections" in str(crawl_runs(db_path)["redirect-loop"]["error"])


@pytest.mark.slow
def test_time_limit_kills_a_crawl_stuck_on_servers_that_never_answer(server: FaultServer, db_path: Path) -> None:
    """Even with a download timeout far beyond the crawl's time limit, the crawl ends
    within time_limit + 2 x kill_grace: Scrapy waits for in-flight downloads on close
    and on SIGTERM, so the supervisor's SIGKILL is what bounds it. What was fetched
    before is kept, and the killed sources are recorded as failed."""
    server.add_feed("good0", items=2)
    sources = [SourceConfig(name="good", spider="feed", url=server.url("/ok/good0.rss"),
                            options={"fetch_articles": False}),
               SourceConfig(name="hang", spider="feed", url=server.url("/hang"), options={"fetch_articles": False}),
               SourceConfig(name="trickle", spider="feed", url=server.url("/trickle"),
                            options={"fetch_articles": False})]
    settings = {**FAST, "DOWNLOAD_TIMEOUT": 600, "RETRY_TIMES": 0}
    started = time.monotonic()
    outcomes = crawl_once(db_path, sources, settings=settings, time_limit=3, kill_grace=2)
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 2 * 2 + 8, elapsed  # + process start-up on a loaded machine
    by = {o.source: o for o in outcomes}
    assert by["good"].status == "ok" and by["good"].items_new == 2
    for name in ("hang", "trickle"):
        assert by[name].status == "failed" and "time limit" in str(by[name].error), by[name]
    runs = crawl_runs(db_path)
    assert runs["hang"]["status"] == "failed" and runs["good"]["status"] == "ok"
    with Store.open(db_path) as store:
        assert store.integrity_check() == "ok"
        assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 2


def test_size_limit_applies_to_article_pages_too(server: FaultServer, tmp_path: Path, db_path: Path) -> None:
    """A summary-only feed whose article link streams 100 MB: the item keeps its summary,
    the oversized page is recorded as a failed request, the source still succeeds."""
    from fault_helpers import rss

    server.set_route("/summaries.rss", rss([{"url": server.url("/huge"), "title": "Huge article",
                                              "text": "Short summary of the huge article."}]))
    path = tmp_path / "articles.toml"
    path.write_text(f'[[source]]\nname = "summaries"\nspider = "feed"\nurl = "{server.url("/summaries.rss")}"\n',
                    encoding="utf-8")
    result, _wall, peak_mib = crawl_cli(path, db_path, {**FAST, "DOWNLOAD_MAXSIZE": 5 * 1024 * 1024,
                                                        "DOWNLOAD_WARNSIZE": 0})
    assert result.returncode == 0, result.stdout + result.stderr
    run = crawl_runs(db_path)["summaries"]
    assert run["status"] == "ok" and run["items_new"] == 1
    assert "DOWNLOAD_MAXSIZE" in str(run["error"]), run["error"]
    assert server.sent["/huge"] < 20 * 1024 * 1024
    assert peak_mib < 300
    with Store.open(db_path) as store:
        text = store.db.execute("SELECT text FROM documents").fetchone()[0]
    assert text == "Short summary of the huge article."


def test_peak_rss_measurement_is_real(tmp_path: Path) -> None:
    """Guard for the memory assertions above: the wrapper does see a child's peak RSS."""
    hog = "x = bytearray(200 * 1024 * 1024); x[::4096] = b'y' * len(x[::4096])"
    out = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import resource, subprocess, sys
        subprocess.run([sys.executable, "-c", sys.argv[1]])
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """), hog], capture_output=True, text=True, check=True)
    assert int(out.stdout) / 1024 > 200
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0
