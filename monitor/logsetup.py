"""Logging configured once, at startup, for every component: one line per event on stderr.

Everything that logs (ours, Scrapy, Twisted, Apprise, APScheduler, in the daemon and in
each crawl's child process) goes through the root handler installed here, so one
``--log-json`` / ``MONITOR_LOG_JSON=1`` makes every line JSON (issue 17: 608 of 608
crawl stderr lines were not). Logs go to stderr, results to stdout: ``monitor import
... > out.txt`` captures the summary, never a log line.

One line per event: a record's traceback (Scrapy attaches one to every failed
download, ~70 lines each) is shown only at DEBUG; at other levels it becomes
``error="Type: message"`` on the same line, and a message that embeds a traceback or
spans lines is folded into one. Context comes as ``key=value``: ``source=`` (the
catalogue source of the spider that logged, when Scrapy says which), ``url=`` (the
request in Scrapy's ``<GET url>``), ``reason=``. JSON lines carry the same keys as fields.

Apprise's logger is pinned at INFO or above whatever the level: at DEBUG it prints
notification URLs with their tokens. This module must not configure anything at import.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any, TextIO

#: Scrapy names the request in its messages as ``<GET http://...>``.
_REQUEST = re.compile(r"<(?:GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH) (\S+?)>")
#: ``key=value`` context in our messages: values run to the next space, except ``reason``,
#: which comes last by convention and runs to the end of the message.
_CONTEXT = re.compile(r"(?<![\w.])(source|url)=(\S+)|(?<![\w.])(reason)=(.+)$")
_TRACEBACK = "Traceback (most recent call last):"


class ContextFilter(logging.Filter):
    """Adds ``source`` and ``url`` to a record, from Scrapy's ``spider`` extra and ``<GET url>``.

    Never drops a record. Used by the one handler, so it sees every component's records.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        spider = getattr(record, "spider", None)
        source = getattr(getattr(spider, "source", None), "name", None)
        if source and not hasattr(record, "source"):
            record.source = source
        return True


def one_line(record: logging.LogRecord, *, tracebacks: bool) -> tuple[str, dict[str, str]]:
    """The record's message on one line, plus the context fields found in it.

    With ``tracebacks`` false, an attached exception becomes ``error=...`` and an
    embedded traceback is cut to its last line; newlines are folded to `` | ``.
    """
    message = record.getMessage()
    fields: dict[str, str] = {}
    if _TRACEBACK in message and not tracebacks:
        head, _, tail = message.partition(_TRACEBACK)
        last = [ln for ln in tail.strip().splitlines() if ln.strip()]
        message = head.strip() + (f" error={last[-1].strip()!r}" if last else "")
    if record.exc_info and record.exc_info[1] is not None and not tracebacks:
        exc = record.exc_info[1]
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        fields["error"] = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    message = " | ".join(part.strip() for part in message.splitlines() if part.strip())
    for found in _CONTEXT.finditer(message):
        key, value = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
        fields.setdefault(key, value.strip())
    source = getattr(record, "source", None)
    if source and "source" not in fields:
        fields["source"] = str(source)
    if "url" not in fields:
        request = _REQUEST.search(message)
        if request:
            fields["url"] = request.group(1)
    return message, fields


class LineFormatter(logging.Formatter):
    """``time LEVEL logger: message key=value...`` on one line (tracebacks only at DEBUG)."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        message, fields = one_line(record, tracebacks=self.tracebacks)
        extra = [f"{k}={fields[k]}" for k in ("source", "url", "reason") if k in fields and f"{k}=" not in message]
        if "error" in fields:
            extra.append(f"error={json.dumps(fields['error'], ensure_ascii=False)}")
        line = f"{self.formatTime(record, self.datefmt)} {record.levelname} {record.name}: " \
               + " ".join([message, *extra]).strip()
        if self.tracebacks and record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and source/url/reason/error when known."""

    def __init__(self, tracebacks: bool = False) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        message, fields = one_line(record, tracebacks=self.tracebacks)
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": message,
            **fields,
        }
        if record.exc_info and self.tracebacks:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(level: str = "INFO", json_lines: bool = False, stream: TextIO | None = None) -> None:
    """Install the one root handler (stderr unless ``stream``) and pin the noisy loggers' levels."""
    root_level = logging.getLevelName(level.upper())
    if not isinstance(root_level, int):
        root_level = logging.INFO
    tracebacks = root_level <= logging.DEBUG
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(tracebacks) if json_lines else LineFormatter(tracebacks))
    handler.addFilter(ContextFilter())
    # The handler's own level too: Scrapy resets the root logger's level to NOTSET.
    handler.setLevel(root_level)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(root_level)
    # Never let Apprise log at DEBUG: it prints secrets there.
    logging.getLogger("apprise").setLevel(max(logging.INFO, root_level))
    # urllib3 at DEBUG logs each request line, webhook tokens in the path included (issue 7).
    for secretive in ("urllib3", "requests"):
        logging.getLogger(secretive).setLevel(max(logging.INFO, root_level))
    for noisy in ("scrapy", "twisted", "apscheduler", "filelock", "trafilatura", "htmldate", "hpack", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root_level))


def log_json_enabled() -> bool:
    """Whether the installed configuration writes JSON lines (a crawl child copies it)."""
    return any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers)
