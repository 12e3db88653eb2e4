"""Scoring a denial against a report (pure): shared terms, coverage, official channels, time."""

from __future__ import annotations

from monitor.features import document_features, headline_cue, name_key, text_terms
from monitor.matching import MatchingConfig, build_profile, score_pair

CLAIM_TITLE = "Kremlin denies report that Putin and Trump spoke by phone"
CLAIM_LEAD = ("Kremlin spokesman Dmitry Peskov said the Washington Post report that Vladimir Putin and "
              "Donald Trump held a phone call on Thursday was pure fiction.")


def profile(**over):
    args = dict(denial_id=1, document_id=10, speaker="Dmitry Peskov", published="2024-11-11T10:00:00+00:00",
                lang="en", claim="the Washington Post report that Vladimir Putin and Donald Trump held a phone call",
                quote="This is pure fiction.", entities=("person:putin", "person:trump"), event_type="event:call",
                outlets=("outlet:washingtonpost",), event_date=None, doc_title=CLAIM_TITLE, doc_lead=CLAIM_LEAD,
                use_context=True)
    args.update(over)
    return build_profile(**args)


def feats(title: str, text: str, published: str = "2024-11-10T18:00:00+00:00", role: str = "media",
          lang: str = "en", source: str = "some-paper"):
    return document_features(title, text, lang=lang, role=role, source=source, published=published)


REPORT = feats("Trump advised Putin in phone call not to escalate in Ukraine, Washington Post says",
               "Donald Trump spoke by phone with Vladimir Putin on Thursday, The Washington Post reported.")


def test_report_of_the_denied_claim_matches_with_explanation() -> None:
    v = score_pair(profile(), REPORT, report_id=5)
    assert v.matched and v.score >= 0.7
    assert v.explanation["outlet_named"] == "outlet:washingtonpost"
    assert v.explanation["report_before_denial"] is True
    assert round(v.explanation["hours_apart"]) == 16
    assert "person:putin" in v.explanation["shared_entities"]


def test_coverage_of_the_denial_is_not_a_match() -> None:
    coverage = feats("Kremlin denies Putin and Trump spoke by phone",
                     "The Kremlin denied a Washington Post report about a Putin-Trump call.",
                     published="2024-11-11T12:00:00+00:00")
    v = score_pair(profile(), coverage, report_id=6)
    assert not v.matched
    assert any(p.startswith("coverage") for p in v.explanation["penalties"])


def test_denial_detected_in_the_lead_makes_coverage_unless_the_headline_leads_with_the_claim() -> None:
    assert not score_pair(profile(), REPORT, report_id=5, report_has_lead_denial=True).matched
    claim_first = feats("Trump spoke to Putin by phone, Washington Post says. The Kremlin denies it",
                        "Donald Trump spoke by phone with Vladimir Putin on Thursday, The Washington Post reported.")
    assert claim_first.claim_first
    assert score_pair(profile(), claim_first, report_id=7, report_has_lead_denial=True).matched


def test_official_channel_is_not_a_report() -> None:
    official = feats(REPORT_TITLE := "Putin and Trump phone call reported by Washington Post",
                     "Donald Trump spoke by phone with Vladimir Putin, the Washington Post said.", role="official")
    assert REPORT_TITLE
    v = score_pair(profile(), official, report_id=8)
    assert not v.matched and "official channel, not a report" in v.explanation["penalties"]


def test_later_confirmed_call_between_the_same_people_is_not_a_match() -> None:
    later = feats("Putin and Trump hold phone call, Kremlin confirms",
                  "Vladimir Putin and Donald Trump spoke by phone on Friday, the Kremlin confirmed.",
                  published="2024-11-15T16:00:00+00:00")
    v = score_pair(profile(), later, report_id=9)
    assert not v.matched
    assert any("confirmed" in p for p in v.explanation["penalties"])


def test_same_people_without_the_claim_do_not_match() -> None:
    other = feats("Putin says he is ready to talk to Trump about Ukraine",
                  "Vladimir Putin said on Thursday he was open to contacts with Donald Trump.",
                  published="2024-11-08T12:00:00+00:00")
    assert not score_pair(profile(), other, report_id=11).matched


def test_old_report_decays_out() -> None:
    old = feats(REPORT_T := "Trump advised Putin in phone call not to escalate in Ukraine, Washington Post says",
                "Donald Trump spoke by phone with Vladimir Putin, The Washington Post reported.",
                published="2024-10-14T18:00:00+00:00")
    assert REPORT_T
    fresh = score_pair(profile(), REPORT, report_id=5).score
    stale = score_pair(profile(), old, report_id=12).score
    assert stale < fresh


