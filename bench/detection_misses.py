"""Why labelled denials get no denial row: a breakdown by language and by cause (issue 15 item 8).

Labelled denials: every ``has_denial`` statement of the four statements files and every gold
denial document (``*_gold.jsonl`` ``denial_url``; each should get a denial row, and each one
missed loses all its gold pairs in matching). For every one ``detect_denials`` (rules + the
shipped learned stage) finds nothing in, the cause is the first stage that lost it:

- ``no stem``: no prefilter word anywhere (``cue_stems.tsv``): nothing downstream ever sees it;
- ``stem, no cue``: stems but no rule cue; then either the learned stage has no candidate
  (``no Russian voice``: no Russian speaker in or around a stem sentence) or its probability
  is below the threshold;
- ``cue rejected``: rule cues found, every one dropped by ``candidates.find_candidates``
  (``no speaker``: not attributed; ``foreign speaker``; a support rule; ...), and the learned
  stage did not add one either.

The learned stage's probability here is the shipped model's, which was fitted on these very
documents: in-sample, so "below threshold" is if anything undercounted. Prints counts only,
never a document's text or URL.

    .venv/bin/python bench/detection_misses.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.detection_halves import FILES, SHARED, case_index, half_of, load  # noqa: E402
from monitor.detect.candidates import find_candidates  # noqa: E402
from monitor.detect.denials import detect_denials, prepare_sentences  # noqa: E402
from monitor.detect.learned import document_features, load_detector, pool  # noqa: E402
from monitor.evaluate.detection import document_from_record  # noqa: E402


def labelled_denials(data: Path) -> list[dict]:
    """(record, origin, led, gold pairs it carries) for every labelled denial, once per URL."""
    out: dict[str, dict] = {}
    for name, (gold, led) in FILES.items():
        if not (data / name).exists():
            continue
        docs = {r["url"]: r for r in load(data / name.replace("statements", "documents"))}
        pairs: Counter[str] = Counter()
        for g in load(data / gold):
            pairs[g["denial_url"]] += len(g.get("contradicts", []))
        for r in load(data / name):
            if r.get("has_denial") and r["url"] not in out:
                out[r["url"]] = {"rec": r, "origin": "statement", "led": led, "pairs": pairs.get(r["url"], 0)}
        for url, n in pairs.items():
            if url in out:
                out[url]["origin"] = "both"
            elif url in docs:
                out[url] = {"rec": docs[url], "origin": "gold denial", "led": led, "pairs": n}
    return list(out.values())


def cause(doc) -> str:
    """The first stage that lost the denial of ``doc`` (see the module docstring)."""
    model = load_detector()
    sents = prepare_sentences(doc, stems=True)
    if not sents:
        return "no stem"
    learned = document_features(sents, doc)
    if learned:
        named, terms = pool([(v, t) for _, v, t in learned])
        tail = f"learned p {'< 0.5' if model.probability(named, terms) < 0.5 else '>= 0.5'} (threshold {model.threshold})"
    else:
        tail = "no learned candidate (no Russian voice)"
    if not any(s.cues for s in sents):
        return f"stem, no cue; {tail}"
    why: list[str] = []
    find_candidates(sents, doc, why)
    counts = Counter(why)
    if set(counts) <= {"no speaker", "foreign speaker"}:
        main = "speaker: " + "+".join(sorted(counts))
    else:
        main = "rule: " + max((n, k) for k, n in counts.items() if k not in ("no speaker", "foreign speaker"))[1]
    return f"cue rejected ({main}); {tail}"


def lang_group(lang: str) -> str:
    lang = (lang or "?").split("-")[0].lower()
    return lang if lang in ("en", "ru") else "other"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED)
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data}: absent, nothing to measure")
        return 0
    cases = case_index(args.data)
    rows = labelled_denials(args.data)
    missed = []
    for row in rows:
        doc = document_from_record(row["rec"])
        if not detect_denials(doc):
            missed.append(dict(row, cause=cause(doc), lang=(row["rec"].get("lang") or "?").split("-")[0].lower(),
                               half=half_of(cases.get(row["rec"]["url"], "url:" + row["rec"]["url"]))))
    print(f"labelled denials {len(rows)} (statements and gold denial documents, once each); "
          f"missed {len(missed)}, carrying {sum(m['pairs'] for m in missed)} of {sum(r['pairs'] for r in rows)} gold pairs")
    for led in ("en", "ru"):
        sel = [m for m in missed if m["led"] == led]
        tot = [r for r in rows if r["led"] == led]
        print(f"\n{led.upper()}-led: missed {len(sel)} of {len(tot)} labelled denials "
              f"(gold pairs {sum(m['pairs'] for m in sel)} of {sum(r['pairs'] for r in tot)})")
        by_lang: dict[str, Counter[str]] = defaultdict(Counter)
        for r in tot:
            by_lang[lang_group(r["rec"].get("lang"))]["all"] += 1
        for m in sel:
            by_lang[lang_group(m["lang"])]["missed"] += 1
        print("  by language: " + ", ".join(f"{k} {v['missed']}/{v['all']}" for k, v in sorted(by_lang.items())))
        other = Counter(m["lang"] for m in sel if lang_group(m["lang"]) == "other")
        if other:
            print("  third languages missed: " + ", ".join(f"{k} {n}" for k, n in other.most_common()))
        print(f"  {'cause':78} {'docs':>4} {'pairs':>5}  en/ru/other  half A/B  statement/gold/both")
        groups: dict[str, list[dict]] = defaultdict(list)
        for m in sel:
            groups[m["cause"]].append(m)
        for c, ms in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            lg = Counter(lang_group(m["lang"]) for m in ms)
            hv = Counter(m["half"] for m in ms)
            og = Counter(m["origin"] for m in ms)
            print(f"  {c:78} {len(ms):>4} {sum(m['pairs'] for m in ms):>5}  {lg['en']}/{lg['ru']}/{lg['other']}"
                  f"{'':8}{hv['A']}/{hv['B']}{'':6}{og['statement']}/{og['gold denial']}/{og['both']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
