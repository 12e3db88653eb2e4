"""Store first, process after (issue 16): the backlog, its drain, worker processes, status.

Real archives in tmp_path, the real CLI in subprocesses where processes matter (two
processors at once, readers during writes). Fixture texts: tests/fixtures/matching/
(written for the matching tests) among filler news written here.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from monitor.process import Progress, WorkerPool, drain_backlog
from monitor.cli import cli, progress_printer
from monitor.collect.ingest import import_jsonl, record_to_document, store_documents
from monitor.health import assess_health
from monitor.pipeline import PIPELINE_VERSION
from monitor.store import Store

MONITOR = [sys.executable, "-m", "monitor"]
MATCHING = Path(__file__).parent / "fixtures" / "matching"


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("APPRISE_URLS", "MONITOR_APPRISE_CONFIG", "MONITOR_DB")}
    base.update(extra)
    return base


def corpus(filler: int = 60, scenarios: int = 1) -> list[str]:
    """The Nov 2024 call denial and five relays of one denial, ``scenarios`` times, among filler news."""
    base = [json.loads(line) for name in ("nov_call.jsonl", "five_reports.jsonl")
            for line in (MATCHING / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for k in range(scenarios):
        out += [json.dumps({**rec, "url": f"{rec['url']}/s{k}"}, ensure_ascii=False) for rec in base]
    for k in range(filler):
        out.append(json.dumps({
            "url": f"https://filler.example/n/{k}", "title": f"Grain exports, day {k}",
            "text": f"Item {k}. Ministers in Ankara discussed shipping through the Black Sea and grain prices.",
            "published": f"2024-11-{1 + k % 20:02d}T12:00:00Z", "source": "filler", "lang": "en"}))
    return out


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def store_only(store: Store, lines: list[str], **kwargs: Any) -> Any:
    return import_jsonl(store, io.StringIO("\n".join(lines) + "\n"), store_only=True, **kwargs)


def derived(store: Store) -> dict[str, Any]:
    """Everything processing derives, independent of row ids; and, whatever the drain did
    (workers, waves, a reprocess), the kept term frequencies are the index's counts."""
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return sorted(tuple(r) for r in store.db.execute(sql).fetchall())

    assert rows("SELECT term, documents FROM term_counts WHERE documents != 0") == \
        rows("SELECT term, count(*) FROM document_terms GROUP BY term")
    return {
        "denials": rows("SELECT d.url, x.speaker, x.cue, x.claim, x.profile, e.key FROM denials x"
                        " JOIN documents d ON d.id = x.document_id LEFT JOIN denial_events e ON e.id = x.event_id"),
        "matches": rows("SELECT d.url, r.url, m.score, m.explanation FROM matches m JOIN denials x ON x.id = m.denial_id"
                        " JOIN documents d ON d.id = x.document_id JOIN documents r ON r.id = m.report_id"),
        "features": rows("SELECT d.url, f.features, f.lead_denial FROM document_features f"
                         " JOIN documents d ON d.id = f.document_id"),
        "terms": rows("SELECT t.term, d.url FROM document_terms t JOIN documents d ON d.id = t.document_id"),
        "events": rows("SELECT key, speaker, claim, first_published, last_published FROM denial_events"),
        "embeddings": rows("SELECT d.url, e.model, e.published, e.vector FROM document_embeddings e"
                           " JOIN documents d ON d.id = e.document_id"),
    }


