"""CPU cost of each embedder on the synthetic corpus, in one process (issue 16).

    .venv/bin/python bench/embedder_cost.py [--docs 3000] [--embedders use-m3,use-m3-static] [--max-pieces 48,64]

Embeds the headline + lead (``embedding_text``) of ``--docs`` documents of ``bench/synth.py`` in
groups of 64 (the processing stage's analysis groups), after loading each model, and prints CPU
milliseconds a document, the ratio to the first embedder, and how the others' cosines over random
pairs of these documents track the first one's (correlation, mean). ``--max-pieces`` adds ``use-m3``
capped at each number of SentencePiece pieces (``MONITOR_EMBED_MAX_PIECES``), with the mean and
lowest cosine of each document's capped vector to its ``use-m3`` one, and the pieces kept.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synth  # noqa: E402

from monitor.match.features import body_lead  # noqa: E402
from monitor.text.embeddings import make_embedder, embedding_text  # noqa: E402

GROUP = 64


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--embedders", default="use-m3,use-m3-static")
    ap.add_argument("--max-pieces", default="", help="comma-separated caps of use-m3's pieces to time too")
    args = ap.parse_args()
    recs = list(synth.generate(args.docs, seed=3))
    texts = [embedding_text(r["title"], body_lead(r["title"], r["text"])) for r in recs]
    pairs = np.random.default_rng(0).integers(0, len(texts), (20000, 2))
    first: tuple[float, np.ndarray] | None = None
    plain: np.ndarray | None = None
    runs = [(name, None) for name in args.embedders.split(",")]
    runs += [("use-m3", int(cap)) for cap in args.max_pieces.split(",") if cap]
    for name, cap in runs:
        emb = make_embedder(name, cap)
        assert emb is not None, name
        emb.load()
        emb.embed(texts[:GROUP])  # warm up
        t0 = time.process_time()
        vecs = np.concatenate([emb.embed(texts[i:i + GROUP]) for i in range(0, len(texts), GROUP)])
        ms = (time.process_time() - t0) / len(texts) * 1000
        cos = np.einsum("ij,ij->i", vecs[pairs[:, 0]], vecs[pairs[:, 1]])
        line = f"{emb.name:16s} {ms:6.3f} CPU ms/doc  mean cosine of random pairs {cos.mean():.3f}"
        if emb.name == "use-m3":
            plain = vecs
        elif cap is not None and plain is not None:
            own = np.einsum("ij,ij->i", vecs, plain)
            line += f"  cosine to use-m3's own vector mean {own.mean():.4f} lowest {own.min():.4f}"
        if first is None:
            first = (ms, cos)
        else:
            line += f"  ratio {first[0] / ms:5.1f}x cheaper  cosine correlation with the first {np.corrcoef(first[1], cos)[0, 1]:.3f}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
