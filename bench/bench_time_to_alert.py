"""Time to alert: a denial appears in a served feed -> the notification arrives (issue 10).

Runs the real daemon (``python -m monitor run --schedules DIR --db FILE``) as a child
process against ``monitor.demo.fixture_server.FixtureServer`` on 127.0.0.1 serving the
demo scenario (``monitor/demo/site``): an outlet's feed with the report, and the
Kremlin's feed, at first without the denial. Both sources are polled ``every = 10s``
(``--interval``). Once the daemon has crawled both feeds, the Kremlin feed gains the
denial entry (clock starts); a tiny ``json://`` receiver on 127.0.0.1 (the daemon's
``APPRISE_URLS``) stops the clock when the alert arrives.

Target: latency <= one interval + 2 s. The ratio printed is latency / (interval + 2 s).
``--phase worst`` (the default) publishes the denial just after the daemon fetched the
Kremlin feed (50 ms after the server saw the request), so the next fetch is as far
away as the schedule allows: this is the bound the target is about. ``--phase random``
publishes it at a random moment of the interval (expect about half an interval plus
the crawl). ``--trials`` repeats with a fresh daemon.

    .venv/bin/python bench/bench_time_to_alert.py [--interval 10] [--trials 1] [--phase worst|random] [--timeout 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.demo.fixture_server import FixtureServer  # noqa: E402

SITE = ROOT / "monitor" / "demo" / "site"
SCRAPY_FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "RETRY_TIMES=0",
               "-s", "DOWNLOAD_TIMEOUT=5", "-s", "ROBOTSTXT_OBEY=false"]


class Receiver:
    """A json:// endpoint on 127.0.0.1: records (monotonic arrival time, body) of each POST."""

    def __init__(self) -> None:
        self.posts: list[tuple[float, dict]] = []
        self.event = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    data = json.loads(body)
                except ValueError:
                    data = {"raw": body.decode("utf-8", "replace")}
                receiver.posts.append((time.monotonic(), data))
                receiver.event.set()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.httpd.server_address[1]}/alerts"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def crawled(db: Path, source: str) -> bool:
    if not db.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            row = con.execute("SELECT count(*) FROM crawl_runs WHERE source = ? AND status = 'ok' "
                              "AND finished_at IS NOT NULL", [source]).fetchone()
        finally:
            con.close()
        return bool(row and row[0])
    except sqlite3.Error:
        return False


def crawl_durations(db: Path) -> list[float]:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return [float(r[0]) for r in con.execute("SELECT duration_s FROM crawl_runs WHERE duration_s IS NOT NULL")]
        finally:
            con.close()
    except sqlite3.Error:
        return []


def wait_for_fetch(server: FixtureServer, path: str, proc: subprocess.Popen, deadline: float) -> bool:
    """Block until the daemon fetches ``path`` again; False if it never does."""
    seen = len(server.requests_for(path))
    while time.monotonic() < deadline and proc.poll() is None:
        if len(server.requests_for(path)) > seen:
            time.sleep(0.05)  # let the handler finish serving the old feed
            return True
        time.sleep(0.005)
    return False