def processed_count(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM document_processing WHERE version IS NOT NULL").fetchone()[0])
    finally:
        conn.close()


# -- the backlog -------------------------------------------------------------------------


def test_storing_only_queues_every_document_and_derives_nothing(store: Store) -> None:
    lines = corpus(filler=10)
    report = store_only(store, lines)
    assert report.new == len(lines) and report.processing is None
    assert "stored only" in report.summary()
    backlog = store.backlog_status(PIPELINE_VERSION)
    assert (backlog.unprocessed, backlog.stale, backlog.failed) == (len(lines), 0, 0)
    assert backlog.oldest_queued_at is not None
    assert store.count_denials() == 0 and store.count_matches() == 0


def test_draining_processes_each_document_once_and_a_second_drain_finds_nothing(store: Store, tmp_path: Path) -> None:
    lines = corpus(filler=30)
    store_only(store, lines)
    first = drain_backlog(store, workers=1)
    assert first.documents == len(lines) and first.failed == 0
    assert first.matches > 0 and store.count_matches() > 0
    assert store.backlog_status(PIPELINE_VERSION).total == 0
    before = derived(store)
    second = drain_backlog(store, workers=1)
    assert second.documents == 0
    assert derived(store) == before
    # the same as storing and processing in one go (the import users run)
    with Store.open(tmp_path / "direct.db") as direct:
        import_jsonl(direct, io.StringIO("\n".join(lines) + "\n"), workers=1)
        assert derived(direct) == before


def test_new_documents_come_before_a_reprocess(store: Store) -> None:
    store_only(store, corpus(filler=5))
    drain_backlog(store, workers=1)
    # the next pipeline version: everything archived is stale ...
    assert store.backlog_status(PIPELINE_VERSION + 1).stale == store.count_documents()
    fresh = json.loads(corpus(filler=40)[-1])
    store_only(store, [json.dumps(fresh)])
    pending = store.pending_documents(PIPELINE_VERSION + 1, 3)
    # ... but today's document goes first
    assert store.get_document(pending[0].id).url == fresh["url"]  # type: ignore[union-attr]
    assert len(pending) == 3
    # an import drains only what is new; the reprocess is `monitor process`'s (and the daemon's)
    quick = drain_backlog(store, workers=1, version=PIPELINE_VERSION + 1, stale=False)
    assert quick.documents == 1
    assert store.backlog_status(PIPELINE_VERSION + 1).stale == store.count_documents() - 1


def test_a_version_bump_reprocesses_the_archive_to_the_same_result(store: Store) -> None:
    lines = corpus(filler=20)
    store_only(store, lines)
    drain_backlog(store, workers=1)
    before = derived(store)
    again = drain_backlog(store, workers=1, version=PIPELINE_VERSION + 1)
    assert again.documents == len(lines) and again.alerts == 0
    assert store.backlog_status(PIPELINE_VERSION + 1).total == 0
    assert derived(store) == before


def test_reprocess_command_requeues_and_redoes_documents_since_a_date(db_path: Path, tmp_path: Path) -> None:
    lines = corpus(filler=20)
    data = write(tmp_path / "docs.jsonl", lines)
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(data), "--db", str(db_path), "--workers", "1"]).exit_code == 0
    result = runner.invoke(cli, ["process", "--db", str(db_path), "--reprocess", "--since", "2024-11-15"])
    assert result.exit_code == 0, result.output
    with Store.open(db_path) as store:
        since = len(store.document_ids_since("2024-11-15T00:00:00+00:00"))
    assert 0 < since < len(lines)
    assert f"queued {since} processed documents again" in result.output
    assert f"processed {since} documents (0 failed)" in result.output
    assert "backlog now 0" in result.output


def test_a_document_changed_while_it_was_processed_is_taken_again(store: Store) -> None:
    lines = corpus(filler=3)
    store_only(store, lines)
    taken = store.pending_documents(PIPELINE_VERSION, 100)
    changed = record_to_document({**json.loads(lines[0]), "text": "A corrected text, with nothing denied."})
    store_documents(store, [changed], queue_alerts=False)
    still = store.still_pending(taken, PIPELINE_VERSION)
    assert len(still) == len(taken) - 1 and taken[0].id not in {d.id for d in still}
    # the results of the old text are dropped; the new text waits and is processed
    assert store.pending_documents(PIPELINE_VERSION, 1)[0].id == taken[0].id
    drain_backlog(store, workers=1)
    revised = store.get_document(taken[0].id)
    assert revised is not None and revised.text.startswith("A corrected text")
    assert store.backlog_status(PIPELINE_VERSION).total == 0


def test_alerts_are_queued_only_for_documents_stored_to_alert(tmp_path: Path) -> None:
    lines = corpus(filler=5)
    docs = [record_to_document(json.loads(line)) for line in lines]
    counts = {}
    for alerts in (True, False):
        with Store.open(tmp_path / f"alerts-{alerts}.db") as store:
            store_documents(store, docs, queue_alerts=alerts)
            counts[alerts] = drain_backlog(store, workers=1).alerts
            assert store.db.execute("SELECT count(*) FROM alerts").fetchone()[0] == counts[alerts]
    assert counts[True] > 0 and counts[False] == 0


