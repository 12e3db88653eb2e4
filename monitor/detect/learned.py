"""The learned denial stage: a logistic model over permissive candidates (issue 15 item 8).

Why: hand rules tuned on half of the labelled pool did not move the other half at all:
every new rule fixed the sentence it was written for. A model over *general* signals
(which cue family, is a Russian official named or quoted nearby, is it a question, a
plan, a "no comment", where in the article, which words around the cue) learns what
the rules share instead of one case each, and leave-one-case-out cross-validation says
whether it generalises (``bench/detection_cv.py``).

Its job: for the sentences of one prepared document, list the *candidates* (any sentence
with a prefilter stem, in any language: much looser than the rule cues), describe each
by a vector of named features plus hashed word uni- and bigrams, pool them per document
(element-wise max: "some sentence has a quoted Russian official and a denial word") and
score the pool with the weights shipped in ``detector.json``. ``best_candidate`` returns
the sentence that carries the denial when the document's probability reaches the
threshold chosen by cross-validation. The detector uses it only where the rules found
no denial: it adds denials, it never removes one.

It must not do I/O beyond reading its weights, attribute speakers or build claims (the
detector's existing extraction does that for the sentence it returns), and needs no
scikit-learn at runtime (``monitor.evaluate.detection_training`` fits the weights).
"""

from __future__ import annotations

import functools
import json
import math
import re
import zlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

from monitor.detect.attribution import Sentence, context_speaker, quote_open, title_speaker
from monitor.detect.candidates import recalled_denial
from monitor.detect.cues import CLAIM_NOUN, CUE_CLASSES, FUTURE, NAMING, QUESTION_CTX, REPORTED, cue_patterns, first_stem
from monitor.detect.speakers import FOREIGN
from monitor.errors import ConfigError
from monitor.models import Document

__all__ = ["FEATURE_NAMES", "DetectorModel", "best_candidate", "candidate_features", "document_features",
           "hashed_terms", "load_detector", "pool", "russian_voice"]

#: Named features of one candidate sentence (0/1 unless said), in a stable order.
FEATURE_NAMES = (
    *(f"cue_{c}" for c in CUE_CLASSES), "stem_only",
    "title", "lead", "late",
    "russian_named", "russian_attached", "foreign_named", "pronoun", "turn_speaker", "context_russian",
    "context_foreign", "title_russian",
    "quoted", "question", "question_near", "claim_noun", "naming", "future", "reported", "guarded",
    "negation",  # count of negation words, capped at 3
    "lang_en", "lang_ru", "lang_other", "official", "title_stem", "candidates",  # log1p(count), document-level
)

#: Hashed word uni- and bigrams of the candidate sentence: how many buckets.
N_BUCKETS = 2048

_WORD = re.compile(r"\w+")
_NEGATION = re.compile(r"\b(?:not|no|never|nothing|n't|не|нет|ни|никогда|ничего|never)\b|n't\b", re.IGNORECASE)
_QUOTE_MARK = re.compile(r"[\"“”«»„]")
#: A candidate this far into the article (in sentences) is "late" (the lead sentences are 0-2).
_LATE = 10


def hashed_terms(text: str) -> set[int]:
    """Bucket numbers of the lower-cased word uni- and bigrams of ``text`` (crc32: stable
    across processes and Python versions, unlike ``hash``)."""
    words = _WORD.findall(text.lower())
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    return {zlib.crc32(g.encode("utf-8")) % N_BUCKETS for g in grams}


def _speakers(s: Sentence) -> tuple[bool, bool, bool, bool]:
    russian = [m for m in s.mentions if m.speaker and m.speaker != FOREIGN]
    return (bool(russian), any(m.attached for m in russian), any(m.speaker == FOREIGN for m in s.mentions),
            any(m.speaker == "" for m in s.mentions))


