"""Text features that matching compares: index terms, keywords, names, lead denials.

Its job is to reduce one document (title + text) to the few language-neutral things
a denial and a report can share, computed once when the document is processed and
stored beside it, so that scoring a pair never re-reads the archive:

- ``terms``: concept ids from the bilingual gazetteer (``person:putin``,
  ``event:call``), bilingual topic ids for common news nouns (``topic:missile`` =
  missile / ракета), and transliterated name keys for capitalised words the
  gazetteer does not know (``name:kramat`` = Kramatorsk / Краматорске), so a place
  like Bucha links an English report to a Russian denial;
- ``keywords``: Snowball stems of the content words (lexical signal within a language);
- ``lead_cue``: whether the headline (or, failing that, the lead) relays a denial, the
  sign of an article that reports the denial rather than the denied claim.

It must not do I/O or keep state between calls.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, compress
from typing import Any, Iterable

import snowballstemmer

from monitor.text.entities import CATEGORIES, alias_tables, find_concepts
from monitor.text.latin_names import to_common_spelling
from monitor.text.lexicons import Lexicons, active_lexicons
from monitor.text.lowercase_regex import Alternatives
from monitor.text.word_memo import WordMemos
from monitor.timeutil import to_utc

#: Characters of body text that count as the lead (after a repeated headline).
LEAD_CHARS = 450
#: Characters of body text scanned for terms (long articles drift to other topics).
BODY_CHARS = 4000

_WORD = re.compile(r"[^\W\d_][\w'’-]*[\w]|[^\W\d_]", re.UNICODE)
#: ``_WORD`` as a group: ``split`` keeps the words between the separators (``_tokens``)
_WORD_PARTS = re.compile(f"({_WORD.pattern})", re.UNICODE)
_CYR = re.compile(r"[\u0400-\u04FF]")

_STOP_EN = set("""
a about above after again against all also an and any are as at be been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how
i if in into is it its itself just me more most my no nor not now of off on once only or other our out over own
said says same she should so some such than that the their them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your yours report
reports reported reportedly according told news monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december week year years day days
new one two three mr ms its it's s t people time last first since amid over per via today yesterday
""".split())
_STOP_RU = set("""
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня еще
нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом
себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под
будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда
зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего них какая много
разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю
между это также заявил заявила сообщил сообщила сообщает сообщили передает пишет года году году понедельник вторник
среда среду четверг пятница пятницу суббота субботу воскресенье января февраля марта апреля мая июня июля августа
сентября октября ноября декабря
""".split())
#: Capitalised words that are not names (weekdays, months, titles).
_NOT_NAMES = _STOP_EN | _STOP_RU | set("""
president minister spokesman spokeswoman foreign ministry kremlin government official officials state mr
according reuters tass ria interfax the а в
""".split())

# Bilingual stems for common news nouns the gazetteer leaves out; a token matches a
# topic when it starts with one of the stems (English and Russian inflection).
_TOPICS: dict[str, tuple[str, ...]] = {
    "topic:missile": ("missile", "rocket", "ракет", "ракетн", "misil", "missil", "rakete"),
    "topic:hospital": ("hospital", "maternity", "больниц", "госпитал", "роддом", "родильн"),
    "topic:poison": ("poison", "novichok", "nerve", "отравл", "новичок", "отравит", "envenen", "avvelen", "empoison",
                     "vergift", "отру"),
    "topic:plane": ("plane", "jet", "aircraft", "самолет", "самолёт", "авиакатастроф", "бизнес-джет"),
    "topic:crash": ("crash", "explosion", "крушен", "катастроф", "взрыв"),
    "topic:vaccine": ("vaccine", "covid", "coronavirus", "вакцин", "коронавирус"),
    "topic:chemical": ("chemical", "chlor", "sarin", "toxic", "химическ", "химоруж", "хлор", "зарин", "отравляющ"),
    "topic:bodies": ("bodies", "corpses", "massacre", "atrocit", "executed", "трупы", "тела", "массов", "зверств"),
    "topic:civilians": ("civilian", "мирн", "гражданск"),
    "topic:station": ("station", "вокзал", "станци"),
    "topic:spy": ("spy", "spies", "espionage", "шпион", "разведчик", "разведк", "spymaster", "espía", "espionaj",
                  "spionag", "espion", "шпигун"),
    "topic:intelligence": ("intelligence", "спецслужб"),
    "topic:investigation": ("investigat", "расследован"),
    "topic:weapons": ("weapon", "arms", "munition", "оружи", "вооружен", "боеприпас"),
    "topic:camp": ("camp", "лагер"),
    "topic:refugees": ("refugee", "displaced", "беженц", "переселен"),
    "topic:heart": ("heart", "сердц", "сердеч"),
    "topic:separatists": ("separatis", "independence", "сепаратис", "независимост"),
    "topic:election": ("election", "выбор"),
    "topic:nuclear": ("nuclear", "ядерн"),
    "topic:sanctions": ("sanction", "санкци"),
    "topic:troops": ("troops", "soldiers", "войск", "военнослужащ", "военные", "военных"),
    "topic:prison": ("prison", "penal", "colony", "тюрьм", "колони"),
    "topic:disappearance": ("disappear", "absence", "missing", "исчезнов", "исчез", "пропа"),
    "topic:peaceplan": ("peace", "ceasefire", "перемири", "урегулирован"),
    "topic:surveillance": ("surveillance", "reconnaissance", "recon", "разведыват", "слежк"),
    "topic:routes": ("route", "маршрут"),
    "topic:book": ("book", "книг"),
    "topic:hack": ("hack", "хакер", "хак"),
    "topic:border": ("border", "границ"),
    "topic:submarine": ("submarine", "подводн", "подлодк"),
    "topic:ship": ("ship", "vessel", "tanker", "frigate", "warship", "судн", "корабл", "танкер", "фрегат"),
    "topic:cable": ("cable", "кабел"),
    "topic:grain": ("grain", "wheat", "зерн", "пшениц"),
    "topic:oil": ("oil", "нефт"),
    "topic:pipeline": ("pipeline", "трубопровод", "газопровод", "нефтепровод"),
    "topic:children": ("children", "kids", "детей", "дети", "ребен", "ребён"),
    "topic:deportation": ("deport", "депортац", "депортир"),
    "topic:mercenaries": ("mercenar", "наемник", "наёмник"),
    "topic:prisoners": ("prisoner", "pows", "пленн", "военнопленн"),
    "topic:biolab": ("biolab", "bioweapon", "biological", "биолаборатор", "биологическ", "биооруж"),
    "topic:airport": ("airport", "airfield", "airbase", "аэропорт", "аэродром", "авиабаз"),
    "topic:bridge": ("bridge", "мост"),
    "topic:refinery": ("refiner", "нпз", "нефтеперерабат"),
    "topic:satellite": ("satellite", "orbit", "орбит", "космическ"),
    "topic:assets": ("assets", "frozen", "заморожен", "замороз"),
    "topic:arson": ("arson", "blaze", "поджог", "подожг", "пожар"),
}
_TOPIC_INDEX: dict[str, list[tuple[str, str]]] = {}
for _topic, _stems in _TOPICS.items():
    for _stem in _stems:
        _TOPIC_INDEX.setdefault(_stem[:3], []).append((_stem, _topic))

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "i", "є": "e", "ґ": "g", "ј": "j", "ћ": "c",
    "ђ": "d", "љ": "lj", "њ": "nj", "џ": "dz",
}
_VOWELS_END = re.compile(r"[aeiouy]+$")
#: Latin letters with diacritics that stand for a digraph elsewhere (Prigożyn, Šojgu, Łukaszenka);
#: other diacritics are dropped (Zajárova, Mevlüt).
_LATIN_FOLD = str.maketrans({"ż": "zh", "ž": "zh", "ź": "z", "š": "sh", "ś": "s", "č": "ch", "ć": "c", "ł": "l",
                             "ß": "ss", "ø": "o", "æ": "ae", "đ": "d", "ı": "i", "ç": "ch", "ş": "sh",
                             "ğ": ""})
#: Spelling variants of one sound across transliterations, applied in order: Дрисколл /
#: Driscoll (k / c), Lavrov / Lawrow (v / w), Zelensky / Zełenski / Зеленский (y / i). Three
#: merges serve the languages that spell Russian names their own way: х is "kh" in English but
#: "ch" in German, Polish, Czech and Dutch (Bakhmut / Bachmut), so "ch" and "kh" are one sound
#: (ч, English "ch", goes with them: no pair of names tells them apart by it); ж is "zh" in
#: English but "sch" in German (Prigozhin / Prigoschin), and German writes з as "s" (Sacharowa),
#: so "zh" goes with "sh" and "z" with "s".
_SOUNDS = (("sch", "sh"), ("tch", "ch"), ("ck", "k"), ("ph", "f"), ("th", "t"), ("kh", "h"), ("ch", "h"),
           ("zh", "sh"), ("z", "s"), ("w", "v"), ("x", "ks"), ("q", "k"), ("y", "i"), ("j", "i"))
#: Case endings of Russian and Ukrainian names (Путиным, Захаровой, Зеленского, Румунії).
_RU_NAME_END = re.compile(r"(?:ого|его|ому|ему|ыми|ими|ой|ей|ом|ем|ым|им|ую|юю|ая|яя|ое|ее|ые|ие|ых|их|ый|ий|ії|ія|ію"
                          r"|а|у|е|ы|и|ю|я|о|ь|і|ї|є)$")
_HARD_C = re.compile(r"c(?![eihy])")
_DOUBLE = re.compile(r"([a-z])\1+")


def sound_key(latin: str) -> str:
    """A transliterated word reduced to how it sounds: one spelling per sound, no doubled letters."""
    w = _HARD_C.sub("k", latin)
    for a, b in _SOUNDS:
        w = w.replace(a, b)
    return _DOUBLE.sub(r"\1", w)

# Headline cues of a reported denial: "Kremlin denies ...", «Песков опроверг ...».
# Matched only in the headline's first clause, so "NYT accused Russia of X. The
# ministry denies it" still leads with the claim (and counts as a report of it).
_COVER_EN = (
    r"\bden(?:y|ies|ied|ying|ial)\b|\brefut\w*|\brebu[tf]f?\w*|\bdismiss\w*"
    r"|\bshoots?\s+down\s+(?:\W?\w+\W?\s+){0,3}?(?:reports?|claims?|allegations?|accusations?|rumou?rs?|stor(?:y|ies))\b"
    r"|\breject\w*\s+(?:\W?\w+\W?\s+){0,3}(?:reports?|claims?|allegations?|accusations?|charges?)"
    r"|\b(?:pure|complete|total)\s+fiction\b|\bfake\b|\bfalse\b(?!\s+flag)|\buntrue\b|\bnot\s+true\b|\blies\b|\blie\b"
    r"|\bfabricat\w*|\bstaged\b|\bprovocation\b|\bnonsense\b|\bbaseless\b|\bgroundless\b|\bunfounded\b"
    r"|\bunsubstantiated\b|\boutrageous\b|\bboorish\b|\bnot\s+to\s+blame\b|\bnot\s+involved\b"
    r"|\bno\s+involvement\b|\bno\s+knowledge\b|\bdid(?:n't|\s+not)\s+(?:happen|take\s+place)\b|\bnever\s+happened\b"
    r"|\bcircus\b|\bdid\s+not\s+discuss\b|\bno\s+conversation\b|\bhoax\b|\bslander\w*|\bdisinformation\b"
    r"|\bbrush(?:es|ed)?\s+(?:off|aside)\b|\bscoff\w*|\blaugh(?:s|ed)?\s+off\b|\bcanard\b|\brubbish\b|\bhogwash\b"
    r"|\bpours?\s+cold\s+water\b|\bnot\s+in\s+line\s+with\s+reality\b|\bdoes\s+not\s+reflect\s+reality\b"
)
_COVER_RU = (
    r"опроверг\w*|опроверж\w*|отрица\w*|отверг\w*\s+(?:\S+\s+){0,2}(?:сообщени|информаци|данны|обвинени|слух"
    r"|публикаци|утверждени|заявлени|стать)\w*|назвал\w*\s+(?:\S+\s+){0,6}?[«\"“„']?(?:фейк|лож|вымысл|провокаци|постановк"
    r"|фальшивк|голословн|псевдо|утк|чушь|бред|инсинуаци|абсурд|клевет|ерунд|чепух|бездоказательн|безосновательн"
    r"|беспочвенн|необоснованн|домысл|выдумк|вброс|дезинформац|неправд|лжив|нелеп|надуман|сфабрикова|русофоб|истери"
    r"|спекуляци)\w*|не\s+причаст\w*|не\s+соответству\w*"
    r"|не\s+имеет\s+отношени\w*|ответил\w*\s+на\s+(?:\S+\s+)?обвинени\w*|прокомментировал\w*\s+(?:\S+\s+)?"
    r"(?:сообщени|обвинени|расследовани|стать|публикаци|данны|слух)\w*|отказал\w*\s+(?:называть|комментировать)"
    r"|\bфейк\w*|\bвымысел|\bголословн\w*|спростов\w*|спросту\w*|запереч\w*|відреагува\w*|отреагирова\w*"
)
_COVER_OTHER = (
    r"smentisc\w*|smentit\w*|desmient\w*|desmente\w*|\bniega\w*|\bnega\b|desconhece|não\s+tem\s+conhecimento|circo"
    r"|rechaz\w*|\bdément\w*|\bdémenti\w*|\bc'est\s+faux\b|\bdementier\w*|\bdementi\b|zurückgewiesen|\bweist\b.*\bzurück\b"
    r"|\bfrei\s+erfunden\b|\bfalschmeldung\w*"
)
_COVER = Alternatives(f"(?:{_COVER_EN})|(?:{_COVER_RU})|(?:{_COVER_OTHER})", re.IGNORECASE)
#: A cue noun owned by the Russian side ("Kremlin lies", "Russian 'fake news' campaign",
#: «российские фейки»): an accusation against Russia, the claim's side, not a relay of its denial.
_ACCUSATION_NOUN = re.compile(r"(?:fake\w*|lies?|disinformation|hoax|фейк\w*|лож\w*|дезинформаци\w*)", re.IGNORECASE)
_RUSSIAN_OWNER = re.compile(
    r"(?:\b(?:russian|russia's|kremlin(?:'s)?|moscow's|putin's|pro-russian|pro-kremlin)"
    r"|(?:российск|кремлёвск|кремлевск|путинск|пророссийск)\w*)\s*[\"'‘’“”«]?\s*$", re.IGNORECASE)
_CONFIRMED = Alternatives(
    r"\bconfirm(?:s|ed|ing)\b(?!\s+(?:by|that\s+(?:the\s+)?report))|подтвердил\w*|подтверждает|подтвердив|подтверждая", re.IGNORECASE)
_CLAUSE = re.compile(r"(?<=[.!?;])\s+|\s+[|—–]\s+")
#: A headline that says someone admits or confirms something (eight languages): a report on
#: what was later conceded or established, not the claim as first asserted. In the pool no
#: headline of a contradicted report carries one (tenth session, docs/benchmarks.md).
_ADMITS = Alternatives(
    r"\badmit\w*|\bconfirm\w*|\backnowledg\w*|призна\w*|подтверд\w*|підтверд\w*|визна\w*|bekreft\w*"
    r"|bestätig\w*|\bgesteh\w*|conferm\w*|\badmet\w*|reconoc\w*|przyzna\w*|potwierdz\w*", re.IGNORECASE)
#: Sentence ends in a body, for ``relay_position``.
_SENTENCE_END = re.compile(r"(?<=[.!?…»\"])\s+|\n+")
#: Concepts that name the denier's side: they say who speaks, not what is denied (matching
#: leaves them out of a claim, ``scoring`` re-exports them), and whose words a relay sentence
#: quotes (``relay_position``). Defined here because ``scoring`` imports this module.
DENIER_TERMS = frozenset({
    "org:kremlin", "person:peskov", "person:zakharova", "org:mfa", "org:mod", "person:konashenkov",
    "person:ushakov", "person:lavrov", "person:ryabkov", "person:nebenzya",
})

_STEMMERS: dict[str, Any] = {}


def _stemmer(lang: str) -> Any:
    if lang not in _STEMMERS:
        _STEMMERS[lang] = snowballstemmer.stemmer(lang)
    return _STEMMERS[lang]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def is_cyrillic(word: str) -> bool:
    return bool(_CYR.search(word))


@functools.lru_cache(maxsize=65536)
def _keyword_stem(word: str) -> str | None:
    """The keyword stem of one lower-cased word, or None (memoised: news reuses its words)."""
    w = word.replace("’", "'").strip("'-")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) < 3 or w in _STOP_EN or w in _STOP_RU:
        return None
    stem = _stemmer("russian" if is_cyrillic(w) else "english").stemWord(w)
    return stem if len(stem) >= 3 else None


def keywords(text: str) -> set[str]:
    """Snowball stems of the content words of ``text`` (English and Russian)."""
    out = set(map(_keyword_stem, set(words(text.lower()))))
    out.discard(None)
    return out  # type: ignore[return-value]


@functools.lru_cache(maxsize=65536)
def name_key(word: str, lang: str | None = None) -> str | None:
    """A language-neutral key for a name: Kramatorsk / Краматорске -> ``kramat``, Driscoll /
    Дрисколл -> ``drisko``, Prigożyn / Пригожина -> ``prigos`` (transliterated, then spelled
    by sound: ``sound_key``). A Latin-script word of a language with its own spelling rules
    (``lang``: Polish, Czech, German, Hungarian...) is first respelled the English way, its
    case ending cut (``text.latin_names``): Polish Pieskowem and German Putins meet Peskov
    and Putin.

    Memoised (a bounded cache of a pure function): a document asks for ~90 keys, most
    of them words seen in earlier documents."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'-")
    if is_cyrillic(w):
        # a name's case ending, not Snowball's stem (which cuts Лавров to лавр but Лаврова to лавров)
        w = _RU_NAME_END.sub("", w) if len(w) > 4 else w
        w = ("ye" + w[1:] if w[:1] in "её" else w)
        w = "".join(_TRANSLIT.get(ch, ch) for ch in w)
    else:
        w = unicodedata.normalize("NFKD", to_common_spelling(w, lang).translate(_LATIN_FOLD))
    w = re.sub(r"[^a-z]", "", w)
    if len(w) >= 4 and w.endswith("iv"):
        # Ukrainian vs Russian transliteration: Kharkiv / Kharkov (Харьков), Lviv / Lvov
        w = w[:-2] + "ov"
    w = _VOWELS_END.sub("", sound_key(w))[:6]
    return w if len(w) >= 4 else None


