"""The archive's schema as an append-only list of migrations.

Every archive records which migrations it has had (sqlite-utils' ``_sqlite_migrations``
table); opening an older archive applies the missing ones in order, inside a
transaction each, so an upgrade never loses data. Never edit a migration that has
shipped: add a new one at the end.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATION_SET = "statement-monitor"

migrations = Migrations(MIGRATION_SET)


@migrations(name="0001_documents")
def m0001_documents(db: Database) -> None:
    """Documents and their full-text index (title, text), kept in sync by triggers."""
    db.table("documents").create(
        {
            "id": int,
            "url": str,
            "source": str,
            "role": str,
            "title": str,
            "text": str,
            "published": str,
            "lang": str,
            "fetched_at": str,
            "content_hash": str,
            "extra": str,
        },
        pk="id",
        not_null={"url", "source", "title", "text", "published"},
    )
    db.table("documents").create_index(["url"], unique=True)
    db.table("documents").create_index(["published"])
    db.table("documents").create_index(["source", "published"])
    db.table("documents").enable_fts(["title", "text"], fts_version="FTS5", create_triggers=True,
                               tokenize="unicode61 remove_diacritics 2")


@migrations(name="0002_sources_and_crawls")
def m0002_sources_and_crawls(db: Database) -> None:
    """The catalogue as last loaded, one row per crawl of a source, and document revisions."""
    db.table("sources").create(
        {
            "name": str,
            "spider": str,
            "url": str,
            "role": str,
            "lang": str,
            "schedule": str,
            "config": str,
            "loaded_at": str,
            # health, maintained by the crawler and the daemon
            "last_run_at": str,
            "last_success_at": str,
            "last_error": str,
            "last_error_at": str,
            "consecutive_failures": int,
            "next_run_at": str,
            "etag": str,
            "last_modified": str,
        },
        pk="name",
        defaults={"consecutive_failures": 0},
    )
    db.table("crawl_runs").create(
        {
            "id": int,
            "source": str,
            "started_at": str,
            "finished_at": str,
            "status": str,  # ok, not_modified, failed, suspect (zero items from a 200), aborted (shutdown)
            "http_status": int,
            "items_seen": int,
            "items_new": int,
            "items_updated": int,
            "items_unchanged": int,
            "items_rejected": int,
            "error": str,
            "duration_s": float,
        },
        pk="id",
    )
    db.table("crawl_runs").create_index(["source", "started_at"])
    db.table("revisions").create(
        {
            "id": int,
            "document_id": int,
            "title": str,
            "text": str,
            "published": str,
            "content_hash": str,
            "fetched_at": str,
            "replaced_at": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("revisions").create_index(["document_id"])


@migrations(name="0003_denials_and_matches")
def m0003_denials_and_matches(db: Database) -> None:
    """Denials found in documents, events grouping them, and asserted matches to reports."""
    db.table("denial_events").create(
        {
            "id": int,
            "key": str,
            "speaker": str,
            "claim": str,
            "event_type": str,
            "entities": str,
            "first_published": str,
            "last_published": str,
            "created_at": str,
        },
        pk="id",
    )
    db.table("denial_events").create_index(["key"], unique=True)
    db.table("denials").create(
        {
            "id": int,
            "document_id": int,
            "speaker": str,
            "cue": str,
            "quote": str,
            "claim": str,
            "lang": str,
            "cue_class": str,
            "entities": str,  # JSON list of concept ids
            "event_type": str,
            "event_date": str,
            "outlets": str,  # JSON list of outlet concept ids
            "confidence": float,
            "position": int,
            "event_id": int,
            "published": str,  # copy of the document's date, for time-window queries
            "detected_at": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("event_id", "denial_events", "id")],
    )
    db.table("denials").create_index(["document_id"])
    db.table("denials").create_index(["published"])
    db.table("denials").create_index(["event_id"])
    db.table("matches").create(
        {
            "id": int,
            "denial_id": int,
            "report_id": int,
            "score": float,
            "explanation": str,  # JSON
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("denial_id", "denials", "id"), ("report_id", "documents", "id")],
    )
    db.table("matches").create_index(["denial_id", "report_id"], unique=True)
    db.table("matches").create_index(["report_id"])
    # Inverted index of language-neutral concept ids per document, ordered by date,
    # so that candidate retrieval costs what the time window holds, not the archive.
    db.table("document_terms").create(
        {"term": str, "published": str, "document_id": int},
        pk=("term", "published", "document_id"),
    )
    db.table("document_terms").create_index(["document_id"])


@migrations(name="0004_alerts")
def m0004_alerts(db: Database) -> None:
    """The outbox: every alert is written here before any delivery is attempted."""
    db.table("alerts").create(
        {
            "id": int,
            "key": str,  # idempotency key: the same key is never queued twice
            "kind": str,  # denial, followup, digest, test
            "event_id": int,
            "tag": str,  # Apprise tag used for routing
            "title": str,
            "body_text": str,
            "body_markdown": str,
            "body_html": str,
            "status": str,  # pending, sending, sent, failed
            "attempts": int,
            "next_attempt_at": str,
            "last_error": str,
            "created_at": str,
            "updated_at": str,
            "sent_at": str,
            "delivered_via": str,
        },
        pk="id",
        defaults={"status": "pending", "attempts": 0},
        not_null={"key", "kind", "status"},
    )
    db.table("alerts").create_index(["key"], unique=True)
    db.table("alerts").create_index(["status", "next_attempt_at"])


@migrations(name="0005_analyst_views")
def m0005_analyst_views(db: Database) -> None:
    """Views for the questions analysts ask most (see README)."""
    db.create_view(
        "denial_matches",
        """
        SELECT x.id AS denial_id, x.event_id, x.speaker, x.cue, x.quote, x.claim,
               d.url AS denial_url, d.title AS denial_title, d.published AS denial_published,
               r.id AS report_id, r.url AS report_url, r.source AS report_source,
               r.title AS report_title, r.published AS report_published,
               m.score, m.explanation
        FROM matches m
        JOIN denials x ON x.id = m.denial_id
        JOIN documents d ON d.id = x.document_id
        JOIN documents r ON r.id = m.report_id
        """,
    )


@migrations(name="0006_daemon_state")
def m0006_daemon_state(db: Database) -> None:
    """The daemon's heartbeat, so ``monitor status`` can tell a dead daemon from an idle one."""
    db.table("daemon_state").create(
        {
            "name": str,  # one row per daemon instance name; "monitor" by default
            "pid": int,
            "hostname": str,
            "status": str,  # running, stopping, stopped
            "started_at": str,
            "heartbeat_at": str,
            "heartbeat_s": float,  # promised heartbeat period: staleness is judged against it
            "stopped_at": str,
            "sources": int,  # enabled sources scheduled
            "schedules": str,  # catalogue path as given
        },
        pk="name",
    )


