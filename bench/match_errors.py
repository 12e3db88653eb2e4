"""Where the out-of-fold matching errors come from (issue 15, error analysis).

Used by ``bench/evaluate.py --errors``. Every gold pair the cross-validated model missed is
put in the first cause that explains it:

- ``denial not detected``: no denial was found in the denial document;
- ``outside the window``: the report is more than ``days_before`` before / ``days_after`` after;
- ``no candidate``: the denial was found, the report is in the window, but it shares no term
  with the denial's profile and is not near in embedding;
- ``excluded by a rule``: ``learned.exclusion`` (coverage headline, official channel, ...);
- ``below the threshold``: scored, too low.

Each missed pair is also counted as cross-language or not, and by where the report lies in
time. Every wrong pair is put in one kind: a report of the denial (the report carries a
denial itself), a report after the denial, a same-case document about another event, a
document of another case or of none. Kinds are general properties, never case names.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping

from monitor.collect.ingest import record_to_document
from monitor.evaluate.matching import Gold
from monitor.match.learned import exclusion
from monitor.match.scoring import MatchingConfig

SETS = ("dev", "dev_ru", "train", "train_ru")


def documents_meta(data: Path) -> dict[str, tuple[dt.datetime, str]]:
    """URL -> (published, language) of every document of the pool."""
    out = {}
    for name in SETS:
        path = data / f"{name}_documents.jsonl"
        if path.exists():
            for line in path.open(encoding="utf-8"):
                if line.strip():
                    doc = record_to_document(json.loads(line))
                    out[doc.url] = (doc.published, (doc.lang or "?")[:2])
    return out


def _share(c: Counter, total: int) -> list[str]:
    return [f"    {k:34} {v:>4}  {v / total:>5.0%}" for k, v in c.most_common()] if total else []


def error_breakdown(rows: list[dict[str, Any]], accept: Iterable[bool], gold_records: Mapping[str, list[dict[str, Any]]],
                    detected: set[str], data: Path, config: MatchingConfig | None = None) -> list[str]:
    """Lines of a table: missed gold pairs by cause, wrong pairs by kind, per lead language."""
    config = config or MatchingConfig(scorer=None)
    meta = documents_meta(data)
    best: dict[tuple[str, str, str], dict[str, Any]] = {}
    accepted: set[tuple[str, str, str]] = set()
    for r, a in zip(rows, accept):
        key = (r["set"], r["denial_url"], r["report_url"])
        if key not in best or r["features"]["hand_score"] > best[key]["features"]["hand_score"]:
            best[key] = r
        if a:
            accepted.add(key)
    lines = []
    for lead, names in (("en", ("dev", "train")), ("ru", ("dev_ru", "train_ru"))):
        missed, lang, when, wrong = Counter(), Counter(), Counter(), Counter()
        n_missed = n_wrong = 0
        for name in names:
            if name not in gold_records:
                continue
            gold = Gold.from_records(gold_records[name])
            case_of = {u: c for c, m in gold.members.items() for u in m}
            for d, rep in sorted(gold.pairs()):
                if (name, d, rep) in accepted:
                    continue
                n_missed += 1
                row = best.get((name, d, rep))
                (pd, ld), (pr, lr) = meta.get(d, (None, "?")), meta.get(rep, (None, "?"))
                days = (pd - pr).total_seconds() / 86400 if pd and pr else 0.0
                if d not in detected:
                    cause = "denial not detected"
                elif days > config.days_before or -days > config.days_after:
                    cause = "outside the window"
                elif row is None:
                    cause = "no candidate"
                elif exclusion(row["features"]):
                    cause = f"excluded: {exclusion(row['features'])[:26]}"
                else:
                    cause = "below the threshold"
                missed[cause] += 1
                lang["cross-language" if ld != lr else "same language"] += 1
                when["report after the denial" if days < 0 else
                     "report > 30 days before" if days > 30 else "report 0-30 days before"] += 1
            for (s, d, rep), r in best.items():
                if s != name or (s, d, rep) not in accepted or (d, rep) in gold.pairs():
                    continue
                if any(d in gold.members[c] and rep in gold.contradicts[c] for c in gold.members):
                    continue  # ignored by the judge
                n_wrong += 1
                f = r["features"]
                if case_of.get(rep) is None:
                    kind = "document of no case"
                elif case_of.get(rep) != case_of.get(d):
                    kind = "report of another case"
                elif f["report_denials"] or f["lead_denial"]:
                    kind = "same case: carries a denial (relay)"
                elif f["after"]:
                    kind = "same case: after the denial"
                else:
                    kind = "same case: another event"
                wrong[kind] += 1
        lines.append(f"  {lead}-led: {n_missed} gold pairs missed")
        lines += _share(missed, n_missed) + ["    --"] + _share(lang, n_missed) + ["    --"] + _share(when, n_missed)
        lines.append(f"  {lead}-led: {n_wrong} wrong pairs")
        lines += _share(wrong, n_wrong)
    return lines

