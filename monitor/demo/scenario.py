"""``monitor demo``: the bundled November 2024 scenario, end to end, on 127.0.0.1.

A ``FixtureServer`` serves the feeds in ``monitor/demo/site/`` (texts written for the
demo); the real ``feed`` spider crawls them through ``monitor.collect.crawl.crawl_once`` into a
temporary archive, one source at a time in story order (the outlet's report, then the
Kremlin's denial, then the agency's coverage); detection, matching and alert queueing
run in the crawl as in production, and ``send_pending`` delivers the alert: to the terminal, or to the
configured Apprise URLs. No network and no configuration needed.

It must not touch the user's archive: it works in a temporary folder (or ``workdir``).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from monitor.alerts.delivery import RetryPolicy, send_pending
from monitor.config import SourceConfig
from monitor.alerts.notifier import Notifier

SITE = Path(__file__).with_name("site")


@dataclass
class DemoResult:
    ok: bool
    documents: int
    denials: int
    matches: int
    alerts_sent: int
    archive: Path | None
    seconds: float


def demo_sources(base_url: str) -> list[SourceConfig]:
    """The demo catalogue: three feeds on the local fixture server."""
    opts = {"fetch_articles": False}
    return [
        SourceConfig(name="washingtonpost", spider="feed", url=f"{base_url}/washingtonpost/feed.xml", role="media",
                     lang="en", every_s=1800, options=dict(opts), origin="demo"),
        SourceConfig(name="kremlin-en", spider="feed", url=f"{base_url}/kremlin/feed.atom", role="official",
                     lang="en", every_s=600, options=dict(opts), origin="demo"),
        SourceConfig(name="tass-en", spider="feed", url=f"{base_url}/tass/feed.xml", role="media",
                     lang="en", every_s=600, options=dict(opts), origin="demo"),
    ]


def run_demo(notifier: Notifier, *, workdir: Path | None = None,
             echo: Callable[[str], None] = print) -> DemoResult:
    """Replay the scenario; return counts. ``ok`` is True when an alert was delivered."""
    from monitor.collect.crawl import crawl_once
    from monitor.demo.fixture_server import FixtureServer
    from monitor.store import Store

    started = time.monotonic()
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="monitor-demo-")
        folder = Path(tmp.name)
    else:
        folder = Path(workdir)
        folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "demo.db"
    try:
        with FixtureServer(SITE) as server:
            sources = {s.name: s for s in demo_sources(server.base_url)}
            echo(f"Demo: fixture feeds served at {server.base_url} (no network); archive {db_path}")
            steps = (
                ("1. An outlet reports a Trump-Putin phone call", ["washingtonpost"]),
                ("2. The Kremlin's spokesman denies it; a news agency covers the denial", ["kremlin-en", "tass-en"]),
            )
            for label, names in steps:
                echo(label)
                # One crawl per source, in story order: sources crawled together are
                # processed in whatever order their responses arrive, and the alert
                # quotes the denial that reached the archive first.
                outcomes = [o for n in names
                            for o in crawl_once(db_path, [sources[n]], queue_alerts=True, time_limit=60,
                                                kill_grace=5, settings={"DOWNLOAD_DELAY": 0,
                                                                        "AUTOTHROTTLE_ENABLED": False,
                                                                        "ROBOTSTXT_OBEY": False})]
                for o in outcomes:
                    echo(f"   crawled {o.source}: {o.status}, {o.items_new} new documents"
                         + (f" ({o.error})" if o.error else ""))
        with Store.open(db_path) as store:
            counts = (store.count_documents(), store.count_denials(), store.count_matches())
            # Counts that mean what they say (issue 19): documents and reports, not rows.
            denial_docs, reports = store.count_denial_documents(), store.count_contradicted_reports()
            echo(f"3. Detection and matching: {counts[0]} documents; {counts[1]} denials in {denial_docs} "
                 f"document{'s' if denial_docs != 1 else ''}; {reports} contradicted "
                 f"report{'s' if reports != 1 else ''} ({counts[2]} denial-report matches)")
            if notifier.is_console:
                echo("4. The alert, as analysts would receive it (set APPRISE_URLS to send it to Slack or email):")
            else:
                echo(f"4. Sending the alert to {len(notifier.services)} configured service(s): "
                     + ", ".join(notifier.masked_urls()))
            report = send_pending(store, notifier, force=True, policy=RetryPolicy(max_attempts=1))
            for _alert_id, target, ok, error in report.results:
                if not notifier.is_console:
                    echo(f"   {'ok' if ok else 'FAILED'} {target}{'  ' + error if error else ''}")
        seconds = time.monotonic() - started
        echo(f"\nDemo finished in {seconds:.1f} s: {report.sent} alert(s) delivered"
             + ("" if tmp is None else "; the temporary archive is deleted (keep it with --keep DIR)") + ".")
        return DemoResult(ok=report.sent > 0 and not report.retried and not report.failed, documents=counts[0],
                          denials=counts[1], matches=counts[2], alerts_sent=report.sent,
                          archive=None if tmp else db_path, seconds=seconds)
    finally:
        if tmp is not None:
            tmp.cleanup()
