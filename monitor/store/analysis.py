"""Denials, denial events, matches and the concept index. Part of ``Store``.

Writes here are idempotent per document: re-processing a document replaces its
denials (and their matches) rather than adding copies, so ``monitor match`` can be
re-run at will.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from monitor.models import Denial
from monitor import jsontext
from monitor.store.feedback import FeedbackMixin
from monitor.timeutil import now_iso

#: Why ``linking.rivalled_matches`` takes a match back (``match_withdrawals.reason``).
RIVAL_WITHDRAWAL = "a later denial's claim fits the report better"

if TYPE_CHECKING:
    from sqlite_utils import Database


class EncodedJSON(str):
    """JSON text already serialised exactly as the store would serialise it (``encode_features``,
    ``encode_explanation``): the backlog's workers encode what they hand the single writer,
    which then stores the text as is (issue 16: the writer is the bottleneck)."""

    __slots__ = ()


#: A match row's values from (denial_id, report_id, score, explanation, created_at): its
#: ``rivals`` column is the explanation's, read in SQL as the row is written (migration 0021)
_MATCH_VALUES = "(?1, ?2, ?3, ?4, ?5, CASE WHEN json_valid(?4) THEN json_extract(?4, '$.rivals') END)"


def encode_features(features: dict[str, Any] | EncodedJSON) -> EncodedJSON:
    """A document's matching features as ``document_features.features`` stores them."""
    if isinstance(features, EncodedJSON):
        return features
    return EncodedJSON(jsontext.dumps(features))


def encode_explanation(explanation: dict[str, Any] | EncodedJSON) -> EncodedJSON:
    """A match's explanation as ``matches.explanation`` stores it."""
    if isinstance(explanation, EncodedJSON):
        return explanation
    return EncodedJSON(jsontext.dumps(explanation, sort_keys=True))


def denial_row(document_id: int, published: str, denial: Denial) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "speaker": denial.speaker,
        "cue": denial.cue,
        "quote": denial.quote,
        "claim": denial.claim,
        "lang": denial.lang,
        "cue_class": denial.cue_class,
        "entities": jsontext.dumps(list(denial.entities)),
        "event_type": denial.event_type,
        "event_date": denial.event_date.isoformat() if denial.event_date else None,
        "outlets": jsontext.dumps(list(denial.outlets)),
        "confidence": denial.confidence,
        "position": denial.position,
        "published": published,
        "detected_at": now_iso(),
    }