@functools.lru_cache(maxsize=65536)
def _token_topics(token: str) -> tuple[str, ...]:
    t = token.lower()
    return tuple(topic for stem, topic in _TOPIC_INDEX.get(t[:3], ()) if t.startswith(stem))


def topics(tokens: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for tok in tokens:
        out.update(_token_topics(tok))
    return out


_SENTENCE_START = re.compile(r"(?:^|[.!?…:\n]|[«\"“„(\[—–-]\s)\s*[«\"“„'‘(\[]?\s*$")


_TITLE_KEYS = {k for k in (name_key(w) for w in (
    "president", "presidential", "minister", "ministry", "spokesman", "spokeswoman", "secretary", "chancellor",
    "premier", "general", "deputy", "ambassador", "embassy", "government", "official", "officials", "prime",
    "foreign", "defence", "defense", "kremlin", "state", "department", "council", "committee", "agency",
    "президент", "министр", "министерство", "посол", "посольство", "правительство", "пресс-секретарь",
    "замглавы", "глава", "премьер", "генерал", "официальный", "представитель",
    # where a statement was posted, not what it is about
    "telegram", "twitter", "facebook", "youtube", "instagram", "vkontakte", "rutube", "телеграм", "телеграм-канал",
    # common first names: the surname (or the gazetteer's person) identifies the person
    "sergei", "sergey", "dmitry", "dmitri", "vladimir", "alexander", "alexei", "alexey", "andrei", "andrey",
    "mikhail", "nikolai", "yuri", "yury", "ivan", "pavel", "igor", "oleg", "maria", "elena", "anna", "olga",
    "tatiana", "natalia", "сергей", "дмитрий", "владимир", "александр", "алексей", "андрей", "михаил", "николай",
    "юрий", "иван", "павел", "игорь", "олег", "мария", "елена", "анна", "ольга", "татьяна", "наталья",
    # the points of the compass and continents as adjectives ("Western sponsors", "European capitals")
    "western", "west", "eastern", "east", "european", "europe", "asian", "african", "европа", "европе", "европы",
    "европу", "европейский", "западный",
)) if k}


def lowercase_keys(text: str, lang: str | None = None) -> set[str]:
    """Name keys of the words written in lower case (so "Центре" is not a name if "центр" occurs)."""
    return _lowercase_keys(words(text), lang)


def _lowercase_keys(tokens: Iterable[str], lang: str | None = None) -> set[str]:
    """``lowercase_keys`` of a text already split into ``words``."""
    out = set(map(_LOWERCASE_KEYS(lang).__getitem__, set(tokens)))
    out.discard(None)
    return out  # type: ignore[return-value]


def _lowercase_key(word: str, lang: str | None = None) -> str | None:
    """The name key of a word written in lower case, else None (memoised per word and language:
    ``_LOWERCASE_KEYS``)."""
    return name_key(word, lang) if word[:1].islower() and len(word) >= 4 else None


_LOWERCASE_KEYS = WordMemos(_lowercase_key)


#: Gazetteer categories whose one-word aliases also claim a name key (Prigożyn -> person:prigozhin).
_KEYED_CATEGORIES = ("people", "organisations", "countries", "places")


@functools.lru_cache(maxsize=8)
def alias_keys(lex: Lexicons) -> dict[str, str]:
    """Name key -> gazetteer concept, from the one-word aliases of people, organisations and
    places (keys two concepts share are left out), so that a spelling the gazetteer does not
    list (Polish Prigożyn, Ukrainian Пригожина) still means the concept (a cache of pure data)."""
    found: dict[str, set[str]] = {}
    for kind, table in zip(CATEGORIES, alias_tables(lex)):
        if kind not in _KEYED_CATEGORIES:
            continue
        for concept, aliases in table.items():
            for alias in aliases:
                word = alias.rstrip("*")
                if concept and word and not word.startswith("=") and _WORD.fullmatch(word):
                    key = name_key(word)
                    if key and key not in _TITLE_KEYS:
                        found.setdefault(key, set()).add(concept)
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}


