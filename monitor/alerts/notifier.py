"""Notification targets: Apprise URLs from ``APPRISE_URLS`` and/or an Apprise config file.

Loaded once at startup into a ``Notifier``; delivery makes one ``Apprise`` object per
service per alert (never a shared global one, never touching the plugin registry).

Routing: an alert of kind ``denial`` or ``followup`` goes to services tagged
``denial``, a digest to ``digest``, a test to every service. A service with **no tag
receives every kind** (so ``APPRISE_URLS=slack://...`` alone just works); tag a URL to
narrow what it gets. Apprise's own ``always`` tag also receives everything. When URLs
are configured but none carries the alert's tag, that is "no route": the alert is
not sent and is retried (then failed), never counted as delivered.

With no URL at all the notifier is a console: alerts are printed as text on stdout.

Secrets: URLs are only ever shown through ``url(privacy=True)``; the archive only
gets a fingerprint (a SHA-256 prefix) of a service, to remember who already has an alert.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, TextIO

import apprise

from monitor.errors import ConfigError

log = logging.getLogger(__name__)

#: Apprise's tag that matches a service whatever tag a notification is sent with.
ALWAYS_TAG = "always"
#: Alert kind -> Apprise tag.
KIND_TAGS = {"denial": "denial", "followup": "denial", "digest": "digest"}

# APPRISE_URLS: entries separated by whitespace, or by commas that precede another
# URL; an entry may start with "tag1,tag2=" (Apprise's text-config syntax).
_ENTRY_SPLIT = re.compile(r"\s+|,(?=[A-Za-z][\w+.-]*://)")


@dataclass(frozen=True)
class ServiceResult:
    """Outcome of sending one alert to one service."""

    masked_url: str
    fingerprint: str
    ok: bool
    error: str = ""


def fingerprint(service: Any) -> str:
    """A stable id for a service that does not reveal its URL."""
    return hashlib.sha256(service.url(privacy=False).encode("utf-8")).hexdigest()[:16]


#: Query arguments whose values are secret even though Apprise's privacy mode shows them:
#: custom headers (``+Authorization=...``), payload overrides (``:key=...``), and anything
#: named like a credential.
_SECRET_ARG = re.compile(r"^[+:]|token|secret|key|pass|auth|sig", re.I)


def masked(service: Any) -> str:
    """The service's URL for display: Apprise's privacy form, with header values masked too."""
    url = str(service.url(privacy=True))
    base, sep, query = url.partition("?")
    if not sep:
        return url
    parts = []
    for item in query.split("&"):
        name, eq, value = item.partition("=")
        if eq and _SECRET_ARG.search(urllib.parse.unquote(name)) and value:
            value = "****"
        parts.append(f"{name}{eq}{value}")
    return f"{base}?{'&'.join(parts)}"


def _apprise_asset() -> apprise.AppriseAsset:
    return apprise.AppriseAsset(app_id="statement-monitor", app_desc="statement-monitor alerts")


class Notifier:
    """The configured services; ``console`` when there are none."""

    def __init__(self, services: Iterable[Any] = (), *, console: TextIO | None = None, origin: str = "") -> None:
        self.services = list(services)
        self._console = console
        #: Where the services came from (``APPRISE_URLS``, a file), for error messages.
        self.origin = origin or "the notification URLs"

    @property
    def is_console(self) -> bool:
        return not self.services

    @property
    def console(self) -> TextIO:
        return self._console or sys.stdout

    @classmethod
    def from_config(cls, urls: str | None = None, config_path: str | os.PathLike[str] | None = None,
                    *, console: TextIO | None = None) -> "Notifier":
        """Load services from an ``APPRISE_URLS``-style string and/or a config file.

        Raises ``ConfigError`` naming the variable or file (never the URL itself) when
        something given yields no service: a bad scheme, an unreadable file, bad YAML.
        """
        services: list[Any] = []
        origins = []
        if urls and urls.strip():
            with _quiet_apprise():
                services += _load_urls(urls)
            origins.append("APPRISE_URLS")
        if config_path:
            services += _load_file(Path(config_path))
            origins.append(str(config_path))
        return cls(services, console=console, origin=" + ".join(origins))

    def check_routes(self, tags: Iterable[str] = tuple(dict.fromkeys(KIND_TAGS.values()))) -> None:
        """``ConfigError`` when an alert tag reaches no service, or a service only has tags nothing sends.

        Called at daemon start (issue 17): "no route" found at the first denial, hours
        later, is an alert lost; a typo such as ``denials=slack://...`` is a service that
        would never receive anything. A console notifier (no URL) routes everything.
        """
        if self.is_console:
            return
        problems = []
        for tag in tags:
            if not self.route(tag):
                problems.append(f"{self.origin}: no notification URL receives {tag!r} alerts; tag one {tag!r}"
                                f" (or {ALWAYS_TAG!r}), or leave one untagged")
        known = set(KIND_TAGS.values()) | {ALWAYS_TAG}
        for service in self.services:
            own = {str(t) for t in service.tags}
            if own and not own & known:
                problems.append(f"{self.origin}: {masked(service)} has tag(s) {', '.join(sorted(own))} that no alert"
                                f" is sent with (alert tags: {', '.join(sorted(known))})")
        if problems:
            raise ConfigError("\n".join(problems), problems=problems)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, config_path: str | os.PathLike[str] | None = None,
                 *, console: TextIO | None = None) -> "Notifier":
        """``APPRISE_URLS`` plus ``config_path`` (else ``MONITOR_APPRISE_CONFIG``)."""
        env = os.environ if environ is None else environ
        path = config_path or env.get("MONITOR_APPRISE_CONFIG") or None
        return cls.from_config(env.get("APPRISE_URLS"), path, console=console)

    def masked_urls(self) -> list[str]:
        return [masked(s) for s in self.services]

    def route(self, tag: str | None) -> list[Any]:
        """Services an alert with ``tag`` goes to (all of them when ``tag`` is None)."""
        if tag is None:
            return list(self.services)
        chosen = []
        for service in self.services:
            tags = {str(t) for t in service.tags}
            if not tags or tag in tags or ALWAYS_TAG in tags:
                chosen.append(service)
        return chosen

    def send(self, service: Any, *, title: str, text: str, markdown: str, html: str,
             notify_type: str = "info", timeout: float = 0) -> ServiceResult:
        """Send one alert to one service in the format it renders best; never raises.

        HTML services (email) get our HTML, Markdown services (Slack) our escaped
        CommonMark, the rest our text. ``body_format`` is always declared, so Apprise
        never passes a body through unescaped.
        """
        fmt = service.resolve_format(None)
        if fmt == apprise.NotifyFormat.HTML:
            body, body_format = html, apprise.NotifyFormat.HTML
        elif fmt == apprise.NotifyFormat.MARKDOWN:
            body, body_format = markdown, apprise.NotifyFormat.MARKDOWN
        else:
            body, body_format = text, apprise.NotifyFormat.TEXT
        one = apprise.Apprise(asset=_apprise_asset())
        one.add(service)
        shown = masked(service)
        try:
            result = one.notify(body=body, title=title, notify_type=notify_type, body_format=body_format,
                                timeout=timeout)
        except Exception as exc:  # Apprise promises not to raise; a plugin bug must not stop delivery
            log.warning("notification raised service=%s error=%s", shown, type(exc).__name__)
            return ServiceResult(shown, fingerprint(service), False, f"{type(exc).__name__} from {shown}")
        status = getattr(result, "status", None)
        ok = bool(result)
        error = "" if ok else f"{getattr(status, 'name', status) or 'no route'} from {shown}{from_hint(service)}"
        return ServiceResult(shown, fingerprint(service), ok, error)


def from_hint(service: Any) -> str:
    """For a failed email service whose From address Apprise derived, say so (issue 17).

    ``mailto://user:pass@smtp.example.org`` sends From ``user@smtp.example.org``, which
    many servers refuse: the URL works, the derived sender is the problem. Empty for
    other services and when ``from=`` is given.
    """
    url = str(service.url(privacy=True))
    if not re.match(r"^mailtos?://", url):
        return ""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    if query.get("from"):
        return ""
    sender = getattr(service, "from_addr", None)
    address = sender[1] if isinstance(sender, (list, tuple)) and len(sender) == 2 else None
    if not address:
        return ""
    return (f"; note: the From address was derived from the URL as {address}; if the server refused the"
            " sender, add ?from=you@your-domain to the URL")


def _entries(urls: str) -> list[str]:
    return [e.strip().strip(",") for e in _ENTRY_SPLIT.split(urls) if e and e.strip().strip(",")]


def _scheme(entry: str) -> str:
    url = entry.split("=", 1)[1] if "=" in entry.split("://", 1)[0] else entry
    return url.split("://", 1)[0] if "://" in url else "(none)"


def _load_urls(urls: str) -> list[Any]:
    services: list[Any] = []
    for number, entry in enumerate(_entries(urls), 1):
        cfg = apprise.AppriseConfig(asset=_apprise_asset())
        loaded = apprise.Apprise(asset=_apprise_asset())
        if cfg.add_config(entry, format="text"):
            loaded.add(cfg)
        if len(loaded) == 0:
            raise ConfigError(f"APPRISE_URLS: entry {number} (scheme {_scheme(entry)!r}) is not a URL Apprise"
                              " can use; see https://github.com/caronc/apprise/wiki")
        services += list(loaded)
    if not services:
        raise ConfigError("APPRISE_URLS: set but holds no URL")
    return services


def _load_file(path: Path) -> list[Any]:
    """Every service of an Apprise config file; ``ConfigError`` if any entry cannot be used.

    Apprise drops an entry it cannot load with an ERROR in its log and loads the rest
    (issue 17: the README's YAML with a bad Slack URL started with email only, denial
    alerts then failed "no route" and ``status`` said healthy). The same URL in
    ``APPRISE_URLS`` is refused at start, so each entry of the file is loaded on its own
    and compared with what it declares: every bad entry is named (line or entry number
    and scheme, never the URL) and the file is refused.
    """
    if not path.is_file():
        raise ConfigError(f"{path}: Apprise config file not found (--apprise-config / MONITOR_APPRISE_CONFIG)")
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read Apprise config: {exc}") from None
    fmt = "yaml" if path.suffix.lower() in (".yml", ".yaml") or re.search(r"^\s*urls\s*:", content, re.M) else "text"
    with _quiet_apprise():
        problems = _yaml_problems(content) if fmt == "yaml" else _text_problems(content)
        services = _apprise_load(content, fmt)
    if problems:
        lines = [f"{path}: {p}; see https://github.com/caronc/apprise/wiki" for p in problems]
        raise ConfigError("\n".join(lines), problems=lines)
    if not services:
        raise ConfigError(f"{path}: Apprise config ({fmt}) loaded no notification service;"
                          " check its syntax and URL schemes")
    return services


def _apprise_load(content: str, fmt: str) -> list[Any]:
    cfg = apprise.AppriseConfig(asset=_apprise_asset())
    loaded = apprise.Apprise(asset=_apprise_asset())
    if cfg.add_config(content, format=fmt):
        loaded.add(cfg)
    return list(loaded)


_SCHEME = re.compile(r"([A-Za-z][\w+.-]*)://")


def _text_problems(content: str) -> list[str]:
    """Lines of a text config that do not yield every URL they hold."""
    problems = []
    for number, raw in enumerate(content.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;" or re.match(r"^include\s", line, re.I):
            continue
        wanted = max(1, len(_SCHEME.findall(line)))
        got = len(_apprise_load(line, "text"))
        if got < wanted:
            schemes = ", ".join(repr(s) for s in _SCHEME.findall(line)) or "'(none)'"
            problems.append(f"line {number} (scheme {schemes}): Apprise cannot use {'this URL' if wanted == 1 else f'{wanted - got} of its {wanted} URLs'}")
    return problems


def _yaml_problems(content: str) -> list[str]:
    """Entries of a YAML config's ``urls`` list that do not yield every service they declare."""
    import yaml

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        return [f"{where}not valid YAML ({getattr(exc, 'problem', None) or type(exc).__name__})"]
    if not isinstance(data, dict) or not isinstance(data.get("urls", []), list):
        return ["expected a mapping with a 'urls' list (Apprise YAML format)"]
    common = {k: v for k, v in data.items() if k not in ("urls", "include")}
    problems = []
    for number, entry in enumerate(data.get("urls") or [], 1):
        if isinstance(entry, dict):
            wanted = sum(len(v) if isinstance(v, list) and v else 1 for v in entry.values())
            scheme = ", ".join(repr(m.group(1)) for k in entry for m in [_SCHEME.match(str(k))] if m) or "'(none)'"
        else:
            wanted = 1
            found = _SCHEME.match(str(entry))
            scheme = repr(found.group(1)) if found else "'(none)'"
        got = len(_apprise_load(yaml.safe_dump({**common, "urls": [entry]}), "yaml"))
        if got < wanted:
            problems.append(f"urls entry #{number} (scheme {scheme}): Apprise cannot use"
                            f" {'it' if wanted == 1 else f'{wanted - got} of its {wanted} services'}")
    return problems


class _quiet_apprise:
    """Silence Apprise's logger while loading: its messages quote URLs, tokens included."""

    def __enter__(self) -> None:
        self.logger = logging.getLogger("apprise")
        self.was = self.logger.disabled
        self.logger.disabled = True

    def __exit__(self, *exc: object) -> None:
        self.logger.disabled = self.was
