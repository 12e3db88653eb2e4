"""Golden files of the rendered alerts (issue 19): plain text, Slack (Markdown) and email (HTML).

The event below carries what made alerts hard to read: a transcript label, a quote
with an unclosed inner quote, a claim longer than the limit, outlets known only by
slug. The expected texts are in tests/fixtures/alerts/; after an intended change,
regenerate them with ``MONITOR_UPDATE_GOLDEN=1 pytest tests/test_alert_golden.py`` and
read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.alerts.formatting import DigestView, EventView, Rendered, SourceView, render_digest, render_event, \
    render_followup
from monitor.alerts.readable import balance_quotes, clip, strip_labels

GOLDEN = Path(__file__).parent / "fixtures" / "alerts"

QUOTE = ("Question: Is there any truth to the reports of a phone call? Dmitry Peskov: Asked about the report, "
         "Peskov said: \"This is completely untrue. This is pure fiction, it is simply false information. "
         "There was no conversation, and there are no plans for one either, I can tell you that")
CLAIM = ("Question: The Daily Ledger wrote that the president and his counterpart spoke by telephone on Thursday "
         "and discussed the front line, a settlement and the next round of talks in a neutral capital, according "
         "to several people familiar with the conversation who spoke on condition of anonymity because they were "
         "not authorised to discuss it publicly, and that a second call was planned for the following week")

SOURCES = (
    SourceView("kremlin-en", "2024-11-11T09:12:00+00:00", "Answers to media questions",
               "https://kremlin.example/events/75546", name="Kremlin.ru (English)"),
    SourceView("tass-en", "2024-11-11T09:40:00+00:00", "Kremlin denies report", "https://tass.example/1871234",
               name="TASS (English)"),
)
REPORTS = (
    SourceView("dailyledger", "2024-11-10T15:00:00+00:00",
               "President spoke with his counterpart by phone and urged him \u00abnot to escalate",
               "https://ledger.example/2024/11/10/call", 0.9213, "asserts what Dmitry Peskov denied: shares the "
               "president; event call; cites The Daily Ledger; 18 h before the denial", name="The Daily Ledger"),
    SourceView("wire-relay", "2024-11-10T18:30:00+00:00", "Leaders held a call, paper says",
               "https://relay.example/world/leaders-call", 0.81, "same people, same call"),
)
EVENT = EventView(key="kremlin-2024-11-11-abc", speaker="Dmitry Peskov", published="2024-11-11T09:12:00+00:00",
                  quote=QUOTE, quote_url="https://kremlin.example/events/75546", claim=CLAIM, sources=SOURCES,
                  reports=REPORTS)


def check(name: str, rendered: Rendered) -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for ext, body in (("txt", rendered.title + "\n\n" + rendered.text), ("md", rendered.markdown),
                      ("html", rendered.html + "\n")):
        path = GOLDEN / f"{name}.{ext}"
        if os.environ.get("MONITOR_UPDATE_GOLDEN"):
            path.write_text(body, encoding="utf-8")
        assert path.exists(), f"{path} missing: run with MONITOR_UPDATE_GOLDEN=1"
        assert body == path.read_text(encoding="utf-8"), f"{path} differs (regenerate and read the diff)"


def test_full_alert_matches_golden_files() -> None:
    check("event", render_event(EVENT))


def test_followup_matches_golden_files() -> None:
    check("followup", render_followup(EVENT, REPORTS[1:], SOURCES[1:]))


def test_digest_matches_golden_files() -> None:
    check("digest", render_digest(DigestView("2024-11-11T07:00:00+00:00", "2024-11-12T07:00:00+00:00", (EVENT,))))


@pytest.mark.parametrize("body", ["text", "markdown", "html"])
def test_rendered_alert_reads_right(body: str) -> None:
    out = getattr(render_event(EVENT), body)
    assert "Question:" not in out and "Dmitry Peskov: Asked" not in out  # transcript labels gone
    assert "The Daily Ledger" in out and "wire-relay" in out  # display name, else the slug as written
    assert "Wire-Relay" not in out and "Dailyledger" not in out
    if body == "text":
        assert out.count("“") == out.count("”")
        quote_line = out.splitlines()[1]
        # the unclosed inner quote is closed before the alert's own closing quote
        assert quote_line.endswith('I can tell you that"”')
        assert quote_line.startswith("  “Asked about the report")  # the question is not the speaker's words
    assert "Contradicted reports (2)" in out.replace("<b>", "").replace("</b>", "").replace("**", "")


def test_clip_cuts_at_a_sentence_or_word_never_inside_a_word() -> None:
    text = "The first sentence is here. The second sentence is rather longer than the first one."
    assert clip(text, 40) == "The first sentence is here. …"
    assert clip("Peskov said that the conversation never happened at all", 30) == "Peskov said that the…"
    assert clip("short", 30) == "short"


def test_quotes_are_balanced_and_labels_removed() -> None:
    assert balance_quotes('He said: "pure fiction') == 'He said: "pure fiction"'
    assert balance_quotes("«Это вымысел") == "«Это вымысел»"
    assert balance_quotes("fiction» he said") == "fiction he said"
    assert balance_quotes('"Pure fiction."') == "Pure fiction."
    assert strip_labels("Question: Did they speak? Answer: No.") == "Did they speak? No."
    assert strip_labels("Dmitry Peskov: No, never.", "Dmitry Peskov") == "No, never."
    assert strip_labels("Aid arrived: no doubt.", "Dmitry Peskov") == "Aid arrived: no doubt."
    transcript = "Question: Did they speak? Dmitry Peskov: No. That is fiction."
    assert strip_labels(transcript, "Dmitry Peskov", answer_only=True) == "No. That is fiction."
    assert strip_labels("Question: Did they speak by phone?", answer_only=True) == "Did they speak by phone?"
