"""Scoring a denial against a report (pure): shared terms, coverage, official channels, time."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.match.features import cover_search, document_features, headline_cue, name_key, text_terms
from monitor.match.scoring import MatchingConfig, build_profile, profile_from_json, score_pair
from monitor.store import Store

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


def test_cover_search_passes_over_an_accusation_to_the_relayed_denial() -> None:
    lead = "The leak exposes Kremlin lies about the convoy. Peskov called the report fake on Monday."
    m = cover_search(lead)
    assert m is not None and m.group() == "fake" and m.start() > lead.index("Peskov")
    assert cover_search("Brussels steps up its fight against Russian disinformation online") is None


def test_another_presidents_press_secretary_is_not_the_kremlins_spokesman() -> None:
    # the title alone is the Kremlin's spokesman; followed by another person's name it is theirs
    assert "person:peskov" in text_terms("пресс-секретарь главы государства заявил журналистам")
    assert "person:peskov" not in text_terms("написал пресс-секретарь главы государства Остап Вербицкий.")
    assert "person:peskov" not in text_terms("сказал пресс-секретарь президента Владимира Зеленского.")
    assert "person:peskov" not in text_terms("said the presidential spokesman Taras Hordiyenko on Monday")
    # the Kremlin's spokesman named in apposition, or the president he speaks for, stays
    assert "person:peskov" in text_terms("заявил пресс-секретарь президента России Владимира Путина Дмитрий Песков.")
    assert "person:peskov" in text_terms("the Kremlin spokesman Dmitry S. Peskov said")
    assert "person:peskov" in text_terms("retorted the presidential spokesman Dmitry Pesk")  # a span cut short
    # a title-case English headline capitalises every word after the title
    assert "person:peskov" in text_terms("Putin's Spokesman Calls Inquiry Report a Joke")


def test_a_lead_naming_another_presidents_press_secretary_names_no_spokesperson() -> None:
    from monitor.match.learned import lead_denier_kinds
    report = feats("Президент обвинил соседей в диверсии на заводе",
                   "Об этом написал пресс-секретарь главы государства Остап Вербицкий.", lang="ru")
    assert lead_denier_kinds(report.lead_deniers) == (0.0, 0.0)


def test_a_headline_is_read_about_the_claim_in_its_own_language() -> None:
    # a Polish headline names the claim's man in Polish spelling: it meets the English key only
    # when read as Polish (the headline and lead may then stand for the claim)
    from types import SimpleNamespace
    from monitor.match.linking import title_is_about
    denial = SimpleNamespace(entities=(), claim="reports that Vasilchenko visited the plant", quote="", lang="en")
    assert title_is_about("Minister Wasilczenko odwiedził zakład", denial, "pl")
    assert not title_is_about("Minister Wasilczenko odwiedził zakład", denial, "en")


def test_headline_cues() -> None:
    assert headline_cue("Kremlin denies report of Trump-Putin call")[1]
    assert headline_cue("«Пластинка эта старая». Песков отверг сообщения о дворце")[1]
    assert headline_cue("Lavrov: the hospital was no longer in service")[1]
    assert headline_cue("Reuters: Путин отверг мирный план по Украине") == (None, False)
    assert headline_cue("Le Kremlin dément tout appel entre Poutine et Trump")[1]
    assert headline_cue("Kreml weist Bericht über Telefonat zwischen Putin und Trump zurück")[1]
    assert headline_cue("Putin und Trump telefonierten, berichtet die Washington Post") == (None, False)
    assert headline_cue("Kremlin brushes aside report on Putin's health")[1]
    # "shoot down" is a denial only with a claim as its object; with drones or jets it is
    # the literal sense, common in war news, and the headline reports an event
    assert headline_cue("Kremlin shoots down reports of a secret meeting in Oman")[1]
    assert headline_cue("Peskov shoots down 'absurd' rumours about the president's health")[1]
    assert headline_cue("Air defences shoot down six drones over the Baltic coast") == (None, False)
    # a cue noun the Russian side owns is an accusation against Russia: a report of the claim
    assert headline_cue("Leaked memo exposes Kremlin lies about the convoy") == (None, False)
    assert headline_cue("Minister says she is the target of a Russian 'fake news' campaign") == (None, False)
    assert headline_cue("ЕС ответит на российские фейки о выборах") == (None, False)
    assert headline_cue("Zakharova: the report on the convoy is lies from start to finish")[1]
    assert headline_cue("Moscow calls Kyiv's account of the convoy 'fake'")[1]
    assert headline_cue("Песков назвал ерундой сообщения о болезни президента")[1]
    assert headline_cue("Захарова назвала вбросом публикацию NYT")[1]
    assert headline_cue("Песков назвал «псевдорасследованием» материал о дворце")[1]
    assert headline_cue("Минобороны РФ: ударов по целям вблизи границы не наносилось")[1]
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


def test_name_keys_follow_the_sound_across_scripts_and_transliterations() -> None:
    # Russian surnames in every case (Snowball would cut Лавров to "лавр" but not Лаврова)
    assert name_key("Driscoll") == name_key("Дрисколл") == name_key("Дрисколла")
    assert name_key("Lavrov") == name_key("Лавров") == name_key("Лаврова") == name_key("Lawrow")
    assert name_key("Zelensky") == name_key("Зеленского") == name_key("Zełenski")
    assert name_key("Çavuşoğlu") == name_key("Чавушоглу")
    assert name_key("Yelabuga") == name_key("Елабуге")
    assert name_key("Driscoll") != name_key("Dresden")


def test_a_spelling_the_gazetteer_does_not_list_still_means_its_person() -> None:
    # the gazetteer lists Prigozhin / Пригожин*; the Polish spelling meets it by its name key
    assert "person:prigozhin" in text_terms("Szef Grupy Wagnera Jewgienij Prigożyn negocjował z Ukraińcami.")
    # a name nobody listed stays an open-vocabulary name key, the same in both scripts
    assert "name:drisko" in text_terms("The army secretary, Dan Driscoll, flew to Abu Dhabi.")
    assert "name:drisko" in text_terms("Министр армии США Дэн Дрисколл прилетел в Абу-Даби.")


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


# --- the people the claim is about (actors)

MODI_CLAIM = "a report by the Washington Post that Narendra Modi had spoken to Antony Blinken about Odesa"


def modi_profile():
    return profile(claim=MODI_CLAIM, quote="This is completely untrue.", entities=("person:blinken", "person:modi"),
                   event_type="event:call", doc_title="Kremlin denies report that Modi spoke to Blinken",
                   doc_lead=f"The Kremlin denied {MODI_CLAIM}. Kremlin spokesman Dmitry Peskov called it fiction.")


def test_actors_are_the_claims_people_without_the_denier() -> None:
    p = modi_profile()
    assert p.actors == ("person:blinken", "person:modi")
    assert "person:peskov" in p.terms and "person:peskov" not in p.actors
    assert profile(claim="Peskov dismissed the report", quote="Nonsense.", entities=(), event_type=None,
                   outlets=()).actors == ()


def test_report_naming_none_of_the_claims_people_is_another_event() -> None:
    other = feats("Sergei Shoigu held a phone call with senator Vinsul Lossulro in Odesa",
                  "Sergei Shoigu held a phone call with senator Vinsul Lossulro in Odesa on Friday.")
    v = score_pair(modi_profile(), other, report_id=20)
    assert not v.matched
    assert score_pair(replace(modi_profile(), actors=()), other, report_id=20).matched  # places and event alone
    assert "names none of the people the claim is about (Blinken, Modi)" in v.explanation["penalties"]


def test_report_of_one_person_with_someone_else_is_penalised() -> None:
    claimed = feats("Narendra Modi spoke to Antony Blinken about Odesa, sources say",
                    "Narendra Modi held a phone call with Antony Blinken and discussed Odesa, the Washington Post reported.")
    other = feats("Narendra Modi held a phone call with senator Vinsul Lossulro in Odesa",
                  "Narendra Modi held a phone call with senator Vinsul Lossulro in Odesa on Friday.")
    v_claimed = score_pair(modi_profile(), claimed, report_id=21)
    v_other = score_pair(modi_profile(), other, report_id=22)
    assert v_claimed.matched and not v_claimed.explanation["penalties"]
    unpenalised = score_pair(replace(modi_profile(), actors=()), other, report_id=22).score
    assert v_other.score < 0.85 * unpenalised and v_other.score < v_claimed.score
    assert "never names Blinken, of the people the claim is about" in v_other.explanation["penalties"]


def test_people_mentioned_only_below_the_lead_are_in_passing() -> None:
    filler = " ".join(["Markets were calm and shipping in the Black Sea stayed disrupted on Friday."] * 8)
    passing = feats("Odesa port reopens after a week of repairs",
                    f"The port of Odesa reopened on Friday after a week of repairs. {filler} "
                    "Narendra Modi and Antony Blinken are expected to discuss grain next month.")
    v = score_pair(modi_profile(), passing, report_id=23)
    assert any(p.endswith("only below the lead") for p in v.explanation["penalties"])


def test_surname_title_and_russian_case_forms_still_name_the_claims_people() -> None:
    reports = [
        feats("Trump advised Putin in call not to escalate, Washington Post says",
              "Trump spoke by phone with Putin on Thursday, The Washington Post reported."),
        feats("Trump advised the Russian president in a call not to escalate, Washington Post says",
              "The US president-elect spoke by phone with the Kremlin leader on Thursday, The Washington Post reported."),
        feats("Трамп в телефонном разговоре посоветовал Путину не допускать эскалации",
              "Дональд Трамп провел телефонный разговор с Владимиром Путиным в четверг, сообщила The Washington Post.",
              lang="ru"),
    ]
    for i, report in enumerate(reports):
        v = score_pair(profile(), report, report_id=30 + i)
        assert v.matched, report.lead_terms
        assert not any("the claim is about" in p for p in v.explanation["penalties"])


def test_stored_profiles_keep_their_actors_and_older_ones_have_none() -> None:
    p = modi_profile()
    data = p.to_json()
    assert data["actors"] == ["person:blinken", "person:modi"]
    assert profile_from_json(1, 10, "Dmitry Peskov", p.published, data).actors == p.actors
    data.pop("actors")
    old = profile_from_json(1, 10, "Dmitry Peskov", p.published, data)
    assert old.actors == ()
    other = feats("Sergei Shoigu held a phone call with senator Vinsul Lossulro in Odesa",
                  "Sergei Shoigu held a phone call with senator Vinsul Lossulro in Odesa on Friday.")
    assert not any("the claim is about" in x for x in score_pair(old, other, report_id=24).explanation["penalties"])


def test_one_shared_group_and_few_claim_words_is_thin_evidence() -> None:
    claim = "the article in the American press about Russian agents paying the Taliban bounties to kill US troops"
    denial = profile(claim=claim, quote="This is fake news.", entities=("org:taliban", "country:us"),
                     event_type=None, outlets=(), doc_title="Comment by the Russian Embassy",
                     doc_lead="The Embassy considers the article about bounties paid to the Taliban fake news.")
    same_story = feats("Russian agents paid the Taliban bounties to kill US troops, officials say",
                       "Russian military intelligence paid Taliban-linked fighters bounties for killing US troops in "
                       "Afghanistan, American officials said.")
    other_news = feats("Taliban delegation visits Moscow for talks on Afghan peace",
                       "A Taliban delegation held talks with Russian diplomats in Moscow about the peace process.")
    hit, miss = score_pair(denial, same_story, report_id=1), score_pair(denial, other_news, report_id=2)
    assert hit.matched and not any("few of the claim's words" in p for p in hit.explanation["penalties"])
    assert any("shares only Taliban and few of the claim's words" in p for p in miss.explanation["penalties"])
    assert miss.score < hit.score


def test_first_names_and_platforms_are_not_name_keys() -> None:
    terms = text_terms("Зампред Совбеза Дмитрий Медведев написал в своем Telegram-канале, что Сергей Шойгу здоров.")
    assert "person:medvedev" in terms and "person:shoigu" in terms
    assert not {t for t in terms if t.startswith("name:")}, terms


def test_a_claim_naming_no_one_matches_the_same_specific_event_in_its_own_words() -> None:
    denial = profile(lang="ru", claim="публикации о якобы готовящейся второй волне мобилизации", quote="это домыслы",
                     entities=(), event_type="event:mobilization", outlets=(),
                     doc_title="Песков назвал домыслами сообщения о второй волне мобилизации",
                     doc_lead="В Кремле назвали домыслами публикации о второй волне мобилизации.")
    report = feats("СМИ: власти готовят вторую волну мобилизации", "Власти готовят вторую волну мобилизации, "
                   "пишет издание со ссылкой на источники.", lang="ru")
    other = feats("Hackers hit the payroll system of a regional bank", "Hackers hit the payroll system of a bank.")
    assert score_pair(denial, report, report_id=1).matched
    assert not score_pair(denial, other, report_id=2).matched


def test_a_report_sharing_only_topic_words_is_the_same_kind_of_news_not_the_claim() -> None:
    denial = profile(claim="attempts by US media to blame Russia for hacker attacks on US government bodies",
                     quote="unfounded", entities=("country:us", "country:russia"), event_type="event:cyberattack",
                     outlets=(), doc_title="Embassy comment on reports of hacker attacks",
                     doc_lead="The embassy called the reports of Russian hacker attacks on US agencies unfounded.")
    same = feats("Russian hackers breached US Treasury networks, officials say",
                 "Hackers working for Russian intelligence broke into US Treasury networks, officials said.")
    other = feats("Hackers targeted energy firms in Ukraine, Microsoft says",
                  "A hacking group attacked the networks of energy companies in Ukraine in November.")
    hit, miss = score_pair(denial, same, report_id=1), score_pair(denial, other, report_id=2)
    assert hit.matched
    assert "shares only topics with the claim, no name, place or group" in miss.explanation["penalties"]
    assert not miss.matched


def test_compass_adjectives_are_not_names_and_chemical_weapons_are_a_topic() -> None:
    terms = text_terms("The ministry said Western sponsors and European capitals ignored the Convention.")
    assert not {"name:wester", "name:europe", "name:europea"} & terms
    assert "topic:chemical" in text_terms("обвинения в применении хлорпикрина и химоружия")
    assert "topic:chemical" in text_terms("accused Russia of using the chemical agent chloropicrin")


def test_common_subjects_of_denials_are_topics_in_both_languages() -> None:
    pairs = [("a Russian submarine", "российская подлодка", "topic:submarine"),
             ("the damaged undersea cable", "поврежденный подводный кабель", "topic:cable"),
             ("deportation of Ukrainian children", "депортация украинских детей", "topic:children"),
             ("a Russian biological weapons programme", "биологическое оружие", "topic:biolab"),
             ("the Gdansk airport", "аэропорт Гданьска", "topic:airport")]
    for en, ru, topic in pairs:
        assert topic in text_terms(en) and topic in text_terms(ru), (en, ru, topic)


def test_a_state_measure_in_a_foreign_headline_identifies_a_claim_that_names_no_one() -> None:
    denial = profile(lang="ru", claim="сообщения о подготовке указа о закрытии границ для мужчин призывного возраста",
                     quote="не соответствуют действительности", entities=(), event_type="event:border_closure",
                     outlets=(), doc_title="Песков: разговоры о закрытии границ не соответствуют действительности",
                     doc_lead="Песков назвал не соответствующими действительности сообщения о закрытии границ.")
    report = feats("Kremlin prepares decree to stop men of fighting age leaving Russia, report says",
                   "The Kremlin is drafting a decree that would bar men of conscription age from leaving Russia.")
    other = feats("Kremlin says Putin will hold a meeting with the government on Thursday",
                  "Vladimir Putin will hold a meeting with members of the government on Thursday.")
    assert score_pair(denial, report, report_id=1).matched
    assert not score_pair(denial, other, report_id=2).matched


def test_german_names_are_keyed_and_common_first_names_are_not_terms() -> None:
    german = document_features("Russische Hacker greifen Abgeordnete an, sagt Timtschenko",
                               "Laut Sergej Timtschenko haben Hacker die Konten von Abgeordneten angegriffen.",
                               lang="de", role="media", source="x", published="2025-01-20T07:00:00+00:00")
    # a capitalised German word is keyed like a name in any other language (German spells the
    # Russian name its own way: tsch for ч): the English spelling meets it
    assert f"name:{name_key('Timchenko')}" in german.body_terms
    assert "country:russia" in german.body_terms
    assert f"name:{name_key('Sergei')}" not in german.body_terms
    english = text_terms("Mayor Sergei Sobyanin of Moscow said the rumours about Ivan Petrov were false.")
    assert f"name:{name_key('Собянин')}" in english and "name:serg" not in english and "name:ivan" not in english


def test_name_keys_follow_each_latin_language_spelling_and_cases() -> None:
    # Polish: "sz"/"cz"/"rz", "ie" for a soft consonant, "w" for в, case endings
    assert name_key("Szczerbakowem", "pl") == name_key("Shcherbakov") == name_key("Щербаковым")
    assert name_key("Miedwiediewa", "pl") == name_key("Medvedev") == name_key("Медведева")
    assert name_key("Borodinem", "pl") == name_key("Borodin") == name_key("Бородиным")
    # х is "ch" in German, Polish and Czech, "kh" in English; ж is "sch" in German
    assert name_key("Chabarowsk", "de") == name_key("Khabarovsk") == name_key("Хабаровске")
    assert name_key("Schukows", "de") == name_key("Zhukov") == name_key("Жукова")
    assert name_key("Sacharow", "de") == name_key("Zakharov")
    # Hungarian: "sz" is с, "s" is ш, "ty" a soft т; dative and instrumental endings
    assert name_key("Szokolovnak", "hu") == name_key("Sokolov") == name_key("Соколову")
    assert name_key("Sojguval", "hu") == name_key("Shoigu")
    # the same spelling read as English keeps its English key
    assert name_key("Sorinem") != name_key("Sorin") == name_key("Sorinem", "pl")
    assert name_key("Sandor", "hu") != name_key("Sandor")


def test_two_leaders_who_meet_often_need_the_denied_event_not_just_their_names() -> None:
    denial = profile(claim="reports that Xi Jinping promised Vladimir Putin components for Russian weapons",
                     quote="This is an invention.", entities=("person:xi", "person:putin"), event_type="event:supply",
                     outlets=(), doc_title="Kremlin denies Xi promised Putin weapons components",
                     doc_lead="The Kremlin denied reports that Xi promised Putin components for weapons.")
    promise = feats("Xi promised to supply Putin with components for weapons, officials say",
                    "Xi Jinping promised Vladimir Putin to keep supplying components for Russian weapons.")
    summit = feats("Putin and Xi sign energy and trade agreements in Beijing",
                   "Vladimir Putin and Xi Jinping signed energy and trade agreements in Beijing on Thursday.")
    assert score_pair(denial, promise, report_id=1).matched
    miss = score_pair(denial, summit, report_id=2)
    assert not miss.matched and "shares only widely reported people with the claim" in miss.explanation["penalties"]


def test_a_meeting_of_the_same_two_leaders_elsewhere_is_not_the_denied_one() -> None:
    denial = profile(claim="reports that the meeting of Putin and Trump in Budapest is set for October 30",
                     quote="This does not correspond to reality.", entities=("person:putin", "person:trump"),
                     event_type="event:meeting", outlets=(), doc_title="Kremlin denies Budapest summit date",
                     doc_lead="The Kremlin said no date was set for a Putin-Trump meeting in Budapest.")
    budapest = feats("Putin and Trump to meet in Budapest on October 30, officials say",
                     "Vladimir Putin and Donald Trump will meet in Budapest on October 30, officials said.")
    call = feats("Trump and Putin speak by phone, agree to meet",
                 "Donald Trump said he spoke with Vladimir Putin for two hours and that they agreed to meet.")
    assert score_pair(denial, budapest, report_id=1).matched
    miss = score_pair(denial, call, report_id=2)
    assert not miss.matched
    assert "shares only widely reported people; never names Hungary" in miss.explanation["penalties"]


def test_a_place_only_in_the_denials_own_story_is_not_the_claims_setting() -> None:
    # "in Sochi" is where Peskov spoke, not where the denied call happened
    denial = profile(claim="reports that Putin and Trump spoke by phone", quote="This is pure fiction.",
                     entities=("person:putin", "person:trump"), event_type="event:call", outlets=(),
                     doc_title="Peskov in Sochi: no call between Putin and Trump",
                     doc_lead="Speaking to reporters in Sochi, Peskov denied that Putin and Trump spoke by phone.")
    report = feats("Trump spoke with Putin by phone, officials say",
                   "Donald Trump spoke with Vladimir Putin by phone on Thursday, two officials said.")
    verdict = score_pair(denial, report, report_id=1)
    assert verdict.matched and not any("never names" in p for p in verdict.explanation["penalties"])


def test_headline_and_lead_stand_in_when_the_claim_names_nothing_specific() -> None:
    title = "Kremlin: the report on Driscoll's Abu Dhabi talks is fiction"
    lead = "Dmitry Peskov said a report that Dan Driscoll met Russian officials in Abu Dhabi was untrue."
    bare = dict(claim="", quote="This is pure fiction.", entities=("person:peskov",), event_type=None, outlets=(),
                doc_title=title, doc_lead=lead, use_context=False)
    assert "name:drisko" in profile(**bare).terms
    # a claim of its own keeps the headline out when the denial is not the document's subject
    own = dict(bare, claim="reports that Marco Rubio visited Budapest", entities=())
    assert "name:drisko" not in profile(**own).terms


def test_a_denial_without_candidates_is_recorded_with_its_reason_and_counted(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    denial = {"url": "https://wire.example/peskov-oslo", "source": "wire", "role": "media", "lang": "en",
              "published": "2025-02-03T10:00:00Z", "title": "Kremlin denies Oslo talks report",
              "text": "Dmitry Peskov said reports that Russian envoys met Norwegian mediators in Oslo last week "
                      "are pure fiction. There were no such talks, he said."}
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(denial) + "\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["import", str(path), "--db", str(db)]).exit_code == 0
    with Store.open(db) as store:
        rows = store.db.execute("SELECT unmatched FROM denials").fetchall()
        assert rows and all(r[0] and "no report in the window" in r[0] for r in rows)
        assert store.count_unmatched_denials() == len(rows)
    status = CliRunner().invoke(cli, ["status", "--db", str(db), "--json"])
    assert json.loads(status.output)["counts"]["denials_unmatched"] == len(rows)
    # a report of the claim arrives: the denial has a candidate, the reason is cleared
    report = {"url": "https://paper.example/oslo-talks", "source": "paper", "role": "media", "lang": "en",
              "published": "2025-02-01T10:00:00Z", "title": "Russian envoys met Norwegian mediators in Oslo",
              "text": "Russian envoys met Norwegian mediators in Oslo to discuss a ceasefire, two diplomats said."}
    path.write_text(json.dumps(report) + "\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["import", str(path), "--db", str(db)]).exit_code == 0
    with Store.open(db) as store:
        assert store.count_matches() > 0
        assert store.count_unmatched_denials() == 0


@pytest.mark.parametrize("text", [
    "", "a", "Kremlin denies", "  l'état, rock’n’roll; x--y a- b' _a_ 1a2 a_ ",
    "Песков: «Это не так». Dmitry Peskov's reply – no—comment…\n\nİstanbul ß- -e- a1- 7",
])
def test_the_word_split_finds_the_words_and_offsets_the_word_pattern_finds(text: str) -> None:
    from monitor.match import features

    words, offsets = features._tokens(text)
    found = list(features._WORD.finditer(text))
    assert words == [m.group() for m in found]
    assert [(offsets[2 * k + 1], offsets[2 * k + 2]) for k in range(len(words))] == [m.span() for m in found]


def test_the_learned_scorers_parts_are_the_hand_scorers_parts_rounded_to_three_places() -> None:
    # ``score_parts`` writes some parts without a ``round`` call, as constants that need none:
    # every part it returns must still equal its value rounded, whatever branch set it
    from monitor.match.scoring import score_parts

    reports = [REPORT,
               feats("Putin and Trump met in Budapest", "Vladimir Putin met Donald Trump in Budapest on Friday."),
               feats("Trump spoke by phone with Putin, CNN says", "Donald Trump had a call with Putin, CNN reported.",
                     published="2024-11-14T09:00:00+00:00"),
               feats("Weather in Paris", "It rained all day in Paris and Berlin.", published="2024-10-01T08:00:00+00:00"),
               feats("Путин и Трамп провели телефонный разговор", "Владимир Путин и Дональд Трамп поговорили по телефону.",
                     lang="ru")]
    denials = [profile(), profile(outlets=()), profile(event_type=None), profile(event_type="event:meeting"),
               profile(lang="ru", outlets=("outlet:cnn",))]
    seen = set()
    for d in denials:
        for i, r in enumerate(reports):
            parts = score_parts(d, r, report_id=i)
            assert {name: round(v, 3) for name, _, v in parts.parts} == parts.rounded
            seen.update((name, v) for name, _, v in parts.parts if name in ("event", "outlet"))
    assert len({v for name, v in seen if name == "event"}) >= 3 and {("outlet", 0.2), ("outlet", 1.0)} <= seen
