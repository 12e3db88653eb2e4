"""Synthetic news corpus for the benchmarks: EN + RU, about 2 KB a document, entities, some denials.

Not a benchmark itself (no ``bench_`` prefix) and never collected by pytest (it is not
under ``tests/``). Texts are assembled from sentence templates with varied names,
places, numbers and filler, so the FTS index and the matcher see realistic vocabulary
sizes; 1 in ``DENIAL_EVERY`` documents is a Kremlin denial of a report, and the
report it denies (an article leading with the claim) appears a day or so earlier.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import Iterator

START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
#: Documents a day: a big archive spans a long period, as a real one does.
PER_DAY = 150
#: One document in this many is a denial (and one more the report it denies).
DENIAL_EVERY = 60

PEOPLE_EN = ["Vladimir Putin", "Donald Trump", "Volodymyr Zelensky", "Emmanuel Macron", "Olaf Scholz",
             "Joe Biden", "Sergei Lavrov", "Recep Tayyip Erdogan", "Xi Jinping", "Sergei Shoigu",
             "Andrei Belousov", "Viktor Orban", "Narendra Modi", "Keir Starmer", "Antony Blinken"]
PEOPLE_RU = ["Владимир Путин", "Дональд Трамп", "Владимир Зеленский", "Эммануэль Макрон", "Сергей Лавров",
             "Реджеп Эрдоган", "Си Цзиньпин", "Сергей Шойгу", "Андрей Белоусов", "Виктор Орбан"]
PLACES_EN = ["Kyiv", "Kharkiv", "Odesa", "Berlin", "Paris", "Ankara", "Warsaw", "Minsk", "Tehran", "Beijing",
             "Kramatorsk", "Sevastopol", "Belgorod", "Donetsk", "Zaporizhzhia", "Istanbul", "Riyadh", "Geneva"]
PLACES_RU = ["Киеве", "Харькове", "Одессе", "Берлине", "Париже", "Анкаре", "Варшаве", "Минске", "Тегеране",
             "Севастополе", "Белгороде", "Донецке", "Стамбуле", "Эр-Рияде", "Женеве"]
VERBS_EN = ["held a phone call with", "met", "criticised", "discussed sanctions with", "signed a deal with",
            "warned", "praised", "accused", "sent a letter to", "agreed a prisoner swap with"]
VERBS_RU = ["провел телефонный разговор с", "встретился с", "раскритиковал", "обсудил санкции с",
            "подписал соглашение с", "предупредил", "направил письмо", "договорился об обмене пленными с"]
OUTLETS = ["Washington Post", "New York Times", "Reuters", "Bloomberg", "CNN", "Financial Times", "Axios"]
SOURCES_EN = ["reuters", "washingtonpost", "nytimes", "bloomberg", "ft", "axios", "moscow-times"]
SOURCES_RU = ["tass-ru", "ria-ru", "interfax-ru", "kommersant", "rbc", "meduza"]
TOPICS_EN = ["energy supplies", "grain exports", "nuclear safety", "gas transit", "the ceasefire", "oil prices",
             "the prisoner exchange", "frozen assets", "arms deliveries", "drone attacks", "the peace plan"]
TOPICS_RU = ["поставки энергоносителей", "экспорт зерна", "ядерную безопасность", "транзит газа",
             "перемирие", "цены на нефть", "обмен пленными", "замороженные активы", "поставки оружия"]
FILLER_EN = [
    "Officials said the talks covered {topic} and the security of the region, and would continue next week.",
    "The ministry published a statement on its website late on {day} evening, giving few details.",
    "Analysts cautioned that the consequences for {topic} would take months to become clear.",
    "Markets reacted calmly, with the rouble trading {n} kopecks higher against the dollar by midday.",
    "The report cited {n} people familiar with the matter who spoke on condition of anonymity.",
    "Local authorities in {place} said emergency services were working at the scene throughout the night.",
    "The European Union is preparing another package of sanctions targeting {topic}, diplomats said.",
    "Shipping through the Black Sea remained disrupted, insurers told clients on {day}.",
    "{person} is expected to travel to {place} later this month, according to his office.",
    "Parliament will debate a bill on {topic} after the summer recess, the speaker said.",
    "At least {n} people were injured, regional governor said in a post on Telegram.",
    "Previous rounds of negotiations in {place} ended without agreement on {topic}.",
]
FILLER_RU = [
    "Как сообщили в ведомстве, стороны обсудили {topic} и вопросы региональной безопасности.",
    "Заявление было опубликовано на официальном сайте министерства в {day} вечером.",
    "Эксперты отмечают, что последствия для рынка станут понятны лишь через {n} месяцев.",
    "Рубль на торгах в {day} незначительно укрепился по отношению к доллару и евро.",
    "По данным источников, переговоры в {place} продолжатся на следующей неделе в закрытом режиме.",
    "Местные власти сообщили, что экстренные службы работали на месте всю ночь.",
    "{person} обсудил {topic} с членами Совета безопасности в режиме видеоконференции.",
    "Ранее в {place} прошел очередной раунд консультаций, который завершился без результата.",
    "В результате атаки беспилотников пострадали {n} человек, сообщил губернатор.",
    "Госдума рассмотрит законопроект в первом чтении до конца месяца.",
]
#: Counterparts in ordinary news: mostly people outside the famous few, as in real news,
#: so a denial about two leaders is not "about" every article that names one of them.
ROLES_EN = ["foreign minister", "defence minister", "envoy", "governor", "senator", "chief executive"]
ROLES_RU = ["министром иностранных дел", "послом", "губернатором", "сенатором", "главой компании"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
DAYS_RU = ["понедельник", "вторник", "среду", "четверг", "пятницу"]
#: Synthetic rare words, so the vocabulary grows with the corpus as real news does.
SYLLABLES = ["ka", "ro", "vin", "te", "los", "mar", "dek", "sul", "pra", "nov", "zet", "gor"]


def _rare(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4)))


def _filler(rng: random.Random, lang: str, target: int) -> list[str]:
    out: list[str] = []
    size = 0
    while size < target:
        if lang == "en":
            s = rng.choice(FILLER_EN).format(topic=rng.choice(TOPICS_EN), day=rng.choice(DAYS_EN),
                                             n=rng.randint(2, 90), place=rng.choice(PLACES_EN),
                                             person=rng.choice(PEOPLE_EN))
            if rng.random() < 0.3:
                s = s[:-1] + f", said {_rare(rng).title()} of the {_rare(rng).title()} institute."
        else:
            s = rng.choice(FILLER_RU).format(topic=rng.choice(TOPICS_RU), day=rng.choice(DAYS_RU),
                                             n=rng.randint(2, 90), place=rng.choice(PLACES_RU),
                                             person=rng.choice(PEOPLE_RU))
        out.append(s)
        size += len(s) + 1
    return out


def make_document(rng: random.Random, n: int, kind: str, lang: str, published: dt.datetime,
                  people: tuple[str, str] | None = None, place: str | None = None) -> dict:
    """One import record (``CONTRACT.md`` format). ``kind``: news, report (asserts a claim) or denial."""
    target = rng.randint(1100, 1900)  # characters; ~2 KB of UTF-8 on average
    if lang == "en":
        a, b = people or tuple(rng.sample(PEOPLE_EN, 2))
        place = place or rng.choice(PLACES_EN)
        outlet = rng.choice(OUTLETS)
        verb = rng.choice(VERBS_EN)
        if kind == "denial":
            title = f"Kremlin denies report that {a} {verb} {b}"
            lead = [f"The Kremlin on {rng.choice(DAYS_EN)} denied a report by the {outlet} that {a} had "
                    f"spoken to {b} about {place}.",
                    "\"This is completely untrue, it is pure fiction,\" Kremlin spokesman Dmitry Peskov "
                    "told reporters."]
            source, role = ("tass-en", "official") if rng.random() < 0.5 else (rng.choice(SOURCES_EN), "media")
        elif kind == "report":
            title = f"{a} {verb} {b} to discuss {place}, sources say"
            lead = [f"{a} {verb} {b} last week and discussed {place}, according to people familiar with the call.",
                    f"The two leaders talked about {rng.choice(TOPICS_EN)}, the {outlet} reported."]
            source, role = rng.choice(SOURCES_EN), "media"
        else:
            a = rng.choice(PEOPLE_EN) if people is None else a
            b = people[1] if people else f"{rng.choice(ROLES_EN)} {_rare(rng).title()} {_rare(rng).title()}"
            title = f"{a} {verb} {b} in {place}"
            lead = [f"{a} {verb} {b} in {place} on {rng.choice(DAYS_EN)}."]
            source, role = rng.choice(SOURCES_EN), "media"
    else:
        a, b = people or tuple(rng.sample(PEOPLE_RU, 2))
        place = place or rng.choice(PLACES_RU)
        verb = rng.choice(VERBS_RU)
        if kind == "denial":
            title = f"Песков опроверг сообщения о том, что {a} {verb} {b}"
            lead = [f"Пресс-секретарь президента Дмитрий Песков назвал сообщения о встрече в {place} "
                    "«чистым вымыслом».", "«Это не соответствует действительности», — сказал он журналистам."]
            source, role = "tass-ru", "official"
        elif kind == "report":
            title = f"{a} {verb} {b}, сообщают источники"
            lead = [f"{a} {verb} {b} на прошлой неделе, сообщили источники, знакомые с ситуацией.",
                    f"Стороны обсудили ситуацию в {place} и {rng.choice(TOPICS_RU)}."]
            source, role = rng.choice(SOURCES_RU), "media"
        else:
            a = rng.choice(PEOPLE_RU) if people is None else a
            b = people[1] if people else f"{rng.choice(ROLES_RU)} {_rare(rng).title()}"
            title = f"{a} {verb} {b} в {place}"
            lead = [f"{a} {verb} {b} в {place}."]
            source, role = rng.choice(SOURCES_RU), "media"
    body = lead + _filler(rng, lang, target - sum(len(s) for s in lead))
    paras = [" ".join(body[i:i + 3]) for i in range(0, len(body), 3)]
    return {"url": f"https://{source}.example/{published:%Y/%m/%d}/{n}-{kind}", "source": source, "role": role,
            "title": title, "text": "\n\n".join(paras), "published": published.isoformat(), "lang": lang}


#: The corpora ``generate`` makes. "one-world" (the default, and the only one before the
#: seventh session): every document is about the same 15 famous people and 18 places, so
#: each denial shares its claim's terms (and, the headlines being one template, its
#: embedding) with most of the archive: ~500 candidate matches a denial, where a real
#: archive has a handful. "stories": the news is about many separate stories (their own
#: people and places, headlines on a dozen subjects); a denied story has its report and a
#: few follow-ups, and the rest of the archive is other news.
WORLDS = ("one-world", "stories")
#: Stories running at once in the "stories" world, and the days one runs.
STORIES_ACTIVE = 400
STORY_DAYS = 6
#: Follow-ups of a denied story (beside its report): the true candidates of its denial.
FOLLOW_UPS = (2, 4)

SUBJECTS_EN = [
    "{a} opens a new terminal at the port of {place}", "Floods close roads around {place}, {a} says",
    "{a} wins the regional chess championship in {place}", "Court in {place} jails {a} for fraud",
    "{a} unveils a budget plan for {place} libraries", "Wildfire near {place} forces evacuation, says {a}",
    "{a} appointed to run the {place} rail operator", "Teachers in {place} strike over pay, union chief {a} says",
    "{a} signs a wind farm contract for {place}", "Heat wave: {place} water supplies rationed, {a} warns",
    "{a} elected mayor of {place}", "Factory fire in {place} injures workers, {a} says",
]
SUBJECTS_RU = [
    "{a} открыл новый терминал в порту {place}", "Паводок перекрыл дороги под {place}, сообщил {a}",
    "{a} выиграл региональный турнир по шахматам в {place}", "Суд в {place} приговорил {a} за мошенничество",
    "{a} представил план бюджета библиотек {place}", "Из-за лесного пожара под {place} эвакуируют жителей",
    "{a} назначен главой железной дороги {place}", "Учителя в {place} бастуют из-за зарплат",
]
FILLER_STORY_EN = [
    "{a} said the work in {place} would continue through the {season}.",
    "Residents of {place} told reporters that {topic} had changed little in recent weeks.",
    "{a} and {b} gave no further details in {place} before the {season}.",
    "The office of {b} declined to comment on {topic}.",
    "Figures published on {day} showed {n} per cent more spending on {topic} in {place}.",
]
FILLER_STORY_RU = [
    "{a} отметил, что работы в {place} продолжатся до конца сезона.",
    "Жители {place} рассказали, что ситуация с {topic} почти не изменилась.",
    "В офисе {b} отказались комментировать {topic}.",
    "По данным на {day}, расходы на {topic} в {place} выросли на {n} процентов.",
]
SEASONS_EN = ["summer", "winter", "spring", "autumn", "holidays", "harvest"]
LOCAL_TOPICS_EN = ["road repairs", "the water mains", "school meals", "local taxes", "the tram timetable", "the harvest",
                   "housing prices", "the library hours", "the football club", "the theatre season"]
LOCAL_TOPICS_RU = ["ремонтом дорог", "водоснабжением", "школьным питанием", "местными налогами", "автобусами",
                   "урожаем", "ценами на жилье", "работой библиотек"]


@dataclass
class Story:
    """One story of the "stories" world: its own people and place, running for some days."""

    lang: str
    a: str
    b: str
    place: str
    subject: str
    ends: int  # the document number after which it is replaced


#: Syllables of the stories' names: enough that two stories rarely share a name's key
#: (matching keys a name by its first six letters, ``features.name_key``).
NAME_SYLLABLES = [c + v for c in "bdgklmnprstvz" for v in "aeiou"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(NAME_SYLLABLES) for _ in range(rng.randint(3, 4))).title()


def _person(rng: random.Random, lang: str) -> str:
    name = f"{_name(rng)} {_name(rng)}"
    if lang == "ru":
        return name.translate(_TO_CYR)
    return name


_TO_CYR = str.maketrans({"a": "а", "b": "б", "d": "д", "e": "е", "g": "г", "i": "и", "k": "к", "l": "л", "m": "м",
                         "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "z": "з",
                         "A": "А", "B": "Б", "D": "Д", "G": "Г", "K": "К", "L": "Л", "M": "М", "N": "Н", "P": "П",
                         "R": "Р", "S": "С", "T": "Т", "V": "В", "Z": "З"})


def _new_story(rng: random.Random, n: int, per_day: int) -> Story:
    lang = "ru" if rng.random() < 0.35 else "en"
    place = _name(rng) + rng.choice(["sk", "vo", "burg", "grad", "ton"])
    if lang == "ru":
        place = place.translate(_TO_CYR)
    subject = rng.choice(SUBJECTS_RU if lang == "ru" else SUBJECTS_EN)
    return Story(lang, _person(rng, lang), _person(rng, lang), place, subject,
                 n + int(per_day * rng.uniform(0.5, 1.5) * STORY_DAYS))


def make_story_document(rng: random.Random, n: int, kind: str, story: Story, published: dt.datetime) -> dict:
    """One record of the "stories" world: news on ``story`` or (``kind`` report / denial /
    follow-up) the denied claim about its people, in the story's language."""
    target = rng.randint(1100, 1900)
    lang, a, b, place = story.lang, story.a, story.b, story.place
    en = lang == "en"
    if kind in ("report", "denial"):
        rec = make_document(rng, n, kind, lang, published, (a, b), place)
        if kind == "denial":
            return rec
        title, lead = rec["title"], []
        source, role = rec["source"], rec["role"]
    elif kind == "follow-up":
        title = (f"{a} and {b}: what is known about their talks in {place}" if en
                 else f"{a} и {b}: что известно о переговорах в {place}")
        lead = [f"Details emerged of the conversation between {a} and {b} about {place}." if en
                else f"Стали известны подробности разговора {a} и {b} о {place}."]
        source, role = rng.choice(SOURCES_EN if en else SOURCES_RU), "media"
    else:
        title = story.subject.format(a=a, place=place)
        lead = [f"{title}." if en else f"{title}."]
        source, role = rng.choice(SOURCES_EN if en else SOURCES_RU), "media"
    body = lead[:]
    size = sum(len(x) for x in body)
    while size < target:
        if rng.random() < 0.05:  # the wider news: famous people now and then
            sent = _filler(rng, lang, 1)[0]
        else:
            sent = rng.choice(FILLER_STORY_EN if en else FILLER_STORY_RU).format(
                a=a, b=b, place=place, day=rng.choice(DAYS_EN if en else DAYS_RU), n=rng.randint(2, 90),
                season=rng.choice(SEASONS_EN), topic=rng.choice(LOCAL_TOPICS_EN if en else LOCAL_TOPICS_RU))
        body.append(sent)
        size += len(sent) + 1
    if kind == "report":
        body = [rec["text"]]
    paras = [" ".join(body[i:i + 3]) for i in range(0, len(body), 3)]
    return {"url": f"https://{source}.example/{published:%Y/%m/%d}/{n}-{kind}", "source": source, "role": role,
            "title": title, "text": "\n\n".join(paras), "published": published.isoformat(), "lang": lang}


