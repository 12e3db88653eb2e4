"""Denials, denial events, matches and the concept index. Part of ``Store``.

Writes here are idempotent per document: re-processing a document replaces its
denials (and their matches) rather than adding copies, so ``monitor match`` can be
re-run at will.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from ..models import Denial
from ..timeutil import now_iso

if TYPE_CHECKING:
    from sqlite_utils import Database


def denial_row(document_id: int, published: str, denial: Denial) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "speaker": denial.speaker,
        "cue": denial.cue,
        "quote": denial.quote,
        "claim": denial.claim,
        "lang": denial.lang,
        "cue_class": denial.cue_class,
        "entities": json.dumps(list(denial.entities), ensure_ascii=False),
        "event_type": denial.event_type,
        "event_date": denial.event_date.isoformat() if denial.event_date else None,
        "outlets": json.dumps(list(denial.outlets), ensure_ascii=False),
        "confidence": denial.confidence,
        "position": denial.position,
        "published": published,
        "detected_at": now_iso(),
    }


class AnalysisMixin:
    db: "Database"

    def replace_denials(self, document_id: int, published: str, denials: Iterable[Denial]) -> list[int]:
        """Make ``denials`` the document's denials (dropping earlier ones and their matches)."""
        old = [r[0] for r in self.db.execute("SELECT id FROM denials WHERE document_id = ?", [document_id])]
        if old:
            marks = ",".join("?" for _ in old)
            self.db.execute(f"DELETE FROM matches WHERE denial_id IN ({marks})", old)
            self.db.execute(f"DELETE FROM denials WHERE id IN ({marks})", old)
        ids = []
        for denial in denials:
            ids.append(int(self.db["denials"].insert(denial_row(document_id, published, denial)).last_pk or 0))
        return ids

    def count_denials(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM denials").fetchone()[0])

    def count_matches(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM matches").fetchone()[0])