def candidate_features(sents: Sequence[Sentence], i: int, doc: Document) -> dict[str, float]:
    """The named features of sentence ``i`` as a denial candidate (document-level ones included)."""
    s = sents[i]
    f: dict[str, float] = {}
    classes = {c[0] for c in s.cues}
    for cls in CUE_CLASSES:
        f[f"cue_{cls}"] = float(cls in classes)
    f["stem_only"] = float(not s.cues)
    body_idx = i - sum(1 for p in sents[:i] if p.is_title)
    f["title"] = float(s.is_title)
    f["lead"] = float(not s.is_title and body_idx <= 2)
    f["late"] = float(body_idx > _LATE)
    russian, attached, foreign, pronoun = _speakers(s)
    f["russian_named"], f["russian_attached"] = float(russian), float(attached)
    f["foreign_named"], f["pronoun"] = float(foreign), float(pronoun)
    f["turn_speaker"] = float(bool(s.turn_speaker) and s.turn_speaker != FOREIGN)
    ctx = context_speaker(list(sents), i) if not russian else None
    f["context_russian"] = float(bool(ctx) and ctx != FOREIGN)
    f["context_foreign"] = float(ctx == FOREIGN)
    tspk = title_speaker(list(sents))
    f["title_russian"] = float(bool(tspk) and tspk != FOREIGN)
    f["quoted"] = float(s.in_quote or quote_open(s.text) or bool(_QUOTE_MARK.search(s.text)))
    f["question"] = float(s.is_question)
    near = " ".join(p.text for p in sents[max(0, i - 2) : i + 1])
    f["question_near"] = float(bool(QUESTION_CTX.search(near)))
    f["claim_noun"] = float(bool(CLAIM_NOUN.search(s.text)))
    f["naming"] = float(bool(NAMING.search(s.text)))
    f["future"] = float(bool(FUTURE.search(s.text)))
    f["reported"] = float(bool(REPORTED.search(s.text)))
    f["guarded"] = float(bool(cue_patterns().rx["guard.sentence"].search(s.text)))
    f["negation"] = float(min(3, len(_NEGATION.findall(s.text))))
    lang = (doc.lang or "").split("-")[0].lower()
    f["lang_en"], f["lang_ru"] = float(lang == "en"), float(lang == "ru")
    f["lang_other"] = float(lang not in ("en", "ru"))
    f["official"] = float(doc.role == "official")
    f["title_stem"] = float(any(p.is_title and p.has_stem for p in sents))
    f["candidates"] = math.log1p(sum(1 for p in sents if p.has_stem))
    return f


def pool(vectors: Sequence[tuple[dict[str, float], set[int]]]) -> tuple[dict[str, float], set[int]]:
    """Element-wise max of candidate vectors (and the union of their hashed terms): the
    document has a feature when any of its candidates has it."""
    named = {n: max((v[n] for v, _ in vectors), default=0.0) for n in FEATURE_NAMES}
    terms: set[int] = set()
    for _, t in vectors:
        terms |= t
    return named, terms


def russian_voice(f: Mapping[str, float]) -> bool:
    """Whether a candidate has a Russian official to speak it: named in the sentence, the
    transcript turn, the sentences around it or the headline, and no foreign speaker named
    in it instead. The detector reports Russian denials only ("Ukraine's General Staff
    denied ..." is not one, however denial-like its words)."""
    if f["russian_named"]:
        return True
    if f["foreign_named"]:
        return False
    return bool(f["turn_speaker"] or f["context_russian"] or f["title_russian"])


def document_features(sents: Sequence[Sentence], doc: Document) -> list[tuple[int, dict[str, float], set[int]]]:
    """(sentence index, named features, hashed terms) of every candidate of a prepared document:
    a sentence with a prefilter stem and a Russian voice (``russian_voice``), not recalling an
    old denial in passing (``candidates.recalled_denial``: the rules' veto holds here too)."""
    out = []
    for s in sents:
        if s.has_stem and not recalled_denial(list(sents), s.idx, doc):
            f = candidate_features(sents, s.idx, doc)
            if russian_voice(f):
                out.append((s.idx, f, hashed_terms(_cue_window(s))))
    return out


