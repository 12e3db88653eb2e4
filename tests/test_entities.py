"""The bilingual gazetteer: aliases in both scripts map to one language-neutral concept."""

from __future__ import annotations

import pytest

from monitor.text.entities import (
    concept_label,
    extract_concepts,
    find_concepts,
    find_event_types,
    find_outlets,
)


@pytest.mark.parametrize(
    "text",
    [
        "Vladimir Putin said",
        "the Russian president said",
        "встреча с Путиным",
        "звонок Путину",
        "позиция Путина",
        "президент России заявил",
    ],
)
def test_putin_aliases_and_russian_cases_map_to_one_concept(text: str) -> None:
    assert "person:putin" in extract_concepts(text)


@pytest.mark.parametrize(
    "text",
    ["Kremlin spokesman", "Dmitry Peskov", "Пескова", "пресс-секретарь президента", "Песковым"],
)
def test_peskov_aliases_in_both_scripts(text: str) -> None:
    assert "person:peskov" in extract_concepts(text)


def test_outlet_wins_over_place_inside_its_name() -> None:
    concepts = extract_concepts("The Washington Post reported")
    assert "outlet:washingtonpost" in concepts
    assert "country:us" not in concepts


def test_russian_outlet_names_and_case_forms() -> None:
    assert find_outlets("как пишет «Коммерсант», а также газета «Ведомости» и РБК") == [
        "outlet:kommersant",
        "outlet:vedomosti",
        "outlet:rbc",
    ]
    assert find_outlets("по данным «Вашингтон пост»") == ["outlet:washingtonpost"]


def test_country_adjectives_and_case_forms() -> None:
    assert {"country:russia", "country:ukraine", "country:us"} <= extract_concepts(
        "российские войска на Украине; американские чиновники"
    )
    assert {"country:russia", "country:ukraine", "country:us"} <= extract_concepts(
        "Russian troops in Ukraine, US officials"
    )


def test_institutions_in_both_languages() -> None:
    en = extract_concepts("the Kremlin, the Foreign Ministry and the Defence Ministry")
    ru = extract_concepts("Кремль, МИД и Минобороны")
    assert {"org:kremlin", "org:mfa", "org:mod"} <= en
    assert {"org:kremlin", "org:mfa", "org:mod"} <= ru


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("Trump spoke by phone with Putin", "event:call"),
        ("a telephone conversation", "event:call"),
        ("телефонный разговор президентов", "event:call"),
        ("звонок Трампу", "event:call"),
        ("the two leaders met in Helsinki", "event:meeting"),
        ("встреча в Стамбуле", "event:meeting"),
        ("переговоры в Эр-Рияде", "event:talks"),
        ("deliveries of missiles", "event:supply"),
        ("удар по больнице", "event:attack"),
        ("слухи об отставке", "event:resignation"),
        ("his health", "event:illness"),
    ],
)
def test_event_synonyms(text: str, event: str) -> None:
    assert event in find_event_types(text)


def test_common_words_are_not_people() -> None:
    # "маска" (a mask) is not Musk; only the capitalised name is.
    assert "person:musk" not in extract_concepts("врач надел маску")
    assert "person:musk" in extract_concepts("Илон Маск и Маску")


def test_find_concepts_gives_spans_into_the_text() -> None:
    text = "Песков опроверг статью The New York Times"
    for m in find_concepts(text):
        assert text[m.start : m.end] == m.text
    assert [m.concept for m in find_concepts(text)][-1] == "outlet:nytimes"


