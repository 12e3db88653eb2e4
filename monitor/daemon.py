"""``monitor run``: crawl every source on its schedule until SIGTERM/SIGINT.

APScheduler 3 ``BackgroundScheduler`` with two thread pools: ``crawls`` runs one job
per source (``max_instances=1``, missed runs coalesced, a misfire grace of one
interval); ``housekeeping`` runs the heartbeat, alert delivery and the daily digest,
so a saturated crawl pool never starves the heartbeat. The crawl itself is an
injected function (``crawl(db_path, [source]) -> [CrawlOutcome]``, normally
``monitor.collect.crawl.crawl_once``, which runs Scrapy in a child process, records the
``crawl_runs`` row and stores new documents); a processing job drains the backlog
(``monitor.process``) every second and whenever a crawl stored something; this module
never touches Scrapy or the Twisted reactor.

After each run the daemon decides when the source runs next (``backoff.py``: the
schedule on success, exponential backoff after failures), records it in
``sources.next_run_at``, and wakes alert delivery when documents were added.

Stopping (issue 4): a signal pauses scheduling; running work gets ``stop_grace_s``
to finish, then child crawl processes get SIGTERM (and SIGKILL 2 s later). SQLite
transactions keep the archive consistent whatever is interrupted; the outbox and
idempotent upserts make a restart pick up where this one stopped.

It must not: sleep in a loop, keep module-level state, or run SQL itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from monitor.collect.backoff import BackoffPolicy, cron_interval_s, first_run_at, jitter_s, retry_at
from monitor.config import SourceConfig, parse_duration
from monitor.errors import ConfigError
from monitor.store import Store
from monitor.store.crawls import CrawlOutcome
from monitor.timeutil import format_timestamp, parse_timestamp, utcnow

log = logging.getLogger(__name__)

UTC = dt.timezone.utc
#: Seconds before a source whose ``site`` was busy tries again.
SITE_RETRY_S = 5.0
#: How often the main thread looks for a stop signal (see ``run_forever``).
SIGNAL_POLL_S = 0.2
#: Seconds an aborted crawl gets to stop its child before the daemon SIGKILLs it.
ABORT_GRACE_S = 2.5

#: ``crawl(db_path, sources, abort) -> outcomes``: must record each outcome in
#: ``crawl_runs``, and should end early (gracefully) once ``abort`` is set.
CrawlFunc = Callable[[Path, Sequence[SourceConfig], threading.Event], list[CrawlOutcome]]


@dataclass(frozen=True)
class DaemonSettings:
    """Tunables, read once from the environment at startup (``from_env``)."""

    #: Heartbeat period; ``monitor status`` calls a daemon dead after 3 missed beats.
    heartbeat_s: float = 30.0
    #: How often pending alerts (retries included) are delivered, besides after each crawl.
    alerts_every_s: float = 60.0
    #: Daily digest schedule (crontab, UTC).
    digest_cron: str = "0 7 * * *"
    #: Crawls running at once (each is a child process).
    max_crawls: int = 4
    #: On SIGTERM: seconds running work may take to finish before crawls are aborted
    #: (then ``ABORT_GRACE_S`` for the crawl child to stop, then SIGKILL): 5 + 2.5 + 1 < 10 s.
    stop_grace_s: float = 5.0
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)
    #: How often the backlog is looked at when no crawl wakes processing (issue 16).
    process_every_s: float = 1.0
    #: Processing worker processes for a large backlog; None: the machine's cores.
    workers: int | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | os._Environ[str] | None = None) -> "DaemonSettings":
        env = os.environ if env is None else env

        def duration(var: str, default: float) -> float:
            raw = env.get(var)
            if not raw:
                return default
            try:
                return parse_duration(raw)
            except ValueError as exc:
                raise ConfigError(f"environment variable {var}: {exc}") from None

        from monitor.alerts.digest import digest_cron as read_digest_cron

        digest_cron = read_digest_cron(env)
        raw_crawls = env.get("MONITOR_MAX_CRAWLS") or str(cls.max_crawls)
        if not raw_crawls.isdigit() or int(raw_crawls) < 1:
            raise ConfigError(f"environment variable MONITOR_MAX_CRAWLS: expected a positive integer, got {raw_crawls!r}")
        raw_workers = env.get("MONITOR_WORKERS") or ""
        if raw_workers and (not raw_workers.isdigit() or int(raw_workers) < 1):
            raise ConfigError(f"environment variable MONITOR_WORKERS: expected a positive integer, got {raw_workers!r}")
        return cls(
            process_every_s=duration("MONITOR_PROCESS_EVERY", cls.process_every_s),
            workers=int(raw_workers) if raw_workers else None,
            heartbeat_s=duration("MONITOR_HEARTBEAT", cls.heartbeat_s),
            alerts_every_s=duration("MONITOR_ALERTS_EVERY", cls.alerts_every_s),
            digest_cron=digest_cron,
            max_crawls=int(raw_crawls),
            stop_grace_s=duration("MONITOR_STOP_GRACE", cls.stop_grace_s),
            backoff=BackoffPolicy(max_delay_s=duration("MONITOR_BACKOFF_MAX", BackoffPolicy.max_delay_s)),
        )


@dataclass(frozen=True)
class AlertHooks:
    """How the daemon reaches the alerts module; ``None`` parts are skipped.

    ``deliver(store)`` sends what is due from the outbox; ``digest(store, now)`` queues
    the daily digest (delivery follows). Built by ``default_alert_hooks``; tests inject.
    """

    deliver: Callable[[Store], Any] | None = None
    digest: Callable[[Store, dt.datetime], Any] | None = None


def default_alert_hooks(env: dict[str, str] | None = None) -> AlertHooks:
    """``send_pending`` (``monitor.alerts.delivery``) with the configured notifier, and ``queue_digest``
    (``monitor.alerts.digest``).

    The environment is read once, here: a bad ``APPRISE_URLS``, Apprise config file or
    retry setting fails now (``ConfigError``, exit 2), not at the first alert.
    """
    from monitor.alerts.delivery import RetryPolicy, notifier_from_env, send_pending
    from monitor.alerts.digest import queue_digest

    snapshot = dict(os.environ if env is None else env)
    policy = RetryPolicy.from_env(snapshot)
    notifier = notifier_from_env(snapshot)
    notifier.check_routes()  # a tag no service receives fails now, not at the first alert (issue 17)
    log.info("alerts configured services=%s", ", ".join(notifier.masked_urls()) or "console (stdout)")

    def deliver(store: Store) -> Any:
        # A fresh notifier per delivery round (STYLE: one Apprise object per delivery).
        return send_pending(store, notifier_from_env(snapshot), policy=policy)

    return AlertHooks(deliver=deliver, digest=queue_digest)


def default_crawl(settings: dict[str, Any] | None = None, time_limit: float | None = None) -> CrawlFunc:
    """``monitor.collect.crawl.crawl_once``: a child process per call; records runs, processes documents.

    Alerts are queued (the daemon delivers them); ``abort`` makes the child stop early.
    ``settings`` override Scrapy settings; ``time_limit`` bounds each crawl (seconds).
    """
    from monitor.collect.crawl import DEFAULT_TIME_LIMIT_S, crawl_once

    overrides = dict(settings or {})
    limit = time_limit or DEFAULT_TIME_LIMIT_S

    def crawl(db_path: Path, sources: Sequence[SourceConfig], abort: threading.Event) -> list[CrawlOutcome]:
        # Store only: the daemon's processing job drains the backlog (issue 16).
        return list(crawl_once(db_path, list(sources), settings=overrides, queue_alerts=True,
                               time_limit=limit, stop=abort, process=False))

    return crawl


class Daemon:
    """The scheduler, its jobs and their shutdown. ``start()``/``stop()``, or ``run_forever()``."""

    def __init__(
        self,
        db_path: Path,
        sources: Sequence[SourceConfig],
        crawl: CrawlFunc,
        *,
        settings: DaemonSettings | None = None,
        alerts: AlertHooks | None = None,
        schedules_label: str = "",
        rng: random.Random | None = None,
    ) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self.db_path = Path(db_path)
        self.sources = {s.name: s for s in sources if s.enabled}
        self.disabled = [s.name for s in sources if not s.enabled]
        self.crawl = crawl
        self.settings = settings or DaemonSettings()
        self.alerts = alerts or AlertHooks()
        self.schedules_label = schedules_label
        self.rng = rng or random.Random()
        self._stopping = threading.Event()
        #: Set when running crawls must end now (the stop grace is over).
        self._abort = threading.Event()
        self._idle = threading.Condition()
        #: One lock per declared ``site``: its sources take turns (see ``_site_turn``).
        self._site_locks = {src.site: threading.Lock() for src in self.sources.values() if src.site}
        #: Per site, the crawl jobs that found it busy, first come first served.
        self._site_waiting: dict[str, list[str]] = {site: [] for site in self._site_locks}
        self._running = 0
        self._started = False
        self._skip_filter = _ExpectedSkips()
        self._stopped = False
        #: the processing stage's worker processes, once a backlog called for them (``_worker_pool``)
        self._pool: Any = None
        self._models_loaded = False
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={
                "crawls": ThreadPoolExecutor(self.settings.max_crawls),
                "housekeeping": ThreadPoolExecutor(3),
                # one processing job: SQLite has one writer, and the job has its own worker processes
                "processing": ThreadPoolExecutor(1),
            },
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    # -- schedule -----------------------------------------------------------------

    def interval_s(self, src: SourceConfig) -> float:
        """A source's nominal spacing: its ``every``, or the spacing of its cron."""
        if src.cron:
            return cron_interval_s(src.cron, utcnow())
        return src.interval_s

    def _trigger(self, src: SourceConfig) -> Any:
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        interval = self.interval_s(src)
        if src.cron:
            return CronTrigger.from_crontab(src.cron, timezone=UTC)
        # APScheduler only ever adds jitter: start from the interval less the jitter, so runs
        # still spread out but two polls are never further apart than the declared ``every``
        # (the bound an analyst reads as "a denial reaches me within one interval").
        spread = jitter_s(interval)
        return IntervalTrigger(seconds=interval - spread, timezone=UTC, jitter=spread or None)

    def start(self) -> None:
        """Record the catalogue and the daemon, schedule every job, start the scheduler."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        now = utcnow()
        # Hold one connection open for the daemon's life: SQLite deletes the -wal and
        # -shm files when the last connection closes, and a read-only reader (the
        # Datasette UI on a read-only mount) cannot open a WAL database without them.
        self._keeper: Store | None = Store.open(self.db_path, migrate=True)
        self._keeper.count_documents()  # a first read creates the -shm file
        with self._store(migrate=True) as store:
            store.sync_sources(list(self.sources.values()))
            health = {row["name"]: row for row in store.source_health()}
            store.record_daemon_start(heartbeat_s=self.settings.heartbeat_s, sources=len(self.sources),
                                      schedules=self.schedules_label)
            for name, src in self.sources.items():
                interval = self.interval_s(src)
                stored = health.get(name, {}).get("next_run_at")
                stored_dt = _parse_or_none(stored)
                if src.cron:
                    first = self._trigger(src).get_next_fire_time(None, now)
                    if stored_dt is not None and stored_dt > first:
                        first = min(stored_dt, now + dt.timedelta(seconds=self.settings.backoff.cap_s(interval)))
                else:
                    first = first_run_at(now, interval, self.rng, stored_dt, self.settings.backoff)
                self.scheduler.add_job(
                    self._run_source, self._trigger(src), args=[name], id=f"crawl:{name}", name=f"crawl {name}",
                    executor="crawls", next_run_time=first, misfire_grace_time=max(1, int(interval)),
                )
                store.set_next_run(name, format_timestamp(first))
                failures = int(health.get(name, {}).get("consecutive_failures") or 0)
                log.info("scheduled source=%s spider=%s schedule=%s first_run=%s failures=%d url=%s",
                         name, src.spider, src.schedule_text, first.isoformat(timespec="seconds"), failures, src.url)
        for name in self.disabled:
            log.info("disabled source=%s", name)
        if not self.sources:
            log.warning("no enabled sources schedules=%s; only processing, alerts and digest will run", self.schedules_label)
        self.scheduler.add_job(self._heartbeat, IntervalTrigger(seconds=self.settings.heartbeat_s, timezone=UTC),
                               id="heartbeat", name="heartbeat", executor="housekeeping",
                               misfire_grace_time=max(1, int(self.settings.heartbeat_s)))
        self.scheduler.add_job(self._process_backlog,
                               IntervalTrigger(seconds=self.settings.process_every_s, timezone=UTC),
                               id="process", name="process backlog", executor="processing", next_run_time=now,
                               misfire_grace_time=max(1, int(self.settings.process_every_s)))
        if self.alerts.deliver is not None:
            self.scheduler.add_job(self._deliver_alerts,
                                   IntervalTrigger(seconds=self.settings.alerts_every_s, timezone=UTC),
                                   id="alerts", name="deliver alerts", executor="housekeeping",
                                   next_run_time=now, misfire_grace_time=max(1, int(self.settings.alerts_every_s)))
        if self.alerts.digest is not None:
            self.scheduler.add_job(self._queue_digest, CronTrigger.from_crontab(self.settings.digest_cron, timezone=UTC),
                                   id="digest", name="daily digest", executor="housekeeping",
                                   misfire_grace_time=3600)
        logging.getLogger("apscheduler.scheduler").addFilter(self._skip_filter)
        self.scheduler.start()
        self._started = True
        log.info("daemon started pid=%d sources=%d max_crawls=%d heartbeat=%gs digest_cron=%r alerts=%s db=%s",
                 os.getpid(), len(self.sources), self.settings.max_crawls, self.settings.heartbeat_s,
                 self.settings.digest_cron, "on" if self.alerts.deliver else "off", self.db_path)

    # -- jobs -----------------------------------------------------------------------

    @contextmanager
    def _store(self, migrate: bool = False) -> Iterator[Store]:
        # One connection per job and thread: sqlite3 connections are not shared across threads.
        store = Store.open(self.db_path, migrate=migrate)
        try:
            yield store
        finally:
            store.close()

    @contextmanager
    def _work(self) -> Iterator[bool]:
        """Count running work so ``stop`` can wait for it; yields False once stopping."""
        with self._idle:
            go = not self._stopping.is_set()
            if go:
                self._running += 1
        if not go:
            yield False
            return
        try:
            yield True
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def _run_source(self, name: str) -> None:
        """One crawl of one source, then plan its next run. Never raises."""
        with self._work() as go:
            if not go:
                return
            src = self.sources[name]
            with self._site_turn(src) as turn:
                if turn:
                    self._crawl_source(name, src)

    @contextmanager
    def _site_turn(self, src: SourceConfig) -> Iterator[bool]:
        """The source's turn on its ``site``: False while another source of the same site is
        being crawled; the waiting sources are woken in turn when it ends (and retry within a
        few seconds anyway). Never waits, so a busy site's sources hold no crawl threads
        that other sites need."""
        lock = self._site_locks.get(src.site or "")
        if lock is None:
            yield True
            return
        site, job_id = src.site or "", f"crawl:{src.name}"
        if not lock.acquire(blocking=False):
            with self._idle:
                if job_id not in self._site_waiting[site]:
                    self._site_waiting[site].append(job_id)
            log.info("site busy source=%s site=%s", src.name, site)
            self._retry_soon(job_id, SITE_RETRY_S)  # in case the wake-up below is missed
            yield False
            return
        try:
            with self._idle:
                if job_id in self._site_waiting[site]:
                    self._site_waiting[site].remove(job_id)
            yield True
        finally:
            lock.release()
            with self._idle:
                nxt = self._site_waiting[site].pop(0) if self._site_waiting[site] else None
            if nxt:
                self._wake(nxt)  # the longest-waiting source of the site goes next

    def _retry_soon(self, job_id: str, seconds: float) -> None:
        """Bring a job's next run forward to ``seconds`` from now (never push it back)."""
        job = self.scheduler.get_job(job_id)
        if job is None or self._stopping.is_set():
            return
        when = utcnow() + dt.timedelta(seconds=seconds)
        if job.next_run_time is None or when < job.next_run_time:
            try:
                self.scheduler.modify_job(job_id, next_run_time=when)
            except Exception:  # the job went away during shutdown
                log.debug("cannot reschedule job=%s", job_id)

    def _crawl_source(self, name: str, src: SourceConfig) -> None:
        """Crawl ``src`` now, record the outcome (also when the crawl crashes), plan its next run."""
        started = utcnow()
        t0 = time.monotonic()
        outcome: CrawlOutcome | None = None
        try:
            outcomes = self.crawl(self.db_path, [src], self._abort)
            outcome = next((o for o in outcomes if o.source == name), None)
            if outcome is None:
                raise RuntimeError("crawl returned no outcome for this source")
        except Exception as exc:  # a crawler bug or a dead child must not stop the daemon
            log.exception("crawl crashed source=%s", name)
            # A crawl that ends in an error because we aborted it is not the source's failure.
            outcome = CrawlOutcome(source=name, started_at=format_timestamp(started),
                                   finished_at=format_timestamp(utcnow()),
                                   status="aborted" if self._abort.is_set() else "failed",
                                   error=f"{type(exc).__name__}: {exc}"[:500],
                                   duration_s=round(time.monotonic() - t0, 3))
            try:
                with self._store() as store:
                    store.record_crawl(outcome)
            except Exception:
                log.exception("cannot record crawl source=%s", name)
        self._after_crawl(src, outcome, time.monotonic() - t0)

    def _after_crawl(self, src: SourceConfig, outcome: CrawlOutcome, elapsed: float) -> None:
        duration = outcome.duration_s if outcome.duration_s is not None else elapsed
        level = logging.WARNING if outcome.status == "failed" else logging.INFO
        log.log(level, "crawl source=%s status=%s new=%d updated=%d http=%s duration=%.2fs%s",
                src.name, outcome.status, outcome.items_new, outcome.items_updated,
                outcome.http_status if outcome.http_status is not None else "-", duration,
                f" error={outcome.error!r}" if outcome.error else "")
        if self._abort.is_set():
            # Stopped by us (recorded as "aborted", not as the source's failure): no backoff for
            # the next daemon to inherit; it starts the source soon, like any other.
            log.info("crawl aborted by shutdown source=%s", src.name)
            try:
                with self._store() as store:
                    store.set_next_run(src.name, None)
            except Exception:
                log.exception("cannot record next run source=%s", src.name)
            return
        try:
            with self._store() as store:
                failures = store.consecutive_failures(src.name)
                when = self._plan_next(src, failures)
                if when is not None:
                    store.set_next_run(src.name, format_timestamp(when))
        except Exception:
            log.exception("cannot plan next run source=%s", src.name)
            return
        if failures and when is not None and not self._stopping.is_set():
            log.warning("backoff source=%s failures=%d delay=%.1fs next_run=%s", src.name, failures,
                        (when - utcnow()).total_seconds(), when.isoformat(timespec="seconds"))
        if outcome.items_new or outcome.items_updated:
            self._wake("process")  # which wakes alert delivery again when it queued alerts
            self._wake("alerts")

    def _plan_next(self, src: SourceConfig, failures: int) -> dt.datetime | None:
        """The schedule's next run on success; after failures, no earlier than the backoff."""
        job = self.scheduler.get_job(f"crawl:{src.name}")
        if job is None:  # shutting down
            return None
        scheduled: dt.datetime | None = job.next_run_time
        if failures <= 0 or scheduled is None:
            return scheduled
        now = utcnow()
        interval = self.interval_s(src)
        earliest = retry_at(now, interval, failures, self.settings.backoff, self.rng)
        if src.cron:
            aligned = self._trigger(src).get_next_fire_time(None, earliest)
            earliest = aligned or earliest
        when = max(scheduled, earliest)
        if when != scheduled and not self._stopping.is_set():
            try:
                self.scheduler.modify_job(job.id, next_run_time=when)
            except Exception:  # the job went away during shutdown
                return None
        return when

    def _wake(self, job_id: str) -> None:
        if self._stopping.is_set() or self.scheduler.get_job(job_id) is None:
            return
        try:
            self.scheduler.modify_job(job_id, next_run_time=utcnow())
        except Exception:
            log.debug("cannot wake job=%s", job_id)

    def _process_backlog(self) -> None:
        """Drain the processing backlog (issue 16): new documents first; stops with the daemon."""
        from monitor.process import drain_backlog

        with self._work() as go:
            if not go:
                return
            if not self._models_loaded:
                self._load_models()
            try:
                with self._store() as store:
                    report = drain_backlog(store, workers=self.settings.workers, stop=self._stopping,
                                           pool=self._worker_pool(store))
            except Exception:
                log.exception("processing failed")
                return
        if report.documents:
            log.info("processed documents=%d denials=%d matches=%d alerts=%d failed=%d workers=%d duration=%.2fs",
                     report.documents, report.denials, report.matches, report.alerts, report.failed,
                     report.workers, report.seconds)
        if report.alerts:
            self._wake("alerts")

    def _load_models(self) -> None:
        """Load the embedding model at the first processing run, not when the first documents
        arrive: the daemon's memory settles at start (a soak measures growth after warm-up) and
        the first denial is not delayed by the model's load. A model that fails to load is
        logged; processing then reports the failure per document as before."""
        from monitor.match.linking import embedder_for
        from monitor.match.scoring import MatchingConfig

        self._models_loaded = True
        started = time.monotonic()
        try:
            embedder = embedder_for(MatchingConfig())
            if embedder is not None:
                embedder.load()
                log.info("loaded embedder=%s duration=%.2fs", embedder.name, time.monotonic() - started)
        except Exception:
            log.exception("cannot load the embedding model")

    def _worker_pool(self, store: Store) -> Any:
        """The processing pool, started at the first backlog worth it and kept until the
        daemon stops: its workers (``forkserver``, about a second each to start and load the
        lexicons and the embedding model) then serve every later drain, however small."""
        from monitor.pipeline import PIPELINE_VERSION
        from monitor.process import POOL_MIN_BACKLOG, WorkerPool, default_workers

        workers = self.settings.workers or default_workers()
        if self._pool is None and workers > 1 and store.backlog_size(PIPELINE_VERSION) >= POOL_MIN_BACKLOG:
            self._pool = WorkerPool(workers)
        return self._pool

    def _heartbeat(self) -> None:
        with self._work() as go:
            if not go:
                return
            try:
                with self._store() as store:
                    store.record_heartbeat()
                    retries = store.take_retry_requests()
            except Exception:
                log.exception("heartbeat failed")
                return
            # `monitor sources --retry NAME` (issue 17): the backoff was reset in the archive; run it now.
            for name in retries:
                if name in self.sources:
                    log.info("retry requested source=%s", name)
                    self._wake(f"crawl:{name}")

    def _deliver_alerts(self) -> None:
        with self._work() as go:
            if not go or self.alerts.deliver is None:
                return
            try:
                with self._store() as store:
                    result = self.alerts.deliver(store)
                # Log only rounds that did something: an idle outbox is the normal case.
                if result and (getattr(result, "sent", 0) or getattr(result, "retried", 0) or getattr(result, "failed", 0)):
                    summary = result.summary() if hasattr(result, "summary") else result
                    log.info("alerts delivered %s", summary)
            except Exception:
                log.exception("alert delivery failed")

    def _queue_digest(self) -> None:
        with self._work() as go:
            if not go or self.alerts.digest is None:
                return
            try:
                with self._store() as store:
                    result = self.alerts.digest(store, utcnow())
                log.info("digest queued result=%s", result)
            except Exception:
                log.exception("digest failed")
                return
        self._wake("alerts")

    # -- stopping -------------------------------------------------------------------

    def stop(self, reason: str = "stop") -> bool:
        """Stop scheduling, let running work finish, terminate crawls that do not; idempotent.

        Returns True when every job finished, False when some were abandoned (their
        threads still run; the caller should exit the process without joining them).
        """
        if self._stopped:
            return True
        self._stopping.set()
        grace = self.settings.stop_grace_s
        log.info("daemon stopping reason=%s running=%d grace=%gs", reason, self._running, grace)
        if self._started:
            self.scheduler.pause()
        try:
            with self._store() as store:
                store.record_daemon_status("stopping")
        except Exception:
            log.exception("cannot record daemon state")
        if self._started:
            self.scheduler.shutdown(wait=False)
            logging.getLogger("apscheduler.scheduler").removeFilter(self._skip_filter)
        done = self._wait_idle(grace)
        if not done:
            # Crawls stop their child (SIGTERM: Scrapy closes gracefully, keeping what it stored).
            log.warning("work still running after %gs: aborting crawls running=%d", grace, self._running)
            self._abort.set()
            done = self._wait_idle(ABORT_GRACE_S)
            if not done:
                children = terminate_children(signal.SIGKILL)
                log.warning("crawls did not stop: sent SIGKILL to child pids=%s", children)
                done = self._wait_idle(1.0)
        try:
            with self._store() as store:
                store.record_daemon_status("stopped")
        except Exception:
            log.exception("cannot record daemon state")
        self._stopped = True
        if self._pool is not None and done:  # (an abandoned drain may still wait on it)
            self._pool.close()
            self._pool = None
        keeper = getattr(self, "_keeper", None)
        if keeper is not None:
            keeper.close()
            self._keeper = None
        if done:
            log.info("daemon stopped")
        else:
            log.error("daemon stopped with %d jobs abandoned", self._running)
        return done

    def _wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout=timeout)

    def run_forever(self) -> int:
        """Start, block until SIGTERM or SIGINT, stop; return the exit status (0)."""
        stop_signal: list[str] = []

        def on_signal(signum: int, _frame: Any) -> None:
            # Only a list append: a handler that took a lock (Event.set) could deadlock on the
            # main thread's own lock if the signal landed while that thread held it.
            stop_signal.append(signal.Signals(signum).name)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            # Poll, never block indefinitely: CPython runs signal handlers in the main thread
            # when it next executes bytecode, and a signal the kernel delivered to a worker
            # thread does not interrupt a lock wait in the main thread (a CI run once saw a
            # daemon ignore SIGTERM for 12 s that way). sleep() wakes up at least every 0.2 s.
            while not stop_signal and not self._stopping.is_set():
                time.sleep(SIGNAL_POLL_S)
            finished = self.stop(stop_signal[0] if stop_signal else "stop")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if not finished:
            # Stuck threads would block interpreter exit (concurrent.futures joins them).
            logging.shutdown()
            os._exit(0)
        return 0


class _ExpectedSkips(logging.Filter):
    """Drop APScheduler's "maximum number of running instances reached" warnings.

    With ``max_instances=1`` a tick that falls while the source is still being crawled
    is skipped by design (the next run is planned when the crawl ends); warning about
    it on every tick would bury real problems when a crawl outlasts a short interval.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


def terminate_children(sig: signal.Signals) -> list[int]:
    """Send ``sig`` to this process's direct children (the crawl subprocesses, not the
    processing pool's helpers); Linux /proc."""
    me = os.getpid()
    sent: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return sent
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        # Field 4 is the parent pid; the command name (field 2) may contain spaces.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(me):
            if _is_multiprocessing_helper(entry):
                continue
            try:
                os.kill(int(entry), sig)
                sent.append(int(entry))
            except OSError:
                pass
    return sent


def _is_multiprocessing_helper(pid: str) -> bool:
    """The processing pool's forkserver and resource tracker are children too (issue 16); killed,
    the next pool would find its resource tracker dead."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"multiprocessing" in fh.read()
    except OSError:
        return False


def _parse_or_none(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None