class AnalysisMixin(FeedbackMixin):
    db: "Database"
    #: matches ``withdraw_matches`` took back since ``take_withdrawn_matches`` last asked
    _withdrawn_matches: int = 0
    #: the index writes an ``index_batch`` holds, by document id (None: no batch open)
    _index_batch: dict[int, tuple[str, list[str], "EncodedJSON", bool]] | None = None

    def replace_denials(self, document_id: int, published: str, denials: Iterable[Denial]) -> list[int]:
        """Make ``denials`` the document's denials (dropping earlier ones and their matches, but
        those an analyst confirmed, which move to the new denials)."""
        denials = list(denials)
        rows = self.db.execute(
            "SELECT id, speaker, cue, quote, claim, position, entities, event_type, outlets FROM denials"
            " WHERE document_id = ? ORDER BY id", [document_id]).fetchall()
        old = [r[0] for r in rows]
        fresh = [denial_row(document_id, published, d) for d in denials]
        same = [tuple(r[1:]) for r in rows] == [
            (f["speaker"], f["cue"], f["quote"], f["claim"], f["position"], f["entities"], f["event_type"],
             f["outlets"]) for f in fresh]
        if old and same:
            # Unchanged detection keeps its ids, so matches and events stay put on re-runs.
            self.db.execute("UPDATE denials SET published = ? WHERE document_id = ?", [published, document_id])
            return [int(i) for i in old]
        confirmed: list[tuple[Any, ...]] = []  # rows of the confirmed matches of the old denials
        if old:
            marks = ",".join("?" for _ in old)
            confirmed = self._confirmed_rows((int(a), int(b)) for a, b in self.db.execute(
                f"SELECT denial_id, report_id FROM matches WHERE denial_id IN ({marks})", old))
            self.db.execute(f"DELETE FROM matches WHERE denial_id IN ({marks})", old)
            self.db.execute(f"DELETE FROM denials WHERE id IN ({marks})", old)
        ids = []
        for denial in denials:
            ids.append(int(self.db.table("denials").insert(denial_row(document_id, published, denial)).last_pk or 0))
        if confirmed and ids:
            # A match an analyst confirmed outlives the re-detection of its denial (a new
            # pipeline version reads the claim differently): it moves to the new denial with
            # the same quote, else to the document's first. Its verdict names the documents
            # by URL, so ``replace_matches`` keeps it from then on.
            quote_of = {r[0]: r[3] for r in rows}
            by_quote = {d.quote: i for d, i in zip(denials, ids)}
            self._put_back([(by_quote.get(quote_of[row[0]], ids[0]), *row[1:]) for row in confirmed])
        # An analyst's "not a denial" outlives re-detection (issue 19).
        self.apply_denial_verdicts([document_id])
        return ids

    # --- matching: document features and the concept index -------------------------

    def replace_document_index(self, document_id: int, published: str, terms: Iterable[str],
                               features: dict[str, Any] | EncodedJSON, lead_denial: bool) -> None:
        """Make ``terms`` the document's index terms and store its matching features (a dict,
        or its ``encode_features`` text). Inside ``index_batch`` the write waits for the
        batch's end; else it is made now, in a transaction of its own unless in the caller's."""
        row = (published, sorted(set(terms)), encode_features(features), lead_denial)
        if self._index_batch is not None:
            self._index_batch[document_id] = row
        elif self.db.conn.in_transaction:
            self._write_indexes({document_id: row})
        else:
            with self.db.atomic():
                self._write_indexes({document_id: row})

    @contextlib.contextmanager
    def index_batch(self) -> Iterator[None]:
        """Hold ``replace_document_index``'s writes and make them together when the block
        ends without an exception (an exception drops them): a wave's index in four statements
        instead of three a document, and each term's count (``term_counts``) changed once
        however many of the wave's documents carry it. Nothing inside the block reads them
        back; a nested block is part of the outer one."""
        if self._index_batch is not None:
            yield
            return
        self._index_batch = {}
        try:
            yield
            batch = self._index_batch
        finally:
            self._index_batch = None
        if batch:
            self._write_indexes(batch)

    def _write_indexes(self, rows: dict[int, tuple[str, list[str], EncodedJSON, bool]]) -> None:
        """Replace the index rows and features of ``rows``' documents ((published, sorted
        terms, features text, lead-denial flag) by id), and keep ``term_counts`` equal to
        counting ``document_terms``: -1 for each term a document had, +1 for each it now has
        (the one writer of both; a document indexed again mostly cancels out)."""
        conn = self.db.conn
        change: dict[str, int] = {}
        ids = list(rows)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for (term,) in conn.execute(f"DELETE FROM document_terms WHERE document_id IN ({','.join('?' * len(chunk))})"
                                        " RETURNING term", chunk):
                change[term] = change.get(term, 0) - 1
        for _, terms, _, _ in rows.values():
            for term in terms:
                change[term] = change.get(term, 0) + 1
        conn.executemany("INSERT INTO document_terms (term, published, document_id) VALUES (?, ?, ?)",
                         [(t, published, i) for i, (published, terms, _, _) in rows.items() for t in terms])
        conn.executemany("INSERT INTO term_counts (term, documents) VALUES (?, ?)"
                         " ON CONFLICT (term) DO UPDATE SET documents = documents + excluded.documents",
                         [(t, n) for t, n in change.items() if n])
        conn.executemany(
            # an upsert, not a REPLACE: the count of indexed documents (``archive_counts``) is
            # kept by triggers, and a REPLACE deletes without firing the delete trigger
            "INSERT INTO document_features (document_id, features, lead_denial) VALUES (?, ?, ?)"
            " ON CONFLICT (document_id) DO UPDATE SET features = excluded.features, lead_denial = excluded.lead_denial",
            [(i, features, int(lead)) for i, (_, _, features, lead) in rows.items()],
        )

    def document_features(self, ids: Iterable[int]) -> dict[int, tuple[dict[str, Any], bool]]:
        """Stored features (and lead-denial flag) of the given documents."""
        return {i: (jsontext.loads(text), lead) for i, (text, lead) in self.document_features_text(ids).items()}

    def document_features_text(self, ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
        """``document_features`` with the features as their stored JSON text (a caller that
        has parsed the same text before need not parse it again)."""
        id_list = list(ids)
        out: dict[int, tuple[str, bool]] = {}
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            for doc_id, features, lead in self.db.execute(
                f"SELECT document_id, features, lead_denial FROM document_features WHERE document_id IN ({marks})",
                chunk,
            ):
                out[int(doc_id)] = (features, bool(lead))
        return out

    def candidate_reports(self, weighted_terms: dict[str, float], start: str, end: str, *,
                          exclude_document: int, limit: int) -> list[int]:
        """Documents sharing the most (weighted) terms, published in [start, end].

        Each term is a range scan of the (term, published) primary key, so the cost is
        what the window holds for those terms, never the archive.
        """
        if not weighted_terms:
            return []
        items = sorted(weighted_terms.items())
        values = ",".join("(?, ?)" for _ in items)
        params: list[Any] = [x for item in items for x in item]
        sql = (
            f"WITH q(term, w) AS (VALUES {values}) "
            "SELECT t.document_id, SUM(q.w) AS s FROM q JOIN document_terms t "
            "ON t.term = q.term AND t.published >= ? AND t.published <= ? "
            "WHERE t.document_id != ? GROUP BY t.document_id ORDER BY s DESC, t.document_id LIMIT ?"
        )
        rows = self.db.execute(sql, [*params, start, end, exclude_document, limit]).fetchall()
        return [int(r[0]) for r in rows]

    # --- matching: embeddings and term rarity (issue 15) ------------------------------

    def set_document_embeddings(self, model: str, rows: Iterable[tuple[int, str, bytes]]) -> None:
        """Store (document_id, published, vector bytes) rows of ``model``, replacing earlier ones."""
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO document_embeddings (document_id, model, published, vector) VALUES (?, ?, ?, ?)",
            [(doc_id, model, published, blob) for doc_id, published, blob in rows])

    def document_embeddings(self, model: str, ids: Iterable[int]) -> dict[int, bytes]:
        """Stored vectors of ``model`` for the given documents (missing ones left out)."""
        id_list = sorted(set(ids))
        out: dict[int, bytes] = {}
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            # ``+model``: by id, never by the (model, published) index: every row has the same
            # model, so with a long id list SQLite chose to read that whole index per call
            # (20 ms per new document at 100k documents, 1 ms at 10k; bench/bench_scale.py)
            for doc_id, blob in self.db.execute(
                    f"SELECT document_id, vector FROM document_embeddings WHERE +model = ? AND document_id IN ({marks})",
                    [model, *chunk]):
                out[int(doc_id)] = bytes(blob)
        return out

    def embeddings_between(self, model: str, start: str, end: str) -> list[tuple[int, bytes]]:
        """(document_id, vector) of ``model`` for documents published in [start, end], by id."""
        return [(int(i), bytes(b)) for i, b in self.db.execute(
            "SELECT document_id, vector FROM document_embeddings WHERE model = ? AND published >= ? AND published <= ?"
            " ORDER BY document_id", [model, start, end])]

    def embedding_rows_between(self, model: str, start: str, end: str) -> list[tuple[int, str, bytes]]:
        """``embeddings_between`` with each vector's published time: (document_id, published,
        vector), by id, so that one read serves several windows inside [start, end]."""
        return [(int(i), str(p), bytes(b)) for i, p, b in self.db.execute(
            "SELECT document_id, published, vector FROM document_embeddings WHERE model = ? AND published >= ?"
            " AND published <= ? ORDER BY document_id", [model, start, end])]

    def term_document_frequency(self, terms: Iterable[str]) -> dict[str, int]:
        """How many indexed documents carry each term (for rarity weights): one row each of
        ``term_counts``, which ``_write_indexes`` keeps (counting ``document_terms`` grew with
        the archive)."""
        items = sorted(set(terms))
        out: dict[str, int] = {}
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            for term, n in self.db.execute(
                    f"SELECT term, documents FROM term_counts WHERE term IN ({marks}) AND documents > 0", chunk):
                out[str(term)] = int(n)
        return out

    def indexed_between(self, start: str, end: str) -> list[int]:
        """Ids of indexed documents published in [start, end]."""
        return [int(r[0]) for r in self.db.execute(
            "SELECT f.document_id FROM document_features f JOIN documents d ON d.id = f.document_id"
            " WHERE d.published >= ? AND d.published <= ? ORDER BY f.document_id", [start, end])]

    def document_urls(self) -> dict[int, str]:
        return {int(i): str(u) for i, u in self.db.execute("SELECT id, url FROM documents")}

    def denial_stats(self, ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
        """Documents among ``ids`` with detected denials: (count, first position, text length)."""
        id_list = sorted(set(ids))
        out: dict[int, tuple[int, int, int]] = {}
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            for doc_id, n, pos, length in self.db.execute(
                    "SELECT x.document_id, count(*), min(coalesce(x.position, 0)), length(d.text) FROM denials x"
                    f" JOIN documents d ON d.id = x.document_id WHERE x.document_id IN ({marks})"
                    " GROUP BY x.document_id", chunk):
                out[int(doc_id)] = (int(n), int(pos), int(length or 0))
        return out

    def count_indexed_documents(self) -> int:
        """Documents with matching features: one row kept by triggers (migration 0019), not a count."""
        row = self.db.execute("SELECT value FROM archive_counts WHERE name = 'indexed_documents'").fetchone()
        return int(row[0]) if row else int(self.db.execute("SELECT count(*) FROM document_features").fetchone()[0])

    def set_denial_profile(self, denial_id: int, profile: dict[str, Any]) -> None:
        self.db.execute("UPDATE denials SET profile = ? WHERE id = ?",
                        [jsontext.dumps(profile), denial_id])

    def set_denial_unmatched(self, denial_id: int, reason: str | None) -> None:
        """Record why a denial had no candidate report at its last matching (None: it had some)."""
        self.db.execute("UPDATE denials SET unmatched = ? WHERE id = ?", [reason, denial_id])

    def count_unmatched_denials(self) -> int:
        """Denials (not rejected by an analyst) that had no candidate report at their last matching."""
        return int(self.db.execute(
            "SELECT count(*) FROM denials WHERE unmatched IS NOT NULL AND rejected = 0").fetchone()[0])

    def _denial_rows(self, where: str, args: list[Any], order: str = "published, id") -> list[dict[str, Any]]:
        """Denial rows as matching reads them (id, document, speaker, published, profile,
        event, claim, event type, entities) for one condition."""
        cur = self.db.execute(
            "SELECT id, document_id, speaker, published, profile, event_id, claim, event_type, entities"
            f" FROM denials WHERE {where} ORDER BY {order}", args)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def _denial_rows_in(self, column: str, ids: list[int], order: str) -> list[dict[str, Any]]:
        """``_denial_rows`` of ``column IN ids``, 500 ids a query (SQLite's variable limit)."""
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            out.extend(self._denial_rows(f"{column} IN ({','.join('?' for _ in chunk)})", chunk, order))
        return out

    def denials_between(self, start: str, end: str) -> list[dict[str, Any]]:
        """Denials (with document id, profile and event) published in [start, end]."""
        return self._denial_rows("published >= ? AND published <= ?", [start, end])

    def denials_of(self, document_ids: Iterable[int]) -> list[dict[str, Any]]:
        return self._denial_rows_in("document_id", list(document_ids), "published, id")

    def denials_of_ids(self, denial_ids: Iterable[int]) -> list[dict[str, Any]]:
        ids = sorted(set(denial_ids))
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            cur = self.db.execute(f"SELECT id, document_id, event_id FROM denials WHERE id IN ({marks})", chunk)
            out.extend({"id": r[0], "document_id": r[1], "event_id": r[2]} for r in cur.fetchall())
        return out

    def denials_of_event(self, event_id: int) -> list[dict[str, Any]]:
        return self._denial_rows("event_id = ?", [event_id])

    def replace_matches(self, *, denial_ids: Iterable[int] = (), report_ids: Iterable[int] = (),
                        matches: Iterable[tuple[int, int, float, dict[str, Any]]] = (),
                        withdraw: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
        """Drop the matches of ``denial_ids`` and of ``report_ids``, then store ``matches``.

        ``matches`` are (denial_id, report_id, score, explanation); an explanation is a dict or
        its ``encode_explanation`` text. ``withdraw``: single (denial_id, report_id) pairs to
        drop, matches taken back (a later denial's claim fits the report better); see
        ``withdraw_matches``. Returns the pairs that did not exist before (for
        alerting). Idempotent: the same input leaves the same rows.

        A stored match an analyst confirmed (a standing ``right`` verdict) that ``matches`` no
        longer holds stays as it was: a person who read both texts outweighs a re-run of
        matching with other weights or in another archive.
        """
        self.withdraw_matches(withdraw)
        dids, rids = set(denial_ids), set(report_ids)
        matches = list(matches)
        # Pairs an analyst rejected are never asserted again (issue 19).
        blocked = self.rejected_pairs((m[0], m[1]) for m in matches)
        if blocked:
            matches = [m for m in matches if (m[0], m[1]) not in blocked]
        before: set[tuple[int, int]] = set()
        confirmed: list[tuple[Any, ...]] = []  # rows of confirmed matches: put back unless re-asserted
        for column, ids in (("denial_id", sorted(dids)), ("report_id", sorted(rids))):
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" for _ in chunk)
                found = {(int(a), int(b)) for a, b in self.db.execute(
                    f"SELECT denial_id, report_id FROM matches WHERE {column} IN ({marks})", chunk)}
                before |= found
                confirmed += self._confirmed_rows(found)
                self.db.execute(f"DELETE FROM matches WHERE {column} IN ({marks})", chunk)
        new: list[tuple[int, int]] = []
        seen: set[tuple[int, int]] = set()
        rows = []
        now = now_iso()
        for denial_id, report_id, score, explanation in matches:
            pair = (denial_id, report_id)
            if pair in seen or denial_id in dids or report_id in rids:
                # Rows of the replaced ids were deleted above: only this call can have added it.
                exists = pair in seen
            else:
                exists = self.db.execute(
                    "SELECT 1 FROM matches WHERE denial_id = ? AND report_id = ?", list(pair)).fetchone() is not None
            seen.add(pair)
            rows.append((denial_id, report_id, score, encode_explanation(explanation), now))
            if not exists and pair not in before:
                new.append(pair)
        self.db.conn.executemany(
            f"INSERT INTO matches (denial_id, report_id, score, explanation, created_at, rivals) VALUES {_MATCH_VALUES}"
            " ON CONFLICT (denial_id, report_id) DO UPDATE SET score = excluded.score,"
            " explanation = excluded.explanation, rivals = excluded.rivals",
            rows,
        )
        self._put_back([row for row in confirmed if (row[0], row[1]) not in seen])
        return new

    def _confirmed_rows(self, pairs: Iterable[tuple[int, int]]) -> list[tuple[Any, ...]]:
        """The stored rows (denial_id, report_id, score, explanation, created_at) of those of
        ``pairs`` an analyst confirmed (none without feedback: one cheap query), read before
        a replacement deletes them so that ``_put_back`` can restore them as they were."""
        return [tuple(self.db.execute(
            "SELECT denial_id, report_id, score, explanation, created_at FROM matches"
            " WHERE denial_id = ? AND report_id = ?", list(pair)).fetchone())
            for pair in sorted(self.confirmed_pairs(pairs))]

    def _put_back(self, rows: list[tuple[Any, ...]]) -> None:
        """Store ``_confirmed_rows``' rows again (a pair already stored stays as it is)."""
        if rows:
            self.db.conn.executemany(
                f"INSERT OR IGNORE INTO matches (denial_id, report_id, score, explanation, created_at, rivals)"
                f" VALUES {_MATCH_VALUES}", rows)

    def withdraw_matches(self, pairs: Iterable[tuple[int, int]], reason: str = RIVAL_WITHDRAWAL) -> int:
        """Take matches back: delete them, each leaving a ``match_withdrawals`` row (what it
        was, why, when), counted for ``take_withdrawn_matches``. A pair an analyst confirmed
        (a standing ``right`` verdict) stays: a guess from the archive's other denials does
        not overrule a person who read both texts. Pairs no longer stored are skipped, so a
        replayed withdrawal is harmless. Returns how many went."""
        todo = sorted(set(pairs))
        if not todo:
            return 0
        keep = self.confirmed_pairs(todo)
        now = now_iso()
        gone = 0
        for start in range(0, len(todo), 400):
            chunk = [p for p in todo[start : start + 400] if p not in keep]
            if not chunk:
                continue
            values = ",".join("(?, ?)" for _ in chunk)
            args = [x for pair in chunk for x in pair]
            self.db.execute(
                f"WITH q(did, rid) AS (VALUES {values})"
                " INSERT INTO match_withdrawals (denial_url, quote, report_url, denial_id, report_id, score,"
                " explanation, reason, withdrawn_at)"
                " SELECT d.url, x.quote, r.url, m.denial_id, m.report_id, m.score, m.explanation, ?, ?"
                " FROM q JOIN matches m ON m.denial_id = q.did AND m.report_id = q.rid"
                " JOIN denials x ON x.id = m.denial_id JOIN documents d ON d.id = x.document_id"
                " JOIN documents r ON r.id = m.report_id", [*args, reason, now])
            gone += self.db.conn.executemany(
                "DELETE FROM matches WHERE denial_id = ? AND report_id = ?", chunk).rowcount
        self._withdrawn_matches += gone
        return gone

    def take_withdrawn_matches(self) -> int:
        """How many matches ``withdraw_matches`` took back since the last call (the writer then
        re-renders the alerts not yet sent, which may list them)."""
        n, self._withdrawn_matches = self._withdrawn_matches, 0
        return n

    def reports_naming(self, start: str, end: str, terms: Iterable[str]) -> list[int]:
        """The documents published in [start, end] whose index (``document_terms``) names one
        of ``terms``, by id (the index's range scans only)."""
        terms = sorted(set(terms))
        if not terms:
            return []
        cur = self.db.execute(
            f"SELECT DISTINCT document_id FROM document_terms WHERE term IN ({','.join('?' for _ in terms)})"
            " AND published >= ? AND published <= ?", [*terms, start, end])
        return [int(r[0]) for r in cur.fetchall()]

    def matches_of_reports(self, report_ids: Iterable[int]) -> list[tuple[int, int, str, int | None]]:
        """The stored matches of these reports as (denial id, report id, report's published,
        its ``rivals`` count, as its explanation keeps it: None for a match stored without one),
        ordered by denial and report. Rivalled matches (``linking.rivalled_matches``) read
        them; the denials' rows, one a denial, come from ``denials_by_id``."""
        ids = sorted(set(report_ids))
        out: list[tuple[int, int, str, int | None]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cur = self.db.execute(
                "SELECT m.denial_id, m.report_id, d.published, m.rivals"
                f" FROM matches m JOIN documents d ON d.id = m.report_id WHERE m.report_id IN ({','.join('?' for _ in chunk)})",
                chunk)
            out.extend((int(r[0]), int(r[1]), r[2], None if r[3] is None else int(r[3])) for r in cur.fetchall())
        out.sort(key=lambda m: (m[0], m[1]))
        return out

    def denials_by_id(self, denial_ids: Iterable[int]) -> list[dict[str, Any]]:
        """The rows of these denials, as ``denials_between`` gives them, ordered by id."""
        return self._denial_rows_in("id", sorted(set(denial_ids)), "id")

    # --- denial events ---------------------------------------------------------------

    def upsert_event(self, key: str, row: dict[str, Any]) -> int:
        """Create or update the event with ``key``; return its id (stable per key)."""
        found = self.db.execute("SELECT id FROM denial_events WHERE key = ?", [key]).fetchone()
        if found:
            sets = ", ".join(f"{k} = ?" for k in row)
            self.db.execute(f"UPDATE denial_events SET {sets} WHERE id = ?", [*row.values(), found[0]])
            return int(found[0])
        cur = self.db.execute(
            f"INSERT INTO denial_events (key, {', '.join(row)}, created_at) VALUES (?, {', '.join('?' for _ in row)}, ?)",
            [key, *row.values(), now_iso()],
        )
        return int(cur.lastrowid or 0)

    def set_denial_events(self, assignments: dict[int, int]) -> None:
        self.db.conn.executemany("UPDATE denials SET event_id = ? WHERE id = ?",
                                 [(ev, did) for did, ev in assignments.items()])

    def drop_empty_events(self, event_ids: Iterable[int]) -> int:
        """Delete those of ``event_ids`` that no denial belongs to any more."""
        dropped = 0
        for ev in set(event_ids):
            if self.db.execute("SELECT 1 FROM denials WHERE event_id = ? LIMIT 1", [ev]).fetchone() is None:
                self.db.execute("DELETE FROM denial_events WHERE id = ?", [ev])
                dropped += 1
        return dropped

    def event_summaries(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT * FROM denial_event_summary ORDER BY first_published, event_id")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def count_denials(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM denials").fetchone()[0])

    def count_matches(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM matches").fetchone()[0])

    def count_contradicted_reports(self) -> int:
        """Distinct reports with at least one match (a report two denials contradict counts once)."""
        return int(self.db.execute("SELECT count(DISTINCT report_id) FROM matches").fetchone()[0])

    def count_denial_documents(self) -> int:
        return int(self.db.execute("SELECT count(DISTINCT document_id) FROM denials WHERE rejected = 0").fetchone()[0])
