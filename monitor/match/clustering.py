"""Denial events in the archive: regroup the denials around changed documents into events.

The pure grouping rules live in ``monitor.match.events``; this module gathers the neighbourhood
from the store and writes the components back.
"""

from __future__ import annotations

from typing import Any

from monitor.match import events as ev
from monitor.match.linking import loads_object, shift_timestamp

__all__ = ["denial_item", "recluster"]


def denial_item(row: dict[str, Any]) -> ev.DenialItem:
    profile = loads_object(row["profile"]) if row.get("profile") else {}
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
        item = denial_item(row)
        for r in store.denials_between(shift_timestamp(row["published"], -ev.EVENT_HOURS / 24),
                                       shift_timestamp(row["published"], ev.EVENT_HOURS / 24)):
            if int(r["id"]) not in rows and ev.same_event(item, denial_item(r)):
                rows[int(r["id"])] = r
                queue.append(r)
    items = [denial_item(r) for r in rows.values()]
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
