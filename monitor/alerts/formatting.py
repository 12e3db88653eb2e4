"""Render alerts as plain text, Slack-friendly Markdown and email HTML; escape what we scraped.

Pure: values in, strings out. Everything that came from a crawled page (headlines,
quotes, claims, source slugs, URLs) is untrusted and escaped for each format so that it
cannot ping a channel, inject markup or forge a link (issue 7):

- text: one-line fields lose line breaks and control characters (no forged lines),
  ``@`` gets a word joiner after it (no ``@here``/``@channel`` in services that ping on
  plain text). Slack receives this with ``body_format='text'`` only via Markdown below.
- markdown (CommonMark, which Apprise turns into Slack mrkdwn): the same, plus a
  backslash before every character that could start markup: ``\\ ` * _ [ ] ( ) < > ! #``.
  Apprise's Slack converter turns ``\\<`` into ``&lt;``, so ``<!channel>`` arrives as text.
  Links are built only by us, only for http(s) URLs, with ``<>|()`` and spaces percent-encoded.
- html: ``html.escape`` everything; ``href`` only for http(s) URLs.

It must not read the archive or the clock: callers pass views and ``now``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from monitor.alerts.readable import clip, one_line, readable, strip_labels
from monitor.timeutil import parse_timestamp

#: Characters that start CommonMark/Slack markup; escaped with a backslash in untrusted text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>!#])")
#: Word joiner: invisible, stops ``@here`` from being one token.
_WJ = "\u2060"
#: Characters that would end or split a link target in Markdown or Slack's ``<url|label>``.
_URL_UNSAFE = {"<": "%3C", ">": "%3E", "|": "%7C", " ": "%20", "(": "%28", ")": "%29", '"': "%22", "`": "%60"}

QUOTE_MAX = 600
HEADLINE_MAX = 200


@dataclass(frozen=True)
class SourceView:
    """A document shown in an alert: a denial's source or a contradicted report."""

    source: str
    published: str
    title: str
    url: str
    #: Only for reports: the match score in [0, 1] and the one-line reason.
    score: float | None = None
    reason: str = ""
    #: The outlet's display name ("The Washington Post"); the slug when empty.
    name: str = ""

    @property
    def outlet(self) -> str:
        return self.name or self.source


@dataclass(frozen=True)
class EventView:
    """What an analyst needs about one denial event."""

    key: str
    speaker: str
    published: str
    quote: str
    quote_url: str
    claim: str
    sources: Sequence[SourceView] = ()
    reports: Sequence[SourceView] = ()


@dataclass(frozen=True)
class Rendered:
    """One alert in every format we deliver."""

    title: str
    text: str
    markdown: str
    html: str


@dataclass(frozen=True)
class DigestView:
    since: str
    until: str
    events: Sequence[EventView] = field(default_factory=tuple)


# -- escaping ------------------------------------------------------------------------


def plain(value: str | None, limit: int | None = None) -> str:
    """Untrusted text for the text format (and titles): one line, mentions defused."""
    return one_line(value, limit).replace("@", "@" + _WJ)


def md(value: str | None, limit: int | None = None) -> str:
    """Untrusted text for CommonMark/Slack: one line, mentions defused, markup escaped."""
    return _MD_SPECIAL.sub(r"\\\1", plain(value, limit))


