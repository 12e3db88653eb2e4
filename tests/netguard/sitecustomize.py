"""Loopback-only networking for the test suite, in pytest and in every Python child it starts.

The suite promises that nothing leaves 127.0.0.1: spiders, Apprise and the daemon are
exercised against local servers only. ``tests/conftest.py`` puts this folder first on
``PYTHONPATH`` and sets ``MONITOR_TEST_NETGUARD_LOG``, so every Python process the tests
start (crawl children, ``monitor run``, ``monitor import``) imports this module at start-up.
A connection or name lookup for anything but loopback is refused and written to that
log, and the test that caused it fails, naming the address.
"""

from __future__ import annotations

import ipaddress
import os
import socket

LOG_VAR = "MONITOR_TEST_NETGUARD_LOG"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return True  # not an internet host (a Unix socket path given as bytes, etc.)
    # This machine's own name: smtplib looks it up for its EHLO greeting (socket.getfqdn).
    if host in _LOCAL_NAMES or host == "" or host == socket.gethostname():
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str, target: object) -> None:
    line = f"pid {os.getpid()}: {what} {target!r}\n"
    path = os.environ.get(LOG_VAR)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line)
    raise ConnectionRefusedError(f"test network guard: {what} {target!r} is not loopback")


def install() -> None:
    """Wrap the socket functions once; idempotent."""
    if getattr(socket, "_monitor_netguard", False):
        return
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    getaddrinfo, gethostbyname = socket.getaddrinfo, socket.gethostbyname

    def guarded_connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):  # type: ignore[index]
            _refuse("connect to", address)
        return connect(self, address)  # type: ignore[arg-type]

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):  # type: ignore[index]
            _refuse("connect to", address)
        return connect_ex(self, address)  # type: ignore[arg-type]

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not is_loopback(name):
            _refuse("name lookup of", name)
        return getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    def guarded_gethostbyname(host: str) -> str:
        if not is_loopback(host):
            _refuse("name lookup of", host)
        return gethostbyname(host)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo  # type: ignore[assignment]
    socket.gethostbyname = guarded_gethostbyname
    socket._monitor_netguard = True  # type: ignore[attr-defined]


if os.environ.get(LOG_VAR):
    install()
