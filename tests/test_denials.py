"""Denial detection: cue families, guards, speaker attribution, claims, dates, merging.

All texts are written for these tests, modelled on how Kremlin, MFA and MoD denials are
worded and reported; none is copied from the development set.
"""

from __future__ import annotations

import datetime as dt

import pytest

from monitor.detect.denials import (
    canonical_speaker,
    detect_denials,
    is_denial_coverage,
    resolve_event_date,
    split_sentences,
)
from monitor.models import Denial, Document

PUB = dt.datetime(2025, 3, 17, 9, 0, tzinfo=dt.timezone.utc)  # a Monday


def doc(text: str, title: str = "", lang: str | None = "en", role: str = "media") -> Document:
    return Document(url="https://t.example/x", title=title, text=text, published=PUB, source="t", role=role, lang=lang)


def denials(text: str, title: str = "", lang: str | None = "en", role: str = "media") -> list[Denial]:
    return detect_denials(doc(text, title, lang, role))


# --------------------------------------------------------------------------- cue families


@pytest.mark.parametrize(
    "sentence",
    [
        "\"This is completely untrue,\" Kremlin spokesman Dmitry Peskov said of the report that Putin met Musk.",
        "Peskov said the Bloomberg story about a Putin decree was \"pure fiction\".",
        "Peskov called the FT report about a secret deal \"fabricated from start to finish\".",
        "\"It is fake news,\" Peskov said when asked about the report of a Putin-Xi call.",
        "Maria Zakharova called the Guardian article about Russian spies \"a canard\".",
        "The Russian Foreign Ministry said claims of Russian arms shipments to Sudan do not correspond to reality.",
        "Lavrov said reports that Russia had asked Iran for missiles were \"nonsense\".",
        "\"Nothing of the sort,\" Peskov said when asked whether Putin had met Witkoff in secret.",
        "Asked about the Axios report of a planned summit, Peskov said: \"This is not the case.\"",
        "Peskov described accusations that Russia was behind the sabotage as baseless.",
    ],
)
def test_strong_cues_in_english(sentence: str) -> None:
    found = denials(sentence)
    assert found, sentence
    assert found[0].cue_class in ("strong", "event", "verb")


@pytest.mark.parametrize(
    "sentence",
    [
        "Песков назвал вымыслом сообщения Bloomberg о переговорах в Эр-Рияде.",
        "«Это не соответствует действительности», — заявил Песков, отвечая на вопрос о статье в «Коммерсанте».",
        "Захарова назвала фейком публикацию «Медузы» о высылке дипломатов.",
        "«Это утка», — сказал Песков о сообщениях об отставке главы Центробанка.",
        "Пресс-секретарь президента Дмитрий Песков назвал чушью статью о болезни президента.",
        "В Минобороны назвали информационным вбросом сообщения об ударе по больнице.",
        "«Это неправда», — заявил Ушаков о публикации Financial Times.",
        "Песков назвал домыслами сообщения о проблемах со здоровьем у министра.",
        "«Ничего подобного», — ответил Песков на вопрос о встрече Путина с Уиткоффом.",
    ],
)
def test_strong_cues_in_russian(sentence: str) -> None:
    assert denials(sentence, lang="ru"), sentence


@pytest.mark.parametrize(
    ("sentence", "lang"),
    [
        ("The Kremlin on Tuesday denied reports that Putin had spoken to Trump by phone last week.", "en"),
        ("Kremlin spokesman Dmitry Peskov dismissed a CNN report that Russia planned to kill an arms executive.", "en"),
        ("The Russian Defence Ministry rejected Kyiv's claims that Russian missiles hit a shopping centre.", "en"),
        ("Peskov refuted media reports of a secret Russian base in Libya.", "en"),
        ("Песков опроверг сообщения The Washington Post о телефонном разговоре Путина и Трампа.", "ru"),
        ("В Минобороны опровергли публикацию The New York Times об ударах по госпиталям.", "ru"),
        ("Кремль отверг обвинения Лондона в причастности к кибератакам.", "ru"),
    ],
)
def test_reported_denial_verbs(sentence: str, lang: str) -> None:
    found = denials(sentence, lang=lang)
    assert found and found[0].cue_class == "verb"


def test_event_did_not_happen_counts_next_to_a_named_report() -> None:
    text = (
        "The Washington Post reported that Trump and Putin spoke by phone on Thursday. "
        "Asked about it, Peskov said: \"There was no conversation.\""
    )
    found = denials(text)
    assert len(found) == 1
    assert found[0].cue_class == "event"
    assert found[0].event_type == "event:call"
    assert "outlet:washingtonpost" in found[0].outlets


def test_event_did_not_happen_in_russian_with_a_question() -> None:
    text = "Журналисты спросили Ушакова о сообщениях о звонке Путина Трампу. «Разговора не было», — ответил он."
    found = denials(text, lang="ru")
    assert found and found[0].speaker == "Yuri Ushakov"


def test_bare_event_negation_without_support_is_not_a_denial() -> None:
    # No report, question or strong cue: just a statement about the schedule.
    assert denials("There was no meeting on Monday, Peskov said, because Putin was in Kazan.") == []


# --------------------------------------------------------------------------- hard negatives


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("There are no concrete plans yet for a Putin-Trump call, Peskov said.", "en"),
        ("\"We do not intend to attack anyone,\" Peskov said.", "en"),
        ("Russia will not allow NATO troops in Ukraine, Zakharova said.", "en"),
        ("Peskov declined to comment on the Financial Times report about troop movements.", "en"),
        ("\"We do not comment on such reports,\" Peskov said.", "en"),
        ("The Kremlin confirmed that Putin and Erdogan had spoken by phone.", "en"),
        ("Zakharova warned that Russia would respond harshly to any provocation by London.", "en"),
        ("Lavrov claimed Kyiv was preparing a false flag attack on the plant.", "en"),
        ("Peskov said he could neither confirm nor deny the reports about Shoigu.", "en"),
        ("Peskov did not deny that contacts with Washington had taken place.", "en"),
        ("Разговор Путина и Макрона пока не планируется, сообщил Песков.", "ru"),
        ("Песков воздержался от комментариев по поводу публикации Bloomberg.", "ru"),
        ("«Мы не будем комментировать эти сообщения», — сказал Песков.", "ru"),
        ("Песков подтвердил, что Путин проведет переговоры с Эрдоганом.", "ru"),
        ("Россия не позволит разместить ракеты у своих границ, заявила Захарова.", "ru"),
        ("Песков не стал ни подтверждать, ни опровергать сообщения о визите Путина в Индию.", "ru"),
        ("Суд оштрафовал блогера за распространение фейков об армии.", "ru"),
    ],
)
def test_hard_negatives_yield_nothing(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == [], text


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ukraine's Foreign Ministry dismissed the Russian claims as fake.", "en"),
        ("A White House spokesperson called the Politico report \"completely false\".", "en"),
        ("Ukrainian President Volodymyr Zelensky denied that Kyiv was behind the attack on Moscow.", "en"),
        ("A spokesman for Donald Trump said the book was full of made-up stories.", "en"),
        ("Iran denies supplying drones to Russia.", "en"),
        ("The Kyiv regime denied reports that its troops had shelled the hospital.", "en"),
        ("Zakharova accused Western media of constantly spreading lies about Russia.", "en"),
        ("Polish Foreign Minister Radoslaw Sikorski called Zakharova's statement \"a lie\".", "en"),
        ("В МИД Украины назвали фейком сообщения российских СМИ об эвакуации посольства.", "ru"),
        ("Глава МИД Польши назвал заявления Захаровой ложью.", "ru"),
    ],
)
def test_non_russian_deniers_are_never_reported(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == [], text


def test_foreign_denial_in_an_article_that_also_quotes_the_kremlin() -> None:
    text = (
        "The Kremlin on Monday denied a report that Putin and Trump had spoken by phone. "
        "A Ukrainian official denied that Kyiv had been informed of the call. "
        "\"Reports that we were told in advance are false,\" Ukrainian Foreign Ministry spokesman Heorhii Tykhyi said."
    )
    found = denials(text)
    assert [d.speaker for d in found] == ["Kremlin"]


# --------------------------------------------------------------------------- attribution


def test_quote_attributed_from_an_earlier_sentence() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov spoke to reporters on Friday about a New York Times article on grain. "
        "He was asked whether its account of secret talks was right. "
        "\"Everything written there is fiction.\""
    )
    found = denials(text)
    assert found and found[0].speaker == "Dmitry Peskov"