def h(value: str | None, limit: int | None = None) -> str:
    """Untrusted text for HTML; mentions defused too (Matrix with format=html pings on
    ``@room`` in an HTML body; issue 9)."""
    return html.escape(one_line(value, limit), quote=True).replace("@", "@" + _WJ)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit to be a link target, or None (then it is shown as text only)."""
    text = one_line(url)
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return "".join(_URL_UNSAFE.get(ch, ch) for ch in text)


def md_link(label: str, url: str | None) -> str:
    """A Markdown link with an escaped label; plain escaped text if the URL is not http(s)."""
    target = safe_url(url)
    return f"[{md(label) or 'link'}](<{target}>)" if target else md(label)


def h_link(label: str, url: str | None) -> str:
    target = safe_url(url)
    text = h(label) or "link"
    return f'<a href="{html.escape(target, quote=True)}">{text}</a>' if target else text


def when(value: str | None) -> str:
    """``2024-11-11T09:12:00+00:00`` -> ``11 Nov 2024 09:12 UTC`` (the raw value if unparsable)."""
    if not value:
        return "date unknown"
    try:
        stamp = parse_timestamp(value)
    except ValueError:
        return one_line(value, 40)
    return stamp.strftime("%d %b %Y %H:%M UTC")


def _score(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


def reason_with_outlet(explanation: Mapping[str, Any], outlets: Mapping[str, str]) -> str:
    """A match explanation's ``reason`` with the outlet it cites by display name
    ("cites Washingtonpost" -> "cites The Washington Post"), when the lexicon has it."""
    reason = str(explanation.get("reason") or "")
    named = explanation.get("outlet_named")
    if isinstance(named, str) and named.startswith("outlet:") and named.split(":", 1)[1] in outlets:
        display = outlets[named.split(":", 1)[1]]
        reason = re.sub(r"\bcites [^;]+", lambda _m: f"cites {display}", reason, count=1)
    return reason


# -- event alert ---------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def event_title(event: EventView) -> str:
    return f"Denial: {plain(event.speaker, 60)} - {_plural(len(event.reports), 'contradicted report')}"


def _quote_of(event: EventView, limit: int = QUOTE_MAX) -> str:
    return readable(event.quote, limit, event.speaker, answer_only=True) or readable(event.quote, limit)


def _claim_of(event: EventView) -> str:
    """The denied claim, only when it says more than the quote already does."""
    claim = readable(event.claim, 300, event.speaker)
    return claim if claim and claim[:40] not in strip_labels(event.quote, event.speaker) else ""


def _headline(title: str | None, limit: int = HEADLINE_MAX) -> str:
    return readable(title, limit)


def _reason(r: SourceView) -> str:
    return clip(r.reason, 300) or "no reason recorded"


def render_event(event: EventView) -> Rendered:
    """The full alert for a denial event and the reports it contradicts."""
    title = event_title(event)
    quote, claim = _quote_of(event), _claim_of(event)
    quote_url = safe_url(event.quote_url) or plain(event.quote_url)
    n_sources, n_reports = len(event.sources), len(event.reports)

    text = [f"{plain(event.speaker, 80)}, {when(event.published)}:",
            f"  “{plain(quote)}”", f"  {quote_url}"]
    if claim:
        text.append(f"Denied claim: {plain(claim)}")
    text += ["", f"Sources of the denial ({n_sources}):"]
    text += [f"  - {plain(s.outlet, 60)}, {when(s.published)}: {safe_url(s.url) or plain(s.url)}"
             for s in event.sources]
    text += ["", f"Contradicted reports ({n_reports}):"]
    for i, r in enumerate(event.reports, 1):
        text += [f"{i}. {plain(r.outlet, 60)}, {when(r.published)}: “{plain(_headline(r.title))}”",
                 f"   {safe_url(r.url) or plain(r.url)}",
                 f"   score {_score(r.score)}: {plain(_reason(r))}"]
    text += ["", f"ref {plain(event.key, 120)}"]

    mdl = [f"**{md(event.speaker, 80)}**, {when(event.published)}:",
           f"> {md(quote)}",
           f"{md_link('Read the denial', event.quote_url)}"]
    if claim:
        mdl.append(f"**Denied claim:** {md(claim)}")
    mdl += ["", f"**Sources of the denial ({n_sources}):** "
            + ", ".join(f"{md_link(s.outlet, s.url)} ({when(s.published)})" for s in event.sources)]
    mdl += ["", f"**Contradicted reports ({n_reports}):**"]
    for i, r in enumerate(event.reports, 1):
        mdl.append(f"{i}. {md_link(_headline(r.title) or r.url, r.url)} - {md(r.outlet, 60)},"
                   f" {when(r.published)}; score {_score(r.score)}: {md(_reason(r))}")
    mdl += ["", f"ref {md(event.key, 120)}"]

    reports_html = "".join(
        f"<li>{h_link(_headline(r.title) or r.url, r.url)}<br>{h(r.outlet, 60)}, {when(r.published)}; "
        f"score <b>{_score(r.score)}</b>: {h(_reason(r))}</li>"
        for r in event.reports
    )
    sources_html = "".join(f"<li>{h_link(s.outlet, s.url)}, {when(s.published)}</li>" for s in event.sources)
    claim_html = f"<p><b>Denied claim:</b> {h(claim)}</p>" if claim else ""
    body_html = (
        f"<p><b>{h(event.speaker, 80)}</b>, {when(event.published)}:</p>"
        f"<blockquote>{h(quote)}</blockquote>"
        f"<p>{h_link('Read the denial', event.quote_url)}</p>{claim_html}"
        f"<p><b>Sources of the denial ({n_sources}):</b></p><ul>{sources_html}</ul>"
        f"<p><b>Contradicted reports ({n_reports}):</b></p><ol>{reports_html}</ol>"
        f"<p><small>ref {h(event.key, 120)}</small></p>"
    )
    return Rendered(title, "\n".join(text) + "\n", "\n".join(mdl) + "\n", body_html)


def render_followup(event: EventView, reports: SourceView | Sequence[SourceView] = (),
                    sources: Sequence[SourceView] = ()) -> Rendered:
    """A short follow-up to an event already alerted: the reports and denial sources
    that joined it since (coalesced), and the event's totals now. Never the full alert."""
    new_reports = [reports] if isinstance(reports, SourceView) else list(reports)
    new_sources = list(sources)
    parts = []
    if new_reports:
        parts.append(_plural(len(new_reports), "more contradicted report"))
    if new_sources:
        parts.append(_plural(len(new_sources), "more source") + " of the denial")
    title = f"Follow-up: {', '.join(parts) or 'update'} - {plain(event.speaker, 60)}"
    quote = _quote_of(event, 200)
    totals = (f"The event now has {_plural(len(event.sources), 'denial source')} and "
              f"{_plural(len(event.reports), 'contradicted report')}.")

    text = [f"Follow-up to the alert on {plain(event.speaker, 80)}'s denial ({when(event.published)}):",
            f"  “{plain(quote)}”", f"  {safe_url(event.quote_url) or plain(event.quote_url)}"]
    mdl = [f"**Follow-up** to the alert on **{md(event.speaker, 80)}**'s denial ({when(event.published)}):"
           f" {md_link(quote, event.quote_url)}"]
    hl = [f"<p><b>Follow-up</b> to the alert on <b>{h(event.speaker, 80)}</b>'s denial "
          f"({when(event.published)}): {h_link(quote, event.quote_url)}</p>"]
    if new_reports:
        label = "New contradicted report" + ("s" if len(new_reports) > 1 else "")
        text += ["", f"{label}:"]
        mdl += ["", f"**{label}:**"]
        items = []
        for i, r in enumerate(new_reports, 1):
            text += [f"{i}. {plain(r.outlet, 60)}, {when(r.published)}: “{plain(_headline(r.title))}”",
                     f"   {safe_url(r.url) or plain(r.url)}",
                     f"   score {_score(r.score)}: {plain(_reason(r))}"]
            mdl.append(f"{i}. {md_link(_headline(r.title) or r.url, r.url)} - {md(r.outlet, 60)},"
                       f" {when(r.published)}; score {_score(r.score)}: {md(_reason(r))}")
            items.append(f"<li>{h_link(_headline(r.title) or r.url, r.url)}<br>{h(r.outlet, 60)}, "
                         f"{when(r.published)}; score <b>{_score(r.score)}</b>: {h(_reason(r))}</li>")
        hl.append(f"<p><b>{label}:</b></p><ol>{''.join(items)}</ol>")
    if new_sources:
        label = "New source" + ("s" if len(new_sources) > 1 else "") + " of the denial"
        text += ["", f"{label}:"]
        text += [f"  - {plain(s.outlet, 60)}, {when(s.published)}: {safe_url(s.url) or plain(s.url)}"
                 for s in new_sources]
        mdl += ["", f"**{label}:** " + ", ".join(f"{md_link(s.outlet, s.url)} ({when(s.published)})"
                                                  for s in new_sources)]
        hl.append(f"<p><b>{label}:</b></p><ul>"
                  + "".join(f"<li>{h_link(s.outlet, s.url)}, {when(s.published)}</li>" for s in new_sources)
                  + "</ul>")
    text += ["", totals, "", f"ref {plain(event.key, 120)}"]
    mdl += ["", md(totals), "", f"ref {md(event.key, 120)}"]
    hl.append(f"<p>{h(totals)}</p><p><small>ref {h(event.key, 120)}</small></p>")
    return Rendered(title, "\n".join(text) + "\n", "\n".join(mdl) + "\n", "".join(hl))


