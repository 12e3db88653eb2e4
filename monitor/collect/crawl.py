"""Run the spiders once for some sources; the only module that knows the reactor.

Design: ONE CHILD PROCESS PER CRAWL. ``crawl_once`` (synchronous, safe to call from
the CLI or from a daemon's worker thread) starts ``python -m monitor.collect.crawl
REQUEST.json``; the child runs one Scrapy ``AsyncCrawlerProcess`` with one spider per
source, concurrently, and exits. Why not one long-lived in-process reactor:

- a Twisted reactor cannot be restarted (``ReactorNotRestartable``, scrapy#2941), and
  sharing one with APScheduler has several silent-failure traps (STACK-NOTES §2);
- a hung or runaway crawl (a trickling server, a parser loop, a leak) can be killed
  outright, and its memory is returned to the system; the daemon survives it;
- the cost, ~1 s of interpreter start-up per crawl, is nothing at 5-minute intervals.

Bounds: ``CLOSESPIDER_TIMEOUT`` (``time_limit``) closes each spider gracefully; the
parent sends SIGTERM ``KILL_GRACE_S`` later (Scrapy then shuts down cleanly and still
records what it has), and SIGKILL if the child has not exited ``KILL_GRACE_S`` after
that. Each request is bounded by ``DOWNLOAD_TIMEOUT`` and retried with backoff.

Bookkeeping: the child writes one ``crawl_runs`` row per source as its spider closes
(``Store.record_crawl``) and prints the outcome as a JSON line on stdout, which the
parent relays to ``on_outcome`` (progress) and returns. Sources for which the child
produced no outcome (killed, crashed) are recorded by the parent as failed. One
broken source (HTTP 500, timeout, garbage, markup yielding nothing) never stops the
others: spiders are independent within the child. A 200 that yields no item is
"suspect" (likely a markup change) and logged as a warning.

This module must not parse pages or write documents itself: spiders extract, the
pipeline archives (``spiders.pipelines``), the store runs SQL.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from monitor.config import SourceConfig
from monitor.errors import ConfigError, CrawlError
from monitor.logsetup import log_json_enabled
from monitor.store.crawls import CrawlOutcome
from monitor.timeutil import now_iso

# Named, not __name__: the crawl child runs this module as __main__.
log = logging.getLogger("monitor.collect.crawl")

#: Default whole-crawl limit in seconds (per crawl, all sources in parallel).
DEFAULT_TIME_LIMIT_S = 600.0
#: Seconds between the spiders' own time limit and SIGTERM, and between SIGTERM and SIGKILL.
KILL_GRACE_S = 30.0
#: Prefix of the child's outcome lines on stdout.
OUTCOME_PREFIX = "@@outcome "


def spider_classes() -> dict[str, type]:
    """Spider name -> class, from the ``spiders`` package (Scrapy's SpiderLoader)."""
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    loader = SpiderLoader.from_settings(settings)
    return {name: loader.load(name) for name in loader.list()}


def check_sources(sources: Iterable[SourceConfig], classes: dict[str, type] | None = None) -> None:
    """Fail early on an unknown spider or a bad option value: one ConfigError naming every culprit."""
    classes = spider_classes() if classes is None else classes
    problems: list[str] = []
    for src in sources:
        cls = classes.get(src.spider)
        if cls is None:
            problems.append(f"{src.origin or src.name}: unknown spider {src.spider!r} "
                            f"(known: {', '.join(sorted(classes))})")
            continue
        try:
            spider = cls(source=src)
        except ValueError as exc:
            problems.append(f"{src.origin or src.name}: {exc}")
            continue
        checks: list[tuple[Callable[[str], Any], str]] = [(spider.option_tz, "tz_fix")]
        if "depth" in spider.default_options:
            checks.append((spider.option_int, "depth"))
        if "tz" in spider.default_options:
            checks.append((spider.option_tz, "tz"))
        for check, key in checks:
            try:
                check(key)
            except ValueError as exc:
                problems.append(f"{src.origin or src.name}: {exc}")
    if problems:
        raise ConfigError("\n".join(problems), problems=problems)


def load_checked_catalogue(paths: Iterable[str | os.PathLike[str]]) -> list[SourceConfig]:
    """The catalogue at ``paths`` with every spider, option name and option value checked.

    What every command that reads the catalogue uses, so that a typo (an unknown spider,
    ``fetch_artciles``) fails at load, all problems at once, not at the first crawl.
    """
    from monitor.config import load_catalogue

    classes = spider_classes()
    options = {name: frozenset(getattr(cls, "default_options", {})) for name, cls in classes.items()}
    sources = load_catalogue([Path(p) for p in paths], spider_options=options)
    check_sources(sources, classes)
    return sources


def crawl_once(
    db_path: str | os.PathLike[str],
    sources: Sequence[SourceConfig],
    *,
    settings: dict[str, Any] | None = None,
    queue_alerts: bool = False,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    on_outcome: Callable[[CrawlOutcome], None] | None = None,
    stop: threading.Event | None = None,
    kill_grace: float = KILL_GRACE_S,
    check: bool = False,
    process: bool = True,
) -> list[CrawlOutcome]:
    """Crawl ``sources`` once in a child process; return one outcome per source, in order.

    The child stores what it finds (issue 16: storing is its own stage); with
    ``process`` this process then drains the backlog (detection, matching, alerts when
    ``queue_alerts``) before returning. The daemon passes ``process=False``: its own
    processing job drains the backlog continuously.

    ``settings`` overrides Scrapy settings (tests use short timeouts and no delays).
    ``stop`` (set from another thread, e.g. on SIGTERM) ends the crawl early and
    gracefully. With ``check`` (``monitor sources --check``) nothing is archived: each
    source's entry page and one link are fetched and ``outcome.check`` says what they
    held (``spiders.check``); pass a throwaway ``db_path``, crawl runs are recorded there.
    Raises ``ConfigError`` for an unknown spider or bad option, and
    ``CrawlError`` if the child cannot be started at all; a failing source is an
    outcome, not an exception.
    """
    sources = list(sources)
    if not sources:
        return []
    check_sources(sources)
    from monitor.store import Store

    db_path = Path(db_path)
    with Store.open(db_path) as store:
        store.sync_sources(sources)
    request = {
        "db": str(db_path),
        "sources": [_source_to_json(s) for s in sources],
        "settings": dict(settings or {}),
        "queue_alerts": queue_alerts,
        "time_limit": time_limit,
        "contact": os.environ.get("MONITOR_CONTACT", ""),
        "log_level": logging.getLevelName(logging.getLogger().getEffectiveLevel()),
        # The child logs through the same configuration as its parent (issue 17).
        "log_json": log_json_enabled(),
        "check": check,
    }
    outcomes: dict[str, CrawlOutcome] = {}
    with tempfile.TemporaryDirectory(prefix="monitor-crawl-") as tmp:
        request_path = Path(tmp) / "request.json"
        request_path.write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "monitor.collect.crawl", str(request_path)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            )
        except OSError as exc:
            raise CrawlError(f"cannot start the crawler process: {exc}") from exc

        def read_outcomes() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                if not line.startswith(OUTCOME_PREFIX):
                    sys.stderr.write(line)
                    continue
                try:
                    outcome = CrawlOutcome(**json.loads(line[len(OUTCOME_PREFIX):]))
                except (TypeError, ValueError):
                    log.warning("unreadable outcome line from crawler: %r", line[:200])
                    continue
                outcomes[outcome.source] = outcome
                if on_outcome:
                    on_outcome(outcome)

        reader = threading.Thread(target=read_outcomes, name="crawl-outcomes", daemon=True)
        reader.start()
        try:
            ended_by = _supervise(proc, deadline=started + time_limit + kill_grace, stop=stop, grace=kill_grace)
            reader.join(timeout=10)
        finally:
            if proc.poll() is None:  # only if _supervise itself failed
                proc.kill()
                proc.wait()
            if not reader.is_alive() and proc.stdout is not None:
                proc.stdout.close()
    missing = [s for s in sources if s.name not in outcomes]
    if missing:
        reason = ended_by or f"crawler process exited with status {proc.returncode} before finishing"
        with Store.open(db_path) as store:
            for src in missing:
                outcome = CrawlOutcome(source=src.name, started_at=now_iso(), finished_at=now_iso(),
                                       status="aborted" if ended_by == STOPPED else "failed", error=reason,
                                       duration_s=round(time.monotonic() - started, 3))
                store.record_crawl(outcome)
                outcomes[src.name] = outcome
                if on_outcome:
                    on_outcome(outcome)
    if process and not check and not (stop and stop.is_set()):
        from monitor.process import drain_backlog

        with Store.open(db_path) as store:
            drain_backlog(store, stop=stop, stale=False)
    return [outcomes[s.name] for s in sources]