def test_pronoun_resolves_to_the_last_named_official() -> None:
    text = (
        "Maria Zakharova was asked about a BBC story on Russian diplomats in Vienna. "
        "\"It is a crude fabrication,\" she said."
    )
    assert denials(text)[0].speaker == "Maria Zakharova"


def test_quote_split_over_sentences_takes_the_attribution_after_it() -> None:
    text = (
        "Politico reported that Moscow had offered Washington a deal on Arctic oil. "
        "\"This is untrue. It is pure invention. Nobody offered anything,\" Yuri Ushakov told reporters."
    )
    found = denials(text)
    assert len(found) == 1
    assert found[0].speaker == "Yuri Ushakov"


def test_transcript_turns_in_english() -> None:
    text = (
        "Question: The Wall Street Journal writes that the President spoke to Elon Musk several times this year. Is that so?\n"
        "Dmitry Peskov: No, that is not true. They spoke once.\n"
        "Question: Will the President travel to Kazan?\n"
        "Dmitry Peskov: Yes, next week."
    )
    found = denials(text, role="official")
    assert len(found) == 1
    d = found[0]
    assert d.speaker == "Dmitry Peskov"
    assert "Wall Street Journal" in d.claim
    assert "outlet:wsj" in d.outlets
    assert "person:musk" in d.entities
    assert d.event_type == "event:call"


def test_transcript_turns_in_russian_with_initial() -> None:
    text = (
        "Вопрос: «Коммерсант» пишет, что Путин в мае посетит Пекин. Это так?\n"
        "Д.Песков: Нет, это не соответствует действительности."
    )
    found = denials(text, lang="ru", role="official")
    assert found and found[0].speaker == "Dmitry Peskov"
    assert "outlet:kommersant" in found[0].outlets
    assert found[0].event_type == "event:visit"


def test_foreign_turn_in_a_transcript_is_not_russian() -> None:
    text = "Question: What about the Reuters report?\nJohn Kirby: That report is false."
    assert denials(text, role="official") == []


@pytest.mark.parametrize(
    ("text", "speaker", "lang"),
    [
        ("Russian Foreign Ministry spokeswoman Maria Zakharova said the claims were lies.", "Maria Zakharova", "en"),
        ("The Russian Embassy in London called the report baseless.", "Russian Embassy in the UK", "en"),
        ("The Russian Defence Ministry said the footage was fake.", "Russian Defence Ministry", "en"),
        ("Putin's spokesman said the allegations were \"absolute lies\".", "Dmitry Peskov", "en"),
        ("Официальный представитель Минобороны Игорь Конашенков назвал фейком публикацию.", "Igor Konashenkov", "ru"),
        ("«Это ложь», — заявил Сергей Лавров журналистам о статье в Financial Times.", "Sergei Lavrov", "ru"),
        ("Russian Ambassador to the US Anatoly Antonov called the report \"fake news\".", "Anatoly Antonov", "en"),
        ("The FSB said reports of a sabotage group in Bryansk were fake.", "FSB", "en"),
        ("Посол России в США Александр Дарчиев назвал фейком публикацию CNN.", "Alexander Darchiev", "ru"),
    ],
)
def test_canonical_speakers(text: str, speaker: str, lang: str) -> None:
    assert denials(text, lang=lang)[0].speaker == speaker


def test_institution_takes_the_name_of_the_official_quoted() -> None:
    text = (
        "The Kremlin on Thursday dismissed a Bild report that Russia had tested a new missile over the Baltic. "
        "Peskov told reporters Moscow would not comment on military matters."
    )
    assert denials(text)[0].speaker == "Dmitry Peskov"


# --------------------------------------------------------------------------- claims, documents


def test_several_denials_of_different_claims_give_several_rows() -> None:
    text = (
        "Peskov dismissed a Bloomberg report that Putin had approved a new mobilisation wave as pure fiction. "
        "In a separate answer he rejected claims by Kyiv that Russian forces had struck a hospital in Sumy, calling them a provocation. "
        "Separately, Zakharova called a Guardian article on Russian hackers in Britain \"a canard\"."
    )
    found = denials(text)
    assert len(found) == 3
    assert {d.speaker for d in found} == {"Dmitry Peskov", "Maria Zakharova"}


def test_the_same_claim_denied_twice_is_one_row() -> None:
    text = (
        "The Washington Post reported that Trump and Putin had spoken by phone. "
        "\"This is completely untrue,\" Peskov said. \"It is pure fiction. There was no conversation.\""
    )
    found = denials(text)
    assert len(found) == 1


def test_headline_denial_merges_with_the_body() -> None:
    found = denials(
        "Kremlin spokesman Dmitry Peskov said on Monday that the Axios report was \"a hoax\".",
        title="Kremlin denies Axios report of Putin-Trump summit in Budapest",
    )
    assert len(found) == 1
    assert found[0].speaker == "Dmitry Peskov"
    assert "outlet:axios" in found[0].outlets


def test_bare_denial_takes_its_claim_from_the_headline() -> None:
    found = denials(
        "\"This is all fake,\" Peskov said on Monday.",
        title="Peskov on reports that Putin plans to visit North Korea",
    )
    assert found
    assert "North Korea" in found[0].claim
    assert "country:northkorea" in found[0].entities
    assert found[0].event_type == "event:visit"


def test_media_article_reporting_a_denial_counts_and_is_coverage() -> None:
    d = doc(
        "The Kremlin on Monday denied a report that Putin held a phone call with Trump last week. "
        "The Washington Post had reported the call on Sunday.",
        title="Kremlin denies report of Trump-Putin call",
    )
    found = detect_denials(d)
    assert found
    assert is_denial_coverage(d, found)


