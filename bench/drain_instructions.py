"""Instructions a 1-worker drain executes, counted by valgrind (issues 15 and 16): a cost figure
that does not move with the machine's load.

    .venv/bin/python bench/drain_instructions.py [--docs 1000] [--checkout PATH]

CPU time on this shared 2-core machine moves by ±10 % from run to run whenever another
process runs (``bench/drain_cost.py`` prints a reference workload beside it for that reason),
which hides the 1-3 % that one change to matching is worth. Instructions do not: two runs of
the same code differ by about 0.03 %. This script stores ``--docs`` one-world documents of
``bench/synth.py`` with a store-only import (the same corpus file as ``drain_cost.py``), loads
the models, and drains them with ``workers=1`` while valgrind's callgrind counts: counting is
switched on just before ``drain_backlog`` and off after it (``callgrind_control``), so the
import and model loading are left out. It prints the drain's instructions, per document, and
the matches stored (the same count for two versions whose output is the same).

``--checkout`` drains with another checkout's ``monitor`` (an A/B is two lines, one per
checkout, each run alone or beside anything: the counts do not care). Needs ``valgrind``
(Debian package) and about 80x the drain's CPU time: ~4 minutes for 1,000 documents.
Instructions are not time (a cache miss costs more than an add), so a change that only moves
memory traffic should be timed with ``drain_cost.py`` as well.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def drain(checkout: Path, docs: int) -> int:
    """The inner run (under valgrind): store, load, then drain with counting on."""
    sys.path.insert(0, str(checkout))
    sys.path.insert(0, str(checkout / "bench"))
    import synth

    from monitor.collect.ingest import import_jsonl
    from monitor.match.scoring import MatchingConfig
    from monitor.pipeline import PIPELINE_VERSION
    from monitor.process import drain_backlog
    from monitor.process.backlog import warm_up
    from monitor.store import Store

    corpus = Path(tempfile.gettempdir()) / f"drain-cost-{docs}.jsonl"
    if not corpus.exists():
        synth.write_jsonl(corpus, docs)
    tmp = Path(tempfile.mkdtemp())
    try:
        store = Store.open(tmp / "archive.db")
        with corpus.open("rb") as fh:
            import_jsonl(store, fh, store_only=True)
        warm_up(store, PIPELINE_VERSION, MatchingConfig())
        control = ["callgrind_control", "--instr={}", str(os.getpid())]
        subprocess.run([c.format("on") for c in control], check=True, capture_output=True)
        report = drain_backlog(store, workers=1, pool_min=0)
        subprocess.run([c.format("off") for c in control], check=True, capture_output=True)
        store.close()
    finally:
        shutil.rmtree(tmp)
    print(f"MATCHES {report.matches} DOCUMENTS {report.documents}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose monitor drains (default: this one)")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        return drain(args.checkout.resolve(), args.docs)
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("drain_instructions.py: valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
             sys.executable, __file__, "--inner", "--docs", str(args.docs), "--checkout", str(args.checkout)],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    counted = re.search(r"Collected : (\d+)", proc.stderr)
    done = re.search(r"MATCHES (\d+) DOCUMENTS (\d+)", proc.stdout)
    if proc.returncode or counted is None or done is None:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
        sys.exit(f"drain_instructions.py: the drain under valgrind failed (exit {proc.returncode})")
    instructions, documents = int(counted.group(1)), int(done.group(2))
    print(f"RESULT {args.checkout.resolve().name} documents={documents} matches={done.group(1)} "
          f"instructions={instructions} per_doc={instructions / max(documents, 1) / 1e6:.3f}M")
    return 0


if __name__ == "__main__":
    sys.exit(main())