# -- worker processes ----------------------------------------------------------------------


@pytest.mark.slow
def test_worker_processes_give_the_same_archive_as_one_process(tmp_path: Path) -> None:
    lines = corpus(filler=150, scenarios=3)
    results = {}
    for workers in (1, 2):
        with Store.open(tmp_path / f"w{workers}.db") as store:
            store_only(store, lines)
            # small waves: several waves in flight, matching across waves
            report = drain_backlog(store, workers=workers, pool_min=0, wave_size=40)
            assert report.workers == workers and report.documents == len(lines) and report.failed == 0
            assert store.backlog_status(PIPELINE_VERSION).total == 0
            results[workers] = derived(store)
    assert results[1]["matches"], "the corpus has matches to compare"
    assert len(results[1]["embeddings"]) == len(lines), "every document's vector, stored once"
    assert results[2] == results[1]


def test_a_pooled_drain_queuing_alerts_and_a_pooled_reprocess_give_what_one_process_gives(
        tmp_path: Path) -> None:
    # a scenario's copy in the next wave joins the event this wave's alerts are about
    scenarios, filler = corpus(filler=0, scenarios=2), corpus(filler=120, scenarios=0)
    half = len(scenarios) // 2
    lines = scenarios[:half] + filler[:45] + scenarios[half:] + filler[45:]
    docs = [record_to_document(json.loads(line)) for line in lines]
    results = {}
    for workers in (1, 2):
        with Store.open(tmp_path / f"w{workers}.db") as store:
            store_documents(store, docs, queue_alerts=True)
            first = drain_backlog(store, workers=workers, pool_min=0, wave_size=40)
            alerts = sorted(tuple(r) for r in store.db.execute("SELECT key, kind, title, body_text FROM alerts"))
            again = drain_backlog(store, workers=workers, pool_min=0, wave_size=40, version=PIPELINE_VERSION + 1)
            assert again.documents == len(docs) and again.alerts == 0
            results[workers] = (first.alerts, alerts, first.matches, derived(store))
    assert results[1][0] > 0, "the corpus queues alerts"
    assert results[2] == results[1]


def test_the_memo_a_drain_shares_between_its_waves_leaves_the_archive_as_without_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.process.backlog as backlog
    from monitor.match.linking import FeatureMemo

    served = []

    class CountingMemo(FeatureMemo):
        def parse(self, text: str) -> Any:
            served.append(text in self.parsed)
            return super().parse(text)

    lines = corpus(filler=60, scenarios=3)
    results = {}
    for name, memo in (("memo", CountingMemo), ("none", lambda: None)):
        # "none": every wave's matching parses what it reads afresh
        monkeypatch.setattr(backlog, "FeatureMemo", memo)
        with Store.open(tmp_path / f"{name}.db") as store:
            store_only(store, lines)
            drain_backlog(store, workers=1, wave_size=15)  # later waves read the reports of earlier ones
            drain_backlog(store, workers=1, wave_size=15, version=PIPELINE_VERSION + 1)  # a reprocess
            results[name] = derived(store)
    assert any(served), "later waves found features parsed by earlier ones"
    assert results["memo"]["matches"], "the corpus has matches to compare"
    assert results["memo"] == results["none"]


def _worker_memo_size() -> int:
    """How many parsed features the worker running this keeps between match tasks."""
    from monitor.process import tasks

    return len(tasks._WORKER_MEMO.parsed)


def test_a_pool_kept_across_drains_serves_each_and_gives_the_archive_of_one_process(tmp_path: Path) -> None:
    lines = corpus(filler=60, scenarios=2)
    half = len(lines) // 2
    with Store.open(tmp_path / "one.db") as store:
        store_only(store, lines)
        drain_backlog(store, workers=1)
        expected = derived(store)
    with WorkerPool(2) as pool, Store.open(tmp_path / "pooled.db") as store:
        for part in (lines[:half], lines[half:]):  # a crawl, its drain, the next crawl, its drain
            store_only(store, part)
            report = drain_backlog(store, pool=pool, wave_size=40)  # any backlog: the pool is running
            assert (report.workers, report.documents, report.failed) == (2, len(part), 0)
        assert pool.submit(os.getpid).result(timeout=60) != os.getpid(), "the pool is still open"
        # each worker keeps the features it parsed for its next match task (tasks._WORKER_MEMO)
        assert any(pool.submit(_worker_memo_size).result(timeout=60) for _ in range(4))
        got = derived(store)
    assert got["embeddings"] and got["denials"] == expected["denials"]
    assert got["features"] == expected["features"] and got["terms"] == expected["terms"]
    assert got["matches"] == expected["matches"] and got["events"] == expected["events"]