def test_report_asserting_the_claim_is_not_coverage() -> None:
    d = doc(
        "Donald Trump spoke with Vladimir Putin by telephone on Thursday, people familiar with the call said. "
        "The Kremlin later denied that any conversation took place.",
        title="Trump spoke with Putin, urged him not to escalate",
    )
    found = detect_denials(d)
    assert not is_denial_coverage(d, found)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trump spoke with Putin on Thursday", dt.date(2025, 3, 13)),
        ("the call took place last week", dt.date(2025, 3, 13)),
        ("they spoke on 7 November", dt.date(2024, 11, 7)),
        ("they spoke on November 7, 2023", dt.date(2023, 11, 7)),
        ("разговор 7 ноября", dt.date(2024, 11, 7)),
        ("встреча в четверг", dt.date(2025, 3, 13)),
        ("звонок вчера", dt.date(2025, 3, 16)),
        ("nothing about time here", None),
    ],
)
def test_event_dates_resolve_against_publication(text: str, expected: dt.date | None) -> None:
    assert resolve_event_date(text, PUB.date()) == expected


def test_date_of_the_report_is_not_the_date_of_the_event() -> None:
    found = denials(
        "The Washington Post reported on Sunday that Trump spoke with Putin on Thursday. "
        "\"There was no conversation. It is pure fiction,\" Peskov said."
    )
    assert found[0].event_date == dt.date(2025, 3, 13)


# --------------------------------------------------------------------------- helpers


def test_split_sentences_offsets_point_into_the_text() -> None:
    text = "Peskov said: \"No.\" He added more.\nВопрос: А что? Д.Песков: Нет."
    for start, end, sent in split_sentences(text, None):
        assert text[start:end].strip() == sent
    en = split_sentences("Former U.S. President Donald Trump spoke. Gen. Konashenkov said no.", "en")
    assert [s for _, _, s in en] == ["Former U.S. President Donald Trump spoke.", "Gen. Konashenkov said no."]
    ru = split_sentences("Д.Песков сказал «нет». Вопрос: А что?", "ru")
    assert [s for _, _, s in ru] == ["Д.Песков сказал «нет».", "Вопрос: А что?"]


def test_canonical_speaker_reads_gold_labels() -> None:
    assert canonical_speaker("Dmitry Peskov (Kremlin spokesman)") == ["Dmitry Peskov"]
    assert canonical_speaker("Russian Defence Ministry; Dmitry Peskov (Kremlin spokesman)") == [
        "Russian Defence Ministry",
        "Dmitry Peskov",
    ]
    assert canonical_speaker("Igor Konashenkov (Russian Defence Ministry spokesman)") == ["Igor Konashenkov"]


def test_text_without_any_cue_returns_nothing() -> None:
    assert denials("Putin met Erdogan in Sochi and discussed gas supplies.") == []
    assert denials("") == []


def test_denial_fields_are_filled() -> None:
    d = denials(
        "Kremlin spokesman Dmitry Peskov on Tuesday dismissed a Reuters report that Russia had sold fighter jets to Iran, calling it fake.",
        lang="en",
    )[0]
    assert d.speaker == "Dmitry Peskov"
    assert d.lang == "en"
    assert "sold fighter jets" in d.claim
    assert d.quote.startswith("Kremlin spokesman")
    assert "outlet:reuters" in d.outlets
    assert {"country:iran", "country:russia"} <= set(d.entities)
    assert d.event_type == "event:supply"
    assert 0.5 <= d.confidence <= 1.0
    assert d.position == 0


def test_official_named_inside_a_quote_is_not_its_speaker() -> None:
    found = denials(
        "Dmitry Peskov brushed aside speculation that the president would fly to the summit himself. "
        '"That is simply not true, Foreign Minister Sergei Lavrov will head the delegation," Peskov said.'
    )
    assert [d.speaker for d in found] == ["Dmitry Peskov"]


def test_official_named_inside_a_russian_quote_is_not_its_speaker() -> None:
    found = denials(
        "«Это неправда, делегацию возглавит министр иностранных дел Сергей Лавров», — сказал Дмитрий Песков.",
        lang="ru",
    )
    assert [d.speaker for d in found] == ["Dmitry Peskov"]


def test_rejecting_accusations_as_outrageous_is_a_denial() -> None:
    found = denials(
        "Kremlin spokesman Dmitry Peskov said the accusations made by European capitals were "
        "preposterous allegations with no evidence behind them."
    )
    assert [d.speaker for d in found] == ["Dmitry Peskov"]


def test_rejecting_this_after_a_question_about_allegations_is_a_denial() -> None:
    found = denials(
        "The Kremlin blamed saboteurs for the flooding of the river port. Asked about allegations that Russian "
        "engineers had opened the sluices, Kremlin spokesman Dmitry Peskov said: \"We firmly reject this.\""
    )
    assert [d.speaker for d in found] == ["Dmitry Peskov"]
    assert "sluices" in found[0].claim


@pytest.mark.parametrize("text", [
    "Asked about the ceasefire proposal, Foreign Minister Sergei Lavrov rejected it.",
    "Kremlin spokesman Dmitry Peskov said Moscow rejects this and will answer in kind.",
])
def test_rejecting_a_pronoun_with_no_claim_named_before_it_is_not_a_denial(text: str) -> None:
    assert denials(text) == []


@pytest.mark.parametrize("text, title, lang", [
    ("Latvia accused two Russian patrol boats of entering its waters on Friday. The Russian Defence Ministry "
     "said the boats had not entered Latvian waters and kept to their route.", "", "en"),
    ("Латвия обвинила российские патрульные катера в заходе в свои воды. В Минобороны России заявили, что "
     "катера в латвийские воды не заходили.", "", "ru"),
    ("Поход проходил по плану, без захода в чужие воды, заявили в Минобороны России.",
     "Минобороны ответило на обвинения Латвии в заходе катеров в её воды", "ru"),
])
def test_negating_the_action_an_accusation_names_is_a_denial(text: str, title: str, lang: str) -> None:
    assert [d.speaker for d in denials(text, title=title, lang=lang)] == ["Russian Defence Ministry"]