#: Why a crawl child was ended when the caller asked it to stop (daemon shutdown).
STOPPED = "crawl stopped (shutdown requested)"


def _supervise(proc: subprocess.Popen[str], *, deadline: float, stop: threading.Event | None,
               grace: float) -> str | None:
    """Wait for the child; SIGTERM it at the deadline or on ``stop``, SIGKILL after ``grace``.

    Returns why it was ended, or None if it exited by itself.
    """
    reason: str | None = None
    try:
        while proc.poll() is None:
            if stop is not None and stop.is_set():
                reason = STOPPED
            elif time.monotonic() >= deadline:
                reason = "crawl killed: time limit exceeded"
            if reason:
                break
            try:
                proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        reason = "crawl interrupted"
    if proc.poll() is None and reason:
        log.warning("stopping crawler pid=%s reason=%s", proc.pid, reason)
        proc.terminate()  # Scrapy shuts down gracefully on the first SIGTERM
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.error("crawler did not stop, killing pid=%s", proc.pid)
            proc.kill()
            proc.wait()
    return reason


def _source_to_json(src: SourceConfig) -> dict[str, Any]:
    data = asdict(src)
    return data


# ----------------------------------------------------------------------------------
# The child process: everything below runs only in ``python -m monitor.collect.crawl``.


