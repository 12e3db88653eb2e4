"""Documents: insert, update with revisions, look up. Part of ``Store``.

Identity is the canonical URL. A document seen again with the same content is not
rewritten (its row and full-text entry stay untouched); a changed one is updated in
place and its previous version is copied to ``revisions`` first, because official
transcripts are edited after publication and analysts need to see what changed.

A revision means the content changed: the title or text once whitespace is
normalised (issue 17). The published time is not content: when two sources of a site
carry the same URL and disagree on it (the Kremlin feed without ``tz_fix`` is an hour
off the news listing), a fixed preference decides, never the last crawl: the date's
origin (``extra.published_from``) ranks page markup over a feed over an estimate
(``PUBLISHED_RANK``); on a tie the source that stored it keeps it, unless the same
source sends a correction. The winner's source and metadata stay with the document,
so a shared URL no longer flips between sources at every crawl.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from monitor.models import Document
from monitor.timeutil import format_timestamp, now_iso, parse_timestamp

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class UpsertResult:
    """What happened to one document: ``new``, ``updated`` or ``unchanged``."""

    id: int
    status: str


def content_hash(title: str, text: str, published: str) -> str:
    """Fingerprint of what analysts read; a change here makes a revision."""
    # each part followed by a NUL byte; one encode of the joined string (the same bytes)
    return hashlib.sha256(f"{title}\x00{text}\x00{published}\x00".encode("utf-8")).hexdigest()


def document_values(doc: Document) -> tuple[Any, ...]:
    """A document's column values, in ``_COLUMNS`` order (the batch insert's row: no dict)."""
    published = format_timestamp(doc.published)
    title, text = doc.title, doc.text
    return (doc.url, doc.source, doc.role, title, text, published, doc.lang,
            format_timestamp(doc.fetched_at) if doc.fetched_at else None,
            content_hash(title, text, published),
            json.dumps(dict(doc.extra), ensure_ascii=False, sort_keys=True) if doc.extra else None)


def document_row(doc: Document) -> dict[str, Any]:
    return dict(zip(_COLUMNS, document_values(doc)))


def row_to_document(row: dict[str, Any]) -> Document:
    return Document(
        url=row["url"],
        title=row["title"] or "",
        text=row["text"] or "",
        published=parse_timestamp(row["published"]),
        source=row["source"],
        role=row["role"] or "media",
        lang=row["lang"],
        extra=json.loads(row["extra"]) if row.get("extra") else {},
        fetched_at=parse_timestamp(row["fetched_at"]) if row.get("fetched_at") else None,
    )


_METADATA = ("source", "role", "lang", "extra")
_COLUMNS = ("url", "source", "role", "title", "text", "published", "lang", "fetched_at", "content_hash", "extra")
_COLUMN_LIST = ", ".join(_COLUMNS)
_ROW_MARKS = "(" + ",".join("?" * len(_COLUMNS)) + ")"
#: URLs per lookup and rows per multi-row INSERT (x 10 columns): under SQLite's variable
#: limit since 3.32 (32,766), so an import batch of 200 is one statement.
_LOOKUP_CHUNK = 500
_INSERT_CHUNK = 500


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

#: How much a published time is trusted, by where it came from (``extra.published_from``):
#: the page's own markup over a feed entry; a time estimated from the fetch, or reused
#: from the archive by an item without one (``spiders.pipelines``), is last. A
#: document without the key (an import, an older archive) counts as "page": it was given.
PUBLISHED_RANK = {"page": 2, "feed": 1, "estimated": 0, "archive": 0}


def published_rank(extra: dict[str, Any] | None) -> int:
    """Trust in a document's published time, from its ``extra`` (see ``PUBLISHED_RANK``)."""
    extra = extra or {}
    if extra.get("published_estimated"):
        return PUBLISHED_RANK["estimated"]
    return PUBLISHED_RANK.get(str(extra.get("published_from") or "page"), PUBLISHED_RANK["page"])


def normalised(text: str | None) -> str:
    """Text as compared for revisions: whitespace runs collapsed, ends stripped."""
    return " ".join((text or "").split())