@pytest.mark.parametrize("text, lang", [
    # the same negation with no accusation of that action in the document
    ("The Russian Defence Ministry said the boats had not entered Latvian waters and kept to their route.", "en"),
    # an accusation, and a negation of another action
    ("Latvia accused two Russian patrol boats of entering its waters. The Russian Defence Ministry said the boats "
     "had not received any request from Riga.", "en"),
])
def test_a_negation_that_mirrors_no_accusation_is_not_a_denial(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == []


def test_calling_a_reported_figure_a_gross_manipulation_is_a_denial() -> None:
    found = denials(
        "Foreign Minister Sergei Lavrov said the casualty figure circulated by Kyiv was a gross manipulation."
    )
    assert [d.speaker for d in found] == ["Sergei Lavrov"]


def test_calling_threats_outrageous_is_criticism_not_denial() -> None:
    assert denials("Maria Zakharova said the new sanctions threats from Brussels were outrageous.") == []


# --- probe_3 failure modes (own texts)

@pytest.mark.parametrize("text", [
    'Medvedev wrote on Telegram that the story about his feud with the premier was "a pathetic lie".',
    '"There is no truth in these rumours at all," Kremlin spokesman Dmitry Peskov said.',
    'Zakharova said there was not a single word of truth in the Guardian article.',
])
def test_adjective_lie_and_no_truth_cues(text: str) -> None:
    assert denials(text)


def test_possessive_putin_is_not_the_speaker_of_his_aide() -> None:
    got = denials("Ushakov, Putin's foreign policy aide, branded the Axios story about a secret trip a fabrication.")
    assert got and got[0].speaker == "Yuri Ushakov"


def test_unknown_name_in_apposition_to_a_russian_ambassador_speaks_for_the_embassy() -> None:
    got = denials('Russia\'s ambassador to the UK, Pavel Orlov, told Sky News the report on Russian agents in ports was "pure fantasy" and a fabrication.')
    assert got and got[0].speaker.startswith("Russian Embassy")


def test_foreign_party_inside_the_complement_clause_is_not_the_speaker() -> None:
    got = denials("В Минобороны России заявили, что сообщения украинской стороны об ударе по порту в Измаиле "
                  "не соответствуют действительности.", lang="ru")
    assert got and got[0].speaker == "Russian Defence Ministry"


def test_participle_naming_verb_takes_the_main_clause_subject() -> None:
    got = denials('Maria Zakharova denied on Friday that Sergei Lavrov had met Marco Rubio in Doha, calling a Semafor report "a canard".')
    assert got and got[0].speaker == "Maria Zakharova"


def test_foreign_ministry_naming_russian_claims_fake_is_not_a_russian_denial() -> None:
    assert not denials("МИД Молдовы опроверг заявления российской стороны о подготовке провокации в Приднестровье, "
                       "назвав их фейком.", lang="ru")


@pytest.mark.parametrize(
    ("text", "lang", "speaker"),
    [
        ("Russia's ambassador to London, Andrei Kelin, told a radio interviewer that talk of a planned "
         "offensive was nonsense.", "en", "Andrei Kelin"),
        ("Посол России в Берлине Сергей Нечаев назвал статью немецкого таблоида фейком.", "ru", "Sergei Nechayev"),
        ("Sergei Kiriyenko dismissed reports that he had handed in his resignation as fabricated.", "en",
         "Sergei Kiriyenko"),
    ],
)
def test_ambassadors_and_other_russian_officials_are_speakers(text: str, lang: str, speaker: str) -> None:
    assert [d.speaker for d in denials(text, lang=lang)] == [speaker]


# --- probe_4 failure modes (own texts)

@pytest.mark.parametrize(
    ("text", "lang", "speaker"),
    [
        ("Dmitry Peskov dismissed reports that the Foreign Ministry was drafting a new protest note as fiction.", "en",
         "Dmitry Peskov"),
        ("Lavrov rejected claims that the Defence Ministry had lost control of the border region as nonsense.", "en",
         "Sergei Lavrov"),
        ("Sergei Kiriyenko dismissed reports that he was about to leave the Kremlin as fabricated.", "en",
         "Sergei Kiriyenko"),
        ("Захарова опровергла сообщения о том, что Минобороны готовит новую мобилизацию, назвав их фейком.", "ru",
         "Maria Zakharova"),
    ],
)
def test_institution_inside_the_denied_claim_is_not_a_second_speaker(text: str, lang: str, speaker: str) -> None:
    assert [d.speaker for d in denials(text, lang=lang)] == [speaker]


def test_pronoun_after_a_denial_verb_is_the_denier_not_the_person_in_the_claim() -> None:
    got = denials("Пресс-секретарь президента Дмитрий Песков опроверг слухи о скорой отставке Эльвиры Набиуллиной. "
                  '"Нет, это не так", - ответил он журналистам.', lang="ru")
    assert {d.speaker for d in got} == {"Dmitry Peskov"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Мария Захарова заявила, что западные страны ведут информационную войну и распространяют фейки о России.", "ru"),
        ("В МИД России отметили, что количество фейков о внешней политике страны в соцсетях выросло вдвое.", "ru"),
        ("Zakharova accused Western media of waging a campaign of disinformation against Russia to justify sanctions.", "en"),
    ],
)
def test_fakes_in_general_are_not_a_denied_claim(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == []


def test_specific_report_called_part_of_a_disinformation_campaign_is_a_denial() -> None:
    assert denials("Zakharova called the Bloomberg report about grain exports part of a campaign of disinformation.")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Satellite images show Russia has moved more air defence units to Kaliningrad. The units arrived in March. "
         "Last year the Defence Ministry had dismissed similar reports about Belarus as fake.", "en"),
        ("Минобороны готовит новый призыв резервистов, сообщает издание. Документы уже подписаны. "
         "Ранее, в 2023 году, в Кремле опровергали слухи о второй волне мобилизации.", "ru"),
    ],
)
def test_an_old_denial_recalled_in_passing_is_not_a_denial(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == []


# --- soft denials: an explicit "No" answer, "did not discuss" (own texts)

@pytest.mark.parametrize(
    ("text", "lang", "claim_part"),
    [
        ('"No, we have no information about any such transfer," Dmitry Peskov said when asked whether '
         "Russian air defence systems had been sent to Venezuela.", "en", "air defence systems"),
        ("Asked by reporters whether the central bank governor had resigned, Peskov replied: "
         '"No, I am not aware of that."', "en", "central bank governor"),
        ("«Нет, у нас нет никакой информации на этот счет», — сказал Песков на вопрос о якобы готовящемся "
         "обмене заключенными с Германией.", "ru", "обмене"),
        ("На вопрос, правда ли, что российские военные покинули авиабазу в Сирии, Песков ответил: «Нет, нам об "
         "этом ничего не известно».", "ru", "авиабазу"),
    ],
)
def test_a_no_answer_with_no_knowledge_denies_the_question_asked(text: str, lang: str, claim_part: str) -> None:
    got = denials(text, lang=lang)
    assert [d.speaker for d in got] == ["Dmitry Peskov"]
    assert claim_part in got[0].claim


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # no "No": a statement of not knowing, not an answer that denies
        ('"We have no information about the health of the governor," Peskov said when asked about rumours.', "en"),
        ("«У нас нет информации о сроках визита», — сказал Песков на вопрос о поездке президента в Китай.", "ru"),
        # "No" about plans or decisions still to come
        ('"No, there are no such plans so far," Peskov said when asked whether Putin would travel to Brazil.', "en"),
        ('"No, no decision has been taken yet," Peskov said when asked about a new call-up.', "en"),
        # a future event and "for now": a hedge, not a denial
        ("На вопрос, правда ли, что Путин посетит Пхеньян в мае, Песков ответил: «Нет, нам пока об этом ничего "
         "не известно».", "ru"),
        # a non-Russian speaker
        ('"No, we have no information on that," a State Department spokesman said when asked about the report.', "en"),
    ],
)
def test_no_answers_that_deny_nothing_are_not_denials(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == []


def test_did_not_discuss_denies_talks_and_names_the_event() -> None:
    got = denials("Media reported that Russian and Ukrainian envoys had discussed a ceasefire plan in Doha. "
                  '"The plan was not discussed in Doha," Kremlin aide Yuri Ushakov said on Thursday.')
    assert [d.speaker for d in got] == ["Yuri Ushakov"]
    assert got[0].event_type == "event:talks"


def test_did_not_discuss_with_no_report_or_question_is_not_a_denial() -> None:
    # a readout of what a call covered: nothing is contradicted
    assert denials("Sergei Lavrov and his Turkish counterpart did not discuss gas prices during Tuesday's call, "
                   "the Foreign Ministry said.") == []


def test_a_peace_plan_is_not_a_plan_to_do_something() -> None:
    got = denials("Western media reported that Russia and Ukraine had agreed a ceasefire in Riyadh. Ushakov said the peace plan "
                  "was not discussed at the meeting at all.")
    assert [d.speaker for d in got] == ["Yuri Ushakov"]


# --- French and German wire copy (own texts)

@pytest.mark.parametrize(
    ("text", "lang", "speaker"),
    [
        ("Le porte-parole du Kremlin, Dmitri Peskov, a démenti les informations du Monde sur une rencontre secrète "
         "entre Poutine et Macron, les qualifiant de « pure invention ».", "fr", "Dmitry Peskov"),
        ("« C'est complètement faux », a déclaré Maria Zakharova à propos de l'article sur des livraisons d'armes.",
         "fr", "Maria Zakharova"),
        ("Kremlsprecher Dmitri Peskow hat den Bericht des Spiegel über ein geheimes Treffen in Genf als "
         "„frei erfunden“ zurückgewiesen.", "de", "Dmitry Peskov"),
        ("Das russische Außenministerium weist die Vorwürfe der Bundesregierung über einen Hackerangriff auf den "
         "Bundestag entschieden zurück.", "de", "Russian Foreign Ministry"),
    ],
)
def test_french_and_german_denials(text: str, lang: str, speaker: str) -> None:
    assert [d.speaker for d in denials(text, lang=lang)] == [speaker]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Peskow sagte, die Entscheidung sei falsch verstanden worden.", "de"),
        ("Le Kremlin a évoqué un faux départ des négociations avec Kiev.", "fr"),
        ("Der Kreml will die Gespräche vorerst nicht weiterführen, sagte Peskow.", "de"),
        ("Le Kremlin n'a pas démenti la rencontre entre les deux délégations.", "fr"),
    ],
)
def test_french_and_german_sentences_that_deny_nothing(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == []


# --- more ways to say "untrue" (own texts)

@pytest.mark.parametrize(
    ("quote", "lang"),
    [
        ("The reports do not reflect reality", "en"),
        ("These reports are not in line with reality", "en"),
        ("This is absolutely not the case", "en"),
        ("That is not so", "en"),
        ("These claims are not based on facts", "en"),
        ("These claims do not hold water", "en"),
        ("This is an absolute falsehood", "en"),
        ("It is a figment of someone's imagination", "en"),
        ("Nothing like that happened", "en"),
        ("Это не соответствует реальности", "ru"),
        ("Это не имеет под собой никаких оснований", "ru"),
        ("Эти утверждения лишены всяких оснований", "ru"),
        ("Это безосновательные обвинения", "ru"),
        ("Это враньё от начала до конца", "ru"),
    ],
)
def test_more_ways_to_call_a_report_untrue(quote: str, lang: str) -> None:
    if lang == "en":
        text = (f'"{quote}," Kremlin spokesman Dmitry Peskov said when asked about a Reuters report that Russia '
                "had moved nuclear warheads to Belarus.")
    else:
        text = (f"«{quote}», — сказал Дмитрий Песков, комментируя публикацию Reuters о якобы переброске ядерных "
                "боеголовок в Белоруссию.")
    assert [d.speaker for d in denials(text, lang=lang)] == ["Dmitry Peskov"]


@pytest.mark.parametrize(
    "text",
    [
        '"It is not so simple," Peskov said when asked whether talks with Kyiv could resume soon.',
        "Zakharova accused Western media of spreading conspiracy theories about the pandemic.",
        "A Moscow court convicted the blogger of libelling a veteran. Peskov said the Kremlin does not interfere "
        "in court decisions.",
    ],
)
def test_look_alikes_of_the_new_cues_are_not_denials(text: str) -> None:
    assert denials(text) == []


def test_russian_non_involvement_needs_no_report_nearby() -> None:
    got = denials("Министерство обороны России заявило, что российские вооруженные силы не причастны к появлению "
                  "беспилотников над аэропортом Гданьска.", lang="ru")
    assert [d.speaker for d in got] == ["Russian Defence Ministry"]


def test_english_non_involvement_still_needs_a_claim_nearby() -> None:
    # "not involved in the talks" is a fact about the talks, not a denial
    assert denials("Lavrov said Russia was not involved in the negotiations between the two neighbours.") == []


@pytest.mark.parametrize(
    "text",
    [
        "La portavoz de la Cancillería rusa, María Zajárova, calificó de infundadas las acusaciones de Londres.",
        "Il portavoce del Cremlino Dmitry Peskov ha definito assurde le accuse di Londra.",
    ],
)
def test_spanish_and_italian_groundless_and_absurd(text: str) -> None:
    assert denials(text, lang=None)


# --- a bare "No." answering a question that relays a report (own texts)

def test_bare_no_answering_a_relayed_report_is_a_denial() -> None:
    text = ("Question: Western newspapers write that Russia has asked Iran for ballistic missiles. Is that so?\n"
            "Dmitry Peskov: No. We have enough of our own.")
    got = denials(text, title="Dmitry Peskov answered media questions", role="official")
    assert [(d.speaker, d.cue) for d in got] == [("Dmitry Peskov", "No.")]
    assert "ballistic missiles" in got[0].claim


@pytest.mark.parametrize(
    "text",
    [
        # a plan, not a report
        "Question: Will the President travel to the summit in Brazil?\nDmitry Peskov: No. Not this time.",
        # a question with no report or claim in it
        "Question: Is the President working in the Kremlin today?\nDmitry Peskov: No. He is in Novo-Ogaryovo.",
    ],
)
def test_bare_no_to_other_questions_is_not_a_denial(text: str) -> None:
    assert denials(text, title="Dmitry Peskov answered media questions", role="official") == []


def test_an_unplaced_russian_embassy_speaks_for_itself() -> None:
    got = denials("We regard the latest unfounded attempt by American media to blame Russia for the hacker attacks "
                  "on US ministries as part of a smear campaign.", title="Russian Embassy comment on media reports",
                  role="official")
    assert [d.speaker for d in got] == ["Russian Embassy"]


def test_unproven_and_unsupported_accusations_are_called_untrue() -> None:
    assert denials("Мария Захарова назвала бездоказательными обвинения Берлина в кибератаках на депутатов.", lang="ru")
    assert denials("Песков назвал ничем не подкрепленными обвинения Вашингтона в применении химического оружия.",
                   lang="ru")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Песков назвал лживыми сообщения Bloomberg о планах национализации.", "ru"),
        ("«Это полная ерунда», — сказал Песков о публикации газеты о болезни президента.", "ru"),
        ("Захарова назвала сфабрикованными обвинения Лондона в отравлении.", "ru"),
        ("Peskov brushed aside reports that Putin was ill.", "en"),
        ("The Kremlin scoffed at claims that it had ordered the killing.", "en"),
        ("Peskov laughed off the story about a Putin double.", "en"),
    ],
)
def test_more_denial_words_and_verbs(text: str, lang: str) -> None:
    assert denials(text, lang=lang)


