"""Misbehaving web servers and feeds for the reliability tests and ``scripts/soak.py`` (issue 9).

``FaultServer`` serves, on 127.0.0.1 at a free port, one fault per path:

- ``/ok/<name>.rss``: a well-formed RSS feed of ``items`` entries (registered with ``add_feed``);
- ``/status/<code>``: that HTTP status with a small HTML body (404, 410, 500, 503...);
- ``/hang``: accepts the request, answers nothing until the server stops (or ``hang_s``);
- ``/trickle``: 200 announcing 100 kB, then 8 bytes every 0.25 s;
- ``/truncate``: 200 announcing 50 kB, sends the first 2 kB of a feed, closes;
- ``/redirect-loop/a`` <-> ``/redirect-loop/b``: 302 for ever;
- ``/wrong-type``: a valid feed served as ``application/octet-stream``;
- ``/html-as-feed``: an HTML page served as ``application/rss+xml``;
- ``/garbage``: random bytes served as ``application/rss+xml``;
- ``/empty``: 200 with an empty body;
- ``/reset``: closes the connection without answering;
- ``/huge``: a feed of ``huge_bytes`` (default 100 MB) generated on the fly and streamed
  with no Content-Length (the client cannot refuse it up front; only its size limit
  stops it); ``/huge-announced``: the same with Content-Length announced;
- anything registered with ``set_route(path, body, content_type)`` (hostile feeds);
- any POST: recorded in ``hits`` and answered 200 (a json:// or form:// notification target).

It counts requests and bytes sent per path (``hits``, ``sent``). ``/robots.txt`` is a
quick 404. ``FeedFarm`` is a set of feeds whose content changes over time, for the soak.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

RSS_TYPE = "application/rss+xml"


def rss(items: list[dict[str, str]], title: str = "Test feed", link: str = "http://127.0.0.1/",
        encoding: str = "utf-8") -> bytes:
    """A small RSS 2.0 document; each item dict has url, title, text and optionally published."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>',
             f"<title>{escape(title)}</title><link>{escape(link)}</link><description>t</description>"
             "<language>en</language>"]
    for it in items:
        pub = it.get("published") or "Mon, 11 Nov 2024 09:12:00 +0000"
        parts.append(f"<item><title>{escape(it['title'])}</title><link>{escape(it['url'])}</link>"
                     f"<guid>{escape(it['url'])}</guid><pubDate>{pub}</pubDate>"
                     f"<description>{escape(it['text'])}</description></item>")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode(encoding, errors="xmlcharrefreplace")


