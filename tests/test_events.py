"""Denial events (pure): clustering by speaker group, claim overlap and 72 hours; stable keys."""

from __future__ import annotations

import random

from monitor.match.events import DenialItem, cluster, event_key, speaker_group

CALL = frozenset({"person:putin", "person:trump", "event:call", "org:kremlin"})


def item(i: int, speaker: str = "Dmitry Peskov", published: str = "2024-11-11T10:00:00+00:00",
         terms: frozenset[str] = CALL, event_type: str | None = "event:call") -> DenialItem:
    return DenialItem(id=i, speaker=speaker, published=published, terms=terms, event_type=event_type)


def test_speaker_groups() -> None:
    assert speaker_group("Dmitry Peskov") == speaker_group("Kremlin") == "kremlin"
    assert speaker_group("Maria Zakharova") == speaker_group("Russian Foreign Ministry") == "mfa"
    assert speaker_group("Russian Defence Ministry") == "mod"


def test_one_denial_reported_five_times_is_one_event() -> None:
    items = [item(1), item(2, "Kremlin", "2024-11-11T12:00:00+00:00"),
             item(3, published="2024-11-11T13:00:00+00:00"),
             item(4, published="2024-11-12T08:00:00+00:00", terms=CALL | {"outlet:washingtonpost"}),
             item(5, "Kremlin", "2024-11-13T09:00:00+00:00")]
    groups = cluster(items)
    assert len(groups) == 1 and [m.id for m in groups[0]] == [1, 2, 3, 4, 5]


def test_other_speaker_group_other_claim_or_later_week_are_separate_events() -> None:
    items = [item(1), item(2, "Maria Zakharova"),
             item(3, terms=frozenset({"person:navalny", "event:death"}), event_type="event:death"),
             item(4, published="2024-11-20T10:00:00+00:00")]
    assert len(cluster(items)) == 4


def test_event_key_does_not_depend_on_order_or_ids() -> None:
    base = [item(i, published=f"2024-11-1{1 + i % 2}T0{i}:00:00+00:00") for i in range(1, 6)]
    keys = set()
    for seed in range(5):
        shuffled = base[:]
        random.Random(seed).shuffle(shuffled)
        (members,) = cluster(shuffled)
        keys.add(event_key(members))
    renumbered = [DenialItem(id=i + 100, speaker=m.speaker, published=m.published, terms=m.terms,
                             event_type=m.event_type) for i, m in enumerate(base)]
    keys.add(event_key(cluster(renumbered)[0]))
    assert len(keys) == 1
    assert keys.pop().startswith("kremlin-2024-11-11-")


def test_event_claim_prefers_a_whole_sentence_to_a_longer_fragment() -> None:
    from monitor.match.events import event_summary

    members = [item(1), item(2)]
    fragment = 'Asked about the newspaper report of a telephone conversation between the two leaders, Peskov said: "This is'
    whole = "media reports that the two leaders had a phone conversation."
    assert event_summary(members, {1: fragment, 2: whole})["claim"] == whole
    assert event_summary(members, {1: fragment, 2: ""})["claim"] == fragment  # nothing better
    long_claim = "word " * 300 + "end."
    clipped = event_summary(members, {1: long_claim})["claim"]
    assert len(clipped) <= 1000 and clipped.endswith("word")  # never cut inside a word
