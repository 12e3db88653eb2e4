"""What happens to every new or changed document, crawled or imported.

Detect denials in it, index its matching features, then link denials to reports in
both directions (its denials against earlier and later reports in the window; the
document as a report against denials in the window), group denials into events and
queue alerts. Called inside the transaction that stored the documents, so a document
and everything derived from it commit together. A failure on one document is logged
with its URL and does not lose the others.

Order-independence: a pair's score depends only on the two documents, both sides are
re-evaluated whenever either changes, and events are recomputed as connected
components around the changed denials, so the same documents give the same matches
and events whatever order they arrive in, and re-running changes nothing.

It must not run SQL itself (``store`` does) or score pairs (``matching`` does).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Iterable

from monitor.match import events as ev
from monitor.detect.denials import detect_denials
from monitor.match.features import DocumentFeatures, body_lead, document_features, headline_cue, lead_offset, text_terms
from monitor.match.scoring import (
    DENIER_TERMS, NO_SHARED_TERM_MAX, MatchingConfig, build_profile, could_match, profile_from_json, score_pair,
)
from monitor.models import Document
from monitor.text.sentences import split_sentences
from monitor.timeutil import format_timestamp, parse_timestamp

log = logging.getLogger(__name__)

#: A denial detected this early in the body (its first sentence or so) makes the
#: document coverage of the denial; later, the article leads with something else.
LEAD_DENIAL_CHARS = 220

_OUTLET_SLUGS = {
    "nyt": "outlet:nytimes", "nytimes": "outlet:nytimes", "wapo": "outlet:washingtonpost",
    "washingtonpost": "outlet:washingtonpost", "wsj": "outlet:wsj", "ft": "outlet:ft", "ap": "outlet:ap",
    "afp": "outlet:afp", "reuters": "outlet:reuters", "bloomberg": "outlet:bloomberg", "cnn": "outlet:cnn",
    "bbc": "outlet:bbc", "guardian": "outlet:guardian", "axios": "outlet:axios", "politico": "outlet:politico",
    "meduza": "outlet:meduza", "kommersant": "outlet:kommersant", "interfax": "outlet:interfax",
    "tass": "outlet:tass", "ria": "outlet:ria", "rbc": "outlet:rbc", "spiegel": "outlet:spiegel",
    "bild": "outlet:bild", "nbc": "outlet:nbc", "cbs": "outlet:cbs", "abc": "outlet:abc",
    "dpa": "outlet:dpa", "novayagazeta": "outlet:novayagazeta", "tvrain": "outlet:dozhd",
}


def source_outlets(source: str) -> set[str]:
    """Outlet concept ids a source slug stands for (``thestar-reuters`` -> Reuters)."""
    parts = source.lower().replace("_", "-").split("-")
    return {_OUTLET_SLUGS[p] for p in parts if p in _OUTLET_SLUGS}


@functools.lru_cache(maxsize=4096)
def _source_outlets(source: str) -> frozenset[str]:
    """``source_outlets``, memoised: every pair asks, and an archive has few sources."""
    return frozenset(source_outlets(source))


@dataclass
class ProcessingReport:
    documents: int = 0
    denials: int = 0
    matches: int = 0
    alerts: int = 0
    failed: int = 0
    events: int = 0


def process_documents(store: Any, document_ids: Iterable[int], *, queue_alerts: bool = False,
                      config: MatchingConfig | None = None) -> ProcessingReport:
    """Detect, index, match and cluster the given documents; return counts."""
    config = config or MatchingConfig()
    report = ProcessingReport()
    ids = list(dict.fromkeys(document_ids))
    if not ids:
        return report
    docs = store.get_documents(ids)
    done: list[int] = []
    indexed: dict[int, tuple[dict[str, Any], bool]] = {}
    previous = store.denials_of(ids)
    old_events = {int(r["event_id"]) for r in previous if r["event_id"] is not None}
    # A document with no denials before or now has nothing to replace.
    had_denials = {int(r["document_id"]) for r in previous}
    for doc_id in ids:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        report.documents += 1
        try:
            denials = detect_denials(doc)
        except Exception:  # a detector bug must not lose the document
            log.exception("detection failed url=%s", doc.url)
            report.failed += 1
            continue
        published = format_timestamp(doc.published)
        denial_ids = store.replace_denials(doc_id, published, denials) if denials or doc_id in had_denials else []
        report.denials += len(denials)
        try:
            indexed[doc_id] = _index_document(store, doc_id, doc, published, list(zip(denial_ids, denials)))
        except Exception:
            log.exception("indexing failed url=%s", doc.url)
            report.failed += 1
            continue
        done.append(doc_id)
    if not done:
        return report
    new_pairs = match_documents(store, done, config, indexed=indexed)
    report.matches += len(new_pairs)
    touched = recluster(store, done, old_events)
    report.events = len(touched)
    if queue_alerts:
        gained = {int(r["event_id"]) for r in store.denials_of_ids([d for d, _ in new_pairs])
                  if r["event_id"] is not None}
        report.alerts += _queue_alerts(store, sorted(gained))
    return report


def _lead_limit(doc: Document) -> int:
    """Offset in ``doc.text`` where the lead ends (after a repeated headline)."""
    lead = body_lead(doc.title, doc.text, LEAD_DENIAL_CHARS)
    start = doc.text.find(lead[:40]) if lead else 0
    return max(0, start) + len(lead)


def _coverage_limit(doc: Document, lead_limit: int) -> int:
    """Up to where a denial makes the document a report *of the denial* (coverage).

    With a denial in the headline, anywhere in the lead; otherwise only in the first
    sentence: an article whose headline and first sentence assert the claim leads with
    it, and a "the Kremlin called the reports untrue" line after that does not turn it
    into coverage of the denial.
    """
    if headline_cue(doc.title)[0]:
        return lead_limit
    start = lead_offset(doc.title, doc.text)
    first = next(iter(split_sentences(doc.text[start : start + 2000], doc.lang)), None)
    return min(lead_limit, start + first[1]) if first else lead_limit


def _index_document(store: Any, doc_id: int, doc: Document, published: str,
                    denials: list[tuple[int, Any]]) -> tuple[dict[str, Any], bool]:
    """Store the document's denial profiles and index; return its features (JSON) and lead-denial flag."""
    feats = document_features(doc.title, doc.text, lang=doc.lang, role=doc.role, source=doc.source,
                              published=published)
    limit = _lead_limit(doc)
    # (sentence splitting is not free: only a document with denials needs it)
    coverage_limit = _coverage_limit(doc, limit) if denials else limit
    lead_denial = any(getattr(d, "position", 0) <= coverage_limit for _, d in denials)
    lead = body_lead(doc.title, doc.text)
    for denial_id, denial in denials:
        in_lead = getattr(denial, "position", 0) <= limit
        profile = build_profile(
            denial_id=denial_id, document_id=doc_id, speaker=denial.speaker, published=published,
            lang=denial.lang or doc.lang, claim=denial.claim or "", quote=denial.quote or "",
            entities=denial.entities, event_type=denial.event_type, outlets=denial.outlets,
            event_date=denial.event_date.isoformat() if denial.event_date else None,
            doc_title=doc.title, doc_lead=lead,
            use_context=in_lead or (len(denials) <= 2 and _title_is_about(doc.title, denial)),
            doc_text=doc.text[:4000],
        )
        store.set_denial_profile(denial_id, profile.to_json())
    data = feats.to_json()
    store.replace_document_index(doc_id, published, feats.body_terms, data, lead_denial)
    return data, lead_denial


