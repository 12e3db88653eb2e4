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
import logging
import math
import sqlite3
from bisect import bisect_left, bisect_right
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from monitor.match.features import DocumentFeatures, body_lead, document_features, headline_cue, lead_offset, text_terms
from monitor.match.learned import (
    FEATURE_LABELS, LearnedScorer, PairScore, body_weight, claim_rarity, denial_features, early_exclusion, lead_weight,
    pair_exclusion, pair_own_features, report_features, weight_total, whole_features,
)
from monitor.match.rivals import rival_count, rival_feature
from monitor.match.scoring import (
    DENIER_TERMS, NO_SHARED_TERM_MAX, MatchingConfig, PairParts, build_profile, could_match, has_specific_term,
    profile_from_json, score_pair,
)
from monitor.models import Document
from monitor import jsontext
from monitor.text.embeddings import Embedder, embedding_text, from_blob, make_embedder, to_blob
from monitor.text.sentences import split_sentences
from monitor.timeutil import format_timestamp, parse_timestamp

log = logging.getLogger(__name__)

__all__ = ["LEAD_DENIAL_CHARS", "FeatureMemo", "PairJudge", "document_vectors", "embedder_for", "index_document", "load_scorer",
           "loads_object", "match_documents", "pair_table", "shared_embedder", "shift_timestamp",
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
            use_context=in_lead or (len(denials) <= 2 and title_is_about(doc.title, denial, doc.lang)),
            doc_text=doc.text[:4000],
        )
        store.set_denial_profile(denial_id, profile.to_json())
    data = feats.to_json()
    store.replace_document_index(doc_id, published, feats.body_terms, data, lead_denial)
    return data, lead_denial


def _parsed_profile(row: dict[str, Any]) -> Any:
    """The claim profile of a denial row as the store gives it (``denials_between``)."""
    return profile_from_json(row["id"], row["document_id"], row["speaker"], row["published"],
                             loads_object(row["profile"]))


def title_is_about(title: str, denial: Any, lang: str | None = None) -> bool:
    """Whether the headline speaks of this denial or its claim, so that the headline and
    lead may stand for the claim: a cue in the headline, or a claim term in it. A
    transcript's generic headline ("Dmitry Peskov answered media questions") is not, and
    its lead is the first answer, often on another subject. ``lang`` is the document's
    language: name keys are spelled by it (a Polish or German name meets its English key
    only so), as they are everywhere else terms are read."""
    if not title:
        return False
    if headline_cue(title)[0]:
        return True
    claim_lang = denial.lang or lang
    claim = set(denial.entities) | text_terms(f"{denial.claim or ''}\n{denial.quote or ''}", lang=claim_lang)
    return bool((text_terms(title, lang=lang) & claim) - DENIER_TERMS)


@functools.lru_cache(maxsize=16384)
def shift_timestamp(ts: str, days: float) -> str:
    """``ts`` moved by ``days``, as the archive writes a time. Memoised (a pure function of
    its arguments): a report's window of denials is asked for again in each wave that pairs
    it, and parsing and formatting cost more than the lookup."""
    return format_timestamp(parse_timestamp(ts) + dt.timedelta(days=days))


@functools.lru_cache(maxsize=4)
def load_scorer(spec: str) -> LearnedScorer:
    """The learned scorer ``spec`` names ("bundled", another bundled name such as "crowded",
    or a path), read once per process (a pure function of the file: memoised, not global state)."""
    return LearnedScorer.load(spec)


@functools.lru_cache(maxsize=2)
def shared_embedder(name: str, max_pieces: int | None = None) -> Embedder | None:
    """One embedder per model name (and cap) per process: loading a model costs a second or more."""
    return make_embedder(name, max_pieces)


def embedder_for(config: MatchingConfig) -> Embedder | None:
    """The embedder ``match_documents`` uses under ``config``: none without a learned scorer."""
    return shared_embedder(config.embedder, config.embed_max_pieces) if config.scorer else None


def document_vectors(embedder: Embedder, docs: Sequence[tuple[int, Document]]) -> list[tuple[int, str, bytes]]:
    """(document_id, published, vector bytes) of each document's headline + lead, embedded in one
    call. A vector's last bits depend on the texts embedded with it (the model batches them), so
    two processes that must store the same bytes embed the same groups (``monitor.process``)."""
    if not docs:
        return []
    vecs = embedder.embed([embedding_text(d.title, body_lead(d.title, d.text)) for _, d in docs])
    return [(i, format_timestamp(d.published), to_blob(v)) for (i, d), v in zip(docs, vecs)]


