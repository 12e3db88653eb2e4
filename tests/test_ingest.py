"""JSONL import: validation, idempotence, bad lines, dates, streaming."""

from __future__ import annotations

import datetime as dt
import io
import json
import tracemalloc
from pathlib import Path

import pytest

from monitor.errors import InputError
from monitor.collect.ingest import import_jsonl, record_to_document
from monitor.store import Store

from conftest import doc_record, write_jsonl


def test_import_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "docs.jsonl", [doc_record(i) for i in range(5)])
    with path.open() as fh:
        first = import_jsonl(store, fh)
    store.db.conn.commit()
    changes = store.db.conn.total_changes
    with path.open() as fh:
        second = import_jsonl(store, fh)
    assert (first.new, first.updated) == (5, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 5)
    assert store.db.conn.total_changes == changes
    assert store.count_documents() == 5


def test_changed_line_updates_the_document(store: Store) -> None:
    import_jsonl(store, io.StringIO(json.dumps(doc_record(1)) + "\n"))
    report = import_jsonl(store, io.StringIO(json.dumps(doc_record(1, text="A corrected body.")) + "\n"))
    assert report.updated == 1
    assert store.get_document_by_url(doc_record(1)["url"])[1].text == "A corrected body."


def test_bad_lines_are_reported_with_numbers_and_good_lines_kept(store: Store) -> None:
    lines = [
        json.dumps(doc_record(1)),
        "{not json",
        json.dumps({k: v for k, v in doc_record(2).items() if k != "title"}),
        json.dumps(doc_record(3, published="10 November 2024")),
        json.dumps(doc_record(4, url="ftp://example.org/x")),
        json.dumps(doc_record(5, role="government")),
        "[1, 2]",
        json.dumps(doc_record(6)),
    ]
    errors: list[tuple[int, str]] = []
    report = import_jsonl(store, io.StringIO("\n".join(lines) + "\n"), on_error=lambda n, r: errors.append((n, r)))
    assert report.new == 2 and report.rejected == 6
    numbers = [n for n, _ in errors]
    assert numbers == [2, 3, 4, 5, 6, 7]
    reasons = dict(errors)
    assert "not valid JSON" in reasons[2]
    assert "'title'" in reasons[3]
    assert "published" in reasons[4]
    assert "url" in reasons[5]
    assert "role" in reasons[6]
    assert "object" in reasons[7]
    assert store.count_documents() == 2


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2024-11-10T15:30:00+03:00", "2024-11-10T12:30:00+00:00"),
        ("2024-11-10T12:30:00Z", "2024-11-10T12:30:00+00:00"),
        ("2024-11-10T12:30:00", "2024-11-10T12:30:00+00:00"),
        ("2024-11-10", "2024-11-10T00:00:00+00:00"),
        ("2024-11-10T07:30:00-05:00", "2024-11-10T12:30:00+00:00"),
    ],
)
def test_dates_are_stored_as_utc(store: Store, given: str, stored: str) -> None:
    import_jsonl(store, io.StringIO(json.dumps(doc_record(1, published=given)) + "\n"))
    row = store.db.execute("SELECT published FROM documents").fetchone()
    assert row[0] == stored


def test_unknown_fields_kept_and_role_defaults() -> None:
    doc = record_to_document(doc_record(1, author="A. Writer", tags=["x"]), {"example-news": "official"})
    assert doc.extra == {"author": "A. Writer", "tags": ["x"]}
    assert doc.role == "official"
    assert record_to_document(doc_record(1)).role == "media"


def test_language_detected_when_absent() -> None:
    ru = record_to_document(doc_record(1, title="Песков опроверг сообщения",
                                       text="Пресс-секретарь президента заявил, что это не соответствует действительности."))
    en = record_to_document(doc_record(2))
    assert (ru.lang, en.lang) == ("ru", "en")
    assert record_to_document(doc_record(3, lang="DE")).lang == "de"


def test_non_string_field_rejected() -> None:
    with pytest.raises(InputError, match="'text' must be a string"):
        record_to_document(doc_record(1, text=42))