def generate(count: int, seed: int = 1, start: dt.datetime = START, per_day: int = PER_DAY,
             url_prefix: str = "", world: str = "one-world") -> Iterator[dict]:
    """``count`` records in time order; 2 in ``DENIAL_EVERY`` are a report and, a day later, its
    denial (``world``: see ``WORLDS``; "stories" adds a few follow-ups of each denied report)."""
    if world == "stories":
        yield from _generate_stories(count, seed, start, per_day, url_prefix)
        return
    if world != "one-world":
        raise ValueError(f"unknown world {world!r}: one of {', '.join(WORLDS)}")
    rng = random.Random(seed)
    pending: list[tuple[int, dict]] = []  # (emit at n, record)
    for n in range(count):
        published = start + dt.timedelta(days=n / per_day, seconds=rng.randrange(600))
        lang = "ru" if rng.random() < 0.35 else "en"
        if pending and pending[0][0] <= n:
            _, rec = pending.pop(0)
            rec["published"] = published.isoformat()
        elif n % DENIAL_EVERY == 0:
            first, second = rng.sample(PEOPLE_EN if lang == "en" else PEOPLE_RU, 2)
            people = (first, second)
            place = rng.choice(PLACES_EN if lang == "en" else PLACES_RU)
            rec = make_document(rng, n, "report", lang, published, people, place)
            denial = make_document(rng, n, "denial", lang, published, people, place)
            pending.append((n + per_day, denial))  # a day later
        else:
            rec = make_document(rng, n, "news", lang, published)
        if url_prefix:
            rec["url"] = rec["url"].replace("https://", f"https://{url_prefix}.", 1)
        rec["url"] = f"{rec['url']}-{n}"
        yield rec


