"""Denial detection: find where a Russian official or institution denies a report or claim.

Its job: given one ``Document`` (an official transcript or a media article, English or
Russian), return one ``Denial`` per distinct denied claim, with who denied it, the cue
and its sentence, the claim, and what matching needs (entities, event type and date,
outlets named as the source). A headline like "Kremlin denies report of ..." counts:
an article reporting a denial contains that denial (issue 5).

How: a cue grammar, not a list of cases. Four cue families are found per sentence:
``strong`` (the speaker's own words: "pure fiction", «не соответствует
действительности»), ``verb`` (a reported denial with a claim object: "denied reports
that", «опроверг сообщения»), ``weak`` ("provocation", «постановка», counted only when
the sentence names a report or uses a naming verb) and ``event``/``involvement`` ("there
was no conversation", «Россия не имеет к этому отношения», counted only with support).
Guards veto ordinary negation, no-comment and "neither confirm nor deny". Each cue is
then attributed to a speaker (same sentence, transcript turn, or carried over from the
previous attributed sentence / pronoun); cues of non-Russian speakers are dropped.

It must not do I/O, keep state between calls, or report a denial whose speaker is not
a Russian official or institution. It must stay fast: it runs over the whole archive,
so a cheap prefilter returns ``[]`` for texts without any cue word.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import functools

from monitor.entities import ConceptMatch
from monitor.entities import find_concepts as _find_concepts
from monitor.models import Denial, Document

__all__ = [
    "SPEAKER_GROUP",
    "canonical_speaker",
    "detect_denials",
    "is_denial_coverage",
    "resolve_event_date",
    "split_sentences",
]

_I = re.IGNORECASE


class _Lower:
    """A case-insensitive regex that runs case-sensitively on lower-cased text.

    Python's IGNORECASE over Unicode alternations is 3-6x slower than a plain scan of
    ``text.lower()``, and these patterns run on every sentence of the archive. Spans stay
    valid because lower-casing keeps the length (checked; otherwise the slow path runs).
    Patterns must be written in lower case (escapes aside).
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._fast = re.compile(pattern, flags & ~re.IGNORECASE)
        self._slow = re.compile(pattern, flags | re.IGNORECASE)

    def _pick(self, text: str) -> tuple[re.Pattern[str], str]:
        low = text.lower()
        return (self._fast, low) if len(low) == len(text) else (self._slow, text)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx, t = self._pick(text)
        return rx.search(t, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx, t = self._pick(text)
        return rx.match(t, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        rx, t = self._pick(text)
        return rx.finditer(t, pos, endpos)

    def sub(self, repl: str, text: str) -> str:
        rx, t = self._pick(text)
        return rx.sub(repl, t)


def _rx(pattern: str, flags: int = 0) -> _Lower:
    return _Lower(pattern, flags)


# --------------------------------------------------------------------------- cues

_STRONG = _rx(
    r"""(?x)
    \b(?:completely\s+|absolutely\s+|simply\s+|totally\s+|entirely\s+)?untrue\b
  | \bnot\s+(?:\w+\s+)?true\b
  | \b(?:isn't|aren't|wasn't|weren't)\s+(?:\w+\s+)?true\b
  | \bnot\s+the\s+truth\b
  | \b(?:pure|complete|total|utter|sheer|a)\s+fiction\b | \bfiction\W*$ | \bfictional\b
  | \bfabricat\w+ | \bmade[\s-]up\b | \bfake(?:s|d)?\b(?!\s+(?:accounts?|passports?|documents?\s+for))
  | \bhoax\w* | \bnonsense\b | \brubbish\b | \bcanard\b | \bbogus\b | \bslander\w* | \babsurd\w*
  | \b(?:a|an|absolute|complete|outright|blatant|pure|total|utter|big|brazen)\s+lies?\b
  | \blies\b(?!\s+(?:in|with|on|at|ahead|behind|within|not))
  | \b(?:a|an|another|this\s+is\s+a)\s+(?:\w+\s+){1,2}lie\b(?!\s+(?:in|with|on|at|ahead|behind|within|down|low|detector))
  | \b(?:no|not\s+(?:a|one)\s+(?:single\s+)?(?:word|grain|shred|ounce)\s+of)\s+truth\b
  | \bdisinformation\b | \bmisinformation\b
  | \bfalse\s+(?:information|claims?|reports?|news|statements?|allegations?|accusations?|data|stor(?:y|ies)|narrative\s+that)\b
  | \b(?:is|are|was|were|be|been|it's|completely|totally|absolutely|entirely|simply|patently|utterly|just)\s+["“'‘]?false\b
  | \bfalse\W*$ | \bfalse\s+from\s+(?:start|beginning)\b | ["“'‘]false["”'’]
  | \binaccurate\b | \bнедостоверн\w* | \bbaseless\b | \bgroundless\b | \bunfounded\b | \bunsubstantiated\b | \bunfounded\b
  | \bcorrespond\w*\s+(?:to|with)\s+(?:reality|the\s+truth|the\s+facts|the\s+reality)
  | \bnothing\s+to\s+do\s+with\s+(?:reality|the\s+truth|the\s+facts)
  | \bnothing\s+of\s+the\s+(?:sort|kind)\b | \bno\s+such\s+thing\b
  | \b(?:this|that|it)\s+(?:is|was|'s)\s+not\s+the\s+case\b | \b(?:that|this)'s\s+not\s+the\s+case\b
  | \bgreatly\s+exaggerated\b | \bnever\s+happened\b
  | \b(?:outrageous|preposterous|ridiculous|monstrous)\s+(?:\w+\s+){0,2}(?:accusations?|allegations?|claims?|insinuations?)\b
  | \bgross\s+manipulation\b | \bmanipulation\s+of\s+(?:the\s+)?facts\b | \bгруб\w+\s+манипуляц\w*
  | \bне\s*соответству\w*\s+(?:\w+\s+)?действительност\w*
  | \b(?:не\s+имеет|не\s+имеют|не\s+имел\w*|ничего\s+общего)\s+(?:\w+\s+){0,3}(?:с|к)\s+(?:действительност\w*|реальност\w*|правд\w*)
  | \bнеправд\w* | \bложь\b | \bлжи\b | \bложью\b | \bложн\w+ | \bвымыс\w* | \bвымышлен\w* | \bвыдумк\w* | \bвыдумано\b
  | \bфейк\w* | \bфальшивк\w* | \bфальсификац\w* | \bутк(?:а|и|у|е|ой|ою)\b | \bвброс\w* | \bдезинформац\w* | \bдез[аыу]\b
  | \bклевет\w* | \bчуш\w* | \bбред\w* | \bдомысл\w* | \bголословн\w* | \bнеобоснованн\w* | \bбеспочвенн\w*
  | \bабсурд\w* | \bнеправильн\w+\s+информац\w* | \bнекорректн\w+\s+информац\w* | \bнеточн\w+\s+информац\w*
  | \b(?:совершенно|абсолютно)\s+неверн\w+ | \bневерн\w+\s+(?:утвержд|сообщ|информац)\w*
  | \bинсинуац\w* | \bизмышлени\w* | \bпсевдорасследовани\w*
  | \b(?:это|всё\s+это|все\s+это)\s+(?:совсем\s+|абсолютно\s+|совершенно\s+)?не\s+так\b
  | \bничего\s+подобного\b | \bтакого\s+(?:никогда\s+)?не\s+было\b | \bне\s+(?:является|являются|было)\s+правдой\b
  | \bне\s+(?:соответствует|отвечает)\s+истине\b | \bне\s+(?:стоят|стоит)\s+(?:даже\s+)?бумаги\b
  | \bnon\s+è\s+vero\b | \bsmenti\w* | \bdesmient\w* | \bdesmintió\b | \bdesmente\w* | \bfals[oa]s?\b(?=\s|\W|$)
  | \bfalsedad\w* | \bmentir[ae]s?\b | \bnotizia\s+falsa\b
    """,
    _I,
)

_VERB = _rx(
    r"""(?x)
    \b(?:den(?:y|ies|ied|ying)|refut\w+|rebut\w*|debunk\w*|dismiss(?:es|ed|ing)?|reject(?:s|ed|ing)?|rebuff\w*
       |shot\s+down|shoots\s+down|shoot\s+down|push(?:es|ed)?\s+back\s+(?:on|against)|disputed|disputes)\b
  | \b(?:denial|denials|rebuttal)\b
  | \bопроверг\w* | \bопровержени\w* | \bотверг\w* | \bотрица\w* | \bдезавуир\w*
  | \bnega(?:to|ta|do|da|n)?\b | \bniega\w* | \bnegó\b
    """,
    _I,
)

_WEAK = _rx(
    r"""(?x)
    \bprovocation\w* | \bstag(?:ed|ing)\b | \bmanipulat\w+ | \binvention\b | \bfair(?:y|ies)[\s-]?tales?\b
  | \bcircus\b | \bfantas(?:y|ies)\b | \bpropaganda\b | \bexaggerat\w+ | \bstag(?:ing|ed)\b
  | \bпровокац\w* | \bпостановк\w* | \bинсценировк\w* | \bманипуляц\w* | \bсказк\w* | \bмифическ\w*
  | \bспектакл\w* | \bрусофоб\w* | \bпропаганд\w* | \bcuentos?\b | \bespectáculo\b
    """,
    _I,
)

_EVENT = _rx(
    r"""(?x)
    \bthere\s+(?:was|were|has\s+been|have\s+been|had\s+been)\s+no\s+(?:\w+\s+){0,3}?(?:conversations?|calls?|contacts?|meetings?|talks|negotiations|deals?|agreements?|strikes?|attacks?|plans?)\b
  | \bno\s+such\s+(?:\w+\s+)?(?:calls?|conversations?|meetings?|contacts?|talks)\s+(?:\w+\s+)?(?:took\s+place|happened|occurred|was\s+held)
  | \b(?:did\s+not|didn't|never)\s+(?:take\s+place|happen|occur)\b
  | \b(?:did\s+not|didn't|never)\s+(?:speak|talk|meet|spoke|met|call)\b
  | \b(?:did\s+not|didn't)\s+(?:have|launch|carry\s+out|conduct|fire)\s+any\b
  | \bno\s+(?:\w+\s+)?(?:firing\s+missions|strikes\s+were)\b
  | \bwas\s+not\s+discussed\b | \bhas\s+not\s+(?:even\s+)?been\s+discussed\b
  | \b(?:разговор|звонк|контакт|встреч|переговор|бесед|удар)\w*\s+(?:\w+\s+){0,3}не\s+(?:было|состоял\w*|проводил\w*)
  | \bне\s+было\s+(?:\w+\s+){0,2}(?:разговор|звонк|контакт|встреч|переговор|бесед|сделк|соглашени)\w*
  | \bникаких\s+(?:\w+\s+){0,3}(?:контакт|разговор|встреч|переговор|удар|звонк)\w*\s+(?:[\w-]+\s+){0,8}?не\s+(?:было|наносил\w*|проводил\w*|велось|состоял\w*)
  | \bне\s+состоял\w* | \bне\s+наносил\w*
  | \bникогда\s+не\s+(?:было|принадлежал\w*|встречал\w*|разговаривал\w*)
  | \bне\s+принадлежит\b
    """,
    _I,
)

_INVOLVEMENT = _rx(
    r"""(?x)
    \b(?:russia|moscow|the\s+kremlin|kremlin|we|russian\s+\w+|it)\b[^.;:]{0,40}?\b(?:is|was|were|are|has\s+been|have\s+been)?\s*(?:not|never)\s+(?:involved|guilty|to\s+blame|behind|responsible)\b
  | \b(?:russia|moscow|the\s+kremlin|kremlin|we|russian\s+\w+)\b[^.;:]{0,40}?\b(?:has|have|had)\s+nothing\s+to\s+do\s+with\b
  | \bno\s+(?:russian\s+)?involvement\b
  | \b(?:does|do|did)\s+not\s+participate\s+in\s+military\b
  | \bне\s+причаст\w* | \bнепричаст\w*
  | \b(?:росси\w*|москв\w*|кремл\w*|мы|российск\w+\s+\w+)\b[^.;:]{0,60}?\bне\s+(?:имеет|имеют|имела|имел|имели)\s+(?:\w+\s+){0,4}(?:никакого\s+)?отношения
  | \bне\s+имеет\s+(?:\w+\s+){0,3}отношения\s+к\s+(?:российск|росси)\w*
  | \bни\s+\w+,?\s+ни\s+[^.]{0,40}?\bне\s+(?:имел\w*|имеют|имеет)\s+(?:\w+\s+){0,3}отношения
  | \bneither\s+\w+\s+nor\s+[^.]{0,40}?\b(?:had|has|have)\s+(?:anything|any\s+\w+)\s+to\s+do\s+with
    """,
    _I,
)

_ALL_CUES = (("strong", _STRONG), ("verb", _VERB), ("weak", _WEAK), ("event", _EVENT), ("involvement", _INVOLVEMENT))

#: One cheap scan before any sentence work: literal stems of every cue family, searched
#: in lower-cased text (a literal alternation is ~20x faster than the cue patterns). No
#: stem here, no denial in the sentence; keep it a superset when adding cues.
_PREFILTER_STEMS = (
    "untrue|inaccura|true|fiction|fabricat|made up|made-up|fake|hoax|nonsense|rubbish|canard|bogus|slander|absurd"
    "|false|information|baseless|groundless|unfounded|unsubstantiated|correspond|nothing|no such|not the case|exaggerat"
    "|never|truth|deny|deni|refut|rebut|debunk|dismiss|reject|rebuff|shoot|shot down|push|disput|provocat|stag|manipulat"
    "|invention|fair|circus|fantas|propaganda|there was|there were|there has|there have|there had|did not|didn't"
    "|involve|guilty|blame|behind|responsib|participate|missions|outrageous|preposterous|ridiculous|monstrous"
    "|недостовер|соответству|общего|действительн|реальност|правд|ложь|лжи|ложн|вымыс|вымышл|выдум|фейк|фальш|утк"
    "|вброс|дез|клевет|чуш|бред|домысл|голослов|необоснов|беспочв|абсурд|информац|неверн|инсинуац|измышл|псевдо"
    "|не так|подобного|не было|истин|бумаги|опроверг|отверг|отрица|дезавуир|провокац|постановк|инсценир|манипул"
    "|сказк|мифич|спектакл|русофоб|пропаганд|причаст|состоял|наносил|проводил|никогда|принадлеж"
    "|vero|smenti|desmient|desmint|desment|fals|mentir|nega|niega|negó|cuento|espectáculo|notizia"
).split("|")
#: Stems that occur inside common words ("earlier", «отношения», "discussed sanctions"):
#: they count only in the context every cue containing them needs (a word start; "not
#: / been discussed"; «не имеет ... отношения»), so most news text needs no sentence work.
_PREFILTER_CONTEXT = {
    "lie": re.compile(r"(?:^|\W)$"),
    "discussed": re.compile(r"\b(?:not|been)\s+$"),
    "имеет": re.compile(r"\bне\s+$"), "имеют": re.compile(r"\bне\s+$"), "имел": re.compile(r"\bне\s+$"),
}


def _trie_pattern(stems: Iterable[str]) -> str:
    """One regex for a set of literals, factored by common prefixes.

    re tries every branch of a flat alternation at every position (~300 us for a
    2 KB text with ~130 stems); a trie looks at one branch per position (~15x faster).
    """
    trie: dict[str, dict] = {}
    for stem in stems:
        node = trie
        for ch in stem:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        if "" in node and len(node) == 1:
            return ""
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


_PREFILTER = re.compile(_trie_pattern(set(_PREFILTER_STEMS)))
_PREFILTER_LOOSE = re.compile("|".join(sorted(_PREFILTER_CONTEXT, key=len, reverse=True)))


@functools.lru_cache(maxsize=8192)
def _concepts_cached(text: str) -> tuple[ConceptMatch, ...]:
    return tuple(_find_concepts(text))


def find_concepts(text: str) -> list[ConceptMatch]:
    """The gazetteer's matches for ``text``, memoised: claims and quotes are looked up
    several times per document (a bounded cache of a pure function, not state)."""
    return list(_concepts_cached(text))


def _has_cue_stem(text: str) -> bool:
    if not text:
        return False
    low = text.lower()
    if _PREFILTER.search(low) is not None:
        return True
    for m in _PREFILTER_LOOSE.finditer(low):
        if _PREFILTER_CONTEXT[m.group()].search(low, max(0, m.start() - 20), m.start()):
            return True
    return False


# --------------------------------------------------------------------------- guards

_GUARD_NEGATED_VERB = _rx(
    r"""(?x)
    (?:\bnot|n't|\bnever|\bneither|\bnor|\bno|\brefused\s+to|\bdeclined\s+to|\bwithout)\s+(?:\w+\s+){0,2}$
  | (?:\bconfirm\w*|\bconfirmed)\s+(?:or|nor)\s+$
  | \bне\s+(?:стал\w*\s+|может\s+|могу\s+|будем\s+|буду\s+)?$
  | \bподтвер\w+\s+или\s+$ | \bни\s+подтвер\w+,?\s+ни\s+$
    """,
    _I,
)
_GUARD_AFTER_VERB = _rx(
    r"^\w*\s+(?:entry|access|visas?|bail|permission|the\s+right|accreditation|a\s+visa|him|her|them|the\s+request|the\s+proposal|the\s+offer|the\s+plan|the\s+idea)\b"
    r"|^\w*\s+(?:или|or)\s+(?:подтверд|confirm)",
    _I,
)
_GUARD_SENTENCE = _rx(
    r"""(?x)
    \bfalse\s+flag\b | фейков\s+больше | больше\s+фейков | много\s+фейков | \blots\s+of\s+fakes?\b
  | борьб\w+\s+с\s+фейк\w* | закон\w*\s+о\s+фейк\w* | распространени\w+\s+(?:заведомо\s+ложн|фейк)\w*
  | \bfake\s+news\s+law\b | \bspreading\s+(?:fakes|false\s+information)\s+about\s+the\s+(?:army|armed\s+forces)
  | \b(?:accus\w+|обвинил\w*|обвиняет|обвиняют)\b[^.]{0,60}?\b(?:spread\w*|распростран\w*)\s+(?:\w+\s+)?(?:lies|fakes?|disinformation|falsehoods|ложь|лжи|фейк\w*|дезинформаци\w*)
  | \bдискредитац\w* | \bесли\s+это\s+правда\b | \bif\s+(?:this|that|it|true)\b[^.]{0,20}\btrue\b
    """,
    _I,
)
_NEGATED_NOUN = _rx(r"\b(?:not|no|isn't|wasn't)\s+(?:a\s+|an\s+)?(?:fake|lie|fiction|hoax)\b|\bне\s+фейк\w*", _I)

#: A report, claim or allegation named as the object of a denial.
_CLAIM_NOUN = _rx(
    r"""(?x)
    \b(?:reports?|reporting|reported|claims?|claimed|allegations?|alleged|allegedly|accusations?|accused|charges|suggestions?
       |rumou?rs?|speculations?|stor(?:y|ies)|articles?|publications?|information|assertions?|statements?|media
       |photos|pictures|images|footage|videos?|book|investigation|revelations?|leaks?|findings|words|remarks|version)\b
  | \b(?:сообщени|информаци|данн|слух|публикаци|стать|утверждени|обвинени|заявлени|материал|расследовани|кадр|снимк
       |фото|видео|верси|сведени|новост|вброс|текст)\w*
  | \bякобы\b | \bбудто\b | \brivelazion\w* | \bacusacion\w* | \bnoticia\w* | \binformaci\w*
    """,
    _I,
)
_NAMING = _rx(r"\b(?:назвал\w*|назвав\w*|называ\w+|квалифицир\w+|called|calling|branded|termed|labell?ed|described|dubbed|as)\b", _I)

_NAMING_VERB = _rx(r"\b(?:назвал\w*|назвав\w*|называ\w+|called|calling|calls|branded|branding|brands|termed|terming|labell?ed|labell?ing|dubbed|dubbing)\b", _I)
#: A participle naming verb ("..., calling the report a canard", «..., назвав их фейком») shares the main clause subject.
_NAMING_PARTICIPLE = _rx(r"^(?:calling|branding|terming|labell?ing|dubbing|назвав\w*|называя)$", _I)
_QUESTION_CTX = _rx(
    r"""(?x)
    \b(?:asked|question|questions|asking|reported|reports?|claims?|claimed|alleged|allegedly|according\s+to|wrote|writes|published|citing)\b
  | \b(?:commenting|in\s+response\s+to|responding\s+to|accus\w+|allegations?)\b
  | \b(?:комментируя|отвечая|обвинени\w*|вопрос\w*|сообщил\w*|сообщает|сообщени\w*|пишет|написал\w*|утвержда\w*|якобы|будто|публикаци\w*|по\s+данным|со\s+ссылкой|спросил\w*|ранее)\b
    """,
    _I,
)

# --------------------------------------------------------------------------- speakers

_RUSSIAN_PEOPLE = {
    "person:peskov": "Dmitry Peskov",
    "person:zakharova": "Maria Zakharova",
    "person:lavrov": "Sergei Lavrov",
    "person:ushakov": "Yuri Ushakov",
    "person:putin": "Vladimir Putin",
    "person:medvedev": "Dmitry Medvedev",
    "person:shoigu": "Sergei Shoigu",
    "person:konashenkov": "Igor Konashenkov",
    "person:ryabkov": "Sergei Ryabkov",
    "person:nebenzya": "Vassily Nebenzya",
    "person:kozak": "Dmitry Kozak",
    "person:antonov": "Anatoly Antonov",
    "person:darchiev": "Alexander Darchiev",
    "person:polyanskiy": "Dmitry Polyanskiy",
    "person:grushko": "Alexander Grushko",
    "person:galuzin": "Mikhail Galuzin",
    "person:kosachev": "Konstantin Kosachev",
    "person:volodin": "Vyacheslav Volodin",
    "person:matviyenko": "Valentina Matviyenko",
    "person:patrushev": "Nikolai Patrushev",
    "person:naryshkin": "Sergei Naryshkin",
    "person:bortnikov": "Alexander Bortnikov",
    "person:dmitriev": "Kirill Dmitriev",
    "person:medinsky": "Vladimir Medinsky",
    "person:belousov": "Andrei Belousov",
    "person:gerasimov": "Valery Gerasimov",
    "person:kadyrov": "Ramzan Kadyrov",
}
#: Russian institutions other than the Kremlin and the two ministries.
_RUSSIAN_ORGS = {"org:fsb": "FSB", "org:svr": "Russian Foreign Intelligence Service"}
#: Which institution a speaker speaks for: merging and "Kremlin" vs "Peskov" scoring use it.
SPEAKER_GROUP = {
    "Dmitry Peskov": "kremlin",
    "Vladimir Putin": "kremlin",
    "Yuri Ushakov": "kremlin",
    "Dmitry Kozak": "kremlin",
    "Kremlin": "kremlin",
    "Russian government": "kremlin",
    "Maria Zakharova": "mfa",
    "Sergei Lavrov": "mfa",
    "Sergei Ryabkov": "mfa",
    "Vassily Nebenzya": "mfa",
    "Russian Foreign Ministry": "mfa",
    "Russian Defence Ministry": "mod",
    "Igor Konashenkov": "mod",
    "Sergei Shoigu": "mod",
    "Dmitry Medvedev": "medvedev",
    "Anatoly Antonov": "mfa",
    "Alexander Darchiev": "mfa",
    "Dmitry Polyanskiy": "mfa",
    "Alexander Grushko": "mfa",
    "Mikhail Galuzin": "mfa",
    "Andrei Belousov": "mod",
    "Valery Gerasimov": "mod",
    "Kirill Dmitriev": "kremlin",
    "Vladimir Medinsky": "kremlin",
    "Nikolai Patrushev": "kremlin",
    "Sergei Naryshkin": "svr",
    "Russian Foreign Intelligence Service": "svr",
    "Alexander Bortnikov": "fsb",
    "FSB": "fsb",
}
_SPEAKER_CONCEPTS = set(_RUSSIAN_PEOPLE) - {"person:putin"} | {"org:kremlin", "org:mfa", "org:mod"}
_INSTITUTIONS = {
    "Kremlin", "Russian government", "Russian Foreign Ministry", "Russian Defence Ministry", "FSB",
    "Russian Foreign Intelligence Service",
}
_FOREIGN_ORGS = {"org:whitehouse", "org:pentagon", "org:statedepartment", "org:sbu", "org:nato", "org:eu", "org:un", "org:cia", "org:opcw"}
_FOREIGN = "<foreign>"
_UNKNOWN = _FOREIGN  # an unlisted speaker is treated like a foreign one: never reported
_UNKNOWN_NAME = re.compile(r"(?<![\w.])((?:[A-Z][\w'’-]+\s+){0,3}[A-Z][\w'’-]+),?\s+(?:\w+\s+)?(?:said|told|says|tells|added|wrote|stated|insisted)\b")
_NOT_NAMES = {"He", "She", "It", "They", "We", "I", "This", "That", "The", "A", "An", "But", "And", "Asked", "When", "Speaking", "In", "On", "Officials", "Earlier", "Later", "Also", "So", "Meanwhile", "However", "Media", "Sources", "Source"}

# Latin-script aliases in other languages the archive carries (es/it/pt) and titles that
# the gazetteer leaves generic.
_EXTRA_SPEAKERS = re.compile(
    r"(?P<kremlin>\bCremlino\b|\bKremlim\b|\bKremlin\b)|(?P<zakharova>\bZaj[aá]rova\b|\bZakharova\b)",
    0,
)
_EMBASSY = re.compile(
    r"\b(?:(?P<nat>russian|russia's|ukrainian|ukraine's|us|u\.s\.|american|british|german|polish|chinese)\s+)?(?:embassy|ambassador|envoy)\s+(?:in|to)\s+(?:the\s+)?(?P<where>(?-i:[A-Z][\w.]+(?:\s+[A-Z]\w+)?))"
    r"|\b(?:посольств|посол|послом|посла)\w*\s+(?P<natru>россии|рф|украины|сша)?\s*(?:в|во)\s+(?P<whereru>[А-ЯЁ]\w+)",
    _I,
)
_WHERE = {
    "britain": "the UK", "uk": "the UK", "united kingdom": "the UK", "london": "the UK", "великобритании": "the UK",
    "лондоне": "the UK", "us": "the US", "u.s.": "the US", "united states": "the US", "washington": "the US",
    "сша": "the US", "вашингтоне": "the US", "германии": "Germany", "берлине": "Germany", "франции": "France",
}
_RUSSIAN_TITLE_BEFORE = _rx(
    r"\b(?:russian|russia's)\s+(?:\w+\s+){0,2}(?:ambassador|envoy|embassy)(?:\s+(?:to|in|at)\s+(?:the\s+)?[\w.]+(?:\s+[\w.]+)?)?\s*,?\s*$",
    _I,
)
_OFFICIAL_NOUN = _rx(
    r"^\W{0,3}(?:\w+\s+){0,1}(?:officials?|spokes(?:man|woman|person)|ministry|government|authorities|side|leaders?|president|foreign\s+minister|diplomats?|ambassador|envoy|deputy|office|campaign|team|embassy|presidential\s+office|military|army|general\s+staff"
    r"|сторон\w*|власт\w*|офис\w*|чиновник\w*|официальн\w*|мид\w*|министерств\w*|посольств\w*|президент\w*|представител\w*|руководств\w*)\b",
    _I,
)
_OFFICIAL_NOUN_BEFORE = _rx(
    r"(?:spokes(?:man|woman|person)\s+for|aides?\s+to|adviser\s+to|officials?\s+(?:in|from)|мид|министерств\w*\s+\w+\s+дел|министерств\w*\s+обороны|минобороны|власт\w*|представител\w*)\s*$",
    _I,
)
_SPEECH = _rx(
    r"""(?x)
    \b(?:said|says|say|told|tells|added|adds|stated|states|stressed|noted|emphasi[sz]ed|wrote|writes|declared|insisted|replied
       |responded|answered|commented|explained|asserted|reiterated|continued|clarified|argued|remarked|retorted|posted
       |according\s+to|quoted|denied|denies|dismissed|rejected|refuted|called|branded|warned|claimed)\b
  | \b(?:заявил\w*|сказал\w*|отметил\w*|подчеркнул\w*|добавил\w*|написал\w*|сообщил\w*|ответил\w*|пояснил\w*|указал\w*
       |уточнил\w*|заверил\w*|констатировал\w*|назвал\w*|по\s+словам|считает|цитирует|передает|передаёт|опроверг\w*|отверг\w*
       |отметили|заявили|подчеркнули|посоветовал\w*|призвал\w*|прокомментировал\w*|говорится|заключил\w*|высказал\w*)\b
  | \b(?:dijo|disse|ha\s+detto|afirmó|smentire|smentisce)\b
    """,
    _I,
)
#: A speech or denial verb within two words after a mention ("Iran denies", "Moscow said").
_SPEECH_AHEAD = _rx(r"(?x)^\W{0,3}(?:on\s+\w+\s+)?(?:\w+\s+){0,2}?(?:" + _SPEECH.pattern.replace("(?x)", "") + ")", _I)
_PRONOUN = _rx(r"\b(?:he|she|the\s+spokes(?:man|woman|person)|the\s+official|the\s+ministry|the\s+kremlin\s+spokes\w+|он|она|по\s+его\s+словам|по\s+ее\s+словам|по\s+её\s+словам|в\s+ведомстве)\b", _I)
_TURN = re.compile(r"^\s*(?P<name>[A-ZА-ЯЁ][\w.\-’' ]{0,40}?)\s*:\s+\S")
_QUESTION_TURN = _rx(r"^(?:question|q|journalist|reporter|вопрос|журналист|реплика)\b", _I)

# --------------------------------------------------------------------------- sentences

_EN_SPLIT = re.compile(r"(?<=[.!?…])[\"”»’)]*\s+(?=[\"“«‘(]*[A-ZА-ЯЁ0-9])|\n+")


def split_sentences(text: str, lang: str | None = None) -> list[tuple[int, int, str]]:
    """Split ``text`` into (start, end, sentence) triples, offsets into ``text``.

    Russian goes through razdel (it knows «Д.Песков», «т.е.», «г.»); everything else
    through a regex on terminal punctuation plus line breaks. Line breaks always end a
    sentence: transcript turns ("Question: ...") start on their own line.
    """
    out: list[tuple[int, int, str]] = []
    if not text:
        return out
    pos = 0
    for line in text.split("\n"):
        start_line = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        if lang == "ru" or (lang is None and _CYRILLIC.search(line)):
            from razdel import sentenize  # local import: only Russian text pays for it

            for s in sentenize(line):
                out.append((start_line + s.start, start_line + s.stop, s.text))
        else:
            last = 0
            for m in _EN_SPLIT.finditer(line):
                if _ABBREV.search(line, max(0, m.start() - 8), m.start()):
                    continue  # "U.S. President", "Gen. Konashenkov", "D. Peskov": not a sentence end
                chunk = line[last : m.start()]
                if chunk.strip():
                    lead = len(chunk) - len(chunk.lstrip())
                    out.append((start_line + last + lead, start_line + m.start(), chunk.strip()))
                last = m.end()
            chunk = line[last:]
            if chunk.strip():
                lead = len(chunk) - len(chunk.lstrip())
                out.append((start_line + last + lead, start_line + len(line.rstrip()), chunk.strip()))
    return out


_ABBREV = re.compile(
    r"(?:\b(?:U\.S|U\.K|U\.N|E\.U|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sen|Rep|Gov|St|Jan|Feb|Aug|Sept|Oct|Nov|Dec|No|vs|Jr|Sr|Prof)|(?<![\w.])[A-ZА-ЯЁ])\.$"
)
_CYRILLIC = re.compile(r"[а-яё]{3}", _I)

# --------------------------------------------------------------------------- internals


@dataclass
class _Mention:
    start: int
    speaker: str  # canonical name, _FOREIGN, or "" for a pronoun
    attached: bool  # next to a speech verb or an official noun


@dataclass
class _Sentence:
    idx: int
    start: int  # offset in the document text (title sentences: 0)
    text: str
    is_title: bool
    concepts: list[ConceptMatch]
    mentions: list[_Mention]
    turn_speaker: str | None = None  # speaker of the transcript turn this sentence is in
    is_question: bool = False
    in_quote: bool = False  # starts inside a quotation opened in an earlier sentence
    cues: list[tuple[str, int, int, str]] = field(default_factory=list)


@dataclass
class _Cand:
    cls: str
    cue: str
    sent: _Sentence
    speaker: str
    speaker_sure: bool
    claim: str
    claim_concepts: set[str]
    quote: str
    confidence: float
    cues: list[str] = field(default_factory=list)
    claim_from_title: bool = False
    #: Claims of merged candidates: their entities, outlets and dates count too.
    other_claims: list[str] = field(default_factory=list)


#: What may stand between a speech verb and the speaker named after it ("said Kremlin
#: spokesman", «заявил журналистам пресс-секретарь»): no claim words, no "that".
_INVERSION_GAP = _rx(r"^[\s,:]*(?:(?:on\s+)?(?:the|a|an|russian|russia's|kremlin|presidential|president's|foreign|defen[cs]e|minister|ministry|spokes\w+|press|secretary|officials?|representative|deputy|head|chief|aide|general|major|to|reporters|journalists|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|журналистам|официальн\w*|представител\w*|пресс-секретар\w*|помощник\w*|глав\w*|российск\w*|президента|рф|россии|в|накануне|также|генерал-майор|генерал-лейтенант)\W+){0,4}$", _I)


#: Verbs whose subject may follow them ("said Peskov"); "told Putin" names the addressee.
_INVERSION_VERB = _rx(r"(?:said|says|added|adds|stated|noted|stressed|wrote|insisted|replied|explained|asserted|reiterated|according\s+to|заявил\w*|сказал\w*|отметил\w*|подчеркнул\w*|добавил\w*|написал\w*|сообщил\w*|пояснил\w*|заверил\w*|опроверг\w*|отверг\w*|уточнил\w*|ответил\w*|по\s+словам|считает|dijo|disse)$", _I)


def _near_speech(sent: str, start: int, end: int, speech: list[tuple[int, int]]) -> bool:
    """Whether a mention at [start, end) is the subject of a nearby speech verb:
    before it ("Peskov said", "Peskov, the Kremlin spokesman, told") or right after it
    with only titles between ("said Kremlin spokesman Dmitry Peskov")."""
    for s, e in speech:
        if 0 <= s - end <= 45 and not re.search(r"\b(?:that|which|who|whom|reports?|about|что|который|которая|о)\b", sent[end:s], _I):
            return True
        if 0 <= start - e <= 40 and _INVERSION_GAP.match(sent[e:start]) and _INVERSION_VERB.match(sent, s, e):
            return True
    return False


def _mentions(sent: str, concepts: list[ConceptMatch]) -> list[_Mention]:
    """Who could be speaking in this sentence: officials, institutions, foreign parties."""
    speech = [m.span() for m in _SPEECH.finditer(sent)]
    out: list[_Mention] = []
    for k, c in enumerate(concepts):
        con = c.concept
        after = sent[c.end : c.end + 40]
        before = sent[max(0, c.start - 40) : c.start]
        attached = _near_speech(sent, c.start, c.end, speech) or bool(_OFFICIAL_NOUN.match(after)) or bool(
            _OFFICIAL_NOUN_BEFORE.search(before)
        )
        if con.startswith("person:") and (re.match(r"[-–—]\w", sent[c.end : c.end + 2]) or re.search(r"\w[-–—]$", sent[max(0, c.start - 2) : c.start])):
            continue  # "the Trump-Putin call": part of a compound, never a speaker
        if con == "person:putin" and re.match(r"(?:['’]s)?\s+(?:\w+\s+)?(?:press\s+secretary|spokes\w+)", after, _I):
            out.append(_Mention(c.start, "Dmitry Peskov", True))
            continue
        if con in _RUSSIAN_PEOPLE and (
            re.match(r"['’]s?\s+(?:\w+\s+)?(?:statements?|words|remarks|claims?|comments?|allegations?|accusations?|post|article)\b", after, _I)
            or re.match(r"['’]s\s+(?:\w+\s+){0,3}(?:aide|adviser|advisor|deputy|envoy|assistant|representative|administration|office|government|ministry)\b", after, _I)
            or re.search(r"\b(?:заявлени\w*|слова|слов|высказывани\w*|обвинени\w*|утверждени\w*)\s+$", before, _I)
        ):
            continue  # the object of the denial ("Zakharova's statement"), not its speaker
        if con in _RUSSIAN_PEOPLE:
            # Putin is usually the subject of the claim, not its denier: only as a speaker
            # when a speech verb is right beside him.
            if con == "person:putin" and not _near_speech(sent, c.start, c.end, speech):
                continue
            out.append(_Mention(c.start, _RUSSIAN_PEOPLE[con], attached or con != "person:putin"))
        elif con.startswith("person:"):
            if attached:
                out.append(_Mention(c.start, _FOREIGN, True))
        elif con in ("org:mfa", "org:mod"):
            nat = _nationality(concepts, k, sent)
            gen = re.match(r"\s+([А-ЯЁ][а-яё]+(?:ии|ы|ши|ьи))\b", sent[c.end : c.end + 30])
            if not nat and gen and gen.group(1) != "России":
                nat = "country:other"  # «МИД Молдовы», «Минобороны Латвии»: a country the gazetteer does not list
            if nat and nat != "country:russia":
                out.append(_Mention(c.start, _FOREIGN, True))
            else:
                name = "Russian Foreign Ministry" if con == "org:mfa" else "Russian Defence Ministry"
                out.append(_Mention(c.start, name, True))
        elif con == "org:kremlin":
            out.append(_Mention(c.start, "Kremlin", True))
        elif con in _RUSSIAN_ORGS:
            nat = _nationality(concepts, k, sent)
            if not nat or nat == "country:russia":
                out.append(_Mention(c.start, _RUSSIAN_ORGS[con], attached))
        elif con in _FOREIGN_ORGS:
            if attached:
                out.append(_Mention(c.start, _FOREIGN, True))
        elif con.startswith("country:"):
            nxt = concepts[k + 1] if k + 1 < len(concepts) else None
            if nxt is not None and nxt.concept in ("org:mfa", "org:mod", "org:kremlin") and nxt.start - c.end < 4:
                continue  # "Russian Foreign Ministry": the ministry mention speaks
            prv = concepts[k - 1] if k else None
            if prv is not None and prv.concept in ("org:mfa", "org:mod", "org:kremlin") and c.start - prv.end < 4:
                continue  # «Минобороны РФ»: a qualifier, not a second speaker
            if re.search(r"\b(?:in|to|from|at|of|against|about|with|for|в|во|из|против|о|об|с)\s+(?:the\s+)?$", before, _I):
                continue  # a place ("the embassy in Washington"), not a speaker
            if re.search(r"(?:заявлени|сообщени|обвинени|утверждени|версии|позици|слова|claims?\s+by|allegations?\s+by|statements?\s+by)\w*\s+(?:the\s+)?$", before, _I):
                continue  # «заявления российской стороны», "claims by the Russian side": whose claim, not who speaks
            if re.match(r"\W{0,3}(?:embassy|посольств)", after, _I):
                continue  # the embassy pattern below names it
            if _OFFICIAL_NOUN.match(after) or _SPEECH_AHEAD.match(after):
                out.append(_Mention(c.start, "Russian government" if con == "country:russia" else _FOREIGN, True))
    for m in _EMBASSY.finditer(sent):
        nat = (m.group("nat") or m.group("natru") or "").lower()
        where = (m.group("where") or m.group("whereru") or "").strip()
        if nat and not nat.startswith(("russia", "рф", "росс")):
            out.append(_Mention(m.start(), _FOREIGN, True))
        elif nat or re.search(r"\brussian?\b|росси", sent[max(0, m.start() - 30) : m.start() + 5], re.I):
            place = _WHERE.get(where.lower(), where.split()[0] if where else "")
            out.append(_Mention(m.start(), f"Russian Embassy in {place}".strip(), True))
    for m in _EXTRA_SPEAKERS.finditer(sent):
        if m.group("kremlin") and not any(abs(x.start - m.start()) < 3 for x in out):
            out.append(_Mention(m.start(), "Kremlin", True))
        elif m.group("zakharova") and not any(abs(x.start - m.start()) < 3 for x in out):
            out.append(_Mention(m.start(), "Maria Zakharova", True))
    spans = [(c.start, c.end) for c in concepts]
    for m in _UNKNOWN_NAME.finditer(sent):
        if m.group(1).split()[0] in _NOT_NAMES or any(s < m.end(1) and m.start(1) < e for s, e in spans):
            continue
        if _RUSSIAN_TITLE_BEFORE.search(sent[max(0, m.start(1) - 70) : m.start(1)]):
            continue  # "Russia's ambassador to the UK, Andrei Kelin, told": the Russian mention speaks
        # Somebody the gazetteer does not know ("Spokesman Steven Cheung told"): never
        # credit their words to the last Russian official mentioned.
        out.append(_Mention(m.start(1), _UNKNOWN, True))
    for m in _PRONOUN.finditer(sent):
        if _near_speech(sent, m.start(), m.end(), speech) or m.group().lower().startswith(("по ", "в ведом", "the ")):
            out.append(_Mention(m.start(), "", True))
    out.sort(key=lambda x: x.start)
    return out


def _nationality(concepts: list[ConceptMatch], k: int, sent: str) -> str | None:
    """Country that qualifies a ministry mention: "Ukraine's Foreign Ministry", «МИД Польши»."""
    c = concepts[k]
    if k > 0:
        p = concepts[k - 1]
        if p.concept.startswith("country:") and c.start - p.end <= 4:
            return p.concept
    if k + 1 < len(concepts):
        n = concepts[k + 1]
        gap = sent[c.end : n.start]
        if n.concept.startswith("country:") and len(gap) <= 3 and not re.search(r"[,.;]", gap):
            return n.concept
    return None


def _pick_speaker(s: _Sentence, cue_start: int, cue_end: int, cls: str) -> tuple[str | None, bool]:
    """The speaker of a cue inside its own sentence: (speaker, explicit) or (None, False).

    Reported-denial verbs take their subject (the mention before the verb, or one right
    after it: «опроверг пресс-секретарь Песков»). Other cues take the nearest mention;
    a pronoun returns "" (resolve from context).
    """
    ms = s.mentions
    if not ms:
        return None, False
    naming = [m for m in _NAMING_VERB.finditer(s.text, 0, cue_start)]
    participle = False
    if cls != "verb" and naming:
        # "X called Y's statement a lie" / «X назвал заявления Y ложью»: X speaks.
        cls, cue_start, cue_end = "verb", naming[-1].start(), naming[-1].end()
        participle = bool(_NAMING_PARTICIPLE.match(naming[-1].group()))
    if cls != "verb":
        # "X said that <Ukraine's claims> were untrue" / «В Минобороны заявили, что сообщения
        # украинской стороны ... не соответствуют действительности»: the cue is inside the
        # complement of X's speech verb, so X speaks, not a party named inside the clause.
        for sp in _SPEECH_THAT.finditer(s.text, 0, cue_start):
            subj = [m for m in ms if m.start < sp.start() and sp.start() - m.start <= 70]
            if subj and not _enclosing_quote(s.text, cue_start):
                return subj[-1].speaker, True
    if cls == "verb":
        before = [m for m in ms if m.start < cue_start]
        if participle and before:
            # "Zakharova denied that Lavrov had met Rubio, calling the report a canard":
            # the participle's subject is the main clause's, an attached mention.
            attached = [m for m in before if m.attached]
            if attached:
                return attached[0].speaker, True
        if before:
            return before[-1].speaker, True
        after = [m for m in ms if 0 <= m.start - cue_end <= 40]
        if after:
            return after[0].speaker, True
        return None, False
    quoted = _enclosing_quote(s.text, cue_start)
    if quoted is not None:
        # A cue inside quotation marks belongs to whoever the quote is attributed to,
        # not to a person named inside it ("That is not true, Lavrov will lead the
        # delegation," Peskov said).
        outside = [m for m in ms if not quoted[0] <= m.start < quoted[1]]
        if outside:
            ms = outside
    best = min(ms, key=lambda m: abs(m.start - cue_start) * (1.0 if m.attached else 2.0))
    return best.speaker, True


_SPEECH_THAT = _rx(r"\b(?:said|says|stated|states|insisted|stressed|noted|told\s+(?:\w+\s+){0,3}?|wrote|writes|declared|заявил\w*|сообщил\w*|подчеркнул\w*|отметил\w*|написал\w*|уверен\w*)\s*,?\s+(?:that|что)\b", _I)

_QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“"}


def _enclosing_quote(text: str, pos: int) -> tuple[int, int] | None:
    """The span of the quotation (marks included) around ``pos``, if it is inside one."""
    i = 0
    while i < len(text):
        close = _QUOTE_PAIRS.get(text[i])
        if close is None:
            i += 1
            continue
        end = text.find(close, i + 1)
        if end < 0:
            return (i, len(text)) if i <= pos else None
        if i <= pos <= end:
            return (i, end + 1)
        i = end + 1
    return None


def _find_cues(text: str) -> list[tuple[str, int, int, str]]:
    """Every cue in one sentence with its class, minus the guarded ones."""
    if _GUARD_SENTENCE.search(text) and not _STRONG.search(_GUARD_SENTENCE.sub(" ", text)):
        return []
    out: list[tuple[str, int, int, str]] = []
    for cls, rx in _ALL_CUES:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < oe and os_ < e for _, os_, oe, _ in out):
                continue
            if cls == "verb":
                if _GUARD_NEGATED_VERB.search(text[max(0, s - 40) : s]) or _GUARD_AFTER_VERB.match(text[e : e + 40]):
                    continue
                word = m.group().lower()
                tail = text[e : e + 90]
                # reject/dismiss/refute need a claim as object; "rejected a peace deal" is news, not a denial.
                if not word.startswith(("den", "опроверг", "отрица", "desmi", "smenti", "disput")) and not _CLAIM_NOUN.search(tail) and not re.search(r"\bas\b|\bthat\b|\bкак\b", tail, re.I):
                    continue
                if word.startswith(("denial", "rebuttal")) and not re.match(r"\W*(?:of|that)\b", text[e : e + 10], re.I) and "bombastic" not in text[max(0, s - 20) : s].lower():
                    if not _CLAIM_NOUN.search(text):
                        continue
                if word.startswith("отрица") and not _CLAIM_NOUN.search(tail) and not re.search(r"причаст|участи|факт|связ", tail, re.I):
                    continue
                if word.startswith("nega") and not re.search(r"\b(?:il|la|lo|che|las|los|que)\b", tail, re.I):
                    continue
            if cls == "strong" and _NEGATED_NOUN.search(text[max(0, s - 12) : e]):
                continue
            out.append((cls, s, e, text[s:e]))
    out.sort(key=lambda x: x[1])
    return out


# --------------------------------------------------------------------------- dates

_EN_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_RU_MONTHS = {m: i for i, m in enumerate(
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(), 1)}
_EN_DAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_RU_DAYS = {"понедельник": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3, "пятницу": 4, "пятница": 4,
            "субботу": 5, "суббота": 5, "воскресенье": 6}
_DATE_RX = _rx(
    r"\b(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>january|february|march|april|may|june|july|august|september|october|november|december)(?:,?\s+(?P<y1>\d{4}))?\b"
    r"|\b(?P<m2>january|february|march|april|june|july|august|september|october|november|december)\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{4}))?\b"
    r"|\b(?P<d3>\d{1,2})\s+(?P<m3>января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)(?:\s+(?P<y3>\d{4}))?"
    r"|\b(?:on\s+|last\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\bв\s+(?:прошл\w+\s+)?(?P<wdru>понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)\b"
    r"|(?P<lastweek>\blast\s+week\b|\bна\s+прошлой\s+неделе\b|\blate\s+last\s+week\b)"
    r"|(?P<yesterday>\byesterday\b|\bвчера\b|\bнакануне\b)",
    _I,
)


_SPEECH_WORDS = (
    r"(?:reported|reports|said|says|told(?:\s+\w+){0,2}|wrote|writes|denied|denies|dismissed|rejected|refuted|stated|added|announced|published|claimed"
    r"|заявил\w*|сообщил\w*|написал\w*|опроверг\w*|отверг\w*|пишет|сказал\w*|отметил\w*|опубликовал\w*)"
)
_DATE_OF_SPEECH_BEFORE = _rx(
    r"\b" + _SPEECH_WORDS + r"(?:\s+\w+)?\s+(?:on|в|во|,)?\s*$|\b(?:made|published|report\w*|article|story)\s+(?:by|in)\s+(?:the\s+)?(?:\w+\s+){0,3}(?:on|в|во)?\s*$", _I
)
_DATE_OF_SPEECH_AFTER = _rx(r"^[\s,]*(?:\w+\s+)?" + _SPEECH_WORDS + r"\b", _I)


def resolve_event_date(text: str, published: dt.date) -> dt.date | None:
    """The first date expression in ``text`` resolved against the publication date.

    Weekdays and "last week" look backwards (a denial is about something already
    reported); a day-month without a year takes the publication year, or the previous
    year when that would put the event more than two days in the future.
    """
    for m in _DATE_RX.finditer(text):
        g = m.groupdict()
        if re.match(r"^\W*[A-ZА-ЯЁ][\w\s-]{0,25},\s*$", text[: m.start()]):
            continue  # a dateline: "MOSCOW, November 11. /TASS/"
        if _DATE_OF_SPEECH_BEFORE.search(text[max(0, m.start() - 30) : m.start()]) or _DATE_OF_SPEECH_AFTER.match(text[m.end() : m.end() + 30]):
            continue  # "reported on Sunday", "on Monday denied": when it was said, not when it happened
        try:
            if g["d1"] or g["d2"] or g["d3"]:
                day = int(g["d1"] or g["d2"] or g["d3"])
                mon_name = (g["m1"] or g["m2"] or g["m3"]).lower()
                mon = _EN_MONTHS.get(mon_name) or _RU_MONTHS[mon_name]
                year_s = g["y1"] or g["y2"] or g["y3"]
                year = int(year_s) if year_s else published.year
                d = dt.date(year, mon, day)
                if not year_s and d > published + dt.timedelta(days=2):
                    d = dt.date(year - 1, mon, day)
                return d
        except (ValueError, KeyError):
            continue
        if g["wd"] or g["wdru"]:
            wd = _EN_DAYS[g["wd"].lower()] if g["wd"] else _RU_DAYS[g["wdru"].lower()]
            delta = (published.weekday() - wd) % 7
            if m.group().lower().startswith("last"):
                delta = delta or 7
            return published - dt.timedelta(days=delta)
        if g["lastweek"]:
            # The middle (Thursday) of the previous calendar week: within +-3 days of any day in it.
            return published - dt.timedelta(days=published.weekday() + 7) + dt.timedelta(days=3)
        if g["yesterday"]:
            return published - dt.timedelta(days=1)
    return None


# --------------------------------------------------------------------------- outlets

_RELAY_BEFORE = _rx(
    r"(?:\btold|\btells|\bto|\baccording\s+to|\bquoted\s+by|\bcited\s+by|\bciting|\bin\s+an\s+interview\s+with|\bspeaking\s+to|\basked\s+by"
    r"|передает|передаёт|цитирует|изданию|агентству|телеканалу|в\s+интервью|в\s+беседе\s+с|сообщает|пишет|со\s+ссылкой\s+на|по\s+данным|cited|reports\s+citing)"
    r"\W{0,4}(?:the\s+)?(?:state[\w-]*\s+|russian\s+|news\s+agency\s+|daily\s+|newspaper\s+|broadcaster\s+|телеканал\w*\s+|агентств\w+\s+|газет\w+\s+)*\W{0,3}$",
    _I,
)
_RELAY_AFTER = _rx(r"^\W{0,3}(?:\w+\s+){0,2}?(?:reported|reports|said|cites|cited|quoted|передает|передаёт|сообщает|пишет|сообщило|reported\.)\W*$|^\s*\)\s*[-–—]|^\s*/", _I)
_CLAIM_OUTLET_BEFORE = _rx(r"(?:report|claim|article|story|publication|сообщени|публикаци|стать|информаци|данн|материал|газет|издани|агентств)\w*\W{0,3}(?:\w+\s+){0,3}$", _I)
_STATE_WIRES = {"outlet:tass", "outlet:ria", "outlet:interfax", "outlet:sputnik", "outlet:rt", "outlet:izvestia"}


def _claim_outlets(text: str, concepts: list[ConceptMatch]) -> list[str]:
    """Outlets named as the source of the denied report, not those relaying the denial."""
    out: list[str] = []
    for c in concepts:
        if not c.concept.startswith("outlet:") or c.concept in out:
            continue
        before = text[max(0, c.start - 60) : c.start]
        after = text[c.end : c.end + 40]
        if _CLAIM_OUTLET_BEFORE.search(before):
            out.append(c.concept)
            continue
        if c.concept in _STATE_WIRES:
            continue
        if _RELAY_BEFORE.search(before) or _RELAY_AFTER.match(after.split(".")[0] + ("." if "." in after else "")):
            if not re.match(r"\W{0,3}(?:\w+\s+){0,2}?(?:reported|said|wrote|claimed|published)\s+(?:\w+\s+){0,3}?that\b", after, re.I):
                continue
        out.append(c.concept)
    return out


# --------------------------------------------------------------------------- assembly

_FUTURE = _rx(r"\b(?:will|would|plans?|planned|yet|intend\w*|going\s+to|пока|планиру\w*|планов|будет|будут|намерен\w*)\b", _I)


_PERSONLIKE = re.compile(r"^(?:[A-ZА-ЯЁ]\.\s?)+[A-ZА-ЯЁ][\w-]+$|^[A-ZА-ЯЁ][\w-]+(?:\s+[A-ZА-ЯЁ][\w-]+){1,3}$")


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _quote_delta(text: str, inside: bool) -> bool:
    """Whether a quotation is still open after ``text``, given ``inside`` before it."""
    for ch in text:
        if ch in "“«":
            inside = True
        elif ch in "”»":
            inside = False
        elif ch == '"':
            inside = not inside
    return inside


def _prepare(doc: Document) -> list[_Sentence]:
    """Sentences with their cues; gazetteer work only near a cue (the expensive part).

    Returns ``[]`` when no sentence carries a cue."""
    lang = doc.lang
    title = (doc.title or "").strip()
    text = doc.text or ""
    sents: list[_Sentence] = []
    body_starts_with_title = bool(title) and _norm(text[: len(title) + 20]).startswith(_norm(title))
    if title and not body_starts_with_title:
        sents.append(_Sentence(0, 0, title, True, [], []))
    for i, (s, _e, t) in enumerate(split_sentences(text, lang)):
        sents.append(_Sentence(len(sents), s, t, body_starts_with_title and i == 0, [], []))
    need: set[int] = set()
    for s in sents:
        if _has_cue_stem(s.text):
            s.cues = _find_cues(s.text)
            if s.cues:
                need.update(range(max(0, s.idx - 5), min(len(sents), s.idx + 4)))
    if not need:
        return []
    need.update(s.idx for s in sents if s.is_title)
    turn: str | None = None
    inside = False
    prev_end = 0
    for s in sents:
        if s.is_title or "\n" in text[prev_end : s.start]:
            inside = False  # quotations do not run across headlines or paragraphs
        s.in_quote = inside
        inside = _quote_delta(s.text, inside) if not s.is_title else False
        prev_end = s.start + len(s.text) if not s.is_title else 0
        if s.idx in need:
            s.concepts = find_concepts(s.text)
            s.mentions = _mentions(s.text, s.concepts)
        m = _TURN.match(s.text)
        if m and not s.is_title:
            name = m.group("name").strip()
            if _QUESTION_TURN.match(name):
                turn, s.is_question = None, True
            else:
                named = [x for x in _mentions(name + " said", find_concepts(name)) if x.speaker]
                if named:
                    turn = named[0].speaker
                elif _PERSONLIKE.match(name):
                    turn = _UNKNOWN  # a transcript turn by someone we do not list
        s.turn_speaker = turn
        if not s.is_question and re.search(r"\?\s*$|\b(?:asked\s+(?:whether|if|about)|was\s+asked|when\s+asked)\b|на\s+вопрос|отвечая\s+на", s.text, re.I):
            s.is_question = True
    return sents


def _context_speaker(sents: list[_Sentence], i: int) -> str | None:
    """Speaker of an unattributed quote: the transcript turn, the next sentence's
    attribution ("…untrue.” Peskov said."), else the last attributed speaker up to
    three sentences back."""
    s = sents[i]
    if s.turn_speaker:
        return s.turn_speaker
    if s.in_quote or _quote_open(s.text) or re.search(r"[\"”»’]\s*$", s.text):
        # A quote split across sentences: its attribution follows the closing mark.
        for j in range(i + 1, min(len(sents), i + 4)):
            nxt = sents[j]
            close = max(nxt.text.rfind("”"), nxt.text.rfind("»"), nxt.text.rfind('"'))
            if j == i + 1 and not _quote_open(s.text) and not s.in_quote:
                close = 0
            if close < 0 and nxt.in_quote:
                continue  # the quotation goes on
            after = [m for m in nxt.mentions if m.speaker and m.start >= close and m.start - close < 60]
            if after:
                return after[0].speaker
            if close > 0:
                break
    for j in range(i - 1, max(-1, i - 4), -1):
        if sents[j].is_title:
            continue
        named = [m for m in sents[j].mentions if m.speaker]
        if named:
            return named[-1].speaker if sents[j].turn_speaker is None else sents[j].turn_speaker
        if sents[j].turn_speaker:
            return sents[j].turn_speaker
    return None


def _quote_open(text: str) -> bool:
    """Whether ``text`` opens a quotation it does not close."""
    return text.count("“") + text.count("«") > text.count("”") + text.count("»") or text.count('"') % 2 == 1


def _title_speaker(sents: list[_Sentence]) -> str | None:
    for s in sents:
        if s.is_title:
            named = [m.speaker for m in s.mentions if m.speaker]
            return named[0] if named else None
    return None


def _claim_for(sents: list[_Sentence], i: int, cls: str, cue_end: int, cue_start: int) -> tuple[str, set[str], bool]:
    """(claim text, its concept ids, whether a report/question context was found)."""
    s = sents[i]
    if cls == "verb":
        rest = s.text[cue_end:].strip(" ,:;—-")
        if len(rest) > 12:
            return rest, {c.concept for c in s.concepts if c.start >= cue_end}, True
    if s.is_question and cue_start > 30 and cls != "verb":
        # "Asked whether Putin had met Witkoff, Ushakov said: 'There was no meeting'"
        head = s.text[:cue_start]
        return head, {c.concept for c in s.concepts if c.start < cue_start}, True
    content = {
        c.concept
        for c in s.concepts
        if c.concept not in _SPEAKER_CONCEPTS and not (c.start < cue_end and cue_start < c.end)
    }
    outside_cue = s.text[:cue_start] + " " + s.text[cue_end:]
    if cls != "verb" and _CLAIM_NOUN.search(outside_cue) and len(content) >= 2:
        return s.text, {c.concept for c in s.concepts}, True
    for j in range(i - 1, max(-1, i - 5), -1):
        p = sents[j]
        if p.is_title:
            continue
        if (p.is_question or _QUESTION_CTX.search(p.text)) and any(
            not c.concept.startswith("person:peskov") for c in p.concepts
        ):
            return p.text, {c.concept for c in p.concepts}, True
    for p in sents:
        if p.is_title and p.idx != i:
            return p.text, {c.concept for c in p.concepts}, bool(_CLAIM_NOUN.search(p.text))
    if i > 0:
        p = sents[i - 1]
        return p.text, {c.concept for c in p.concepts}, False
    return s.text, {c.concept for c in s.concepts}, False


_BASE_CONF = {"strong": 0.9, "verb": 0.85, "event": 0.75, "weak": 0.7, "involvement": 0.7}


def _candidates(sents: list[_Sentence], doc: Document) -> list[_Cand]:
    cands: list[_Cand] = []
    cue_sents = {s.idx: s.cues for s in sents if s.cues}
    if not cue_sents:
        return []
    title_spk = _title_speaker(sents)
    for idx, cues in cue_sents.items():
        s = sents[idx]
        for cls, cs, ce, word in cues:
            spk, explicit = _pick_speaker(s, cs, ce, cls)
            sure = explicit and bool(spk)
            if not spk:  # no mention, or a pronoun
                spk = s.turn_speaker or _context_speaker(sents, idx)
                sure = spk is not None
            if not spk and title_spk and title_spk != _FOREIGN and doc.role == "official":
                spk, sure = title_spk, False
            if not spk or spk == _FOREIGN:
                continue
            claim, claim_cons, has_ctx = _claim_for(sents, idx, cls, ce, cs)
            conf = _BASE_CONF[cls]
            if cls == "weak" and not (_CLAIM_NOUN.search(s.text) or _NAMING.search(s.text[max(0, cs - 60) : cs])):
                continue
            if cls in ("event", "involvement"):
                if _FUTURE.search(s.text[max(0, cs - 40) : ce + 20]):
                    continue
                support = any(
                    c[0] in ("strong", "verb") for j in range(max(0, idx - 3), idx + 4) for c in cue_sents.get(j, ())
                )
                if not (support or has_ctx):
                    # The report may come after the denial: "Media reported on Tuesday that ..."
                    has_ctx = any(
                        _QUESTION_CTX.search(sents[j].text) and _CLAIM_NOUN.search(sents[j].text)
                        for j in range(idx + 1, min(len(sents), idx + 4))
                    )
                if not (support or has_ctx):
                    continue
            if has_ctx:
                conf += 0.05
            if not sure:
                conf -= 0.25
            from_title = s.is_title or any(p.is_title and p.text == claim for p in sents)
            cands.append(_Cand(cls, word, s, spk, sure, claim, claim_cons, s.text, round(min(conf, 1.0), 2), [word], from_title))
    return cands


def _jaccard(a: set[str], b: set[str]) -> float:
    a = {x for x in a if not x.startswith("outlet:")}
    b = {x for x in b if not x.startswith("outlet:")}
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _informative(claim: str) -> int:
    """How much a claim tells matching: a named outlet, a date, a "reported that"."""
    score = 2 * any(c.concept.startswith("outlet:") for c in find_concepts(claim))
    score += bool(_DATE_RX.search(claim)) + bool(re.search(r"\b(?:reported|claimed|wrote|writes|alleged)\b|\bпишет\b|сообщил|утвержда", claim, _I))
    return score


def _merge(cands: list[_Cand]) -> list[_Cand]:
    """One row per (speaker institution, claim): the same claim denied twice is one denial."""
    rows: list[_Cand] = []
    for c in cands:
        group = SPEAKER_GROUP.get(c.speaker, c.speaker)
        for r in rows:
            if SPEAKER_GROUP.get(r.speaker, r.speaker) != group:
                continue
            shared = (r.claim_concepts & c.claim_concepts) - {x for x in r.claim_concepts if x.startswith(("outlet:", "event:"))}
            ents_r = {x for x in r.claim_concepts if not x.startswith(("outlet:", "event:"))}
            ents_c = {x for x in c.claim_concepts if not x.startswith(("outlet:", "event:"))}
            ev_r = {x for x in r.claim_concepts if x.startswith("event:")}
            ev_c = {x for x in c.claim_concepts if x.startswith("event:")}
            content_free = not (ents_c - _SPEAKER_CONCEPTS) and not ev_c
            same = (
                r.claim == c.claim
                or content_free
                or bool(ev_r & ev_c) and (bool(shared) or not ents_r or not ents_c)
                or _jaccard(r.claim_concepts, c.claim_concepts) >= 0.5
                or r.sent.is_title or c.sent.is_title
            )
            if not same:
                continue
            if r.speaker in _INSTITUTIONS and c.speaker not in _INSTITUTIONS:
                r.speaker = c.speaker
            if r.sent.is_title and not c.sent.is_title:
                r.sent, r.quote = c.sent, c.quote
            if c.confidence > r.confidence:
                r.confidence, r.cls, r.cue = c.confidence, c.cls, c.cue
            if c.cue not in r.cues:
                r.cues.append(c.cue)
            if c.quote not in r.quote and len(r.quote) < 600 and not c.sent.is_title:
                r.quote = r.quote + " " + c.quote
            if c.claim != r.claim and c.claim not in r.other_claims:
                r.other_claims.append(c.claim)
            if (r.claim_from_title and not c.claim_from_title) or (
                r.claim_from_title == c.claim_from_title and _informative(c.claim) > _informative(r.claim)
            ):
                r.other_claims.append(r.claim)
                r.claim, r.claim_concepts, r.claim_from_title = c.claim, c.claim_concepts, c.claim_from_title
            break
        else:
            rows.append(c)
    return rows


def _upgrade_speakers(rows: list[_Cand], sents: list[_Sentence]) -> None:
    """Name the person behind an institution: "the Kremlin denied ..." in an article that
    quotes Peskov is Peskov's denial; «в Минобороны опровергли» with Konashenkov quoted
    is Konashenkov's. "Russian government" takes any Russian speaker the text names."""
    counts: dict[str, int] = {}
    for s in sents:
        for m in s.mentions:
            if m.speaker and m.speaker != _FOREIGN:
                counts[m.speaker] = counts.get(m.speaker, 0) + 1
    for r in rows:
        if r.speaker not in _INSTITUTIONS:
            continue
        group = SPEAKER_GROUP.get(r.speaker)
        people = [
            (n, k) for k, n in counts.items()
            if k not in _INSTITUTIONS and not k.startswith("Russian Embassy")
            and (r.speaker == "Russian government" or SPEAKER_GROUP.get(k) == group)
            and k != "Vladimir Putin"
        ]
        if people:
            r.speaker = max(people)[1]
        elif r.speaker == "Russian government":
            inst = [(n, k) for k, n in counts.items() if k != "Russian government"]
            if inst:
                r.speaker = max(inst)[1]


def detect_denials(doc: Document) -> list[Denial]:
    """Every denial by a Russian official or institution in ``doc``, one per denied claim.

    Returns ``[]`` fast when no cue stem occurs anywhere. Denials by non-Russian
    speakers (a Ukrainian ministry, a Trump spokesman) are never returned. The
    document's principal denial comes first (the one whose denier the headline names),
    the rest in text order.
    """
    if not _has_cue_stem(doc.title or "") and not _has_cue_stem(doc.text or ""):
        return []
    sents = _prepare(doc)
    if not sents:
        return []
    cands = _merge(_candidates(sents, doc))
    _upgrade_speakers(cands, sents)
    cands = _merge(cands)
    title_spk = _title_speaker(sents)
    title_group = SPEAKER_GROUP.get(title_spk or "", title_spk)
    published = doc.published.date() if doc.published else dt.date.today()
    out: list[Denial] = []
    for c in cands:
        claim_text = c.claim
        quote_concepts = find_concepts(c.quote)
        claim_concepts = find_concepts(claim_text)
        for extra in c.other_claims:
            claim_concepts += [m for m in find_concepts(extra) if not m.concept.startswith("outlet:")]
        spk_concepts = {k for k, v in _RUSSIAN_PEOPLE.items() if v == c.speaker}
        ents = sorted(
            {
                m.concept
                for m in claim_concepts + quote_concepts
                if m.concept.split(":")[0] in ("person", "country", "org") and m.concept not in spk_concepts
            }
        )
        events = [m.concept for m in claim_concepts if m.concept.startswith("event:")]
        events = events or [m.concept for m in quote_concepts if m.concept.startswith("event:")]
        date = resolve_event_date(claim_text, published)
        for extra in [*c.other_claims, c.quote]:
            date = date or resolve_event_date(extra, published)
        outlets = _claim_outlets(claim_text, claim_concepts)
        for extra in c.other_claims:
            for o in _claim_outlets(extra, find_concepts(extra)):
                if o not in outlets:
                    outlets.append(o)
        # The report is usually named just before the denial; after it when the denial leads.
        window_end = c.sent.idx + (4 if c.sent.idx <= 2 else 0)
        for p in sents[max(0, c.sent.idx - 4) : window_end]:
            if p.concepts and _QUESTION_CTX.search(p.text):
                for o in _claim_outlets(p.text, p.concepts):
                    if o not in outlets:
                        outlets.append(o)
        for o in _claim_outlets(c.quote, quote_concepts):
            if o not in outlets:
                outlets.append(o)
        out.append(
            Denial(
                speaker=c.speaker,
                cue=c.cue,
                quote=c.quote.strip(),
                claim=claim_text.strip(),
                lang=doc.lang,
                cue_class=c.cls,
                entities=tuple(ents),
                event_type=events[0] if events else None,
                event_date=date,
                outlets=tuple(outlets),
                # The headline names this denier too: the document is about this denial.
                confidence=min(1.0, c.confidence + (0.04 if title_group and SPEAKER_GROUP.get(c.speaker, c.speaker) == title_group else 0.0)),
                position=c.sent.start,
            )
        )
    # Principal denial first: the one whose denier the headline names, then by position.
    out.sort(key=lambda d: (not (title_group and SPEAKER_GROUP.get(d.speaker, d.speaker) == title_group), d.position))
    return out


def is_denial_coverage(doc: Document, denials: list[Denial] | None = None) -> bool:
    """Whether ``doc`` leads with a denial: a headline or lead sentence carrying one.

    Matching uses it to keep articles *about* the denial ("Kremlin denies report of
    ...") out of the reports the denial contradicts.
    """
    if denials is None:
        denials = detect_denials(doc)
    if not denials:
        return False
    sents = split_sentences(doc.text or "", doc.lang)
    # The lead: the first sentence, or the first two when the text repeats the headline.
    title_norm = _norm(doc.title or "")
    first = 1 if len(sents) > 1 and title_norm and _norm(sents[0][2]) == title_norm else 0
    lead_end = sents[first][1] if sents else 0
    if any(d.position <= lead_end for d in denials):
        return True
    title = doc.title or ""
    return bool(_find_cues(title)) and any(m.speaker and m.speaker != _FOREIGN for m in _mentions(title, find_concepts(title)))


_CANON_ALIASES = {
    "peskov": "Dmitry Peskov", "песков": "Dmitry Peskov", "zakharova": "Maria Zakharova", "захарова": "Maria Zakharova",
    "lavrov": "Sergei Lavrov", "лавров": "Sergei Lavrov", "ushakov": "Yuri Ushakov", "ушаков": "Yuri Ushakov",
    "putin": "Vladimir Putin", "путин": "Vladimir Putin", "medvedev": "Dmitry Medvedev", "konashenkov": "Igor Konashenkov",
    "конашенков": "Igor Konashenkov", "shoigu": "Sergei Shoigu", "ryabkov": "Sergei Ryabkov",
    "defence ministry": "Russian Defence Ministry", "defense ministry": "Russian Defence Ministry",
    "минобороны": "Russian Defence Ministry", "foreign ministry": "Russian Foreign Ministry", "mfa": "Russian Foreign Ministry",
    "мид": "Russian Foreign Ministry", "kremlin": "Kremlin", "кремль": "Kremlin", "embassy": "Russian Embassy",
}


def canonical_speaker(name: str) -> list[str]:
    """Canonical speaker names in a free-form label ("Dmitry Peskov (Kremlin spokesman)").

    Several speakers separated by ";" or "/" give several names. The parenthesised
    role is ignored, so "Igor Konashenkov (Russian Defence Ministry spokesman)" is
    Konashenkov, not the ministry.
    """
    out: list[str] = []
    for part in re.split(r"[;/]", name):
        part = re.sub(r"\(.*?\)", "", part).strip().lower()
        hit = None
        for alias, canon in _CANON_ALIASES.items():
            if alias in part:
                hit = canon
                break
        if part.startswith("russian embassy"):
            hit = "Russian Embassy"
        if hit and hit not in out:
            out.append(hit)
    return out