def _word_terms(tok: str, lang: str | None = None) -> tuple[tuple[str, ...], str | None] | None:
    """A word's topics and, when it is written like a name, its name key; None when neither.

    What depends on the word alone, memoised (``_WORD_TERMS``): most words of an article are
    neither, and this lets ``_term_hits`` pass over them with one lookup."""
    found = _token_topics(tok)
    key = None
    if tok[:1].isupper() and len(tok) >= 4 and tok.lower() not in _NOT_NAMES and not (tok.isupper() and len(tok) > 5):
        key = name_key(tok, lang)
        if key in _NOT_NAMES or key in _TITLE_KEYS:
            key = None
    return (found, key) if found or key else None


_WORD_TERMS = WordMemos(_word_terms)


#: Whose spokesman the Kremlin's is: "press secretary of President Putin" names him, not another.
_KREMLIN_HEAD = "person:putin"
#: The name that may follow a title in apposition: a first word and a last, both capitalised
#: ("... spokesman Jane Doe", «пресс-секретарь главы государства Иван Петров»).
_APPOSED_NAME = re.compile(r"[ \t,]{1,2}([^\W\d_][\w'’-]+)\s+([^\W\d_][\w'’-]+)")


def _someone_elses_title(text: str, concepts: list[Any], k: int, aliases: dict[str, str]) -> bool:
    """Whether ``concepts[k]`` is a denier named by a title alone ("presidential spokesman",
    «пресс-секретарь президента», «пресс-секретарь главы государства») that another person's
    name follows at once: then it is that person, the press secretary of another president
    (Ukraine's, Belarus's), not the Kremlin's spokesman.

    The gazetteer lists such titles as the Russian official (Russian media write them so),
    and a spokesperson named in a report's lead weighs heavily against the report as
    coverage of the denial (``learned.report_lead_spokesperson``). Only titles written in
    lower case count: a title-case English headline capitalises every word after them.
    (Twelfth session's rule, taken back then on a dense CV trained on dense pairs; brought
    back in the sixteenth, judged by the shipped procedure on the crowded archive.)"""
    c = concepts[k]
    if c.concept not in DENIER_TERMS or not c.concept.startswith("person:"):
        return False
    title_words = [m.group() for m in _WORD.finditer(c.text)]
    if not title_words or not title_words[-1][:1].islower():
        return False  # the surname, or a title-case headline
    if any(aliases.get(name_key(w) or "") == c.concept for w in title_words):
        return False  # "Dmitry Peskov": named, not a title
    following = concepts[k + 1] if k + 1 < len(concepts) else None
    if following is not None and following.start - c.end <= 2 and not text[c.end:following.start].strip(" \t,"):
        # the next alias follows at once: the title's own person (or its president's name
        # as a complement, «пресс-секретарь президента России Владимира Путина») or another
        return following.concept.startswith("person:") and following.concept not in (c.concept, _KREMLIN_HEAD)
    m = _APPOSED_NAME.match(text, c.end)
    if m is None or m.end() == len(text) or not (m.group(1)[:1].isupper() and m.group(2)[:1].isupper()):
        return False  # no name, or one cut short by the end of the text (a claim's span)
    # a first and last name ("... Святослав Цеголко"): someone else, unless a key of either
    # word is the title's own person or the president it speaks for («... Владимира Путина»)
    return all(aliases.get(name_key(w) or "") not in (c.concept, _KREMLIN_HEAD) for w in m.groups())


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """The ``words`` of ``text`` and where they are: word k spans ``offsets[2k + 1]:offsets[2k + 2]``.

    ``split`` on the word pattern as a group returns the separators and the words as strings,
    whose lengths add up to the offsets in C: half the CPU of ``finditer``'s match objects
    (~0.04 ms a document, seventeenth session)."""
    parts = _WORD_PARTS.split(text)
    return parts[1::2], list(accumulate(map(len, parts), initial=0))


