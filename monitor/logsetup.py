"""Logging configured once, at startup: one line per event on stdout.

Human-readable by default, JSON lines with ``--log-json`` or ``MONITOR_LOG_JSON=1``.
Apprise's logger is pinned at INFO or above whatever the level: at DEBUG it prints
notification URLs with their tokens.
"""

from __future__ import annotations

import json
import logging
import sys


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(level: str = "INFO", json_lines: bool = False, stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stdout)
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Never let Apprise log at DEBUG: it prints secrets there.
    logging.getLogger("apprise").setLevel(max(logging.INFO, root.level))
    # urllib3 at DEBUG logs each request line, webhook tokens in the path included (issue 7).
    for secretive in ("urllib3", "requests"):
        logging.getLogger(secretive).setLevel(max(logging.INFO, root.level))
    for noisy in ("scrapy", "twisted", "apscheduler", "filelock", "trafilatura", "htmldate"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
