"""The sources catalogue: parsing, defaults, errors that name file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_catalogue, parse_duration
from monitor.errors import ConfigError


def write(tmp_path: Path, body: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_sources_with_every_cron_and_role_defaults(tmp_path: Path) -> None:
    write(tmp_path, """
[[source]]
name = "kremlin-en"
spider = "feed"
url = "http://en.kremlin.ru/events/all/feed"
role = "official"
lang = "en"
every = "5m"
tz_fix = "+03:00"

[[source]]
name = "example-news"
spider = "feed"
url = "https://example.org/rss"
cron = "*/20 * * * *"

[[source]]
name = "other"
spider = "feed"
url = "https://example.org/other"
role = "official"
""")
    a, b, c = load_catalogue([tmp_path])
    assert (a.every_s, a.options, a.role) == (300.0, {"tz_fix": "+03:00"}, "official")
    assert b.cron == "*/20 * * * *" and b.role == "media"
    assert c.interval_s == 600.0  # official default is more frequent than media
    assert b.schedule_text.startswith("cron")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[source]]\nspider = "feed"\nurl = "https://x.org"\n', "missing or empty key 'name'"),
        ('[[source]]\nname = "a"\nspider = "feed"\nurl = "x.org"\n', "url must start with"),
        ('[[source]]\nname = "a"\nspider = "feed"\nurl = "https://x.org"\nrole = "gov"\n', "role must be"),
        ('[[source]]\nname = "a"\nspider = "feed"\nurl = "https://x.org"\nevery = "often"\n', "key 'every'"),
        ('[[source]]\nname = "a"\nspider = "feed"\nurl = "https://x.org"\ncron = "99 * * * *"\n', "bad cron"),
        ('[[source]]\nname = "Bad Name"\nspider = "feed"\nurl = "https://x.org"\n', "kebab-case"),
        ("[[source]\nname=", "not valid TOML"),
    ],
)
def test_bad_catalogue_names_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_catalogue([path])
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_duplicate_names_rejected(tmp_path: Path) -> None:
    block = '[[source]]\nname = "a"\nspider = "feed"\nurl = "https://x.org"\n'
    write(tmp_path, block, "one.toml")
    write(tmp_path, block, "two.toml")
    with pytest.raises(ConfigError, match="already declared"):
        load_catalogue([tmp_path])


def test_durations() -> None:
    assert parse_duration("90s") == 90 and parse_duration("2h") == 7200 and parse_duration(5) == 5
    with pytest.raises(ValueError):
        parse_duration("0s")


# --- issue 17 item 2: typos are configuration errors, all reported at once -----------------

SPIDERS = {"feed": {"tz_fix", "fetch_articles", "max_items"}, "kremlin": {"depth", "tz"}}


def test_a_misnamed_table_is_an_error_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, '[[sources]]\nname = "a"\nspider = "feed"\nurl = "https://x.org"\n')
    with pytest.raises(ConfigError) as err:
        load_catalogue([path], spider_options=SPIDERS)
    assert err.value.problems == [
        f"{path}: unknown table or key 'sources' (did you mean [[source]]?); a catalogue holds only [[source]] blocks"
    ]


def test_every_problem_of_every_block_is_reported_together(tmp_path: Path) -> None:
    path = write(tmp_path, """
[[source]]
name = "a"
spider = "feed"
url = "https://x.org/a"
fetch_artciles = false
every = "often"

[[source]]
name = "b"
spider = "fead"
url = "https://x.org/b"

[[source]]
name = "c"
spider = "kremlin"
url = "https://x.org/c"
depht = 2
""")
    with pytest.raises(ConfigError) as err:
        load_catalogue([path], spider_options=SPIDERS)
    problems = err.value.problems
    assert len(problems) == 4, problems
    assert problems[0].startswith(f"{path} [[source]] #1 (a): key 'every'")
    assert problems[1].startswith(f"{path} [[source]] #1 (a): unknown key 'fetch_artciles' (did you mean 'fetch_articles'?)")
    assert problems[2].startswith(f"{path} [[source]] #2 (b): key 'spider': unknown spider 'fead' (did you mean 'feed'?)")
    assert problems[3].startswith(f"{path} [[source]] #3 (c): unknown key 'depht' (did you mean 'depth'?)")


def test_an_empty_catalogue_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "# nothing here yet\n")
    with pytest.raises(ConfigError, match="no \\[\\[source\\]\\] block: the catalogue is empty") as err:
        load_catalogue([tmp_path], spider_options=SPIDERS)
    assert str(path) in str(err.value)


def test_known_spider_options_pass(tmp_path: Path) -> None:
    write(tmp_path, '[[source]]\nname = "a"\nspider = "feed"\nurl = "https://x.org"\nfetch_articles = false\n')
    (src,) = load_catalogue([tmp_path], spider_options=SPIDERS)
    assert src.options == {"fetch_articles": False}
