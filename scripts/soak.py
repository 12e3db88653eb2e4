#!/usr/bin/env python3
"""Soak test (issue 9): run the daemon for N minutes against local feeds that keep changing.

    .venv/bin/python scripts/soak.py                     # 10 minutes, 50 sources (the full soak)
    .venv/bin/python scripts/soak.py --minutes 0.5 --sources 10 --every 5s --period 2

Starts ``FeedFarm`` feeds on 127.0.0.1 (tests/fault_helpers.py; a new item every
``--period`` seconds per feed), a catalogue pointing at them, and ``monitor run`` as a
subprocess with a fresh archive. Every ``--sample`` seconds it records the daemon's
RSS and open file descriptors (psutil), and the RSS of its crawler children. At the end
the feeds stop changing, the script waits until every source has been crawled once
more, stops the daemon with SIGTERM and checks:

- every item that any feed response listed is archived exactly once (no item missing,
  none extra, URL unique, no revision: an item's content never changes);
- the archive passes ``PRAGMA integrity_check``; every crawl succeeded; exit status 0;
- RSS growth (median of the last third of samples minus median of the first third,
  after warm-up and after the daemon's first processed document) <= ``--max-rss-growth``
  MiB, peak RSS <= ``--max-rss`` MiB;
- open files: the lowest count of the last third of samples (after warm-up) exceeds the lowest of the
  first third by <= ``--max-fd-growth`` (a sample taken mid-crawl counts the crawl child's pipes).

Prints the figures and PASS/FAIL; ``--json FILE`` writes them; exit status 0 on PASS.
Only 127.0.0.1 is used. Needs psutil (in the ``test`` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fault_helpers import FaultServer, FeedFarm  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10.0, help="how long the daemon runs (default 10)")
    p.add_argument("--sources", type=int, default=50, help="number of local feeds (default 50)")
    p.add_argument("--every", default="60s", help="each source's crawl interval (default 60s)")
    p.add_argument("--period", type=float, default=5.0, help="seconds between new items in a feed (default 5)")
    p.add_argument("--window", type=int, default=30, help="items listed per feed (default 30)")
    p.add_argument("--max-crawls", type=int, default=4, help="MONITOR_MAX_CRAWLS (default 4)")
    p.add_argument("--sample", type=float, default=5.0, help="seconds between samples (default 5)")
    p.add_argument("--warmup", type=float, default=None, help="seconds ignored for growth (default 1/6 of the run)")
    p.add_argument("--max-rss", type=float, default=250.0, help="bound on the daemon's peak RSS, MiB")
    p.add_argument("--max-rss-growth", type=float, default=20.0, help="bound on RSS growth, MiB")
    p.add_argument("--max-fd-growth", type=int, default=5, help="bound on growth of open files")
    p.add_argument("--workdir", type=Path, default=None, help="keep the archive and log here")
    p.add_argument("--json", type=Path, default=None, help="write the figures here as JSON")
    return p.parse_args(argv)


def sample(daemon: psutil.Process) -> dict[str, float]:
    children = []
    try:
        children = daemon.children(recursive=True)
    except psutil.NoSuchProcess:
        pass
    child_rss = 0.0
    for c in children:
        try:
            child_rss = max(child_rss, c.memory_info().rss / 2**20)
        except psutil.NoSuchProcess:
            pass
    return {"t": time.monotonic(), "rss_mib": daemon.memory_info().rss / 2**20, "fds": daemon.num_fds(),
            "threads": daemon.num_threads(), "children": len(children), "child_rss_mib": child_rss}


def has_processed(db: Path) -> bool:
    """Whether the daemon has finished processing a document: by then it has imported and loaded
    its models (tens of MiB, later on a loaded machine), which is start-up, not growth."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    except sqlite3.OperationalError:
        return False  # no archive yet
    try:
        return conn.execute("SELECT 1 FROM document_processing WHERE version > 0 LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:
        return False  # the schema is still being created
    finally:
        conn.close()


def runs_since(db: Path, stamp: str) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return {r[0] for r in conn.execute("SELECT DISTINCT source FROM crawl_runs WHERE started_at >= ?", [stamp])}
    finally:
        conn.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = args.workdir or Path(tempfile.mkdtemp(prefix="monitor-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    db, cat, log_path = work / "soak.db", work / "soak.toml", work / "daemon.log"
    for old in work.glob("soak.db*"):
        old.unlink()
    server = FaultServer().start()
    farm = FeedFarm(server, args.sources, period_s=args.period, window=args.window)
    cat.write_text("".join(
        f'[[source]]\nname = "{farm.name(k)}"\nspider = "feed"\nurl = "{server.url(farm.path(k))}"\n'
        f'fetch_articles = false\nevery = "{args.every}"\n\n' for k in range(args.sources)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("APPRISE_URLS", "MONITOR_APPRISE_CONFIG", "MONITOR_DB")}
    env.update(MONITOR_MAX_CRAWLS=str(args.max_crawls), MONITOR_HEARTBEAT="5", MONITOR_LOG_LEVEL="INFO")
    duration = args.minutes * 60
    warmup = args.warmup if args.warmup is not None else duration / 6
    log = log_path.open("w", encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "--schedules", str(cat), "--db", str(db),
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_TIMEOUT=10"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
    daemon = psutil.Process(proc.pid)
    samples: list[dict[str, float]] = []
    processed = False
    try:
        while time.monotonic() - started < duration and proc.poll() is None:
            time.sleep(min(args.sample, max(0.1, duration - (time.monotonic() - started))))
            if proc.poll() is None:
                samples.append(sample(daemon) | {"processed": processed or (processed := has_processed(db))})
        # Freeze the feeds and let every source be crawled once more, so that every item
        # any response listed has had its chance to be archived.
        farm.freeze()
        freeze_stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 1))
        from monitor.config import parse_duration

        deadline = time.monotonic() + 3 * parse_duration(args.every) + 60
        caught_up = False
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(1)
            if len(runs_since(db, freeze_stamp)) == args.sources:
                caught_up = True
                break
        if proc.poll() is None:
            samples.append(sample(daemon))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            exit_status = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            exit_status = proc.wait()
        log.close()
        server.stop()
    wall = time.monotonic() - started

    listed = farm.published_items()
    conn = sqlite3.connect(db)
    try:
        urls = [r[0] for r in conn.execute("SELECT url FROM documents")]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        revisions = conn.execute("SELECT count(*) FROM revisions").fetchone()[0]
        crawls = dict(conn.execute("SELECT status, count(*) FROM crawl_runs GROUP BY status").fetchall())
        errors = [r[0] for r in conn.execute("SELECT DISTINCT error FROM crawl_runs WHERE status = 'failed' LIMIT 5")]
    finally:
        conn.close()
    archived = set(urls)
    # Steady state: after the warm-up and after the first processed document (the models are then
    # loaded; on a busy machine that comes after the warm-up, and counting it made start-up look
    # like 50 MiB of growth).
    steady = [s for s in samples if s["t"] - started >= warmup and s.get("processed", True)] or samples
    third = max(1, len(steady) // 3)
    first_rss = statistics.median(s["rss_mib"] for s in steady[:third]) if steady else 0.0
    last_rss = statistics.median(s["rss_mib"] for s in steady[-third:]) if steady else 0.0
    # Open files: the floor of the first and last thirds. A sample taken while crawls run counts
    # their children's pipes (up to two per crawl, MONITOR_MAX_CRAWLS at once); a leak raises the
    # floor, a crawl in flight at the last sample does not.
    fds_start = min((int(s["fds"]) for s in steady[:third]), default=None)
    fds_end = min((int(s["fds"]) for s in steady[-third:]), default=None)
    figures: dict[str, Any] = {
        "minutes": args.minutes, "sources": args.sources, "every": args.every, "feed_period_s": args.period,
        "wall_s": round(wall, 1), "samples": len(samples), "caught_up_after_freeze": caught_up,
        "daemon_exit_status": exit_status,
        "items_listed": len(listed), "documents": len(urls), "items_missing": len(listed - archived),
        "items_extra": len(archived - listed), "duplicate_urls": len(urls) - len(archived), "revisions": revisions,
        "crawl_runs": crawls, "crawl_errors": errors, "integrity_check": integrity,
        "first_processed_s": next((round(s["t"] - started, 1) for s in samples if s.get("processed")), None),
        "rss_mib_first": round(steady[0]["rss_mib"], 1) if steady else None,
        "rss_mib_start_median": round(first_rss, 1), "rss_mib_end_median": round(last_rss, 1),
        "rss_mib_growth": round(last_rss - first_rss, 1),
        "rss_mib_peak": round(max((s["rss_mib"] for s in samples), default=0.0), 1),
        "child_rss_mib_peak": round(max((s["child_rss_mib"] for s in samples), default=0.0), 1),
        "fds_start": fds_start, "fds_end": fds_end,
        "fds_max": int(max((s["fds"] for s in samples), default=0)),
        "threads_max": int(max((s["threads"] for s in samples), default=0)),
        "bounds": {"max_rss_mib": args.max_rss, "max_rss_growth_mib": args.max_rss_growth,
                   "max_fd_growth": args.max_fd_growth},
        "workdir": str(work),
    }
    problems = []
    if exit_status != 0:
        problems.append(f"daemon exited {exit_status}")
    if not caught_up:
        problems.append("not every source was crawled after the freeze")
    if figures["items_missing"] or figures["items_extra"] or figures["duplicate_urls"] or revisions:
        problems.append("archive does not hold every listed item exactly once")
    if not listed:
        problems.append("no item was ever served")
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    if crawls.get("failed"):
        problems.append(f"{crawls['failed']} crawl(s) failed: {errors}")
    if figures["rss_mib_peak"] > args.max_rss:
        problems.append(f"peak RSS {figures['rss_mib_peak']} MiB > {args.max_rss}")
    if figures["rss_mib_growth"] > args.max_rss_growth:
        problems.append(f"RSS grew {figures['rss_mib_growth']} MiB > {args.max_rss_growth}")
    if fds_start is not None and fds_end is not None and fds_end - fds_start > args.max_fd_growth:
        problems.append(f"open files grew {fds_start} -> {fds_end} (floor of the first and last thirds)")
    figures["problems"] = problems
    figures["verdict"] = "PASS" if not problems else "FAIL"
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    figures = run(args)
    print(f"soak: {figures['minutes']} min, {figures['sources']} sources every {figures['every']}, "
          f"a new item per feed every {figures['feed_period_s']} s")
    print(f"  crawls: {figures['crawl_runs']}; items listed {figures['items_listed']}, archived "
          f"{figures['documents']}, missing {figures['items_missing']}, extra {figures['items_extra']}, "
          f"duplicates {figures['duplicate_urls']}, revisions {figures['revisions']}; "
          f"integrity {figures['integrity_check']}")
    print(f"  daemon RSS: first {figures['rss_mib_first']} MiB, start median {figures['rss_mib_start_median']}, "
          f"end median {figures['rss_mib_end_median']} (growth {figures['rss_mib_growth']} MiB, bound "
          f"{figures['bounds']['max_rss_growth_mib']}), peak {figures['rss_mib_peak']} MiB (bound "
          f"{figures['bounds']['max_rss_mib']}); crawler child peak {figures['child_rss_mib_peak']} MiB")
    print(f"  daemon open files: {figures['fds_start']} -> {figures['fds_end']} (max {figures['fds_max']}, "
          f"growth bound {figures['bounds']['max_fd_growth']}); threads max {figures['threads_max']}")
    print(f"  verdict: {figures['verdict']}" + (f" ({'; '.join(figures['problems'])})" if figures["problems"] else ""))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0 if figures["verdict"] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
