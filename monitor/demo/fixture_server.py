"""A local web site for tests and demos: serves a folder on 127.0.0.1, with faults on demand.

``monitor demo``, the spider tests and the daemon tests need feeds and pages without
the network. ``FixtureServer(folder)`` serves the folder on 127.0.0.1 at a free port
(port 0), in a background thread, and can be changed while it runs:

- files: ``/a/b/`` serves ``a/b/index.html``; an extension-less path ``/news/75546``
  serves ``news/75546`` or ``news/75546.html``; a query ``?PAGEN_1=2`` is looked up
  as ``index@PAGEN_1=2.html`` (then ignored if no such file);
- ``{{BASE}}`` in a served file is replaced by the server's base URL
  (``http://127.0.0.1:PORT``), so fixtures can hold absolute links;
- ``set_route(path, body, ...)`` overrides or adds a path (a changed page, a new feed);
- ``set_fault(path, mode)``: ``"500"``, ``"hang"`` (answer nothing for ``hang_s``),
  ``"truncate"`` (announce the full length, send half, close), ``"slow"`` (trickle
  the body a few bytes at a time), ``"forbidden"`` (403), or None to clear;
- conditional GET: every 200 carries an ETag (content hash) and a Last-Modified;
  a matching If-None-Match (or, without it, an If-Modified-Since not older) gets 304;
- ``requests`` records each request's path and headers, for assertions.

Only for 127.0.0.1: it binds nothing else. Never used by the daemon in production.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PLACEHOLDER = b"{{BASE}}"
FAULTS = ("500", "hang", "truncate", "slow", "forbidden")
_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".xml": "application/xml", ".rss": "application/rss+xml",
    ".atom": "application/atom+xml", ".txt": "text/plain", ".json": "application/json",
}


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]


@dataclass
class Route:
    """A path served from memory instead of (or in addition to) the folder."""

    body: bytes
    content_type: str = "text/html"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class FixtureServer:
    """Serve ``root`` on 127.0.0.1:<free port> until ``stop()`` (or the ``with`` block ends)."""

    def __init__(self, root: str | Path | None = None, *, hang_s: float = 30.0) -> None:
        self.root = Path(root) if root is not None else None
        self.hang_s = hang_s
        self.routes: dict[str, Route] = {}
        self.faults: dict[str, str] = {}
        self.requests: list[RecordedRequest] = []
        self.last_modified = email.utils.formatdate(time.time() - 3600, usegmt=True)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> "FixtureServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fixture-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "FixtureServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- changing the site ------------------------------------------------------------
    def set_route(self, path: str, body: bytes | str, *, content_type: str = "text/html", status: int = 200,
                  headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.routes[path] = Route(data, content_type, status, dict(headers or {}))

    def remove_route(self, path: str) -> None:
        with self._lock:
            self.routes.pop(path, None)

    def set_fault(self, path: str, mode: str | None) -> None:
        if mode is not None and mode not in FAULTS:
            raise ValueError(f"unknown fault {mode!r} (one of {', '.join(FAULTS)})")
        with self._lock:
            if mode is None:
                self.faults.pop(path, None)
            else:
                self.faults[path] = mode

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # -- serving ------------------------------------------------------------------
    def resolve(self, raw_path: str) -> Route | None:
        """The route or file for a request path (with query), or None for 404."""
        parts = urlsplit(raw_path)
        with self._lock:
            route = self.routes.get(raw_path) or self.routes.get(parts.path)
        if route is not None:
            return Route(route.body.replace(PLACEHOLDER, self.base_url.encode()), route.content_type,
                         route.status, dict(route.headers))
        file = self._find_file(parts.path, parts.query)
        if file is None:
            return None
        body = file.read_bytes().replace(PLACEHOLDER, self.base_url.encode())
        return Route(body, _TYPES.get(file.suffix.lower(), "application/octet-stream"))

    def _find_file(self, path: str, query: str) -> Path | None:
        if self.root is None:
            return None
        root = self.root.resolve()
        rel = path.lstrip("/")
        candidates: list[str] = []
        base = rel + "index.html" if rel.endswith("/") or not rel else rel
        if query:
            stem, dot, ext = base.rpartition(".")
            if dot and "/" not in ext:
                candidates.append(f"{stem}@{query}.{ext}")
            candidates.append(f"{base}@{query}")
        candidates += [base, base + ".html", base.rstrip("/") + "/index.html"]
        for candidate in candidates:
            file = (root / candidate).resolve()
            if root in file.parents and file.is_file():
                return file
        return None


def _handler_class(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet tests
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            with server._lock:
                server.requests.append(RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}))
                fault = server.faults.get(self.path) or server.faults.get(urlsplit(self.path).path)
            if fault == "hang":
                server._stopping.wait(server.hang_s)
                self.close_connection = True
                return
            if fault in ("500", "forbidden"):
                status = 500 if fault == "500" else 403
                self._send(status, b"<html><body>error</body></html>", "text/html")
                return
            route = server.resolve(self.path)
            if route is None:
                self._send(404, b"not found", "text/plain")
                return
            if route.status != 200:
                self._send(route.status, route.body, route.content_type, route.headers)
                return
            etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
            validators = {"ETag": etag, "Last-Modified": server.last_modified}
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if (inm and etag in [t.strip() for t in inm.split(",")]) or (not inm and ims and _not_older(ims, server.last_modified)):
                self._send(304, b"", None, validators)
                return
            headers = {**validators, **route.headers}
            if fault == "truncate":
                self._send_truncated(route.body, route.content_type, headers)
            elif fault == "slow":
                self._send(200, route.body, route.content_type, headers, trickle=True)
            else:
                self._send(200, route.body, route.content_type, headers)

        def _send(self, status: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None,
                  trickle: bool = False) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status == 304:
                return
            try:
                if trickle:
                    for i in range(0, len(body), 16):
                        if server._stopping.wait(0.2):
                            return
                        self.wfile.write(body[i:i + 16])
                        self.wfile.flush()
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _send_truncated(self, body: bytes, content_type: str, headers: dict[str, str]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

    return Handler


def _not_older(if_modified_since: str, last_modified: str) -> bool:
    try:
        ims = email.utils.parsedate_to_datetime(if_modified_since)
        lm = email.utils.parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False
    return ims >= lm


if __name__ == "__main__":  # python -m monitor.demo.fixture_server FOLDER: browse fixtures by hand
    import sys

    with FixtureServer(sys.argv[1] if len(sys.argv) > 1 else ".") as srv:
        print(f"serving {srv.root} at {srv.base_url} (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
