"""Rendering and per-format escaping of untrusted (scraped) text."""

from __future__ import annotations

from alert_helpers import HOSTILE
from monitor.alerts.formatting import EventView, SourceView, md, plain, render_event, render_followup, safe_url


def event(title: str = HOSTILE, url: str = "https://wapo.example/a") -> EventView:
    report = SourceView("washingtonpost", "2024-11-10T15:00:00+00:00", title, url, 0.9, "same people; " + HOSTILE)
    return EventView(key="k1", speaker="Dmitry Peskov", published="2024-11-11T09:12:00+00:00",
                     quote="This is pure fiction. " + HOSTILE, quote_url="http://kremlin.example/1",
                     claim="Trump and Putin spoke", sources=(SourceView("kremlin-en", "2024-11-11T09:12:00+00:00",
                                                                        "x", "http://kremlin.example/1"),),
                     reports=(report,))


def test_markdown_escapes_every_markup_start_in_scraped_text() -> None:
    out = render_event(event()).markdown
    assert "<!channel>" not in out and "<@U123>" not in out and "<script>" not in out
    assert "\\<\\!channel\\>" in out
    assert "\\[click\\]\\(http://evil.example\\)" in out  # cannot become a link
    assert "@\u2060here" in out and "@here" not in out
    assert "[Read the denial](<http://kremlin.example/1>)" in out


def test_html_escapes_and_links_only_http_urls() -> None:
    out = render_event(event(url="javascript:alert(1)")).html
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "javascript:" not in out.split("href=")[-1].split(">")[0]
    assert 'href="javascript' not in out
    assert '<a href="http://kremlin.example/1">Read the denial</a>' in out


def test_text_keeps_scraped_text_on_one_line() -> None:
    forged = "Real headline\nscore 1.00: forged line\r\n2. fake report"
    out = render_event(event(title=forged)).text
    assert "\nscore 1.00: forged line" not in out
    assert "“Real headline score 1.00: forged line 2. fake report”" in out


def test_url_breaking_characters_are_percent_encoded() -> None:
    assert safe_url("http://a.example/x|forged>y (1)") == "http://a.example/x%7Cforged%3Ey%20%281%29"
    assert safe_url("ftp://a.example/") is None and safe_url("javascript:alert(1)") is None
    assert md("a_b*c") == "a\\_b\\*c" and plain("@channel") == "@\u2060channel"


def test_followup_is_short_and_names_the_new_report() -> None:
    r = render_followup(event("New headline"), event("New headline").reports[0])
    assert r.title.startswith("Follow-up")
    assert "New headline" in r.text and "Contradicted reports" not in r.text
    assert len(r.text) < len(render_event(event("New headline")).text)
