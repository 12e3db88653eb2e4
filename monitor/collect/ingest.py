"""Raw records -> ``Document``: validation, UTC dates, language; and the JSONL import.

The import streams its input line by line (a year of documents never sits in
memory), stores documents in batches, one transaction per batch, and reports each bad
line with its number and reason without losing the good ones. Storing is its own
stage (issue 16): the documents enter the processing backlog as they are stored, and
``import_jsonl`` then drains it (``monitor.process``) unless asked to store only.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterable, Mapping

from monitor.process import DrainReport, Progress, drain_backlog
from monitor.collect.jsonl import MAX_LINE_BYTES, read_lines
from monitor.errors import InputError
from monitor.text.language import detect_language
from monitor.models import ROLES, Document
from monitor.timeutil import parse_timestamp

log = logging.getLogger(__name__)

REQUIRED = ("url", "title", "text", "published", "source")
KNOWN = set(REQUIRED) | {"role", "lang"}
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_LANG = re.compile(r"^[a-z]{2}$")

#: Documents per transaction: large enough to amortise commits, small enough that a
#: crash loses little work and readers are never blocked for long.
BATCH_SIZE = 200


def record_to_document(record: Mapping[str, Any], default_roles: Mapping[str, str] | None = None) -> Document:
    """Validate one import record and build a Document. Raises ``InputError`` naming the field."""
    # `type(...) is dict` first: what json.loads gives, without the ABC check's cost
    if type(record) is not dict and not isinstance(record, Mapping):
        raise InputError("not a JSON object")
    for key in REQUIRED:
        value = record.get(key)
        if type(value) is not str:
            if value is None:
                raise InputError(f"missing required field {key!r}")
            if not isinstance(value, str):
                raise InputError(f"field {key!r} must be a string, got {type(value).__name__}")
    url = record["url"].strip()
    if not _URL.match(url):
        raise InputError(f"field 'url' is not an http(s) URL: {url[:80]!r}")
    source = record["source"].strip()
    if not source:
        raise InputError("field 'source' is empty")
    try:
        published = parse_timestamp(record["published"])
    except ValueError as exc:
        raise InputError(f"field 'published': {exc}") from None
    role = record.get("role")
    if role is None:
        role = (default_roles or {}).get(source, "media")
    elif role not in ROLES:
        raise InputError(f"field 'role' must be 'official' or 'media', got {role!r}")
    lang = record.get("lang")
    if lang is not None:
        code = lang.strip().lower() if isinstance(lang, str) else None
        if code is None or not _LANG.match(code):
            raise InputError(f"field 'lang' must be an ISO 639-1 code, got {lang!r}")
        lang = code
    else:
        lang = detect_language(f"{record['title']}\n{record['text']}")
    # most records carry only the known fields: no comprehension over them
    extra = {} if record.keys() <= KNOWN else {k: v for k, v in record.items() if k not in KNOWN}
    return Document(
        url=url, title=record["title"].strip(), text=record["text"], published=published,
        source=source, role=role, lang=lang, extra=extra,
    )


@dataclass
class ImportReport:
    """Counts for the summary line; ``errors`` holds ``(line number, reason)``."""

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    denials: int = 0
    matches: int = 0
    alerts: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: Bytes of input consumed so far (for progress against the file's size).
    bytes_read: int = 0
    #: the drain that followed the storing (None with ``store_only``)
    processing: DrainReport | None = None

    def summary(self) -> str:
        stored = (f"read {self.read}, new {self.new}, updated {self.updated}, unchanged {self.unchanged}, "
                  f"rejected {self.rejected}")
        if self.processing is None:
            return f"{stored}; stored only (processing waits: `monitor process`)"
        return f"{stored}; denials {self.denials}, matches {self.matches}, alerts queued {self.alerts}"


def import_jsonl(
    store: Any,
    stream: IO[bytes] | IO[str],
    *,
    queue_alerts: bool = False,
    default_roles: Mapping[str, str] | None = None,
    on_error: Callable[[int, str], None] | None = None,
    on_progress: Callable[[ImportReport], None] | None = None,
    batch_size: int = BATCH_SIZE,
    max_line_bytes: int = MAX_LINE_BYTES,
    store_only: bool = False,
    workers: int | None = None,
    on_process_progress: Callable[[Progress], None] | None = None,
) -> ImportReport:
    """Stream JSON Lines from ``stream`` (bytes or text) into ``store``, then drain the
    backlog; return the counts.

    Bad lines (bad encoding, over ``max_line_bytes``, bad JSON, bad fields) are
    reported through ``on_error(line_number, reason)`` and skipped; the good ones are
    stored (``monitor.collect.jsonl``). ``store_only`` returns once everything is stored
    (the documents wait in the backlog); otherwise what is new or changed is processed
    with ``workers`` processes (default: the machine's cores) before returning, and
    ``queue_alerts`` lets that queue alerts.
    """
    report = ImportReport()
    batch: list[Document] = []

    def reject(number: int, reason: str) -> None:
        report.rejected += 1
        if len(report.errors) < 10_000:
            report.errors.append((number, reason))
        if on_error:
            on_error(number, reason)

    for entry in read_lines(stream, max_bytes=max_line_bytes):
        number, line = entry.number, entry.text
        report.bytes_read = entry.offset
        if line is not None and (not line or line.isspace()):  # blank; no copy of the line
            continue
        report.read += 1
        if line is None:
            reject(number, entry.problem or "unreadable line")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            reject(number, f"not valid JSON: {exc.msg} at column {exc.colno}")
            continue
        try:
            batch.append(record_to_document(record, default_roles))
        except InputError as exc:
            reject(number, str(exc))
            continue
        if len(batch) >= batch_size:
            _flush(store, batch, report, queue_alerts)
            batch = []
            if on_progress:
                on_progress(report)
    if batch:
        _flush(store, batch, report, queue_alerts)
    if on_progress:
        on_progress(report)
    if not store_only:
        # what is new or changed; a reprocess after a version bump is `monitor process`'s
        drained = drain_backlog(store, workers=workers, on_progress=on_process_progress, stale=False)
        report.processing = drained
        report.denials, report.matches, report.alerts = drained.denials, drained.matches, drained.alerts
    return report


def store_documents(store: Any, documents: Iterable[Document], *, queue_alerts: bool) -> tuple[list[int], dict[str, int]]:
    """Upsert documents in one transaction; return the ids of the new and changed ones and the counts.

    Those enter the processing backlog in the same transaction (``queue_alerts``: their
    processing may queue alerts); nothing is detected or matched here.
    """
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    changed: list[int] = []
    with store.atomic():
        for result in store.upsert_documents(documents, alerts=queue_alerts):
            counts[result.status] += 1
            if result.status != "unchanged":
                changed.append(result.id)
    return changed, counts


def _flush(store: Any, batch: list[Document], report: ImportReport, queue_alerts: bool) -> None:
    # The same URL twice in one batch: the later line wins, as it would across batches.
    _, counts = store_documents(store, batch, queue_alerts=queue_alerts)
    report.new += counts["new"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"]
