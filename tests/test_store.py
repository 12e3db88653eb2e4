"""The archive: schema, migrations, upsert with revisions, FTS sync, concurrency."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from monitor.errors import ArchiveError
from monitor.models import Document
from monitor.store import Store
from monitor.store.schema import migrations

UTC = dt.timezone.utc


def make_doc(url: str = "https://example.org/a", title: str = "Kremlin says", text: str = "Original text",
             **kw) -> Document:
    return Document(url=url, title=title, text=text, published=dt.datetime(2024, 11, 11, 9, 0, tzinfo=UTC),
                    source=kw.pop("source", "example"), **kw)


def test_new_archive_has_contract_tables_and_wal(store: Store) -> None:
    names = set(store.db.table_names())
    assert {"documents", "documents_fts", "sources", "crawl_runs", "denials", "matches", "alerts",
            "revisions", "denial_events"} <= names
    cols = {c.name for c in store.db["documents"].columns}
    assert {"id", "url", "source", "role", "title", "text", "published", "lang", "fetched_at",
            "content_hash"} <= cols
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_contract_query_runs_on_empty_archive(store: Store) -> None:
    rows = store.db.execute(
        "SELECT d.url AS denial, x.speaker, r.url AS report, m.score FROM matches m"
        " JOIN denials x ON x.id = m.denial_id JOIN documents d ON d.id = x.document_id"
        " JOIN documents r ON r.id = m.report_id"
    ).fetchall()
    assert rows == []


def test_upsert_same_content_is_not_rewritten(store: Store) -> None:
    first = store.upsert_document(make_doc())
    store.db.conn.commit()
    changes_before = store.db.conn.total_changes
    again = store.upsert_document(make_doc())
    assert (first.status, again.status) == ("new", "unchanged")
    assert again.id == first.id
    assert store.db.conn.total_changes == changes_before
    assert store.count_documents() == 1


def test_changed_document_keeps_earlier_version_in_revisions(store: Store) -> None:
    first = store.upsert_document(make_doc(text="Original text"))
    second = store.upsert_document(make_doc(text="Edited transcript text"))
    assert second.status == "updated" and second.id == first.id
    revisions = store.revisions_of(first.id)
    assert [r["text"] for r in revisions] == ["Original text"]
    assert store.get_document(first.id).text == "Edited transcript text"


def test_fts_follows_inserts_and_updates(store: Store) -> None:
    doc = store.upsert_document(make_doc(text="the word alpha appears"))
    assert [r["id"] for r in store.search("alpha")] == [doc.id]
    store.upsert_document(make_doc(text="now it says omega instead"))
    assert store.search("alpha") == []
    assert [r["id"] for r in store.search("omega")] == [doc.id]
    store.db.execute("INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')")


def test_unwritable_location_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ArchiveError, match="cannot open archive"):
        Store.open(blocker / "sub" / "monitor.db")


def test_not_a_database_is_a_clean_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ArchiveError, match="bogus.db"):
        Store.open(bogus)


def test_archive_from_earlier_schema_upgrades_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(path)
    # An archive as the first release wrote it: only the documents migration.
    migrations.apply(db, stop_before="0002_sources_and_crawls")
    db["documents"].insert({"url": "https://example.org/old", "source": "old", "title": "Old",
                            "text": "kept across the upgrade", "published": "2023-01-01T00:00:00+00:00"})
    db.close()

    with Store.open(path) as store:
        assert store.schema_version()[-1] == migrations._migrations[-1].name
        assert store.count_documents() == 1
        assert [r["url"] for r in store.search("upgrade")] == ["https://example.org/old"]
        assert "alerts" in store.db.table_names()
    with Store.open(path) as store:  # opening again applies nothing twice
        assert len(store.schema_version()) == len(migrations._migrations)


def _reader(path: str, stop_at: float, out: "multiprocessing.Queue[tuple[int, int]]") -> None:
    conn = sqlite3.connect(path, timeout=30)
    errors = reads = 0
    while time.time() < stop_at:
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM documents").fetchone()
            conn.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'shipping'").fetchone()
            conn.execute("COMMIT")
            reads += 1
        except sqlite3.Error:
            errors += 1
    out.put((reads, errors))


def test_reader_in_another_process_never_fails_during_writes(db_path: Path) -> None:
    store = Store.open(db_path)
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_reader, args=(str(db_path), time.time() + 3.0, queue))
    proc.start()
    written = 0
    deadline = time.time() + 2.5
    while time.time() < deadline:
        with store.atomic():
            for _ in range(50):
                written += 1
                store.upsert_document(make_doc(url=f"https://example.org/{written}",
                                               text=f"shipping note number {written}"))
    proc.join(20)
    reads, errors = queue.get(timeout=5)
    store.close()
    assert errors == 0
    assert reads > 10
    assert written > 100


def test_batch_upsert_gives_what_one_by_one_upserts_give_and_queues_what_is_new_or_changed(tmp_path: Path) -> None:
    """``upsert_documents`` (the store path of crawls and imports, issue 16) against ``upsert_document``."""
    first = [make_doc(f"https://example.org/{k}", text=f"Text {k}") for k in range(5)]
    second = [make_doc("https://example.org/1", text="Text 1"),            # unchanged
              make_doc("https://example.org/2", text="Text 2, edited"),    # updated: a revision
              make_doc("https://example.org/9", text="Text 9"),            # new
              make_doc("https://example.org/3", text="Text 3", source="other")]  # metadata only
    seen = {}
    for name, batch in (("batch", True), ("single", False)):
        with Store.open(tmp_path / f"{name}.db") as store:
            results = []
            for docs in (first, second):
                with store.atomic():
                    results.append([(r.status) for r in (store.upsert_documents(docs, alerts=True) if batch else
                                                         [store.upsert_document(d, alerts=True) for d in docs])])
            rows = sorted(store.db.execute(
                "SELECT d.url, d.text, d.source, p.version IS NULL, p.alerts FROM documents d"
                " JOIN document_processing p ON p.document_id = d.id").fetchall())
            seen[name] = (results, rows, [r["text"] for r in store.revisions_of(3)])
    assert seen["batch"] == seen["single"]
    results, rows, revisions = seen["batch"]
    assert results == [["new"] * 5, ["unchanged", "updated", "new", "unchanged"]]
    assert revisions == ["Text 2"]
    assert len(rows) == 6 and all(r[3] == 1 and r[4] == 1 for r in rows)  # all waiting, all to alert


def test_a_batch_larger_than_one_insert_statement_stores_and_queues_every_document_once(store: Store) -> None:
    """The new documents go in as multi-row INSERT statements of 500 rows (issue 16):
    1,201 documents span three, interleaved with known ones; every id is the row's own."""
    with store.atomic():
        store.upsert_documents([make_doc(f"https://example.org/old/{k}", text=f"Old {k}") for k in range(3)])
    docs = [make_doc(f"https://example.org/{k}", text=f"Text {k}") for k in range(1201)]
    docs[600:600] = [make_doc("https://example.org/old/1", text="Old 1, edited")]
    with store.atomic():
        results = store.upsert_documents(docs)
    assert [r.status for r in results].count("new") == 1201 and results[600].status == "updated"
    for doc, result in zip(docs, results):
        assert store.get_document(result.id).url == doc.url
    waiting = store.db.execute("SELECT count(*), count(DISTINCT document_id) FROM document_processing"
                               " WHERE version IS NULL").fetchone()
    assert tuple(waiting) == (1204, 1204)
    assert store.search("Text")[0]["url"].startswith("https://example.org/")


