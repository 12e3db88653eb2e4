"""Bilingual (EN/RU) gazetteer: find people, countries, organisations, outlets and event types.

Its job is to turn English or Russian text into language-neutral concept ids
(``person:putin``, ``country:ukraine``, ``org:kremlin``, ``outlet:washingtonpost``,
``event:call``) so that a Russian denial and an English report can be compared
term by term. Both denial detection and matching index text through it, so the
public API (``extract_concepts``, ``find_concepts``, ``find_outlets``,
``find_event_types``) must stay small and stable.

Russian inflection is handled with hand-written stems ("Путин*" matches Путина,
Путиным, Путину): a full morphological analyser would be slower and is not needed
for a closed list of names. Outlet names are matched before places so that
"The Washington Post" is an outlet and not ``country:us``.

It must not do I/O, keep state between calls, or guess: unknown names are simply
not returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import Iterable, Iterator

from monitor.text.prefix_trie import phrase_pattern

__all__ = [
    "ConceptMatch",
    "concept_label",
    "extract_concepts",
    "find_concepts",
    "find_event_types",
    "find_outlets",
]

# Alias mini-syntax (keeps the tables readable):
#   "pure fiction"  phrase, case-insensitive, whole words, any whitespace between words
#   "путин*"        stem: the last word may continue with any letters (Russian cases)
#   "=US"           case-sensitive (acronyms that are also English words)
# Multi-word aliases may put "*" on any word: "телефонн* разговор*".

_PEOPLE: dict[str, list[str]] = {
    "person:putin": [
        "vladimir putin", "putin", "russian president", "russia's president",
        "russian leader", "the kremlin leader", "kremlin chief", "president of russia",
        "путин*", "президент* россии", "президент* рф", "российск* лидер*",
        "глав* российского государства", "российск* президент*",
    ],
    "person:peskov": [
        "dmitry peskov", "dmitri peskov", "peskov", "kremlin spokesman", "kremlin spokesperson",
        "kremlin spokeswoman", "kremlin press secretary", "presidential press secretary",
        "presidential spokesman", "putin's spokesman", "putin's press secretary",
        "песков*", "д. песков*", "пресс-секретар* президента", "пресс-секретар* кремля",
        "пресс-секретар* российского лидера", "пресс-секретар* главы государства",
        "пресс-секретар* владимира путина", "представител* кремля",
    ],
    "person:zakharova": [
        "maria zakharova", "zakharova", "захаров*", "мари* захаров*",
    ],
    "person:lavrov": ["sergei lavrov", "sergey lavrov", "lavrov", "лавров*"],
    "person:ushakov": ["yuri ushakov", "yury ushakov", "ushakov", "ушаков*"],
    "person:medvedev": ["dmitry medvedev", "medvedev", "медведев*"],
    "person:shoigu": ["sergei shoigu", "shoigu", "шойгу"],
    "person:konashenkov": ["igor konashenkov", "konashenkov", "конашенков*"],
    "person:ryabkov": ["sergei ryabkov", "ryabkov", "рябков*"],
    "person:nebenzya": ["vassily nebenzia", "nebenzia", "nebenzya", "небензя*", "небензи*"],
    "person:kozak": ["dmitry kozak", "kozak", "=Козак*"],
    "person:antonov": ["anatoly antonov", "ambassador antonov", "анатоли* антонов*", "посол* антонов*", "посл* антонов*"],
    "person:darchiev": ["alexander darchiev", "darchiev", "дарчиев*"],
    "person:polyanskiy": ["dmitry polyanskiy", "polyanskiy", "polyansky", "полянск*"],
    "person:grushko": ["alexander grushko", "grushko", "грушко"],
    "person:galuzin": ["mikhail galuzin", "galuzin", "галузин*"],
    "person:kelin": ["andrei kelin", "andrey kelin", "kelin", "андре* келин*"],
    "person:nechayev": ["sergei nechayev", "sergey nechaev", "nechayev", "nechaev", "серге* нечаев*", "посол* нечаев*"],
    "person:rudenko": ["andrei rudenko", "andrey rudenko", "андре* руденко"],
    "person:kosachev": ["konstantin kosachev", "kosachev", "косачев*", "косачёв*"],
    "person:volodin": ["vyacheslav volodin", "volodin", "володин*"],
    "person:matviyenko": ["valentina matviyenko", "matviyenko", "matvienko", "матвиенко"],
    "person:patrushev": ["nikolai patrushev", "patrushev", "патрушев*"],
    "person:naryshkin": ["sergei naryshkin", "naryshkin", "нарышкин*"],
    "person:bortnikov": ["alexander bortnikov", "bortnikov", "бортников*"],
    "person:dmitriev": ["kirill dmitriev", "кирилл* дмитриев*", "=Dmitriev", "=Дмитриев*"],
    "person:medinsky": ["vladimir medinsky", "medinsky", "мединск*"],
    "person:belousov": ["andrei belousov", "andrey belousov", "belousov", "белоусов*"],
    "person:gerasimov": ["valery gerasimov", "gerasimov", "герасимов*"],
    "person:trump": ["donald trump", "trump", "трамп*"],
    "person:biden": ["joe biden", "biden", "байден*"],
    "person:obama": ["barack obama", "obama", "обам*"],
    "person:zelensky": [
        "volodymyr zelensky", "zelensky", "zelenskyy", "zelenskiy", "зеленск*",
    ],
    "person:poroshenko": ["poroshenko", "порошенк*"],
    "person:musk": ["elon musk", "=Musk", "илон* маск*", "=Маск", "=Маска", "=Маску", "=Маском", "=Маске"],
    "person:macron": ["emmanuel macron", "macron", "макрон*"],
    "person:erdogan": ["recep tayyip erdogan", "erdogan", "erdoğan", "эрдоган*"],
    "person:xi": ["xi jinping", "=Xi", "си цзиньпин*", "председател* кнр"],
    "person:witkoff": ["steve witkoff", "witkoff", "уиткофф*", "виткофф*"],
    "person:kushner": ["jared kushner", "kushner", "кушнер*"],
    "person:rubio": ["marco rubio", "rubio", "рубио"],
    "person:prigozhin": ["yevgeny prigozhin", "prigozhin", "пригожин*"],
    "person:navalny": ["alexei navalny", "alexey navalny", "navalny", "навальн*"],
    "person:navalnaya": ["yulia navalnaya", "navalnaya", "навальная", "навальной"],
    "person:scholz": ["olaf scholz", "scholz", "шольц*"],
    "person:merkel": ["angela merkel", "merkel", "меркель"],
    "person:johnson": ["boris johnson", "борис* джонсон*", "джонсон*"],
    "person:may": ["theresa may", "тереза мэй", "терез* мэй"],
    "person:starmer": ["keir starmer", "starmer", "стармер*"],
    "person:kadyrov": ["ramzan kadyrov", "kadyrov", "кадыров*"],
    "person:budanov": ["kyrylo budanov", "budanov", "буданов*"],
    "person:skripal": ["sergei skripal", "yulia skripal", "skripal", "skripals", "скрипал*"],
    "person:woodward": ["bob woodward", "woodward", "вудворд*"],
    "person:papperger": ["armin papperger", "papperger", "паппергер*"],
    "person:orban": ["viktor orban", "orban", "орбан*"],
    "person:netanyahu": ["netanyahu", "нетаньяху"],
    "person:lukashenko": ["alexander lukashenko", "aleksandr lukashenko", "lukashenko", "лукашенк*"],
    "person:kim": ["kim jong un", "kim jong-un", "ким чен ын*"],
    # Russian officials named in claims. Officials who themselves deny (ambassadors Kelin,
    # Nechayev; deputy minister Rudenko) are left out until the speaker table
    # (speakers._RUSSIAN_PEOPLE) lists them: a person concept it does not know is taken
    # for a foreign speaker, which hides the embassy attribution.
    "person:kiriyenko": ["sergei kiriyenko", "kiriyenko", "kirienko", "кириенко"],
    "person:nabiullina": ["elvira nabiullina", "nabiullina", "набиуллин*"],
    "person:siluanov": ["anton siluanov", "siluanov", "силуанов*"],
    "person:mishustin": ["mikhail mishustin", "mishustin", "мишустин*"],
    "person:surovikin": ["sergei surovikin", "surovikin", "суровикин*"],
    "person:sechin": ["igor sechin", "sechin", "сечин*"],
    "person:miller": ["alexei miller", "alexey miller", "алексе* миллер*"],
    "person:likhachev": ["alexei likhachev", "alexey likhachev", "likhachev", "лихачев*", "лихачёв*"],
    "person:abramovich": ["roman abramovich", "abramovich", "абрамович*"],
    "person:surkov": ["vladislav surkov", "surkov", "сурков*"],
    "person:utkin": ["dmitry utkin", "=Utkin", "=Уткин*"],
    "person:girkin": ["igor girkin", "girkin", "strelkov", "гиркин*", "игор* стрелков*", "=Стрелков", "=Стрелкова", "=Стрелкову", "=Стрелковым"],
    # Foreign leaders and officials often named in the denied claims
    "person:vance": ["jd vance", "j.d. vance", "=Vance", "вэнс*", "вэнса", "вэнсом"],
    "person:kellogg": ["keith kellogg", "kellogg", "келлог*"],
    "person:blinken": ["antony blinken", "blinken", "блинкен*"],
    "person:sullivan": ["jake sullivan", "=Sullivan", "салливан*"],
    "person:burns": ["william burns", "bill burns", "=Burns", "бернс*"],
    "person:austin": ["lloyd austin", "ллойд* остин*"],
    "person:hegseth": ["pete hegseth", "hegseth", "хегсет*"],
    "person:waltz": ["mike waltz", "michael waltz", "=Waltz", "уолц*"],
    "person:merz": ["friedrich merz", "=Merz", "фридрих* мерц*", "=Мерц", "=Мерца", "=Мерцу", "=Мерцем"],
    "person:sunak": ["rishi sunak", "sunak", "сунак*"],
    "person:fico": ["robert fico", "=Fico", "фицо"],
    "person:pezeshkian": ["masoud pezeshkian", "pezeshkian", "пезешкиан*"],
    "person:raisi": ["ebrahim raisi", "raisi", "раиси"],
    "person:khamenei": ["ali khamenei", "khamenei", "хаменеи"],
    "person:modi": ["narendra modi", "=Modi", "=Моди"],
    "person:lula": ["lula da silva", "=Lula", "лула", "лулы", "луле", "лулой"],
    "person:tokayev": ["kassym-jomart tokayev", "tokayev", "токаев*"],
    "person:aliyev": ["ilham aliyev", "aliyev", "алиев*"],
    "person:pashinyan": ["nikol pashinyan", "pashinyan", "пашинян*"],
    "person:sandu": ["maia sandu", "=Sandu", "=Санду"],
    "person:stoltenberg": ["jens stoltenberg", "stoltenberg", "столтенберг*"],
    "person:rutte": ["mark rutte", "rutte", "рютте"],
    "person:vonderleyen": ["ursula von der leyen", "von der leyen", "фон дер ляйен"],
    "person:kallas": ["kaja kallas", "kallas", "каллас"],
    "person:guterres": ["antonio guterres", "antónio guterres", "guterres", "гутерриш*"],
    "person:grossi": ["rafael grossi", "=Grossi", "гросси"],
    "person:assad": ["bashar al-assad", "bashar assad", "assad", "асад*"],
    "person:yermak": ["andriy yermak", "andrii yermak", "yermak", "ермак*", "єрмак*"],
    "person:umerov": ["rustem umerov", "umerov", "умеров*"],
    "person:kuleba": ["dmytro kuleba", "kuleba", "кулеба", "кулебы", "кулебе", "кулебу", "кулебой"],
    "person:zaluzhny": ["valery zaluzhny", "zaluzhny", "zaluzhnyi", "залужн*"],
    "person:syrskyi": ["oleksandr syrskyi", "syrskyi", "syrsky", "сырск*", "сирськ*"],
}

_COUNTRIES: dict[str, list[str]] = {
    "country:russia": [
        "russia", "russian", "russian federation", "moscow", "росси*", "рф",
        "москв*", "московск*",
    ],
    "country:ukraine": [
        "ukraine", "ukrainian", "kyiv", "kiev", "украин*", "киев*",
    ],
    "country:us": [
        "united states", "=US", "=U.S.", "=USA", "american", "americans", "washington",
        "сша", "американск*", "вашингтон*", "соединенн* штат*", "соединённ* штат*",
    ],
    "country:uk": [
        "united kingdom", "britain", "british", "=UK", "=U.K.", "london", "великобритани*",
        "британ*", "лондон*",
    ],
    "country:china": ["china", "chinese", "beijing", "китай*", "китая", "кнр", "пекин*"],
    "country:germany": ["germany", "german", "berlin", "германи*", "немецк*", "берлин*"],
    "country:france": ["france", "french", "paris", "франци*", "французск*", "париж*"],
    "country:turkey": ["turkey", "türkiye", "turkish", "ankara", "турци*", "турецк*", "анкар*"],
    "country:iran": ["iran", "iranian", "tehran", "иран*", "тегеран*"],
    "country:poland": ["poland", "polish", "warsaw", "польш*", "польск*", "варшав*"],
    "country:syria": ["syria", "syrian", "сири*", "сирийск*"],
    "country:belarus": ["belarus", "belarusian", "minsk", "белорусси*", "беларус*"],
    "country:israel": ["israel", "israeli", "израил*"],
    "country:northkorea": ["north korea", "north korean", "dprk", "кндр", "северн* коре*"],
    "country:spain": ["spain", "spanish", "catalonia", "catalan", "испани*", "каталони*"],
    "country:uae": ["united arab emirates", "=UAE", "abu dhabi", "оаэ", "абу-даби"],
    "country:georgia": ["georgia", "грузи*"],
    "country:kazakhstan": ["kazakhstan", "казахстан*"],
    "country:india": ["india", "indian", "индия", "индии", "индию", "индией", "индийск*"],
    "country:japan": ["japan", "japanese", "япони*"],
    "country:moldova": ["moldova", "moldovan", "moldavia", "chisinau", "молдави*", "молдов*", "молдавск*",
                        "кишинев*", "кишинёв*"],
    "country:armenia": ["armenia", "armenian", "yerevan", "армени*", "армянск*", "ереван*"],
    "country:azerbaijan": ["azerbaijan", "azerbaijani", "baku", "азербайджан*", "баку"],
    "country:lithuania": ["lithuania", "lithuanian", "vilnius", "литва", "литвы", "литве", "литву", "литвой",
                          "литовск*", "вильнюс*"],
    "country:latvia": ["latvia", "latvian", "riga", "латви*", "латвийск*", "рига", "риги", "риге", "ригу"],
    "country:estonia": ["estonia", "estonian", "tallinn", "эстони*", "эстонск*", "таллин*"],
    "country:finland": ["finland", "finnish", "helsinki", "финлянди*", "финск*", "хельсинки"],
    "country:sweden": ["sweden", "swedish", "stockholm", "швеци*", "шведск*", "стокгольм*"],
    "country:norway": ["norway", "norwegian", "oslo", "норвеги*", "норвежск*"],
    "country:denmark": ["denmark", "danish", "copenhagen", "дания", "дании", "данию", "данией", "датск*",
                        "копенгаген*"],
    "country:netherlands": ["netherlands", "dutch", "the hague", "amsterdam", "нидерланд*", "голланди*", "гаага",
                            "гааге", "гаагск*"],
    "country:italy": ["italy", "italian", "rome", "итали*", "итальянск*"],
    "country:hungary": ["hungary", "hungarian", "budapest", "венгри*", "венгерск*", "будапешт*"],
    "country:serbia": ["serbia", "serbian", "belgrade", "серби*", "сербск*", "белград*"],
    "country:romania": ["romania", "romanian", "bucharest", "румыни*", "румынск*", "бухарест*"],
    "country:bulgaria": ["bulgaria", "bulgarian", "болгари*", "болгарск*"],
    "country:czechia": ["czech republic", "czechia", "czech", "prague", "чехия", "чехии", "чехию", "чешск*",
                        "прага", "праге", "прагу", "праги"],
    "country:slovakia": ["slovakia", "slovak", "словаки*", "словацк*"],
    "country:austria": ["austria", "austrian", "vienna", "австри*", "австрийск*"],
    "country:switzerland": ["switzerland", "swiss", "geneva", "швейцари*", "швейцарск*", "женев*"],
    "country:canada": ["canada", "canadian", "ottawa", "канада", "канады", "канаде", "канаду", "канадск*"],
    "country:australia": ["australia", "australian", "австрали*"],
    "country:southkorea": ["south korea", "south korean", "seoul", "республик* корея", "южн* коре*", "сеул*"],
    "country:saudiarabia": ["saudi arabia", "saudi", "riyadh", "саудовск*", "эр-рияд*"],
    "country:qatar": ["qatar", "doha", "катар", "катара", "катаре", "катаром", "доха", "дохе"],
    "country:egypt": ["egypt", "egyptian", "cairo", "египет", "египт*", "каир*"],
    "country:afghanistan": ["afghanistan", "afghan", "kabul", "афганистан*", "афганск*", "кабул*"],
    "country:iraq": ["iraq", "iraqi", "baghdad", "ирак*", "багдад*"],
    "country:libya": ["libya", "libyan", "tripoli", "ливия", "ливии", "ливию", "ливийск*"],
    "country:mali": ["=Mali", "=Мали"],
    "country:sudan": ["sudan", "sudanese", "судан*"],
    "country:cuba": ["cuba", "cuban", "havana", "куба", "кубы", "кубе", "кубу", "кубинск*", "гаван*"],
    "country:venezuela": ["venezuela", "venezuelan", "caracas", "венесуэл*", "каракас*"],
    "country:brazil": ["brazil", "brazilian", "бразили*", "бразильск*"],
    "country:mexico": ["mexico", "mexican", "мексик*"],
    "country:greece": ["greece", "greek", "athens", "греци*", "греческ*"],
    "country:montenegro": ["montenegro", "черногори*"],
    "country:vietnam": ["vietnam", "вьетнам*"],
    "country:pakistan": ["pakistan", "pakistani", "пакистан*"],
    "country:southafrica": ["south africa", "юар", "южн* африк*"],
    "country:belgium": ["belgium", "belgian", "бельги*"],
}

#: Places of the war and of the cases denials answer: Ukrainian and Russian spellings
#: that transliteration cannot join (Dnipro / Днепр, Mykolaiv / Николаев, Bakhmut /
#: Artemovsk), abbreviations (ДНР) and multi-word sites (Crimean bridge, Zaporizhzhia NPP)
#: map to one id. Broad regions are ``region:``, towns and sites ``place:``. Towns whose
#: spellings ``features.name_key`` already joins (Kharkiv / Харькове, Bucha / Буче,
#: Mariupol, Kherson, Kursk, Belgorod, Kramatorsk...) stay name keys: adding them here
#: changes which sentence denial detection takes as the claim, for no matching gain.
_PLACES: dict[str, list[str]] = {
    "region:crimea": ["crimea", "crimean", "=Krym", "крым*"],
    "region:donbas": ["donbas", "donbass", "донбас*"],
    "region:blacksea": ["black sea", "черн* мор*", "черноморск*"],
    "region:transnistria": ["transnistria", "transdniestria", "приднестров*"],
    "region:abkhazia": ["abkhazia", "абхази*"],
    "region:southossetia": ["south ossetia", "южн* осети*"],
    "place:kerchbridge": [
        "crimean bridge", "kerch bridge", "kerch strait bridge", "крымск* мост*", "керченск* мост*",
        "мост* через керченский пролив",
    ],
    "place:zaporizhzhianpp": [
        "zaporizhzhia nuclear power plant", "zaporizhzhia nuclear plant", "zaporizhzhia npp",
        "zaporozhye nuclear power plant", "zaporozhye nuclear plant", "zaporozhye npp", "=ZNPP",
        "запорожск* аэс", "=ЗАЭС", "запорожск* атомн* электростанци*",
    ],
    "place:kursknpp": ["kursk nuclear power plant", "kursk nuclear plant", "kursk npp", "курск* аэс"],
    "place:nordstream": ["nord stream", "nord stream 2", "северн* поток*"],
    "place:dnipro": ["dnipro", "dnepr", "dnieper", "dnepropetrovsk", "dnipropetrovsk", "днепр*", "дніпр*"],
    "place:zaporizhzhia": ["zaporizhzhia", "zaporozhye", "zaporizhia", "zaporozhzhia", "запорож*", "запоріж*"],
    "place:mykolaiv": ["mykolaiv", "nikolaev", "nikolayev", "николаев*", "миколаїв*", "миколаєв*"],
    "place:odesa": ["odesa", "odessa", "одес*"],
    "place:donetsk": ["donetsk", "=DPR", "=DNR", "донецк*", "донецьк*", "днр"],
    "place:luhansk": ["luhansk", "lugansk", "=LPR", "=LNR", "луганск*", "луганськ*", "лнр"],
    "place:bakhmut": ["bakhmut", "artemovsk", "artyomovsk", "бахмут*", "артемовск*", "артёмовск*"],
    "place:avdiivka": ["avdiivka", "avdeyevka", "avdeevka", "авдеевк*", "авдіївк*"],
    "place:sumy": ["=Sumy", "=Сумы", "=Сумах", "=Сумам", "сумск* област*", "=Сумская", "=Сумской"],
    "place:vuhledar": ["vuhledar", "ugledar", "угледар*", "вугледар*"],
    "place:lyman": ["=Lyman", "=Liman", "=Лиман*"],
    "place:kupiansk": ["kupiansk", "kupyansk", "купянск*"],
    "place:lysychansk": ["lysychansk", "lisichansk", "лисичанск*"],
    "place:izium": ["izium", "izyum", "=Изюм*", "=Ізюм*"],
    "place:olenivka": ["olenivka", "olenovka", "еленовк*", "оленівк*"],
    "place:salisbury": ["salisbury", "солсбери"],
    "place:mh17": ["=MH17", "mh-17", "=МН17", "=MH-17", "малайзийск* боинг*", "boeing mh17"],
}

_ORGS: dict[str, list[str]] = {
    "org:kremlin": ["kremlin", "кремл*"],
    "org:taliban": ["taliban", "талиб*"],
    "org:ukrainemilitary": ["general staff of ukraine", "ukraine's general staff", "ukrainian general staff",
                            "armed forces of ukraine", "ukraine's military", "ukrainian military", "=HUR",
                            "ukraine's military intelligence", "=ВСУ", "генштаб* всу", "генштаб* украины",
                            "генеральн* штаб* всу", "вооруженн* сил* украины", "вооружённ* сил* украины", "=ГУР"],
    "org:mfa": [
        "foreign ministry", "ministry of foreign affairs", "foreign office", "=MFA",
        "мид*", "министерств* иностранных дел",
    ],
    "org:mod": [
        "defence ministry", "defense ministry", "ministry of defence", "ministry of defense",
        "минобороны", "министерств* обороны", "=МО РФ", "военн* ведомств*", "оборонн* ведомств*",
    ],
    "org:nato": ["nato", "north atlantic alliance", "нато", "североатлантическ* альянс*"],
    "org:fsb": ["=FSB", "federal security service", "фсб"],
    "org:gru": ["=GRU", "гру", "russian military intelligence", "российск* военн* разведк*"],
    "org:svr": ["=SVR", "foreign intelligence service", "свр"],
    "org:wagner": ["wagner", "wagner group", "вагнер*", "чвк", "чвк вагнер*"],
    "org:whitehouse": ["white house", "белый дом", "белого дома", "белом доме"],
    "org:eu": ["european union", "=EU", "евросоюз*", "=ЕС", "европейск* союз*"],
    "org:un": ["united nations", "=UN", "=ООН"],
    "org:opcw": ["opcw", "опзх"],
    "org:fbk": ["anti-corruption foundation", "=FBK", "фбк", "фонд* борьбы с коррупцией"],
    "org:rheinmetall": ["rheinmetall", "рейнметалл*"],
    "org:cia": ["=CIA", "=ЦРУ"],
    "org:pentagon": ["pentagon", "пентагон*"],
    "org:statedepartment": ["state department", "госдеп*"],
    "org:sbu": ["=SBU", "=СБУ"],
    "org:g20": ["=G20", "g-20", "=G7", "большой двадцатки", "=G20"],
    "org:iaea": ["=IAEA", "international atomic energy agency", "магатэ"],
    "org:icc": ["=ICC", "international criminal court", "=МУС", "международн* уголовн* суд*"],
    "org:unsc": [
        "un security council", "u.n. security council", "security council of the united nations",
        "совбез* оон", "=СБ ООН", "совет* безопасности оон",
    ],
    "org:securitycouncil": [
        "russian security council", "security council of russia", "совбез* россии", "совбез* рф",
        "совет* безопасности россии", "совет* безопасности рф", "=Совбез*",
    ],
    "org:osce": ["=OSCE", "=ОБСЕ"],
    "org:rosatom": ["rosatom", "росатом*"],
    "org:gazprom": ["gazprom", "газпром*"],
    "org:rosneft": ["rosneft", "роснефт*"],
    "org:lukoil": ["lukoil", "лукойл*"],
    "org:centralbank": [
        "central bank of russia", "russian central bank", "russia's central bank", "bank of russia",
        "центробанк*", "=Банк России", "=Банка России", "=Банку России", "=Банком России", "=Банке России",
        "=ЦБ", "=ЦБ РФ", "центральн* банк* росси*", "центральн* банк* рф",
    ],
    "org:roscosmos": ["roscosmos", "роскосмос*"],
    "org:rosgvardia": ["rosgvardia", "national guard of russia", "росгварди*"],
    "org:investigativecommittee": ["investigative committee", "следственн* комитет*", "=СК РФ"],
    "org:duma": ["state duma", "=Duma", "госдум*", "государственн* дум*"],
    "org:federationcouncil": ["federation council", "совет* федерации", "совфед*"],
    "org:rdif": ["russian direct investment fund", "=RDIF", "=РФПИ"],
    "org:africacorps": ["africa corps", "африканск* корпус*"],
}

_OUTLETS: dict[str, list[str]] = {
    "outlet:washingtonpost": [
        "washington post", "=The Post", "=WaPo", "вашингтон пост",
        "=Washington Post",
    ],
    "outlet:nytimes": [
        "new york times", "=NYT", "nytimes", "нью-йорк таймс", "нью йорк таймс",
    ],
    "outlet:wsj": ["wall street journal", "=WSJ", "уолл-стрит джорнэл", "уолл-стрит джорнал"],
    "outlet:reuters": ["reuters", "рейтер*", "=Reuters"],
    "outlet:bloomberg": ["bloomberg", "блумберг*", "bloomberg news"],
    "outlet:ft": ["financial times", "=FT", "файнэншл таймс", "файненшл таймс"],
    "outlet:guardian": ["the guardian", "=Guardian", "гардиан"],
    "outlet:bbc": ["=BBC", "би-би-си", "=Би-би-си"],
    "outlet:cnn": ["=CNN", "си-эн-эн"],
    "outlet:axios": ["axios", "аксиос*"],
    "outlet:politico": ["politico", "политико"],
    "outlet:ap": ["associated press", "=AP", "ассошиэйтед пресс"],
    "outlet:afp": ["=AFP", "agence france-presse", "франс пресс", "франс-пресс"],
    "outlet:meduza": ["meduza", "медуз*"],
    "outlet:moscowtimes": ["moscow times", "москоу таймс"],
    "outlet:kommersant": ["kommersant", "коммерсант*"],
    "outlet:rbc": ["=RBC", "рбк"],
    "outlet:vedomosti": ["vedomosti", "ведомост*"],
    "outlet:spiegel": ["der spiegel", "spiegel", "шпигел*", "шпигель"],
    "outlet:bild": ["=Bild", "бильд*"],
    "outlet:times": ["=The Times", "=Times of London"],
    "outlet:telegraph": ["telegraph", "телеграф"],
    "outlet:independent": ["=The Independent", "=Independent"],
    "outlet:economist": ["the economist", "=Economist"],
    "outlet:foxnews": ["fox news", "фокс ньюс"],
    "outlet:cbs": ["=CBS", "cbs news"],
    "outlet:nbc": ["=NBC", "nbc news"],
    "outlet:abc": ["=ABC News", "=ABC"],
    "outlet:agentstvo": ["=Agentstvo", "=«Агентство»", "=\"Агентство\""],
    "outlet:insider": ["the insider", "=Insider"],
    "outlet:bellingcat": ["bellingcat", "беллингкэт"],
    "outlet:dozhd": ["tv rain", "=Дождь", "=«Дождь»"],
    "outlet:novayagazeta": ["novaya gazeta", "новая газета", "новой газет*"],
    "outlet:tass": ["=TASS", "тасс"],
    "outlet:ria": ["ria novosti", "=RIA", "риа новости", "=РИА"],
    "outlet:interfax": ["interfax", "интерфакс*"],
    "outlet:rt": ["=RT", "russia today"],
    "outlet:sputnik": ["=Sputnik", "спутник*"],
    "outlet:izvestia": ["izvestia", "известия", "известий"],
    "outlet:lemonde": ["le monde", "ле монд"],
    "outlet:corriere": ["corriere della sera", "коррьере"],
    "outlet:yomiuri": ["yomiuri", "ёмиури"],
    "outlet:semafor": ["semafor"],
    "outlet:dailybeast": ["daily beast"],
    "outlet:newsweek": ["newsweek", "ньюсуик*"],
    "outlet:thesun": ["=The Sun"],
    "outlet:dailymail": ["daily mail", "дейли мейл"],
}

_EVENTS: dict[str, list[str]] = {
    "event:call": [
        "phone call", "phone calls", "telephone call", "call", "calls", "phone conversation",
        "telephone conversation", "telephone talks", "phone talks", "spoke by phone",
        "spoke by telephone", "spoken by phone", "talked by phone", "spoke on the phone",
        "spoken on the phone", "speak by phone", "spoke to", "spoken to", "spoke with",
        "spoken with", "have spoken", "had spoken", "conversation", "conversations",
        "телефонн* разговор*", "телефонн* переговор*", "разговор*", "звон*", "созвон*",
        "созвонил*", "беседовал*", "поговорил*", "телефонн* контакт*",
    ],
    "event:meeting": [
        "meeting", "meetings", "met", "meet", "summit", "встреч*", "встретил*", "встретят*",
        "саммит*",
    ],
    "event:talks": [
        "talks", "negotiations", "negotiate", "negotiated", "переговор*", "консультаци*",
    ],
    "event:contact": ["contact", "contacts", "контакт*"],
    "event:visit": ["visit", "visited", "trip", "визит*", "поездк*", "посетил*", "посетит*"],
    "event:deal": [
        "deal", "agreement", "accord", "pact", "peace plan", "plan for ukraine", "сделк*",
        "соглашени*", "договоренност*", "договорённост*", "мирн* план*",
        # "struck a deal" is a deal, not an attack (longest alias wins)
        "strike a deal", "struck a deal", "strikes a deal", "strike deal", "strikes deal", "struck deal",
        "cut a deal", "reach a deal", "reached a deal", "reach an agreement", "reached an agreement",
    ],
    "event:extension": [
        "extend", "extends", "extended", "extending", "extension", "prolong", "prolongs", "prolonged",
        "prolongation", "renew", "renews", "renewed", "renewal", "roll over", "rolled over",
        "продлени*", "продлить", "продлил*", "продлят", "продлит", "продлен*", "продлева*", "пролонгаци*",
    ],
    "event:supply": [
        "sale", "sales", "sold", "supply", "supplies", "supplied", "supplying", "delivery",
        "deliveries", "delivered", "shipment", "shipments", "transfer of weapons",
        "поставк*", "поставля*", "постави*", "продаж*", "продал*", "передач* оружия",
    ],
    "event:attack": [
        "attack", "attacks", "attacked", "strike", "strikes", "struck", "bombing", "bombed",
        "shelling", "shelled", "missile strike", "airstrike", "airstrikes", "air strike",
        "удар*", "атак*", "обстрел*", "бомбардировк*", "бомбил*", "разбомбил*",
    ],
    "event:plot": [
        "plot", "plotting", "plan to kill", "assassination", "assassinate", "sabotage",
        "заговор*", "покушени*", "убийств*", "диверси*",
        # a coup is a plot against a government
        "coup", "coups", "coup attempt", "coup d'état", "coup d'etat", "overthrow", "topple", "переворот*",
        "свержени*", "свергнуть", "golpe de estado", "colpo di stato", "putsch*", "staatsstreich",
    ],
    "event:illness": [
        "illness", "health", "sick", "cancer", "hospitalized", "hospitalised",
        "здоровь*", "болезн*", "болен", "болеет", "госпитализ*",
        "cardiac arrest", "heart attack", "stroke", "resuscitated", "инфаркт*", "инсульт*", "остановк* сердца",
        "реанимац*",
    ],
    "event:death": [
        "death", "died", "dies", "killed", "killing", "гибел*", "смерт*", "скончал*",
    ],
    "event:poisoning": [
        "poisoning", "poisonings", "poisoned", "nerve agent attack", "отравлени*", "отравил*", "отравлен*",
    ],
    "event:resignation": [
        "resignation", "resign", "resigns", "resigned", "dismissal", "dismissed from", "was fired", "been fired",
        "sacked",
        "step down", "steps down", "stepped down", "ousted", "отставк*", "уволен*", "увольнени*", "уволил*",
        "ушел в отставку", "ушёл в отставку", "освобожд* от должност*", "освобожден* от должност*",
    ],
    "event:cyberattack": [
        "hack", "hacking", "hacked", "hacker", "hackers", "hacker attack", "hacker attacks", "cyberattack",
        "cyber attack", "cyberattacks", "хакерск* атак*",
        "cyber-attack", "cyber-attacks", "cyber attacks", "ransomware",
        "хакер*", "кибератак*", "взлом*",
    ],
    "event:interference": ["interference", "meddling", "interfered", "вмешательств*", "вмешивал*"],
    "event:mobilization": [
        "mobilization", "mobilisation", "mobilize", "mobilise", "mobilized", "mobilised", "call-up",
        "мобилизаци*", "мобилизова*", "мобилизуют",
    ],
    "event:arrest": [
        "arrest", "arrests", "arrested", "detained", "detention", "арест*", "задержан*", "задержал*",
    ],
    "event:exchange": [
        "prisoner swap", "prisoner swaps", "prisoner exchange", "prisoner exchanges", "swap", "swapped",
        "обмен* пленн*", "обмен* военнопленн*", "обмен* заключенн*", "обмен* заключённ*", "обменял*",
    ],
    "event:deployment": [
        "deploy", "deploys", "deployed", "deploying", "deployment", "stationing", "stationed",
        "sent troops", "send troops", "sends troops", "sending troops", "sent soldiers", "sent forces",
        "отправк* войск*", "отправил* войск*", "направил* войск*", "отправк* военн*", "отправил* военн*",
        "переброск* войск*", "переброск* военн*",
        "размещени*", "разместил*", "разместит*", "разместить", "развертывани*", "развёртывани*",
    ],
    "event:border_closure": ["close the border", "border closure", "закрыти* границ*", "закрыть границ*",
                             "exit ban", "leaving the country", "leave the country", "leaving russia", "leave russia",
                             "запрет* на выезд*", "запрет* выезд*", "покидать россию", "покидать страну",
                             "выезд* из россии", "выезд* из страны"],
    "event:drones": ["drone", "drones", "uav", "беспилотник*", "дрон*", "бпла"],
    "event:ownership": ["palace", "owns", "ownership", "дворц*", "дворец", "собственност*"],
}

#: Phrases that contain an event alias but name no event ("calls for", "called on"):
#: matched like aliases, so they win over the shorter alias, then dropped.
_NOT_EVENTS: dict[str, list[str]] = {
    "": [
        "call for", "calls for", "called for", "calling for", "call on", "calls on", "called on",
        "calling on", "call into question", "calls into question", "called into question",
        "so-called", "deal with", "deals with", "dealt with", "dealing with", "meet demands",
        "meet the demands", "met with criticism",
        # «разговоры о закрытии границ»: talk of something, not a conversation
        "разговоры о", "разговоры об", "разговоров о", "разговоров об", "разговорам о",
    ],
}

#: The same concepts in the other languages Russian denials are reported in: Spanish,
#: Italian, Portuguese, French and German wire copy (RT en Español, Sputnik Brasil,
#: ANSA, AFP, dpa) and Ukrainian, whose Cyrillic spellings the Russian stems miss
#: (Путін, Київ, Україна). Only names, countries, institutions and event words that
#: carry a claim; a language's grammar words never.
_OTHER_LANGUAGES: dict[str, list[str]] = {
    "person:putin": ["poutine", "путін*"],
    "person:zelensky": ["zelenski", "zelenskyj", "selenskyj", "зеленськ*"],
    "person:peskov": ["peskow", "пєсков*", "portavoz del kremlin", "portavoce del cremlino", "porta-voz do kremlin",
                      "porte-parole du kremlin", "kremlsprecher"],
    "person:zakharova": ["zajárova", "zajarova", "sacharowa", "zacharova"],
    "person:lavrov": ["lawrow"],
    "person:medvedev": ["medwedew", "medvédev"],
    "person:shoigu": ["schoigu", "shoigú"],
    "person:ushakov": ["uschakow"],
    "org:kremlin": ["cremlino", "=Kreml"],
    "org:mfa": ["ministerio de asuntos exteriores", "ministerio de exteriores", "cancillería rusa",
                "ministero degli esteri", "ministério das relações exteriores", "itamaraty russo",
                "ministère des affaires étrangères", "außenministerium", "мзс", "міністерств* закордонних справ"],
    "org:mod": ["ministerio de defensa", "ministero della difesa", "ministério da defesa",
                "ministère de la défense", "verteidigungsministerium", "міноборони", "міністерств* оборони"],
    "org:nato": ["=OTAN"],
    "country:russia": ["rusia", "rússia", "russie", "russland", "ruso", "rusa", "rusos", "rusas", "russi", "russe",
                       "russes", "russisch*", "moscú", "=Mosca", "moscou", "moskau", "росі*", "російськ*"],
    "country:ukraine": ["ucrania", "ucraniano*", "ucraniana*", "ucraina", "ucraino", "ucraini", "ucrânia",
                        "ukrainien*", "ukrainisch*", "kiew", "україн*", "київ*", "києв*"],
    "country:us": ["estados unidos", "=EE.UU.", "=EEUU", "stati uniti", "=EUA", "états-unis", "etats-unis",
                   "vereinigte staaten", "estadounidense*", "statunitens*", "norte-american*", "américain*",
                   "amerikanisch*"],
    "country:uk": ["reino unido", "regno unito", "royaume-uni", "großbritannien", "grossbritannien", "londres",
                   "londra", "británic*", "britannic*", "britânic*", "britannique*", "britisch*"],
    "country:germany": ["alemania", "germania", "alemanha", "allemagne", "deutschland", "alemán", "tedesc*",
                        "allemand*", "німеччин*"],
    "country:france": ["francia", "frança", "frankreich", "francés", "francese", "francês", "französisch*", "франці*"],
    "country:china": ["cina", "chine", "chinois*", "cinese"],
    "country:syria": ["siria", "síria", "syrie", "syrien", "сирі*"],
    "country:iran": ["irán", "irã"],
    "country:turkey": ["turquía", "turchia", "turquia", "turquie", "türkei"],
    "country:poland": ["polonia", "polônia", "pologne", "polen", "польщ*"],
    "country:belarus": ["bielorrusia", "bielorussia", "bielorrússia", "biélorussie", "weißrussland", "білорус*"],
    "event:call": ["llamada telefónica", "conversación telefónica", "telefonata", "conversa telefônica",
                   "telefonema", "appel téléphonique", "entretien téléphonique", "telefonat", "telefongespräch",
                   "телефонн* розмов*", "розмов*"],
    "event:meeting": ["reunión", "incontro", "reunião", "rencontre", "treffen", "cumbre", "vertice", "sommet",
                      "gipfel*", "зустріч*"],
    "event:talks": ["negociaciones", "negoziati", "negociações", "négociations", "verhandlungen"],
    "event:deal": ["acuerdo", "accordo", "acordo", "abkommen", "угод*"],
    "event:attack": ["ataque", "ataques", "attacco", "attacchi", "attaque", "attaques", "angriff*"],
    "event:drones": ["droni", "drohne*"],
    "event:poisoning": ["envenenamiento", "envenenado", "envenenada", "avvelenamento", "avvelenato", "envenenamento",
                        "empoisonnement", "empoisonné", "vergiftung", "vergiftet", "отруєнн*"],
}
for _concept, _aliases in _OTHER_LANGUAGES.items():
    _table = {"person": _PEOPLE, "org": _ORGS, "country": _COUNTRIES, "event": _EVENTS}[_concept.split(":")[0]]
    _table[_concept] = [*_table[_concept], *_aliases]

_CATEGORIES = (_OUTLETS, _PEOPLE, _ORGS, _COUNTRIES, _PLACES, _EVENTS, _NOT_EVENTS)

#: Human-readable labels for the concepts that are most often displayed to analysts.
_LABELS: dict[str, str] = {
    "person:putin": "Vladimir Putin",
    "person:peskov": "Dmitry Peskov",
    "person:zakharova": "Maria Zakharova",
    "person:lavrov": "Sergei Lavrov",
    "person:ushakov": "Yuri Ushakov",
    "person:medvedev": "Dmitry Medvedev",
    "person:shoigu": "Sergei Shoigu",
    "person:konashenkov": "Igor Konashenkov",
    "org:kremlin": "Kremlin",
    "org:mfa": "Foreign Ministry",
    "org:mod": "Defence Ministry",
}


_TOKEN = re.compile(r"\w+")
#: Distinct first tokens the gazetteer remembers (news repeats its names).
_TOKEN_CACHE = 65536
# What may separate the words of a multi-word alias ("Trump-Putin", "Би-би-си", "U.S.").
_GAP = re.compile(r"[\s\-\u2010-\u2014.'’«»\"]{0,3}")


@dataclass(frozen=True)
class ConceptMatch:
    """One alias found in a text."""

    #: Concept id, e.g. ``person:putin``.
    concept: str
    #: Character offsets of the alias in the text.
    start: int
    end: int
    #: The alias as written.
    text: str


@dataclass(frozen=True)
class _Alias:
    concept: str
    #: (word, is_stem) per token, lower-cased unless case_sensitive.
    words: tuple[tuple[str, bool], ...]
    case_sensitive: bool
    #: Tie-break between aliases of equal length: outlets before people before places.
    rank: int


def _parse_alias(alias: str, concept: str, rank: int) -> _Alias:
    case_sensitive = alias.startswith("=")
    if case_sensitive:
        alias = alias[1:]
    words: list[tuple[str, bool]] = []
    for raw in alias.split():
        stem = raw.endswith("*")
        toks = _TOKEN.findall(raw)
        for i, tok in enumerate(toks):
            w = tok if case_sensitive else tok.lower()
            words.append((w, stem and i == len(toks) - 1))
    return _Alias(concept, tuple(words), case_sensitive, rank)


class _Gazetteer:
    """Alias tables indexed by the first three letters of their first word.

    A single regex alternation over ~900 aliases with look-arounds costs ~50 ms per
    article; a token scan with a prefix index costs well under 1 ms, and detection runs
    over the whole archive. Longest alias wins at each token ("Washington Post" over
    "Washington"), so outlets never leak into places.

    The scan visits only the tokens where an alias may start: ``starts`` (a trie of
    every alias, run by ``re`` over the lower-cased text) finds them, so Python never
    sees the other tokens.
    """

    def __init__(self) -> None:
        self.index: dict[str, list[_Alias]] = {}
        rank = 0
        for table in _CATEGORIES:
            rank += 1
            for concept, aliases in table.items():
                for alias in aliases:
                    a = _parse_alias(alias, concept, rank)
                    if not a.words:
                        continue
                    key = a.words[0][0][:3].lower()
                    self.index.setdefault(key, []).append(a)
        for lst in self.index.values():
            lst.sort(key=lambda a: (-len(a.words), a.rank))
        phrases = {tuple((w.lower(), stem) for w, stem in a.words) for lst in self.index.values() for a in lst}
        self.starts = re.compile(r"(?<!\w)(?=" + phrase_pattern(sorted(phrases), _GAP.pattern) + ")")
        #: first token as written -> the aliases it may start (a bounded memo of a pure lookup)
        self._by_token: dict[str, tuple[_Alias, ...]] = {}

    @staticmethod
    def _word_ok(word: str, stem: bool, tok: str) -> bool:
        return tok.startswith(word) if stem else tok == word

    def _candidates(self, text: str) -> Iterator[int]:
        """Offsets of the tokens that may start an alias (a superset; ``find`` checks each).

        Lower-casing keeps word characters word characters, so on lower-cased text of
        the same length the trie sees the same token starts; when lower-casing changes
        the length (a rare "İ"), every token is a candidate.
        """
        low = text.lower()
        if len(low) == len(text):
            return (m.start() for m in self.starts.finditer(low))
        return (m.start() for m in _TOKEN.finditer(text))

    def _starting_with(self, token: str) -> tuple[_Alias, ...]:
        """The aliases whose first word ``token`` is, longest first (memoised per token)."""
        found = self._by_token.get(token)
        if found is None:
            low = token.lower()
            found = tuple(a for a in self.index.get(low[:3], ())
                          if self._word_ok(*a.words[0], token if a.case_sensitive else low))
            if len(self._by_token) < _TOKEN_CACHE:
                self._by_token[token] = found
        return found

    def _longest(self, text: str, first: re.Match[str], cands: tuple[_Alias, ...]) -> tuple[_Alias, int] | None:
        """The first of ``cands`` (longest first) whose other words follow ``first``, with its end."""
        if len(cands[0].words) == 1:
            return cands[0], first.end()
        toks = [first, *islice(_TOKEN.finditer(text, first.end()), len(cands[0].words) - 1)]
        for a in cands:
            k = len(a.words)
            if k > len(toks):
                continue
            for j in range(1, k):
                w, stem = a.words[j]
                tok = toks[j].group()
                if not self._word_ok(w, stem, tok if a.case_sensitive else tok.lower()):
                    break
                if not _GAP.fullmatch(text, toks[j - 1].end(), toks[j].start()):
                    break
            else:
                return a, toks[k - 1].end()
        return None

    def find(self, text: str) -> list[ConceptMatch]:
        out: list[ConceptMatch] = []
        resume = 0
        for pos in self._candidates(text):
            if pos < resume:
                continue  # inside the alias just matched
            first = _TOKEN.match(text, pos)
            cands = self._starting_with(first.group()) if first else ()
            found = self._longest(text, first, cands) if first and cands else None
            if found is None:
                continue
            best, end = found
            resume = end
            if best.concept:  # "" marks a phrase that names no concept ("calls for")
                out.append(ConceptMatch(best.concept, pos, end, text[pos:end]))
        return out


_GAZ: list[_Gazetteer] = []


def _gazetteer() -> _Gazetteer:
    # Built lazily on first use and cached: the tables are constants, so this is a
    # cache of pure data, not application state.
    if not _GAZ:
        _GAZ.append(_Gazetteer())
    return _GAZ[0]


def find_concepts(text: str) -> list[ConceptMatch]:
    """Every alias occurrence in ``text``, in order, with its concept id and span.

    Outlets are resolved first ("Washington Post" is ``outlet:washingtonpost``, never
    ``country:us``). Overlapping aliases resolve to the longest at the same position.
    """
    if not text:
        return []
    return _gazetteer().find(text)


def extract_concepts(text: str, lang: str | None = None) -> set[str]:
    """Concept ids (people, countries, organisations, outlets, events) named in ``text``.

    ``lang`` is accepted for API stability; the tables hold both languages, so the
    result does not depend on it today.
    """
    del lang
    return {m.concept for m in find_concepts(text)}


def find_outlets(text: str) -> list[str]:
    """Outlet concept ids named in ``text``, in order of first mention, without repeats."""
    return _ordered(m.concept for m in find_concepts(text) if m.concept.startswith("outlet:"))


def find_event_types(text: str) -> list[str]:
    """Event concept ids (``event:call``...) in ``text``, in order of first mention."""
    return _ordered(m.concept for m in find_concepts(text) if m.concept.startswith("event:"))


def concept_label(concept: str) -> str:
    """A display label for a concept id ("person:putin" -> "Vladimir Putin")."""
    if concept in _LABELS:
        return _LABELS[concept]
    return concept.split(":", 1)[-1].replace("_", " ").title()


def _ordered(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