@pytest.mark.parametrize("text", ["Putin denounced Western sanctions at the forum.",
                                  "He brushed aside concerns about the economy, Peskov said."])
def test_the_new_verbs_need_a_report_or_claim_as_object(text: str) -> None:
    assert denials(text) == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Генштаб ВСУ назвал ложью заявление Минобороны России о захвате поселка.", "ru"),
        ("Ukraine's General Staff called the Russian Defence Ministry's claim of a captured village a lie.", "en"),
    ],
)
def test_ukraines_military_calling_a_russian_claim_a_lie_is_not_a_russian_denial(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == []


def test_a_distortion_of_words_is_denied() -> None:
    got = denials("Sergei Lavrov accused Western media of distorting his words about nuclear weapons. "
                  '"We never said that. This is a distortion," he told a news conference.')
    assert {d.speaker for d in got} == {"Sergei Lavrov"}


def test_fantasies_and_mystification_about_a_report_are_weak_cues() -> None:
    assert denials("Захарова назвала фантазиями публикацию британской газеты о российских шпионах.", lang="ru")
    assert denials("Песков назвал мистификацией сообщения о двойнике президента.", lang="ru")
    # with no report or naming verb, a fantasy is just a word
    assert denials("Путин сказал, что его детские фантазии были о космосе.", lang="ru") == []


# --------------------------------------------------------------------------- issue 15 item 8: reported speech

_LEAD_RU = ("Британская газета сообщила, что российские военные советники прибыли в Каракас. "
            "По данным издания, речь идет о нескольких десятках специалистов. ")
_LEAD_EN = ("A British newspaper reported that Russian military advisers had arrived in Caracas. "
            "According to the paper, several dozen specialists are involved. ")
_FILLER_RU = ("Вашингтон призвал Москву объясниться. В Каракасе от комментариев отказались. "
              "Эксперты считают, что это может обострить ситуацию в регионе. ") * 4


@pytest.mark.parametrize(
    ("text", "lang", "speaker"),
    [
        (_LEAD_RU + "В Кремле заявили, что никаких военных советников в Венесуэле не было.", "ru", "Kremlin"),
        (_LEAD_RU + _FILLER_RU + "Песков заявил, что российских военных советников в Венесуэле нет.", "ru", "Dmitry Peskov"),
        (_LEAD_RU + "«Никаких советников там нет и не было», — сказал Песков.", "ru", "Dmitry Peskov"),
        (_LEAD_RU + "«Обвинения британской газеты в том, что Россия тайно направила военных, неприемлемы и "
         "безответственны», — сообщил Дмитрий Песков.", "ru", "Dmitry Peskov"),
        (_LEAD_RU + "Захарова назвала безответственным заявление газеты о том, что Россия якобы направила военных.",
         "ru", "Maria Zakharova"),
        (_LEAD_RU + "Песков подчеркнул, что Россия не направляла военных в Венесуэлу.", "ru", "Dmitry Peskov"),
        (_LEAD_RU + "Песков назвал эти сообщения небылицами.", "ru", "Dmitry Peskov"),
        (_LEAD_EN + "Peskov said there were no Russian advisers in Venezuela.", "en", "Dmitry Peskov"),
        (_LEAD_EN + "\"Russia has not sent any advisers,\" Peskov told reporters.", "en", "Dmitry Peskov"),
        (_LEAD_EN + "Zakharova said the newspaper's accusations were irresponsible and unacceptable.", "en", "Maria Zakharova"),
    ],
)
def test_reported_speech_that_something_did_not_exist_is_a_denial(text: str, lang: str, speaker: str) -> None:
    found = denials(text, title="Газета сообщила о военных в Венесуэле" if lang == "ru" else "Paper reports advisers", lang=lang)
    assert found and found[0].speaker == speaker


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (_LEAD_RU + "Песков заявил, что у Кремля пока нет планов направлять военных.", "ru"),
        (_LEAD_RU + "Песков заявил, что у него нет информации об этом.", "ru"),
        (_LEAD_RU + "Песков заявил, что никаких комментариев не будет.", "ru"),
        (_LEAD_RU + "Песков заявил, что никаких решений пока не было принято.", "ru"),
        (_LEAD_RU + "Министр иностранных дел Венесуэлы заявил, что никаких советников в стране нет.", "ru"),
        (_LEAD_EN + "Peskov said there was no need to comment on newspaper reports.", "en"),
        (_LEAD_EN + "Peskov said there were no plans to send advisers.", "en"),
        (_LEAD_EN + "Peskov said sanctions were unacceptable and would be answered.", "en"),
    ],
)
def test_no_comment_no_information_no_plans_and_foreign_speakers_stay_negative(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == []


def test_a_denial_verb_makes_a_leader_the_speaker_of_a_headline() -> None:
    found = denials("По его словам, Россия к ситуации на границе не имеет никакого отношения.",
                    title="Путин отрицает причастность России к ситуации на границе", lang="ru")
    assert [d.speaker for d in found][:1] == ["Vladimir Putin"]


def test_a_denial_in_a_relative_clause_belongs_to_its_antecedent() -> None:
    text = ("\"Frank Miller Jr., who strongly denies this, has already answered these accusations,\" Peskov told "
            "reporters on Monday, refusing to say more.")
    assert denials(text, title="Kremlin will not discuss the hacking allegations") == []


def test_dismissing_a_possibility_is_not_a_denial_even_with_a_later_that_clause() -> None:
    text = ("Kremlin spokesman Dmitry Peskov dismissed the possibility of a ceasefire this winter, acknowledging "
            "for the first time that foreign troops might be deployed.")
    assert denials(text) == []


@pytest.mark.parametrize("text", ["Mosca nega che ci siano mercenari russi in Libia.",
                                  "Moscú niega que haya mercenarios rusos en Libia."])
def test_moscow_denies_that_in_italian_and_spanish(text: str) -> None:
    assert denials(text, title="", lang=None)


def test_a_year_inside_the_denied_claim_does_not_make_the_denial_old() -> None:
    text = (_LEAD_RU + "Вашингтон призвал Москву объясниться. "
            "Песков опроверг сообщения о том, что в 2016 году российские советники работали в Каракасе.")
    assert [d.speaker for d in denials(text, lang="ru")] == ["Dmitry Peskov"]
    old = _LEAD_RU + "Вашингтон призвал Москву объясниться. В 2019 году Песков опровергал похожие сообщения."
    assert denials(old, lang="ru") == []


@pytest.mark.parametrize(
    ("text", "lang", "speaker"),
    [
        (_LEAD_RU + "Постпред России при международных организациях в Вене Михаил Ульянов назвал эти сообщения фейком.",
         "ru", "Михаил Ульянов"),
        (_LEAD_RU + "Глава комитета Госдумы по международным делам Леонид Слуцкий назвал публикацию ложью.", "ru",
         "Леонид Слуцкий"),
        (_LEAD_EN + "Russia's envoy to the IAEA Mikhail Ulyanov called the report fake news.", "en", "Mikhail Ulyanov"),
        (_LEAD_EN + "\"This is a lie,\" Russian senator Alexei Pushkov wrote on Telegram.", "en", "Alexei Pushkov"),
    ],
)
def test_an_unlisted_official_under_a_russian_title_speaks_under_their_name(text: str, lang: str, speaker: str) -> None:
    assert [d.speaker for d in denials(text, lang=lang)][:1] == [speaker]


@pytest.mark.parametrize("text", [
    _LEAD_EN + "\"This is a lie,\" Ukrainian MP Oleksiy Honcharenko wrote on Telegram.",
    _LEAD_EN + "Russian opposition politician Ilya Yashin said the report was a lie.",
])
def test_an_unlisted_foreign_or_opposition_speaker_is_never_credited_to_russia(text: str) -> None:
    assert denials(text) == []


@pytest.mark.parametrize(
    ("speaker_phrase", "speaker"),
    [
        ("Владимир Путин", "Vladimir Putin"),
        ("официальный представитель внешнеполитического ведомства РФ", "Russian Foreign Ministry"),
        ("пресс-секретарь российского президента", "Dmitry Peskov"),
        ("министр обороны России", "Russian government"),
    ],
)
def test_a_speaker_named_after_the_speech_verb_is_found(speaker_phrase: str, speaker: str) -> None:
    found = denials(_LEAD_RU + f"«Это фейк», — заявил {speaker_phrase}.", lang="ru")
    assert [d.speaker for d in found][:1] == [speaker]


def test_a_chain_of_he_said_sentences_leads_back_to_the_official_deep_in_an_article() -> None:
    body = (_LEAD_RU + "Песков ответил на вопросы журналистов в понедельник. Он рассказал о графике президента. "
            "Также он прокомментировал ситуацию на рынке нефти. По его словам, цены стабилизируются. "
            "Кроме того, он упомянул предстоящий саммит. Он назвал публикацию британской газеты ложью.")
    assert [d.speaker for d in denials(body, title="Газета сообщила о военных", lang="ru")] == ["Dmitry Peskov"]
    # the chain breaks at a sentence about somebody else
    broken = body.replace("Также он прокомментировал", "Министр финансов Венесуэлы прокомментировал")
    assert denials(broken, title="Газета сообщила о военных", lang="ru") == []


_INTERVIEW = ("Министр иностранных дел России Сергей Лавров дал интервью телеканалу. Публикуем фрагменты беседы.\n\n"
              "— Как вы оцениваете отношения с Вашингтоном?\n— Отношения сложные, но диалог продолжается.\n\n"
              "— Будет ли встреча с госсекретарем в ближайшее время?\n— Пока такие планы не обсуждаются.\n\n")


def test_an_answer_in_a_dialogue_interview_is_the_interviewees_denial() -> None:
    text = _INTERVIEW + ("— Британская газета пишет, что российские военные советники прибыли в Каракас. Это правда?\n"
                         "— Нет, это очередная выдумка. Никаких советников там нет.")
    assert [d.speaker for d in denials(text, title="Лавров дал интервью телеканалу", lang="ru")] == ["Sergei Lavrov"]


def test_a_dialogue_interview_without_a_denial_stays_negative() -> None:
    text = _INTERVIEW + "— Готовы ли вы к переговорам?\n— Мы не будем это комментировать."
    assert denials(text, title="Лавров дал интервью телеканалу", lang="ru") == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Британська газета повідомила, що російські радники прибули до Каракаса. "
         "Пєсков заявив, що ці повідомлення не відповідають дійсності.", "uk"),
        ("Brytyjska gazeta podała, że rosyjscy doradcy przybyli do Caracas. Rzecznik Kremla Dmitrij Pieskow "
         "zaprzeczył tym doniesieniom, nazywając je kłamstwem.", "pl"),
        ("En brittisk tidning rapporterade att ryska rådgivare anlänt till Caracas. Kremls talesperson Dmitrij "
         "Peskov förnekar uppgifterna och säger att de är osanna.", "sv"),
        ("Sebuah surat kabar Inggris melaporkan bahwa penasihat militer Rusia tiba di Caracas. Ditanya apakah "
         "laporan itu benar, Peskov berkata: \"Tidak, laporan tersebut tidak sesuai dengan kenyataan.\"", "id"),
    ],
)
def test_denials_reported_in_ukrainian_polish_swedish_and_indonesian(text: str, lang: str) -> None:
    assert [d.speaker for d in denials(text, lang=lang)][:1] == ["Dmitry Peskov"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("A British paper reported on Russian advisers. Ukraine's foreign minister said this was another Kremlin lie.", "en"),
        ("Британська газета повідомила про російських радників. Міністр закордонних справ України заявив, "
         "що це брехня Кремля.", "uk"),
        ("Peskov sade att Kreml inte har några planer på att kommentera saken.", "sv"),
        ("Peskov mengatakan Kremlin belum memutuskan apakah Putin akan hadir.", "id"),
    ],
)
def test_a_lie_attributed_to_the_kremlin_and_plain_statements_are_not_its_denials(text: str, lang: str) -> None:
    assert denials(text, lang=lang) == []


