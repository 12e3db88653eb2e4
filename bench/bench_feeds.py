"""Feed throughput: feed bytes -> archived documents, against ``feedparser.parse`` alone (issue 10).

Builds RSS 2.0 feeds of 50 items each from the synthetic corpus (bench/synth.py),
with the full text in ``content:encoded`` as kremlin.ru/TASS feeds carry it (so no
article is fetched), and drives in-process, on the same bytes:

- baseline: ``feedparser.parse(body)`` on every feed;
- spider: ``FeedSpider.parse_feed(XmlResponse)`` (feedparser + entry -> item, HTML -> text);
- archive: spider + ``ArchivePipeline.process_item`` / ``close_spider`` (canonical URL,
  Document, ``store_documents``: store, FTS, revisions, processing backlog) into a fresh
  archive: the store path (issue 16; detection and matching run after, as their own
  stage, timed by ``bench_ingest.py``).

No network and no reactor: the callbacks are called directly, as the spider tests do.
Runs alternate and medians are compared. Target: archive >= 0.5x the baseline rate.

    .venv/bin/python bench/bench_feeds.py [--feeds 10] [--items 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import html
import statistics
import sys
import tempfile
import time
import warnings
from email.utils import format_datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import feedparser  # noqa: E402
import synth  # noqa: E402
from scrapy.http import XmlResponse  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from monitor.config import SourceConfig  # noqa: E402
from spiders.feed import FeedSpider  # noqa: E402
from spiders.items import ArticleItem  # noqa: E402
from spiders.pipelines import ArchivePipeline  # noqa: E402

BASE = "http://127.0.0.1:8999"


def make_feed(records: list[dict], k: int) -> bytes:
    items = []
    for rec in records:
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in rec["text"].split("\n\n"))
        pub = format_datetime(synth.dt.datetime.fromisoformat(rec["published"]))
        summary = html.escape(rec["text"].split("\n\n")[0][:300])
        items.append(
            f"<item><title>{html.escape(rec['title'])}</title><link>{html.escape(rec['url'])}</link>"
            f"<guid>{html.escape(rec['url'])}</guid><pubDate>{pub}</pubDate>"
            f"<description>{summary}</description>"
            f"<content:encoded><![CDATA[{paras}]]></content:encoded></item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>Synthetic feed {k}</title><link>{BASE}/</link><description>bench</description>"
            + "".join(items) + "</channel></rss>").encode("utf-8")


def make_spider() -> Any:
    crawler = get_crawler(FeedSpider, {"ITEM_PIPELINES": {}})
    source = SourceConfig(name="synthetic-feed", spider="feed", url=BASE + "/feed.rss", role="media", lang=None,
                          options={"fetch_articles": False})
    spider = FeedSpider.from_crawler(crawler, source=source)
    crawler.spider = spider
    return spider


def run_feedparser(feeds: list[bytes]) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = sum(len(feedparser.parse(body).entries) for body in feeds)
    return time.perf_counter() - t0, n


def run_spider(feeds: list[bytes]) -> tuple[float, int]:
    spider = make_spider()
    t0 = time.perf_counter()
    n = 0
    for k, body in enumerate(feeds):
        resp = XmlResponse(url=f"{BASE}/feed-{k}.rss", body=body, headers={"Content-Type": "application/rss+xml"})
        n += sum(1 for r in spider.parse_feed(resp) if isinstance(r, ArticleItem))
    return time.perf_counter() - t0, n


def run_archive(feeds: list[bytes], db_path: Path) -> tuple[float, int, dict]:
    spider = make_spider()
    pipeline = ArchivePipeline(spider.crawler, str(db_path), queue_alerts=False, batch_size=50)
    t0 = time.perf_counter()
    pipeline.open_spider(spider)
    for k, body in enumerate(feeds):
        resp = XmlResponse(url=f"{BASE}/feed-{k}.rss", body=body, headers={"Content-Type": "application/rss+xml"})
        for r in spider.parse_feed(resp):
            if isinstance(r, ArticleItem):
                pipeline.process_item(r, spider)
    pipeline.close_spider(spider)
    elapsed = time.perf_counter() - t0
    stats = spider.crawler.stats.get_stats()
    return elapsed, int(stats.get("pipeline/new", 0)), {k: v for k, v in stats.items() if k.startswith("pipeline/")}


def language_agreement(db_path: Path) -> str:
    """How many archived items carry the language ``detect_language`` gives them alone (the
    pipeline reuses a source's settled language instead of classifying every item)."""
    from monitor.store import Store
    from monitor.text.language import detect_language

    with Store.open(db_path) as store:
        rows = store.db.execute("SELECT title, text, lang FROM documents").fetchall()
    same = sum(1 for title, text, lang in rows if detect_language(f"{title}\n{text}") == lang)
    return f"{same} of {len(rows)}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--items", type=int, default=50, help="items per feed (default 50)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    records = list(synth.generate(args.feeds * args.items, seed=5))
    feeds = [make_feed(records[i:i + args.items], i // args.items) for i in range(0, len(records), args.items)]
    total = sum(len(f) for f in feeds)
    print(f"{len(feeds)} feeds x {args.items} items, {total / len(feeds) / 1024:.0f} KB/feed")
    times: dict[str, list[float]] = {"feedparser": [], "spider": [], "archive": []}
    cpu_times: dict[str, list[float]] = {"feedparser": [], "spider": [], "archive": []}
    counts: dict[str, int] = {}
    last: dict = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        for i in range(args.repeat):
            c0 = time.process_time()
            t, counts["feedparser"] = run_feedparser(feeds)
            times["feedparser"].append(t)
            c1 = time.process_time()
            t, counts["spider"] = run_spider(feeds)
            times["spider"].append(t)
            c2 = time.process_time()
            t, counts["archive"], last = run_archive(feeds, Path(tmpdir) / f"archive-{i}.db")
            times["archive"].append(t)
            c3 = time.process_time()
            # CPU seconds of each run (set-up included): steadier than wall time on a shared machine
            for key, cpu in (("feedparser", c1 - c0), ("spider", c2 - c1), ("archive", c3 - c2)):
                cpu_times[key].append(cpu)
            print(f"  run {i + 1}: " + ", ".join(f"{k} {counts[k] / v[-1]:,.0f} items/s" for k, v in times.items()),
                  flush=True)
        print(f"  archive stats: {last}")
        print(f"  languages as detect_language gives them item by item: {language_agreement(Path(tmpdir) / 'archive-0.db')}")
    rates = {k: counts[k] / statistics.median(v) for k, v in times.items()}
    base = rates["feedparser"]
    print()
    print(f"{'measure':52} {'items/s':>9} {'ms/item':>8} {'ratio':>7}")
    labels = {"feedparser": "baseline: feedparser.parse(bytes)",
              "spider": "spider: FeedSpider.parse_feed -> items",
              "archive": "archive: parse_feed + ArchivePipeline -> archive (store path)"}
    for k, label in labels.items():
        print(f"{label:52} {rates[k]:>9,.0f} {1000 / rates[k]:>8.2f} {rates[k] / base:>7.3f}")
    cpu = {k: statistics.median(v) for k, v in cpu_times.items()}
    print("CPU time (median): " + ", ".join(f"{k} {1000 * v / counts[k]:.2f} ms/item" for k, v in cpu.items())
          + f"; archive ratio by CPU {cpu['feedparser'] / cpu['archive']:.3f}")
    ratio = rates["archive"] / base
    print(f"RESULT feeds ratio {ratio:.3f} (target >= 0.5): {'PASS' if ratio >= 0.5 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
