"""Cost of processing one new document at 10k vs 200k archived documents (issue 6).

Builds synthetic archives (EN + RU news-like texts of realistic length with entities,
about 150 documents a day, so a bigger archive covers a longer period, as a real one
does; 1.5% of documents carry a denial), then times ``store_documents`` + ``drain_backlog`` (upsert,
then detection + indexing + matching in both directions + events) for new documents
arriving at the end of the archive, and prints the per-document median and the ratio.

    .venv/bin/python bench/scale_matching.py [--sizes 10000 200000] [--new 40]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from monitor.match.features import document_features
from monitor.process import drain_backlog
from monitor.collect.ingest import store_documents
from monitor.pipeline import PIPELINE_VERSION
from monitor.match.scoring import build_profile
from monitor.models import Denial, Document
from monitor.store import Store
from monitor.timeutil import format_timestamp

PER_DAY = 150
START = dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)

PEOPLE_EN = ["Vladimir Putin", "Donald Trump", "Volodymyr Zelensky", "Emmanuel Macron", "Olaf Scholz", "Joe Biden",
             "Sergei Lavrov", "Recep Tayyip Erdogan", "Xi Jinping", "Alexei Navalny", "Yevgeny Prigozhin"]
PEOPLE_RU = ["Владимир Путин", "Дональд Трамп", "Владимир Зеленский", "Эммануэль Макрон", "Сергей Лавров",
             "Реджеп Эрдоган", "Си Цзиньпин", "Алексей Навальный", "Евгений Пригожин"]
PLACES_EN = ["Kyiv", "Kharkiv", "Odesa", "Berlin", "Paris", "Ankara", "Warsaw", "Minsk", "Tehran", "Beijing",
             "Kramatorsk", "Mariupol", "Bucha", "Sevastopol", "Belgorod", "Donetsk", "Zaporizhzhia"]
PLACES_RU = ["Киеве", "Харькове", "Одессе", "Берлине", "Париже", "Анкаре", "Варшаве", "Минске", "Тегеране",
             "Краматорске", "Мариуполе", "Севастополе", "Белгороде", "Донецке"]
VERBS_EN = ["held a phone call with", "met", "criticised", "discussed sanctions with", "signed a deal with",
            "warned", "praised", "accused"]
VERBS_RU = ["провел телефонный разговор с", "встретился с", "раскритиковал", "обсудил санкции с",
            "подписал соглашение с", "предупредил"]
FILLER_EN = [
    "Officials said the talks covered energy supplies, grain exports and the security of nuclear plants.",
    "The ministry published a statement on its website late on Tuesday evening.",
    "Analysts cautioned that the economic consequences would take months to become clear.",
    "Markets reacted calmly, with the rouble trading slightly higher against the dollar.",
    "The report cited three people familiar with the matter who spoke on condition of anonymity.",
    "Local authorities said emergency services were working at the scene throughout the night.",
    "The European Union is preparing another package of sanctions, diplomats said.",
    "Shipping through the Black Sea remained disrupted, insurers told clients.",
]
FILLER_RU = [
    "Как сообщили в ведомстве, стороны обсудили поставки энергоносителей и вопросы безопасности.",
    "Заявление было опубликовано на официальном сайте министерства во вторник вечером.",
    "Эксперты отмечают, что экономические последствия станут понятны лишь через несколько месяцев.",
    "Рубль на торгах в среду незначительно укрепился по отношению к доллару.",
    "По данным источников, переговоры продолжатся на следующей неделе в закрытом режиме.",
    "Местные власти сообщили, что экстренные службы работали на месте всю ночь.",
]
OUTLETS = ["Washington Post", "New York Times", "Reuters", "Bloomberg", "CNN", "Financial Times"]


def make_text(rng: random.Random, lang: str, denial: bool) -> tuple[str, str]:
    if lang == "en":
        a, b = rng.sample(PEOPLE_EN, 2)
        place = rng.choice(PLACES_EN)
        title = f"{a} {rng.choice(VERBS_EN)} {b} in {place}"
        if denial:
            title = f"Kremlin denies {rng.choice(OUTLETS)} report that {a} {rng.choice(VERBS_EN)} {b}"
        body = [title + "."]
        if denial:
            body.append(f"Kremlin spokesman Dmitry Peskov said on Monday the report by the {rng.choice(OUTLETS)} "
                        f"that {a} had spoken to {b} about {place} was pure fiction. \"This is completely untrue,\" "
                        "he told reporters.")
        body += [rng.choice(FILLER_EN) for _ in range(rng.randint(6, 12))]
        body.insert(2, f"According to the {rng.choice(OUTLETS)}, {a} and {b} also discussed the situation in {place}.")
    else:
        a, b = rng.sample(PEOPLE_RU, 2)
        place = rng.choice(PLACES_RU)
        title = f"{a} {rng.choice(VERBS_RU)} {b} в {place}"
        if denial:
            title = f"Песков опроверг сообщения о том, что {a} {rng.choice(VERBS_RU)} {b}"
        body = [title + "."]
        if denial:
            body.append(f"Пресс-секретарь президента Дмитрий Песков назвал сообщения о встрече в {place} "
                        "«чистым вымыслом». «Это не соответствует действительности», — сказал он.")
        body += [rng.choice(FILLER_RU) for _ in range(rng.randint(6, 12))]
    return title, " ".join(body)


def build_archive(path: Path, size: int, seed: int = 7) -> Store:
    """Fill an archive with ``size`` documents over size/PER_DAY days, fast.

    Texts come from a pool of templates whose features (and denial profiles) are
    computed once and reused, so 200k documents take minutes, not hours.
    """
    rng = random.Random(seed)
    pool = []
    for i in range(600):
        lang = "en" if i % 3 else "ru"
        denial = i % 60 == 0
        title, text = make_text(rng, lang, denial)
        feats = document_features(title, text, lang=lang, role="media", source="synthetic", published="")
        pool.append((lang, denial, title, text, feats))
    store = Store.open(path)
    days = size / PER_DAY
    t0 = time.perf_counter()
    with store.atomic():
        for n in range(size):
            lang, denial, title, text, feats = pool[rng.randrange(len(pool))]
            published = START + dt.timedelta(days=days * n / size, seconds=rng.randrange(3600))
            doc = Document(url=f"https://synthetic.example/{n}", title=title, text=text, published=published,
                           source="synthetic", lang=lang)
            res = store.upsert_document(doc)
            ts = format_timestamp(published)
            fj = feats.to_json()
            fj["published"] = ts
            store.replace_document_index(res.id, ts, feats.body_terms, fj, denial)
            if denial:
                d = Denial(speaker="Dmitry Peskov", cue="pure fiction", quote=text[:200], claim=title, lang=lang,
                           position=len(title))
                (did,) = store.replace_denials(res.id, ts, [d])
                prof = build_profile(denial_id=did, document_id=res.id, speaker=d.speaker, published=ts, lang=lang,
                                     claim=title, quote=d.quote, entities=(), event_type=None, outlets=(),
                                     event_date=None, doc_title=title, doc_lead=text[:400], use_context=True)
                store.set_denial_profile(did, prof.to_json())
        # their index and denials are written above: nothing waits for processing (issue 16)
        store.mark_processed(store.document_ids_since(None), PIPELINE_VERSION)
    print(f"  built {size} documents in {time.perf_counter() - t0:.0f}s", flush=True)
    return store


def time_new_documents(store: Store, size: int, count: int, seed: int = 11) -> list[float]:
    rng = random.Random(seed)
    run = time.time_ns()  # fresh URLs, so a kept archive can be timed again
    end = START + dt.timedelta(days=size / PER_DAY)
    times = []
    for i in range(count):
        lang = "en" if i % 3 else "ru"
        title, text = make_text(rng, lang, denial=i % 4 == 0)
        doc = Document(url=f"https://new.example/{size}/{run}/{i}", title=title, text=text,
                       published=end + dt.timedelta(hours=i), source="newcomer", lang=lang)
        t0 = time.perf_counter()
        store_documents(store, [doc], queue_alerts=False)  # store, then process (issue 16)
        drain_backlog(store, workers=1)
        times.append(time.perf_counter() - t0)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 200_000])
    ap.add_argument("--new", type=int, default=40)
    ap.add_argument("--keep", type=Path, default=None, help="Keep (and reuse) the archives in this folder.")
    args = ap.parse_args(argv)
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            print(f"== archive of {size} documents", flush=True)
            path = folder / f"scale-{size}.db"
            if path.exists():
                store = Store.open(path)
            else:
                store = build_archive(path, size)
            try:
                times = time_new_documents(store, size, args.new)
            finally:
                store.close()
            medians[size] = statistics.median(times)
            print(f"  per new document: median {medians[size] * 1000:.1f} ms, "
                  f"p90 {sorted(times)[int(0.9 * len(times))] * 1000:.1f} ms", flush=True)
    if len(args.sizes) >= 2:
        small, big = args.sizes[0], args.sizes[-1]
        ratio = medians[big] / medians[small]
        print(f"ratio {big} / {small}: {ratio:.2f} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