@pytest.mark.slow
def test_large_file_is_streamed_not_loaded(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    body = "word " * 300
    write_jsonl(path, (doc_record(i, text=f"{body} {i}", lang="en") for i in range(10_000)))
    assert path.stat().st_size > 10_000_000
    # The embedding model (issue 15) loads once per process (~120 MB of weights): load it before
    # measuring, which is about what grows with the file.
    from monitor.match.linking import shared_embedder
    from monitor.match.scoring import MatchingConfig
    embedder = shared_embedder(MatchingConfig().embedder)
    if embedder is not None:
        embedder.embed(["warm up"])
    tracemalloc.start()
    with path.open() as fh:
        report = import_jsonl(store, fh)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.new == 10_000
    assert store.count_documents() == 10_000
    # The whole file is >10 MB; streaming keeps the peak to a few batches.
    assert peak < path.stat().st_size / 2
    assert store.db.execute("SELECT min(published), max(published) FROM documents").fetchone()[0] == (
        dt.datetime(2024, 11, 10, 12, tzinfo=dt.timezone.utc).isoformat()
    )


# --- issue 17 item 1: bad bytes, real columns, a line-size cap ------------------------------


def test_a_latin1_line_is_rejected_with_its_number_and_the_others_are_stored(store: Store) -> None:
    good = [json.dumps(doc_record(i), ensure_ascii=False).encode("utf-8") for i in range(1, 4)]
    bad = json.dumps(doc_record(9, title="Caf\u00e9 talks"), ensure_ascii=False).encode("latin-1")
    data = b"\n".join([good[0], good[1], bad, good[2]]) + b"\n"
    errors: list[tuple[int, str]] = []
    report = import_jsonl(store, io.BytesIO(data), on_error=lambda n, r: errors.append((n, r)))
    assert (report.new, report.rejected) == (3, 1)
    assert [n for n, _ in errors] == [3]
    offset = data.index(b"\xe9")
    column = offset - (len(good[0]) + len(good[1]) + 2) + 1
    assert f"not UTF-8 text (invalid continuation byte at column {column}, byte {offset} of the file)" in errors[0][1]
    assert store.get_document_by_url(doc_record(9)["url"]) is None


def test_invalid_json_reports_the_column_of_the_fault(store: Store) -> None:
    line = '{"url": "https://example.org/a", "title": "x" "text": "y"}'
    errors: list[tuple[int, str]] = []
    import_jsonl(store, io.BytesIO(line.encode() + b"\n"), on_error=lambda n, r: errors.append((n, r)))
    column = line.index('"text"') + 1
    assert column > 40
    assert errors == [(1, f"not valid JSON: Expecting ',' delimiter at column {column}")]


def test_a_carriage_return_inside_a_line_does_not_shift_line_numbers(store: Store) -> None:
    data = (json.dumps(doc_record(1)) + " \r " + "\n" + "{oops\n" + json.dumps(doc_record(2)) + "\n").encode()
    errors: list[tuple[int, str]] = []
    report = import_jsonl(store, io.BytesIO(data), on_error=lambda n, r: errors.append((n, r)))
    assert report.new == 2
    assert [n for n, _ in errors] == [2]


def test_a_line_over_the_cap_is_skipped_without_losing_the_next_line(store: Store) -> None:
    huge = json.dumps(doc_record(1, text="word " * 3000))
    data = (huge + "\n" + json.dumps(doc_record(2)) + "\n").encode()
    errors: list[tuple[int, str]] = []
    report = import_jsonl(store, io.BytesIO(data), on_error=lambda n, r: errors.append((n, r)),
                          max_line_bytes=4096)
    assert (report.new, report.rejected) == (1, 1)
    assert errors[0][0] == 1 and "line longer than the 4096 bytes limit" in errors[0][1]
    assert store.get_document_by_url(doc_record(2)["url"]) is not None


def test_a_utf8_bom_on_the_first_line_is_accepted(store: Store) -> None:
    data = b"\xef\xbb\xbf" + json.dumps(doc_record(1)).encode() + b"\n"
    assert import_jsonl(store, io.BytesIO(data)).new == 1


def test_a_document_built_by_its_own_init_equals_one_built_field_by_field() -> None:
    """``Document`` has a hand-written ``__init__`` (issue 16: a third of building one from an
    import record); it must take every field, in order, and give what a dataclass would."""
    import dataclasses
    import inspect

    from monitor.models import Document

    names = [f.name for f in dataclasses.fields(Document)]
    assert list(inspect.signature(Document.__init__).parameters)[1:] == names
    when = dt.datetime(2024, 11, 11, tzinfo=dt.timezone.utc)
    doc = Document("https://example.org/a", "T", "body", when, "src")
    assert {n: getattr(doc, n) for n in names} == {
        "url": "https://example.org/a", "title": "T", "text": "body", "published": when, "source": "src",
        "role": "media", "lang": None, "extra": {}, "fetched_at": None}
    assert dataclasses.replace(doc, lang="ru") == Document("https://example.org/a", "T", "body", when, "src", lang="ru")
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "changed"  # type: ignore[misc]