class DocumentsMixin:
    db: "Database"

    def queue_document(self, document_id: int, *, alerts: bool = False) -> None:
        raise NotImplementedError  # ProcessingMixin's

    def queue_documents(self, document_ids: Iterable[int], *, alerts: bool = False) -> None:
        raise NotImplementedError  # ProcessingMixin's

    def upsert_documents(self, docs: Iterable[Document], *, alerts: bool = False) -> list[UpsertResult]:
        """``upsert_document`` for a batch, in order: the store path of crawls and imports.

        The new documents (most of an import) are looked up, inserted and queued for
        processing with one statement each for the batch rather than three per document;
        known ones go through ``upsert_document`` (unchanged, or updated with a revision).
        The same URL twice in a batch: in order, the later one wins. Call inside
        ``Store.atomic()``.
        """
        docs = list(docs)
        urls = [d.url for d in docs]
        if len(set(urls)) < len(urls):
            return [self.upsert_document(d, alerts=alerts) for d in docs]
        conn = self.db.conn
        known: set[str] = set()
        for chunk in _chunks(urls, _LOOKUP_CHUNK):
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in conn.execute(f"SELECT url FROM documents WHERE url IN ({marks})", chunk))
        fresh = [document_values(d) for d in docs if d.url not in known]
        ids: dict[str, int] = {}
        for chunk in _chunks(fresh, _INSERT_CHUNK):
            # One multi-row INSERT ... RETURNING per chunk: about half the cost of an
            # executemany of the same rows with the FTS5 trigger (issue 16, measured).
            ids.update((u, int(i)) for i, u in conn.execute(
                f"INSERT INTO documents ({_COLUMN_LIST}) VALUES {','.join([_ROW_MARKS] * len(chunk))}"
                " RETURNING id, url", [v for row in chunk for v in row]))
        if fresh:
            self.queue_documents([ids[row[0]] for row in fresh], alerts=alerts)
        return [self.upsert_document(d, alerts=alerts) if d.url in known else UpsertResult(ids[d.url], "new")
                for d in docs]

    def upsert_document(self, doc: Document, *, alerts: bool = False) -> UpsertResult:
        """Store ``doc``; keep the previous version in ``revisions`` if its content changed.

        A new or changed document enters the processing backlog in the same statement
        batch (``queue_document``; ``alerts``: its processing may queue alerts), so a crash
        after the commit loses nothing. Call inside ``Store.atomic()`` to batch many
        documents in one transaction.
        """
        row = document_row(doc)
        existing = self.db.execute(
            "SELECT id, title, text, published, content_hash, fetched_at, source, role, lang, extra"
            " FROM documents WHERE url = ?",
            [doc.url],
        ).fetchone()
        if existing is None:
            cursor = self.db.execute(
                "INSERT INTO documents (url, source, role, title, text, published, lang,"
                " fetched_at, content_hash, extra) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [row[k] for k in ("url", "source", "role", "title", "text", "published", "lang",
                                  "fetched_at", "content_hash", "extra")],
            )
            new_id = int(cursor.lastrowid or 0)
            self.queue_document(new_id, alerts=alerts)
            return UpsertResult(new_id, "new")
        doc_id, old_title, old_text, old_published, old_hash, old_fetched = existing[:6]
        old_meta = dict(zip(_METADATA, existing[6:]))
        old_extra = json.loads(old_meta["extra"]) if old_meta["extra"] else {}
        new_rank, old_rank = published_rank(dict(doc.extra)), published_rank(old_extra)
        # Issue 17: the better-sourced date and metadata win; a tie keeps what is stored,
        # unless it is the same source correcting itself.
        prefer_new = new_rank > old_rank or (new_rank == old_rank and row["source"] == old_meta["source"])
        published = row["published"] if prefer_new else old_published
        same_content = (normalised(old_title) == normalised(row["title"])
                        and normalised(old_text) == normalised(row["text"]))
        if same_content:
            changed = {k: row[k] for k in _METADATA if prefer_new and row[k] is not None and row[k] != old_meta[k]}
            if published != old_published:
                changed.update(published=published, content_hash=content_hash(old_title, old_text, published))
            if changed:
                sets = ", ".join(f"{k} = ?" for k in changed)
                self.db.execute(f"UPDATE documents SET {sets} WHERE id = ?", [*changed.values(), doc_id])
            # A better date is an update (processing sees it again), never a revision.
            if published != old_published:
                self.queue_document(int(doc_id), alerts=alerts)
                return UpsertResult(int(doc_id), "updated")
            return UpsertResult(int(doc_id), "unchanged")
        self.db.execute(
            "INSERT INTO revisions (document_id, title, text, published, content_hash, fetched_at,"
            " replaced_at) VALUES (?,?,?,?,?,?,?)",
            [doc_id, old_title, old_text, old_published, old_hash, old_fetched, now_iso()],
        )
        row = {**row, "published": published, "content_hash": content_hash(row["title"], row["text"], published)}
        if not prefer_new:
            row.update({k: old_meta[k] for k in _METADATA})
        updates = {k: v for k, v in row.items() if k != "url" and (v is not None or k in ("title", "text"))}
        sets = ", ".join(f"{k} = ?" for k in updates)
        self.db.execute(f"UPDATE documents SET {sets} WHERE id = ?", [*updates.values(), doc_id])
        self.queue_document(int(doc_id), alerts=alerts)
        return UpsertResult(int(doc_id), "updated")

    def get_document(self, doc_id: int) -> Document | None:
        row = self._document_rows("id = ?", [doc_id])
        return next(row, None)

    def get_document_by_url(self, url: str) -> tuple[int, Document] | None:
        cur = self.db.execute("SELECT id FROM documents WHERE url = ?", [url]).fetchone()
        if cur is None:
            return None
        doc = self.get_document(int(cur[0]))
        return (int(cur[0]), doc) if doc else None

    def get_documents(self, ids: Iterable[int], *, text: bool = True) -> dict[int, Document]:
        """The documents of ``ids`` that exist; ``text=False`` leaves their texts out (read as
        ""), for a caller that needs only the rest (the writer of a wave its workers analysed)."""
        id_list = list(ids)
        found: dict[int, Document] = {}
        columns = self._document_columns()
        select = "*" if text else ", ".join("'' AS text" if c == "text" else f'"{c}"' for c in columns)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            placeholders = ",".join("?" for _ in chunk)
            for row in self.db.execute(
                f"SELECT {select} FROM documents WHERE id IN ({placeholders})", chunk
            ).fetchall():
                record = dict(zip(columns, row))
                found[int(record["id"])] = row_to_document(record)
        return found

    def document_ids_since(self, since: str | None = None) -> list[int]:
        """Ids of documents published at or after ``since`` (all when None), oldest first."""
        if since is None:
            rows = self.db.execute("SELECT id FROM documents ORDER BY published, id").fetchall()
        else:
            rows = self.db.execute(
                "SELECT id FROM documents WHERE published >= ? ORDER BY published, id", [since]
            ).fetchall()
        return [int(r[0]) for r in rows]

    def count_documents(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def revisions_of(self, doc_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db["revisions"].rows_where("document_id = ?", [doc_id], order_by="id")]

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over title and text (FTS5 syntax), best first."""
        sql = (
            "SELECT documents.id, documents.url, documents.title, documents.published,"
            " documents.source FROM documents_fts JOIN documents ON documents.id = documents_fts.rowid"
            " WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts) LIMIT ?"
        )
        cols = ("id", "url", "title", "published", "source")
        return [dict(zip(cols, r)) for r in self.db.execute(sql, [query, limit]).fetchall()]

    def _document_columns(self) -> list[str]:
        cols = getattr(self, "_doc_cols", None)
        if cols is None:
            cols = [c.name for c in self.db["documents"].columns]
            self._doc_cols = cols
        return cols

    def _document_rows(self, where: str, params: list[Any]) -> Iterator[Document]:
        for row in self.db.execute(f"SELECT * FROM documents WHERE {where}", params).fetchall():
            yield row_to_document(dict(zip(self._document_columns(), row)))
