"""Denial events: one denial reported by several documents is one event (pure).

Two denials belong to the same event when their speakers are in the same group
(Peskov and "the Kremlin"; Zakharova, Lavrov and the Foreign Ministry; the Defence
Ministry and Konashenkov), they were published within ``EVENT_HOURS`` of each other,
and their claims overlap (shared specific entities, names or topics, or the same event
type with a shared person). Events are the connected components of that relation, so
membership does not depend on arrival order; the key is derived from the component's
content (speaker group, first day, most frequent claim terms), so the same documents
give the same keys whatever order they came in.

It must not do I/O: ``processing`` gathers the denials near the changed ones and
stores what ``cluster`` returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from monitor.match.scoring import DENIER_TERMS, GENERIC_TERMS

_SENTENCE_END = re.compile(r"[.!?…][\"»”’)]*$")


def _clip_words(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return head[:space] if space > limit // 2 else head


#: Denials of one event are at most this far apart (chained through their neighbours).
EVENT_HOURS = 72.0

_GROUPS = {
    "kremlin": ("kremlin", "peskov", "putin", "ushakov", "medvedev", "кремл", "песков", "путин", "ушаков",
                "presidential", "president"),
    "mfa": ("foreign ministry", "foreign minister", "zakharova", "lavrov", "ryabkov", "nebenz", "embassy", "mfa",
            "мид", "захаров", "лавров", "посольств", "diplomat"),
    "mod": ("defence ministry", "defense ministry", "konashenkov", "shoigu", "military", "минобороны",
            "конашенков", "defence", "defense"),
}


def speaker_group(speaker: str | None) -> str:
    """The institution a speaker speaks for: ``kremlin``, ``mfa``, ``mod``, else the name."""
    from monitor.detect import denials  # the detector's own table first, when it has one

    known = getattr(denials, "SPEAKER_GROUP", {})
    if speaker in known:
        return str(known[speaker])
    s = (speaker or "").lower()
    for group, needles in _GROUPS.items():
        if any(n in s for n in needles):
            return group
    return s.strip() or "unknown"


@dataclass(frozen=True)
class DenialItem:
    """What clustering needs from a stored denial."""

    id: int
    speaker: str
    published: str
    terms: frozenset[str] = field(default_factory=frozenset)
    event_type: str | None = None

    @property
    def group(self) -> str:
        return speaker_group(self.speaker)

    @property
    def specific(self) -> frozenset[str]:
        return frozenset(t for t in self.terms if t not in DENIER_TERMS and t not in GENERIC_TERMS
                         and not t.startswith("event:"))


def _hours(a: str, b: str) -> float:
    return abs((dt.datetime.fromisoformat(a) - dt.datetime.fromisoformat(b)).total_seconds()) / 3600.0


def same_event(a: DenialItem, b: DenialItem, hours: float = EVENT_HOURS) -> bool:
    """Same speaker group, within ``hours``, overlapping claim."""
    if a.group != b.group or _hours(a.published, b.published) > hours:
        return False
    sa, sb = a.specific, b.specific
    shared = sa & sb
    if not sa or not sb:
        # A bare denial with no specific claim terms joins one with the same event type.
        return bool(a.event_type and a.event_type == b.event_type)
    if a.event_type and b.event_type and a.event_type != b.event_type and len(shared) < 2:
        return False
    return len(shared) >= 2 or len(shared) / min(len(sa), len(sb)) >= 0.5


def cluster(items: Iterable[DenialItem], hours: float = EVENT_HOURS) -> list[list[DenialItem]]:
    """Connected components of ``same_event``, each sorted by (published, id)."""
    lst = sorted(items, key=lambda x: (x.published, x.id))
    parent = list(range(len(lst)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(lst):
        for j in range(i + 1, len(lst)):
            b = lst[j]
            if _hours(a.published, b.published) > hours:
                break
            if same_event(a, b, hours):
                parent[find(j)] = find(i)
    groups: dict[int, list[DenialItem]] = {}
    for i, item in enumerate(lst):
        groups.setdefault(find(i), []).append(item)
    return sorted(groups.values(), key=lambda g: (g[0].published, g[0].id))


def _fingerprint(m: DenialItem) -> str:
    return "|".join([m.group, m.published, m.event_type or "", *sorted(m.specific)])


def event_key(members: list[DenialItem]) -> str:
    """A deterministic key from the event's earliest denial: group, day, claim terms.

    Independent of arrival order and of database ids (re-importing the same documents
    into a fresh archive yields the same keys), and unchanged when later denials join
    the event, so alerts keyed on it are not repeated. Ties on time break on content.
    """
    first = min(members, key=lambda m: (m.published, _fingerprint(m)))
    digest = hashlib.sha1(_fingerprint(first).encode()).hexdigest()[:10]
    return f"{first.group}-{first.published[:10]}-{digest}"


def event_summary(members: list[DenialItem], claims: dict[int, str]) -> dict[str, object]:
    """The ``denial_events`` row for a component (speaker, claim, dates, terms)."""
    counts = Counter(t for m in members for t in m.specific)
    speakers = Counter(m.speaker for m in members)
    first = members[0]
    texts = [claims.get(m.id) or "" for m in members]
    # A whole sentence beats a longer fragment cut off before the cue ('Peskov said: "This is'):
    # this is what analysts read in the archive and the alerts (issue 19).
    whole = [t for t in texts if _SENTENCE_END.search(t.rstrip())]
    longest_claim = max(whole or texts, key=len)
    events = Counter(m.event_type for m in members if m.event_type)
    return {
        "speaker": sorted(speakers, key=lambda s: (-speakers[s], s))[0],
        "claim": _clip_words(longest_claim, 1000),
        "event_type": sorted(events, key=lambda e: (-events[e], e))[0] if events else None,
        "entities": json.dumps(sorted(counts, key=lambda t: (-counts[t], t))[:12]),
        "first_published": first.published,
        "last_published": max(m.published for m in members),
    }