class FeatureMemo:
    """What matching derives from a document's stored features alone, kept across the
    ``match_documents`` calls of one drain: its waves read the same reports again (issue 16).

    Keyed by what it is computed from: parsed features by their stored JSON text (a document
    indexed again meanwhile has new text, so it is parsed afresh), a report's
    ``report_features`` by those parsed features (the instance), its lead-denial flag and
    denial statistics. Bounded: past ``limit`` documents it starts over. Pure data, owned by
    the caller (``drain_backlog`` makes one a drain)."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self.parsed: dict[str, DocumentFeatures] = {}
        self.reports: dict[tuple[int, bool, tuple[int, int, int] | None], tuple[DocumentFeatures, dict[str, float]]] = {}

    def parse(self, text: str) -> DocumentFeatures:
        """``DocumentFeatures.from_json`` of a stored features text."""
        found = self.parsed.get(text)
        if found is None:
            if len(self.parsed) >= self.limit:
                self.parsed.clear()
                self.reports.clear()
            found = self.parsed[text] = DocumentFeatures.from_json(jsontext.loads(text))
        return found

    def report_part(self, report: DocumentFeatures, lead: bool, stats: tuple[int, int, int] | None) -> dict[str, float]:
        """``report_features(report, lead, stats)``; the caller copies it, never changes it."""
        key = (id(report), lead, stats)
        found = self.reports.get(key)
        if found is None or found[0] is not report:  # (the instance is kept: its id is not reused)
            if len(self.reports) >= self.limit:
                self.reports.clear()
            found = self.reports[key] = (report, report_features(report, lead, stats))
        return found[1]


class PairJudge:
    """Scores (denial, report) pairs of one archive with caches for one call (features,
    profiles, vectors, term rarity). Public so that evaluation enumerates exactly the pairs
    and features the pipeline scores."""

    def __init__(self, store: Any, config: MatchingConfig,
                 indexed: dict[int, tuple[dict[str, Any], bool]] | None = None, *, learned: bool = False,
                 memo: FeatureMemo | None = None) -> None:
        self.store = store
        self.config = config
        #: parsed features and report features shared with the other judges of a drain, if any
        self.memo = memo
        self.scorer = load_scorer(config.scorer) if config.scorer else None
        #: compute the learned features (rarity, embeddings) even without a scorer (evaluation)
        self.learned = learned or self.scorer is not None
        self.embedder = shared_embedder(config.embedder, config.embed_max_pieces) if self.learned else None
        #: term rarity in the archive costs a query per denial: only when a feature needs it
        self.wants_rarity = learned or (self.scorer is not None and any(
            n.startswith("rare_") for n in self.scorer.features))
        self.feats: dict[int, tuple[DocumentFeatures, bool]] = {
            i: (DocumentFeatures.from_json(data), lead) for i, (data, lead) in (indexed or {}).items()}
        self.profiles: dict[int, Any] = {}
        self.vectors: dict[int, np.ndarray] = {}
        self.df: dict[str, int] = {}
        self.n_docs = 0
        #: ``claim_rarity`` of each denial, by denial id, for ``rarities_docs`` indexed documents
        #: (``n_docs``): its terms' frequencies are read once, with its profile, and do not
        #: change within the judge's life
        self.rarities: dict[int, dict[str, float]] = {}
        self.rarities_docs = 0
        self.stats: dict[int, tuple[int, int, int] | None] = {}
        #: ``report_features`` of each report and ``denial_features`` of each denial, by id
        #: (what they read is cached above and does not change within the judge's life)
        self.report_parts: dict[int, dict[str, float]] = {}
        self.denial_parts: dict[int, dict[str, float]] = {}
        #: the learned scorer's log-odds parts of those (``LearnedScorer.report_logit``, ``denial_logit``)
        self.report_logits: dict[int, float] = {}
        self.denial_logits: dict[int, float] = {}
        #: the stored vectors of a span of days, read once for every denial whose window it
        #: covers (``prefetch_window``); None when not read or no longer complete
        self.span: _VectorSpan | None = None
        #: the scorer reads ``rival_log_n``; the denials around a report are read once per
        #: span of days (``denials_around``)
        self.wants_rivals = self.scorer is not None and "rival_log_n" in self.scorer.features
        #: the scorer reads no cosine: ``pair_parts`` computes one only where a rule reads it
        #: (no shared term, or no claim term in the lead) and ``_fill_deferred`` for a match's
        #: explanation or a pair's features; the pair table of training (``learned``) always has it
        self.defer_cosine = (self.scorer is not None and not learned
                             and not {"cosine", "has_cosine"} & set(self.scorer.features))
        #: likewise ``rare_body`` and ``rare_share``, which no rule reads: left at 0 for a
        #: scorer that does not read them, filled in by ``_fill_deferred`` where asked
        self.defer_body = (self.scorer is not None and not learned
                           and not {"rare_body", "rare_share"} & set(self.scorer.features))
        self.rival_span: tuple[str, str, list[str], list[dict[str, Any]]] | None = None
        self.bare_profiles: dict[int, Any] = {}
        #: each report's denials around it whose claim shares a specific term with its lead
        self.rival_pool: dict[int, list[tuple[Any, frozenset[str], dict[str, float]]]] = {}
        #: a denial's ``claim_rarity`` on a report's headline + lead terms, by (denial id, report id)
        self.rival_weights: dict[tuple[int, int], dict[str, float]] = {}
        #: each denial's claim terms that name something specific (``has_specific_term``)
        self.specific_terms: dict[int, frozenset[str]] = {}
        #: each denial's claim terms as a set, and each pair's rival count over all the denials
        #: around its report (count, whether exact: else it reached the limit it was counted to)
        self.term_sets: dict[int, frozenset[str]] = {}
        self.rival_counts: dict[tuple[int, int], tuple[int, bool]] = {}
        #: each denial's event (``denial_events``), from the rows read: a denial of the same
        #: event relays the same denial and is no rival
        self.event_of: dict[int, int | None] = {}

    # --- caches --------------------------------------------------------------------
    def features(self, ids: Iterable[int]) -> None:
        missing = [i for i in ids if i not in self.feats]
        if self.memo is not None:
            parse = self.memo.parse
            for i, (text, lead) in self.store.document_features_text(missing).items():
                self.feats[i] = (parse(text), lead)
            return
        for i, (data, lead) in self.store.document_features(missing).items():
            self.feats[i] = (DocumentFeatures.from_json(data), lead)

    def profile_of(self, row: dict[str, Any]) -> Any:
        did = int(row["id"])
        if did not in self.profiles:
            self.profiles[did] = self.bare_profiles.pop(did, None) or _parsed_profile(row)
            if "event_id" in row:
                self.event_of[did] = row["event_id"]
            if self.wants_rarity:
                self.document_frequencies(self.profiles[did].terms)
        return self.profiles[did]

    def profiles_by_id(self, denial_ids: Iterable[int]) -> dict[int, Any]:
        """The profiles of these denials (of those that have one), by id; only the rows of
        the denials not parsed yet are read."""
        ids = set(denial_ids)
        known = {i for i in ids if i in self.profiles or i in self.bare_profiles}
        rows = {int(r["id"]): r for r in self.store.denials_by_id(ids - known)} if len(known) < len(ids) else {}
        out = {}
        for i in sorted(ids):
            if i in known:
                out[i] = self.profile_of({"id": i})
            elif (row := rows.get(i)) is not None and row["profile"]:
                out[i] = self.profile_of(row)
        return out

    def document_frequencies(self, terms: Iterable[str]) -> None:
        """Read the archive frequencies of the terms not read yet (one query)."""
        missing = [t for t in terms if t not in self.df]
        if missing:
            found = self.store.term_document_frequency(missing)
            self.df.update({t: found.get(t, 0) for t in missing})

    def embed_documents(self, ids: list[int]) -> None:
        """(Re-)embed these documents (they are new or changed) and store their vectors."""
        if self.embedder is None or not ids:
            return
        docs = self.store.get_documents(ids)
        rows = document_vectors(self.embedder, [(i, docs[i]) for i in ids if i in docs])
        self.span = None  # new vectors: a span read before them is no longer the archive's
        try:
            self.store.set_document_embeddings(self.embedder.name, rows)
        except sqlite3.OperationalError as exc:  # a read-only worker: keep them for this run only
            log.debug("embeddings not cached reason=%s", exc)
        self.vectors.update({i: from_blob(blob) for i, _, blob in rows})

    def vectors_of(self, ids: Iterable[int]) -> None:
        if self.embedder is None:
            return
        missing = [i for i in ids if i not in self.vectors]
        if missing:
            stored = self.store.document_embeddings(self.embedder.name, missing)
            self.vectors.update({i: from_blob(b) for i, b in stored.items()})
            self.embed_documents([i for i in missing if i not in stored])

    def prefetch(self, ids: Iterable[int]) -> None:
        """Read the stored vectors and denial statistics of documents about to be paired, in
        one query each, rather than one per pair (the per-pair calls then find them cached;
        a document without a stored vector is still embedded there, in the same group)."""
        ids = list(ids)
        if self.embedder is not None:
            missing = [i for i in ids if i not in self.vectors]
            if missing:
                stored = self.store.document_embeddings(self.embedder.name, missing)
                self.vectors.update({i: from_blob(b) for i, b in stored.items()})
        self.denial_stats(ids)

    def prefetch_window(self, start: str, end: str) -> None:
        """Read the stored vectors published in [start, end] once: ``similar_documents``
        then takes each denial's window from them instead of reading it again (a batch's
        denials have near windows, each of ~30k vectors)."""
        if self.embedder is None or start > end:
            return
        rows = self.store.embedding_rows_between(self.embedder.name, start, end)
        if len({len(r[2]) for r in rows}) > 1:  # a damaged row: each window read alone names it, if it holds it
            self.span = None
            return
        self.span = _VectorSpan(start, end, [int(r[0]) for r in rows], [str(r[1]) for r in rows],
                                [bytes(r[2]) for r in rows])

    def denial_stats(self, ids: Iterable[int]) -> None:
        missing = [i for i in ids if i not in self.stats]
        if missing:
            found = self.store.denial_stats(missing)
            self.stats.update({i: found.get(i) for i in missing})

    def cosine(self, a: int, b: int) -> float | None:
        va, vb = self.vectors.get(a), self.vectors.get(b)
        if va is None or vb is None:
            return None
        return float(np.dot(va, vb))

    # --- candidates and verdicts -------------------------------------------------------
    def window(self, published: str) -> tuple[str, str]:
        return (shift_timestamp(published, -self.config.days_before), shift_timestamp(published, self.config.days_after))

    def similar_documents(self, row: dict[str, Any]) -> list[int]:
        """Documents in the denial's window whose headline + lead embedding is near its document's."""
        if self.embedder is None:
            return []
        self.vectors_of([int(row["document_id"])])
        own = self.vectors.get(int(row["document_id"]))
        if own is None:
            return []
        start, end = self.window(row["published"])
        if self.span is not None and self.span.covers(start, end):
            ids, mat = self.span.between(start, end)
        else:
            rows = self.store.embeddings_between(self.embedder.name, start, end)
            ids, mat = [i for i, _ in rows], decode_vectors([b for _, b in rows])
        if not ids:
            return []
        sims = mat @ own
        out = []
        for k in np.flatnonzero(sims >= self.config.min_cosine):
            doc_id = ids[k]
            if doc_id != int(row["document_id"]):
                out.append(doc_id)
                self.vectors.setdefault(doc_id, mat[k].copy())
        return out

    def candidates(self, row: dict[str, Any]) -> list[int]:
        """Reports to score against a denial: sharing indexed terms, or near in embedding."""
        profile = self.profile_of(row)
        weights = {t: profile.terms.get(t, 0.6) for t in profile.retrieval_terms()}
        start, end = self.window(row["published"])
        cands = self.store.candidate_reports(weights, start, end, exclude_document=row["document_id"],
                                             limit=self.config.max_candidates)
        cands = list(dict.fromkeys([*cands, *self.similar_documents(row)]))
        self.features(cands)
        self.prefetch([int(row["document_id"]), *cands])
        return cands

    def denials_around(self, published: str) -> list[Any]:
        """The profiles of the denials whose window holds a document published then (their
        profiles parsed, their term frequencies not read: ``rivals`` reads those of the few
        that could be rivals). The rows come from one read of a span of days, widened when a
        report falls outside it."""
        start = shift_timestamp(published, -self.config.days_after)
        end = shift_timestamp(published, self.config.days_before)
        span = self.rival_span
        if span is None or not (span[0] <= start and end <= span[1]):
            lo, hi = (start, end) if span is None else (min(start, span[0]), max(end, span[1]))
            if span is None:  # a batch's reports lie near each other: read a margin around the first
                lo, hi = shift_timestamp(lo, -30.0), shift_timestamp(hi, 30.0)
            span = self.read_denials(lo, hi)
        out = []
        for row in span[3][bisect_left(span[2], start) : bisect_right(span[2], end)]:
            did = int(row["id"])
            profile = self.profiles.get(did) or self.bare_profiles.get(did)
            if profile is None:
                profile = self.bare_profiles[did] = _parsed_profile(row)
                self.event_of[did] = row["event_id"]
            out.append(profile)
        return out

    def read_denials(self, start: str, end: str) -> tuple[str, str, list[str], list[dict[str, Any]]]:
        """Read the denials (with a profile) published in [start, end] for ``denials_around``."""
        rows = [r for r in self.store.denials_between(start, end) if r["profile"]]
        self.rival_span = (start, end, [r["published"] for r in rows], rows)
        return self.rival_span

    def rivals(self, profile: Any, rid: int, limit: int | None = None) -> int:
        """How many other denials' claims explain report ``rid`` better than this denial's
        (``monitor.match.rivals``), counted up to ``limit`` if given. The count is kept for
        the judge's life (what it reads does not change in it): a stored match judged again
        asks it twice."""
        counted = limit is None or limit >= 1
        if counted and (known := self.rival_counts.get((profile.denial_id, rid))) is not None:
            n, exact = known  # ``rival_count`` up to ``limit`` is min(count, limit)
            if exact:
                return n if limit is None else min(n, limit)
            if limit is not None and limit <= n:
                return limit
        f = self.feats[rid][0]
        around = self.rival_pool.get(rid)
        if around is None:
            # the denials around it whose claim names something specific of its lead, with
            # their claim's weights on its headline and lead (``rival_count``'s input), once
            # a report
            lead = f.lead_terms
            around = []
            for o in self.denials_around(f.published):
                if o.document_id != rid and (specific := self.specific_of(o) & lead):
                    around.append((o, specific, {t: w for t, w in self.rarity(o).items() if t in lead}))
            self.rival_pool[rid] = around
        own = self.term_set(profile)
        event, document_id = self.event_of.get(profile.denial_id), profile.document_id
        event_of = self.event_of
        # those naming something specific this claim lacks (``could_rival``), not of this
        # denial's document nor of its event (the same event's other denials relay this one)
        others = [(o, in_lead) for o, specific, in_lead in around if o.document_id != document_id
                  and (event is None or event_of.get(o.denial_id) != event) and not specific <= own]
        n = rival_count(profile, self.rarity(profile), f.lead_terms, others, limit) if others else 0
        if counted:
            self.rival_counts[(profile.denial_id, rid)] = (n, limit is None or n < limit)
        return n

    def rivalled_by_any(self, profile: Any, rid: int, news: list[Any]) -> bool:
        """Whether one of ``news`` is a rival of the pair (``rivals`` among them alone, up to
        one) for ``news`` that ``could_rival`` the pair already, of other documents than the
        denial's and the report's and whose windows hold the report (what ``rivalled_matches``
        asks of every stored match a new denial could rival): those are the denials of
        ``rivals``' pool it would keep, so they are counted without building the report's
        pool of every denial around it."""
        event = self.event_of.get(profile.denial_id)
        event_of = self.event_of
        others = [o for o in news if event is None or event_of.get(o.denial_id) != event]
        return bool(others) and rival_count(profile, self.rarity(profile), self.feats[rid][0].lead_terms,
                                            self._in_lead(others, rid), 1) > 0

    def _in_lead(self, others: list[Any], rid: int) -> Iterator[tuple[Any, dict[str, float]]]:
        """Each of ``others`` with its claim's weights on report ``rid``'s headline and lead
        (``rival_count``'s input), computed once a pair of denial and report, when asked."""
        lead, lead_weights = self.feats[rid][0].lead_terms, self.rival_weights
        for o in others:
            key = (o.denial_id, rid)
            in_lead = lead_weights.get(key)
            if in_lead is None:
                in_lead = lead_weights[key] = {t: w for t, w in self.rarity(o).items() if t in lead}
            yield o, in_lead

    def term_set(self, profile: Any) -> frozenset[str]:
        """A claim's terms as a set, once a denial (rival checks ask for every pair)."""
        found = self.term_sets.get(profile.denial_id)
        if found is None:
            found = self.term_sets[profile.denial_id] = frozenset(profile.terms)
        return found

    def specific_of(self, profile: Any) -> frozenset[str]:
        """A claim's terms that name something specific (``has_specific_term``), once a denial."""
        found = self.specific_terms.get(profile.denial_id)
        if found is None:
            found = self.specific_terms[profile.denial_id] = frozenset(
                t for t in profile.terms if has_specific_term((t,)))
        return found

    def rarity(self, profile: Any) -> dict[str, float]:
        """``claim_rarity`` of a denial, computed once for all its candidates, its terms' archive
        frequencies read first: the same weights whatever the judge read before (a term not
        read would count as the rarest, so a claim's weights, its rival counts and the archive
        a drain stores would follow the order of the calls and the number of workers)."""
        if self.rarities_docs != self.n_docs:  # (set after the judge is made: weights of another count)
            self.rarities.clear()
            self.rarities_docs = self.n_docs
        found = self.rarities.get(profile.denial_id)
        if found is None:
            self.document_frequencies(profile.terms)
            found = self.rarities[profile.denial_id] = claim_rarity(profile, self.df, max(self.n_docs, 1))
        return found

    def pair(self, profile: Any, rid: int, *, screen: bool = False,
             rivals: bool = False) -> tuple[dict[str, float], PairParts] | None:
        """The learned features of a pair and the hand scorer's numbers (``PairParts``), or None
        when it is not a candidate (shares no term and is not near in embedding) or, with
        ``screen``, when ``early_exclusion`` already rules it out (matching stores no such
        pair; the pair table of training keeps them). ``rivals``: count the rival claims
        (``rival_log_n``; else it is 0, which matching uses first: a rival only lowers a score)."""
        got = self.pair_parts(profile, rid, screen=screen)
        if got is None:
            return None
        own, hand, report_part, denial_part = got
        self._fill_deferred(profile, rid, own)
        feats = whole_features(own, report_part, denial_part)
        if rivals:
            feats["rival_log_n"] = rival_feature(self.rivals(profile, rid))
        return feats, hand

    def _fill_deferred(self, profile: Any, rid: int, own: dict[str, float]) -> None:
        """Under ``defer_cosine`` and ``defer_body``, set a pair's ``cosine`` and ``has_cosine``,
        ``rare_body`` and ``rare_share`` in its own features (``pair_parts`` may have left them
        out): the values they would have had."""
        if self.defer_cosine:
            va, vb = self.vectors.get(profile.document_id), self.vectors.get(rid)
            own["cosine"], own["has_cosine"] = (
                (float(np.dot(va, vb)), 1.0) if va is not None and vb is not None else (0.0, 0.0))
        if self.defer_body:
            weight = self.rarity(profile)
            own["rare_body"] = in_body = body_weight(weight, self.feats[rid][0].body_terms)
            own["rare_share"] = in_body / weight_total(weight)

    def pair_parts(self, profile: Any, rid: int, *,
                   screen: bool = False) -> tuple[dict[str, float], PairParts, dict[str, float], dict[str, float]] | None:
        """``pair``'s features in their three parts, (the pair's own, the hand scorer's numbers,
        the report's, the denial's): the last two are computed once each and shared by all
        their pairs, and most pairs are turned down from the first alone (``judged``). Under
        ``defer_cosine`` and ``defer_body`` the pair's own ``cosine``, ``rare_body`` and
        ``rare_share`` may be left at 0 (``_fill_deferred``)."""
        f, lead = self.feats[rid]
        did = profile.document_id
        cos = None
        pair_vectors = None
        if self.embedder is not None:
            vectors = self.vectors
            if did not in vectors or rid not in vectors:  # the caches' lookups, only when one misses
                self.vectors_of([did, rid])
            va, vb = vectors.get(did), vectors.get(rid)
            if va is not None and vb is not None:
                pair_vectors = (va, vb)
        # ``cosine``, inline (every candidate pair asks), and only where it can tell: under
        # ``defer_cosine`` a pair that shares a term and whose lead holds a claim term has it
        # filled in only if asked for (``_fill_deferred``: a match, or the pair's features)
        if not could_match(profile, f):
            if pair_vectors is not None:
                cos = float(np.dot(*pair_vectors))
            if cos is None or cos < self.config.min_cosine:
                return None
        weight = self.rarity(profile)
        in_lead = lead_weight(weight, f.lead_terms)  # (``early_exclusion`` and the pair's features read it)
        if pair_vectors is not None and cos is None and (not self.defer_cosine or not in_lead):
            cos = float(np.dot(*pair_vectors))
        if screen and early_exclusion(f, weight, cos, in_lead):
            return None
        if did not in self.feats:
            self.features([did])
        stats = self.stats
        if did not in stats or rid not in stats:
            self.denial_stats([did, rid])
        # the report's features and the denial's, computed once each (the same for all their pairs)
        report_part = self.report_parts.get(rid)
        if report_part is None:
            report_part = self.report_parts[rid] = (
                self.memo.report_part(f, lead, stats[rid]) if self.memo is not None else report_features(f, lead, stats[rid]))
        denial_part = self.denial_parts.get(profile.denial_id)
        if denial_part is None:
            own_doc = self.feats.get(did)
            denial_part = self.denial_parts[profile.denial_id] = denial_features(
                profile, own_doc[0] if own_doc else None, stats[did])
        own, hand = pair_own_features(profile, f, report_id=rid, lead_denial=lead,
                                      source_outlets=cached_source_outlets(f.source), term_df=self.df,
                                      n_docs=max(self.n_docs, 1), cosine=cos, config=self.config, weight=weight,
                                      in_lead=in_lead, body=not self.defer_body)
        return own, hand, report_part, denial_part

    def verdict(self, profile: Any, rid: int) -> tuple[int, int, float, dict[str, Any]] | None:
        f, lead = self.feats[rid]
        if self.scorer is None:
            if self.config.threshold > NO_SHARED_TERM_MAX and not could_match(profile, f):
                return None  # shares no term: scores below any threshold, so nothing to store
            v = score_pair(profile, f, report_id=rid, report_has_lead_denial=lead,
                           report_source_outlets=cached_source_outlets(f.source), config=self.config)
            return (profile.denial_id, rid, v.score, dict(v.explanation)) if v.matched else None
        judged = self.judged(profile, rid)
        if judged is None:
            return None
        own, hand, report_part, denial_part, n = judged
        self._fill_deferred(profile, rid, own)
        feats = whole_features(own, report_part, denial_part)
        # the score with its top contributions, from the whole features (as training reads them)
        s = self.scorer.score_of(self.scorer.pair_contributions(feats), lang=profile.lang)
        explanation = learned_explanation(profile, feats, hand.explanation(reason=False), s, self.scorer)
        if self.wants_rivals:  # ``rivalled_matches`` judges it again when this count rises
            explanation["rivals"] = n
        return (profile.denial_id, rid, s.score, explanation)

    def judged(self, profile: Any, rid: int) -> tuple[dict[str, float], PairParts, dict[str, float],
                                                      dict[str, float], int] | None:
        """The learned scorer's decision on a pair, without its explanation: None when it
        does not match, else ``pair_parts``' (own features, hand scorer's numbers, report's
        features, denial's features) and the rival count (``verdict`` writes the explanation;
        ``rivalled_matches`` only asks whether a stored match still passes); None without a
        learned scorer. The log-odds come in their three parts (``LearnedScorer.report_logit``,
        ``denial_logit``, ``own_logit``): the report's and the denial's once each."""
        scorer = self.scorer
        if scorer is None:
            return None
        got = self.pair_parts(profile, rid, screen=True)
        if got is None:
            return None
        own, hand, report_part, denial_part = got
        if pair_exclusion(own, report_part):  # never a match, whatever its score: no need to compute it
            return None
        base = self.report_logits.get(rid)
        if base is None:
            base = self.report_logits[rid] = scorer.report_logit(report_part)
        denial_logit = self.denial_logits.get(profile.denial_id)
        if denial_logit is None:
            denial_logit = self.denial_logits[profile.denial_id] = scorer.denial_logit(denial_part)
        base += denial_logit
        z = base + scorer.own_logit(own)
        lang = profile.lang
        if not scorer.passes(z, lang):
            return None
        n = 0
        if self.wants_rivals:  # a match without rivals: do other denials' claims fit it better?
            # counted only as far as it matters: past this many rivals the pair fails anyway
            room = scorer.room_at(z, "rival_log_n", lang)
            limit = None if room is None else int(math.expm1(min(room, 50.0))) + 2
            n = self.rivals(profile, rid, limit)
            if n and n == limit:
                return None
            if n:
                own["rival_log_n"] = rival_feature(n)
                if not scorer.passes(base + scorer.own_logit(own), lang):
                    return None
        return own, hand, report_part, denial_part, n


def learned_explanation(profile: Any, feats: dict[str, float], hand: dict[str, Any], s: PairScore,
                        scorer: LearnedScorer) -> dict[str, Any]:
    """A match's explanation: a plain reason, the features that weighed most, and the hand
    scorer's details (shared names, words, event, outlet, time)."""
    mean = scorer.means
    # a feature weighs for the match by being present (above its mean) or by being absent
    pros = [FEATURE_LABELS.get(n, n) if feats.get(n, 0.0) >= mean[n] else f"not {FEATURE_LABELS.get(n, n)}"
            for n, v in s.top if v > 0]
    hours = float(hand.get("hours_apart", 0.0))
    shared = [t.split(":", 1)[-1] for t in hand.get("shared_entities", [])][:5]
    reason = (f"asserts what {profile.speaker} denied (p={s.score:.2f}): "
              + (", ".join(dict.fromkeys(pros)) or "overall evidence")
              + (f"; shares {', '.join(shared)}" if shared else "")
              + f"; {abs(hours):.0f} h {'before' if hours >= 0 else 'after'} the denial")
    out = dict(hand)
    out.update({
        "reason": reason, "score": s.score, "scorer": "learned",
        "threshold": scorer.threshold_for(profile.lang),
        "hand_score": hand.get("score"), "top_features": [{"feature": n, "weight": v} for n, v in s.top],
        "cosine": round(feats["cosine"], 3) if feats.get("has_cosine") else None,
    })
    return out


def match_documents(store: Any, document_ids: list[int], config: MatchingConfig, *,
                    indexed: dict[int, tuple[dict[str, Any], bool]] | None = None,
                    embedded: bool = False, memo: FeatureMemo | None = None) -> list[tuple[int, int]]:
    """Re-match the documents' denials (against reports) and the documents (as reports).

    ``indexed`` holds features (as stored) the caller has just written, which then need
    not be read back. ``embedded``: the documents' embeddings were stored already (by
    the processing stage, ``monitor.process``; a read-only worker cannot write them). ``memo``:
    a ``FeatureMemo`` the calls of one drain share. Returns the (denial_id, report_id) pairs
    that are new.
    """
    judge = PairJudge(store, config, indexed, memo=memo)
    judge.n_docs = store.count_indexed_documents() if judge.scorer is not None else 0
    if not embedded:
        judge.embed_documents(list(document_ids))
    new_pairs: list[tuple[int, int]] = []
    own = store.denials_of(document_ids)
    spans = [judge.window(row["published"]) for row in own if row["profile"]]
    if len(spans) > 1:  # one read of the vectors for all of them
        judge.prefetch_window(min(s for s, _ in spans), max(e for _, e in spans))
    # A denial and a report of the same batch meet twice (as denial, then as report).
    scored: dict[tuple[int, int], tuple[int, int, float, dict[str, Any]] | None] = {}

    def verdict_of(profile: Any, rid: int) -> tuple[int, int, float, dict[str, Any]] | None:
        if rid == profile.document_id or rid not in judge.feats:
            return None
        key = (profile.denial_id, rid)
        if key not in scored:
            scored[key] = judge.verdict(profile, rid)
        return scored[key]

    def verdicts(profile: Any, report_ids: Iterable[int]) -> list[tuple[int, int, float, dict[str, Any]]]:
        return [hit for rid in report_ids if (hit := verdict_of(profile, rid)) is not None]

    # 1. this document's denials against the reports around them
    for row in own:
        if not row["profile"]:
            continue
        profile = judge.profile_of(row)
        cands = judge.candidates(row)
        hits = verdicts(profile, cands)
        reason = None if cands else unmatched_reason(profile)
        if reason:
            log.info("denial without candidates denial_id=%s document_id=%s reason=%s", row["id"], row["document_id"],
                     reason)
        record_unmatched(store, row["id"], reason)
        new_pairs += store.replace_matches(denial_ids=[row["id"]], matches=hits)
    # 2. each document as a report, against the denials around it (one query and one
    # replacement for the batch; each document takes the rows of its own window, in order)
    judge.features(document_ids)
    feats_cache = judge.feats
    windows = {doc_id: (shift_timestamp(feats_cache[doc_id][0].published, -config.days_after),
                        shift_timestamp(feats_cache[doc_id][0].published, config.days_before))
               for doc_id in document_ids if doc_id in feats_cache}
    nearby = store.denials_between(min(w[0] for w in windows.values()),
                                   max(w[1] for w in windows.values())) if windows else []
    stamps = [row["published"] for row in nearby]  # sorted: the query orders by published, id
    judge.prefetch([*windows, *(int(row["document_id"]) for row in nearby if row["profile"])])
    found = []
    for doc_id in document_ids:
        if doc_id not in windows:
            continue
        start, end = windows[doc_id]
        for row in nearby[bisect_left(stamps, start) : bisect_right(stamps, end)]:
            if not row["profile"] or row["document_id"] == doc_id:
                continue
            hit = verdict_of(judge.profile_of(row), doc_id)  # one pair: no list to build and extend
            if hit is not None:
                found.append(hit)
    new_pairs += store.replace_matches(report_ids=list(windows), matches=found)
    for denial_id in sorted({hit[0] for hit in found}):  # a later report gave it a candidate
        record_unmatched(store, denial_id, None)
    # 3. the batch's denials may be rivals of matches stored before them
    if judge.wants_rivals:
        withdrawn = rivalled_matches(store, judge, own, set(document_ids))
        if withdrawn:
            log.info("matches withdrawn count=%d reason=a later denial's claim fits the report better", len(withdrawn))
            store.replace_matches(withdraw=withdrawn)
    return sorted(set(new_pairs))


def rivalled_matches(store: Any, judge: PairJudge, new_denials: list[dict[str, Any]],
                     batch: set[int]) -> list[tuple[int, int]]:
    """The stored matches that the batch's denials take back (``monitor.match.rivals``).

    A daemon scores a pair when the later of its two documents arrives; the denial whose
    claim fits the report better usually comes later still (reports precede denials). So
    each new denial looks at the stored matches of the reports in its window whose headline
    + lead name something specific of its claim that the matched claim lacks, and judges
    again those of which it is a rival and whose rival count so rose since they were stored
    (``explanation.rivals``), with the archive as it is now (so worker processes that each
    hold part of a wave judge alike): drift in the archive alone withdraws nothing. Rivals
    only lower a score: this takes matches back, never adds one, so a pair is never alerted
    because another denial arrived. Pairs with the batch's own denials or reports were
    judged with every rival already (steps 1 and 2 of ``match_documents``).
    """
    profiles = [judge.profile_of(row) for row in new_denials if row["profile"]]
    windows = [(judge.window(p.published), p) for p in profiles]
    new_ids = {p.denial_id for p in profiles}
    # only reports that name something specific of a new claim in its window: the archive's
    # index says which; then their matches, each read once however many claims name it
    reports: set[int] = set()
    for (start, end), p in windows:
        specific = [t for t in p.terms if has_specific_term((t,))]
        if specific:
            reports.update(store.reports_naming(start, end, specific))
    stored = [m for m in store.matches_of_reports(reports - batch) if m[0] not in new_ids]
    if not stored:
        return []
    matched_profiles = judge.profiles_by_id({m[0] for m in stored})
    stored = [m for m in stored if m[0] in matched_profiles]
    judge.features({m[1] for m in stored})
    out = []
    # per report, the new denials whose window holds it, with the specific terms of their claim
    # its headline and lead name (``could_rival`` of a match is then that some are not the
    # matched claim's: every one is specific), once a report rather than once a match
    naming: dict[int, list[tuple[Any, frozenset[str]]]] = {}
    for denial_id, rid, published, rivals in stored:
        if rid not in judge.feats:
            continue
        matched = matched_profiles[denial_id]
        around = naming.get(rid)
        if around is None:
            lead = judge.feats[rid][0].lead_terms
            around = naming[rid] = [
                (p, named) for (start, end), p in windows
                if start <= published <= end and p.document_id != rid and (named := judge.specific_of(p) & lead)]
        claim = judge.term_set(matched)
        news = [p for p, named in around if p.document_id != matched.document_id and not named <= claim]
        # judged again only when one of the new denials is a rival and so its rival count rose
        # (counted in the archive as it is now, only as far as telling whether it rose)
        if not news or not judge.rivalled_by_any(matched, rid, news):
            continue
        if rivals is not None and judge.rivals(matched, rid, limit=rivals + 1) <= rivals:
            continue
        if rid == matched.document_id or judge.judged(matched, rid) is None:  # (no explanation to write)
            out.append((matched.denial_id, rid))
    return out


def unmatched_reason(profile: Any) -> str:
    """Why a denial has no candidate report (stored in ``denials.unmatched``)."""
    if not profile.retrieval_terms():
        return "no claim terms: its claim, headline and lead name nothing specific"
    return "no report in the window shares a term or is near in embedding"


def record_unmatched(store: Any, denial_id: int, reason: str | None) -> None:
    """Store why a denial has no candidate (or that it has some). A read-only worker cannot
    write: the reason is then only logged, and stored at the next serial matching."""
    try:
        store.set_denial_unmatched(denial_id, reason)
    except sqlite3.OperationalError as exc:
        log.debug("denials.unmatched not stored reason=%s", exc)


def pair_table(store: Any, config: MatchingConfig) -> list[dict[str, Any]]:
    """Every pair the pipeline would score in this archive, with its learned features.

    For evaluation and training (issue 15): rows of ``denial_id``, ``denial_url``, ``denial_lang``,
    ``report_url`` and ``features``; the same candidates and features as ``match_documents``.
    """
    judge = PairJudge(store, config, learned=True)
    judge.n_docs = store.count_indexed_documents()
    judge.read_denials("0000", "9999")  # every report's rivals come from one read
    urls = store.document_urls()
    out: list[dict[str, Any]] = []
    for row, profile, rid in window_pairs(store, judge):
        got = judge.pair(profile, rid, rivals=True)
        if got is None:
            continue
        out.append({"denial_id": int(row["id"]), "denial_url": urls[row["document_id"]],
                    "report_url": urls[rid], "denial_lang": profile.lang or "", "features": got[0]})
    return out


def window_pairs(store: Any, judge: PairJudge) -> Iterator[tuple[dict[str, Any], Any, int]]:
    """(denial row, its profile, report id) for every denial with a claim profile and every
    other indexed document in its window: what ``PairJudge.pair`` is asked about, whole
    archive at once (training and evaluation), their features read in one go per denial."""
    for row in store.denials_between("0000", "9999"):
        if not row["profile"]:
            continue
        profile = judge.profile_of(row)
        start, end = judge.window(row["published"])
        ids = [i for i in store.indexed_between(start, end) if i != row["document_id"]]
        judge.features(ids)
        for rid in ids:
            yield row, profile, rid


def loads_object(text: str) -> dict[str, Any]:
    data = jsontext.loads(text)
    return data if isinstance(data, dict) else {}


def decode_vectors(blobs: list[bytes]) -> np.ndarray:
    """Stored vectors as the rows of one float32 matrix."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    if len({len(b) for b in blobs}) == 1:  # a window holds ~30k vectors: decoded at once, not row by row
        return np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), -1).astype(np.float32)
    # a damaged row: decoded one by one, so that the product names the mismatch
    return np.stack([from_blob(b) for b in blobs])


class _VectorSpan:
    """The stored vectors of the documents published in [start, end], in id order (as
    ``Store.embeddings_between`` returns them), decoded once. A window inside the span is
    the rows published in it, copied out in the same order: the same matrix a read of that
    window gives, so its products (hence the candidates) are the same bit for bit."""

    def __init__(self, start: str, end: str, ids: list[int], published: list[str], blobs: list[bytes]) -> None:
        self.start, self.end = start, end
        self.ids = np.asarray(ids, dtype=np.int64)
        self.published = np.asarray(published, dtype=object)
        self.mat = decode_vectors(blobs)

    def covers(self, start: str, end: str) -> bool:
        return self.start <= start and end <= self.end

    def between(self, start: str, end: str) -> tuple[list[int], np.ndarray]:
        keep = (self.published >= start) & (self.published <= end)
        return [int(i) for i in self.ids[keep]], self.mat[keep]