def _term_hits(text: str, lower: set[str], tokens: tuple[list[str], list[int]] | None = None,
               lang: str | None = None) -> list[tuple[int, str]]:
    """(offset, term) for every concept, topic and name occurrence in ``text``.

    ``tokens`` are ``_tokens(text)`` when the caller has them already; ``lang`` is the
    text's language (``name_key`` spells by it).

    German capitalises every noun, so its nouns are keyed as names too (Verfassungsschutz):
    leaving German capitals out (until the fifteenth session) also left out every name in a
    German report (Prigoschin, Kachowka), and cross-validation preferred the nouns in: they
    rarely meet another language's keys, and the names then do (docs/benchmarks.md)."""
    concepts = find_concepts(text)
    aliases = alias_keys(active_lexicons())
    hits = [(c.start, c.concept) for c in concepts]
    if any(c.concept in DENIER_TERMS for c in concepts):
        # the denier's side named as someone else's (its words still are no names below)
        hits = [(c.start, c.concept) for k, c in enumerate(concepts)
                if not _someone_elses_title(text, concepts, k, aliases)]
    # Gazetteer matches are in text order and never overlap: bisect on their starts.
    starts = [c.start for c in concepts]
    ends = [c.end for c in concepts]
    toks, offsets = tokens if tokens is not None else _tokens(text)
    terms = list(map(_WORD_TERMS(lang).__getitem__, toks))
    for k_word, (found, key) in zip(compress(range(len(toks)), terms), filter(None, terms)):
        pos, end = offsets[2 * k_word + 1], offsets[2 * k_word + 2]
        for topic in found:
            hits.append((pos, topic))
        if key is None or key in lower:
            continue
        k = bisect_right(starts, pos) - 1
        if k >= 0 and pos < ends[k]:
            continue
        if k + 1 < len(starts) and 0 < starts[k + 1] - end <= 2 and concepts[k + 1].concept.startswith("person:"):
            continue  # a first name ("Дмитрий Песков"): the person is the term, not the first name
        if _SENTENCE_START.search(text, max(0, pos - 4), pos):
            continue
        hits.append((pos, aliases.get(key) or "name:" + key))
    return hits


