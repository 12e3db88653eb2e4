"""The ``monitor`` command: parse options, build objects, map errors to exit codes.

Thin on purpose: each command opens the archive, calls one library function and
prints its result. Exit status: 0 success; 1 finished but something was rejected or
failed; 2 usage or configuration error. Errors print as one line, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from .errors import ArchiveError, ConfigError, MonitorError

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
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        except (ArchiveError, MonitorError) as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper


def open_store(db_path: Path | None):
    from .store import Store

    return Store.open(db_path)


def load_sources(sources_path: Path | None = None):
    from .config import default_schedules_dir, load_catalogue

    path = sources_path or default_schedules_dir()
    if sources_path is None and not Path(path).exists():
        return []
    return load_catalogue([path])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="statement-monitor")
@click.option("--log-level", default=lambda: os.environ.get("MONITOR_LOG_LEVEL", "INFO"), show_default="INFO",
              help="Logging level (DEBUG, INFO, WARNING...). Also MONITOR_LOG_LEVEL.")
@click.option("--log-json", is_flag=True, default=lambda: os.environ.get("MONITOR_LOG_JSON", "") not in ("", "0"),
              help="Log one JSON object per line. Also MONITOR_LOG_JSON=1.")
def cli(log_level: str, log_json: bool) -> None:
    """statement-monitor: archive what Russian officials say, detect denials, match
    them to the reports they contradict, and alert analysts."""
    from .logsetup import configure_logging

    configure_logging(log_level, log_json)


@cli.command("import")
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False, path_type=Path))
@db_option
@click.option("--alerts", "queue_alerts", is_flag=True, help="Queue alerts for denials and matches found.")
@handle_errors
def import_command(file: Path, db_path: Path | None, queue_alerts: bool) -> None:
    """Load documents from a JSON Lines FILE ('-' for standard input).

    One JSON object per line with url, title, text, published (ISO 8601, naive
    means UTC), source, and optional role and lang. Documents are upserted by url,
    then run through denial detection and matching. Bad lines are reported with
    their number and skipped; the exit status is 1 if any line was rejected.
    """
    from .ingest import import_jsonl

    if str(file) != "-" and not file.exists():
        raise ConfigError(f"{file}: no such file")
    sources = load_sources()
    roles = {s.name: s.role for s in sources}
    name = "<stdin>" if str(file) == "-" else str(file)
    show_progress = sys.stderr.isatty()

    def on_error(number: int, reason: str) -> None:
        click.echo(f"{name}:{number}: rejected: {reason}", err=True)

    def on_progress(report: Any) -> None:
        if show_progress:
            click.echo(f"\r{report.read} read, {report.new} new, {report.updated} updated, "
                       f"{report.rejected} rejected", err=True, nl=False)

    with open_store(db_path) as store:
        try:
            stream = sys.stdin if str(file) == "-" else open(file, encoding="utf-8", errors="strict")
        except OSError as exc:
            raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
        try:
            report = import_jsonl(store, stream, queue_alerts=queue_alerts, default_roles=roles,
                                  on_error=on_error, on_progress=on_progress)
        except UnicodeDecodeError as exc:
            raise MonitorError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        finally:
            if stream is not sys.stdin:
                stream.close()
    if show_progress:
        click.echo("", err=True)
    click.echo(report.summary())
    if report.rejected:
        sys.exit(1)


@cli.command("sources")
@db_option
@click.option("--sources", "sources_path", type=click.Path(exists=True, path_type=Path), default=None,
              help="Catalogue file or folder (default: schedules/ or $MONITOR_SCHEDULES).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def sources_command(db_path: Path | None, sources_path: Path | None, as_json: bool) -> None:
    """List the configured sources with their schedule and last result."""
    sources = load_sources(sources_path)
    with open_store(db_path) as store:
        health = {row["name"]: row for row in store.source_health()}
    rows = []
    for src in sources:
        h = health.get(src.name, {})
        rows.append({
            "name": src.name, "spider": src.spider, "role": src.role, "lang": src.lang,
            "schedule": src.schedule_text, "enabled": src.enabled, "url": src.url,
            "last_success": h.get("last_success_at"), "last_error": h.get("last_error"),
            "failures": h.get("consecutive_failures") or 0, "next_run": h.get("next_run_at"),
            "documents": h.get("documents") or 0,
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        state = "disabled" if not r["enabled"] else ("FAILING x%d" % r["failures"] if r["failures"] else "ok")
        click.echo(f"{r['name']:<22} {r['spider']:<8} {r['role']:<8} {r['schedule']:<14} "
                   f"{state:<12} docs={r['documents']:<6} last_ok={r['last_success'] or '-'}  {r['url']}")


@cli.command("status")
@db_option
@click.option("--check", is_flag=True, help="Exit non-zero when unhealthy (for container health checks).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@handle_errors
def status_command(db_path: Path | None, check: bool, as_json: bool) -> None:
    """Per-source health, archive counts, pending and failed alerts."""
    from .health import assess_health

    with open_store(db_path) as store:
        status = assess_health(store)
    if as_json:
        click.echo(json.dumps(status, indent=2, ensure_ascii=False))
    else:
        click.echo(status["summary"])
        for line in status["details"]:
            click.echo("  " + line)
    if check and not status["healthy"]:
        sys.exit(1)


def main() -> None:
    cli(prog_name="monitor")
