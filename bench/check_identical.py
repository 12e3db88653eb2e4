"""Dump everything the import derives from documents, as canonical JSON, so two code versions can be diffed.

Performance work on detection, features and indexing must not change any output. This
script runs the current code over fixed document sets and writes one JSON file:

- per document: ``document_features(...).to_json()`` and every field of each
  ``detect_denials(doc)`` result;
- after ``monitor import`` of each set into a fresh archive (the CLI, in a subprocess):
  the rows of ``denials`` (all columns but ``detected_at``; event as its key),
  ``matches`` (denial document URL, report URL, score, explanation), ``document_terms``
  (by URL), ``document_features`` and ``denial_events`` (all columns but ``created_at``).

Document sets: the development set under ``/work/shared/data/`` (skipped when absent),
the synthetic corpus of ``bench/synth.py`` (``generate(3000)``) and the JSONL fixtures
under ``tests/fixtures/``. ``bench/synth.py`` changes now and then, so ``--synth FILE``
reuses a frozen copy of the synthetic corpus (written there on first use).

    .venv/bin/python bench/check_identical.py /tmp/before.json --synth /tmp/synth3000.jsonl
    ... change the code ...
    .venv/bin/python bench/check_identical.py /tmp/after.json --synth /tmp/synth3000.jsonl
    diff /tmp/before.json /tmp/after.json && echo identical

Not a test (pytest never collects ``bench/``) and needs no network.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from monitor.detect.denials import detect_denials  # noqa: E402
from monitor.match.features import document_features  # noqa: E402
from monitor.collect.ingest import record_to_document  # noqa: E402
from monitor.timeutil import format_timestamp  # noqa: E402

DEV_DATA = Path("/work/shared/data")
FIXTURES = ROOT / "tests" / "fixtures"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _is_document(record: dict[str, Any]) -> bool:
    return all(k in record for k in ("url", "title", "text", "published", "source"))


def document_sets(synth_file: Path | None) -> dict[str, Path]:
    """Name -> JSONL file of documents, in a fixed order."""
    sets: dict[str, Path] = {}
    if DEV_DATA.is_dir():
        for path in sorted(DEV_DATA.glob("*.jsonl")):
            if "gold" not in path.name:
                sets[f"dev/{path.name}"] = path
    else:
        print(f"{DEV_DATA}: absent, development set skipped", file=sys.stderr)
    if synth_file is None or not synth_file.exists():
        import synth

        target = synth_file or Path(tempfile.mkstemp(suffix=".jsonl")[1])
        synth.write_jsonl(target, 3000)
        synth_file = target
    sets["synth/3000"] = synth_file
    for path in sorted(FIXTURES.glob("*/*.jsonl")):
        first = path.read_text(encoding="utf-8").splitlines()[:1]
        if first and _is_document(json.loads(first[0])):
            sets[f"fixtures/{path.parent.name}/{path.name}"] = path
    return sets


def per_document(path: Path) -> list[dict[str, Any]]:
    """Features and detected denials of every document of ``path``."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc = record_to_document(json.loads(line))
        feats = document_features(doc.title, doc.text, lang=doc.lang, role=doc.role, source=doc.source,
                                  published=format_timestamp(doc.published))
        denials = [_jsonable(dataclasses.asdict(d)) for d in detect_denials(doc)]
        out.append({"url": doc.url, "features": feats.to_json(), "denials": denials})
    return out


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cur = conn.execute(sql)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def imported(path: Path, tmp: Path, workers: int | None = None) -> dict[str, Any]:
    """The derived tables after ``monitor import`` of ``path`` into a fresh archive (with
    ``--workers``, when given: the sets of at least ``POOL_MIN_BACKLOG`` documents then go
    through the pooled drain, the others through the in-process one)."""
    db = tmp / f"{abs(hash(str(path)))}.db"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    extra = ["--workers", str(workers)] if workers else []
    proc = subprocess.run([sys.executable, "-m", "monitor", "import", str(path), "--db", str(db), *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    conn = sqlite3.connect(db)
    try:
        return {
            "exit": proc.returncode,
            "summary": proc.stdout.strip().splitlines()[-1:] if proc.stdout else [],
            "denials": _rows(conn, "SELECT x.id, d.url, x.speaker, x.cue, x.quote, x.claim, x.lang, x.cue_class,"
                                   " x.entities, x.event_type, x.event_date, x.outlets, x.confidence, x.position,"
                                   " x.published, x.profile, e.key AS event_key FROM denials x"
                                   " JOIN documents d ON d.id = x.document_id"
                                   " LEFT JOIN denial_events e ON e.id = x.event_id ORDER BY x.id"),
            "matches": _rows(conn, "SELECT d.url AS denial_url, x.id AS denial_id, r.url AS report_url, m.score,"
                                   " m.explanation FROM matches m JOIN denials x ON x.id = m.denial_id"
                                   " JOIN documents d ON d.id = x.document_id JOIN documents r ON r.id = m.report_id"
                                   " ORDER BY d.url, x.id, r.url"),
            "document_terms": _rows(conn, "SELECT d.url, t.term, t.published FROM document_terms t"
                                          " JOIN documents d ON d.id = t.document_id ORDER BY d.url, t.term"),
            "document_features": _rows(conn, "SELECT d.url, f.features, f.lead_denial FROM document_features f"
                                             " JOIN documents d ON d.id = f.document_id ORDER BY d.url"),
            "denial_events": _rows(conn, "SELECT key, speaker, claim, event_type, entities, first_published,"
                                         " last_published FROM denial_events ORDER BY key"),
        }
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", type=Path, help="JSON file to write")
    ap.add_argument("--synth", type=Path, default=None,
                    help="frozen synthetic corpus (written there when missing; default: generate afresh)")
    ap.add_argument("--workers", type=int, default=None,
                    help="monitor import --workers (default: its default, the machine's cores)")
    args = ap.parse_args(argv)
    dump: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        for name, path in document_sets(args.synth).items():
            dump[name] = {"documents": per_document(path), "archive": imported(path, Path(tmpdir), args.workers)}
            archive = dump[name]["archive"]
            print(f"{name}: {len(dump[name]['documents'])} documents, {len(archive['denials'])} denials, "
                  f"{len(archive['matches'])} matches, {len(archive['denial_events'])} events", file=sys.stderr)
    args.output.write_text(json.dumps(dump, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
