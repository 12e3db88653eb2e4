"""Score matching the way the held-out judge does, from an archive (issue 6).

Its job: given an archive into which a labelled document set was imported and the
gold file (``case``, ``denial_url``, ``contradicts``, ``not_contradicts``), compute
pair-level precision / recall / F1 and event recall from ``matches ⋈ denials ⋈
documents``, plus the BM25 baseline (top 3 media documents by FTS5 bm25 on the gold
denial document's title words within -30/+7 days) and detection recall over the gold
denial documents. Scoring rules (see ../shared/data/README.md): a predicted pair is
right when gold; ignored when its denial document belongs to the same case and the
report is one the case contradicts; otherwise wrong.

It must not write to the archive.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from monitor.timeutil import format_timestamp, parse_timestamp


@dataclass
class Gold:
    denial_docs: dict[str, set[str]] = field(default_factory=dict)  # case -> denial urls
    contradicts: dict[str, set[str]] = field(default_factory=dict)  # case -> report urls
    members: dict[str, set[str]] = field(default_factory=dict)  # case -> every url labelled in it

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> "Gold":
        g = cls()
        for r in records:
            case = r["case"]
            g.denial_docs.setdefault(case, set()).add(r["denial_url"])
            g.contradicts.setdefault(case, set()).update(r.get("contradicts") or ())
            m = g.members.setdefault(case, set())
            m.add(r["denial_url"])
            m.update(r.get("contradicts") or ())
            m.update(r.get("not_contradicts") or ())
        return g

    def pairs(self) -> set[tuple[str, str]]:
        return {(d, r) for c in self.denial_docs for d in self.denial_docs[c] for r in self.contradicts[c]}


@dataclass
class PairScore:
    right: int = 0
    wrong: int = 0
    ignored: int = 0
    gold: int = 0
    found: int = 0
    events_gold: int = 0
    events_found: int = 0
    wrong_pairs: list[tuple[str, str]] = field(default_factory=list)
    missed_pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def event_recall(self) -> float:
        return self.events_found / self.events_gold if self.events_gold else 0.0

    def line(self, name: str) -> str:
        return (f"{name:<10} P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
                f"event-R {self.event_recall:.3f}  (right {self.right}, wrong {self.wrong}, "
                f"ignored {self.ignored}, gold {self.gold})")


def score_pairs(predicted: Iterable[tuple[str, str]], gold: Gold) -> PairScore:
    """Apply the judge's rules to predicted (denial document url, report url) pairs."""
    pred = set(predicted)
    gold_pairs = gold.pairs()
    s = PairScore(gold=len(gold_pairs))
    for d, r in sorted(pred):
        if (d, r) in gold_pairs:
            s.right += 1
        elif any(d in gold.members[c] and r in gold.contradicts[c] for c in gold.members):
            s.ignored += 1
        else:
            s.wrong += 1
            s.wrong_pairs.append((d, r))
    s.found = len(gold_pairs & pred)
    s.missed_pairs = sorted(gold_pairs - pred)
    for c in gold.contradicts:
        for r in gold.contradicts[c]:
            s.events_gold += 1
            if any((d, r) in pred for d in gold.denial_docs[c]):
                s.events_found += 1
    return s


def predicted_pairs(store: Any) -> set[tuple[str, str]]:
    sql = """SELECT DISTINCT d.url, r.url FROM matches m JOIN denials x ON x.id = m.denial_id
             JOIN documents d ON d.id = x.document_id JOIN documents r ON r.id = m.report_id"""
    return {(a, b) for a, b in store.db.execute(sql).fetchall()}


_FTS_WORD = re.compile(r"\w+", re.UNICODE)


def baseline_pairs(store: Any, gold: Gold, *, top: int = 3, days_before: float = 30,
                   days_after: float = 7) -> set[tuple[str, str]]:
    """The README's BM25 baseline: title words of each gold denial document, top 3 media."""
    out: set[tuple[str, str]] = set()
    for urls in gold.denial_docs.values():
        for url in urls:
            row = store.db.execute("SELECT id, title, published FROM documents WHERE url = ?", [url]).fetchone()
            if row is None:
                continue
            doc_id, title, published = row
            words = [w for w in _FTS_WORD.findall(title or "") if len(w) > 2]
            if not words:
                continue
            query = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
            t = parse_timestamp(published)
            start = format_timestamp(t - dt.timedelta(days=days_before))
            end = format_timestamp(t + dt.timedelta(days=days_after))
            hits = store.db.execute(
                "SELECT d.url FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid"
                " WHERE documents_fts MATCH ? AND d.role = 'media' AND d.id != ?"
                " AND d.published >= ? AND d.published <= ? ORDER BY bm25(documents_fts) LIMIT ?",
                [query, doc_id, start, end, top],
            ).fetchall()
            out |= {(url, h[0]) for h in hits}
    return out


def detection_recall(store: Any, gold: Gold) -> tuple[int, int]:
    """(gold denial documents with at least one denial row, gold denial documents)."""
    return _with_denials(store, {u for us in gold.denial_docs.values() for u in us})


def contradicted_with_denials(store: Any, gold: Gold) -> tuple[int, int]:
    """(contradicted reports in which a denial was detected, contradicted reports)."""
    return _with_denials(store, {u for us in gold.contradicts.values() for u in us})


def _with_denials(store: Any, urls: set[str]) -> tuple[int, int]:
    """(documents among ``urls`` with at least one denial row, len(urls))."""
    found = sum(
        1 for u in urls
        if store.db.execute(
            "SELECT 1 FROM denials x JOIN documents d ON d.id = x.document_id WHERE d.url = ? LIMIT 1", [u]
        ).fetchone()
    )
    return found, len(urls)