def text_terms(text: str, full_text: str | None = None, *, lower_keys: set[str] | None = None,
               lang: str | None = None) -> set[str]:
    """Concept ids, topic ids and name keys of ``text`` (the index vocabulary).

    A capitalised word counts as a name only when it does not start a sentence and no
    word of ``full_text`` written in lower case has the same key (so headline capitals
    like "Denies" and Russian sentence-initial words are not names).
    """
    lower = lower_keys if lower_keys is not None else lowercase_keys(full_text or text, lang)
    return {t for _, t in _term_hits(text, lower, lang=lang)}


_QUOTE_CLAUSE = re.compile(r"^\s*[«\"“„'‘][^»\"”“']{1,120}[»\"”“'’]\s*[.!?:]?\s*")


def title_clause(title: str) -> str:
    """The headline's first clause; a leading quotation («Пластинка эта старая».) is skipped."""
    if not title:
        return ""
    t = title.strip()
    m = _QUOTE_CLAUSE.match(t)
    if m and m.end() < len(t):
        return t[: m.end()] + _CLAUSE.split(t[m.end():], maxsplit=1)[0]
    return _CLAUSE.split(t, maxsplit=1)[0]


#: Concepts naming a Russian official speaker; a headline that opens with one of them
#: and a colon or "says" relays an official statement ("Lavrov: the hospital was...").
_OFFICIAL_SPEAKERS = frozenset({
    "org:kremlin", "person:peskov", "person:zakharova", "org:mfa", "org:mod", "person:konashenkov",
    "person:ushakov", "person:lavrov", "person:ryabkov", "person:nebenzya", "person:shoigu",
})
_STATEMENT_AFTER = re.compile(r"^(?:'s|’s)?(?:\s*\w+){0,2}?\s*(?::|says\b|said\b|заявил\w*|заявляет|считает)", re.I)


