"""The learned denial stage (monitor.detect.learned, issue 15 item 8): weights, rebuild, plumbing.

Fixture texts are our own (never the shared pool's). The model fitted here on them is a
plumbing check, not a quality figure: quality is measured by leave-one-case-out CV
(``bench/detection_cv.py``).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from monitor.detect.denials import candidate_vectors, detect_denials
from monitor.detect.learned import FEATURE_NAMES, N_BUCKETS, DetectorModel, hashed_terms, load_detector, pool
from monitor.errors import ConfigError
from monitor.evaluate.detection_training import choose_detector_threshold, fit_detector, predict_detector
from monitor.models import Document

#: (lang, title, text, has a Russian official's denial)
FIXTURES = [
    ("en", "Kremlin pours cold water on talk of a Putin visit to Washington",
     "Moscow, 3 March. Dmitry Peskov, the Kremlin spokesman, said on Monday that talk of a Putin visit to "
     "Washington next month had nothing behind it. \"This is journalists' imagination, nothing more,\" he told reporters.", True),
    ("en", "Russian ministry says convoy story is wrong",
     "The Russian Defence Ministry said on Friday that the newspaper's account of a convoy crossing the border "
     "was wrong and that no such convoy existed, according to a statement.", True),
    ("en", "Kremlin denies report of secret Putin-Trump call",
     "Kremlin spokesman Dmitry Peskov on Monday denied a newspaper report that Vladimir Putin and Donald Trump "
     "had spoken by phone last week. \"This is pure fiction,\" Peskov told reporters.", True),
    ("ru", "Песков опроверг сообщения о готовящемся визите",
     "Пресс-секретарь президента Дмитрий Песков заявил журналистам, что сообщения о якобы готовящемся визите "
     "в Вашингтон не имеют ничего общего с реальностью. По его словам, это домыслы.", True),
    ("ru", "В Кремле назвали фейком статью о переговорах",
     "Дмитрий Песков назвал фейком публикацию британской газеты о тайных переговорах. «Это не соответствует "
     "действительности», — сказал он.", True),
    ("en", "Kremlin declines to comment on report of prisoner swap",
     "Kremlin spokesman Dmitry Peskov declined to comment on Tuesday on a newspaper report that a prisoner "
     "exchange was being prepared, saying he had nothing to add.", False),
    ("en", "No plans yet for Putin-Trump meeting, Kremlin says",
     "Kremlin spokesman Dmitry Peskov said on Wednesday there were no concrete plans yet for a meeting between "
     "Vladimir Putin and Donald Trump, though contacts could be arranged quickly.", False),
    ("ru", "В Кремле пока нет планов о встрече Путина и Трампа",
     "Дмитрий Песков сказал, что конкретных планов о встрече пока нет, но ее можно организовать быстро.", False),
    ("en", "Kremlin confirms Putin will travel to Beijing",
     "Kremlin aide Yuri Ushakov confirmed on Thursday that Vladimir Putin would travel to Beijing next week "
     "for talks with Xi Jinping.", False),
    ("en", "Ukraine denies Russian claim of captured village",
     "Ukraine's General Staff on Sunday denied a Russian claim that its troops had captured the village, calling "
     "it false.", False),
    ("ru", "Ушаков подтвердил подготовку телефонного разговора",
     "Помощник президента Юрий Ушаков подтвердил, что телефонный разговор Путина и Трампа готовится и может "
     "состояться на этой неделе.", False),
]


def _doc(i: int, lang: str, title: str, text: str) -> Document:
    return Document(url=f"https://example.org/{i}", title=title, text=text, source="example", role="media",
                    published=dt.datetime(2025, 3, 3, tzinfo=dt.timezone.utc), lang=lang)


def _pooled(doc: Document):
    cands = candidate_vectors(doc)
    return pool([(v, t) for _, v, t in cands]) if cands else ({}, set())


@pytest.fixture(scope="module")
def fixture_set():
    docs = [_doc(i, lang, title, text) for i, (lang, title, text, _) in enumerate(FIXTURES)]
    return docs, [_pooled(d) for d in docs], [int(y) for *_, y in FIXTURES]


def test_shipped_weights_load_and_name_known_features():
    model = load_detector()
    assert model.features and set(model.features) <= set(FEATURE_NAMES)
    assert len(model.coef) == len(model.features)
    assert 0.0 < model.threshold <= 1.01
    assert all(0 <= b < N_BUCKETS for b in model.buckets)
    assert "bench/detection_cv.py" in model.meta["command"]


def test_a_broken_weights_file_names_itself(tmp_path):
    bad = tmp_path / "detector.json"
    bad.write_text('{"features": ["no_such_feature"], "coef": [1.0], "intercept": 0, "threshold": 0.5}', encoding="utf-8")
    with pytest.raises(ConfigError, match="detector.json.*no_such_feature"):
        load_detector(str(bad))
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="detector.json: line 1"):
        load_detector(str(bad))
    with pytest.raises(ConfigError, match="absent.json"):
        load_detector(str(tmp_path / "absent.json"))


def test_rebuilding_the_weights_is_deterministic(fixture_set):
    _, pooled, labels = fixture_set
    a = fit_detector(pooled, labels, threshold=0.5).to_json()
    b = fit_detector(list(reversed(pooled)), list(reversed(labels)), threshold=0.5).to_json()
    again = fit_detector(pooled, labels, threshold=0.5).to_json()
    assert json.dumps(a, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert a["features"] == b["features"] and a["coef"] == pytest.approx(b["coef"], abs=1e-4)
    # what was written reads back as the same model
    model = DetectorModel.from_json(json.loads(json.dumps(a)))
    assert predict_detector(model, pooled).tolist() == pytest.approx(
        predict_detector(fit_detector(pooled, labels, threshold=0.5), pooled).tolist(), abs=1e-4)


def test_the_learned_stage_adds_a_denial_the_rules_miss_with_speaker_and_claim(fixture_set):
    docs, pooled, labels = fixture_set
    model = fit_detector(pooled, labels, threshold=0.5)
    doc = docs[0]  # "talk ... had nothing behind it": no rule cue
    assert detect_denials(doc, detector=None) == []
    found = detect_denials(doc, detector=model)
    assert len(found) == 1
    d = found[0]
    assert d.speaker == "Dmitry Peskov"
    assert d.claim and d.quote and d.cue and d.cue.lower() in d.quote.lower()
    assert 0.5 <= d.confidence <= 1.0


def test_the_learned_stage_never_replaces_or_removes_rule_denials(fixture_set):
    docs, pooled, labels = fixture_set
    eager = DetectorModel(("stem_only", "cue_strong"), (5.0, 5.0), {}, 0.0, 0.01)
    for doc in (docs[2], docs[4]):
        rules = detect_denials(doc, detector=None)
        assert rules
        assert detect_denials(doc, detector=eager) == rules


def test_hard_negatives_get_no_denial_from_the_shipped_weights(fixture_set):
    docs, _, labels = fixture_set
    for doc, y in zip(docs, labels):
        if not y:
            assert detect_denials(doc) == [], doc.title


def test_hashed_terms_are_stable_buckets():
    terms = hashed_terms("Kremlin denied the report")
    assert terms == hashed_terms("kremlin DENIED the report")
    assert len(terms) == 7 and all(0 <= t < N_BUCKETS for t in terms)


def test_the_threshold_judges_only_what_the_model_adds():
    # rules found documents 0 and 1; the model would add 2 (right), 3 (wrong), 4 (right)
    probs = [0.9, 0.9, 0.8, 0.6, 0.5]
    rules = [True, True, False, False, False]
    labels = [1, 0, 1, 0, 1]
    assert choose_detector_threshold(probs, rules, labels, min_precision=0.95) == 0.8
    assert choose_detector_threshold(probs, rules, labels, min_precision=0.6) == 0.5
    assert choose_detector_threshold([0.9, 0.2], [False, False], [0, 1], min_precision=0.75) == 1.01
