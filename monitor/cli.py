"""The ``monitor`` command: parse options, build objects, map errors to exit codes.

Thin on purpose: each command opens the archive, calls one library function and
prints its result. Exit status: 0 success; 1 finished but something was rejected or
failed; 2 usage or configuration error. Errors print as one line, never a traceback.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

import click

from monitor.errors import ArchiveError, ConfigError, MonitorError

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Archive file (default: $MONITOR_DB, else data/monitor.db).",
)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one line on stderr and the contract's exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(f"Error: {problem}", err=True)
            sys.exit(2)
        except ArchiveError as exc:  # an archive that cannot be opened is a usage error (issue 17)
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        except MonitorError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper


def open_store(db_path: Path | None, *, create: bool = True):
    """The archive; read-only commands pass ``create=False``: a missing one is an error (exit 2)."""
    from monitor.store import Store

    return Store.open(db_path, create=create)


def load_sources(sources_path: Path | None = None, *, optional: bool = False):
    """The checked catalogue; with ``optional``, none at all (missing folder) is an empty list.

    Only ``import`` reads it optionally (for default roles); every other command needs it,
    and a catalogue that exists but is broken is always an error (issue 17).
    """
    from monitor.collect.crawl import load_checked_catalogue
    from monitor.config import default_schedules_dir

    path = sources_path or default_schedules_dir()
    if optional and not Path(path).exists():
        return []
    return load_checked_catalogue([path])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="statement-monitor")
@click.option("--log-level", default=lambda: os.environ.get("MONITOR_LOG_LEVEL", "INFO"), show_default="INFO",
              help="Logging level (DEBUG, INFO, WARNING...). Also MONITOR_LOG_LEVEL.")
@click.option("--log-json", is_flag=True, default=lambda: os.environ.get("MONITOR_LOG_JSON", "") not in ("", "0"),
              help="Log one JSON object per line. Also MONITOR_LOG_JSON=1.")
def cli(log_level: str, log_json: bool) -> None:
    """statement-monitor: archive what Russian officials say, detect denials, match
    them to the reports they contradict, and alert analysts."""
    from monitor.logsetup import configure_logging

    configure_logging(log_level, log_json)
    if os.environ.get("MONITOR_LEXICONS"):
        # Issue 18: a bad user lexicon fails once at startup naming file:line, not in every document.
        from monitor.detect.cues import cue_patterns
        from monitor.detect.speakers import speaker_tables

        try:
            cue_patterns()
            speaker_tables()
        except ConfigError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)



def normalised_since(since: str | None) -> str | None:
    """``--since DATE`` as a UTC timestamp, or a one-line usage error (exit 2)."""
    from monitor.timeutil import format_timestamp, parse_timestamp

    if since is None:
        return None
    try:
        return format_timestamp(parse_timestamp(since))
    except ValueError as exc:
        click.echo(f"Error: --since: {exc}", err=True)
        sys.exit(2)

@cli.command("import")
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False, path_type=Path))
@db_option
@click.option("--alerts", "queue_alerts", is_flag=True, help="Queue alerts for denials and matches found.")
@click.option("--store-only", is_flag=True,
              help="Return once stored; processing waits in the backlog (`monitor process`, or the daemon).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processing worker processes (default: the machine's cores).")
@handle_errors
def import_command(file: Path, db_path: Path | None, queue_alerts: bool, store_only: bool,
                   workers: int | None) -> None:
    """Load documents from a JSON Lines FILE ('-' for standard input).

    One JSON object per line with url, title, text, published (ISO 8601, naive
    means UTC), source, and optional role and lang. Documents are upserted by url
    and stored; then the processing backlog is drained (denial detection and
    matching, in --workers processes) before the command returns, unless
    --store-only. Bad lines are reported with their number and skipped; the exit
    status is 1 if any line was rejected.
    """
    from monitor.collect.ingest import import_jsonl

    if str(file) != "-" and not file.exists():
        raise ConfigError(f"{file}: no such file")
    sources = load_sources(optional=True)
    roles = {s.name: s.role for s in sources}
    name = "<stdin>" if str(file) == "-" else str(file)
    show_progress = sys.stderr.isatty()
    total = file.stat().st_size if str(file) != "-" else 0
    last_log = [time.monotonic()]

    def on_error(number: int, reason: str) -> None:
        click.echo(f"{name}:{number}: rejected: {reason}", err=True)

    def on_progress(report: Any) -> None:
        # Issue 17: a long import shows progress; on a terminal a live line, else a log line every 30 s.
        share = f" ({100 * report.bytes_read / total:.0f}%)" if total else ""
        text = (f"{report.read} read{share}, {report.new} new, {report.updated} updated, "
                f"{report.rejected} rejected")
        if show_progress:
            click.echo(f"\r{text}".ljust(80), err=True, nl=False)
        elif time.monotonic() - last_log[0] >= 30:
            last_log[0] = time.monotonic()
            logging.getLogger("monitor.cli").info("import progress file=%s %s", name, text)

    with open_store(db_path) as store:
        try:
            # Bytes, decoded line by line: one bad byte rejects its line, not the file (issue 17).
            stream = sys.stdin.buffer if str(file) == "-" else open(file, "rb")
        except OSError as exc:
            raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
        try:
            report = import_jsonl(store, stream, queue_alerts=queue_alerts, default_roles=roles,
                                  on_error=on_error, on_progress=on_progress, store_only=store_only,
                                  workers=workers, on_process_progress=progress_printer("processing"))
        finally:
            if str(file) != "-":
                stream.close()
    if show_progress:
        click.echo("", err=True)
    click.echo(report.summary())
    if report.rejected:
        sys.exit(1)


@cli.command("crawl")
@click.argument("names", metavar="[SOURCE]...", nargs=-1)
@click.option("--sources", "sources_path", type=click.Path(exists=True, path_type=Path), default=None,
              help="Catalogue file or folder (default: schedules/ or $MONITOR_SCHEDULES).")
@db_option
@click.option("--alerts", "queue_alerts", is_flag=True, help="Queue alerts for denials and matches found.")
@click.option("--timeout", "time_limit", type=click.FloatRange(min=1), default=600, show_default=True,
              help="Whole-crawl time limit in seconds; the crawler is killed soon after.")
@click.option("-s", "--setting", "settings", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting (value parsed as JSON if possible), e.g. -s DOWNLOAD_DELAY=0.")
@handle_errors
def crawl_command(names: tuple[str, ...], sources_path: Path | None, db_path: Path | None, queue_alerts: bool,
                  time_limit: float, settings: tuple[str, ...]) -> None:
    """Fetch the named sources (all enabled ones without names) once, now.

    New and changed documents are archived (a changed one keeps its previous version
    in `revisions`) and run through denial detection and matching. Prints one line
    per source; exit status 1 if any source failed.
    """
    from monitor.collect.crawl import crawl_once
    from monitor.store import default_db_path

    catalogue = load_sources(sources_path)
    by_name = {s.name: s for s in catalogue}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise click.UsageError(f"unknown source {', '.join(map(repr, unknown))} "
                               f"(see `monitor sources`; {len(catalogue)} configured)")
    chosen = [by_name[n] for n in dict.fromkeys(names)] if names else [s for s in catalogue if s.enabled]
    if not chosen:
        raise ConfigError("no sources to crawl (empty catalogue? use --sources FILE)")
    overrides = _scrapy_settings(settings)

    def on_outcome(o: Any) -> None:
        counts = f"new={o.items_new} updated={o.items_updated} unchanged={o.items_unchanged}"
        if o.items_rejected:
            counts += f" rejected={o.items_rejected}"
        tail = f"  {o.error}" if o.error else ""
        click.echo(f"{o.source:<22} {o.status:<12} http={o.http_status or '-'} {counts} "
                   f"({o.duration_s or 0:.1f}s){tail}")

    outcomes = crawl_once(db_path or default_db_path(), chosen, settings=overrides, queue_alerts=queue_alerts,
                          time_limit=time_limit, on_outcome=on_outcome)
    failed = [o.source for o in outcomes if o.status == "failed"]
    click.echo(f"{len(outcomes)} source(s): {len(outcomes) - len(failed)} ok, {len(failed)} failed; "
               f"new {sum(o.items_new for o in outcomes)}, updated {sum(o.items_updated for o in outcomes)}")
    if failed:
        sys.exit(1)


@cli.command("match")
@db_option
@click.option("--since", default=None, metavar="DATE",
              help="Only documents published on or after DATE (ISO 8601); default: the whole archive.")
@handle_errors
def match_command(db_path: Path | None, since: str | None) -> None:
    """Re-run denial detection and matching over the archive (after a config change).

    Idempotent: running it twice leaves the same denials, matches and denial events.
    Queues no alerts. Prints the counts.
    """
    from monitor.pipeline import rematch_archive

    since = normalised_since(since)
    with open_store(db_path, create=False) as store:
        before = store.count_matches()
        report = rematch_archive(store, since)
        matches, denials = store.count_matches(), store.count_denials()
        events = store.db.execute("SELECT count(*) FROM denial_events").fetchone()[0]
    click.echo(f"processed {report.documents} documents ({report.failed} failed); archive now has "
               f"{denials} denials, {events} denial events, {matches} matches ({matches - before:+d})")
    if report.failed:
        sys.exit(1)


@cli.command("sources")
@db_option
@click.option("--sources", "sources_path", type=click.Path(exists=True, path_type=Path), default=None,
              help="Catalogue file or folder (default: the packaged catalogue, or $MONITOR_SCHEDULES).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--retry", "retry", multiple=True, metavar="NAME",
              help="Cut NAME's backoff short: a running daemon crawls it within a heartbeat, a stopped one at start.")
@click.option("--check", "check", is_flag=True,
              help="Fetch each enabled source once (entry page + one article), archive nothing, and report per "
                   "source: reachable, shape (feed/listing/article), items found, newest date.")
@click.option("--timeout", "time_limit", type=click.FloatRange(min=1), default=120, show_default=True,
              help="With --check: time limit of the whole check, in seconds.")
@click.option("-s", "--setting", "settings", multiple=True, metavar="NAME=VALUE",
              help="With --check: override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=0.")
@handle_errors
def sources_command(db_path: Path | None, sources_path: Path | None, as_json: bool, retry: tuple[str, ...],
                    check: bool, time_limit: float, settings: tuple[str, ...]) -> None:
    """List the configured sources with their schedule and last result.

    State is `never run`, `ok`, `FAILING xN` (with the last error) or `disabled`;
    the schedule is shown as configured (`5m`, `cron ...`, `10m (default)`).
    `--retry NAME` cuts a failing source's backoff short (issue 17: a DNS failure parked
    a source for hours, and the backoff survived restarts). `--check` tells at once
    which URL or selector of an edited catalogue is wrong; exit status 1 if any is.
    """
    from monitor.store import default_db_path

    sources = load_sources(sources_path)
    if check:
        _check_sources([s for s in sources if s.enabled], time_limit, _scrapy_settings(settings), as_json)
        return
    archive = db_path or default_db_path()
    if retry:
        known = {s.name for s in sources}
        unknown = [n for n in retry if n not in known]
        if unknown:
            raise click.UsageError(f"unknown source {', '.join(map(repr, unknown))} (see `monitor sources`)")
        with open_store(archive, create=False) as store:
            for name in dict.fromkeys(retry):
                if store.request_retry(name):
                    click.echo(f"{name}: retry requested (backoff cut short); a running daemon crawls it at its"
                               " next heartbeat, a stopped one soon after it starts")
                else:
                    click.echo(f"{name}: never scheduled in {archive}; nothing to reset")
        return
    if archive.is_file():
        with open_store(archive, create=False) as store:
            health = {row["name"]: row for row in store.source_health()}
    else:  # listing the catalogue needs no archive, and must not create one (issue 17)
        click.echo(f"(no archive at {archive}: no run recorded yet)", err=True)
        health = {}
    rows = []
    for src in sources:
        h = health.get(src.name, {})
        rows.append({
            "name": src.name, "spider": src.spider, "role": src.role, "lang": src.lang,
            "schedule": src.schedule_text, "interval": src.schedule_label, "enabled": src.enabled,
            "critical": src.critical, "url": src.url, "site": src.site,
            "last_run": h.get("last_run_at"), "last_success": h.get("last_success_at"), "last_error": h.get("last_error"),
            "failures": h.get("consecutive_failures") or 0, "next_run": h.get("next_run_at"),
            "documents": h.get("documents") or 0,
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(f"{'NAME':<22} {'SPIDER':<8} {'ROLE':<8} {'EVERY':<14} {'STATE':<12} {'DOCS':<6} "
               f"{'LAST OK':<20} {'NEXT RUN':<20} URL")
    for r in rows:
        if not r["enabled"]:
            state = "disabled"
        elif r["failures"]:
            state = "FAILING x%d" % r["failures"]
        else:
            state = "ok" if r["last_run"] else "never run"
        click.echo(f"{r['name']:<22} {r['spider']:<8} {r['role']:<8} {r['interval']:<14} {state:<12} "
                   f"{r['documents']:<6} {r['last_success'] or '-':<20} {r['next_run'] or '-':<20} {r['url']}")
        if r["failures"] and r["last_error"]:
            click.echo(f"{'':<22} last error: {r['last_error']}")


def _check_sources(sources: list[Any], time_limit: float, overrides: dict[str, Any], as_json: bool) -> None:
    """``monitor sources --check``: one pass per source into a throwaway archive; exit 1 if any is wrong."""
    import tempfile

    from monitor.collect.crawl import crawl_once

    if not sources:
        raise ConfigError("no enabled source to check")
    with tempfile.TemporaryDirectory(prefix="monitor-check-") as tmp:
        outcomes = crawl_once(Path(tmp) / "check.db", sources, settings=overrides, time_limit=time_limit, check=True)
    rows = []
    for o in outcomes:
        found = o.check or {}
        reachable = o.http_status is not None and o.http_status < 400
        good = o.status in ("ok", "not_modified") and bool(found.get("shape")) and found.get("article") is not False
        rows.append({"name": o.source, "ok": good, "reachable": reachable, "http_status": o.http_status,
                     "shape": found.get("shape"), "items": found.get("items", 0), "links": found.get("links", 0),
                     "newest": found.get("newest"), "article": found.get("article"), "error": o.error})
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        click.echo(f"{'NAME':<22} {'RESULT':<7} {'HTTP':<5} {'SHAPE':<15} {'FOUND':<6} {'NEWEST':<21} ARTICLE")
        for r in rows:
            article = {True: "ok", False: "NOT EXTRACTED", None: "-"}[r["article"]]
            shape = r["shape"] or ("NOT RECOGNISED" if r["reachable"] else "-")
            click.echo(f"{r['name']:<22} {'ok' if r['ok'] else 'WRONG':<7} {r['http_status'] or '-'!s:<5} "
                       f"{shape:<15} {r['items'] + r['links']:<6} {r['newest'] or '-':<21} {article}"
                       + (f"  {r['error']}" if r["error"] else ""))
    if not all(r["ok"] for r in rows):
        sys.exit(1)


@cli.command("status")
@db_option
@click.option("--check", is_flag=True, help="Exit non-zero when unhealthy (for container health checks).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@handle_errors
def status_command(db_path: Path | None, check: bool, as_json: bool) -> None:
    """Per-source health, archive counts, pending and failed alerts."""
    import datetime as dt

    from monitor.alerts.latency import latency_line, latency_summary
    from monitor.health import assess_health
    from monitor.timeutil import format_timestamp, utcnow

    with open_store(db_path, create=False) as store:
        status = assess_health(store)
        # issue 19: latency per stage of the alerts queued in the last day
        latency = latency_summary(store.latency_rows(format_timestamp(utcnow() - dt.timedelta(days=1))))
    if as_json:
        click.echo(json.dumps({**status, "latency": latency}, indent=2, ensure_ascii=False))
    else:
        click.echo(status["summary"])
        click.echo("  " + status["daemon_line"])
        for line in status["details"]:
            click.echo("  " + line)
        click.echo("  " + latency_line(latency))
    if check and not status["healthy"]:
        sys.exit(1)


@cli.command("run")
@db_option
@click.option("--schedules", "schedules_path", type=click.Path(exists=True, path_type=Path), default=None,
              help="Catalogue folder or file (default: schedules/ or $MONITOR_SCHEDULES).")
@click.option("--timeout", "time_limit", type=click.FloatRange(min=1), default=600, show_default=True,
              help="Time limit of each crawl in seconds; the crawler is killed soon after.")
@click.option("-s", "--setting", "settings", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting for every crawl (value parsed as JSON if possible).")
@handle_errors
def run_command(db_path: Path | None, schedules_path: Path | None, time_limit: float,
                settings: tuple[str, ...]) -> None:
    """Run the daemon: crawl each source on its schedule, process what is new and
    deliver alerts, until SIGTERM or SIGINT (then finish or abort running crawls
    within 10 s and exit 0). Health: `monitor status --check`."""
    from monitor.config import default_schedules_dir
    from monitor.daemon import Daemon, DaemonSettings, default_alert_hooks, default_crawl
    from monitor.store import default_db_path

    path = schedules_path or default_schedules_dir()
    if not Path(path).exists():
        raise ConfigError(f"{path}: no such catalogue folder (use --schedules or MONITOR_SCHEDULES)")
    sources = load_sources(Path(path))
    daemon_settings = DaemonSettings.from_env()
    crawl = default_crawl(settings=_scrapy_settings(settings), time_limit=time_limit)
    daemon = Daemon(db_path or default_db_path(), sources, crawl, settings=daemon_settings,
                    alerts=default_alert_hooks(), schedules_label=str(path))
    sys.exit(daemon.run_forever())


def _scrapy_settings(items: tuple[str, ...]) -> dict[str, Any]:
    """``NAME=VALUE`` options -> Scrapy settings (values parsed as JSON when they parse)."""
    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--setting")
        try:
            overrides[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[key.strip()] = raw
    return overrides


apprise_config_option = click.option(
    "--apprise-config", "apprise_config", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Apprise config file, text or YAML (default: $MONITOR_APPRISE_CONFIG); adds to $APPRISE_URLS.")


def build_notifier(apprise_config: Path | None):
    from monitor.alerts.notifier import Notifier

    return Notifier.from_env(config_path=apprise_config)


@cli.group("alerts")
def alerts_group() -> None:
    """Send a test notification, deliver pending alerts, list the outbox.

    Notification URLs come from $APPRISE_URLS and/or an Apprise config file; with
    none, alerts are printed here in text form and recorded as sent via console."""


@alerts_group.command("test")
@apprise_config_option
@handle_errors
def alerts_test_command(apprise_config: Path | None) -> None:
    """Send a test notification to every configured URL; report each (URLs masked)."""
    from monitor.alerts.delivery import send_test

    notifier = build_notifier(apprise_config)
    results = send_test(notifier)
    for r in results:
        click.echo(f"{'ok    ' if r.ok else 'FAILED'} {r.masked_url}{'  ' + r.error if r.error else ''}")
    if not all(r.ok for r in results):
        sys.exit(1)


@alerts_group.command("send")
@db_option
@apprise_config_option
@handle_errors
def alerts_send_command(db_path: Path | None, apprise_config: Path | None) -> None:
    """Deliver every pending alert now, whether or not its retry time has come."""
    from monitor.alerts.delivery import send_pending

    notifier = build_notifier(apprise_config)
    with open_store(db_path, create=False) as store:
        report = send_pending(store, notifier, force=True)
    for alert_id, target, ok, error in report.results:
        if not ok:
            click.echo(f"alert {alert_id}: FAILED {target}: {error}", err=True)
    click.echo(report.summary())
    if report.retried or report.failed:
        sys.exit(1)


@alerts_group.command("list")
@db_option
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed", "withdrawn"]), default=None,
              help="Only alerts with this status.")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@handle_errors
def alerts_list_command(db_path: Path | None, status: str | None, limit: int, as_json: bool) -> None:
    """List the outbox, newest first: status, kind, attempts, next retry, title."""
    with open_store(db_path, create=False) as store:
        rows = store.list_alerts(limit=limit, status=status)
    if as_json:
        keep = ("id", "key", "kind", "tag", "status", "attempts", "next_attempt_at", "last_error", "created_at",
                "sent_at", "delivered_via", "title")
        click.echo(json.dumps([{k: r.get(k) for k in keep} for r in rows], indent=2, ensure_ascii=False))
        return
    for r in rows:
        extra = f" next={r['next_attempt_at']}" if r["status"] == "pending" and r["attempts"] else ""
        err = f" error={r['last_error']}" if r["status"] in ("pending", "failed") and r.get("last_error") else ""
        click.echo(f"{r['id']:>5} {r['status']:<8} {r['kind']:<8} tries={r['attempts']}{extra} "
                   f"{r['created_at']} {r['title']}{err}")


@cli.command("demo")
@apprise_config_option
@click.option("--keep", "keep_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the demo archive in this folder instead of a temporary one.")
@handle_errors
def demo_command(apprise_config: Path | None, keep_dir: Path | None) -> None:
    """Replay a bundled scenario end to end on 127.0.0.1: fixture feeds, the real
    spiders, detection, matching and an alert (on this terminal, or to $APPRISE_URLS)."""
    from monitor.demo.scenario import run_demo

    notifier = build_notifier(apprise_config)
    result = run_demo(notifier, workdir=keep_dir, echo=click.echo)
    if not result.ok:
        sys.exit(1)


# --- issue 16: store first, process after -----------------------------------------------


def progress_printer(label: str) -> Callable[[Any], None]:
    """A progress callback printing documents/s, backlog left and ETA on one stderr line.

    Only on a terminal, at most a few times a second: logs and pipes stay quiet.
    """
    if not sys.stderr.isatty():
        return lambda progress: None
    last = [0.0]

    def show(progress: Any) -> None:
        import time

        now = time.monotonic()
        if now - last[0] < 0.25 and progress.left:
            return
        last[0] = now
        eta = progress.eta_s
        eta_text = "-" if eta is None else (f"{eta / 60:.0f}m{eta % 60:02.0f}s" if eta >= 60 else f"{eta:.0f}s")
        click.echo(f"\r{label}: {progress.done} done, {progress.left} left, {progress.rate:,.0f} docs/s, "
                   f"ETA {eta_text}".ljust(79), err=True, nl=False)

    return show


@cli.command("process")
@db_option
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes for detection and features (default: the machine's cores).")
@click.option("--since", default=None, metavar="DATE",
              help="Only documents published on or after DATE (ISO 8601).")
@click.option("--reprocess", is_flag=True,
              help="Queue the documents already processed again (all, or those --since DATE) and redo them.")
@handle_errors
def process_command(db_path: Path | None, workers: int | None, since: str | None, reprocess: bool) -> None:
    """Process the backlog: every stored document the current pipeline version has
    not processed (new and changed documents first, then those of older versions).

    Detection and per-document features run in --workers processes, one writer
    stores the results, matches and events in batches. Idempotent: a second run
    finds nothing to do. Readers (SQL, Datasette) are never blocked. Alerts are
    queued for documents stored to alert (`import --alerts`, the daemon's crawls).
    """
    from monitor.process import drain_backlog
    from monitor.pipeline import PIPELINE_VERSION

    since = normalised_since(since)
    with open_store(db_path, create=False) as store:
        if reprocess:
            with store.atomic():
                queued = store.requeue_documents(since=since)
            click.echo(f"queued {queued} processed documents again")
        show = progress_printer("processing")
        report = drain_backlog(store, workers=workers, since=since, on_progress=show)
        backlog = store.backlog_status(PIPELINE_VERSION)
    if sys.stderr.isatty() and report.documents:
        click.echo("", err=True)
    click.echo(f"{report.summary()}; backlog now {backlog.total} (pipeline version {PIPELINE_VERSION})")
    if report.failed:
        sys.exit(1)


def main() -> None:
    cli(prog_name="monitor")


# --- issue 19: the analyst's loop (feedback, review page, Datasette UI) -------------------


def _analyst(who: str | None) -> str:
    """Who gives a verdict: ``--who``, else ``$MONITOR_ANALYST``, else the login name."""
    import getpass

    if who:
        return who
    if os.environ.get("MONITOR_ANALYST"):
        return os.environ["MONITOR_ANALYST"]
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@cli.command("feedback", context_settings={"ignore_unknown_options": False})
@click.argument("args", metavar="MATCH_ID right|wrong | --denial ID not-a-denial | export", nargs=-1)
@click.option("--denial", "denial_id", type=int, default=None, help="Judge this denial (id in `denials`).")
@click.option("--note", default=None, help="Why (kept with the verdict and exported).")
@click.option("--who", default=None, help="Who judges (default: $MONITOR_ANALYST, else the login name).")
@click.option("--flat", is_flag=True, help="export: one line per verdict instead of one per denial document.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="export: write to this file instead of standard output.")
@db_option
@handle_errors
def feedback_command(args: tuple[str, ...], denial_id: int | None, note: str | None, who: str | None, flat: bool,
                     output: Path | None, db_path: Path | None) -> None:
    """Tell the monitor it is right or wrong, or export the verdicts as JSON Lines.

    \b
    monitor feedback MATCH_ID right|wrong [--note TEXT]
    monitor feedback --denial DENIAL_ID not-a-denial [--note TEXT]
    monitor feedback export [--flat] [-o FILE]

    A match marked wrong leaves the matches table (and every view, alert and digest)
    and is never asserted again, even by `monitor match`; not-a-denial does the same to
    all the denial's matches. Every verdict is kept in the `feedback` table. The export
    is labelled data in the shared format (denial_url, contradicts, not_contradicts),
    or with --flat one line per verdict (denial url, report url, verdict, note, who, when).
    """
    from monitor.alerts.delivery import refresh_unsent_alerts
    from monitor.review.export import flat_lines, gold_lines

    if args[:1] == ("export",):
        if len(args) > 1 or denial_id is not None:
            raise click.UsageError("export takes no other argument")
        with open_store(db_path, create=False) as store:
            rows = store.feedback_rows()
            cases = store.event_keys_of(r["denial_url"] for r in rows)
        lines = flat_lines(rows) if flat else gold_lines(rows, cases)
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        if output is None or str(output) == "-":
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            click.echo(f"{len(lines)} line(s) written to {output}", err=True)
        return
    if denial_id is not None:
        if len(args) != 1:
            raise click.UsageError("expected: monitor feedback --denial DENIAL_ID not-a-denial")
        target, verdict = denial_id, args[0]
    else:
        if len(args) != 2 or not args[0].isdigit():
            raise click.UsageError("expected MATCH_ID right|wrong, --denial ID not-a-denial, or export")
        target, verdict = int(args[0]), args[1]
    with open_store(db_path, create=False) as store:
        with store.atomic():
            if denial_id is not None:
                feedback_id = store.record_denial_verdict(target, verdict, note=note, who=_analyst(who))
            else:
                feedback_id = store.record_match_verdict(target, verdict, note=note, who=_analyst(who))
            refresh_unsent_alerts(store)  # an alert queued before the verdict must not say otherwise
    what = f"denial {target}" if denial_id is not None else f"match {target}"
    click.echo(f"feedback {feedback_id}: {what} marked {verdict}")


@cli.command("train")
@click.option("--pool", "pools", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of labelled sets (NAME_documents.jsonl + NAME_gold.jsonl, the shared pool format).")
@click.option("--set", "sets", multiple=True, nargs=2, metavar="DOCUMENTS GOLD",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="One labelled set: documents (import format) and gold lines.")
@click.option("--feedback", "feedback", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Analysts' verdicts (`monitor feedback export`), judged on the pairs of the archive (--db).")
@db_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the weights (the shipped file is monitor/match/scorer.json).")
@click.option("--seed", type=int, default=1, show_default=True, help="Import order of the labelled sets.")
@click.option("--drop", default=None, metavar="FEATURE,...",
              help="Features to leave out (default: those CV says do not help; '' keeps all).")
@click.option("--min-precision", type=click.FloatRange(0.0, 1.0), default=0.91, show_default=True,
              help="The threshold is the lowest whose cross-validated pair precision reaches this "
                   "(one point above the 0.90 target: inner-fold thresholds land about a point below).")
@click.option("--ru-precision", type=click.FloatRange(0.0, 1.0), default=0.87, show_default=True,
              help="The same, chosen on the pairs of Russian-language denials only (their own threshold).")
@handle_errors
def train_command(pools: tuple[Path, ...], sets: tuple[tuple[Path, Path], ...], feedback: Path | None,
                  db_path: Path | None, output: Path, seed: int, drop: str | None, min_precision: float,
                  ru_precision: float) -> None:
    """Fit the matching weights from labelled JSON Lines, reproducibly.

    Each labelled set is imported (in a fixed shuffled order) into a fresh archive and
    processed as `monitor import` does; every pair the matcher scores is labelled by the
    gold lines. A logistic regression is fitted on all of them; its threshold is chosen
    by leave-one-case-out cross-validation, and another on the pairs of Russian-language
    denials alone (--ru-precision). The same inputs give the same file.
    """
    import numpy as np

    from monitor.evaluate.pairs import pool_sets, read_jsonl, training_rows
    from monitor.evaluate.training import DEFAULT_DROP, cross_validate, pair_precision_recall, train_scorer
    from monitor.match.learned import FEATURE_NAMES
    from monitor.match.scoring import MatchingConfig

    labelled = [s for folder in pools for s in pool_sets(folder)]
    labelled += [(docs.name.removesuffix(".jsonl"), docs, gold) for docs, gold in sets]
    if not labelled and feedback is None:
        raise click.UsageError("give labelled data: --pool DIR, --set DOCUMENTS GOLD or --feedback FILE")
    dropped = set(DEFAULT_DROP if drop is None else (d.strip() for d in drop.split(",") if d.strip()))
    unknown = sorted(dropped - set(FEATURE_NAMES))
    if unknown:
        raise click.UsageError(f"--drop: unknown feature {unknown[0]!r}")
    names = [n for n in FEATURE_NAMES if n not in dropped]
    config = MatchingConfig(scorer=None)
    records = read_jsonl(feedback) if feedback else []
    if feedback:
        with open_store(db_path, create=False) as store:
            rows, info = training_rows(labelled, seed=seed, config=config, archive=store, feedback=records)
    else:
        rows, info = training_rows(labelled, seed=seed, config=config)
    target = {"*": min_precision, "ru": ru_precision}
    oof, thresholds = cross_validate(rows, info["group_urls"], names, min_precision=target)
    model = train_scorer(rows, info["group_urls"], names, min_precision=target, oof=oof, meta={
        "sets": [name for name, _, _ in labelled] + (["feedback"] if feedback else []),
        "cases": len(info["groups"]), "seed": seed, "command": "monitor train"})
    judged = [(p >= t, r) for p, t, r in zip(oof, thresholds, rows) if r["y"] is not None]
    p, r = pair_precision_recall([(x["denial_url"], x["report_url"]) for _, x in judged],
                                 np.array([float(a) for a, _ in judged]), [x["y"] for _, x in judged], 0.5)
    output.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    click.echo(f"{len(judged)} labelled pairs ({model.meta['positives']} contradicted) from {len(info['groups'])} "
               f"cases; leave-one-case-out pair P {p:.3f} R {r:.3f} (thresholds chosen inside the folds); "
               f"threshold {model.threshold:.2f}, Russian-language denials "
               f"{model.threshold_for('ru'):.2f}; wrote {output}")


@cli.command("review")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default; anything else exposes the page).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port to listen on.")
@handle_errors
def review_command(db_path: Path | None, host: str, port: int) -> None:
    """Serve the review page: denial events newest first, each denial beside the reports
    it contradicts with the explanation highlighted, and buttons to mark a match right
    or wrong, a denial not a denial, or add a missed report. Writing needs a login with
    the token in $MONITOR_REVIEW_TOKEN (at least 12 characters)."""
    from monitor.review.app import ReviewSettings, serve
    from monitor.store import default_db_path

    settings = ReviewSettings.from_env(os.environ, db_path or default_db_path())
    with open_store(settings.db_path, create=False):
        pass  # create or upgrade the archive now: a bad path fails here, in one line
    click.echo(f"review page on http://{host}:{port}/ (archive {settings.db_path}); Ctrl-C stops it", err=True)
    serve(settings, host=host, port=port)


@cli.command("ui")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port to listen on.")
@handle_errors
def ui_command(db_path: Path | None, host: str, port: int) -> None:
    """Serve the archive read-only in Datasette with the packaged canned queries
    (the `ui` extra: pip install 'statement-monitor[ui]'), as the Docker `sql` service does."""
    import importlib.util
    import subprocess

    from monitor.review.datasette import datasette_args
    from monitor.store import default_db_path

    if importlib.util.find_spec("datasette") is None:
        raise ConfigError("Datasette is not installed: pip install 'statement-monitor[ui]'")
    path = db_path or default_db_path()
    with open_store(path, create=False) as store:
        from monitor.lexicons import load_outlets

        with store.atomic():
            store.sync_outlets(load_outlets())
    args = datasette_args(path, host=host, port=port)
    click.echo(f"Datasette on http://{host}:{port}/ (read-only; archive {path}); Ctrl-C stops it", err=True)
    try:
        sys.exit(subprocess.call([sys.executable, "-m", "datasette", *args]))
    except KeyboardInterrupt:
        sys.exit(0)
