"""Logging: one line per event for every component, JSON when asked, logs on stderr (issue 17 item 7)."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from monitor.logsetup import ContextFilter, JsonFormatter, LineFormatter


def record(message: str, *args: object, exc: BaseException | None = None, level: int = logging.ERROR,
           name: str = "scrapy.core.scraper", **extra: object) -> logging.LogRecord:
    exc_info = None
    if exc is not None:
        try:
            raise exc
        except BaseException:
            exc_info = sys.exc_info()
    rec = logging.LogRecord(name, level, __file__, 1, message, args, exc_info)
    for key, value in extra.items():
        setattr(rec, key, value)
    ContextFilter().filter(rec)
    return rec


def test_an_exception_is_one_line_with_its_type_below_debug() -> None:
    rec = record("Error downloading %s", "<GET http://127.0.0.1:9/feed>", exc=ConnectionRefusedError("refused\nmore"),
                 spider=SimpleNamespace(source=SimpleNamespace(name="kremlin-en")))
    line = LineFormatter(tracebacks=False).format(rec)
    assert "\n" not in line and "Traceback" not in line
    assert line.endswith('Error downloading <GET http://127.0.0.1:9/feed> source=kremlin-en '
                         'url=http://127.0.0.1:9/feed error="ConnectionRefusedError: refused"')


def test_debug_keeps_the_traceback() -> None:
    rec = record("boom", exc=ValueError("bad"))
    assert "Traceback (most recent call last):" in LineFormatter(tracebacks=True).format(rec)
    assert "Traceback" in json.loads(JsonFormatter(tracebacks=True).format(rec))["exception"]


def test_a_traceback_inside_the_message_is_folded_to_its_last_line() -> None:
    text = ("Unhandled error in Deferred:\nTraceback (most recent call last):\n  File \"x.py\", line 1, in f\n"
            "    g()\ntwisted.internet.error.DNSLookupError: DNS lookup failed: example.invalid.\n")
    line = LineFormatter(tracebacks=False).format(record(text, name="twisted"))
    assert "\n" not in line
    assert line.endswith("twisted: Unhandled error in Deferred: error='twisted.internet.error.DNSLookupError:"
                         " DNS lookup failed: example.invalid.'")


def test_json_lines_carry_source_url_and_reason_as_fields() -> None:
    rec = record("source failed source=%s url=%s reason=%s", "mid-ru", "https://mid.ru/x", "HTTP 503 (after 2 retries)",
                 level=logging.WARNING, name="mid")
    payload = json.loads(JsonFormatter().format(rec))
    assert (payload["level"], payload["logger"], payload["source"], payload["url"], payload["reason"]) == (
        "warning", "mid", "mid-ru", "https://mid.ru/x", "HTTP 503 (after 2 retries)")


def test_a_crawl_of_a_dead_host_logs_only_json_lines_on_stderr_and_results_on_stdout(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cat = tmp_path / "cat.toml"
    cat.write_text(f'[[source]]\nname = "dead-feed"\nspider = "feed"\nurl = "http://127.0.0.1:{port}/feed"\n\n'
                   f'[[source]]\nname = "dead-listing"\nspider = "kremlin"\nurl = "http://127.0.0.1:{port}/news"\n',
                   encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "monitor", "--log-json", "crawl", "--sources", str(cat),
                           "--db", str(tmp_path / "m.db"), "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_DELAY=0"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines, "a refused connection is logged"
    payloads = [json.loads(line) for line in lines]  # every line is JSON: this raises otherwise
    assert not any("Traceback" in line for line in lines)
    assert {p.get("source") for p in payloads if p["logger"].startswith("scrapy")} == {"dead-feed", "dead-listing"}
    assert proc.stdout.splitlines()[-1] == "2 source(s): 0 ok, 2 failed; new 0, updated 0"
    assert not any(line.startswith("{") for line in proc.stdout.splitlines())
