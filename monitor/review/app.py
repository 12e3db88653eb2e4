"""The review page (issue 19): confirm or reject what the monitor asserts, in a browser.

A small Starlette app (Jinja2 templates, plain HTML forms) served by uvicorn on
127.0.0.1 (``monitor review``). Denial events newest first; for each, the denial and
every matched report side by side, with the match's explanation highlighted (the words
and names they share, why it scored); buttons *right*, *wrong match*, *not a denial*,
and a field to add a report the matcher missed. Verdicts go to the ``feedback`` table
through ``Store`` and act at once (see ``monitor.store.feedback``).

Security: reading needs nothing (the page binds to loopback by default); every write
needs a login with the token from ``MONITOR_REVIEW_TOKEN`` (compared in constant time)
and a CSRF token bound to the session (a signed, ``SameSite=Strict``, HTTP-only cookie
from Starlette's ``SessionMiddleware``, itsdangerous underneath); a POST from another
origin is refused. Nothing here runs SQL; it must not hold a connection between requests.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from monitor.alerts.delivery import refresh_unsent_alerts
from monitor.alerts.formatting import clip, readable, reason_with_outlet, when
from monitor.errors import ConfigError, InputError
from monitor.lexicons import display_name, load_outlets
from monitor.store import Store
from monitor.text.entities import concept_label

log = logging.getLogger(__name__)

PAGE_SIZE = 20
#: A token shorter than this is refused: the page may be reachable from other local users.
MIN_TOKEN_LENGTH = 12


@dataclass(frozen=True)
class ReviewSettings:
    """What the app needs, read once at startup."""

    db_path: Path
    #: The shared secret an analyst types to log in.
    token: str
    #: Signs the session cookie; random per start unless given (sessions end with the process).
    secret_key: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str], db_path: Path) -> "ReviewSettings":
        """``MONITOR_REVIEW_TOKEN`` (required) and ``MONITOR_REVIEW_SECRET`` (optional)."""
        token = (environ.get("MONITOR_REVIEW_TOKEN") or "").strip()
        if not token:
            raise ConfigError("MONITOR_REVIEW_TOKEN: not set (the review page needs a token to log in with)")
        if len(token) < MIN_TOKEN_LENGTH:
            raise ConfigError(f"MONITOR_REVIEW_TOKEN: shorter than {MIN_TOKEN_LENGTH} characters")
        secret = environ.get("MONITOR_REVIEW_SECRET") or secrets.token_urlsafe(32)
        return cls(db_path=db_path, token=token, secret_key=secret)


def highlight(text: str | None, terms: list[str]) -> Markup:
    """``text`` escaped, with words starting with any of ``terms`` (stems or names) in <mark>."""
    value = text or ""
    words = sorted({t for t in terms if t and len(t) >= 3}, key=len, reverse=True)
    if not words:
        return escape(value)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(value):
        out.append(escape(value[last : m.start()]))
        out.append(Markup("<mark>") + escape(m.group(0)) + Markup("</mark>"))
        last = m.end()
    out.append(escape(value[last:]))
    return Markup("").join(out)


def explanation_view(raw: str | None, outlets: Mapping[str, str]) -> dict[str, Any]:
    """What the page shows of a match explanation: reason, shared names, words, components."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    shared = [concept_label(c) for c in data.get("shared_entities") or [] if not str(c).startswith("event:")]
    reason = reason_with_outlet(data, outlets)
    words = [str(w) for w in data.get("matched_words") or []]
    terms = words + [part for label in shared for part in label.split()]
    return {"reason": reason, "shared": shared, "words": words, "terms": terms,
            "components": data.get("components") or {}, "penalties": data.get("penalties") or []}