def render_digest(digest: DigestView) -> Rendered:
    """The daily digest: every event of the window once, in its latest state, compactly."""
    day = when(digest.until)[:11]
    n = len(digest.events)
    title = f"Denial digest {day}: {_plural(n, 'event')}"
    head = f"Denial events and matches from {when(digest.since)} to {when(digest.until)}."
    if not digest.events:
        none = "No denial events in this period."
        return Rendered(title, f"{head}\n{none}\n", f"{head}\n\n{none}\n",
                        f"<p>{head}</p><p>{none}</p>")
    text, mdl, hl = [head], [head], [f"<p>{head}</p><ol>"]
    for i, e in enumerate(digest.events, 1):
        quote = _quote_of(e, 200)
        counts = (f"{_plural(len(e.sources), 'denial source')}, "
                  f"{_plural(len(e.reports), 'contradicted report')}")
        text += ["", f"{i}. {plain(e.speaker, 80)}, {when(e.published)}: “{plain(quote)}”",
                 f"   {safe_url(e.quote_url) or plain(e.quote_url)}", f"   {counts}"]
        mdl += ["", f"{i}. **{md(e.speaker, 80)}**, {when(e.published)}: "
                f"{md_link(quote, e.quote_url)} ({counts})"]
        items = []
        for r in e.reports:
            headline = _headline(r.title, 120)
            text.append(f"   - contradicts {plain(r.outlet, 60)}: “{plain(headline)}” "
                        f"(score {_score(r.score)}) {safe_url(r.url) or ''}".rstrip())
            mdl.append(f"    - contradicts {md_link(headline or r.url, r.url)} - "
                       f"{md(r.outlet, 60)} (score {_score(r.score)})")
            items.append(f"<li>contradicts {h_link(headline or r.url, r.url)} - {h(r.outlet, 60)} "
                         f"(score {_score(r.score)})</li>")
        if not e.reports:
            text.append("   - no contradicted report yet")
            mdl.append("    - no contradicted report yet")
        hl.append(f"<li><b>{h(e.speaker, 80)}</b>, {when(e.published)}: {h_link(quote, e.quote_url)} ({counts})"
                  f"<ul>{''.join(items) or '<li>no contradicted report yet</li>'}</ul></li>")
    hl.append("</ol>")
    return Rendered(title, "\n".join(text) + "\n", "\n".join(mdl) + "\n", "".join(hl))


def render_test(now: dt.datetime) -> Rendered:
    title = "statement-monitor test notification"
    body = f"This is a test from statement-monitor at {now.strftime('%d %b %Y %H:%M UTC')}. Delivery works."
    return Rendered(title, body + "\n", body + "\n", f"<p>{html.escape(body)}</p>")