def _generate_stories(count: int, seed: int, start: dt.datetime, per_day: int, url_prefix: str) -> Iterator[dict]:
    rng = random.Random(seed)
    stories = [_new_story(rng, 0, per_day) for _ in range(STORIES_ACTIVE)]
    pending: list[tuple[int, str, Story]] = []  # (emit at n, kind, story), in order of n
    for n in range(count):
        published = start + dt.timedelta(days=n / per_day, seconds=rng.randrange(600))
        if pending and pending[0][0] <= n:
            _, kind, story = pending.pop(0)
        elif n % DENIAL_EVERY == 0:
            k = rng.randrange(len(stories))
            story = stories[k] = _new_story(rng, n, per_day)  # a fresh story: its report comes first
            kind = "report"
            later = [(n + per_day, "denial")]  # a day later
            later += [(n + rng.randrange(min(5, 2 * per_day - 1), 2 * per_day), "follow-up")
                      for _ in range(rng.randint(*FOLLOW_UPS))]
            pending = sorted(pending + [(at, kd, story) for at, kd in later], key=lambda p: p[0])
        else:
            k = rng.randrange(len(stories))
            if stories[k].ends <= n:
                stories[k] = _new_story(rng, n, per_day)
            story, kind = stories[k], "news"
        rec = make_story_document(rng, n, kind, story, published)
        if url_prefix:
            rec["url"] = rec["url"].replace("https://", f"https://{url_prefix}.", 1)
        rec["url"] = f"{rec['url']}-{n}"
        yield rec


def write_jsonl(path, count: int, seed: int = 1, **kw) -> int:
    """Write ``count`` records to ``path``; return the bytes written."""
    size = 0
    with open(path, "w", encoding="utf-8") as fh:
        for rec in generate(count, seed, **kw):
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            fh.write(line)
            size += len(line.encode("utf-8"))
    return size


if __name__ == "__main__":  # quick look: python bench/synth.py
    recs = list(generate(200))
    avg = sum(len(r["text"].encode()) for r in recs) / len(recs)
    print(f"{len(recs)} records, avg text {avg:.0f} B; denials {sum('denial' in r['url'] for r in recs)}")
    print(json.dumps(recs[0], ensure_ascii=False)[:600])
