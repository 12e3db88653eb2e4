"""The learned pair scorer: its features, its weights file (validation), and its training helpers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from monitor.errors import ConfigError
from monitor.evaluate.training import GoldLabels, choose_threshold, choose_thresholds, fit_scorer, group_cases, predict
from monitor.match.features import document_features
from monitor.match.learned import (
    DENIAL_NAMES, FEATURE_NAMES, PAIR_OWN_NAMES, LearnedScorer, denial_features, exclusion, pair_exclusion, pair_features,
    pair_own_features, rarity, report_features, threshold_group,
)
from monitor.match.scoring import MatchingConfig, build_profile

CLAIM_TITLE = "Kremlin denies report that Halvorsen met Ortiga in Valletta"
CLAIM_LEAD = "Kremlin spokesman Dmitry Peskov said reports that Halvorsen met Ortiga in Valletta were pure fiction."


def profile():
    return build_profile(
        denial_id=1, document_id=10, speaker="Dmitry Peskov", published="2024-03-10T10:00:00+00:00", lang="en",
        claim="reports that Halvorsen met Ortiga in Valletta", quote="This is pure fiction.", entities=(),
        event_type="event:meeting", outlets=(), event_date=None, doc_title=CLAIM_TITLE, doc_lead=CLAIM_LEAD,
        use_context=True)


def feats(title: str, text: str, published: str, role: str = "media"):
    return document_features(title, text, lang="en", role=role, source="paper", published=published)


def features_of(report, **over):
    args = dict(report_id=5, lead_denial=False, source_outlets=(), term_df={}, n_docs=100, cosine=0.7,
                config=MatchingConfig())
    args.update(over)
    return pair_features(profile(), report, **args)[0]


REPORT = feats("Halvorsen met Ortiga secretly in Valletta, officials say",
               "Halvorsen and Ortiga met in Valletta last week, two officials said.", "2024-03-08T10:00:00+00:00")
RELAY = feats("Kremlin denies Halvorsen met Ortiga", "The Kremlin on Monday denied that Halvorsen met Ortiga.",
              "2024-03-10T15:00:00+00:00")


def test_pair_features_cover_every_name_in_a_stable_order() -> None:
    f = features_of(REPORT)
    assert tuple(f) == FEATURE_NAMES
    assert all(isinstance(v, float) for v in f.values())


def test_time_order_and_distance_are_features_with_the_report_first_positive() -> None:
    before = features_of(REPORT)
    after = features_of(RELAY)
    assert before["days"] == pytest.approx(2.0) and before["after"] == 0.0
    assert after["days"] < 0 and after["after"] == 1.0 and after["abs_days"] == pytest.approx(5 / 24, abs=0.01)


def test_relay_signals_mark_coverage_of_the_denial() -> None:
    assert features_of(RELAY)["headline_cue"] == 1.0 and features_of(REPORT)["headline_cue"] == 0.0
    assert features_of(REPORT, lead_denial=True)["lead_denial"] == 1.0
    assert features_of(RELAY)["report_lead_denier"] == 1.0  # "Kremlin" in the headline
    assert exclusion(features_of(RELAY)) is not None and exclusion(features_of(REPORT)) is None
    official = feats(REPORT.lead_terms and "Halvorsen met Ortiga in Valletta", "Officials said so.",
                     "2024-03-08T10:00:00+00:00", role="official")
    assert exclusion(features_of(official)) == "official channel, not a report"


def test_a_relay_below_a_neutral_headline_is_seen_by_where_the_body_quotes_the_official_side() -> None:
    # The headline and lead carry no cue; the second sentence quotes the ministry's denial.
    quiet = feats("Halvorsen and Ortiga in Valletta: what we know",
                  "The two men were seen in Valletta on Friday. The Foreign Ministry called the reports a fabrication "
                  "and said no meeting took place. Observers expect more questions.", "2024-03-10T15:00:00+00:00")
    # The claim first, the ministry's denial only in its closing sentence.
    closing = feats("Halvorsen met Ortiga secretly in Valletta, officials say",
                    "Halvorsen and Ortiga met in Valletta last week, two officials said. " * 6
                    + "The Foreign Ministry denied it.", "2024-03-08T10:00:00+00:00")
    assert 0.0 < features_of(quiet)["report_relay_pos"] < 0.3
    assert 0.8 < features_of(closing)["report_relay_pos"] < 1.0
    assert features_of(REPORT)["report_relay_pos"] == 1.0  # no relay sentence at all


def test_a_denial_word_without_the_official_side_in_its_sentence_is_no_relay() -> None:
    other = feats("Ortiga speaks", "Ortiga called the rumours a fabrication. The Kremlin held talks with him in May.",
                  "2024-03-08T10:00:00+00:00")
    assert features_of(other)["report_relay_pos"] == 1.0


def test_a_cue_in_the_lead_and_an_admission_in_the_headline_are_features() -> None:
    cue = feats("Halvorsen and Ortiga in Valletta", "Moscow dismissed the reports as fake on Sunday.",
                "2024-03-10T15:00:00+00:00")
    admitted = feats("Ortiga admits meeting Halvorsen in Valletta", "Ortiga said the meeting was brief.",
                     "2024-03-12T10:00:00+00:00")
    german = feats("Ortiga bestätigt Treffen mit Halvorsen", "Das Treffen fand in Valletta statt.",
                   "2024-03-12T10:00:00+00:00")
    assert features_of(cue)["report_lead_cue"] == 1.0 and features_of(REPORT)["report_lead_cue"] == 0.0
    assert features_of(admitted)["report_admits"] == 1.0 and features_of(german)["report_admits"] == 1.0
    assert features_of(REPORT)["report_admits"] == 0.0


def test_a_report_whose_lead_yields_no_specific_term_is_marked_unread() -> None:
    # Only a country and the denier's side can be read in this headline and lead (the rest is
    # in lower case, as a script the name keys do not read would be): overlap says nothing.
    blind = feats("russia said to be behind it", "the kremlin and russia were named by officials.",
                  "2024-03-08T10:00:00+00:00")
    assert features_of(blind)["report_lead_unread"] == 1.0
    assert features_of(REPORT)["report_lead_unread"] == 0.0  # names Halvorsen, Ortiga, Valletta


def test_the_relay_features_survive_the_stored_json_and_old_rows_read_as_none() -> None:
    from monitor.match.features import DocumentFeatures
    quiet = feats("Ortiga in Valletta", "He arrived. The Kremlin said the reports were untrue.",
                  "2024-03-10T15:00:00+00:00")
    assert DocumentFeatures.from_json(quiet.to_json()) == quiet and quiet.relay_at < 1.0 and quiet.lead_cue
    old = {k: v for k, v in quiet.to_json().items() if k not in ("relay_at", "lead_cue", "admits")}
    restored = DocumentFeatures.from_json(old)
    assert restored.relay_at == 1.0 and not restored.lead_cue and not restored.admits


def test_a_report_sharing_nothing_with_the_claim_in_its_lead_is_another_story_unless_it_reads_alike() -> None:
    unrelated = feats("Heat wave: Brennmoor rations water, mayor Aldous Krieg warns",
                      "Brennmoor rationed tap water on Friday after a month without rain.",
                      "2024-03-09T10:00:00+00:00")
    f = features_of(unrelated, cosine=0.2)
    assert f["rare_lead"] == 0.0
    assert exclusion(f) == "shares none of the claim's names or topics in its headline or lead, and reads unlike it"
    # the same report when its headline and lead read like the claim's (another script, say): judged by the model
    assert exclusion(features_of(unrelated, cosine=0.8)) is None
    # a report naming the claim's people in its lead is never excluded by this rule
    assert features_of(REPORT, cosine=0.1)["rare_lead"] > 0 and exclusion(features_of(REPORT, cosine=0.1)) is None


def test_a_spokesperson_in_the_lead_is_told_apart_from_the_kremlin_named_as_the_accused() -> None:
    relay = features_of(feats("Peskov says Halvorsen never met Ortiga",
                              "Dmitry Peskov told reporters that Halvorsen had not met Ortiga in Valletta.",
                              "2024-03-10T15:00:00+00:00"))
    accused = features_of(feats("Kremlin arranged Halvorsen's meeting with Ortiga, officials say",
                                "The Kremlin arranged for Halvorsen to meet Ortiga in Valletta, two officials said.",
                                "2024-03-08T10:00:00+00:00"))
    assert relay["report_lead_spokesperson"] == 1.0 and relay["report_lead_denier_org"] == 0.0
    assert accused["report_lead_spokesperson"] == 0.0 and accused["report_lead_denier_org"] == 1.0
    assert relay["report_lead_denier"] == accused["report_lead_denier"] == 1.0  # the union, for the rules
    assert features_of(REPORT)["report_lead_spokesperson"] == features_of(REPORT)["report_lead_denier_org"] == 0.0


def test_rare_shared_names_weigh_more_than_common_ones() -> None:
    common = features_of(REPORT, term_df={t: 90 for t in profile().terms}, n_docs=100)
    rare = features_of(REPORT, term_df={t: 1 for t in profile().terms}, n_docs=100)
    assert rare["rare_lead"] > common["rare_lead"] > 0
    assert rarity(1, 100) > rarity(90, 100)


def test_cosine_is_a_feature_and_its_absence_is_marked() -> None:
    assert features_of(REPORT, cosine=0.62)["cosine"] == pytest.approx(0.62)
    none = features_of(REPORT, cosine=None)
    assert none["cosine"] == 0.0 and none["has_cosine"] == 0.0


def weights(**over):
    data = {"features": ["time", "cosine"], "mean": [0.5, 0.4], "scale": [0.2, 0.1], "coef": [1.0, 2.0],
            "intercept": -0.5, "threshold": 0.7}
    data.update(over)
    return data


def test_scorer_is_a_sigmoid_of_standardised_features_and_names_its_top_contributions() -> None:
    s = LearnedScorer.from_json(weights())
    got = s.score({"time": 0.9, "cosine": 0.6})
    z = -0.5 + 1.0 * (0.9 - 0.5) / 0.2 + 2.0 * (0.6 - 0.4) / 0.1
    assert got.score == pytest.approx(1 / (1 + np.exp(-z)), abs=1e-4)
    assert got.matched and got.top[0][0] == "cosine"
    assert not s.score({"time": 0.5, "cosine": 0.4}).matched


@pytest.mark.parametrize("bad, reason", [
    (weights(features=["time", "no_such_feature"]), "unknown feature 'no_such_feature'"),
    (weights(mean=[0.5]), "'mean' must be 2 finite numbers"),
    (weights(scale=[0.2, 0.0]), "'scale' values must be positive"),
    (weights(threshold=1.5), "'threshold' must be in (0, 1)"),
    (weights(thresholds={"ru": 0.0}), "'thresholds' must map 'en' / 'ru'"),
    (weights(thresholds={"de": 0.4}), "'thresholds' must map 'en' / 'ru'"),
    ({k: v for k, v in weights().items() if k != "coef"}, "missing key 'coef'"),
    ([1, 2], "not a JSON object"),
])
def test_a_bad_weights_file_fails_naming_the_file_and_the_reason(tmp_path: Path, bad, reason: str) -> None:
    path = tmp_path / "scorer.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        LearnedScorer.load(path)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_weights_that_are_not_json_fail_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "scorer.json"
    path.write_text('{\n"features": [\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"scorer\.json: line \d+: not valid JSON"):
        LearnedScorer.load(path)


def test_the_bundled_weights_load_and_use_known_features() -> None:
    s = LearnedScorer.load()
    assert set(s.features) <= set(FEATURE_NAMES) and 0 < s.threshold < 1
    assert s.meta.get("cv")  # the cross-validated figures it was chosen with travel with it


def test_the_crowded_weights_load_by_name_from_the_setting_and_differ_from_the_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from monitor.match.linking import load_scorer

    monkeypatch.setenv("MONITOR_SCORER", "crowded")
    assert MatchingConfig().scorer == "crowded"
    crowded, bundled = load_scorer("crowded"), LearnedScorer.load()
    assert set(crowded.features) <= set(FEATURE_NAMES) and 0 < crowded.threshold < 1
    assert crowded.meta["trained_on"] == "dense" and bundled.meta["trained_on"] == "sparse"
    assert crowded.coef != bundled.coef
    # a file of the user's is read as a path, and a missing one is named in the error
    with pytest.raises(ConfigError, match="crowdd"):
        LearnedScorer.load(tmp_path / "crowdd")


def test_every_bundled_weights_file_is_shipped_in_the_wheel() -> None:
    import tomllib

    from monitor.match.learned import BUNDLED_SCORERS

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["monitor"]
    assert {f"match/{f}" for f in BUNDLED_SCORERS.values()} <= set(shipped)


def test_a_denials_language_picks_its_groups_threshold_and_round_trips() -> None:
    s = LearnedScorer.from_json(weights(threshold=0.9, thresholds={"ru": 0.3}))
    f = {"time": 0.5, "cosine": 0.45}  # p ~ 0.62: under the overall threshold, over the Russian-led one
    assert s.score(f, lang="ru").matched and s.score(f, lang="uk").matched
    assert not s.score(f, lang="en").matched and not s.score(f, lang="fr").matched and not s.score(f).matched
    assert threshold_group("RU") == "ru" and threshold_group(None) == "en"
    assert LearnedScorer.from_json(s.to_json()).thresholds == {"ru": 0.3}
    assert "thresholds" not in LearnedScorer.from_json(weights()).to_json()


def test_per_group_thresholds_are_chosen_on_each_groups_own_pairs() -> None:
    rows = [{"denial_url": "d", "report_url": f"r{i}", "denial_lang": lang}
            for i, lang in enumerate(["en"] * 4 + ["ru"] * 4)]
    probs = np.array([0.9, 0.8, 0.6, 0.3, 0.9, 0.8, 0.6, 0.3])
    labels = [1, 0, 1, 0, 1, 1, 0, 1]
    got = choose_thresholds(rows, probs, labels, {"*": 1.0, "ru": 1.0})
    assert got["ru"] == pytest.approx(0.61) and got["*"] == pytest.approx(0.81)
    assert choose_thresholds(rows, probs, labels, 1.0) == {"*": got["*"]}


def test_gold_labels_follow_the_judges_rules() -> None:
    g = GoldLabels.from_records([
        {"case": "a", "denial_url": "d1", "contradicts": ["r1"], "not_contradicts": ["x1", "d2"]},
        {"case": "a", "denial_url": "d2", "contradicts": ["r1"], "not_contradicts": ["x1", "d1"]},
    ])
    assert g.label("d1", "r1") == 1
    assert g.label("x1", "r1") is None  # a denial found in another document of the case: ignored
    assert g.label("d1", "x1") == 0 and g.label("elsewhere", "r1") == 0


def test_cases_sharing_a_document_form_one_group() -> None:
    groups = group_cases({"a": {"u1", "u2"}, "b": {"u2", "u3"}, "c": {"u4"}})
    assert groups["a"] == groups["b"] != groups["c"]


def test_threshold_is_the_lowest_with_the_precision_asked() -> None:
    pairs = [("d", f"r{i}") for i in range(10)]
    probs = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    labels = [1, 1, 1, 1, 0, 1, 0, 0, 0, 0]
    assert choose_threshold(pairs, probs, labels, min_precision=0.8) == pytest.approx(0.51)
    assert choose_threshold(pairs, probs, labels, min_precision=1.0) == pytest.approx(0.71)


def test_out_of_reach_precision_falls_back_to_the_best_f1_even_above_099() -> None:
    # a crowded archive's fit: probabilities bunched near 1, the best cut above 0.99
    pairs = [("d", f"r{i}") for i in range(13)]
    probs = np.array([0.9995, 0.9995, 0.9995] + [0.995] * 10)
    labels = [1, 1, 0] + [0] * 10
    t = choose_threshold(pairs, probs, labels, min_precision=0.9)
    assert 0.995 < t < 0.9995


def test_fitted_scorer_round_trips_through_json_and_ranks_positives_first() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + 0.3 * rng.normal(size=200) > 0).astype(int)
    model = fit_scorer(X, y, ["time", "cosine"], threshold=0.5)
    again = LearnedScorer.from_json(json.loads(json.dumps(model.to_json())))
    p = predict(again, X)
    assert p[y == 1].mean() > 0.7 > 0.3 > p[y == 0].mean()
    assert again.score({"time": X[0, 0], "cosine": X[0, 1]}).score == pytest.approx(p[0], abs=1e-3)
    with pytest.raises(ConfigError, match="both"):
        fit_scorer(X, np.ones(200), ["time", "cosine"], threshold=0.5)


def test_a_rare_flag_is_not_blown_up_by_its_tiny_standard_deviation() -> None:
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.normal(size=2000), np.zeros(2000)])
    X[7, 1] = 1.0  # set on one pair in 2,000: its standard deviation is 0.022
    y = (X[:, 0] > 0).astype(int)
    model = fit_scorer(X, y, ["time", "flag_topics_only"], threshold=0.5)
    raw = fit_scorer(X, y, ["time", "flag_topics_only"], threshold=0.5, min_scale=0.0)
    assert model.scale[1] == pytest.approx(0.1) and raw.scale[1] == pytest.approx(X[:, 1].std())

    def added(m):  # the log-odds the flag adds to a pair that carries it
        return m.coef[1] * (1.0 - m.mean[1]) / m.scale[1]
    assert 0 < added(model) < 0.6 * added(raw)


def test_probability_is_the_score_without_its_ranking_and_ties_keep_feature_order() -> None:
    # The pipeline asks ``probability`` of every pair and ``score`` (with the top
    # contributions) of matches only: they must agree to the last digit.
    s = LearnedScorer.from_json(weights(features=["time", "cosine", "days"], mean=[0.5, 0.4, 0.0],
                                        scale=[0.2, 0.1, 1.0], coef=[1.0, 2.0, -1.0]))
    for f in ({"time": 0.9, "cosine": 0.6, "days": 2.0}, {"time": 0.5, "cosine": 0.4}, {"cosine": 0.3, "days": 0.1}):
        got = s.score(f, lang="ru")
        assert s.probability(f, lang="ru") == (got.score, got.matched)
    # equal |contributions| come in the order of the features
    plain = LearnedScorer.from_json(weights(features=["time", "cosine", "days"], mean=[0.0] * 3, scale=[1.0] * 3,
                                            coef=[1.0] * 3))
    assert [n for n, _ in plain.score({"time": 2.0, "cosine": -2.0, "days": 2.0}).top] == ["time", "cosine", "days"]
    assert [n for n, _ in plain.score({"time": 1.0, "cosine": 1.0, "days": -3.0}).top] == ["days", "time", "cosine"]


def test_pair_features_leave_the_explanation_to_the_matches_and_it_is_score_pairs() -> None:
    from monitor.match.scoring import score_pair

    for report in (REPORT, RELAY):
        f, parts = pair_features(profile(), report, report_id=5, lead_denial=False, source_outlets=(), term_df={},
                                 n_docs=100, cosine=0.7, config=MatchingConfig())
        hand = score_pair(profile(), report, report_id=5, config=MatchingConfig())
        assert parts.explanation() == dict(hand.explanation)
        assert f["hand_score"] == hand.score and f["time"] == hand.explanation["components"]["time"]


def test_the_flag_features_are_the_hand_scorers_raised_flags_and_no_others() -> None:
    unrelated = feats("Harvest festival opens in the valley", "Farmers brought apples and pears to the fair.",
                      "2024-03-09T10:00:00+00:00")
    raised = set()
    for report in (REPORT, RELAY, unrelated):
        f, parts = pair_features(profile(), report, report_id=5, lead_denial=False, source_outlets=(), term_df={},
                                 n_docs=100, cosine=0.7, config=MatchingConfig())
        on = {n for n in FEATURE_NAMES if n.startswith("flag_") and f[n] == 1.0}
        assert on == {f"flag_{k}" for k in parts.flags}
        assert all(f[n] == 0.0 for n in FEATURE_NAMES if n.startswith("flag_") and n not in on)
        raised |= on
    assert "flag_no_specific" in raised  # the unrelated report shares nothing specific


def test_room_is_how_far_a_negative_feature_can_rise_before_the_pair_fails() -> None:
    scorer = LearnedScorer.from_json({"features": ["hand_score", "rival_log_n"], "mean": [0.0, 0.0],
                                      "scale": [1.0, 0.5], "coef": [2.0, -1.0], "intercept": 0.0,
                                      "threshold": 0.5, "thresholds": {}})
    features = {"hand_score": 1.0, "rival_log_n": 0.0}
    contrib = scorer.contributions(features)
    room = scorer.room(contrib, "rival_log_n")
    assert room == pytest.approx(1.0)  # log-odds 2.0, threshold 0.5 (log-odds 0), -2 per unit
    assert scorer.probability({**features, "rival_log_n": room - 1e-6})[1]
    assert not scorer.probability({**features, "rival_log_n": room + 1e-6})[1]
    assert scorer.room(contrib, "hand_score") is None  # a rise of a positive feature cannot fail it
    assert scorer.room(contrib, "not_a_feature") is None


def test_the_log_odds_in_three_parts_add_up_to_the_whole_and_exclusion_reads_the_parts_alike() -> None:
    scorer = LearnedScorer.load()
    for report in (REPORT, RELAY, feats("Halvorsen visits Ortiga", "Officials in Valletta said nothing.",
                                        "2024-01-02T10:00:00+00:00", role="official")):
        parts = [report_features(report, False, None), denial_features(profile(), None, None)]
        own, _ = pair_own_features(profile(), report, report_id=5, lead_denial=False, source_outlets=(), term_df={},
                                   n_docs=100, cosine=0.7, config=MatchingConfig())
        assert set(own) <= PAIR_OWN_NAMES and set(parts[1]) == DENIAL_NAMES
        whole = features_of(report)
        assert whole == {**parts[0], **parts[1], **own}  # the parts make pair_features' dict
        z = scorer.report_logit(parts[0]) + scorer.denial_logit(parts[1]) + scorer.own_logit(own)
        assert z == pytest.approx(scorer.intercept + sum(scorer.contributions(whole)), abs=1e-9)
        assert scorer.passes(z, "en") == scorer.probability(whole, lang="en")[1]
        assert scorer.room_at(z, "rival_log_n", "en") == pytest.approx(
            scorer.room(scorer.contributions(whole), "rival_log_n", "en"), abs=1e-9)
        assert pair_exclusion(own, parts[0]) == exclusion(whole)
    # the official channel is excluded through the report's part; unrelated news through the pair's own
    official = feats("Ortiga statement", "A statement.", "2024-03-09T10:00:00+00:00", role="official")
    own, _ = pair_own_features(profile(), official, report_id=5, lead_denial=False, source_outlets=(), term_df={},
                               n_docs=100, cosine=0.1, config=MatchingConfig())
    assert pair_exclusion(own, report_features(official, False, None)) == exclusion(
        features_of(official, cosine=0.1)) is not None