#: Characters either side of a candidate's cue whose words are hashed (the cue window).
_WINDOW = 80


def _cue_window(s: Sentence) -> str:
    """The text around the candidate's first cue (or first stem): the words that say what
    kind of denial, or non-denial, it is."""
    span = (s.cues[0][1], s.cues[0][2]) if s.cues else first_stem(s.text)
    if span is None:
        return s.text
    return s.text[max(0, span[0] - _WINDOW) : span[1] + _WINDOW]


@dataclass(frozen=True)
class DetectorModel:
    """A logistic model over pooled candidate features; the weights of ``detector.json``."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    #: bucket -> weight of the hashed terms (absent buckets weigh 0)
    buckets: Mapping[int, float]
    intercept: float
    threshold: float
    meta: Mapping[str, Any] = field(default_factory=dict)

    def probability(self, named: Mapping[str, float], terms: set[int]) -> float:
        z = self.intercept + sum(c * named.get(n, 0.0) for n, c in zip(self.features, self.coef))
        z += sum(self.buckets.get(t, 0.0) for t in terms)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {"features": list(self.features), "coef": [round(c, 6) for c in self.coef],
                "buckets": {str(k): round(v, 6) for k, v in sorted(self.buckets.items())},
                "n_buckets": N_BUCKETS, "intercept": round(self.intercept, 6), "threshold": self.threshold,
                "meta": dict(self.meta)}

    @classmethod
    def from_json(cls, data: Any, *, origin: str = "<weights>") -> "DetectorModel":
        """Validate weights read from JSON; a wrong shape raises ``ConfigError`` naming ``origin``."""
        try:
            features = tuple(str(x) for x in data["features"])
            coef = tuple(float(x) for x in data["coef"])
            buckets = {int(k): float(v) for k, v in data.get("buckets", {}).items()}
            model = cls(features, coef, buckets, float(data["intercept"]), float(data["threshold"]),
                        dict(data.get("meta") or {}))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{origin}: not a denial detector weights file: {exc!r}") from exc
        unknown = [n for n in features if n not in FEATURE_NAMES]
        if unknown or len(features) != len(coef):
            raise ConfigError(f"{origin}: unknown feature {unknown[0]!r}" if unknown
                              else f"{origin}: {len(features)} features but {len(coef)} weights")
        if int(data.get("n_buckets", N_BUCKETS)) != N_BUCKETS or any(not 0 <= b < N_BUCKETS for b in buckets):
            raise ConfigError(f"{origin}: hashed terms need {N_BUCKETS} buckets")
        return model


def default_detector_path() -> Path:
    return Path(__file__).with_name("detector.json")


@functools.lru_cache(maxsize=4)
def load_detector(path: str | None = None) -> DetectorModel:
    """The weights at ``path`` (default: the bundled ``detector.json``), read once."""
    origin = path or str(default_detector_path())
    try:
        text = Path(path).read_text(encoding="utf-8") if path else (
            resources.files("monitor.detect").joinpath("detector.json").read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{origin}: cannot read denial detector weights: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{origin}: line {exc.lineno}: not valid JSON: {exc.msg}") from exc
    return DetectorModel.from_json(data, origin=origin)


def best_candidate(sents: Sequence[Sentence], doc: Document, model: DetectorModel) -> tuple[int, float] | None:
    """(sentence index, document probability) when the pooled candidates reach the model's
    threshold, else None. The sentence is the candidate scoring highest on its own."""
    cands = document_features(sents, doc)
    if not cands:
        return None
    named, terms = pool([(v, t) for _, v, t in cands])
    prob = model.probability(named, terms)
    if prob < model.threshold:
        return None
    idx = max(cands, key=lambda c: (model.probability(c[1], c[2]), -c[0]))[0]
    return idx, prob