# --- why a cue was dropped (bench/detection_misses.py reads these reasons) ---


def test_find_candidates_names_the_foreign_speaker_it_dropped_without_changing_the_result():
    from monitor.detect.candidates import find_candidates
    from monitor.detect.denials import prepare_sentences

    d = doc("A spokesman for Ukraine's General Staff said the report of a breakthrough was pure fiction.")
    sents = prepare_sentences(d)
    why: list[str] = []
    assert find_candidates(sents, d, why) == [] == find_candidates(sents, d)
    assert why == ["foreign speaker"]
    assert detect_denials(d) == []


def test_find_candidates_leaves_the_reasons_empty_for_a_kept_denial():
    from monitor.detect.candidates import find_candidates
    from monitor.detect.denials import prepare_sentences

    d = doc("Kremlin spokesman Dmitry Peskov said the newspaper's story about a secret meeting was pure fiction.")
    why: list[str] = []
    assert len(find_candidates(prepare_sentences(d), d, why)) == 1
    assert why == []


def test_prepare_sentences_is_empty_without_any_cue_stem():
    from monitor.detect.denials import prepare_sentences

    assert prepare_sentences(doc("The minister visited a school and planted a tree.")) == []


# --- issue 15 (detection recall): general denial vocabulary and word orders (own texts)