def test_empty_text_and_label() -> None:
    assert extract_concepts("") == set()
    assert concept_label("person:putin") == "Vladimir Putin"
    assert concept_label("outlet:washingtonpost") == "Washingtonpost"


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("a drone hit Dnipro overnight", "place:dnipro"),
        ("удар по Днепру", "place:dnipro"),
        ("в Николаевской области", "place:mykolaiv"),
        ("shelling near Mykolaiv", "place:mykolaiv"),
        ("бои под Артемовском", "place:bakhmut"),
        ("the battle for Bakhmut", "place:bakhmut"),
        ("на Запорожской АЭС", "place:zaporizhzhianpp"),
        ("IAEA staff at the Zaporizhzhia nuclear power plant", "place:zaporizhzhianpp"),
        ("traffic on the Crimean bridge", "place:kerchbridge"),
        ("движение по Крымскому мосту", "place:kerchbridge"),
        ("взрывы на «Северных потоках»", "place:nordstream"),
        ("in the Black Sea", "region:blacksea"),
        ("в Черном море", "region:blacksea"),
        ("глава ДНР", "place:donetsk"),
        ("заявил Набиуллиной", "person:nabiullina"),
        ("Witkoff met Kirill Dmitriev", "person:dmitriev"),
        ("встреча с Пезешкианом", "person:pezeshkian"),
        ("Ursula von der Leyen said", "person:vonderleyen"),
        ("глава МАГАТЭ Рафаэль Гросси", "org:iaea"),
        ("глава МАГАТЭ Рафаэль Гросси", "person:grossi"),
        ("заседание Совбеза ООН", "org:unsc"),
        ("the UN Security Council met", "org:unsc"),
        ("решение Банка России", "org:centralbank"),
    ],
)
def test_places_people_and_organisations_in_both_scripts(text: str, concept: str) -> None:
    assert concept in extract_concepts(text)


def test_common_words_are_not_new_names() -> None:
    # "стрелковое оружие" (small arms) is not Strelkov; "изюм" (raisins) is not Izium.
    assert extract_concepts("стрелковое оружие и изюм") == set()


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("Moscow agreed to extend the grain deal", "event:extension"),
        ("продлить зерновую сделку", "event:extension"),
        ("the two sides struck a deal", "event:deal"),
        ("he was poisoned with a nerve agent", "event:poisoning"),
        ("отравление Навального", "event:poisoning"),
        ("обмен пленными", "event:exchange"),
        ("the journalist was detained", "event:arrest"),
        ("размещение ядерного оружия в Белоруссии", "event:deployment"),
        ("the minister stepped down", "event:resignation"),
    ],
)
def test_action_event_types(text: str, event: str) -> None:
    assert event in find_event_types(text)


def test_phrases_that_only_look_like_events() -> None:
    assert find_event_types("Zelensky calls for more sanctions") == []
    assert "event:attack" not in find_event_types("they struck a deal")


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("Zajárova calificó de mentira las acusaciones de Londres sobre el envenenamiento",
         {"person:zakharova", "country:uk", "event:poisoning"}),
        ("Il Cremlino smentisce: nessuna telefonata tra Putin e Trump, dice il portavoce",
         {"org:kremlin", "event:call", "person:putin", "person:trump"}),
        ("Kremlsprecher Peskow: kein Treffen mit Selenskyj in der Türkei",
         {"person:peskov", "event:meeting", "person:zelensky", "country:turkey"}),
        ("Le porte-parole du Kremlin dément un appel téléphonique entre Poutine et les États-Unis",
         {"person:peskov", "event:call", "person:putin", "country:us"}),
        ("Kremlin nega ataque de drones russos na Ucrânia, diz o Ministério da Defesa",
         {"org:kremlin", "event:attack", "event:drones", "country:ukraine", "org:mod"}),
        ("Пєсков: розмови Путіна з Зеленським у Києві не було", {"person:peskov", "event:call", "person:putin",
                                                              "person:zelensky", "country:ukraine"}),
    ],
)
def test_other_languages_name_the_same_concepts(text: str, concepts: set[str]) -> None:
    assert concepts <= extract_concepts(text)