def _title_is_about(title: str, denial: Any) -> bool:
    """Whether the headline speaks of this denial or its claim, so that the headline and
    lead may stand for the claim: a cue in the headline, or a claim term in it. A
    transcript's generic headline ("Dmitry Peskov answered media questions") is not, and
    its lead is the first answer, often on another subject."""
    if not title:
        return False
    if headline_cue(title)[0]:
        return True
    claim = set(denial.entities) | text_terms(f"{denial.claim or ''}\n{denial.quote or ''}")
    return bool((text_terms(title) & claim) - DENIER_TERMS)


def _shift(ts: str, days: float) -> str:
    return format_timestamp(parse_timestamp(ts) + dt.timedelta(days=days))


def match_documents(store: Any, document_ids: list[int], config: MatchingConfig, *,
                    indexed: dict[int, tuple[dict[str, Any], bool]] | None = None) -> list[tuple[int, int]]:
    """Re-match the documents' denials (against reports) and the documents (as reports).

    ``indexed`` holds features (as stored) the caller has just written, which then need
    not be read back. Returns the (denial_id, report_id) pairs that are new.
    """
    new_pairs: list[tuple[int, int]] = []
    own = store.denials_of(document_ids)
    feats_cache: dict[int, tuple[DocumentFeatures, bool]] = {
        i: (DocumentFeatures.from_json(data), lead) for i, (data, lead) in (indexed or {}).items()}
    profiles: dict[int, Any] = {}
    # A denial and a report of the same batch meet twice (as denial, then as report).
    scored: dict[tuple[int, int], tuple[int, int, float, dict[str, Any]] | None] = {}

    def features(ids: Iterable[int]) -> None:
        missing = [i for i in ids if i not in feats_cache]
        for i, (data, lead) in store.document_features(missing).items():
            feats_cache[i] = (DocumentFeatures.from_json(data), lead)

    def profile_of(row: dict[str, Any]) -> Any:
        # Parsed once per call: every document of the batch meets the same denials.
        did = int(row["id"])
        if did not in profiles:
            profiles[did] = profile_from_json(row["id"], row["document_id"], row["speaker"], row["published"],
                                              _loads(row["profile"]))
        return profiles[did]

    def verdicts(profile: Any, report_ids: Iterable[int]) -> list[tuple[int, int, float, dict[str, Any]]]:
        out = []
        for rid in report_ids:
            if rid == profile.document_id or rid not in feats_cache:
                continue
            key = (profile.denial_id, rid)
            if key not in scored:
                scored[key] = verdict(profile, rid)
            hit = scored[key]
            if hit is not None:
                out.append(hit)
        return out

    def verdict(profile: Any, rid: int) -> tuple[int, int, float, dict[str, Any]] | None:
        f, lead = feats_cache[rid]
        if config.threshold > NO_SHARED_TERM_MAX and not could_match(profile, f):
            return None  # shares no term: scores below any threshold, so nothing to store
        v = score_pair(profile, f, report_id=rid, report_has_lead_denial=lead,
                       report_source_outlets=_source_outlets(f.source), config=config)
        return (profile.denial_id, rid, v.score, dict(v.explanation)) if v.matched else None

    # 1. this document's denials against the reports around them
    for row in own:
        if not row["profile"]:
            continue
        profile = profile_of(row)
        weights = {t: profile.terms.get(t, 0.6) for t in profile.retrieval_terms()}
        cands = store.candidate_reports(
            weights, _shift(row["published"], -config.days_before), _shift(row["published"], config.days_after),
            exclude_document=row["document_id"], limit=config.max_candidates)
        features(cands)
        new_pairs += store.replace_matches(denial_ids=[row["id"]], matches=verdicts(profile, cands))
    # 2. each document as a report, against the denials around it (one query and one
    # replacement for the batch; each document takes the rows of its own window, in order)
    features(document_ids)
    windows = {doc_id: (_shift(feats_cache[doc_id][0].published, -config.days_after),
                        _shift(feats_cache[doc_id][0].published, config.days_before))
               for doc_id in document_ids if doc_id in feats_cache}
    nearby = store.denials_between(min(w[0] for w in windows.values()),
                                   max(w[1] for w in windows.values())) if windows else []
    stamps = [row["published"] for row in nearby]  # sorted: the query orders by published, id
    found = []
    for doc_id in document_ids:
        if doc_id not in windows:
            continue
        start, end = windows[doc_id]
        for row in nearby[bisect_left(stamps, start) : bisect_right(stamps, end)]:
            if not row["profile"] or row["document_id"] == doc_id:
                continue
            found += verdicts(profile_of(row), [doc_id])
    new_pairs += store.replace_matches(report_ids=list(windows), matches=found)
    return sorted(set(new_pairs))