@migrations(name="0007_alert_reports")
def m0007_alert_reports(db: Database) -> None:
    """What an alert covered (issue 7), so a later match sends a follow-up, not a repeat.

    ``denials`` and ``reports`` are JSON lists of the denial and report document URLs
    the alert covered (event keys change as an event grows; document URLs do not);
    ``delivered_to`` a JSON list of service fingerprints (a hash, never the URL) that
    already have the alert, so a retry after a partial failure only goes to the
    services that missed it.
    """
    db.table("alerts").add_column("denials", str)
    db.table("alerts").add_column("reports", str)
    db.table("alerts").add_column("delivered_to", str)


@migrations(name="0008_matching")
def m0008_matching(db: Database) -> None:
    """Matching: per-document features, per-denial claim profiles, and the event summary view."""
    # What matching compares, computed once per document version (monitor/match/features.py).
    db.table("document_features").create(
        {"document_id": int, "features": str, "lead_denial": int},
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("denials").add_column("profile", str)  # JSON: the claim's weighted terms (monitor/match/scoring.py)
    db.table("denials").create_index(["event_id", "published"], if_not_exists=True)
    db.create_view(
        "denial_event_summary",
        """
        SELECT e.id AS event_id, e.key, e.speaker, e.claim, e.event_type, e.entities,
               e.first_published, e.last_published,
               (SELECT count(DISTINCT x.document_id) FROM denials x WHERE x.event_id = e.id) AS denial_documents,
               (SELECT count(DISTINCT m.report_id) FROM matches m JOIN denials x ON x.id = m.denial_id
                 WHERE x.event_id = e.id) AS contradicted_reports
        FROM denial_events e
        """,
    )


@migrations(name="0015_source_flags")
def m0015_source_flags(db: Database) -> None:
    """Catalogue flags health needs (issue 17): enabled, critical, and ``every`` as written."""
    db.table("sources").add_column("enabled", int, not_null_default=1)
    db.table("sources").add_column("critical", int, not_null_default=0)
    db.table("sources").add_column("every", str)


@migrations(name="0016_source_retry_requests")
def m0016_source_retry_requests(db: Database) -> None:
    """``monitor sources --retry NAME`` leaves a request a running daemon picks up (issue 17)."""
    db.table("sources").add_column("retry_requested_at", str)


@migrations(name="0011_feedback")
def m0011_feedback(db: Database) -> None:
    """Analysts' verdicts on matches and denials (issue 19), kept for audit and training.

    A verdict names documents by URL (and a denial by its quote), never by row id:
    ``monitor match`` and reprocessing replace denial and match rows, and the verdict
    must keep acting on what they re-create. The latest verdict on a pair wins
    (``match_verdicts``, ``denial_verdicts``). ``denials.rejected`` is 1 while a
    *not a denial* verdict stands: the row stays for audit, its matches go.
    """
    db.table("feedback").create(
        {
            "id": int,
            "verdict": str,  # right, wrong, missed (a report the matcher did not find), not-a-denial, denial
            "denial_url": str,  # the denial's document
            "report_url": str,  # the report (NULL for a verdict on the denial itself)
            "quote": str,  # which denial of the document (verdicts on a denial)
            "match_id": int,  # the row judged, as it was then (may be gone since)
            "denial_id": int,
            "score": float,  # snapshot of the match when judged
            "explanation": str,
            "speaker": str,
            "claim": str,
            "note": str,
            "who": str,
            "via": str,  # cli, review
            "created_at": str,
        },
        pk="id",
        not_null={"verdict", "denial_url", "created_at"},
    )
    db.table("feedback").create_index(["denial_url", "report_url"])
    db.table("feedback").create_index(["created_at"])
    db.table("denials").add_column("rejected", int, not_null_default=0)
    db.create_view(
        "match_verdicts",
        """
        SELECT f.denial_url, f.report_url, f.verdict, f.note, f.who, f.created_at, f.id AS feedback_id
        FROM feedback f
        WHERE f.report_url IS NOT NULL
          AND f.id = (SELECT max(g.id) FROM feedback g
                      WHERE g.denial_url = f.denial_url AND g.report_url = f.report_url)
        """,
    )
    db.create_view(
        "denial_verdicts",
        """
        SELECT f.denial_url, f.quote, f.verdict, f.note, f.who, f.created_at, f.id AS feedback_id
        FROM feedback f
        WHERE f.report_url IS NULL
          AND f.id = (SELECT max(g.id) FROM feedback g
                      WHERE g.report_url IS NULL AND g.denial_url = f.denial_url AND g.quote IS f.quote)
        """,
    )


@migrations(name="0012_analyst_schema")
def m0012_analyst_schema(db: Database) -> None:
    """Outlet display names, a speakers view, events awaiting review, latency per alert (issue 19)."""
    from monitor.lexicons import load_outlets

    db.table("outlets").create({"slug": str, "display_name": str}, pk="slug")
    db.table("outlets").insert_all(
        [{"slug": s, "display_name": n} for s, n in load_outlets().items()], replace=True)
    # When a document (or a new version of it) reached the archive: the "stored" stage
    # of the latency figures. Triggers, so every writer records it without code of its
    # own; a table of its own, because an UPDATE of `documents` from a trigger would run
    # before the full-text index's own trigger and corrupt it.
    db.table("document_stored").create({"document_id": int, "stored_at": str}, pk="document_id")
    db.execute("""
        CREATE TRIGGER IF NOT EXISTS document_stored_insert AFTER INSERT ON documents BEGIN
          INSERT OR REPLACE INTO document_stored (document_id, stored_at)
          VALUES (NEW.id, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
        END""")
    db.execute("""
        CREATE TRIGGER IF NOT EXISTS document_stored_update AFTER UPDATE OF content_hash ON documents
        WHEN NEW.content_hash IS NOT OLD.content_hash BEGIN
          INSERT OR REPLACE INTO document_stored (document_id, stored_at)
          VALUES (NEW.id, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
        END""")
    db.execute("""
        CREATE TRIGGER IF NOT EXISTS document_stored_delete AFTER DELETE ON documents BEGIN
          DELETE FROM document_stored WHERE document_id = OLD.id;
        END""")
    # One row per event alert or follow-up: the document that completed it (the last to
    # arrive) through each stage. Seconds between stages are computed in views and status.
    db.table("alert_latency").create(
        {
            "alert_id": int,
            "event_id": int,
            "document_url": str,
            "published": str,  # the source's own time
            "fetched": str,  # NULL for imported documents
            "stored": str,
            "processed": str,  # the match that made the alert was written
            "queued": str,
            "delivered": str,  # NULL until delivered
        },
        pk="alert_id",
        foreign_keys=[("alert_id", "alerts", "id")],
    )
    db.table("alert_latency").create_index(["queued"])
    db.create_view(
        "alert_latency_seconds",
        """
        SELECT l.alert_id, l.event_id, a.kind, a.title, l.document_url, l.published, l.fetched, l.stored,
               l.processed, l.queued, l.delivered,
               round((julianday(l.fetched) - julianday(l.published)) * 86400) AS published_to_fetched,
               round((julianday(l.stored) - julianday(coalesce(l.fetched, l.stored))) * 86400) AS fetched_to_stored,
               round((julianday(l.processed) - julianday(l.stored)) * 86400) AS stored_to_processed,
               round((julianday(l.queued) - julianday(l.processed)) * 86400) AS processed_to_queued,
               round((julianday(l.delivered) - julianday(l.queued)) * 86400) AS queued_to_delivered,
               round((julianday(l.delivered) - julianday(l.published)) * 86400) AS published_to_delivered
        FROM alert_latency l JOIN alerts a ON a.id = l.alert_id
        """,
    )
    db.create_view(
        "speakers",
        """
        SELECT x.speaker,
               count(*) AS denials,
               count(DISTINCT x.document_id) AS documents,
               count(DISTINCT x.event_id) AS events,
               (SELECT count(DISTINCT m.report_id) FROM matches m JOIN denials y ON y.id = m.denial_id
                 WHERE y.speaker = x.speaker) AS contradicted_reports,
               min(x.published) AS first_published,
               max(x.published) AS last_published
        FROM denials x
        WHERE x.speaker IS NOT NULL AND x.speaker != '' AND x.rejected = 0
        GROUP BY x.speaker
        """,
    )
    # The summary counts what stands: denials an analyst rejected no longer count.
    db.execute("DROP VIEW IF EXISTS denial_event_summary")
    db.create_view(
        "denial_event_summary",
        """
        SELECT e.id AS event_id, e.key, e.speaker, e.claim, e.event_type, e.entities,
               e.first_published, e.last_published,
               (SELECT count(DISTINCT x.document_id) FROM denials x
                 WHERE x.event_id = e.id AND x.rejected = 0) AS denial_documents,
               (SELECT count(DISTINCT m.report_id) FROM matches m JOIN denials x ON x.id = m.denial_id
                 WHERE x.event_id = e.id) AS contradicted_reports
        FROM denial_events e
        """,
    )
    db.create_view(
        "events_awaiting_review",
        """
        SELECT e.id AS event_id, e.speaker, e.claim, e.first_published, e.last_published,
               count(DISTINCT m.id) AS matches,
               sum(v.feedback_id IS NULL) AS unreviewed,
               max(m.score) AS best_score
        FROM denial_events e
        JOIN denials x ON x.event_id = e.id AND x.rejected = 0
        JOIN documents d ON d.id = x.document_id
        JOIN matches m ON m.denial_id = x.id
        JOIN documents r ON r.id = m.report_id
        LEFT JOIN match_verdicts v ON v.denial_url = d.url AND v.report_url = r.url
        GROUP BY e.id
        HAVING unreviewed > 0
        """,
    )


@migrations(name="0009_processing_state")
def m0009_processing_state(db: Database) -> None:
    """Store first, process after (issue 16): which pipeline version last processed each document.

    ``version`` is NULL while a new or changed document waits (the backlog), else the
    pipeline version that processed it (0: queued again by ``monitor process --reprocess``);
    ``queued_at`` is when it last entered the backlog, so ``monitor status`` can tell how
    long the oldest waits; ``alerts`` whether processing it may queue alerts (a crawl by
    the daemon, ``import --alerts``); ``error`` why processing failed, if it did. The
    documents already archived were processed inline when stored: they count as
    processed by pipeline version 1.
    """
    db.table("document_processing").create(
        {"document_id": int, "version": int, "queued_at": str, "processed_at": str, "alerts": int, "error": str},
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
        defaults={"alerts": 0},
    )
    db.table("document_processing").create_index(["version", "queued_at"])
    db.execute(
        "INSERT INTO document_processing (document_id, version, queued_at, processed_at, alerts)"
        " SELECT id, 1, coalesce(fetched_at, published), strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), 0 FROM documents"
    )


@migrations(name="0010_processing_failures")
def m0010_processing_failures(db: Database) -> None:
    """Documents whose processing failed, found without reading every processed one (issue 16:
    ``monitor status`` counts them on archives of millions)."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_document_processing_failed ON document_processing (version)"
               " WHERE error IS NOT NULL")


@migrations(name="0013_document_embeddings")
def m0013_document_embeddings(db: Database) -> None:
    """One multilingual embedding of each document's headline and lead (issue 15), computed once.

    ``model`` names the embedder, so vectors of two models are never compared; ``vector``
    is float16 bytes. Cached here so re-matching never re-embeds.
    """
    db.execute(
        "CREATE TABLE IF NOT EXISTS document_embeddings ("
        " document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
        " model TEXT NOT NULL, published TEXT NOT NULL, vector BLOB NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS document_embeddings_model_published"
               " ON document_embeddings (model, published)")


@migrations(name="0017_denials_unmatched")
def m0017_denials_unmatched(db: Database) -> None:
    """Why a detected denial was matched to nothing (issue 15, item 7): NULL while it had
    candidate reports at its last matching, else the reason (no claim terms; no report in
    its window sharing a term or near in embedding). Analysts query it; ``monitor status``
    counts it."""
    db.table("denials").add_column("unmatched", str)


@migrations(name="0018_document_features_count_index")
def m0018_document_features_count_index(db: Database) -> None:
    """A narrow index on ``document_features`` so that counting the indexed documents (the
    learned scorer's term rarity needs it at every matching call) scans it instead of the
    table's features JSON: 45 ms at 100k documents, growing with the archive, down to under
    a millisecond (issue 16, seventh session). Same count: output-neutral by construction."""
    db.execute("CREATE INDEX IF NOT EXISTS document_features_lead_denial ON document_features (lead_denial)")


@migrations(name="0019_indexed_documents_count")
def m0019_indexed_documents_count(db: Database) -> None:
    """The number of indexed documents kept by triggers (``archive_counts``), so that the
    learned scorer's term rarity, which needs it at every matching call, reads one row
    instead of counting an index: the count grew with the archive (about 1 ms at 100k
    documents, 10 at 1M), the rest of a new document's cost does not (issue 16, eighth
    session). Exact, as the count was: rows are added with an upsert (a REPLACE would
    delete without firing the delete trigger), and the migration counts once."""
    db.execute("CREATE TABLE IF NOT EXISTS archive_counts (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute("INSERT OR REPLACE INTO archive_counts (name, value)"
               " SELECT 'indexed_documents', count(*) FROM document_features")
    db.execute("CREATE TRIGGER IF NOT EXISTS document_features_counted_insert AFTER INSERT ON document_features"
               " BEGIN UPDATE archive_counts SET value = value + 1 WHERE name = 'indexed_documents'; END")
    db.execute("CREATE TRIGGER IF NOT EXISTS document_features_counted_delete AFTER DELETE ON document_features"
               " BEGIN UPDATE archive_counts SET value = value - 1 WHERE name = 'indexed_documents'; END")


@migrations(name="0020_match_withdrawals")
def m0020_match_withdrawals(db: Database) -> None:
    """Matches taken back, kept for audit (issue 15, rival claims).

    A daemon judges a pair when the later of its documents arrives; a denial arriving later
    still, whose claim fits the report better, can take the match back
    (``linking.rivalled_matches``). The match row is deleted, as everything that reads
    ``matches`` expects, and a row here keeps what it was: the documents by URL and the
    denial by its quote (row ids do not survive ``monitor match``), the score and
    explanation it had, why and when it went.
    """
    db.table("match_withdrawals").create(
        {
            "id": int,
            "denial_url": str,
            "quote": str,
            "report_url": str,
            "denial_id": int,  # the rows as they were then (may be gone since)
            "report_id": int,
            "score": float,
            "explanation": str,
            "reason": str,
            "withdrawn_at": str,
        },
        pk="id",
        not_null={"denial_url", "report_url", "reason", "withdrawn_at"},
    )
    db.table("match_withdrawals").create_index(["denial_url", "report_url"])
    db.table("match_withdrawals").create_index(["withdrawn_at"])


@migrations(name="0021_matches_rivals")
def m0021_matches_rivals(db: Database) -> None:
    """Each match's rival count in a column of its own (issue 16).

    ``linking.rivalled_matches`` reads the count of every stored match of the reports a new
    denial could rival, every wave; reading it out of the explanation's JSON parsed each
    explanation each time. The writers set it from the explanation they store (one parse,
    in SQL); matches stored before keep theirs (``explanation.rivals``), copied here. A
    match without one (stored without rival claims, or a damaged explanation) has NULL.
    """
    db.execute("ALTER TABLE matches ADD COLUMN rivals INTEGER")
    db.execute("UPDATE matches SET rivals = CASE WHEN json_valid(explanation)"
               " THEN json_extract(explanation, '$.rivals') END")


@migrations(name="0022_term_document_counts")
def m0022_term_document_counts(db: Database) -> None:
    """How many indexed documents carry each index term (``term_counts``), so that the
    learned scorer's term rarity reads one row a term.

    Counting a term's rows in ``document_terms`` cost what the archive holds of it: at a
    million documents a common term ("event:talks") has 200,000 rows, and every denial's
    terms were counted at each matching call (median cost of a new document flat, its 90th
    percentile 13 ms at 10k documents and 234 ms at 1M: twentieth session). The one writer of
    ``document_terms`` (``AnalysisMixin.replace_document_index``) keeps the counts in the same
    statement group as the rows; triggers cost twice as much a row. A term no document
    carries any more keeps a row at 0. The migration counts once.
    """
    db.execute("CREATE TABLE IF NOT EXISTS term_counts (term TEXT PRIMARY KEY, documents INTEGER NOT NULL) WITHOUT ROWID")
    db.execute("INSERT OR REPLACE INTO term_counts (term, documents)"
               " SELECT term, count(*) FROM document_terms GROUP BY term")