@pytest.mark.parametrize(
    ("text", "lang", "cue"),
    [
        ("«Эти публикации о закрытии консульства действительности не соответствуют», — заявила Захарова.", "ru",
         "действительности не соответствуют"),
        ("Британские газеты написали о пожаре на складе. «Этот пожар не имеет, разумеется, никакого "
         "отношения к российским спецслужбам», — сказал Лавров.", "ru", "не имеет, разумеется"),
        ("«Обвинения британской стороны не подкреплены никакими доказательствами», — заявила Захарова.", "ru",
         "не подкреплены никакими доказательствами"),
        ("«Это всё слухи», — ответил Ушаков на вопрос о встрече в Женеве.", "ru", "Это всё слухи"),
        ("Минобороны ответило на обвинения Осло. «Российские бомбардировщики Ту-95 не нарушали "
         "границу Норвегии», — заявили в Минобороны России.", "ru", "не нарушали"),
        ("El portavoz del Kremlin, Dmitri Peskov, calificó de difamación las acusaciones del exfuncionario.", "es",
         "difamación"),
        ("Kremlsprecher Dmitri Peskow bestritt am Montag die Berichte über ein geheimes Treffen.", "de", "bestritt"),
        ("Russia's Foreign Ministry disavowed the report that its diplomats had recruited saboteurs in Germany.", "en",
         "disavowed"),
        ("Russia did not target the power plant, the Russian Defence Ministry said, responding to reports of "
         "shelling.", "en", "did not target"),
    ],
)
def test_general_denial_vocabulary_and_word_orders(text: str, lang: str, cue: str) -> None:
    found = denials(text, lang=lang)
    assert found and any(cue in d.cue for d in found), [d.cue for d in found]


