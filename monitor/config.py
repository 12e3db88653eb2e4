"""The sources catalogue (``schedules/*.toml``) read once into dataclasses.

Each ``[[source]]`` block names a spider family, a URL, a role, a language and a
schedule (``every = "5m"`` or ``cron = "*/5 * * * *"``). A bad block fails with the
file, the block's position and the key at fault; nothing is silently defaulted
except what the contract defines (schedule defaults per role).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from monitor.errors import ConfigError
from monitor.models import ROLES

#: When a source gives no schedule: official channels are polled more often.
DEFAULT_EVERY_S = {"official": 600, "media": 1800}

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KNOWN_KEYS = {"name", "spider", "url", "role", "lang", "every", "cron", "enabled", "site"}


def parse_duration(value: str | int | float) -> float:
    """``"90s"``, ``"5m"``, ``"2h"``, ``"1d"`` or a number of seconds -> seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 2h)")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {value!r}")
    return seconds


@dataclass(frozen=True)
class SourceConfig:
    """One source of the catalogue."""

    name: str
    spider: str
    url: str
    role: str = "media"
    lang: str | None = None
    #: Interval in seconds, unless ``cron`` is set.
    every_s: float | None = None
    cron: str | None = None
    enabled: bool = True
    #: Sources naming the same ``site`` are never crawled at the same time by the daemon
    #: (three mid.ru pages polled at once look like a burst to the site's firewall).
    site: str | None = None
    #: Spider-specific keys (``depth``, ``tz_fix``, ``fetch_articles``...), kept as given.
    options: dict[str, Any] = field(default_factory=dict)
    #: Where it was declared, for error messages.
    origin: str = ""

    @property
    def schedule_text(self) -> str:
        if self.cron:
            return f"cron {self.cron}"
        return f"every {int(self.interval_s)}s"

    @property
    def interval_s(self) -> float:
        """The polling interval (for cron schedules, only used as a health yardstick)."""
        if self.every_s is not None:
            return self.every_s
        return float(DEFAULT_EVERY_S.get(self.role, 1800)) if not self.cron else 3600.0


def load_catalogue(paths: Iterable[str | Path]) -> list[SourceConfig]:
    """Read sources from TOML files and/or folders of ``*.toml``; names must be unique."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.toml")))
        elif path.exists():
            files.append(path)
        else:
            raise ConfigError(f"{path}: no such catalogue file or folder")
    sources: list[SourceConfig] = []
    seen: dict[str, str] = {}
    for file in files:
        for src in _load_file(file):
            if src.name in seen:
                raise ConfigError(f"{src.origin}: source name {src.name!r} already declared at {seen[src.name]}")
            seen[src.name] = src.origin
            sources.append(src)
    return sources


def _load_file(path: Path) -> list[SourceConfig]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    blocks = data.get("source", [])
    if not isinstance(blocks, list):
        raise ConfigError(f"{path}: 'source' must be an array of tables ([[source]])")
    return [_source(block, f"{path} [[source]] #{i}") for i, block in enumerate(blocks, 1)]


def _source(block: dict[str, Any], origin: str) -> SourceConfig:
    def need(key: str) -> str:
        value = block.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{origin}: missing or empty key {key!r}")
        return value.strip()

    name = need("name")
    where = f"{origin} ({name})"
    if not _SLUG.match(name):
        raise ConfigError(f"{where}: name must be a kebab-case slug (a-z, 0-9, -)")
    url = need("url")
    if not re.match(r"^https?://", url):
        raise ConfigError(f"{where}: url must start with http:// or https://, got {url!r}")
    role = block.get("role", "media")
    if role not in ROLES:
        raise ConfigError(f"{where}: role must be one of {', '.join(ROLES)}, got {role!r}")
    every_s = None
    if "every" in block:
        try:
            every_s = parse_duration(block["every"])
        except ValueError as exc:
            raise ConfigError(f"{where}: key 'every': {exc}") from None
    cron = block.get("cron")
    if cron is not None:
        if every_s is not None:
            raise ConfigError(f"{where}: give 'every' or 'cron', not both")
        _check_cron(cron, where)
    lang = block.get("lang")
    if lang is not None and (not isinstance(lang, str) or not re.match(r"^[a-z]{2}$", lang)):
        raise ConfigError(f"{where}: lang must be an ISO 639-1 code like 'en', got {lang!r}")
    enabled = block.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where}: enabled must be true or false")
    site = block.get("site")
    if site is not None and (not isinstance(site, str) or not site.strip()):
        raise ConfigError(f"{where}: site must be a non-empty string like 'mid.ru', got {site!r}")
    options = {k: v for k, v in block.items() if k not in _KNOWN_KEYS}
    return SourceConfig(
        name=name, spider=need("spider"), url=url, role=role, lang=lang, every_s=every_s,
        cron=cron, enabled=enabled, site=site.strip().lower() if site else None, options=options, origin=origin,
    )


def _check_cron(expr: Any, where: str) -> None:
    if not isinstance(expr, str):
        raise ConfigError(f"{where}: cron must be a string like '*/5 * * * *'")
    try:
        from apscheduler.triggers.cron import CronTrigger

        CronTrigger.from_crontab(expr, timezone="UTC")
    except ValueError as exc:
        raise ConfigError(f"{where}: bad cron expression {expr!r}: {exc}") from None


def default_schedules_dir() -> Path:
    """``$MONITOR_SCHEDULES`` if set, else ``schedules/`` beside the package or in the cwd."""
    import os

    env = os.environ.get("MONITOR_SCHEDULES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent / "schedules"
    return here if here.is_dir() else Path("schedules")