def official_statement(title: str, first: str | None = None) -> str | None:
    """The speaker when the headline opens with a Russian official and a colon or "says".
    ``first``: the headline's ``title_clause``, when the caller has it."""
    if first is None:
        first = title_clause(title)
    for c in find_concepts(first[:60]):
        if c.start > 14:
            break
        if c.concept in _OFFICIAL_SPEAKERS and _STATEMENT_AFTER.match(first[c.end:]):
            return c.text
    return None


def cover_search(text: str) -> re.Match[str] | None:
    """The first denial cue in ``text``, passing over cue nouns the Russian side owns
    ("expose Kremlin lies": an accusation against Russia, which reports the claim)."""
    pos = 0
    while (m := _COVER.search(text, pos)) is not None:
        if not (_ACCUSATION_NOUN.fullmatch(m.group()) and _RUSSIAN_OWNER.search(text, max(0, m.start() - 30), m.start())):
            return m
        pos = m.end()
    return None


def headline_cue(title: str) -> tuple[str | None, bool]:
    """The denial cue in a headline, and whether it is in the first clause."""
    if not title:
        return None, False
    first = title_clause(title)
    speaker = official_statement(title, first)
    if speaker:
        return f"{speaker}: (official statement)", True
    m = cover_search(first)
    if m:
        return first[m.start():m.end()], True
    m = cover_search(title)
    return (title[m.start():m.end()], False) if m else (None, False)


