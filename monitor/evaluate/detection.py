"""Measure denial detection on labelled JSON Lines, the way the held-out judge does.

Its job: read a statements file (import format plus ``has_denial``), run
``detect_denials`` on each document, and report document-level precision, recall and
F1, plus speaker accuracy on true positives when a gold file names the speakers.
Pure functions do the scoring; ``evaluate_detection`` and ``main`` are the thin
runner that reads files.

It must not write anything, touch the archive, or depend on ``../shared`` existing:
callers pass paths.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from monitor.detect.denials import SPEAKER_GROUP, canonical_speaker, detect_denials
from monitor.models import Denial, Document

__all__ = [
    "document_from_record",
    "evaluate_detection",
    "load_jsonl",
    "main",
    "prf",
    "primary_speaker",
    "speaker_correct",
]


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Records of a JSON Lines file; blank lines are skipped."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def document_from_record(rec: Mapping[str, Any]) -> Document:
    """A ``Document`` from an import-format record (date-only and naive times are UTC)."""
    raw = str(rec.get("published") or "1970-01-01")
    published = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if published.tzinfo is None:
        published = published.replace(tzinfo=dt.timezone.utc)
    return Document(
        url=rec["url"],
        title=rec.get("title") or "",
        text=rec.get("text") or "",
        published=published.astimezone(dt.timezone.utc),
        source=rec.get("source") or "",
        role=rec.get("role") or "media",
        lang=rec.get("lang"),
    )


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1; an empty denominator scores 1.0 (nothing to get wrong)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def primary_speaker(denials: Sequence[Denial]) -> str | None:
    """The speaker a document is credited to: its first denial (``detect_denials`` puts
    the one the headline names first)."""
    return denials[0].speaker if denials else None


def speaker_correct(predicted: str, gold: str, lenient: bool = False) -> bool:
    """Whether the predicted canonical speaker is one of the gold speakers.

    Strict: same person or institution. Lenient: same institution ("Kremlin" for
    "Dmitry Peskov"), reported beside the strict figure.
    """
    pred = canonical_speaker(predicted) or [predicted]
    golds = canonical_speaker(gold)
    if any(p in golds for p in pred):
        return True
    if lenient:
        groups = {SPEAKER_GROUP.get(g, g) for g in golds}
        return any(SPEAKER_GROUP.get(p, p) in groups for p in pred)
    return False


def evaluate_detection(
    path: str | Path,
    gold_paths: Iterable[str | Path] = (),
    verbose: bool = False,
) -> dict[str, Any]:
    """Document-level P/R/F1 of ``detect_denials`` on a statements file, printed and returned.

    ``gold_paths`` are ``*_gold.jsonl`` files whose ``denial_url``/``speaker`` give the
    expected speaker of a document (a record's own ``speaker`` field also counts);
    speaker accuracy is computed over true positives that have one (``None`` when
    none do). The returned dict also lists every error for inspection.
    """
    records = load_jsonl(path)
    gold_speaker: dict[str, str] = {}
    for gp in gold_paths:
        if Path(gp).exists():
            for g in load_jsonl(gp):
                gold_speaker.setdefault(g["denial_url"], g["speaker"])
    tp = fp = fn = tn = 0
    spk_n = spk_ok = spk_len = 0
    errors: list[str] = []
    t0 = time.perf_counter()
    for rec in records:
        if rec.get("speaker"):  # our own fixtures carry the expected speaker inline
            gold_speaker.setdefault(rec["url"], rec["speaker"])
        doc = document_from_record(rec)
        dens = detect_denials(doc)
        pred, want = bool(dens), bool(rec.get("has_denial"))
        if pred and want:
            tp += 1
            gold = gold_speaker.get(doc.url)
            if gold:
                spk_n += 1
                who = primary_speaker(dens) or ""
                if speaker_correct(who, gold):
                    spk_ok += 1
                else:
                    errors.append(f"SPEAKER {who!r} != {gold!r} {doc.url}")
                spk_len += speaker_correct(who, gold, lenient=True)
        elif pred:
            fp += 1
            errors.append(f"FP {doc.url} :: {dens[0].speaker} {dens[0].cue!r} :: {dens[0].quote[:120]!r}")
        elif want:
            fn += 1
            errors.append(f"FN {doc.url} :: {doc.title[:90]!r}")
        else:
            tn += 1
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(records))
    p, r, f = prf(tp, fp, fn)
    result = {
        "file": str(path),
        "n": len(records),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f, 3),
        "speaker_n": spk_n,
        "speaker_accuracy": round(spk_ok / spk_n, 3) if spk_n else None,
        "speaker_accuracy_institution": round(spk_len / spk_n, 3) if spk_n else None,
        "ms_per_doc": round(ms, 2),
        "errors": errors,
    }
    print(
        f"{Path(path).name}: n={len(records)} P={p:.3f} R={r:.3f} F1={f:.3f} "
        f"(tp={tp} fp={fp} fn={fn} tn={tn}) speaker={result['speaker_accuracy']} "
        f"(n={spk_n}, institution={result['speaker_accuracy_institution']}) {ms:.2f} ms/doc"
    )
    if verbose:
        for e in errors:
            print("  " + e)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m monitor.evaluate.detection STATEMENTS.jsonl [--gold GOLD.jsonl ...] [-v]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    gold: list[str] = []
    files: list[str] = []
    it = iter(args)
    for a in it:
        if a == "--gold":
            gold.append(next(it))
        else:
            files.append(a)
    if not files:
        print("usage: python -m monitor.evaluate.detection STATEMENTS.jsonl [--gold GOLD.jsonl] [-v]", file=sys.stderr)
        return 2
    for f in files:
        evaluate_detection(f, gold, verbose=verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
