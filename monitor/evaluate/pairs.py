"""Labelled pair tables: the (denial, report) pairs the pipeline scores, with the judge's labels.

Its job (issue 15): turn labelled JSONL into rows a scorer can be fitted on and judged by,
one way for ``bench/evaluate.py`` (cross-validation) and ``monitor train`` (the shipped
weights) alike. A labelled set — documents in the import format plus gold lines (the shared
pool format: ``case``, ``denial_url``, ``contradicts``, ``not_contradicts``) — is imported
in shuffled order (a fixed seed) into a fresh archive, processed as ``monitor import``
does, and its pair table (``monitor.match.linking.pair_table``) is read back. Analysts'
verdicts (``monitor feedback export``) name documents of an existing archive: the same
table is read from that archive instead.

Each row is labelled by the judge's rules (``GoldLabels.label``: 1 gold, 0 wrong, None
ignored) and given a *fold*: the group of cases its documents belong to, so that cases
sharing a document are held out together.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from monitor.collect.ingest import record_to_document
from monitor.errors import InputError
from monitor.evaluate.training import GoldLabels, group_cases
from monitor.match.linking import pair_table
from monitor.match.scoring import MatchingConfig
from monitor.pipeline import process_documents
from monitor.store import Store

__all__ = ["IMPORT_BATCH", "archive_pairs", "import_pairs", "label_rows", "pool_sets", "read_jsonl", "set_pairs",
           "training_rows"]

#: Documents per transaction, as ``monitor import`` batches them for processing.
IMPORT_BATCH = 17


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a file, one a line; a bad line raises ``InputError`` naming file and line."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: not valid JSON: {exc.msg}") from exc
        if not isinstance(obj, dict):
            raise InputError(f"{path}:{n}: not a JSON object")
        out.append(obj)
    return out


def import_pairs(db_path: Path, records: Sequence[dict[str, Any]], seed: int, config: MatchingConfig, *,
                 detected: set[str] | None = None,
                 analyze: Callable[[Any, list[int]], Mapping[int, Any]] | None = None) -> list[dict[str, Any]]:
    """Import ``records`` in shuffled order into a fresh archive at ``db_path``; its pair table.
    ``detected`` (when given) receives the URLs of the documents a denial was found in.
    ``analyze(store, ids)`` (when given) computes each batch's analyses outside the pipeline
    (``process_documents(analyses=...)``, the route the backlog's workers use): the
    out-of-fold detection of ``bench/oof_detection.py``."""
    records = list(records)
    random.Random(seed).shuffle(records)
    store = Store.open(db_path)
    try:
        for start in range(0, len(records), IMPORT_BATCH):
            with store.atomic():
                ids = [store.upsert_document(record_to_document(r)).id for r in records[start : start + IMPORT_BATCH]]
                process_documents(store, ids, config=config, analyses=analyze(store, ids) if analyze else None)
        if detected is not None:
            urls = store.document_urls()
            detected.update(urls[r["document_id"]] for r in store.denials_between("0000", "9999"))
        return pair_table(store, config)
    finally:
        store.close()


def set_pairs(name: str, documents: Path, gold: Path, seed: int, config: MatchingConfig, *,
              detected: set[str] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One labelled set's pair table (rows carry ``set``) and its gold lines (``detected``:
    as for ``import_pairs``)."""
    records = read_jsonl(documents)
    gold_records = read_jsonl(gold)
    with tempfile.TemporaryDirectory() as tmp:
        rows = import_pairs(Path(tmp) / "set.db", records, seed, config, detected=detected)
    for r in rows:
        r["set"] = name
    return rows, gold_records


def archive_pairs(name: str, store: Any, config: MatchingConfig) -> list[dict[str, Any]]:
    """The pair table of an existing archive (labelled by analysts' exported verdicts)."""
    rows = pair_table(store, config)
    for r in rows:
        r["set"] = name
    return rows


def label_rows(rows: Iterable[dict[str, Any]], gold_records: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Give each row its label ``y`` (by its set's gold lines) and its ``fold`` (case group).

    Rows of a set whose name starts with ``extra:`` form their own fold: training data in
    every fold, never judged. Returns the groups and the URLs of each group.
    """
    labels = {name: GoldLabels.from_records(recs, origin=name) for name, recs in gold_records.items()}
    members: dict[str, set[str]] = {}
    for name, gl in labels.items():
        for case, m in gl.members.items():
            members[f"{name}:{case}"] = m
    groups = group_cases(members)
    url_group: dict[str, str] = {}
    for case, m in members.items():
        for u in m:
            url_group[u] = groups[case]
    group_urls: dict[str, set[str]] = defaultdict(set)
    for u, g in url_group.items():
        group_urls[g].add(u)
    for r in rows:
        r["y"] = labels[r["set"]].label(r["denial_url"], r["report_url"])
        if r["set"].startswith("extra:"):
            r["fold"] = r["set"]
        else:
            r["fold"] = url_group.get(r["denial_url"]) or url_group.get(r["report_url"]) or "(no case)"
    return {"groups": groups, "group_urls": group_urls, "members": members}



def pool_sets(folder: Path) -> list[tuple[str, Path, Path]]:
    """The labelled sets of a folder: every ``NAME_documents.jsonl`` with its ``NAME_gold.jsonl``."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of labelled sets")
    out = []
    for docs in sorted(folder.glob("*_documents.jsonl")):
        name = docs.name.removesuffix("_documents.jsonl")
        gold = docs.with_name(f"{name}_gold.jsonl")
        if gold.exists():
            out.append((name, docs, gold))
    if not out:
        raise InputError(f"{folder}: no NAME_documents.jsonl with its NAME_gold.jsonl")
    return out


def training_rows(sets: Sequence[tuple[str, Path, Path]], *, seed: int, config: MatchingConfig,
                  archive: Any = None, feedback: Sequence[dict[str, Any]] = ()) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Labelled pair rows of every set, plus (with ``archive``) the archive's pairs labelled by
    analysts' exported verdicts; and the fold information of ``label_rows``."""
    rows: list[dict[str, Any]] = []
    gold: dict[str, list[dict[str, Any]]] = {}
    for name, docs, labels in sets:
        table, gold[name] = set_pairs(name, docs, labels, seed, config)
        rows += table
    if archive is not None and feedback:
        gold["feedback"] = list(feedback)
        rows += archive_pairs("feedback", archive, config)
    return rows, label_rows(rows, gold)