def body_lead(title: str, text: str, chars: int = LEAD_CHARS) -> str:
    """The first ``chars`` of the body, skipping a repeated headline."""
    start = lead_offset(title, text)
    return text[start : start + chars]


def lead_offset(title: str, text: str) -> int:
    """Offset in ``text`` where the lead starts (after blanks and a repeated headline)."""
    body = text.lstrip()
    start = len(text) - len(body)
    if title and body[: len(title) + 5].strip().startswith(title.strip()[:60]):
        rest = body[len(title.strip()):]
        start += len(body) - len(rest.lstrip())
    return start


@dataclass(frozen=True)
class DocumentFeatures:
    """What matching needs from one document; stored as JSON beside it."""

    lang: str | None
    role: str
    source: str
    published: str
    #: terms in the headline and lead
    lead_terms: frozenset[str] = field(default_factory=frozenset)
    #: terms in the first BODY_CHARS of the text (superset of lead_terms)
    body_terms: frozenset[str] = field(default_factory=frozenset)
    #: keyword stems of the headline and lead
    lead_keywords: frozenset[str] = field(default_factory=frozenset)
    #: the headline's denial cue, when its first clause relays a denial
    headline_cue: str | None = None
    #: True when the headline carries a cue only after the claim ("X did Y. Z denies")
    claim_first: bool = False
    #: the headline or lead says the event was confirmed
    confirmed: bool = False
    #: event types named in the headline (what the report is about)
    title_events: frozenset[str] = field(default_factory=frozenset)
    #: where in the body (0 its start, 1 its end or none) the first sentence that names the
    #: Russian official side together with a denial cue stands (``relay_position``)
    relay_at: float = 1.0
    #: a denial cue in the lead (below the headline), in any of the cue languages
    lead_cue: bool = False
    #: the headline says someone admits or confirms something
    admits: bool = False

    # --- read by every pair this document is in, computed once (cached on the instance,
    # outside the compared fields)
    @functools.cached_property
    def published_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.published)

    @functools.cached_property
    def published_s(self) -> float:
        """``published_at`` in seconds since the epoch (``scoring.DenialProfile.published_s``)."""
        return to_utc(self.published_at).timestamp()

    @functools.cached_property
    def lead_events(self) -> frozenset[str]:
        """The event types among the headline and lead terms."""
        return frozenset(t for t in self.lead_terms if t.startswith("event:"))

    @functools.cached_property
    def lead_deniers(self) -> frozenset[str]:
        """The denier's side (``DENIER_TERMS``) among the headline and lead terms."""
        return self.lead_terms & DENIER_TERMS

    def to_json(self) -> dict[str, Any]:
        return {
            "lang": self.lang, "role": self.role, "source": self.source, "published": self.published,
            "lead_terms": sorted(self.lead_terms), "body_terms": sorted(self.body_terms),
            "lead_keywords": sorted(self.lead_keywords), "headline_cue": self.headline_cue,
            "claim_first": self.claim_first, "confirmed": self.confirmed,
            "title_events": sorted(self.title_events), "relay_at": self.relay_at, "lead_cue": self.lead_cue,
            "admits": self.admits,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "DocumentFeatures":
        return cls(
            lang=data.get("lang"), role=data.get("role") or "media", source=data.get("source") or "",
            published=data.get("published") or "", lead_terms=frozenset(data.get("lead_terms") or ()),
            body_terms=frozenset(data.get("body_terms") or ()),
            lead_keywords=frozenset(data.get("lead_keywords") or ()),
            headline_cue=data.get("headline_cue"), claim_first=bool(data.get("claim_first")),
            confirmed=bool(data.get("confirmed")), title_events=frozenset(data.get("title_events") or ()),
            relay_at=float(data.get("relay_at", 1.0)), lead_cue=bool(data.get("lead_cue")),
            admits=bool(data.get("admits")),
        )


def document_features(title: str, text: str, *, lang: str | None, role: str, source: str,
                      published: str) -> DocumentFeatures:
    """Compute a document's features (pure)."""
    start = lead_offset(title, text)
    lead = text[start : start + LEAD_CHARS]
    head = f"{title}\n{lead}"
    body = text[:BODY_CHARS]
    full = f"{title}\n{body}"
    tokens = _tokens(full)
    lower = _lowercase_keys(tokens[0], lang)
    # One gazetteer pass over headline + body: the lead's terms are the hits inside the
    # headline or the lead span (a word cut by the lead's end counts whole).
    hits = _term_hits(full, lower, tokens, lang=lang)
    body_terms = {t for _, t in hits}
    if start + len(lead) <= len(body):
        lo, hi = len(title) + 1 + start, len(title) + 1 + start + len(lead)
        lead_terms = {t for pos, t in hits if pos < len(title) or lo <= pos < hi}
    else:  # a headline repeated past BODY_CHARS: the lead is not inside ``full``
        lead_terms = text_terms(head, lower_keys=lower, lang=lang)
        body_terms |= lead_terms
    cue, first = headline_cue(title)
    confirmed = bool(_CONFIRMED.search(head)) and not first
    body_start = len(title) + 1
    speakers = [pos - body_start for pos, t in hits if pos >= body_start and t in DENIER_TERMS]
    return DocumentFeatures(
        lang=lang, role=role, source=source, published=published,
        lead_terms=frozenset(lead_terms), body_terms=frozenset(body_terms),
        lead_keywords=frozenset(keywords(head)),
        headline_cue=cue if first else None, claim_first=bool(cue) and not first, confirmed=confirmed,
        title_events=frozenset(t for pos, t in hits if pos < len(title) and t.startswith("event:")),
        relay_at=relay_position(body, speakers), lead_cue=cover_search(lead) is not None,
        admits=_ADMITS.search(title) is not None,
    )


def relay_position(body: str, speakers: list[int]) -> float:
    """Where the body first relays the official side's denial: the relative position (0-1) of
    the first sentence holding both a Russian official speaker (``speakers``: their offsets in
    ``body``) and a denial cue; 1.0 when no sentence does.

    A report that asserts the claim often ends with "the Kremlin denied it"; coverage of the
    denial says so at once. Headlines and leads miss relays worded in other ways (an official
    "called it spy mania"): the sentence itself, anywhere in the body, shows them."""
    if not speakers or not body:
        return 1.0
    # Only the sentences that name a speaker are searched for a cue (the cue pattern is
    # costly over a whole body; most sentences name no official).
    spans = [0, *(m.end() for m in _SENTENCE_END.finditer(body)), len(body)]
    # the sentences holding a speaker, in text order (by bisection: a body has ~20 sentences)
    for k in sorted({bisect_right(spans, p) - 1 for p in speakers if 0 <= p < len(body)}):
        start, end = spans[k], spans[k + 1]
        if cover_search(body[start:end]):
            return start / len(body)
    return 1.0