def one_trial(interval: float, timeout: float, tmp: Path, verbose: bool, phase: str = "worst") -> dict:
    full = (SITE / "kremlin" / "feed.atom").read_bytes()
    without = re.sub(rb"<entry>.*?</entry>\s*", b"", full, count=1, flags=re.S)  # the denial is the first entry
    db = tmp / "monitor.db"
    schedules = tmp / "schedules"
    schedules.mkdir()
    lines: list[str] = []
    with FixtureServer() as server, Receiver() as receiver:
        server.set_route("/robots.txt", "", content_type="text/plain")
        server.set_route("/washingtonpost/feed.xml", (SITE / "washingtonpost" / "feed.xml").read_bytes(),
                         content_type="application/rss+xml")
        server.set_route("/kremlin/feed.atom", without, content_type="application/atom+xml")
        base = server.base_url
        (schedules / "bench.toml").write_text(
            f'[[source]]\nname = "washingtonpost"\nspider = "feed"\nurl = "{base}/washingtonpost/feed.xml"\n'
            f'role = "media"\nlang = "en"\nevery = "{interval:g}s"\nfetch_articles = false\n\n'
            f'[[source]]\nname = "kremlin-en"\nspider = "feed"\nurl = "{base}/kremlin/feed.atom"\n'
            f'role = "official"\nlang = "en"\nevery = "{interval:g}s"\nfetch_articles = false\n',
            encoding="utf-8")
        env = {**os.environ, "APPRISE_URLS": receiver.url, "MONITOR_HEARTBEAT": "5s"}
        env.pop("MONITOR_DB", None)
        t_start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--schedules", str(schedules),
                                 "--db", str(db), *SCRAPY_FAST], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
        reader.start()
        result: dict = {"ok": False}
        try:
            deadline = t_start + timeout
            while time.monotonic() < deadline and proc.poll() is None:
                if crawled(db, "washingtonpost") and crawled(db, "kremlin-en"):
                    break
                time.sleep(0.1)
            else:
                result["error"] = f"daemon never crawled both feeds (exit {proc.poll()})"
                return result
            result["startup_s"] = time.monotonic() - t_start
            if phase == "worst":
                if not wait_for_fetch(server, "/kremlin/feed.atom", proc, time.monotonic() + timeout):
                    result["error"] = "the daemon stopped fetching the Kremlin feed"
                    return result
            else:
                time.sleep(random.uniform(0, interval))
            early = len(receiver.posts)
            server.set_route("/kremlin/feed.atom", full, content_type="application/atom+xml")
            t0 = time.monotonic()
            result["swapped_at"] = time.strftime("%H:%M:%S")
            while time.monotonic() < t0 + timeout and proc.poll() is None:
                if len(receiver.posts) > early:
                    break
                time.sleep(0.02)
            if len(receiver.posts) <= early:
                result["error"] = f"no alert within {timeout:.0f}s (daemon exit {proc.poll()})"
                return result
            arrived, body = receiver.posts[early]
            result.update(ok=True, latency_s=arrived - t0, title=str(body.get("title", ""))[:80],
                          early_posts=early, crawls=crawl_durations(db))
            return result
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            reader.join(timeout=2)
            if verbose or not result.get("ok"):
                print(f"  daemon log (last 25 lines); denial published at {result.get('swapped_at')}:")
                for line in lines[-25:]:
                    print("    " + line.rstrip()[:200])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--interval", type=float, default=10.0, help="schedule of both sources, seconds (default 10)")
    ap.add_argument("--trials", type=int, default=1)
    ap.add_argument("--phase", choices=("worst", "random"), default="worst",
                    help="publish the denial just after a fetch (worst, default) or at a random moment")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    target = args.interval + 2
    latencies = []
    for i in range(args.trials):
        with tempfile.TemporaryDirectory(prefix="bench-alert-") as tmp:
            r = one_trial(args.interval, args.timeout, Path(tmp), args.verbose, args.phase)
        if not r["ok"]:
            print(f"  trial {i + 1}: FAILED: {r.get('error')}")
            continue
        crawls = r["crawls"]
        print(f"  trial {i + 1}: latency {r['latency_s']:.2f}s (daemon up and both feeds crawled after "
              f"{r['startup_s']:.1f}s; crawl durations median "
              f"{sorted(crawls)[len(crawls) // 2] if crawls else float('nan'):.2f}s over {len(crawls)} crawls; "
              f"alerts before the denial: {r['early_posts']}) title={r['title']!r}", flush=True)
        latencies.append(r["latency_s"])
    print()
    if not latencies:
        print("RESULT time to alert: no successful trial: FAIL")
        return 1
    worst = max(latencies)
    print(f"{'measure':34} {'seconds':>8} {'ratio':>7}")
    print(f"phase: {args.phase} ({'denial published just after a fetch' if args.phase == 'worst' else 'random'})")
    print(f"{'target: interval + 2 s':34} {target:>8.2f} {1:>7.2f}")
    print(f"{'time to alert, worst of ' + str(len(latencies)):34} {worst:>8.2f} {worst / target:>7.2f}")
    if len(latencies) > 1:
        print(f"{'time to alert, mean':34} {sum(latencies) / len(latencies):>8.2f} "
              f"{sum(latencies) / len(latencies) / target:>7.2f}")
    print(f"RESULT time to alert {worst:.2f}s (target <= {target:g}s): {'PASS' if worst <= target else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
