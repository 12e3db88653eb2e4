"""The sources catalogue (``schedules/*.toml``) read once into dataclasses.

Each ``[[source]]`` block names a spider family, a URL, a role, a language and a
schedule (``every = "5m"`` or ``cron = "*/5 * * * *"``). A bad catalogue fails with
every problem at once, each naming the file, the block's position and the key at
fault: unknown tables, unknown keys (with a "did you mean"), unknown spiders, an empty
catalogue (issue 17). Nothing is silently defaulted except what the contract defines
(schedule defaults per role). This module must not import Scrapy or the spiders: the
caller passes the spiders' option names (``monitor.collect.crawl.load_checked_catalogue``).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping

from monitor.errors import ConfigError
from monitor.models import ROLES

#: When a source gives no schedule: official channels are polled more often.
DEFAULT_EVERY_S = {"official": 600, "media": 1800}

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Keys every source may have (the contract's, plus ``enabled`` and ``site``); others are spider options.
KNOWN_KEYS = frozenset({"name", "spider", "url", "role", "lang", "every", "cron", "enabled", "site", "critical"})


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
    #: Health fails when a critical source has not succeeded within its expected interval
    #: (without any critical source: when no official source has, issue 17).
    critical: bool = False
    #: ``every`` as written in the catalogue (``"5m"``), for display.
    every: str | None = None
    #: Spider-specific keys (``depth``, ``tz_fix``, ``fetch_articles``...), kept as given.
    options: dict[str, Any] = field(default_factory=dict)
    #: Where it was declared, for error messages.
    origin: str = ""

    @property
    def schedule_label(self) -> str:
        """The schedule as an operator wrote it: ``5m``, ``cron */5 * * * *``, ``10m (default)``."""
        if self.cron:
            return f"cron {self.cron}"
        if self.every:
            return self.every
        seconds = int(self.interval_s)
        for unit, size in (("h", 3600), ("m", 60)):
            if seconds % size == 0:
                return f"{seconds // size}{unit} (default)" if self.every_s is None else f"{seconds // size}{unit}"
        return f"{seconds}s (default)" if self.every_s is None else f"{seconds}s"

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


def load_catalogue(paths: Iterable[str | Path], *,
                   spider_options: Mapping[str, Collection[str]] | None = None) -> list[SourceConfig]:
    """Read sources from TOML files and/or folders of ``*.toml``; names must be unique.

    Every problem of every file is collected and raised together in one ``ConfigError``
    (one line each, naming file, block and key): a catalogue fixed one error per run is
    a catalogue fixed slowly (issue 17). Problems: a table other than ``[[source]]``
    (``[[sources]]`` left a daemon watching nothing), a key neither the contract's nor
    an option of the block's spider (with a "did you mean"), an unknown spider, bad
    values, duplicate names, and a catalogue with no source at all. Spiders and their
    options are checked when ``spider_options`` (spider name -> option names) is given.
    """
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                problems.append(f"{path}: catalogue folder holds no *.toml file")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append(f"{path}: no such catalogue file or folder")
    sources: list[SourceConfig] = []
    seen: dict[str, str] = {}
    for file in files:
        for src in _load_file(file, problems, spider_options):
            if src.name in seen:
                problems.append(f"{src.origin}: source name {src.name!r} already declared at {seen[src.name]}")
                continue
            seen[src.name] = src.origin
            sources.append(src)
    if files and not sources and not problems:
        problems.append(f"{', '.join(map(str, files))}: no [[source]] block: the catalogue is empty")
    if problems:
        raise ConfigError("\n".join(problems), problems=problems)
    return sources


def _load_file(path: Path, problems: list[str],
               spider_options: Mapping[str, Collection[str]] | None) -> list[SourceConfig]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: not valid TOML: {exc}")
        return []
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot read: {exc}")
        return []
    for key in data:
        if key != "source":
            hint = " (did you mean [[source]]?)" if _close(key, ["source"]) else ""
            problems.append(f"{path}: unknown table or key {key!r}{hint}; a catalogue holds only [[source]] blocks")
    blocks = data.get("source", [])
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        problems.append(f"{path}: 'source' must be an array of tables ([[source]])")
        return []
    sources = []
    for i, block in enumerate(blocks, 1):
        found: list[str] = []
        src = _source(block, f"{path} [[source]] #{i}", found, spider_options)
        problems.extend(found)
        if src is not None and not found:
            sources.append(src)
    return sources


def _close(word: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return match[0] if match else None


def _source(block: dict[str, Any], origin: str, problems: list[str],
            spider_options: Mapping[str, Collection[str]] | None) -> SourceConfig | None:
    """Build one source, appending every problem of the block to ``problems``."""
    name_value = block.get("name")
    where = f"{origin} ({name_value})" if isinstance(name_value, str) and name_value.strip() else origin

    def need(key: str) -> str | None:
        value = block.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: missing or empty key {key!r}")
            return None
        return value.strip()

    name = need("name")
    if name is not None and not _SLUG.match(name):
        problems.append(f"{where}: name must be a kebab-case slug (a-z, 0-9, -)")
    spider = need("spider")
    url = need("url")
    if url is not None and not re.match(r"^https?://", url):
        problems.append(f"{where}: url must start with http:// or https://, got {url!r}")
    role = block.get("role", "media")
    if role not in ROLES:
        problems.append(f"{where}: role must be one of {', '.join(ROLES)}, got {role!r}")
    every_s = None
    if "every" in block:
        try:
            every_s = parse_duration(block["every"])
        except ValueError as exc:
            problems.append(f"{where}: key 'every': {exc}")
    cron = block.get("cron")
    if cron is not None:
        if "every" in block:
            problems.append(f"{where}: give 'every' or 'cron', not both")
        problem = _cron_problem(cron)
        if problem:
            problems.append(f"{where}: {problem}")
    lang = block.get("lang")
    if lang is not None and (not isinstance(lang, str) or not re.match(r"^[a-z]{2}$", lang)):
        problems.append(f"{where}: lang must be an ISO 639-1 code like 'en', got {lang!r}")
    enabled = block.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(f"{where}: enabled must be true or false")
    critical = block.get("critical", False)
    if not isinstance(critical, bool):
        problems.append(f"{where}: critical must be true or false")
    site = block.get("site")
    if site is not None and (not isinstance(site, str) or not site.strip()):
        problems.append(f"{where}: site must be a non-empty string like 'mid.ru', got {site!r}")
    options = {k: v for k, v in block.items() if k not in KNOWN_KEYS}
    if spider_options is not None and spider is not None:
        if spider not in spider_options:
            hint = _close(spider, spider_options)
            problems.append(f"{where}: key 'spider': unknown spider {spider!r}"
                            f"{f' (did you mean {hint!r}?)' if hint else ''}; known: {', '.join(sorted(spider_options))}")
        else:
            allowed = set(spider_options[spider])
            for key in options:
                if key not in allowed:
                    hint = _close(key, KNOWN_KEYS | allowed)
                    problems.append(
                        f"{where}: unknown key {key!r}{f' (did you mean {hint!r}?)' if hint else ''};"
                        f" spider {spider!r} takes {', '.join(sorted(allowed)) or 'no options'}"
                        f" besides {', '.join(sorted(KNOWN_KEYS))}")
    if problems or name is None or spider is None or url is None:
        return None
    return SourceConfig(
        name=name, spider=spider, url=url, role=role, lang=lang, every_s=every_s,
        cron=cron, enabled=enabled, site=site.strip().lower() if site else None, options=options, origin=where,
        critical=critical, every=str(block["every"]).strip() if "every" in block else None,
    )


def _cron_problem(expr: Any) -> str | None:
    if not isinstance(expr, str):
        return "cron must be a string like '*/5 * * * *'"
    try:
        from apscheduler.triggers.cron import CronTrigger

        CronTrigger.from_crontab(expr, timezone="UTC")
    except ValueError as exc:
        return f"bad cron expression {expr!r}: {exc}"
    return None


def default_schedules_dir() -> Path:
    """``$MONITOR_SCHEDULES`` if set, else the catalogue shipped inside the package.

    The default catalogue is package data (``monitor/schedules/``; the repository's
    ``schedules/`` is a link to it), so ``monitor run`` and ``monitor sources`` find it
    from any working directory after a plain ``pip install`` (issue 17: they failed or
    printed nothing outside the clone). To use your own, set ``MONITOR_SCHEDULES`` or
    pass ``--schedules`` / ``--sources``; the working directory is never searched.
    """
    import os

    env = os.environ.get("MONITOR_SCHEDULES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent / "schedules"