class _SourceRun:
    """Turns one spider's stats into its ``crawl_runs`` row when the spider closes."""

    def __init__(self, store: Any, source: SourceConfig, crawler: Any, time_limit: float) -> None:
        self.store = store
        self.source = source
        self.crawler = crawler
        self.time_limit = time_limit
        self.started_at = now_iso()
        self.started = time.monotonic()
        self.done = False
        #: Starts the next source of the same site when this one closes (see ``run_child``).
        self.next_of_site: Callable[[Any, str], None] | None = None
        #: Check mode (``monitor sources --check``): report what was found, archive nothing.
        self.check = False

    def seen(self, url: str) -> bool:
        return self.store.get_document_by_url(url) is not None

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        outcome = outcome_from_stats(self.source.name, stats, reason,
                                     started_at=self.started_at, time_limit=self.time_limit)
        outcome.duration_s = round(time.monotonic() - self.started, 3)
        if self.check:
            outcome.check = check_report(stats, spider.name)
            if outcome.status == "suspect" and (outcome.check["items"] or outcome.check["links"]):
                outcome.status, outcome.error = "ok", None  # nothing archived on purpose
        if outcome.status == "ok" and getattr(spider, "new_validators", None):
            v = spider.new_validators
            self.store.save_http_validators(self.source.name, v.get("etag"), v.get("last_modified"))
        if outcome.status == "suspect":
            log.warning("suspect crawl: no items from a %s response (markup changed?) source=%s url=%s",
                        outcome.http_status, self.source.name, self.source.url)
        self.store.record_crawl(outcome)
        self.done = True
        sys.stdout.write(OUTCOME_PREFIX + json.dumps(asdict(outcome), ensure_ascii=False) + "\n")
        sys.stdout.flush()


def check_report(stats: dict[str, Any], spider_name: str) -> dict[str, Any]:
    """What a check pass found (``spiders.check`` stats), with the shape it recognised. Pure."""
    items, links = int(stats.get("check/items", 0)), int(stats.get("check/links", 0))
    if stats.get("source/error"):
        shape = None
    elif spider_name == "feed":
        shape = "feed" if items or links or stats.get("source/http_status") == 200 else None
    else:
        shape = "listing" if items or links else None
    return {
        "shape": shape, "items": items, "links": links, "newest": stats.get("check/newest"),
        "followed": stats.get("check/followed"),
        "article": bool(stats.get("check/article")) if stats.get("check/followed") else None,
    }


def outcome_from_stats(source: str, stats: dict[str, Any], reason: str, *, started_at: str,
                       time_limit: float | None = None) -> CrawlOutcome:
    """Classify one source's crawl from its spider stats (see ``spiders.base``). Pure."""
    skipped = int(stats.get("source/skipped_known", 0))
    seen = int(stats.get("pipeline/seen", 0)) + skipped
    errors = int(stats.get("source/errors", 0))
    outcome = CrawlOutcome(
        source=source, started_at=started_at, finished_at=now_iso(),
        http_status=stats.get("source/http_status"),
        items_seen=seen,
        items_new=int(stats.get("pipeline/new", 0)),
        items_updated=int(stats.get("pipeline/updated", 0)),
        items_unchanged=int(stats.get("pipeline/unchanged", 0)) + skipped,
        items_rejected=int(stats.get("pipeline/rejected", 0)),
    )
    first_error = stats.get("source/first_error")
    if stats.get("source/error"):
        outcome.status, outcome.error = "failed", str(stats["source/error"])
    elif stats.get("source/not_modified"):
        outcome.status = "not_modified"
    elif reason == "closespider_timeout":
        outcome.status = "failed"
        outcome.error = f"time limit reached ({time_limit:g} s); kept what was fetched" if time_limit else \
            "time limit reached"
    elif reason == "shutdown":  # we stopped it (SIGTERM): neither a success nor the source's failure
        outcome.status, outcome.error = "aborted", "stopped by shutdown; kept what was fetched"
    elif reason not in ("finished",):
        outcome.status, outcome.error = "failed", f"crawl ended early ({reason})"
    elif seen == 0 and errors:
        outcome.status, outcome.error = "failed", f"all {errors} request(s) failed; first: {first_error}"
    elif seen == 0:
        outcome.status = "suspect"
        outcome.error = f"no items from a {outcome.http_status} response (markup changed?)"
    else:
        outcome.status = "ok"
        if errors:
            outcome.error = f"{errors} request(s) failed; first: {first_error}"
    return outcome


