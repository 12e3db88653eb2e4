"""Analysts' feedback on matches and denials (issue 19). Part of ``Store``.

A verdict is recorded with a snapshot of what was judged (score, explanation,
speaker, claim) and then *acts*:

- ``wrong`` on a match deletes every match between that denial document and that
  report (the contract's query, the views, alerts and digests read ``matches``), and
  ``replace_matches`` never stores the pair again, whatever reprocessing finds;
- ``not-a-denial`` on a denial marks it (and any re-detection of the same quote in the
  same document) ``rejected`` and deletes its matches, for good in the same way;
- ``right`` and ``missed`` record: they are labels for the matcher's training
  (``monitor feedback export``); a ``right`` pair is also never taken back when a later
  denial's claim fits the report better (``withdraw_matches``), nor dropped by a re-run of
  matching that no longer finds it (``replace_matches`` keeps its row as stored), and it
  moves to the new row when its denial is detected anew (``replace_denials``); ``denial``
  undoes ``not-a-denial`` (matches come back at the next ``monitor match``).

Verdicts name documents by URL and a denial by its quote, never by row id, because
``monitor match`` replaces those rows. The latest verdict on a pair wins. Writes do not
commit by themselves: callers wrap them in ``store.atomic()``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from monitor.errors import InputError
from monitor.timeutil import now_iso

if TYPE_CHECKING:
    from sqlite_utils import Database

MATCH_VERDICTS = ("right", "wrong")
DENIAL_VERDICTS = ("not-a-denial", "denial")
ALL_VERDICTS = ("right", "wrong", "missed", "not-a-denial", "denial")


def _rows(cursor: Any) -> list[dict[str, Any]]:
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


class FeedbackMixin:
    db: "Database"

    # -- recording -------------------------------------------------------------------

    def match_for_review(self, match_id: int) -> dict[str, Any] | None:
        """A match with what a verdict records about it (URLs, quote, speaker, claim, score)."""
        rows = _rows(self.db.execute(
            "SELECT m.id AS match_id, m.denial_id, m.report_id, m.score, m.explanation, x.quote, x.speaker,"
            " x.claim, x.document_id AS denial_document_id, d.url AS denial_url, r.url AS report_url"
            " FROM matches m JOIN denials x ON x.id = m.denial_id JOIN documents d ON d.id = x.document_id"
            " JOIN documents r ON r.id = m.report_id WHERE m.id = ?", [match_id]))
        return rows[0] if rows else None

    def denial_for_review(self, denial_id: int) -> dict[str, Any] | None:
        rows = _rows(self.db.execute(
            "SELECT x.id AS denial_id, x.document_id, x.quote, x.speaker, x.claim, x.event_id, d.url AS denial_url"
            " FROM denials x JOIN documents d ON d.id = x.document_id WHERE x.id = ?", [denial_id]))
        return rows[0] if rows else None

    def record_match_verdict(self, match_id: int, verdict: str, *, note: str | None = None, who: str | None = None,
                             via: str = "cli", now: str | None = None) -> int:
        """Record ``right`` or ``wrong`` on match ``match_id``; return the feedback id.

        ``InputError`` if the verdict is not one of ``MATCH_VERDICTS`` or the match does
        not exist (it may have been rejected, or replaced by ``monitor match``).
        """
        if verdict not in MATCH_VERDICTS:
            raise InputError(f"verdict {verdict!r}: a match is 'right' or 'wrong'")
        match = self.match_for_review(match_id)
        if match is None:
            raise InputError(f"match {match_id}: no such match (see the denial_matches view or `monitor review`)")
        feedback_id = self._insert_feedback(verdict, match["denial_url"], match["report_url"], match["quote"],
                                            match_id=match_id, denial_id=match["denial_id"], score=match["score"],
                                            explanation=match["explanation"], speaker=match["speaker"],
                                            claim=match["claim"], note=note, who=who, via=via, now=now)
        # The event's other denial documents say the same thing: the verdict holds for
        # their matches with this report too (one verdict row each, as training labels).
        siblings = self.db.execute(
            "SELECT m.id FROM matches m JOIN denials x ON x.id = m.denial_id JOIN denials y ON y.event_id = x.event_id"
            " WHERE y.id = ? AND m.report_id = ? AND x.document_id != ? GROUP BY x.document_id ORDER BY min(m.id)",
            [match["denial_id"], match["report_id"], match["denial_document_id"]]).fetchall()
        judged = [match]
        for (sibling_id,) in siblings:
            other = self.match_for_review(int(sibling_id))
            if other is None:
                continue
            judged.append(other)
            self._insert_feedback(verdict, other["denial_url"], other["report_url"], other["quote"],
                                  match_id=other["match_id"], denial_id=other["denial_id"], score=other["score"],
                                  explanation=other["explanation"], speaker=other["speaker"], claim=other["claim"],
                                  note=note, who=who, via=via, now=now)
        if verdict == "wrong":
            for m in judged:
                self.db.execute(
                    "DELETE FROM matches WHERE report_id = ? AND denial_id IN"
                    " (SELECT id FROM denials WHERE document_id = ?)",
                    [m["report_id"], m["denial_document_id"]])
        return feedback_id

    def record_denial_verdict(self, denial_id: int, verdict: str, *, note: str | None = None, who: str | None = None,
                              via: str = "cli", now: str | None = None) -> int:
        """Record ``not-a-denial`` (or ``denial``, undoing it) on denial ``denial_id``."""
        if verdict not in DENIAL_VERDICTS:
            raise InputError(f"verdict {verdict!r}: a denial is 'not-a-denial' (or 'denial' to undo)")
        denial = self.denial_for_review(denial_id)
        if denial is None:
            raise InputError(f"denial {denial_id}: no such denial (see the denials table or `monitor review`)")
        feedback_id = self._insert_feedback(verdict, denial["denial_url"], None, denial["quote"], denial_id=denial_id,
                                            speaker=denial["speaker"], claim=denial["claim"], note=note, who=who,
                                            via=via, now=now)
        self.apply_denial_verdicts([int(denial["document_id"])])
        return feedback_id

    def record_missed_report(self, denial_id: int, report_url: str, *, note: str | None = None,
                             who: str | None = None, via: str = "review", now: str | None = None) -> int:
        """Record that denial ``denial_id`` contradicts ``report_url``, which the matcher missed.

        A label only (training data): the match is not asserted until the matcher finds it.
        """
        url = (report_url or "").strip()
        if not url.startswith(("http://", "https://")):
            raise InputError(f"report URL {report_url!r}: not an http(s) URL")
        denial = self.denial_for_review(denial_id)
        if denial is None:
            raise InputError(f"denial {denial_id}: no such denial")
        return self._insert_feedback("missed", denial["denial_url"], url, denial["quote"], denial_id=denial_id,
                                     speaker=denial["speaker"], claim=denial["claim"], note=note, who=who, via=via,
                                     now=now)

    def _insert_feedback(self, verdict: str, denial_url: str, report_url: str | None, quote: str | None,
                         *, now: str | None = None, **fields: Any) -> int:
        row = {"verdict": verdict, "denial_url": denial_url, "report_url": report_url, "quote": quote,
               "created_at": now or now_iso(), **fields}
        cur = self.db.execute(
            f"INSERT INTO feedback ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
        return int(cur.lastrowid or 0)

    # -- acting (called by the analysis writes) --------------------------------------

    def has_feedback(self) -> bool:
        return self.db.execute("SELECT 1 FROM feedback LIMIT 1").fetchone() is not None

    def apply_denial_verdicts(self, document_ids: Iterable[int]) -> None:
        """Set ``denials.rejected`` from the standing verdicts; drop rejected denials' matches."""
        ids = sorted(set(document_ids))
        if not ids or not self.has_feedback():
            return
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            self.db.execute(
                "UPDATE denials SET rejected = EXISTS (SELECT 1 FROM denial_verdicts v JOIN documents d"
                " ON d.url = v.denial_url WHERE d.id = denials.document_id AND v.quote IS denials.quote"
                f" AND v.verdict = 'not-a-denial') WHERE document_id IN ({marks})", chunk)
            self.db.execute(
                "DELETE FROM matches WHERE denial_id IN"
                f" (SELECT id FROM denials WHERE rejected = 1 AND document_id IN ({marks}))", chunk)

    def rejected_pairs(self, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
        """Those (denial_id, report_id) pairs a standing verdict forbids: the match is
        ``wrong``, or the denial is not a denial."""
        return self._pairs_where(pairs, "x.rejected = 1 OR EXISTS (SELECT 1 FROM match_verdicts v"
                                 " WHERE v.denial_url = d.url AND v.report_url = r.url AND v.verdict = 'wrong')")

    def confirmed_pairs(self, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
        """Those (denial_id, report_id) pairs whose standing verdict is ``right``."""
        return self._pairs_where(pairs, "EXISTS (SELECT 1 FROM match_verdicts v"
                                 " WHERE v.denial_url = d.url AND v.report_url = r.url AND v.verdict = 'right')")

    def _pairs_where(self, pairs: Iterable[tuple[int, int]], condition: str) -> set[tuple[int, int]]:
        """Those of ``pairs`` whose denial ``x``, its document ``d`` and report ``r`` meet
        ``condition`` (verdicts name documents by URL, so the ids are joined to them)."""
        todo = sorted(set(pairs))
        if not todo or not self.has_feedback():
            return set()
        out: set[tuple[int, int]] = set()
        for start in range(0, len(todo), 400):
            chunk = todo[start : start + 400]
            values = ",".join("(?, ?)" for _ in chunk)
            rows = self.db.execute(
                f"WITH q(did, rid) AS (VALUES {values}) SELECT q.did, q.rid FROM q"
                " JOIN denials x ON x.id = q.did JOIN documents d ON d.id = x.document_id"
                f" JOIN documents r ON r.id = q.rid WHERE {condition}",
                [x for pair in chunk for x in pair]).fetchall()
            out |= {(int(a), int(b)) for a, b in rows}
        return out

    def sync_outlets(self, names: dict[str, str]) -> None:
        """Make the ``outlets`` table the given slug -> display name map (the lexicon file)."""
        self.db.execute("DELETE FROM outlets")
        self.db.conn.executemany("INSERT INTO outlets (slug, display_name) VALUES (?, ?)", sorted(names.items()))

    # -- reading ---------------------------------------------------------------------

    def review_event_ids(self, limit: int = 20, offset: int = 0, *, awaiting: bool = False) -> list[int]:
        """Denial events newest first (by their latest denial); ``awaiting``: only those
        with a match no analyst has judged (view ``events_awaiting_review``)."""
        if awaiting:
            sql = "SELECT event_id FROM events_awaiting_review ORDER BY last_published DESC, event_id DESC"
        else:
            sql = "SELECT id FROM denial_events ORDER BY last_published DESC, id DESC"
        return [int(r[0]) for r in self.db.execute(sql + " LIMIT ? OFFSET ?", [limit, offset])]

    def review_event(self, event_id: int) -> dict[str, Any] | None:
        """An event for the review page: its denials (rejected ones too, flagged) and every
        match of them with both texts and the standing verdict on the pair."""
        events = _rows(self.db.execute("SELECT * FROM denial_events WHERE id = ?", [event_id]))
        if not events:
            return None
        denials = _rows(self.db.execute(
            "SELECT x.id, x.speaker, x.cue, x.quote, x.claim, x.rejected, x.position, d.id AS document_id, d.url,"
            " d.title, d.source, d.role, d.published, substr(d.text, 1, 1500) AS text,"
            " (SELECT v.verdict FROM denial_verdicts v WHERE v.denial_url = d.url AND v.quote IS x.quote) AS verdict"
            " FROM denials x JOIN documents d ON d.id = x.document_id WHERE x.event_id = ?"
            " ORDER BY d.published, x.id", [event_id]))
        matches = _rows(self.db.execute(
            "SELECT m.id, m.denial_id, m.score, m.explanation, r.id AS report_id, r.url, r.title, r.source,"
            " r.published, substr(r.text, 1, 1500) AS text, d.url AS denial_url,"
            " (SELECT v.verdict FROM match_verdicts v WHERE v.denial_url = d.url AND v.report_url = r.url) AS verdict"
            " FROM matches m JOIN denials x ON x.id = m.denial_id JOIN documents d ON d.id = x.document_id"
            " JOIN documents r ON r.id = m.report_id WHERE x.event_id = ? ORDER BY m.score DESC, r.published, m.id",
            [event_id]))
        urls = sorted({d["url"] for d in denials})
        marks = ",".join("?" for _ in urls)
        missed = _rows(self.db.execute(
            f"SELECT * FROM feedback WHERE verdict = 'missed' AND denial_url IN ({marks}) ORDER BY id", urls)) \
            if urls else []
        return {"event": events[0], "denials": denials, "matches": matches, "missed": missed}


    def feedback_rows(self, *, since: str | None = None) -> list[dict[str, Any]]:
        """Every verdict, oldest first (``since``: created at or after)."""
        sql = "SELECT * FROM feedback"
        params: list[Any] = []
        if since:
            sql += " WHERE created_at >= ?"
            params.append(since)
        return _rows(self.db.execute(sql + " ORDER BY id", params))

    def event_keys_of(self, denial_urls: Iterable[str]) -> dict[str, str]:
        """Denial document URL -> the key of the event its (first) denial belongs to now."""
        todo = sorted(set(denial_urls))
        out: dict[str, str] = {}
        for start in range(0, len(todo), 500):
            chunk = todo[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            for url, key in self.db.execute(
                    "SELECT d.url, e.key FROM documents d JOIN denials x ON x.document_id = d.id"
                    f" JOIN denial_events e ON e.id = x.event_id WHERE d.url IN ({marks}) ORDER BY x.id", chunk):
                out.setdefault(str(url), str(key))
        return out

    def feedback_for_denial_urls(self, urls: Iterable[str]) -> list[dict[str, Any]]:
        todo = sorted(set(urls))
        out: list[dict[str, Any]] = []
        for start in range(0, len(todo), 500):
            chunk = todo[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            out += _rows(self.db.execute(f"SELECT * FROM feedback WHERE denial_url IN ({marks}) ORDER BY id", chunk))
        return out


def explanation_of(row: dict[str, Any]) -> dict[str, Any]:
    """A feedback or match row's explanation as a dict (empty when absent or not JSON)."""
    try:
        data = json.loads(row.get("explanation") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