def test_russian_denial_shares_language_neutral_terms_with_english_report() -> None:
    ru = profile(lang="ru", claim="сообщения о телефонном разговоре Путина и Трампа",
                 quote="Это не соответствует действительности.", entities=(), event_type=None, outlets=(),
                 doc_title="Песков опроверг сообщения о разговоре Путина и Трампа", doc_lead="")
    v = score_pair(ru, REPORT, report_id=5)
    assert v.matched
    assert v.explanation["matched_words"] == []  # no shared stems across languages
    assert {"person:putin", "person:trump", "event:call"} <= set(v.explanation["shared_entities"])


def test_name_keys_are_shared_across_languages_and_inflections() -> None:
    assert name_key("Bucha") == name_key("Бучи") == name_key("Буча")
    assert name_key("Kramatorsk") == name_key("Краматорске")
    assert name_key("Mariupol") == name_key("Мариуполе")
    assert "name:kramat" in text_terms("A missile hit the station in Kramatorsk on Friday.")


def test_headline_cues() -> None:
    assert headline_cue("Kremlin denies report of Trump-Putin call")[1]
    assert headline_cue("«Пластинка эта старая». Песков отверг сообщения о дворце")[1]
    assert headline_cue("Lavrov: the hospital was no longer in service")[1]
    assert headline_cue("Reuters: Путин отверг мирный план по Украине") == (None, False)
    cue, first = headline_cue("NYT обвинила авиацию в ударах по госпиталям. МИД это отрицает")
    assert cue and not first
    assert headline_cue("Russian rocket hits train station, killing dozens") == (None, False)


def test_threshold_is_configurable() -> None:
    v = score_pair(profile(), REPORT, report_id=5, config=MatchingConfig(threshold=0.99))
    assert not v.matched and v.score < 0.99


def test_confirming_participle_marks_a_confirmed_event() -> None:
    f = feats("Lavrov and Rubio discuss Gaza by phone",
              "Sergei Lavrov and Marco Rubio discussed Gaza in a phone call, the ministry said, confirming the conversation.")
    assert f.confirmed


def test_ukrainian_and_russian_spellings_share_a_name_key() -> None:
    assert name_key("Kharkiv") == name_key("Харькове") == name_key("Kharkov")
    assert name_key("Lviv") == name_key("Львове")


def test_named_outlets_own_story_matches_without_a_specific_name() -> None:
    p = profile(speaker="Russian Embassy in the US", claim="the Washington Post article about Russian payments to American bloggers",
                quote="The article about Russian payments to American bloggers has nothing to do with reality.",
                entities=("country:russia", "country:us"), event_type=None, doc_title="Embassy on the Post article",
                doc_lead="The Russian Embassy said the Washington Post article about Russian payments to bloggers has nothing to do with reality.")
    r = feats("Russia secretly paid American bloggers, Washington Post reports",
              "Russian state media secretly made payments to American bloggers, The Washington Post reported.",
              published="2024-11-10T08:00:00+00:00")
    assert score_pair(p, r, report_id=7).matched


GRAIN_CLAIM = "reports that Moscow had agreed to extend the Black Sea grain deal"


def grain_profile():
    return profile(claim=GRAIN_CLAIM, quote="No decision has been taken.", entities=("country:russia",),
                   event_type="event:extension", outlets=(), doc_title="Kremlin: no decision on the grain deal",
                   doc_lead="Peskov was asked about " + GRAIN_CLAIM + ".")


def test_report_of_talks_is_not_the_denied_agreement_between_the_same_parties() -> None:
    agreed = feats("Russia agrees to extend Black Sea grain deal by two months",
                   "Moscow has agreed to extend the Black Sea grain deal, two people familiar said.")
    talks = feats("Russia, Turkey and UN hold grain talks in Istanbul",
                  "Delegations met in Istanbul to discuss the Black Sea grain deal and its extension.")
    v_agreed = score_pair(grain_profile(), agreed, report_id=1)
    v_talks = score_pair(grain_profile(), talks, report_id=2)
    assert v_agreed.matched
    assert not v_talks.matched
    assert any("headline reports a different event" in p for p in v_talks.explanation["penalties"])


def test_headline_deal_can_assert_a_denied_call() -> None:
    # A deal implies the contacts behind it: no different-event penalty for a denied call.
    report = feats("Putin and Trump reach a deal on Ukraine, Washington Post says",
                   "Donald Trump and Vladimir Putin agreed on a plan in a phone call, The Washington Post reported.")
    v = score_pair(profile(), report, report_id=3)
    assert not any("different event" in p for p in v.explanation["penalties"])


def test_ukrainian_and_russian_place_spellings_share_a_concept() -> None:
    assert "place:dnipro" in text_terms("Russian missiles hit Dnipro") & text_terms("ракеты попали в Днепр")
    assert "place:bakhmut" in text_terms("fighting in Bakhmut") & text_terms("бои за Артемовск")
