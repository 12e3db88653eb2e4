"""Linking denials and reports: index a document's matching features, then score pairs both ways.

``index_document`` stores a document's denial profiles and feature index; ``match_documents``
re-matches a batch's denials against the reports around them and the batch's documents (as reports)
against the denials around them. This is the seam the pipeline calls; retrieval goes through the
store, scoring through ``monitor.match.scoring``. It must not decide what is stored when: the
pipeline owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from bisect import bisect_left, bisect_right
from typing import Any, Iterable

from monitor.match.features import DocumentFeatures, body_lead, document_features, headline_cue, lead_offset, text_terms
from monitor.match.scoring import (
    DENIER_TERMS, NO_SHARED_TERM_MAX, MatchingConfig, build_profile, could_match, profile_from_json, score_pair,
)
from monitor.models import Document
from monitor.text.sentences import split_sentences
from monitor.timeutil import format_timestamp, parse_timestamp

log = logging.getLogger(__name__)

__all__ = ["LEAD_DENIAL_CHARS", "index_document", "loads_object", "match_documents", "shift_timestamp",
           "source_outlets"]

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
def cached_source_outlets(source: str) -> frozenset[str]:
    """``source_outlets``, memoised: every pair asks, and an archive has few sources."""
    return frozenset(source_outlets(source))


def lead_limit(doc: Document) -> int:
    """Offset in ``doc.text`` where the lead ends (after a repeated headline)."""
    lead = body_lead(doc.title, doc.text, LEAD_DENIAL_CHARS)
    start = doc.text.find(lead[:40]) if lead else 0
    return max(0, start) + len(lead)


def coverage_limit(doc: Document, lead_limit: int) -> int:
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


def index_document(store: Any, doc_id: int, doc: Document, published: str,
                    denials: list[tuple[int, Any]]) -> tuple[dict[str, Any], bool]:
    """Store the document's denial profiles and index; return its features (JSON) and lead-denial flag."""
    feats = document_features(doc.title, doc.text, lang=doc.lang, role=doc.role, source=doc.source,
                              published=published)
    limit = lead_limit(doc)
    # (sentence splitting is not free: only a document with denials needs it)
    coverage_end = coverage_limit(doc, limit) if denials else limit
    lead_denial = any(getattr(d, "position", 0) <= coverage_end for _, d in denials)
    lead = body_lead(doc.title, doc.text)
    for denial_id, denial in denials:
        in_lead = getattr(denial, "position", 0) <= limit
        profile = build_profile(
            denial_id=denial_id, document_id=doc_id, speaker=denial.speaker, published=published,
            lang=denial.lang or doc.lang, claim=denial.claim or "", quote=denial.quote or "",
            entities=denial.entities, event_type=denial.event_type, outlets=denial.outlets,
            event_date=denial.event_date.isoformat() if denial.event_date else None,
            doc_title=doc.title, doc_lead=lead,
            use_context=in_lead or (len(denials) <= 2 and title_is_about(doc.title, denial)),
            doc_text=doc.text[:4000],
        )
        store.set_denial_profile(denial_id, profile.to_json())
    data = feats.to_json()
    store.replace_document_index(doc_id, published, feats.body_terms, data, lead_denial)
    return data, lead_denial


def title_is_about(title: str, denial: Any) -> bool:
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


def shift_timestamp(ts: str, days: float) -> str:
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
                                              loads_object(row["profile"]))
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
                       report_source_outlets=cached_source_outlets(f.source), config=config)
        return (profile.denial_id, rid, v.score, dict(v.explanation)) if v.matched else None

    # 1. this document's denials against the reports around them
    for row in own:
        if not row["profile"]:
            continue
        profile = profile_of(row)
        weights = {t: profile.terms.get(t, 0.6) for t in profile.retrieval_terms()}
        cands = store.candidate_reports(
            weights, shift_timestamp(row["published"], -config.days_before), shift_timestamp(row["published"], config.days_after),
            exclude_document=row["document_id"], limit=config.max_candidates)
        features(cands)
        new_pairs += store.replace_matches(denial_ids=[row["id"]], matches=verdicts(profile, cands))
    # 2. each document as a report, against the denials around it (one query and one
    # replacement for the batch; each document takes the rows of its own window, in order)
    features(document_ids)
    windows = {doc_id: (shift_timestamp(feats_cache[doc_id][0].published, -config.days_after),
                        shift_timestamp(feats_cache[doc_id][0].published, config.days_before))
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


def loads_object(text: str) -> dict[str, Any]:
    data = json.loads(text)
    return data if isinstance(data, dict) else {}