def build_settings(request: dict[str, Any]) -> Any:
    """Scrapy settings for the child: project defaults + run-time values + overrides."""
    from scrapy.settings import Settings

    from spiders.settings import user_agent

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.set("USER_AGENT", user_agent(request.get("contact")), priority="project")
    settings.set("MONITOR_DB", request["db"], priority="project")
    settings.set("MONITOR_QUEUE_ALERTS", bool(request.get("queue_alerts")), priority="project")
    settings.set("CLOSESPIDER_TIMEOUT", float(request.get("time_limit") or DEFAULT_TIME_LIMIT_S), priority="project")
    settings.set("LOG_LEVEL", request.get("log_level") or "INFO", priority="project")
    for key, value in (request.get("settings") or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def site_chains(sources: Sequence[SourceConfig]) -> list[list[SourceConfig]]:
    """Sources grouped by declared ``site``, in catalogue order; one group per source without one.

    Politeness per site, not per source (issue 17): in one crawl the sources of a site
    run one after another (Scrapy's download slots and delays belong to one spider, so
    three mid.ru spiders at once were three slots); different sites run in parallel.
    The daemon already gives a site's sources turns across crawls (``Daemon._site_turn``).
    """
    groups: dict[str, list[SourceConfig]] = {}
    for src in sources:
        groups.setdefault(f"site:{src.site}" if src.site else f"source:{src.name}", []).append(src)
    return list(groups.values())


def run_child(request_path: str) -> int:
    """Entry point of the child process; returns its exit status."""
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess

    from monitor.store import Store

    settings = build_settings(request)
    check = bool(request.get("check"))
    if check:  # one pass, nothing archived: spiders.check counts instead of the pipeline storing
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        settings.set("SPIDER_MIDDLEWARES", {**settings.getdict("SPIDER_MIDDLEWARES"), "spiders.check.CheckMiddleware": 950},
                     priority="cmdline")
    sources = [SourceConfig(**s) for s in request["sources"]]
    classes = spider_classes()
    process = AsyncCrawlerProcess(settings)
    from monitor.logsetup import configure_logging

    # After Scrapy's own logging setup, which would otherwise reset our levels.
    configure_logging(request.get("log_level") or "INFO", bool(request.get("log_json")), stream=sys.stderr)
    store = Store.open(request["db"])
    runs: list[_SourceRun] = []  # strong references: Scrapy's signals hold receivers weakly
    time_limit = settings.getfloat("CLOSESPIDER_TIMEOUT")

    def start(chain: list[SourceConfig]) -> None:
        src, rest = chain[0], chain[1:]
        crawler = process.create_crawler(classes[src.spider])
        run = _SourceRun(store, src, crawler, time_limit)
        run.check = check
        runs.append(run)
        crawler.signals.connect(run.spider_closed, signal=signals.spider_closed)
        if rest:
            # The next source of the site starts as this one closes: its crawl is tracked
            # before this one's ends, so the process keeps running until the chain is done.
            def next_of_site(spider: Any, reason: str) -> None:
                if reason != "shutdown":
                    start(rest)

            run.next_of_site = next_of_site  # held here: Scrapy's signals hold receivers weakly
            crawler.signals.connect(next_of_site, signal=signals.spider_closed)
        if check:  # a full fetch (no conditional GET), known articles included
            process.crawl(crawler, source=src, seen=lambda url: False, validators={})
        else:
            process.crawl(crawler, source=src, seen=run.seen, validators=store.http_validators(src.name))

    for chain in site_chains(sources):
        start(chain)
    process.start()
    status = 0
    for run in runs:
        if not run.done:
            log.error("spider did not report an outcome source=%s", run.source.name)
            status = 1
    store.close()
    return status


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: python -m monitor.collect.crawl REQUEST.json (started by monitor.collect.crawl.crawl_once)\n")
        sys.exit(2)
    sys.exit(run_child(sys.argv[1]))
