"""Matching reads vectors per batch, not per pair or per denial (issue 16, seventh session).

``PairJudge.prefetch_window`` reads the stored vectors of a span of days once, and each
denial whose window lies inside it takes its rows from there instead of reading the window
again; ``prefetch`` reads the vectors and denial statistics of a list of documents in one
query each. Both must leave every result as it was: the same candidates, in the same
order, from the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from monitor.match.features import DocumentFeatures
from monitor.match.learned import report_features
from monitor.match.linking import FeatureMemo, PairJudge
from monitor.match.scoring import MatchingConfig
from monitor.models import Document
from monitor.store import Store
from monitor.text.embeddings import to_blob
from monitor.timeutil import format_timestamp

START = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
DIM = 512


def _unit(rng: np.random.Generator, near: np.ndarray | None = None, noise: float = 1.0) -> np.ndarray:
    v = rng.normal(size=DIM).astype(np.float32)
    if near is not None:
        v = near + noise * v / np.linalg.norm(v)
    return v / np.linalg.norm(v)


@pytest.fixture()
def archive(tmp_path):
    """60 documents over 300 days with stored vectors: every third near one of two topics."""
    rng = np.random.default_rng(7)
    topics = [_unit(rng), _unit(rng)]
    store = Store.open(tmp_path / "archive.db")
    rows = []
    with store.atomic():
        for n in range(60):
            published = START + dt.timedelta(days=5 * n, hours=n % 7)
            doc = Document(url=f"https://example.test/{n}", title=f"Story number {n}", text=f"Body of story {n}.",
                           published=published, source="example", lang="en")
            doc_id = store.upsert_document(doc).id
            vec = _unit(rng, topics[n % 2], 0.6) if n % 3 == 0 else _unit(rng)
            rows.append((doc_id, format_timestamp(published), to_blob(vec)))
        store.set_document_embeddings("use-m3", rows)
    yield store, rows
    store.close()


def _denial_row(doc_id: int, published: str) -> dict:
    return {"id": doc_id, "document_id": doc_id, "published": published}


def test_denials_inside_a_prefetched_span_find_the_same_candidates_in_the_same_order(archive) -> None:
    store, rows = archive
    config = MatchingConfig(scorer="bundled", embedder="use-m3", min_cosine=0.3)
    denials = [_denial_row(doc_id, published) for doc_id, published, _ in rows[30:60:6]]
    alone = PairJudge(store, config)
    expected = [alone.similar_documents(row) for row in denials]
    assert alone.span is None and sum(map(len, expected)) > 5  # the check compares something

    batched = PairJudge(store, config)
    windows = [batched.window(row["published"]) for row in denials]
    batched.prefetch_window(min(s for s, _ in windows), max(e for _, e in windows))
    assert batched.span is not None and batched.span.covers(*windows[0])
    assert [batched.similar_documents(row) for row in denials] == expected
    for row in denials:  # and the vectors cached for the pairs are the stored ones
        for doc_id in batched.similar_documents(row):
            assert np.array_equal(batched.vectors[doc_id], alone.vectors[doc_id])


def test_a_window_outside_the_span_is_read_from_the_archive(archive) -> None:
    store, rows = archive
    config = MatchingConfig(scorer="bundled", embedder="use-m3", min_cosine=0.3)
    late = _denial_row(rows[-1][0], rows[-1][1])
    early = _denial_row(rows[36][0], rows[36][1])
    judge = PairJudge(store, config)
    judge.prefetch_window(*judge.window(early["published"]))
    assert not judge.span.covers(*judge.window(late["published"]))
    assert judge.similar_documents(late) == PairJudge(store, config).similar_documents(late)


def test_new_vectors_drop_the_span_so_that_later_windows_see_them(archive) -> None:
    store, rows = archive
    config = MatchingConfig(scorer="bundled", embedder="use-m3")
    judge = PairJudge(store, config)
    judge.prefetch_window("0000", "9999")
    with store.atomic():
        doc_id = store.upsert_document(Document(
            url="https://example.test/late", title="Kremlin denies drone report", text="The Kremlin denied it.",
            published=START + dt.timedelta(days=100), source="example", lang="en")).id
        judge.embed_documents([doc_id])  # a document matching found without a vector
    assert judge.span is None
    assert doc_id in dict(store.embeddings_between("use-m3", "0000", "9999"))


def test_prefetch_reads_what_the_per_pair_calls_would(archive) -> None:
    store, rows = archive
    config = MatchingConfig(scorer="bundled", embedder="use-m3")
    ids = [doc_id for doc_id, _, _ in rows[:10]]
    judge = PairJudge(store, config)
    judge.prefetch(ids)
    one_by_one = PairJudge(store, config)
    for doc_id in ids:
        one_by_one.vectors_of([doc_id])
        one_by_one.denial_stats([doc_id])
    assert all(np.array_equal(judge.vectors[i], one_by_one.vectors[i]) for i in ids)
    assert judge.stats == one_by_one.stats



def test_the_count_of_indexed_documents_is_one_row_kept_exact_through_reindexing_and_deletes(archive) -> None:
    store, _ = archive
    statements: list[str] = []
    with store.atomic():
        store.replace_document_index(1, "2025-01-01T00:00:00+00:00", ["name:kramat"], {"lang": "en"}, False)
        store.replace_document_index(2, "2025-01-06T00:00:00+00:00", ["name:kramat"], {"lang": "en"}, True)
        store.replace_document_index(2, "2025-01-06T00:00:00+00:00", ["name:kramat"], {"lang": "en"}, False)
    store.db.conn.set_trace_callback(statements.append)
    try:
        assert store.count_indexed_documents() == 2
    finally:
        store.db.conn.set_trace_callback(None)
    assert not any("count(" in s.lower() for s in statements), statements  # read, not counted
    assert store.document_features([2])[2][1] is False  # the upsert replaced the features
    with store.atomic():
        store.db.execute("DELETE FROM document_features WHERE document_id = 1")
    assert store.count_indexed_documents() == 1 == store.db.execute("SELECT count(*) FROM document_features").fetchone()[0]


def test_an_archive_indexed_before_the_count_existed_starts_from_its_true_count(archive) -> None:
    store, _ = archive
    with store.atomic():
        for i in (1, 2):
            store.replace_document_index(i, "2025-01-01T00:00:00+00:00", ["name:kramat"], {"lang": "en"}, False)
        store.db.execute("DROP TRIGGER document_features_counted_insert")
        store.db.execute("DROP TRIGGER document_features_counted_delete")
        store.db.execute("DROP TABLE archive_counts")
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0019_indexed_documents_count'")
    from monitor.store.schema import migrations
    migrations.apply(store.db)
    assert store.count_indexed_documents() == 2


@pytest.fixture()
def probes(tmp_path):
    """An archive of every probe set under tests/fixtures/matching, imported (our own texts)."""
    from monitor.collect.ingest import import_jsonl

    store = Store.open(tmp_path / "probes.db")
    try:
        for path in sorted((Path(__file__).parent / "fixtures" / "matching").glob("probe_cases*.jsonl")):
            with path.open("rb") as fh:
                import_jsonl(store, fh, workers=1)
        yield store
    finally:
        store.close()


def test_pairs_screened_out_before_scoring_are_pairs_the_full_rules_exclude(probes) -> None:
    """``PairJudge.pair(screen=True)`` drops a pair on ``early_exclusion`` before scoring it;
    that must never drop a pair ``exclusion`` of its full features would have kept."""
    from monitor.match.learned import exclusion
    from monitor.match.linking import window_pairs

    store = probes
    judge = PairJudge(store, MatchingConfig())
    judge.n_docs = store.count_indexed_documents()
    screened = kept = 0
    for row, profile, rid in window_pairs(store, judge):
        full = judge.pair(profile, rid)
        if full is None:
            continue
        if judge.pair(profile, rid, screen=True) is None:
            screened += 1
            assert exclusion(full[0]), (row["id"], rid)
        else:
            kept += 1
    assert screened > 0 and kept > 0  # the probes hold both kinds


def test_a_matching_judge_that_defers_the_cosine_gives_every_pair_the_features_training_reads(probes) -> None:
    """A matching judge whose scorer reads no cosine (the bundled one) computes it only where a
    rule reads it and fills it in when asked for a pair's features: the same dict as the
    training judge (``learned``), which always computes it."""
    from monitor.match.linking import window_pairs

    store = probes
    matching = PairJudge(store, MatchingConfig())
    training = PairJudge(store, MatchingConfig(), learned=True)
    assert matching.defer_cosine and not training.defer_cosine
    n_docs = store.count_indexed_documents()
    matching.n_docs = training.n_docs = n_docs
    compared = embedded = 0
    for row, profile, rid in window_pairs(store, training):
        full = training.pair(profile, rid)
        matching.features([rid])
        mine = matching.pair(matching.profile_of(row), rid)
        assert (mine is None) == (full is None), (row["id"], rid)
        if full is not None:
            assert mine is not None and mine[0] == full[0], (row["id"], rid)
            compared += 1
            embedded += bool(full[0]["has_cosine"])
    assert compared > 20 and embedded > 20


def _features_text(lead_terms: list[str]) -> str:
    return json.dumps({"lang": "en", "role": "media", "source": "example", "published": "2025-01-01T00:00:00+00:00",
                       "lead_terms": lead_terms, "body_terms": lead_terms, "relay_at": 0.5})


def test_a_feature_memo_parses_a_stored_text_once_and_a_changed_text_again() -> None:
    memo = FeatureMemo()
    text = _features_text(["person:peskov", "place:kyiv"])
    first = memo.parse(text)
    assert first == DocumentFeatures.from_json(json.loads(text))
    assert memo.parse(str(text)) is first  # an equal text read again: the same instance
    changed = memo.parse(_features_text(["place:kyiv"]))  # the document indexed again
    assert changed is not first and changed.lead_terms == frozenset({"place:kyiv"})


def test_a_feature_memo_gives_report_features_per_features_lead_and_statistics() -> None:
    memo = FeatureMemo()
    report = memo.parse(_features_text(["person:peskov", "place:kyiv"]))
    part = memo.report_part(report, False, (1, 100, 2000))
    assert part == report_features(report, False, (1, 100, 2000))
    assert memo.report_part(report, False, (1, 100, 2000)) is part
    assert memo.report_part(report, True, (1, 100, 2000)) == report_features(report, True, (1, 100, 2000))
    assert memo.report_part(report, False, None)["report_denials"] == 0.0 != part["report_denials"]


def test_a_feature_memo_starts_over_past_its_limit() -> None:
    memo = FeatureMemo(limit=2)
    texts = [_features_text([f"name:n{k}"]) for k in range(3)]
    first = memo.parse(texts[0])
    memo.parse(texts[1])
    memo.parse(texts[2])  # past the limit: what it held is dropped
    assert len(memo.parsed) == 1
    again = memo.parse(texts[0])
    assert again == first and again is not first
