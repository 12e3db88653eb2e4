"""Typed records passed between the layers: documents, denials, matches.

Records are frozen dataclasses with UTC-aware datetimes. They carry values only: no
database handles, no I/O. ``store`` turns them into rows and back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

ROLES = ("official", "media")


@dataclass(frozen=True, init=False)
class Document:
    """One archived text: an article, a transcript, a briefing, a feed item."""

    #: Canonical URL; the document's identity.
    url: str
    title: str
    text: str
    #: Publication time, timezone-aware, normalised to UTC.
    published: dt.datetime
    #: Source slug from the catalogue (``kremlin-en``, ``washingtonpost``...).
    source: str
    #: ``official`` (speaks for the government) or ``media``.
    role: str = "media"
    #: ISO 639-1 code, or None when unknown.
    lang: str | None = None
    #: Fields we do not model but keep (import extras, feed metadata).
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: When we fetched it (UTC); None for imports.
    fetched_at: dt.datetime | None = None

    def __init__(self, url: str, title: str, text: str, published: dt.datetime, source: str,
                 role: str = "media", lang: str | None = None, extra: Mapping[str, Any] | None = None,
                 fetched_at: dt.datetime | None = None) -> None:
        # The generated __init__ of a frozen dataclass sets each field with object.__setattr__:
        # a third of building a document from an import record (2.1 of 6.5 us, issue 16).
        # Filling the instance dict at once gives the same object; no extra: a fresh {}.
        fields = self.__dict__
        fields["url"], fields["title"], fields["text"], fields["published"] = url, title, text, published
        fields["source"], fields["role"], fields["lang"] = source, role, lang
        fields["extra"], fields["fetched_at"] = {} if extra is None else extra, fetched_at


@dataclass(frozen=True)
class Denial:
    """An official's denial found in a document.

    ``entities``, ``outlets`` and ``event_type`` are language-neutral concept ids
    (``person:putin``, ``outlet:washingtonpost``, ``event:call``) so that a Russian
    denial can be compared with an English report.
    """

    #: Canonical name of the denier ("Dmitry Peskov", "Kremlin", "Russian MFA").
    speaker: str
    #: The denial expression as written ("pure fiction", "не соответствует действительности").
    cue: str
    #: The sentence(s) carrying the cue.
    quote: str
    #: The denied claim as text (from the denial's wording or its context).
    claim: str
    lang: str | None = None
    #: Cue family: ``strong`` (speaker's own words), ``verb`` (reported denial), ``event`` ("there was no call").
    cue_class: str = "strong"
    #: Concept ids of people, countries, organisations in the claim.
    entities: tuple[str, ...] = ()
    #: Concept id of the denied event ("event:call"), when recognised.
    event_type: str | None = None
    #: Date of the denied event when stated or resolvable.
    event_date: dt.date | None = None
    #: Concept ids of outlets named as the source of the denied report.
    outlets: tuple[str, ...] = ()
    #: 0..1, how sure the detector is.
    confidence: float = 1.0
    #: Character offset of the quote in the document text (for ordering and highlighting).
    position: int = 0


@dataclass(frozen=True)
class Match:
    """A report that asserts what a denial denies."""

    denial_id: int
    report_id: int
    #: 0..1; only matches at or above the threshold are stored.
    score: float
    #: Machine-readable reasons (entities, words, outlet, hours apart); rendered for analysts.
    explanation: Mapping[str, Any] = field(default_factory=dict)