@pytest.mark.slow
def test_two_processors_at_once_process_each_document_once(tmp_path: Path) -> None:
    lines = corpus(filler=400, scenarios=4)
    data = write(tmp_path / "docs.jsonl", lines)
    db, reference = tmp_path / "archive.db", tmp_path / "reference.db"
    stored = subprocess.run([*MONITOR, "import", str(data), "--db", str(db), "--store-only"],
                            capture_output=True, text=True, env=env(), timeout=120)
    assert stored.returncode == 0, stored.stderr
    procs = [subprocess.Popen([*MONITOR, "process", "--db", str(db), "--workers", "1"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env()) for _ in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    done = [int(out.split("processed ", 1)[1].split()[0]) for out, _ in outs]
    # each document written by exactly one of them
    assert sum(done) == len(lines), done
    with Store.open(reference) as ref:
        import_jsonl(ref, io.StringIO("\n".join(lines) + "\n"), workers=1)
        expected = derived(ref)
    with Store.open(db) as store:
        assert store.backlog_status(PIPELINE_VERSION).total == 0
        assert derived(store)["matches"] == expected["matches"]
        assert derived(store)["denials"] == expected["denials"]


@pytest.mark.slow
def test_readers_are_never_blocked_while_processing_writes(tmp_path: Path) -> None:
    lines = corpus(filler=600, scenarios=2)
    data = write(tmp_path / "docs.jsonl", lines)
    db = tmp_path / "archive.db"
    subprocess.run([*MONITOR, "import", str(data), "--db", str(db), "--store-only"], check=True,
                   capture_output=True, env=env(), timeout=120)
    errors: list[BaseException] = []
    reads: list[int] = []
    stop = threading.Event()

    def analyst() -> None:
        # one long read transaction (its snapshot must not move), and fresh reads beside it
        try:
            held = sqlite3.connect(db, isolation_level=None, timeout=1)
            held.execute("BEGIN")
            first = held.execute("SELECT count(*) FROM document_processing WHERE version IS NULL").fetchone()[0]
            while not stop.is_set():
                assert held.execute(
                    "SELECT count(*) FROM document_processing WHERE version IS NULL").fetchone()[0] == first
                fresh = sqlite3.connect(db, timeout=1)
                fresh.execute("SELECT count(*) FROM matches").fetchone()
                fresh.execute("SELECT title FROM documents_fts WHERE documents_fts MATCH 'grain' LIMIT 5").fetchall()
                fresh.close()
                reads.append(first)
                time.sleep(0.02)
            held.execute("COMMIT")
            held.close()
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    readers = [threading.Thread(target=analyst) for _ in range(2)]
    for r in readers:
        r.start()
    proc = subprocess.run([*MONITOR, "process", "--db", str(db), "--workers", "2"], capture_output=True, text=True,
                          env=env(), timeout=240)
    stop.set()
    for r in readers:
        r.join(30)
    assert proc.returncode == 0, proc.stderr
    assert f"processed {len(lines)} documents" in proc.stdout and "2 workers" in proc.stdout
    assert errors == []
    assert reads and set(reads) == {len(lines)}
    assert "locked" not in (proc.stdout + proc.stderr).lower()


# -- command line: import, process, status, progress ---------------------------------------------


def test_import_store_only_then_process_then_nothing_left(db_path: Path, tmp_path: Path) -> None:
    lines = corpus(filler=10)
    data = write(tmp_path / "docs.jsonl", lines)
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(data), "--db", str(db_path), "--store-only"])
    assert result.exit_code == 0, result.output
    assert f"new {len(lines)}" in result.output and "stored only" in result.output
    status = runner.invoke(cli, ["status", "--db", str(db_path)])
    assert f"processing backlog: {len(lines)} unprocessed" in status.output
    result = runner.invoke(cli, ["process", "--db", str(db_path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"processed {len(lines)} documents (0 failed)" in result.output and "backlog now 0" in result.output
    # quiet off a terminal: no progress line in the output
    assert "docs/s" not in result.output and "ETA" not in result.output
    assert "processed 0 documents" in runner.invoke(cli, ["process", "--db", str(db_path)]).output
    status = runner.invoke(cli, ["status", "--db", str(db_path)])
    assert "processing backlog: 0 unprocessed" in status.output


def test_status_check_fails_when_the_oldest_unprocessed_document_waits_too_long(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    monkeypatch.setenv("MONITOR_BACKLOG_MAX_AGE", "10m")
    store_only(store, corpus(filler=2))
    now = dt.datetime.now(dt.timezone.utc)
    assert not any("backlog" in p for p in assess_health(store, now=now)["problems"])
    late = assess_health(store, now=now + dt.timedelta(minutes=11))
    waiting = f"processing backlog: {store.count_documents()} documents waiting, the oldest stored"
    assert any(p.startswith(waiting) for p in late["problems"])
    assert late["backlog"]["unprocessed"] == store.count_documents()
    drain_backlog(store, workers=1)
    later = assess_health(store, now=now + dt.timedelta(hours=1))
    assert not any("backlog" in p for p in later["problems"])


def test_progress_is_printed_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(done=400, left=1200, rate=200.0, elapsed_s=2.0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    progress_printer("processing")(progress)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    progress_printer("processing")(progress)
    err = capsys.readouterr().err
    assert "400 done, 1200 left, 200 docs/s, ETA 6s" in err


def test_migration_counts_documents_archived_before_it_as_processed(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from monitor.store.schema import migrations

    db_file = tmp_path / "old.db"
    db = Database(db_file)
    migrations.apply(db, stop_before="0009_processing_state")
    # an archive of the previous schema, its document processed inline when it was stored
    db["documents"].insert({"url": "https://old.example/1", "source": "old", "title": "Old", "text": "Old text.",
                            "published": "2024-11-01T00:00:00+00:00", "content_hash": "x"})
    db.close()
    with Store.open(db_file) as store:
        assert "0009_processing_state" in store.schema_version()
        # processed inline by pipeline version 1; any later version redoes it in the background
        assert store.backlog_status(1).total == 0
        assert store.backlog_status(2).stale == 1
        assert store.backlog_status(2).unprocessed == 0
    assert processed_count(db_file) == 1


def test_a_document_whose_processing_fails_is_recorded_and_not_retried_until_the_next_version(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.process.tasks

    real = monitor.process.tasks.detect_denials

    def broken(doc: Any) -> Any:
        if "filler.example/n/1" in doc.url:
            raise ValueError("detector bug")
        return real(doc)

    monkeypatch.setattr(monitor.process.tasks, "detect_denials", broken)
    lines = corpus(filler=3)
    store_only(store, lines)
    report = drain_backlog(store, workers=1)
    assert report.failed == 1 and report.documents == len(lines)
    status = store.backlog_status(PIPELINE_VERSION)
    assert (status.total, status.failed) == (0, 1)
    error = store.db.execute("SELECT error FROM document_processing WHERE error IS NOT NULL").fetchone()[0]
    assert error == "detection failed: ValueError: detector bug"
    assert drain_backlog(store, workers=1).documents == 0  # not retried for this version...
    assert store.backlog_size(PIPELINE_VERSION + 1) == len(lines)  # ...but by the next


# -- the workers' kept read-only connection -------------------------------------------------


def _titles_read_in_a_task(db: str) -> list[str]:
    from monitor.process.tasks import reading

    with reading(db) as reader:
        return sorted(d.title for d in reader.get_documents(list(range(1, 1000))).values())


def _filler(k: int) -> str:
    return json.dumps({"url": f"https://filler.example/kept/{k}", "title": f"Harbour news {k}",
                       "text": f"Item {k}. Ships waited outside the harbour.", "published": "2024-11-02T12:00:00Z",
                       "source": "filler", "lang": "en"})


def test_a_kept_reader_reads_each_commit_and_each_new_file_at_its_path(tmp_path: Path) -> None:
    from monitor.process import tasks

    db = tmp_path / "kept.db"
    with Store.open(db) as store:
        store_only(store, [_filler(1)])
        assert _titles_read_in_a_task(str(db)) == ["Harbour news 1"]
        kept = tasks._READER
        store_only(store, [_filler(2)])  # committed after the reader's last task
        assert _titles_read_in_a_task(str(db)) == ["Harbour news 1", "Harbour news 2"]
        assert tasks._READER is kept, "the connection is kept across tasks"
        with tasks.reading(str(db)) as reader:  # a task that leaves a read transaction open
            reader.db.conn.execute("BEGIN")
            reader.get_documents([1])
        store_only(store, [_filler(4)])
        assert _titles_read_in_a_task(str(db)) == ["Harbour news 1", "Harbour news 2", "Harbour news 4"]
        assert tasks._READER is kept
        store.db.execute("CREATE TABLE later_migration (x INTEGER)")  # the schema changes meanwhile
        assert _titles_read_in_a_task(str(db)) == ["Harbour news 1", "Harbour news 2", "Harbour news 4"]
        assert tasks._READER is not kept, "a schema change means a fresh connection"
        kept = tasks._READER
    db.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with Store.open(db) as store:  # another archive at the same path
        store_only(store, [_filler(3)])
        assert _titles_read_in_a_task(str(db)) == ["Harbour news 3"]
        assert tasks._READER is not kept


def test_a_forked_worker_opens_its_own_reader_and_a_failed_task_drops_it(tmp_path: Path) -> None:
    from monitor.process import tasks

    db = tmp_path / "kept.db"
    with Store.open(db) as store:
        store_only(store, [_filler(1)])
    assert _titles_read_in_a_task(str(db)) == ["Harbour news 1"]
    parent_reader = tasks._READER
    with WorkerPool(1) as pool:
        if pool.start_method == "fork":  # the child starts with the parent's module state
            assert pool.submit(_titles_read_in_a_task, str(db)).result(timeout=60) == ["Harbour news 1"]
            assert pool.submit(_inherited_readers).result(timeout=60) == 1
    assert tasks._READER is parent_reader and parent_reader is not None
    with pytest.raises(ZeroDivisionError):
        with tasks.reading(str(db)):
            raise ZeroDivisionError
    assert tasks._READER is None


def _inherited_readers() -> int:
    from monitor.process import tasks

    return len(tasks._INHERITED)


# -- loading the models before the workers fork --------------------------------------------


class _Model:
    """An embedder that records where it was loaded (``fail``: its loading raises)."""

    name, dim = "fake-model", 4

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.loaded_in: list[str] = []
        self.lock = threading.Lock()

    def load(self) -> None:
        with self.lock:
            self.loaded_in.append(threading.current_thread().name)
            if self.fail:
                raise RuntimeError("the table is unreadable")

    def embed(self, texts: Any) -> Any:
        import numpy as np

        self.load()
        return np.ones((len(texts), self.dim), dtype=np.float32) / 2


def _warm_up_with(model: _Model, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.match.scoring import MatchingConfig
    from monitor.process import backlog, tasks

    for module in (backlog, tasks):
        monkeypatch.setattr(module, "embedder_for", lambda config: model)
    store_only(store, corpus(filler=1)[:1])
    backlog.warm_up(store, PIPELINE_VERSION, MatchingConfig())


def test_warm_up_loads_the_model_in_a_thread_joined_before_it_returns(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    model = _Model()
    _warm_up_with(model, store, monkeypatch)
    assert model.loaded_in[0] == "warm-up-embedder"  # beside the lexicons' build, then used by the analysis
    assert not [t for t in threading.enumerate() if t.name == "warm-up-embedder"]  # none left when workers fork


def test_a_model_that_fails_to_load_at_warm_up_fails_where_the_analysis_uses_it(
        store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    model = _Model(fail=True)
    with caplog.at_level("WARNING", logger="monitor.process.tasks"):
        _warm_up_with(model, store, monkeypatch)  # no exception from the thread or from warm_up
    assert model.loaded_in == ["warm-up-embedder", "MainThread"]
    assert "embedding failed" in caplog.text and "the table is unreadable" in caplog.text
