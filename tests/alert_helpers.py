"""Local notification receivers for alert tests: an HTTP endpoint and an SMTP sink on 127.0.0.1.

The HTTP receiver records every POST (path, JSON or form body) and can be told to
answer with an error status, to play a Slack/json endpoint that is down.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    body: Any
    raw: bytes


@dataclass
class HttpReceiver:
    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    #: HTTP status to answer with; 200 means up.
    status: int = 200

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, scheme: str = "json", path: str = "hook") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/{path}"


def start_http_receiver() -> HttpReceiver:
    holder: dict[str, HttpReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            recv = holder["r"]
            if recv.status == 200:
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype:
                    body: Any = json.loads(raw)
                else:
                    body = dict(urllib.parse.parse_qsl(raw.decode()))
                recv.received.append(Received(self.path, body, raw))
            self.send_response(recv.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if recv.status == 200 else b"down")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["r"] = HttpReceiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return holder["r"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """aiosmtpd controller collecting messages as ``EmailMessage`` objects."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def url(self, tags: str = "") -> str:
        prefix = f"{tags}=" if tags else ""
        return f"{prefix}mailto://127.0.0.1:{self.port}?from=alerts@example.org&to=analysts@example.org"

    def bodies(self, message: EmailMessage) -> dict[str, str]:
        found = {}
        for part in message.walk():
            if part.get_content_maintype() == "text":
                found[part.get_content_subtype()] = part.get_content()
        return found


# -- seeding an archive with a denial event, as detection and matching would ----------

HOSTILE = "<!channel> @here <@U123> <script>alert(1)</script> [click](http://evil.example) <http://evil.example|forged>"


def add_doc(store: Any, url: str, title: str, text: str, published: str, source: str, role: str = "media") -> int:
    import datetime as dt

    from monitor.models import Document

    doc = Document(url=url, title=title, text=text, published=dt.datetime.fromisoformat(published),
                   source=source, role=role, lang="en")
    return int(store.upsert_document(doc).id)


def seed_event(store: Any, *, key: str = "peskov-call-2024-11-11", report_title: str = "Trump spoke with Putin",
               reports: int = 1, published: str = "2024-11-11T09:12:00+00:00") -> int:
    """One denial event (Kremlin page + TASS coverage) contradicting ``reports`` outlet reports."""
    with store.atomic():
        event_id = int(store.db["denial_events"].insert({
            "key": key, "speaker": "Dmitry Peskov", "claim": "Trump and Putin spoke by phone",
            "event_type": "event:call", "entities": "[]", "first_published": published,
            "last_published": published}).last_pk)
        kremlin = add_doc(store, f"http://kremlin.example/events/{key}", "Answers to media questions",
                          "Peskov: This is pure fiction, there was no call.", published, "kremlin-en", "official")
        tass = add_doc(store, f"http://tass.example/{key}", "Kremlin denies report", "TASS: Peskov denied.",
                       published.replace("09:12", "10:30"), "tass-en")
        denial_ids = []
        for doc_id in (kremlin, tass):
            denial_ids.append(int(store.db["denials"].insert({
                "document_id": doc_id, "speaker": "Dmitry Peskov", "cue": "pure fiction",
                "quote": "This is completely untrue, it is pure fiction.", "claim": "Trump and Putin spoke by phone",
                "event_id": event_id, "published": published}).last_pk))
        for n in range(reports):
            add_match(store, denial_ids[0], f"http://wapo.example/politics/{key}-{n}",
                      report_title if n == 0 else f"{report_title} ({n})")
    return event_id


def add_match(store: Any, denial_id: int, url: str, title: str, score: float = 0.87,
              published: str = "2024-11-10T18:00:00+00:00", created_at: str = "2024-11-11T09:20:00+00:00") -> int:
    import json as _json

    report = add_doc(store, url, title, "Trump spoke with Putin by phone on Thursday.", published, "washingtonpost")
    store.db["matches"].insert({"denial_id": denial_id, "report_id": report, "score": score,
                                "explanation": _json.dumps({"reason": "same people (Trump, Putin), same call,"
                                                            " names the outlet"}), "created_at": created_at})
    return report
