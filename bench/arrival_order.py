"""Matching in arrival order against matching the finished archive (issue 15).

``bench/evaluate.py`` judges the pair table of a finished archive: every denial is there
when a pair is scored. A daemon scores a pair when the later of its two documents arrives,
with the archive as it is then; ``rival_log_n`` reads the archive's *other* denials, and
the one that fits a report better usually comes after it, so matching takes a stored match
back when such a denial arrives (``linking.rivalled_matches``). This script measures how far
the stored matches of an archive built in publication order (``--chunk`` documents per
processing batch; 1 is a daemon that sees one document at a time) lie from those of the same
documents processed at once, and scores both against the gold labels, with the scorer the
environment selects (``MONITOR_SCORER``; the bundled weights by default).

The bundled weights were fitted on these very cases, so the P/R printed are *not* quality
figures (those are ``bench/evaluate.py``'s cross-validated ones); what this measures is the
difference order makes, with the same weights on both sides. ``--warm`` first processes the
other sets' documents at once in both archives, so that the set arrives into an archive whose
term frequencies have settled somewhat, as a running daemon's have (only pairs that involve the
set's own documents are counted; a match to another set's report is wrong).

    .venv/bin/python bench/arrival_order.py --data ../shared/data [--sets dev,train] [--chunk 1] [--warm]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from monitor.collect.ingest import record_to_document
from monitor.evaluate.matching import Gold, predicted_pairs, score_pairs
from monitor.evaluate.pairs import pool_sets, read_jsonl
from monitor.match.scoring import MatchingConfig
from monitor.pipeline import process_documents
from monitor.store import Store


class _Withdrawals(logging.Handler):
    """Counts the matches ``match_documents`` withdrew (its log line says how many)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("matches withdrawn count="):
            self.count += int(message.split("count=")[1].split()[0])


def build(db: Path, records: list[dict], chunk: int, config: MatchingConfig,
          warm: list[dict] = ()) -> set[tuple[str, str]]:
    """Process ``warm`` at once, then ``records`` in ``chunk``-document batches in the given
    order; the stored pairs that involve one of ``records``."""
    with Store.open(db) as store:
        if warm:
            with store.atomic():
                ids = [store.upsert_document(record_to_document(r)).id for r in warm]
                process_documents(store, ids, config=config)
        for start in range(0, len(records), chunk):
            with store.atomic():
                ids = [store.upsert_document(record_to_document(r)).id for r in records[start : start + chunk]]
                process_documents(store, ids, config=config)
        mine = {str(r["url"]) for r in records}
        return {(d, r) for d, r in predicted_pairs(store) if d in mine or r in mine}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of NAME_documents.jsonl + NAME_gold.jsonl")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--chunk", type=int, default=1, help="documents per processing batch in arrival order")
    parser.add_argument("--warm", action="store_true",
                        help="process the other sets' documents first, at once (an archive that is not empty)")
    args = parser.parse_args(argv)
    wanted = {s for s in args.sets.split(",") if s}
    counter = _Withdrawals()
    linking_log = logging.getLogger("monitor.match.linking")
    linking_log.addHandler(counter)
    linking_log.setLevel(logging.INFO)
    config = MatchingConfig()
    print(f"scorer {config.scorer}, chunk {args.chunk}{', warm' if args.warm else ''}")
    sets = pool_sets(args.data)
    for name, docs, gold_path in sets:
        if wanted and name not in wanted:
            continue
        records = read_jsonl(docs)
        warm = [r for other, path, _ in sets if other != name for r in read_jsonl(path)] if args.warm else []
        mine = {str(r["url"]) for r in records}
        warm = [r for r in warm if str(r["url"]) not in mine]
        gold = Gold.from_records(read_jsonl(gold_path))
        in_order = sorted(records, key=lambda r: (str(r.get("published") or ""), str(r.get("url"))))
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            at_once = build(Path(tmp) / "once.db", in_order, len(in_order), config, warm)
            t1 = time.perf_counter()
            counter.count = 0
            arrived = build(Path(tmp) / "order.db", in_order, args.chunk, config, warm)
            t2 = time.perf_counter()
        for label, pairs in (("at once", at_once), ("in order", arrived)):
            s = score_pairs(pairs, gold)
            print(f"  {name:9} {label:8} P {s.precision:.3f} R {s.recall:.3f} (right {s.right}, wrong {s.wrong})")
        print(f"  {name:9} pairs only at once {len(at_once - arrived)}, only in order {len(arrived - at_once)},"
              f" both {len(at_once & arrived)}; withdrawn in order {counter.count};"
              f" {t1 - t0:.0f} s at once, {t2 - t1:.0f} s in order ({len(records)} documents)")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
