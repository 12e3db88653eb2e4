"""Latency per stage of alerted events (issue 19): "how fast did we know?".

For every alert the archive keeps the document that completed it through each stage
(``alert_latency``: published, fetched, stored, processed, queued, delivered; written
by ``Store.record_alert_latency`` and ``mark_alert_sent``); the view
``alert_latency_seconds`` turns them into seconds per stage. This module summarises
those rows as p50/p95 per stage (nearest-rank percentiles) for ``monitor status``.
Pure: rows in, numbers and text out.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

#: (column of ``alert_latency_seconds``, label) in pipeline order; the last is end to end.
STAGES = (
    ("published_to_fetched", "published->fetched"),
    ("fetched_to_stored", "fetched->stored"),
    ("stored_to_processed", "stored->processed"),
    ("processed_to_queued", "processed->queued"),
    ("queued_to_delivered", "queued->delivered"),
    ("published_to_delivered", "published->delivered"),
)


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile ``q`` (0-100) of ``values``; None when there are none."""
    data = sorted(values)
    if not data:
        return None
    rank = max(1, math.ceil(q / 100 * len(data)))
    return data[rank - 1]


def latency_summary(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``{"alerts": n, "stages": {column: {"p50", "p95", "n"}}}`` over the given rows.

    A stage a row did not go through (an imported document has no fetch time; an
    alert not yet delivered has no delivery) is left out of that stage only.
    """
    rows = list(rows)
    stages = {}
    for column, _label in STAGES:
        values = [float(r[column]) for r in rows if r.get(column) is not None]
        stages[column] = {"p50": percentile(values, 50), "p95": percentile(values, 95), "n": len(values)}
    return {"alerts": len(rows), "stages": stages}


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 5400:
        return f"{value / 3600:.1f}h"
    if abs(value) >= 90:
        return f"{value / 60:.0f}m"
    return f"{value:.0f}s"


def latency_line(summary: dict[str, Any]) -> str:
    """One line for ``monitor status``: p50/p95 per stage."""
    if not summary["alerts"]:
        return "alert latency (last 24 h): no alerts queued"
    parts = [f"{label} {_seconds(summary['stages'][col]['p50'])}/{_seconds(summary['stages'][col]['p95'])}"
             for col, label in STAGES]
    return f"alert latency (last 24 h, {summary['alerts']} alerts, p50/p95): " + ", ".join(parts)
