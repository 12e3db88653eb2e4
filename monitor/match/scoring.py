"""Scoring a denial against a candidate report: a score in [0, 1] and an explanation.

Pure: takes a ``DenialProfile`` (the denied claim reduced to language-neutral terms)
and a report's ``DocumentFeatures``, returns a ``Verdict``. Retrieval (which reports
to score) and persistence live in ``store``; orchestration in ``processing``.

The score is a weighted mean of what the report's headline and lead share with the
claim: its entities, names and topics (weighted by how specific they are), its event
type, the outlet the denial names, its words (same language only) and time proximity.
Then exclusions, which matter most: a report that itself relays the denial (its
headline leads with a denier's cue, or a denial we detected sits in its lead) is
coverage, not a contradicted report; official channels are not the reports denials
answer; a report published after the denial that says the event was confirmed is a
different event. Each decision carries a readable explanation (issue 6).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from dataclasses import dataclass, field
from typing import AbstractSet, Any, Iterable, Mapping, NamedTuple

from monitor.text.entities import concept_label, concept_labels
from monitor.match.features import DENIER_TERMS, DocumentFeatures, keywords, lowercase_keys, text_terms
from monitor.text.embeddings import DEFAULT_EMBEDDER, embed_max_pieces_setting
from monitor.timeutil import to_utc

#: Concepts so common in this archive that sharing them says little.
GENERIC_TERMS = frozenset({
    "country:russia", "country:ukraine", "country:us", "topic:troops", "topic:weapons", "topic:civilians",
    "topic:intelligence", "topic:investigation", "event:contact",
})
#: People in so many stories that sharing them alone says little.
COMMON_PEOPLE = frozenset({"person:putin", "person:zelensky", "person:biden", "person:trump",
                           # leaders Putin meets or calls every few months: their names alone do not
                           # tell one summit's story from another's
                           "person:xi", "person:erdogan", "person:lukashenko", "person:macron", "person:scholz",
                           "person:merkel", "person:modi", "person:kim"})
#: Stems too common in this archive to count as shared words.
GENERIC_STEMS = frozenset({
    "russia", "russian", "ukrain", "kremlin", "moscow", "kyiv", "kiev", "putin", "said", "say", "war", "report",
    "offici", "presid", "countri", "minist", "govern", "state", "also", "claim", "accord", "statement",
    "росс", "российск", "украин", "кремл", "москв", "киев", "путин", "заяв", "сообщ", "президент", "войн",
    "официальн", "министр", "правительств", "стран", "такж", "ран", "котор",
})


@dataclass(frozen=True)
class MatchingConfig:
    """Tunable parameters; defaults measured on the development set."""

    #: Candidate reports published this many days before the denial... (issue 15: time is a
    #: feature of the learned scorer, not a filter; this only bounds the search)
    days_before: float = 180.0
    #: ...to this many days after it.
    days_after: float = 14.0
    #: Matches at or above this score are asserted (stored) by the hand scorer; the learned
    #: scorer carries its own threshold (chosen by cross-validation) in its weights file.
    threshold: float = 0.5
    #: The learned scorer's weights: "bundled" (the package's scorer.json), "crowded" (the
    #: package's weights fitted on a crowded archive: ``learned.BUNDLED_SCORERS``), a path, or
    #: None for the hand-weighted ``score_pair`` alone; ``MONITOR_SCORER`` ("bundled",
    #: "crowded", "hand" or a path) overrides the default.
    scorer: str | None = field(default_factory=lambda: scorer_setting(os.environ.get("MONITOR_SCORER")))
    #: Sentence embedder for cross-language candidates and the cosine feature
    #: (``monitor.text.embeddings.EMBEDDERS``: "use-m3-static", "use-m3", "none");
    #: ``MONITOR_EMBEDDER`` overrides the default.
    embedder: str = field(default_factory=lambda: os.environ.get("MONITOR_EMBEDDER") or DEFAULT_EMBEDDER)
    #: At most this many SentencePiece pieces of each headline + lead embedded by ``use-m3``
    #: (None: all); ``MONITOR_EMBED_MAX_PIECES`` overrides the default.
    embed_max_pieces: int | None = field(
        default_factory=lambda: embed_max_pieces_setting(os.environ.get("MONITOR_EMBED_MAX_PIECES")))
    #: Documents at least this similar (cosine of headline + lead) are candidates even when
    #: they share no indexed term (a report in another language).
    min_cosine: float = 0.5
    #: At most this many reports scored per denial (best by shared terms first).
    max_candidates: int = 300
    #: Ignore official channels (state media) as reports.
    skip_official: bool = True

def scorer_setting(value: str | None) -> str | None:
    """``MONITOR_SCORER`` as a ``MatchingConfig.scorer``: "hand" -> None, empty -> "bundled"."""
    value = (value or "").strip()
    if not value or value == "bundled":
        return "bundled"
    return None if value == "hand" else value


#: Event types that describe the same kind of happening in reports.
_CONTACT = {"event:call", "event:meeting", "event:talks", "event:contact", "event:visit"}
EVENT_FAMILIES: dict[str, set[str]] = {e: _CONTACT for e in _CONTACT}
EVENT_FAMILIES.update({e: {"event:attack", "event:drones", "event:death", "event:supply"}
                       for e in ("event:attack", "event:drones")})
EVENT_FAMILIES["event:supply"] = {"event:supply", "event:drones", "event:deal"}
EVENT_FAMILIES["event:death"] = {"event:death", "event:attack", "event:plot", "event:illness", "event:poisoning"}
EVENT_FAMILIES["event:plot"] = {"event:plot", "event:death", "event:attack", "event:poisoning"}
# A poisoning is an attack on a person ("spy attack", "nerve agent attack" headlines).
EVENT_FAMILIES["event:poisoning"] = {"event:poisoning", "event:death", "event:plot", "event:illness", "event:attack"}
EVENT_FAMILIES["event:illness"] = {"event:illness", "event:death"}
# An agreement and its extension are one kind of event; talks about it are not.
EVENT_FAMILIES["event:deal"] = {"event:deal", "event:extension", "event:supply"}
EVENT_FAMILIES["event:extension"] = {"event:extension", "event:deal"}
# Election interference is usually hacking and vice versa.
EVENT_FAMILIES["event:interference"] = {"event:interference", "event:cyberattack"}
EVENT_FAMILIES["event:cyberattack"] = {"event:cyberattack", "event:interference"}
#: Headline events compatible with a denied event besides its family: a deal implies the
#: contacts that made it, so a "deal" headline can assert a denied call or talks.
_IMPLIES_CONTACT = {"event:deal", "event:extension"}
HEADLINE_COMPATIBLE: dict[str, set[str]] = {e: _CONTACT | _IMPLIES_CONTACT for e in _CONTACT}
#: A report whose headline names only event types incompatible with the denied one is
#: about a different event between the same parties (grain *talks* vs agreeing to
#: *extend* the grain deal): its score is multiplied by this.
HEADLINE_OTHER_EVENT_FACTOR = 0.6
#: Russian state outlets: named in a denial they are its channel, not the denied report.
STATE_OUTLETS = frozenset({"outlet:tass", "outlet:ria", "outlet:interfax", "outlet:rt", "outlet:sputnik",
                           "outlet:izvestia"})
#: A report that names none of the people the denied claim is about (only the same places,
#: countries or topics) is about another event: its score is multiplied by this.
ABSENT_ACTORS_FACTOR = 0.6
#: Weaker signs of another event, multiplying the score by this: the report never names
#: some of the claim's people (Modi with someone else, against a claimed Modi-Blinken
#: call), or names them only below its headline and lead (in passing).
SIDELINED_ACTORS_FACTOR = 0.8
#: Event types specific enough to identify a claim with no names in it, given the same words.
SPECIFIC_EVENTS = frozenset({"event:mobilization", "event:border_closure", "event:exchange", "event:poisoning",
                             "event:cyberattack", "event:interference"})
#: Of those, the state's own measures (a call-up, closed borders): claims about them name no
#: one, so the same measure in a report's headline (any language) identifies the claim.
POLICY_EVENTS = frozenset({"event:mobilization", "event:border_closure"})
#: A report that shares a single specific term with the claim, few of its words (same
#: language) and none of its event words: its score is multiplied by this.
THIN_OVERLAP_FACTOR = 0.8
#: ...where "few" is a word-overlap score (``words`` component) below this.
THIN_WORDS = 0.3
#: A report that shares only topic words (no name, place, group or country) with the claim.
TOPICS_ONLY_FACTOR = 0.7


def has_specific_term(terms: Iterable[str]) -> bool:
    """Whether ``terms`` name anything specific: a term that is not the denier's side, not
    generic (countries, topics) and not an outlet. A claim without one is stood in for by its
    document's headline and lead; a report's lead without one is unread (``learned.lead_unread``)."""
    return any(t not in DENIER_TERMS and t not in GENERIC_TERMS and not t.startswith("outlet:") for t in terms)


#: Widely reported people and the event type in common, but none of the claim's own
#: places, groups or names: its score is multiplied by this.
SETTING_MISSING_FACTOR = 0.6


def _unshared_setting_terms(denial: "DenialProfile", report: DocumentFeatures) -> list[str]:
    """The claim's own places, groups and names (besides people) when the report names none
    of them ([] when it names one, or the claim has none)."""
    # Terms of the claim proper only (full weight; the headline and lead add theirs at 0.8):
    # a place the denial's own story mentions in passing is not the claim's setting.
    setting = [t for t in denial.terms
               if t.split(":", 1)[0] in ("place", "region", "country", "org", "name")
               and t not in GENERIC_TERMS and t not in DENIER_TERMS and denial.terms[t] >= 0.95 * term_weight(t)]
    if not setting or any(t in report.body_terms for t in setting):
        return []
    return setting


def _unshared_setting(denial: "DenialProfile", report: DocumentFeatures) -> str:
    """``_unshared_setting_terms`` as labels, comma-separated ("" when none)."""
    return ", ".join(labels_of(sorted(_unshared_setting_terms(denial, report))))


def labels_of(terms: Iterable[str]) -> list[str]:
    """Display labels of claim terms (concepts by their label, name keys as written)."""
    terms = list(terms)
    concepts = iter(concept_labels([t for t in terms if not t.startswith("name:")]))
    return [t[5:] if t.startswith("name:") else next(concepts) for t in terms]


def claim_actors(terms: Iterable[str]) -> tuple[str, ...]:
    """The people a claim is about: the persons it names, less the denier's side.

    Only gazetteer persons: its aliases already cover surnames, titles ("the Russian
    leader") and Russian case forms, while a name key may be a place or an organisation
    as well as a person, so it cannot say that a report leaves the claim's people out.
    """
    return tuple(sorted({t for t in terms if t.startswith("person:") and t not in DENIER_TERMS}))


def term_weight(term: str) -> float:
    """How much sharing ``term`` says about being the same claim."""
    if term in DENIER_TERMS:
        return 0.15
    if term in GENERIC_TERMS:
        return 0.2
    if term in COMMON_PEOPLE:
        return 0.6
    kind = term.split(":", 1)[0]
    return {
        "person": 1.0, "name": 1.0, "place": 1.0, "region": 0.6, "outlet": 0.6, "org": 0.7, "country": 0.5,
        "topic": 0.6, "event": 0.6,
    }.get(kind, 0.5)


@dataclass(frozen=True)
class DenialProfile:
    """The denied claim, reduced to what a report can share with it."""

    denial_id: int
    document_id: int
    speaker: str
    published: str
    lang: str | None
    #: weighted claim terms (entities, names, topics), denier terms included at low weight
    terms: Mapping[str, float] = field(default_factory=dict)
    event_type: str | None = None
    outlets: tuple[str, ...] = ()
    keywords: frozenset[str] = field(default_factory=frozenset)
    event_date: str | None = None
    #: the people named in the claim proper (not its context), the denier's side left out
    actors: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "terms": dict(sorted(self.terms.items())), "event_type": self.event_type,
            "outlets": list(self.outlets), "keywords": sorted(self.keywords), "lang": self.lang,
            "event_date": self.event_date, "actors": list(self.actors),
        }

    # --- what scoring reads of the denial alone, computed once per profile (not per
    # candidate report; cached on the instance, outside the compared fields)
    @functools.cached_property
    def published_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.published)

    @functools.cached_property
    def published_s(self) -> float:
        """``published_at`` in seconds since the epoch: every pair subtracts the two times, and
        two floats subtract for a fraction of what two datetimes and ``total_seconds`` cost
        (the archive's times are whole seconds, so the difference is the same number; a time
        without an offset is UTC, as ``timeutil.to_utc`` reads it)."""
        return to_utc(self.published_at).timestamp()

    @functools.cached_property
    def term_total(self) -> float:
        return sum(self.terms.values()) or 1.0

    @functools.cached_property
    def event_family(self) -> set[str | None]:
        """Event types that describe the same kind of happening as the denied one."""
        family: set[str | None] = set(EVENT_FAMILIES.get(self.event_type or "", {self.event_type}))
        return family

    @functools.cached_property
    def headline_events(self) -> set[str | None]:
        """Headline event types compatible with the denied one (its family, or implied)."""
        return self.event_family | {self.event_type} | (HEADLINE_COMPATIBLE.get(self.event_type, set()) if self.event_type else set())

    @functools.cached_property
    def specific_keywords(self) -> int:
        return len(self.keyword_set)

    @functools.cached_property
    def keyword_set(self) -> frozenset[str]:
        """The claim's keywords less the generic stems (each pair's shared words are among them)."""
        return self.keywords - GENERIC_STEMS

    @functools.cached_property
    def specific_terms(self) -> frozenset[str]:
        """The claim terms that count as specific when shared (not the denier's, not
        generic, not an event type)."""
        return frozenset(t for t in self.terms if t not in DENIER_TERMS and t not in GENERIC_TERMS
                         and not t.startswith("event:"))

    @functools.cached_property
    def term_items(self) -> tuple[tuple[str, float], ...]:
        """``terms.items()``, in their order, frozen once for every candidate report."""
        return tuple(self.terms.items())

    def retrieval_terms(self) -> list[str]:
        """Terms used to find candidates: the claim's specific ones (not the denier's)."""
        specific = [t for t, w in self.terms.items() if t not in DENIER_TERMS and t not in GENERIC_TERMS]
        return sorted(specific + [o for o in self.outlets if o not in specific])


def build_profile(
    *, denial_id: int, document_id: int, speaker: str, published: str, lang: str | None, claim: str,
    quote: str, entities: Iterable[str], event_type: str | None, outlets: Iterable[str],
    event_date: str | None, doc_title: str, doc_lead: str, use_context: bool, doc_text: str = "",
) -> DenialProfile:
    """Reduce a denial (and, when it is the document's subject, its headline and lead) to terms.

    ``use_context``: the denial is the document's main subject (a single denial, or one
    in the lead), so the headline and lead describe the same claim; a bare denial ("this
    is pure fiction") gets its claim from there. Without it, the headline and lead still
    stand in when the claim yields no specific term.
    """
    weights: dict[str, float] = {}

    def add(terms: Iterable[str], factor: float) -> None:
        for t in terms:
            weights[t] = max(weights.get(t, 0.0), term_weight(t) * factor)

    claim_text = f"{claim}\n{quote}"
    lower = lowercase_keys(f"{doc_title}\n{doc_text or doc_lead}", lang)
    claim_terms = set(entities) | text_terms(claim_text, lower_keys=lower, lang=lang)
    add(claim_terms, 1.0)
    kw = set(keywords(claim))
    # No usable claim (issue 15, item 7): claim extraction found nothing specific (only the
    # denier, generic words or none at all), so the headline and lead stand in for it.
    stand_in = not has_specific_term(claim_terms)
    if use_context or stand_in:
        context = f"{doc_title}\n{doc_lead}"
        add(text_terms(context, lower_keys=lower, lang=lang), 0.8)
        kw |= keywords(doc_title)
    named = set(outlets) | {t for t in text_terms(claim) if t.startswith("outlet:")}
    outlets_t = tuple(sorted(o for o in named if o not in STATE_OUTLETS))
    for o in [t for t in weights if t.startswith("outlet:")]:
        weights.pop(o, None)
    ev = event_type
    if ev is None:
        evs = [t for t in weights if t.startswith("event:")]
        ev = evs[0] if len(evs) == 1 else None
    return DenialProfile(
        denial_id=denial_id, document_id=document_id, speaker=speaker, published=published, lang=lang,
        terms=weights, event_type=ev, outlets=outlets_t, keywords=frozenset(kw), event_date=event_date,
        actors=claim_actors(claim_terms),
    )


def profile_from_json(denial_id: int, document_id: int, speaker: str, published: str,
                      data: Mapping[str, Any]) -> DenialProfile:
    """A stored profile; one stored before ``actors`` existed has none (no actor check)."""
    return DenialProfile(
        denial_id=denial_id, document_id=document_id, speaker=speaker, published=published,
        lang=data.get("lang"), terms=dict(data.get("terms") or {}), event_type=data.get("event_type"),
        outlets=tuple(data.get("outlets") or ()), keywords=frozenset(data.get("keywords") or ()),
        event_date=data.get("event_date"), actors=tuple(data.get("actors") or ()),
    )


@dataclass(frozen=True)
class Verdict:
    """The outcome of scoring one (denial, report) pair."""

    score: float
    matched: bool
    explanation: Mapping[str, Any]


def _days(a: str, b: str) -> float:
    """Days from ``a`` to ``b`` (positive when b is later)."""
    return (dt.datetime.fromisoformat(b) - dt.datetime.fromisoformat(a)).total_seconds() / 86400.0


def in_window(denial_published: str, report_published: str, config: MatchingConfig) -> bool:
    d = _days(denial_published, report_published)
    return -config.days_before <= d <= config.days_after


#: The best score of a pair that shares no claim term: no entity score (weight 0.45 of
#: 1.05 at most), then halved for sharing nothing specific: 0.5 * 0.60 / 1.05 = 0.286.
NO_SHARED_TERM_MAX = 0.29


def could_match(denial: DenialProfile, report: DocumentFeatures) -> bool:
    """False when ``report`` shares no claim term with ``denial`` (a cheap pre-check).

    Such a pair scores at most ``NO_SHARED_TERM_MAX``, so with a threshold above that
    it need not be scored at all.
    """
    return not (report.body_terms.isdisjoint(denial.terms) and report.lead_terms.isdisjoint(denial.terms))


def actor_penalty(denial: DenialProfile, report: DocumentFeatures) -> tuple[float, str]:
    """How far ``report`` leaves out the people the claim is about: (factor, reason), or (1.0, "").

    A claim that named people did something is asserted by a report about those people,
    which names them (by name, surname or a title the gazetteer knows, in any case form)
    in its headline or lead. A report that names none of them reports another event,
    whatever places, countries or topics it shares; one that never names some of them
    has the others doing it with someone else; one that names them only below the lead
    mentions them in passing.
    """
    kind = _actor_gap(denial, report)
    if not kind:
        return 1.0, ""
    return (ABSENT_ACTORS_FACTOR if kind == "absent" else SIDELINED_ACTORS_FACTOR), _actor_reason(denial, report, kind)


def _actor_gap(denial: DenialProfile, report: DocumentFeatures) -> str:
    """Which of ``actor_penalty``'s cases a pair falls in: "absent", "below_lead", "missing" or ""
    (no penalty); the cheap half, without the labels of its reason."""
    actors = denial.actors
    if not actors:
        return ""
    if report.body_terms.isdisjoint(actors):
        return "absent"
    if report.lead_terms.isdisjoint(actors):
        return "below_lead"
    if any(t not in report.body_terms for t in actors):
        return "missing"
    return ""


def _actor_reason(denial: DenialProfile, report: DocumentFeatures, kind: str) -> str:
    """The readable reason of an ``_actor_gap`` case (only a stored match's explanation needs it)."""
    # ``concept_labels`` looks the lexicons in force up once for all the actors (a stored
    # match's explanation writes this; ``active_lexicons`` reads the environment each call)
    if kind == "absent":
        return f"names none of the people the claim is about ({', '.join(concept_labels(denial.actors))})"
    if kind == "below_lead":
        return f"names the people the claim is about ({', '.join(concept_labels(denial.actors))}) only below the lead"
    missing = concept_labels([t for t in denial.actors if t not in report.body_terms])
    return f"never names {', '.join(missing)}, of the people the claim is about"


def score_pair(
    denial: DenialProfile,
    report: DocumentFeatures,
    *,
    report_id: int,
    report_has_lead_denial: bool = False,
    report_source_outlets: Iterable[str] = (),
    config: MatchingConfig = MatchingConfig(),
) -> Verdict:
    """Score how well ``report`` asserts what ``denial`` denies."""
    parts = score_parts(denial, report, report_id=report_id, report_has_lead_denial=report_has_lead_denial,
                        report_source_outlets=report_source_outlets, config=config)
    return Verdict(score=parts.score, matched=parts.matched, explanation=parts.explanation())


class PairParts(NamedTuple):
    """What ``score_pair`` computes for a pair, before its explanation is written out.

    The learned scorer reads its features from these numbers for every candidate pair, but
    only the pairs it stores need the explanation (labels, sorted lists, the reason), so that
    is built on demand (``explanation``): the same dict ``score_pair`` returns.

    Immutable as a frozen dataclass would be, but a named tuple: one is built for every
    candidate pair, and a frozen dataclass's ``__init__`` sets its 16 fields one
    ``object.__setattr__`` at a time (about 1.3 µs a pair more; issue 16).
    """

    denial: DenialProfile
    score: float
    matched: bool
    threshold: float
    hours: float
    shared: list[str]
    body_only: list[str]
    specific_shared: list[str]
    words_shared: AbstractSet[str]
    outlet_named: str | None
    event_score: float
    #: (component, weight, value) of the weighted mean
    parts: list[tuple[str, float, float]]
    #: short keys of the penalties, in order
    flags: list[str]
    #: the penalties' readable reasons, in order: a string, or a function that writes it
    penalties: list[Any]
    same_lang: bool

    @property
    def hours_apart(self) -> float:
        return round(self.hours, 1)

    #: ``parts`` rounded, by name: computed once per pair (``score_parts``) for the learned
    #: features and the explanation alike; read only (``components()`` hands out copies)
    rounded: dict[str, float]

    def components(self) -> dict[str, float]:
        return dict(self.rounded)

    def explanation(self, *, reason: bool = True) -> dict[str, Any]:
        """``score_pair``'s explanation; ``reason`` False leaves its one-line reason None (the
        learned scorer writes its own over it: labelling the shared terms would be wasted)."""
        denial, hours = self.denial, self.hours
        penalties = [p() if callable(p) else p for p in self.penalties]
        text: str | None = None
        if reason and self.matched:
            labels = labels_of(self.specific_shared)
            text = (f"asserts what {denial.speaker} denied: shares {', '.join(labels[:5]) or 'context'}"
                    + (f"; event {denial.event_type.split(':')[1]}"
                       if self.event_score >= 0.6 and denial.event_type else "")
                    + (f"; cites {concept_label(self.outlet_named)}" if self.outlet_named else "")
                    + f"; {abs(hours):.0f} h {'before' if hours >= 0 else 'after'} the denial")
        elif reason:
            text = penalties[-1] if penalties else f"score {self.score:.2f} below threshold {self.threshold:.2f}"
        return {
            "reason": text,
            "score": self.score,
            "shared_entities": sorted(self.shared),
            "body_only_entities": sorted(self.body_only),
            "matched_words": sorted(self.words_shared)[:20],
            "outlet_named": self.outlet_named,
            "event_type": denial.event_type,
            "event_agrees": self.event_score >= 0.6,
            "hours_apart": round(hours, 1),
            "report_before_denial": hours >= 0,
            "components": self.components(),
            "penalties": penalties,
            "flags": list(self.flags),
            "outlet_asked": bool(denial.outlets),
            "same_lang": self.same_lang,
        }


def score_parts(
    denial: DenialProfile,
    report: DocumentFeatures,
    *,
    report_id: int,
    report_has_lead_denial: bool = False,
    report_source_outlets: Iterable[str] = (),
    config: MatchingConfig = MatchingConfig(),
) -> PairParts:
    """``score_pair``'s numbers for a pair (``PairParts``), its explanation left to write."""
    penalties: list[Any] = []
    flags: list[str] = []  # short keys of the penalties, for the learned scorer
    # > 0: report came first (``_days(report.published, denial.published)``, the denial's side parsed once)
    hours = (denial.published_s - report.published_s) / 86400.0 * 24.0
    # --- shared claim terms (the headline and lead count fully, the body half)
    total = denial.term_total
    got = 0.0
    shared: list[str] = []
    body_only: list[str] = []
    lead_terms, body_terms = report.lead_terms, report.body_terms
    for t, w in denial.term_items:
        if t in lead_terms:
            got += w
            shared.append(t)
        elif t in body_terms:
            got += 0.5 * w
            body_only.append(t)
    specific = denial.specific_terms
    specific_shared = [t for t in shared + body_only if t in specific]
    # Famous people alone (Putin and Trump) are not a claim: they need the exact event
    # type in the headline/lead or the outlet the denial names.
    only_common = bool(specific_shared) and COMMON_PEOPLE.issuperset(specific_shared)
    # Normalised coverage alone punishes rich claims; absolute shared weight alone
    # favours long reports: blend the two.
    entity_score = 0.5 * (got / total) + 0.5 * (1.0 - math.exp(-got / 1.5))
    # --- event type
    report_events = report.lead_events
    family = denial.event_family
    if denial.event_type is None:
        event_score = 0.5
    elif denial.event_type in report.lead_terms:
        event_score = 1.0
    elif denial.event_type in report.body_terms or family & report_events:
        event_score = 0.6
    else:
        event_score = 0.0 if report_events else 0.3
    # The headline says what the report is about: a different kind of event there (and
    # none of the denied kind) means a different event, whatever the lead also mentions.
    other_headline_event = bool(
        denial.event_type and report.title_events
        and not report.title_events & denial.headline_events)
    if other_headline_event:
        event_score = 0.0
    # --- outlet named in the denial
    outlet_named = None
    outlet_score = None
    if denial.outlets:
        outlet_score = 0.0
        own = set(report_source_outlets)
        for o in denial.outlets:
            if o in own or o in report.lead_terms:
                outlet_score, outlet_named = 1.0, o
                break
            if o in report.body_terms:
                outlet_score, outlet_named = 0.6, o
    # --- words (same language only: stems do not cross languages)
    same_lang = bool(denial.lang and report.lang and denial.lang == report.lang)
    words_shared = denial.keyword_set & report.lead_keywords  # (keywords & lead) - GENERIC_STEMS
    lexical = None
    if same_lang and denial.keywords:
        specific_kw = denial.specific_keywords
        lexical = min(1.0, len(words_shared) / max(4.0, 0.4 * specific_kw))
    # --- time: reports shortly before the denial are the usual pattern
    # (a week-old report is half as likely as yesterday's; after the denial, faster decay).
    if hours >= 0:
        time_score = math.exp(-max(0.0, hours - 72.0) / (24.0 * 7.0))
    else:
        time_score = math.exp(hours / (24.0 * 4.0))  # hours < 0: the report came after the denial
    parts: list[tuple[str, float, float]] = [
        ("entities", 0.45, entity_score), ("event", 0.15, event_score), ("time", 0.15, time_score),
    ]
    # ``parts`` rounded, by name, built beside it (every candidate pair reads it); the event's
    # and the outlet's scores are constants of at most three decimals, their own rounding
    rounded = {"entities": round(entity_score, 3), "event": event_score, "time": round(time_score, 3)}
    if outlet_score is not None:
        parts.append(("outlet", 0.10, max(outlet_score, 0.2)))
        rounded["outlet"] = max(outlet_score, 0.2)
    if lexical is not None:
        parts.append(("words", 0.20, lexical))
        rounded["words"] = round(lexical, 3)
    # lists, not generators, for ``sum``: the same additions in the same order, cheaper
    wsum = sum([w for _, w, _ in parts])
    score = sum([w * v for _, w, v in parts]) / wsum
    # --- no specific shared term at all: the same people/countries are not the same claim
    # The report is the named outlet's own story and its headline words are the claim's:
    # the outlet stands for the missing specific name ("the Washington Post article about ...").
    outlet_story = outlet_named is not None and outlet_score == 1.0 and (lexical or 0.0) >= 0.5
    # A claim about a policy rather than people ("a second wave of mobilisation") may name
    # nothing specific: the same specific event in the report's lead, in the claim's own
    # words, stands for it.
    own_words_event = (denial.event_type in SPECIFIC_EVENTS and denial.event_type in report.lead_terms
                       and ((lexical or 0.0) >= 0.5
                            or (denial.event_type in POLICY_EVENTS and denial.event_type in report.title_events)))
    if not specific_shared and not outlet_story and not own_words_event:
        score *= 0.5
        flags.append("no_specific")
        penalties.append("shares no specific entity, name or topic with the claim")
    elif only_common and outlet_named is None and event_score < 1.0:
        score *= 0.6
        flags.append("only_common")
        penalties.append("shares only widely reported people with the claim")
    elif only_common and outlet_named is None and (setting := _unshared_setting_terms(denial, report)):
        # Putin and Trump meeting, but not in Budapest: the claim's own place or names are
        # what tell this meeting from the other ones the same two are reported to plan.
        score *= SETTING_MISSING_FACTOR
        flags.append("setting_missing")
        penalties.append(lambda: f"shares only widely reported people; never names "
                                 f"{', '.join(labels_of(sorted(setting)))}")
    elif (specific_shared and not (own_words_event and denial.event_type in POLICY_EVENTS)
          # (none shared but topics and events; a list, not ``all`` over a generator: cheaper)
          and not [t for t in shared + body_only if t not in DENIER_TERMS and not t.startswith(("topic:", "event:"))]):
        # Only common nouns in common ("hackers", "weapons"): the same kind of news, not
        # the same claim, unless a name, place, group or even a country is shared too.
        score *= TOPICS_ONLY_FACTOR
        flags.append("topics_only")
        penalties.append("shares only topics with the claim, no name, place or group")
    elif (len(specific_shared) == 1 and lexical is not None and lexical < THIN_WORDS and event_score < 1.0
          and outlet_named is None and not any(t.startswith("event:") for t in shared + body_only)):
        # One name in common and hardly a word of the claim: the same group in other news
        # (a Taliban delegation's talks, against a denied Taliban bounty story).
        score *= THIN_OVERLAP_FACTOR
        flags.append("thin_overlap")
        penalties.append(lambda: f"shares only {labels_of(specific_shared)[0]} and few of the claim's words")
    # The named outlet's own story may name the people by a title the gazetteer lacks.
    actor_gap = _actor_gap(denial, report)
    if actor_gap and not outlet_story:
        score *= ABSENT_ACTORS_FACTOR if actor_gap == "absent" else SIDELINED_ACTORS_FACTOR
        flags.append("actors_absent" if actor_gap == "absent" else "actors_sidelined")
        penalties.append(lambda: _actor_reason(denial, report, actor_gap))
    if other_headline_event:
        score *= HEADLINE_OTHER_EVENT_FACTOR
        flags.append("headline_other_event")
        penalties.append(lambda: f"headline reports a different event ({', '.join(sorted(report.title_events))})")
    # --- exclusions and penalties
    excluded = None
    if report.headline_cue:
        excluded = f"coverage: headline relays a denial ({report.headline_cue!r})"
    elif report_has_lead_denial and not report.claim_first:
        excluded = "coverage: a denial is reported in its lead"
    elif config.skip_official and report.role == "official":
        excluded = "official channel, not a report"
    if excluded:
        penalties.append(excluded)
        score = min(score, 0.2) * 0.5
    if report.confirmed and hours < 0:
        score -= 0.3
        flags.append("confirmed_after")
        penalties.append("published after the denial and says the event was confirmed")
    if denial.event_type and report_events and event_score == 0.0:
        penalties.append(lambda: f"different event type ({', '.join(sorted(report_events))})")
    score = round(max(0.0, min(1.0, score)), 4)
    # the fields in their order, by position: keywords cost ~1 µs a pair more (issue 16)
    return PairParts(denial, score, score >= config.threshold, config.threshold, hours, shared, body_only,
                     specific_shared, words_shared, outlet_named, event_score, parts, flags, penalties, same_lang,
                     rounded)
