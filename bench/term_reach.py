"""Do a denial's terms reach a report in another language? Per report language (issue 15, latin).

For every gold pair (denial document, report it contradicts) whose report is in a language
other than English and Russian, both documents are reduced to their terms as processing does
(``document_features``), and the denial's specific headline-and-lead terms (not the denier's
side, not generic, not outlets, events or topics) are looked up among the report's terms.
Printed per leading language and report language: pairs, pairs sharing at least one such term,
and the share of the denial's terms the report has. ``--missing N`` lists the N terms most
often missed, with the report's words that look like them (the same first letters), which is
how inflected and respelled names show up (Pieskowa, Prigoschin, Putins).

    .venv/bin/python bench/term_reach.py [--data ../shared/data] [--missing 40] [--langs de,pl]

Measures documents, not the matcher: a term that meets here can still be outweighed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from monitor.collect.ingest import record_to_document
from monitor.match.features import DENIER_TERMS, DocumentFeatures, document_features, name_key, words
from monitor.match.scoring import GENERIC_TERMS

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SETS = (("dev", "en"), ("dev_ru", "ru"), ("train", "en"), ("train_ru", "ru"))


def specific(terms: frozenset[str]) -> set[str]:
    """The terms that say what a story is about (people, places, names, organisations)."""
    return {t for t in terms if t not in DENIER_TERMS and t not in GENERIC_TERMS
            and not t.startswith(("outlet:", "event:", "topic:"))}


def features_of(doc: dict[str, Any]) -> DocumentFeatures:
    published = record_to_document(doc).published.isoformat()
    return document_features(doc.get("title") or "", doc.get("text") or "", lang=doc.get("lang"),
                             role=doc.get("role") or "media", source=doc.get("source") or "", published=published)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--missing", type=int, default=0, help="list this many of the most often missed terms")
    ap.add_argument("--langs", default="", help="report languages to look at (default: every one but en, ru)")
    args = ap.parse_args(argv)
    if not (args.data / "dev_documents.jsonl").exists():
        print(f"no labelled pool at {args.data}", file=sys.stderr)
        return 2
    wanted = {x for x in args.langs.split(",") if x}
    docs: dict[str, dict[str, Any]] = {}
    for name, _ in SETS:
        for line in (args.data / f"{name}_documents.jsonl").open(encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                docs[d["url"]] = d
    feats: dict[str, DocumentFeatures] = {}
    per: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    missed: Counter[tuple[str, str, str]] = Counter()
    example: dict[tuple[str, str, str], str] = {}
    for name, lead in SETS:
        for line in (args.data / f"{name}_gold.jsonl").open(encoding="utf-8"):
            if not line.strip():
                continue
            gold = json.loads(line)
            denial = gold["denial_url"]
            for report in gold.get("contradicts", ()):
                if denial not in docs or report not in docs:
                    continue
                lang = docs[report].get("lang") or "?"
                if lang in ("en", "ru") or (wanted and lang not in wanted):
                    continue
                for url in (denial, report):
                    if url not in feats:
                        feats[url] = features_of(docs[url])
                terms = specific(feats[denial].lead_terms)
                shared = terms & feats[report].body_terms
                c = per[(lead, lang)]
                c["pairs"] += 1
                c["sharing"] += bool(shared)
                c["terms"] += len(terms)
                c["met"] += len(shared)
                for t in terms - shared:
                    missed[(lead, lang, t)] += 1
                    example.setdefault((lead, lang, t), report)
    print(f"{'lead':4} {'lang':4} {'pairs':>5} {'sharing':>7} {'terms':>5} {'met':>4} {'met%':>5}")
    total: Counter[str] = Counter()
    for (lead, lang), c in sorted(per.items()):
        total.update(c)
        print(f"{lead:4} {lang:4} {c['pairs']:5} {c['sharing']:7} {c['terms']:5} {c['met']:4} "
              f"{100 * c['met'] / max(1, c['terms']):5.1f}")
    print(f"{'all':9} {total['pairs']:5} {total['sharing']:7} {total['terms']:5} {total['met']:4} "
          f"{100 * total['met'] / max(1, total['terms']):5.1f}")
    if args.missing:
        print("\nterms of the denial the report lacks (pairs), with the report's words that look like them:")
        for (lead, lang, term), n in missed.most_common(args.missing):
            doc = docs[example[(lead, lang, term)]]
            key = term.split(":", 1)[1]
            text = f"{doc.get('title') or ''}\n{(doc.get('text') or '')[:4000]}"
            alike = sorted({w for w in words(text) if (name_key(w) or "")[:3] == key[:3] or w.lower()[:4] == key[:4]})
            print(f"  {lead} {lang} {n:3} {term:28} {' '.join(alike[:6])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