def test_batch_upsert_finds_the_ids_when_sqlite_does_not_number_the_rows_max_plus_one(store: Store) -> None:
    """With the largest rowid taken SQLite numbers new rows at random, not max(id) + 1...: the
    batch insert's ids (its RETURNING rows) must still be each document's own."""
    with store.atomic():
        store.db.execute("INSERT INTO documents (id, url, source, title, text, published)"
                         " VALUES (9223372036854775807, 'https://example.org/top', 'example', 't', 'x', '2024')")
        docs = [make_doc(f"https://example.org/{k}", text=f"Text {k}") for k in range(5)]
        results = store.upsert_documents(docs)
    assert [r.status for r in results] == ["new"] * 5
    for doc, result in zip(docs, results):
        assert store.get_document(result.id).url == doc.url
    queued = {r[0] for r in store.db.execute("SELECT document_id FROM document_processing").fetchall()}
    assert queued == {r.id for r in results}


def test_batch_upsert_with_the_same_url_twice_keeps_the_later_one(store: Store) -> None:
    docs = [make_doc("https://example.org/x", text="first"), make_doc("https://example.org/x", text="second")]
    with store.atomic():
        statuses = [r.status for r in store.upsert_documents(docs)]
    assert statuses == ["new", "updated"]
    found = store.get_document_by_url("https://example.org/x")
    assert found is not None and found[1].text == "second"


