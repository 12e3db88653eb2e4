#!/usr/bin/env python3
"""Serve misbehaving feeds on 127.0.0.1 by hand (issue 9), to try a catalogue against them.

    .venv/bin/python scripts/fault_server.py --list          # the fault paths
    .venv/bin/python scripts/fault_server.py --port 8765     # serve until Ctrl-C
    .venv/bin/python scripts/fault_server.py --catalogue faults.toml   # also write a catalogue

The faults are those of ``tests/fault_helpers.FaultServer`` (hang, trickle, truncated,
redirect loop, 4xx/5xx, empty, garbage, 100 MB bodies...), plus three healthy feeds.
Then: ``monitor crawl --sources faults.toml --db /tmp/faults.db``.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fault_helpers import FaultServer  # noqa: E402

FAULTS = {
    "http-404": "/status/404", "http-500": "/status/500", "http-503": "/status/503", "hang": "/hang",
    "trickle": "/trickle", "truncated": "/truncate", "redirect-loop": "/redirect-loop/a",
    "wrong-type": "/wrong-type", "html-as-feed": "/html-as-feed", "garbage": "/garbage", "empty-200": "/empty",
    "reset": "/reset", "huge-streamed": "/huge", "huge-announced": "/huge-announced",
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--list", action="store_true", help="print the fault paths and exit")
    p.add_argument("--catalogue", type=Path, default=None, help="write a sources catalogue for these faults")
    args = p.parse_args(argv)
    if args.list:
        for name, path in FAULTS.items():
            print(f"{name:<16} {path}")
        return 0
    server = FaultServer(hang_s=3600)
    if args.port:
        server.httpd.server_close()
        from http.server import ThreadingHTTPServer

        from fault_helpers import _handler

        server.httpd = ThreadingHTTPServer(("127.0.0.1", args.port), _handler(server))
        server.httpd.daemon_threads = True
        server.thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    server.start()
    sources = {f"good-{n}": server.add_feed(f"good{n}", items=3) for n in range(3)}
    sources.update(FAULTS)
    for name, path in sources.items():
        print(f"{name:<16} {server.url(path)}")
    if args.catalogue:
        args.catalogue.write_text("".join(
            f'[[source]]\nname = "{name}"\nspider = "feed"\nurl = "{server.url(path)}"\nfetch_articles = false\n\n'
            for name, path in sources.items()), encoding="utf-8")
        print(f"catalogue written to {args.catalogue}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