@pytest.mark.parametrize(
    "text",
    [
        "The Russo brothers directed the film",  # a surname, not Italian for Russian
        "a Russian mosca fly on the window",  # lower-case: the Spanish word for a fly, not Moscow
        "We will meet again in the Kremlin garden",  # English text still has no foreign concept
    ],
)
def test_other_language_aliases_do_not_fire_on_english_words(text: str) -> None:
    found = extract_concepts(text)
    assert "country:russia" not in found or "Russian" in text
    assert "person:peskov" not in found and "event:poisoning" not in found


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Sandu said Moldova would not give in", "country:moldova"),
        ("в молдавском парламенте", "country:moldova"),
        ("talks in Doha", "country:qatar"),
        ("переговоры в Катаре", "country:qatar"),
        ("troops in Afghanistan", "country:afghanistan"),
        ("американских военных в Афганистане", "country:afghanistan"),
        ("вознаграждение талибам", "org:taliban"),
        ("Russia planned a coup to topple the government", "event:plot"),
        ("попытка государственного переворота", "event:plot"),
        ("he suffered a heart attack", "event:illness"),
    ],
)
def test_more_countries_groups_and_event_words(text: str, concept: str) -> None:
    assert concept in extract_concepts(text)


def test_litvinenko_and_individual_are_not_countries() -> None:
    # the Lithuania and India stems must not swallow these words
    found = extract_concepts("Литвиненко получил индивидуальный пропуск")
    assert "country:lithuania" not in found and "country:india" not in found
    assert "event:attack" not in extract_concepts("he suffered a heart attack")


def test_fired_a_missile_is_not_a_dismissal_but_sent_troops_is_a_deployment() -> None:
    assert "event:resignation" not in find_event_types("North Korea fired a ballistic missile into the sea")
    assert "event:resignation" in find_event_types("the general was fired on Monday")
    assert "event:deployment" in find_event_types("Pyongyang has sent troops to Russia")
    assert "event:deployment" in find_event_types("сообщения об отправке войск КНДР в Россию")


def test_talk_of_something_is_not_a_conversation_and_exit_bans_close_borders() -> None:
    assert "event:call" not in find_event_types("разговоры о закрытии границ не соответствуют действительности")
    assert "event:call" in find_event_types("никакого телефонного разговора не было")
    assert "event:border_closure" in find_event_types("a decree to stop men of fighting age leaving Russia")
    assert "event:border_closure" in find_event_types("запрет на выезд для мужчин призывного возраста")
    assert "org:gru" in extract_concepts("причастности российской военной разведки к поджогам")


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("Rosyjskie drony nad Polską, rząd zwołał posiedzenie", {"country:russia", "event:drones", "country:poland"}),
        ("Premier o ataku dronów na Polskę", {"event:drones", "country:poland"}),
        ("Türkiye'nin Suriye politikası ve Esad", {"country:turkey", "country:syria", "person:assad"}),
        ("تقرير عن سوريا وتركيا وإيران", {"country:syria"}),
        ("Die türkische Regierung und die Krim", {"country:turkey", "region:crimea"}),
        ("Bulgarien und Rumänien prüfen die Lieferung", {"country:bulgaria", "country:romania"}),
        ("România și Bulgaria au convocat ambasadorii", {"country:romania", "country:bulgaria"}),
        ("Von der Leyens Flugzeug landete sicher", {"person:vonderleyen"}),
        ("Депутат Держдуми заявив", {"org:duma"}),
        ("مقاتل روسي في ليبيا، ثم في العراق", {"country:russia", "country:libya", "country:iraq"}),
        ("وزير خارجية مصر يزور الصين", {"country:egypt", "country:china"}),
    ],
)
def test_countries_and_places_in_the_languages_reports_come_in(text: str, concepts: set[str]) -> None:
    assert concepts <= extract_concepts(text)


@pytest.mark.parametrize(
    "text",
    [
        "I am sad that the model uses usa as a verb",   # Serbian SAD and Turkish ABD are upper case only
        "Hollande spoke on kinetic energy",             # a French surname, not Holland; not China
        "криминальная хроника",                         # Ukrainian Крим is a word, not a stem
    ],
)
def test_other_language_country_names_do_not_fire_on_ordinary_words(text: str) -> None:
    found = extract_concepts(text)
    assert not {"country:us", "country:netherlands", "country:china", "region:crimea"} & found