def free_port() -> int:
    """A port nothing listens on (bound, then released): connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FaultServer:
    """A threaded HTTP server on 127.0.0.1 whose paths misbehave on purpose."""

    def __init__(self, *, hang_s: float = 120.0, huge_bytes: int = 100 * 1024 * 1024) -> None:
        self.hang_s = hang_s
        self.huge_bytes = huge_bytes
        self.routes: dict[str, tuple[bytes, str, int]] = {}
        #: path prefix -> function(path) -> body or None (content that changes per request)
        self.dynamic: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       name="fault-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> "FaultServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "FaultServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_route(self, path: str, body: bytes | str, content_type: str = RSS_TYPE, status: int = 200) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self.lock:
            self.routes[path] = (data, content_type, status)

    def add_feed(self, name: str, items: int = 3, prefix: str = "") -> str:
        """Register ``/ok/<name>.rss`` with ``items`` entries; return its path."""
        path = f"/ok/{name}.rss"
        entries = [{"url": self.url(f"/ok/{name}/{prefix}{k}"), "title": f"{name} item {prefix}{k}",
                    "text": f"Body of {name} item {prefix}{k}. The ministry commented on shipping."}
                   for k in range(items)]
        self.set_route(path, rss(entries, title=name, link=self.url("/")))
        return path

    def count(self, path: str, sent: int = 0) -> None:
        with self.lock:
            if sent:
                self.sent[path] += sent
            else:
                self.hits[path] += 1


def _handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            path = self.path.split("?", 1)[0]
            server.count(path)
            try:
                self.dispatch(path)
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                self.close_connection = True

        def do_POST(self) -> None:  # noqa: N802 - a notification endpoint: record, answer 200
            path = self.path.split("?", 1)[0]
            server.count(path)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send(200, b"ok", "text/plain")

        def send(self, status: int, body: bytes, ctype: str = "text/html", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
            server.count(self.path, len(body))

        def dispatch(self, path: str) -> None:
            with server.lock:
                route = server.routes.get(path)
                dynamic = next((fn for prefix, fn in server.dynamic.items() if path.startswith(prefix)), None)
            body = dynamic(path) if dynamic is not None else None
            if body is not None:
                self.send(200, body, RSS_TYPE)
            elif route is not None:
                body, ctype, status = route
                self.send(status, body, ctype)
            elif path == "/robots.txt":
                self.send(404, b"not found", "text/plain")
            elif path.startswith("/status/"):
                code = int(path.rsplit("/", 1)[1])
                self.send(code, f"<html><body>error {code}</body></html>".encode())
            elif path == "/hang":
                server.stopping.wait(server.hang_s)
                self.close_connection = True
            elif path == "/reset":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", RSS_TYPE)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                deadline = time.monotonic() + server.hang_s
                while time.monotonic() < deadline and not server.stopping.wait(0.25):
                    self.wfile.write(b"<!-- x -->"[:8])
                    self.wfile.flush()
                    server.count(path, 8)
                self.close_connection = True
            elif path == "/truncate":
                body = rss([{"url": server.url(f"/t/{k}"), "title": f"t{k}", "text": "x" * 200} for k in range(40)])
                self.send_response(200)
                self.send_header("Content-Type", RSS_TYPE)
                self.send_header("Content-Length", "50000")
                self.end_headers()
                self.wfile.write(body[:2000])
                self.wfile.flush()
                server.count(path, 2000)
                self.close_connection = True
            elif path.startswith("/redirect-loop/"):
                other = "/redirect-loop/b" if path.endswith("/a") else "/redirect-loop/a"
                self.send(302, b"moved", "text/html", {"Location": server.url(other)})
            elif path == "/wrong-type":
                body = rss([{"url": server.url(f"/wrong-type/{k}"), "title": f"Wrong type item {k}",
                             "text": f"Served as octet-stream, still a feed {k}."} for k in range(2)])
                self.send(200, body, "application/octet-stream")
            elif path == "/html-as-feed":
                self.send(200, b"<!DOCTYPE html><html><body><h1>Please enable JavaScript</h1></body></html>", RSS_TYPE)
            elif path == "/garbage":
                self.send(200, os.urandom(4096), RSS_TYPE)
            elif path == "/empty":
                self.send(200, b"", RSS_TYPE)
            elif path in ("/huge", "/huge-announced"):
                self.stream_huge(path, announce=path == "/huge-announced")
            else:
                self.send(404, b"not found", "text/plain")

        def stream_huge(self, path: str, announce: bool) -> None:
            head = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>huge</title>'
            item = (b"<item><title>filler</title><link>http://127.0.0.1/filler</link><description>"
                    + b"y" * 900 + b"</description></item>")
            chunk = item * 64  # ~64 kB
            self.send_response(200)
            self.send_header("Content-Type", RSS_TYPE)
            if announce:
                self.send_header("Content-Length", str(server.huge_bytes))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self.wfile.write(head)
            total = len(head)
            while total < server.huge_bytes and not server.stopping.is_set():
                piece = chunk[: server.huge_bytes - total]
                self.wfile.write(piece)
                total += len(piece)
                server.count(path, len(piece))

    return Handler


class FeedFarm:
    """``n`` feeds on one ``FaultServer`` whose items change every ``period_s`` seconds.

    Feed ``k`` at time ``t`` lists the ``window`` newest items of the sequence
    ``0, 1, 2, ...`` where item ``j`` appears at ``j * period_s`` (staggered per feed). Every
    item's URL, title, text and date are fixed once it exists, so archiving one twice
    would be a duplicate (or a spurious revision), not an update. ``published_items()``
    lists every item some response listed.
    """

    def __init__(self, server: FaultServer, n: int, period_s: float = 3.0, window: int = 5) -> None:
        self.server = server
        self.n = n
        self.period_s = period_s
        self.window = window
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.base = dt.datetime(2024, 11, 11, tzinfo=dt.timezone.utc)
        #: canonical URLs of every item some response listed
        self.listed: set[str] = set()
        #: once set, feeds stop changing (so a last round of crawls can catch up)
        self.frozen_at: float | None = None
        server.dynamic["/farm/"] = self.render

    @staticmethod
    def name(k: int) -> str:
        return f"feed-{k:03d}"

    def path(self, k: int) -> str:
        return f"/farm/{self.name(k)}.rss"

    def render(self, path: str) -> bytes | None:
        name = path[len("/farm/"):-len(".rss")]
        try:
            k = int(name.rsplit("-", 1)[1])
        except (IndexError, ValueError):
            return None
        elapsed = (self.frozen_at or time.monotonic()) - self.t0 + (k % 7) * self.period_s / 7
        newest = int(elapsed // self.period_s)
        items = []
        for j in range(newest, max(-1, newest - self.window), -1):
            when = self.base + dt.timedelta(minutes=j)
            items.append({"url": self.server.url(f"/farm/{name}/item-{j}"), "title": f"{name} story {j}",
                          "text": f"Story {j} of {name}: officials commented on the grain corridor.",
                          "published": email.utils.format_datetime(when)})
        with self.lock:
            self.listed.update(it["url"] for it in items)
        return rss(items, title=name, link=self.server.url("/farm/"))

    def freeze(self) -> None:
        self.frozen_at = time.monotonic()

    def published_items(self) -> set[str]:
        """URLs of every item that any response listed."""
        with self.lock:
            return set(self.listed)