def _loads(text: str) -> dict[str, Any]:
    import json

    data = json.loads(text)
    return data if isinstance(data, dict) else {}


def _item(row: dict[str, Any]) -> ev.DenialItem:
    profile = _loads(row["profile"]) if row.get("profile") else {}
    return ev.DenialItem(id=int(row["id"]), speaker=row["speaker"] or "", published=row["published"],
                         terms=frozenset((profile.get("terms") or {}).keys()),
                         event_type=profile.get("event_type") or row.get("event_type"))


def recluster(store: Any, document_ids: list[int], old_events: set[int]) -> set[int]:
    """Recompute the events around the documents' denials; return the event ids touched.

    Gathers every denial within EVENT_HOURS (chained) of the changed ones, recomputes
    connected components over that neighbourhood, and stores each component's key and
    summary. Events left without denials are deleted.
    """
    seeds = store.denials_of(document_ids)
    for ev_id in old_events:
        seeds += store.denials_of_event(ev_id)
    if not seeds:
        store.drop_empty_events(old_events)
        return set()
    # Breadth-first over the same-event relation: the collected set is a union of whole
    # components, so the result does not depend on which denial arrived last.
    rows: dict[int, dict[str, Any]] = {int(r["id"]): r for r in seeds}
    queue = list(rows.values())
    while queue and len(rows) < 5000:
        row = queue.pop()
        item = _item(row)
        for r in store.denials_between(_shift(row["published"], -ev.EVENT_HOURS / 24),
                                       _shift(row["published"], ev.EVENT_HOURS / 24)):
            if int(r["id"]) not in rows and ev.same_event(item, _item(r)):
                rows[int(r["id"])] = r
                queue.append(r)
    items = [_item(r) for r in rows.values()]
    previous = {int(r["id"]): r["event_id"] for r in rows.values()}
    claims = {int(r["id"]): r["claim"] or "" for r in rows.values()}
    assignments: dict[int, int] = {}
    touched: set[int] = set()
    for members in ev.cluster(items):
        key = ev.event_key(members)
        event_id = store.upsert_event(key, ev.event_summary(members, claims))
        touched.add(event_id)
        for m in members:
            if previous.get(m.id) != event_id:
                assignments[m.id] = event_id
    store.set_denial_events(assignments)
    store.drop_empty_events(set(old_events) | {int(e) for e in previous.values() if e is not None})
    return touched


def _queue_alerts(store: Any, event_ids: list[int]) -> int:
    if not event_ids:
        return 0
    try:
        from monitor.alerts.delivery import queue_event_alerts
    except ImportError:
        return 0
    return int(queue_event_alerts(store, event_ids))


def rematch_archive(store: Any, since: str | None = None, *, batch_size: int = 500,
                    config: MatchingConfig | None = None) -> ProcessingReport:
    """Re-run detection and matching over documents published at or after ``since``.

    Idempotent (the same archive gives the same denials, matches and events), one
    transaction per batch; never queues alerts (re-running is not news).
    """
    total = ProcessingReport()
    ids = store.document_ids_since(since)
    for start in range(0, len(ids), batch_size):
        with store.atomic():
            r = process_documents(store, ids[start : start + batch_size], queue_alerts=False, config=config)
        for name in ("documents", "denials", "matches", "failed", "events"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    return total