# --- issue 17 item 9: no revision churn when two sources carry the same URL ---------------------


def shared(source: str, hour: int, published_from: str, text: str = "Peskov denied the report.") -> Document:
    return Document(url="http://kremlin.ru/events/president/news/70001", title="Statement", text=text,
                    published=dt.datetime(2024, 11, 11, hour, 0, tzinfo=UTC), source=source,
                    extra={"published_from": published_from})


def test_two_sources_disagreeing_on_the_time_make_no_revision_and_the_page_date_wins(store: Store) -> None:
    statuses = []
    for _ in range(3):  # the feed (an hour off) and the listing page, crawled alternately
        statuses.append(store.upsert_document(shared("kremlin-ru", 10, "feed")).status)
        statuses.append(store.upsert_document(shared("kremlin-news", 9, "page")).status)
    doc_id, doc = store.get_document_by_url("http://kremlin.ru/events/president/news/70001")
    assert statuses == ["new", "updated", "unchanged", "unchanged", "unchanged", "unchanged"]
    assert store.revisions_of(doc_id) == []
    assert doc.published.hour == 9 and doc.source == "kremlin-news"


def test_page_first_then_feed_keeps_the_page_date(store: Store) -> None:
    assert store.upsert_document(shared("kremlin-news", 9, "page")).status == "new"
    assert store.upsert_document(shared("kremlin-ru", 10, "feed")).status == "unchanged"
    doc_id, doc = store.get_document_by_url("http://kremlin.ru/events/president/news/70001")
    assert doc.published.hour == 9 and doc.source == "kremlin-news"


def test_a_real_edit_gives_exactly_one_revision_whichever_source_brings_it(store: Store) -> None:
    store.upsert_document(shared("kremlin-news", 9, "page"))
    edited = "Peskov denied the report, calling it false."
    assert store.upsert_document(shared("kremlin-ru", 10, "feed", text=edited)).status == "updated"
    assert store.upsert_document(shared("kremlin-news", 9, "page", text=edited)).status == "unchanged"
    assert store.upsert_document(shared("kremlin-ru", 10, "feed", text=edited)).status == "unchanged"
    doc_id, doc = store.get_document_by_url("http://kremlin.ru/events/president/news/70001")
    assert len(store.revisions_of(doc_id)) == 1
    assert doc.text == edited and doc.published.hour == 9


def test_whitespace_only_changes_are_not_revisions(store: Store) -> None:
    store.upsert_document(make_doc(text="One  line.\nTwo"))
    assert store.upsert_document(make_doc(text="One line.\n\nTwo ")).status == "unchanged"


def test_the_same_source_may_correct_its_own_date(store: Store) -> None:
    store.upsert_document(shared("kremlin-ru", 10, "feed"))
    assert store.upsert_document(shared("kremlin-ru", 11, "feed")).status == "updated"
    doc_id, doc = store.get_document_by_url("http://kremlin.ru/events/president/news/70001")
    assert doc.published.hour == 11 and store.revisions_of(doc_id) == []