def _same_origin(request: Request) -> bool:
    """A browser's POST names its origin; one naming another host is a forged request."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def create_app(settings: ReviewSettings) -> Starlette:
    """The review app for one archive. Nothing global: each call builds a new app."""
    outlets = load_outlets()
    templates = Jinja2Templates(directory=str(resources.files("monitor.review") / "templates"))
    templates.env.filters.update(when=when, clip=clip, highlight=highlight, readable=readable)
    templates.env.globals.update(outlet=lambda slug: display_name(slug, outlets))

    def open_store() -> Store:
        return Store.open(settings.db_path)

    def csrf_token(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(32)
        return str(request.session["csrf"])

    def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
        context = {"who": request.session.get("who"), "csrf": csrf_token(request),
                   "flash": request.session.pop("flash", None), **context}
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    async def checked_form(request: Request) -> dict[str, str] | Response:
        """The POSTed form if it carries the session's CSRF token and comes from here."""
        form = await request.form()
        fields = {k: str(v) for k, v in form.items()}
        expected = request.session.get("csrf")
        if not expected or not hmac.compare_digest(fields.get("csrf", ""), str(expected)) or not _same_origin(request):
            log.warning("review: refused a POST without a valid CSRF token path=%s", request.url.path)
            return PlainTextResponse("Forbidden: missing or invalid form token; reload the page.", status_code=403)
        return fields

    def load_events(page: int, awaiting: bool) -> list[dict[str, Any]]:
        with open_store() as store:
            ids = store.review_event_ids(PAGE_SIZE + 1, page * PAGE_SIZE, awaiting=awaiting)
            events = [store.review_event(i) for i in ids]
        out = []
        for ev in events:
            if ev is None:
                continue
            denials = {d["id"]: d for d in ev["denials"]}
            for d in ev["denials"]:
                d["quote_text"] = readable(d["quote"], 600, d["speaker"], answer_only=True) or d["quote"]
            reports: dict[int, dict[str, Any]] = {}
            for m in ev["matches"]:  # best match per report (ordered by score)
                if m["report_id"] in reports:
                    continue
                m["why"] = explanation_view(m["explanation"], outlets)
                m["denial"] = denials.get(m["denial_id"])
                reports[m["report_id"]] = m
            ev["reports"] = list(reports.values())
            ev["standing"] = [d for d in ev["denials"] if not d["rejected"]]
            out.append(ev)
        return out

    async def index(request: Request) -> Response:
        try:
            page = max(0, int(request.query_params.get("page", "0")))
        except ValueError:
            page = 0
        awaiting = request.query_params.get("awaiting") == "1"
        events = await run_in_threadpool(load_events, page, awaiting)
        return render(request, "index.html", {"events": events[:PAGE_SIZE], "page": page,
                                              "more": len(events) > PAGE_SIZE, "awaiting": awaiting})

    async def login_form(request: Request) -> Response:
        return render(request, "login.html", {"error": None})

    async def login(request: Request) -> Response:
        fields = await checked_form(request)
        if isinstance(fields, Response):
            return fields
        if not hmac.compare_digest(fields.get("token", "").encode(), settings.token.encode()):
            log.warning("review: login refused")
            return render(request, "login.html", {"error": "Wrong token."}, status_code=401)
        who = " ".join(fields.get("who", "").split())[:80] or "analyst"
        request.session.clear()
        request.session["who"] = who
        request.session["csrf"] = secrets.token_urlsafe(32)  # a new session gets a new token
        log.info("review: login who=%s", who)
        return RedirectResponse("/", status_code=303)

    async def logout(request: Request) -> Response:
        fields = await checked_form(request)
        if isinstance(fields, Response):
            return fields
        request.session.clear()
        return RedirectResponse("/", status_code=303)

    async def feedback(request: Request) -> Response:
        fields = await checked_form(request)
        if isinstance(fields, Response):
            return fields
        who = request.session.get("who")
        if not who:
            return RedirectResponse("/login", status_code=303)
        kind = request.path_params["kind"]
        target = int(request.path_params["target"])
        note = fields.get("note", "").strip()[:2000] or None
        verdict = fields.get("verdict", "")
        event = fields.get("event", "")

        def write() -> str:
            with open_store() as store:
                with store.atomic():
                    if kind == "match":
                        store.record_match_verdict(target, verdict, note=note, who=who, via="review")
                        done = f"Match {target} marked {verdict}."
                    elif kind == "denial":
                        store.record_denial_verdict(target, verdict, note=note, who=who, via="review")
                        done = f"Denial {target} marked {verdict}."
                    else:
                        store.record_missed_report(target, fields.get("url", ""), note=note, who=who, via="review")
                        return "Missed report recorded."
                    # an alert queued before the verdict must not say otherwise
                    refresh_unsent_alerts(store)
                    return done

        if kind not in ("match", "denial", "missed"):
            return PlainTextResponse("Not found", status_code=404)
        try:
            request.session["flash"] = await run_in_threadpool(write)
        except InputError as exc:
            request.session["flash"] = f"Not recorded: {exc}"
        anchor = f"#event-{int(event)}" if event.isdigit() else ""
        return RedirectResponse(f"/{anchor}", status_code=303)

    static = StaticFiles(directory=str(resources.files("monitor.review") / "static"))
    routes = [
        Route("/", index),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/feedback/{kind}/{target:int}", feedback, methods=["POST"]),
        Mount("/static", static, name="static"),
    ]
    middleware = [Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="monitor_review",
                             same_site="strict", https_only=False, max_age=12 * 3600)]
    return Starlette(routes=routes, middleware=middleware)


def serve(settings: ReviewSettings, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", server_header=False)