def test_rumours_without_a_russian_denier_are_no_denial() -> None:
    assert denials("Слухи о переговорах в Стамбуле появились в понедельник, сообщает Reuters.", lang="ru") == []


# --- issue 15: Arabic denial vocabulary and the spellings of Russian officials (own texts)

@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("قال المتحدث باسم الكرملين دميتري بيسكوف إن التقارير عن لقاء سري في الدوحة لا تتطابق مع الحقيقة.",
         "لا تتطابق مع الحقيقة"),
        ("وصفت ماريا زاخاروفا اتهامات لندن بأنها سخيفة.", "سخيفة"),
        ("نفى لافروف التقارير عن زيارة سرية إلى طهران.", "نفى"),
        ("نفت وزارة الخارجية الروسية التقارير عن اتصالات سرية مع واشنطن.", "نفت"),
    ],
)
def test_arabic_denials(text: str, cue: str) -> None:
    found = denials(text, lang="ar")
    assert found and found[0].cue == cue, [d.cue for d in found]


def test_arabic_denial_by_a_foreign_ministry_is_not_russian() -> None:
    assert denials("نفت وزارة الخارجية الأمريكية التقارير عن اتصال مع موسكو.", lang="ar") == []


# --------------------------------------------------------------------------- detect2: attribution (#15 item 8)


@pytest.mark.parametrize(
    ("text", "lang", "speaker"),
    [
        ("Сообщения о переброске дивизии к озеру не соответствуют действительности. Об этом сообщили в "
         "Минобороны России во вторник.", "ru", "Russian Defence Ministry"),
        ("Информация о закрытии консульства в Бергене — фейк. Как заявила официальный представитель МИД "
         "Мария Захарова, решение не принималось.", "ru", "Maria Zakharova"),
        ("The story about a secret shipment of turbines is entirely false. This was stated by the Russian "
         "Foreign Ministry on Tuesday.", "en", "Russian Foreign Ministry"),
        ("Повідомлення про евакуацію посольства є вигадкою. Про це заявили в МЗС Росії.", "uk", "Russian Foreign Ministry"),
    ],
)
def test_a_following_sentence_names_the_speaker_of_the_one_before(text: str, lang: str, speaker: str) -> None:
    found = denials(text, lang=lang)
    assert found and found[0].speaker == speaker


def test_a_following_attribution_to_putins_spokesman_credits_the_spokesman() -> None:
    text = ("Утверждения о тайной встрече в Вене являются выдумкой. Об этом заявил пресс-секретарь Путина "
            "Дмитрий Песков.")
    found = denials(text, lang="ru")
    assert found and found[0].speaker == "Dmitry Peskov"


def test_a_following_sentence_naming_a_foreign_speaker_gives_no_russian_denial() -> None:
    text = ("Reports of a Russian naval base on the island are false. This was stated by Ukrainian foreign "
            "minister Andrii Sybiha on Tuesday. Kremlin spokesman Dmitry Peskov declined to comment.")
    assert not [d for d in denials(text) if d.speaker != "<foreign>"]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("نفت روسيا التقارير التي تحدثت عن إرسال سفن حربية إلى الجزيرة.", "Russian government"),
        ("نفت موسكو الأنباء عن إغلاق سفارتها في العاصمة.", "Russian government"),
    ],
)
def test_arabic_verb_first_sentence_with_russia_as_subject(text: str, speaker: str) -> None:
    found = denials(text, lang="ar")
    assert found and found[0].speaker == speaker


def test_arabic_verb_first_sentence_with_another_country_is_no_russian_denial() -> None:
    assert not denials("نفت بولندا التقارير التي تحدثت عن إرسال سفن حربية إلى الجزيرة.", lang="ar")


def test_a_pronoun_after_a_foreign_official_is_not_the_kremlin() -> None:
    text = ("Kremlin spokesman Dmitry Peskov spoke to reporters on Thursday. Grain exports were the first topic. "
            "Polish foreign minister Radoslaw Sikorski said on Thursday that freight rates fell. "
            "The harvest is expected to be large. He called the reports of a secret grain deal a fabrication.")
    assert not denials(text)


@pytest.mark.parametrize(
    ("title", "text", "speaker"),
    [
        ("Russia dismisses Dutch report on pipeline blast as 'a farce'", "The report was published on Friday.",
         "Russian government"),
        ("Russia says it did not target grain silos in Odesa",
         "Ukraine said on Sunday that a missile had destroyed two silos.", "Russian government"),
        ("\u2018Pure fantasy\u2019: Kremlin says courier was never employed by the government",
         "A newspaper reported on Monday that a former courier had passed documents abroad.", "Kremlin"),
    ],
)
def test_headline_denials_by_a_russian_subject(title: str, text: str, speaker: str) -> None:
    found = denials(text, title=title)
    assert found and found[0].speaker in (speaker, "Dmitry Peskov")


def test_a_negated_plan_in_an_involvement_cue_is_a_past_denial_but_a_future_one_is_not() -> None:
    past = "Russian forces did not plan to strike any targets in Moldova, the Russian Defence Ministry told TASS."
    assert denials(past)
    future = "Russian forces will not plan to strike any targets in Moldova, the Russian Defence Ministry told TASS."
    assert not denials(future)


@pytest.mark.parametrize(
    "text",
    [
        "Kremlin spokesman Dmitry Peskov said there were no plans for a meeting with the Finnish president.",
        "Russia says it has not yet decided whether to send a delegation to the summit.",
        "Об этом сообщили в Минобороны России: учения пройдут в августе.",
    ],
)
def test_plans_and_announcements_stay_negative(text: str) -> None:
    assert not denials(text, lang="ru" if "Об" in text else "en")


@pytest.mark.parametrize("text,lang,claim", [
    ('Asked about reports that Moscow had cut gas deliveries to Lumeria, Kremlin spokesman Dmitry Peskov said: '
     '"This is absolutely untrue."', "en", "reports that Moscow had cut gas deliveries to Lumeria"),
    ('When asked about claims that Russian troops had entered Vardo, Peskov told reporters: "It is a lie."', "en",
     "claims that Russian troops had entered Vardo"),
    ("Отвечая на вопрос о сообщениях о переговорах в Валетте, Песков заявил: «Это неправда».", "ru",
     "о сообщениях о переговорах в Валетте"),
])
def test_a_question_put_before_the_answer_is_the_claim_without_the_asking_and_the_speakers_clause(
        text: str, lang: str, claim: str) -> None:
    (found,) = denials(text, lang=lang)
    assert found.speaker == "Dmitry Peskov"
    assert found.claim == claim


def test_a_question_head_too_short_to_trim_stays_whole() -> None:
    # nothing is left between "Asked about it" and the speaker's clause: the head is kept as it was
    (found,) = denials('Asked about it on Monday, Peskov said: "That is pure fiction."')
    assert found.claim.startswith("Asked about it on Monday, Peskov said")