def test_a_better_date_for_a_stored_document_puts_it_back_in_the_backlog(store: Store) -> None:
    """Issue 17's date fix is an update that processing must see again (issue 16)."""
    from monitor.pipeline import PIPELINE_VERSION

    with store.atomic():
        store.upsert_document(shared("kremlin-ru", 10, "feed"))
    doc_id = store.pending_documents(PIPELINE_VERSION, 1)[0].id
    with store.atomic():
        store.mark_processed([doc_id], PIPELINE_VERSION)
    assert store.backlog_status(PIPELINE_VERSION).total == 0
    with store.atomic():
        assert store.upsert_document(shared("kremlin-news", 9, "page")).status == "updated"
    assert [d.id for d in store.pending_documents(PIPELINE_VERSION, 5)] == [doc_id]


def test_vectors_of_given_documents_are_read_by_id_not_by_scanning_the_model_index(store: Store) -> None:
    """Every stored vector has the same model, so a lookup that let SQLite pick the
    (model, published) index read the whole index per call: 20 ms per new document at
    100k documents against 1 ms at 10k (bench/bench_scale.py). The lookup must go by id."""
    with store.atomic():
        for i in range(1, 41):
            doc = Document(url=f"https://example.org/{i}", title=f"t{i}", text="x",
                           published=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), source="s")
            store.upsert_document(doc)
        store.set_document_embeddings("m", [(i, "2024-01-01T00:00:00Z", bytes([i]) * 4) for i in range(1, 41)])
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        got = store.document_embeddings("m", [3, 7, *range(1000, 1400)])  # a window holds hundreds of denials
    finally:
        store.db.conn.set_trace_callback(None)
    assert got == {3: bytes([3]) * 4, 7: bytes([7]) * 4}
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert selects
    for sql in selects:
        plan = " ".join(str(r[-1]) for r in store.db.conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "PRIMARY KEY" in plan and "model_published" not in plan, plan


def test_rivalled_matches_reads_reports_by_term_and_window_then_their_matches_and_denials_once(store: Store) -> None:
    """``reports_naming``, ``matches_of_reports`` and ``denials_by_id``: what
    ``linking.rivalled_matches`` reads instead of one row per (claim, match) with the denial's
    profile text in each (issue 16)."""
    from monitor.models import Denial

    day = dt.datetime(2024, 1, 10, tzinfo=UTC)
    with store.atomic():
        ids = [store.upsert_document(Document(url=f"https://example.org/{i}", title=f"t{i}", text="x",
                                              published=day + dt.timedelta(days=i), source="s")).id
               for i in range(6)]
        stamp = {i: store.db.execute("SELECT published FROM documents WHERE id = ?", [i]).fetchone()[0] for i in ids}
        for i, terms in zip(ids, [["person:a"], ["person:a", "place:b"], ["place:b"], ["person:c"], [], ["person:a"]]):
            store.replace_document_index(i, stamp[i], terms, {}, False)
        denial = Denial(speaker="Peskov", cue="fiction", quote="q", claim="c")
        d1 = store.replace_denials(ids[0], stamp[ids[0]], [denial])[0]
        d2 = store.replace_denials(ids[3], stamp[ids[3]], [denial])[0]
        store.set_denial_profile(d1, {"terms": {"person:a": 1.0}})
        store.replace_matches(matches=[(d1, ids[1], 0.9, {"rivals": 2}), (d1, ids[2], 0.8, {}),
                                       (d2, ids[1], 0.7, {"rivals": 0}), (d2, ids[5], 0.6, {"rivals": 1})])
    # by term, within the window (inclusive), each document once however many terms it names
    assert sorted(store.reports_naming(stamp[ids[1]], stamp[ids[4]], ["person:a", "place:b", "place:b"])) == \
        [ids[1], ids[2]]
    assert store.reports_naming(stamp[ids[0]], stamp[ids[5]], []) == []
    # every match of the reports, ordered by denial then report, with the report's date and rival count
    assert store.matches_of_reports([ids[2], ids[1], ids[1]]) == [
        (d1, ids[1], stamp[ids[1]], 2), (d1, ids[2], stamp[ids[2]], None), (d2, ids[1], stamp[ids[1]], 0)]
    assert store.matches_of_reports([]) == []
    assert store.matches_of_reports(range(1, 1201)) == store.matches_of_reports(ids)  # read 500 ids at a time
    # the denials' rows as denials_between gives them
    rows = store.denials_by_id([d2, d1, d2])
    assert [r["id"] for r in rows] == [d1, d2]
    assert rows == [r for r in store.denials_between(stamp[ids[0]], stamp[ids[5]])]
    assert rows[1]["profile"] is None and "person:a" in rows[0]["profile"]
    assert store.denials_by_id(range(1, 1201)) == rows


def test_an_archive_matched_before_the_rivals_column_gets_each_count_from_its_explanation(store: Store) -> None:
    """Migration 0021: the counts of matches stored before it are copied out of their
    explanations; a damaged explanation leaves NULL rather than failing the upgrade."""
    from monitor.models import Denial
    from monitor.store.schema import migrations

    day = "2024-01-10T00:00:00+00:00"
    with store.atomic():
        ids = [store.upsert_document(Document(url=f"https://example.org/{i}", title=f"t{i}", text="x",
                                              published=dt.datetime(2024, 1, 10, tzinfo=UTC), source="s")).id
               for i in range(4)]
        d1 = store.replace_denials(ids[0], day, [Denial(speaker="Peskov", cue="fiction", quote="q", claim="c")])[0]
        store.replace_matches(matches=[(d1, ids[1], 0.9, {"rivals": 3}), (d1, ids[2], 0.8, {"reason": "r"})])
        store.db.execute("INSERT INTO matches (denial_id, report_id, score, explanation) VALUES (?, ?, 0.7, '{oops')",
                         [d1, ids[3]])
        store.db.execute("ALTER TABLE matches DROP COLUMN rivals")
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0021_matches_rivals'")
    migrations.apply(store.db)
    got = dict(store.db.execute("SELECT report_id, rivals FROM matches").fetchall())
    assert got == {ids[1]: 3, ids[2]: None, ids[3]: None}
    with store.atomic():  # written again: the column follows the explanation
        store.replace_matches(denial_ids=[d1], matches=[(d1, ids[1], 0.9, {"rivals": 1})])
    assert store.db.execute("SELECT report_id, rivals FROM matches").fetchall() == [(ids[1], 1)]


def _counted_by_rows(store: Store) -> dict[str, int]:
    return dict(store.db.execute("SELECT term, count(*) FROM document_terms GROUP BY term").fetchall())


def test_term_frequencies_are_kept_by_the_index_writes_not_counted_from_the_index(store: Store) -> None:
    """``term_counts`` (migration 0022) follows every write of ``document_terms``: a new
    document's terms, a document indexed again with other terms, a term written twice, a
    document indexed with none, a write inside a transaction that rolls back and one outside
    any; ``term_document_frequency`` reads it and equals counting."""
    day = "2024-01-10T00:00:00+00:00"
    with store.atomic():
        ids = [store.upsert_document(Document(url=f"https://example.org/{i}", title=f"t{i}", text="x",
                                              published=dt.datetime(2024, 1, 10, tzinfo=UTC), source="s")).id
               for i in range(4)]
        store.replace_document_index(ids[0], day, ["person:a", "place:b", "person:a"], {}, False)
        store.replace_document_index(ids[1], day, ["person:a"], {}, False)
        store.replace_document_index(ids[2], day, ["place:b", "topic:c"], {}, False)
    asked = ["person:a", "place:b", "topic:c", "name:never"]
    assert store.term_document_frequency(asked) == {"person:a": 2, "place:b": 2, "topic:c": 1}
    with store.atomic():
        store.replace_document_index(ids[0], day, ["topic:c"], {}, False)  # indexed again: old terms go
        store.replace_document_index(ids[2], day, [], {}, False)
        store.replace_document_index(ids[3], "2024-02-01T00:00:00+00:00", ["person:a", "topic:c"], {}, False)
    assert store.term_document_frequency(asked) == {"person:a": 2, "topic:c": 2} == \
        {t: n for t, n in _counted_by_rows(store).items() if t in asked}
    with pytest.raises(RuntimeError), store.atomic():
        store.replace_document_index(ids[1], day, ["place:b"], {}, False)
        raise RuntimeError("the writer fails after indexing")
    store.replace_document_index(ids[2], day, ["name:new", "topic:c"], {}, False)  # its own transaction
    assert store.term_document_frequency([*asked, "name:new"]) == {"person:a": 2, "topic:c": 3, "name:new": 1} == \
        {t: n for t, n in _counted_by_rows(store).items() if t in [*asked, "name:new"]}
    assert store.term_document_frequency([f"name:{i}" for i in range(1200)]) == {}  # asked 500 at a time


def test_an_archive_indexed_before_the_term_counts_gets_them_counted_once(store: Store) -> None:
    """Migration 0022 on an archive whose index was written before it (rows written here
    straight into ``document_terms``, as the earlier versions wrote them)."""
    from monitor.store.schema import migrations

    day = "2024-01-10T00:00:00+00:00"
    with store.atomic():
        store.db.execute("DROP TABLE term_counts")
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0022_term_document_counts'")
        ids = [store.upsert_document(Document(url=f"https://example.org/{i}", title=f"t{i}", text="x",
                                              published=dt.datetime(2024, 1, 10, tzinfo=UTC), source="s")).id
               for i in range(3)]
        for i, terms in zip(ids, [["person:a", "place:b"], ["person:a"], ["person:a", "topic:c"]]):
            store.db.conn.executemany("INSERT INTO document_terms (term, published, document_id) VALUES (?, ?, ?)",
                                      [(t, day, i) for t in terms])
    migrations.apply(store.db)
    assert store.term_document_frequency(["person:a", "place:b", "topic:c"]) == {"person:a": 3, "place:b": 1, "topic:c": 1}
    with store.atomic():  # and kept from then on
        store.replace_document_index(ids[1], day, ["place:b"], {}, False)
    assert store.term_document_frequency(["person:a", "place:b"]) == {"person:a": 2, "place:b": 2} == \
        {t: n for t, n in _counted_by_rows(store).items() if t in ("person:a", "place:b")}


def test_an_index_batch_writes_at_its_end_and_an_exception_drops_it(store: Store) -> None:
    """``index_batch``: the index writes of a block are made when it ends (a document written
    twice keeps its last), none when it raises; a nested block belongs to the outer one."""
    day = "2024-01-10T00:00:00+00:00"
    with store.atomic():
        ids = [store.upsert_document(Document(url=f"https://example.org/{i}", title=f"t{i}", text="x",
                                              published=dt.datetime(2024, 1, 10, tzinfo=UTC), source="s")).id
               for i in range(3)]
    indexed = "SELECT count(*) FROM document_features"
    with store.atomic(), store.index_batch():
        store.replace_document_index(ids[0], day, ["person:a", "place:b"], {"n": 0}, False)
        with store.index_batch():
            store.replace_document_index(ids[1], day, ["person:a"], {"n": 1}, True)
        store.replace_document_index(ids[0], day, ["person:a", "topic:c"], {"n": 2}, False)  # the last one counts
        assert store.db.execute(indexed).fetchone()[0] == 0 and store.term_document_frequency(["person:a"]) == {}
    assert store.term_document_frequency(["person:a", "place:b", "topic:c"]) == {"person:a": 2, "topic:c": 1}
    assert store.document_features([ids[0], ids[1]]) == {ids[0]: ({"n": 2}, False), ids[1]: ({"n": 1}, True)}
    with pytest.raises(ValueError), store.atomic(), store.index_batch():
        store.replace_document_index(ids[2], day, ["person:a"], {}, False)
        raise ValueError("a wave fails before its end")
    assert store.db.execute(indexed).fetchone()[0] == 2
    assert store.term_document_frequency(["person:a"]) == {"person:a": 2} == \
        {t: n for t, n in _counted_by_rows(store).items() if t == "person:a"}
    with store.atomic(), store.index_batch():  # the batch is closed: a later one writes again
        store.replace_document_index(ids[2], day, ["person:a"], {}, False)
    assert store.term_document_frequency(["person:a"]) == {"person:a": 3}
