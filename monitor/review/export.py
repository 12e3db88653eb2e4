"""Analysts' verdicts as JSON Lines: labelled training data, and a flat audit form.

``gold_lines`` follows the shared labelled-data format the matcher trains on (one line
per denial document: ``case``, ``denial_url``, ``speaker``, ``denied_claim``, ``contradicts``,
``not_contradicts``), plus ``has_denial`` (false when an analyst said the document's
denials are not denials) and ``feedback`` (the flat records behind the line). The
latest verdict on a (denial, report) pair wins: a match first marked wrong and then
right is in ``contradicts``. ``flat_lines`` is one line per verdict, oldest first.

Pure: rows in (``Store.feedback_rows``), dicts out. It must not read the archive.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping


def flat_record(row: dict[str, Any]) -> dict[str, Any]:
    """One verdict: denial url, report url, verdict, note, who, when (and what was judged)."""
    return {
        "denial_url": row["denial_url"],
        "report_url": row.get("report_url"),
        "verdict": row["verdict"],
        "note": row.get("note"),
        "who": row.get("who"),
        "when": row["created_at"],
        "quote": row.get("quote"),
        "speaker": row.get("speaker"),
        "claim": row.get("claim"),
        "score": row.get("score"),
        "via": row.get("via"),
        "feedback_id": row["id"],
    }


def flat_lines(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [flat_record(r) for r in sorted(rows, key=lambda r: r["id"])]


def gold_lines(rows: Iterable[dict[str, Any]], cases: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One line per denial document that has verdicts, in order of its first verdict.

    ``case`` groups the lines of one denial event (``cases``: denial URL -> the event's
    key, from the archive), so that leave-one-case-out training keeps an event's denial
    documents together; a document no event holds any more is a case of its own.
    """
    cases = cases or {}
    by_denial: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        by_denial.setdefault(row["denial_url"], []).append(row)
    out = []
    for denial_url, verdicts in by_denial.items():
        pairs: dict[str, str] = {}  # report url -> latest verdict
        quotes: dict[str | None, str] = {}  # denial quote -> latest verdict on the denial
        for v in verdicts:
            if v.get("report_url"):
                pairs[v["report_url"]] = v["verdict"]
            else:
                quotes[v.get("quote")] = v["verdict"]
        has_denial = not quotes or any(verdict != "not-a-denial" for verdict in quotes.values())
        speaker = next((v["speaker"] for v in reversed(verdicts) if v.get("speaker")), None)
        claim = next((v["claim"] for v in reversed(verdicts) if v.get("claim")), None)
        out.append({
            "case": f"feedback:{cases.get(denial_url) or denial_url}",
            "denial_url": denial_url,
            "speaker": speaker,
            "denied_claim": claim,
            "contradicts": sorted(u for u, v in pairs.items() if v in ("right", "missed") and has_denial),
            "not_contradicts": sorted(u for u, v in pairs.items() if v == "wrong" or not has_denial),
            "has_denial": has_denial,
            "source": "feedback",
            "feedback": [flat_record(v) for v in verdicts],
        })
    return out
