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
from typing import Sequence

from monitor.timeutil import parse_timestamp

#: Characters that start CommonMark/Slack markup; escaped with a backslash in untrusted text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>!#])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
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


def one_line(value: str | None, limit: int | None = None) -> str:
    """Untrusted text as one line: control characters and line breaks become spaces."""
    text = " ".join(_CONTROL.sub(" ", value or "").split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


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


# -- event alert ---------------------------------------------------------------------


def event_title(event: EventView) -> str:
    n = len(event.reports)
    return f"Denial: {plain(event.speaker, 60)} - {n} contradicted report{'s' if n != 1 else ''}"


def _claim_adds(event: EventView) -> bool:
    """Show the denied claim only when it says more than the quote already does."""
    claim = one_line(event.claim)
    return bool(claim) and claim[:40] not in one_line(event.quote)


def render_event(event: EventView) -> Rendered:
    """The full alert for a denial event and the reports it contradicts."""
    title = event_title(event)
    if not _claim_adds(event):
        event = EventView(event.key, event.speaker, event.published, event.quote, event.quote_url, "",
                          event.sources, event.reports)
    quote_url = safe_url(event.quote_url) or plain(event.quote_url)

    text = [f"{plain(event.speaker, 80)}, {when(event.published)}:",
            f"  \"{plain(event.quote, QUOTE_MAX)}\"", f"  {quote_url}"]
    if event.claim:
        text.append(f"Denied claim: {plain(event.claim, 300)}")
    text += ["", f"Sources of the denial ({len(event.sources)}):"]
    text += [f"  - {plain(s.source, 40)}, {when(s.published)}: {safe_url(s.url) or plain(s.url)}"
             for s in event.sources]
    text += ["", f"Contradicted reports ({len(event.reports)}):"]
    for i, r in enumerate(event.reports, 1):
        text += [f"{i}. {plain(r.source, 40)}, {when(r.published)}: \"{plain(r.title, HEADLINE_MAX)}\"",
                 f"   {safe_url(r.url) or plain(r.url)}",
                 f"   score {_score(r.score)}: {plain(r.reason, 300) or 'no reason recorded'}"]
    text += ["", f"ref {plain(event.key, 120)}"]

    mdl = [f"**{md(event.speaker, 80)}**, {when(event.published)}:",
           f"> {md(event.quote, QUOTE_MAX)}",
           f"{md_link('Read the denial', event.quote_url)}"]
    if event.claim:
        mdl.append(f"**Denied claim:** {md(event.claim, 300)}")
    mdl += ["", f"**Sources of the denial ({len(event.sources)}):** "
            + ", ".join(f"{md_link(s.source, s.url)} ({when(s.published)})" for s in event.sources)]
    mdl += ["", f"**Contradicted reports ({len(event.reports)}):**"]
    for i, r in enumerate(event.reports, 1):
        mdl.append(f"{i}. {md_link(one_line(r.title, HEADLINE_MAX) or r.url, r.url)} - {md(r.source, 40)},"
                   f" {when(r.published)}; score {_score(r.score)}: {md(r.reason, 300) or 'no reason recorded'}")
    mdl += ["", f"ref {md(event.key, 120)}"]

    reports_html = "".join(
        f"<li>{h_link(r.title or r.url, r.url)}<br>{h(r.source, 40)}, {when(r.published)}; "
        f"score <b>{_score(r.score)}</b>: {h(r.reason, 300) or 'no reason recorded'}</li>"
        for r in event.reports
    )
    sources_html = "".join(f"<li>{h_link(s.source, s.url)}, {when(s.published)}</li>" for s in event.sources)
    claim_html = f"<p><b>Denied claim:</b> {h(event.claim, 300)}</p>" if event.claim else ""
    body_html = (
        f"<p><b>{h(event.speaker, 80)}</b>, {when(event.published)}:</p>"
        f"<blockquote>{h(event.quote, QUOTE_MAX)}</blockquote>"
        f"<p>{h_link('Read the denial', event.quote_url)}</p>{claim_html}"
        f"<p><b>Sources of the denial ({len(event.sources)}):</b></p><ul>{sources_html}</ul>"
        f"<p><b>Contradicted reports ({len(event.reports)}):</b></p><ol>{reports_html}</ol>"
        f"<p><small>ref {h(event.key, 120)}</small></p>"
    )
    return Rendered(title, "\n".join(text) + "\n", "\n".join(mdl) + "\n", body_html)


def render_followup(event: EventView, report: SourceView) -> Rendered:
    """A short follow-up: one more report contradicted by an event already alerted."""
    title = f"Follow-up: another report contradicted by {plain(event.speaker, 60)}'s denial"
    text = "\n".join([
        f"Denial ({when(event.published)}): \"{plain(event.quote, 200)}\"",
        f"  {safe_url(event.quote_url) or plain(event.quote_url)}",
        f"New report: {plain(report.source, 40)}, {when(report.published)}: \"{plain(report.title, HEADLINE_MAX)}\"",
        f"  {safe_url(report.url) or plain(report.url)}",
        f"  score {_score(report.score)}: {plain(report.reason, 300) or 'no reason recorded'}",
        "", f"ref {plain(event.key, 120)}",
    ]) + "\n"
    markdown = "\n".join([
        f"**Follow-up** to the denial by **{md(event.speaker, 80)}** ({when(event.published)}):"
        f" {md_link(one_line(event.quote, 200), event.quote_url)}",
        f"New report: {md_link(one_line(report.title, HEADLINE_MAX) or report.url, report.url)} - "
        f"{md(report.source, 40)}, {when(report.published)}; score {_score(report.score)}:"
        f" {md(report.reason, 300) or 'no reason recorded'}",
        "", f"ref {md(event.key, 120)}",
    ]) + "\n"
    body_html = (
        f"<p><b>Follow-up</b> to the denial by <b>{h(event.speaker, 80)}</b> ({when(event.published)}): "
        f"{h_link(one_line(event.quote, 200), event.quote_url)}</p>"
        f"<p>New report: {h_link(report.title or report.url, report.url)}<br>{h(report.source, 40)}, "
        f"{when(report.published)}; score <b>{_score(report.score)}</b>: "
        f"{h(report.reason, 300) or 'no reason recorded'}</p><p><small>ref {h(event.key, 120)}</small></p>"
    )
    return Rendered(title, text, markdown, body_html)


def render_digest(digest: DigestView) -> Rendered:
    """The daily digest: every event of the window with its reports, compactly."""
    day = when(digest.until)[:11]
    n = len(digest.events)
    title = f"Denial digest {day}: {n} event{'s' if n != 1 else ''}"
    head = f"Denial events and matches from {when(digest.since)} to {when(digest.until)}."
    if not digest.events:
        none = "No denial events in this period."
        return Rendered(title, f"{head}\n{none}\n", f"{head}\n\n{none}\n",
                        f"<p>{head}</p><p>{none}</p>")
    text, mdl, hl = [head], [head], [f"<p>{head}</p><ol>"]
    for i, e in enumerate(digest.events, 1):
        text += ["", f"{i}. {plain(e.speaker, 80)}, {when(e.published)}: \"{plain(e.quote, 200)}\"",
                 f"   {safe_url(e.quote_url) or plain(e.quote_url)}"]
        mdl += ["", f"{i}. **{md(e.speaker, 80)}**, {when(e.published)}: "
                f"{md_link(one_line(e.quote, 200), e.quote_url)}"]
        items = []
        for r in e.reports:
            text.append(f"   - contradicts {plain(r.source, 40)}: \"{plain(r.title, 120)}\" "
                        f"(score {_score(r.score)}) {safe_url(r.url) or ''}".rstrip())
            mdl.append(f"    - contradicts {md_link(one_line(r.title, 120) or r.url, r.url)} - "
                       f"{md(r.source, 40)} (score {_score(r.score)})")
            items.append(f"<li>contradicts {h_link(r.title or r.url, r.url)} - {h(r.source, 40)} "
                         f"(score {_score(r.score)})</li>")
        if not e.reports:
            text.append("   - no contradicted report yet")
            mdl.append("    - no contradicted report yet")
        hl.append(f"<li><b>{h(e.speaker, 80)}</b>, {when(e.published)}: {h_link(one_line(e.quote, 200), e.quote_url)}"
                  f"<ul>{''.join(items) or '<li>no contradicted report yet</li>'}</ul></li>")
    hl.append("</ol>")
    return Rendered(title, "\n".join(text) + "\n", "\n".join(mdl) + "\n", "".join(hl))


def render_test(now: dt.datetime) -> Rendered:
    title = "statement-monitor test notification"
    body = f"This is a test from statement-monitor at {now.strftime('%d %b %Y %H:%M UTC')}. Delivery works."
    return Rendered(title, body + "\n", body + "\n", f"<p>{html.escape(body)}</p>")
