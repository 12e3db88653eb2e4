"""Loading Apprise configuration (env and files), routing, masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.alerts.notifier import Notifier


def test_env_urls_with_tags_and_untagged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRISE_URLS", "denial=json://127.0.0.1:9/a, digest,ops=json://127.0.0.1:9/b json://127.0.0.1:9/c")
    n = Notifier.from_env()
    assert len(n.services) == 3
    assert [s.url(privacy=True).split("?")[0] for s in n.route("denial")] == ["json://127.0.0.1:9/a",
                                                                               "json://127.0.0.1:9/c"]
    assert [s.url(privacy=True).split("?")[0] for s in n.route("digest")] == ["json://127.0.0.1:9/b",
                                                                               "json://127.0.0.1:9/c"]


def test_yaml_config_file_with_tags(tmp_path: Path) -> None:
    cfg = tmp_path / "apprise.yml"
    cfg.write_text("urls:\n  - json://127.0.0.1:9/slack-like:\n      tag: denial\n"
                   "  - mailto://127.0.0.1:2525?from=a@example.org&to=b@example.org:\n      tag: digest\n")
    n = Notifier.from_config(config_path=cfg)
    assert len(n.services) == 2
    assert len(n.route("denial")) == 1 and len(n.route("digest")) == 1 and n.route("nothing") == []


def test_text_config_file_and_always_tag(tmp_path: Path) -> None:
    cfg = tmp_path / "apprise.txt"
    cfg.write_text("denial=json://127.0.0.1:9/a\nalways=json://127.0.0.1:9/b\n")
    n = Notifier.from_config(config_path=cfg)
    assert len(n.route("digest")) == 1  # only the "always" one


def test_bad_url_fails_naming_the_variable_not_the_secret() -> None:
    with pytest.raises(ConfigError) as err:
        Notifier.from_config("json://127.0.0.1:9/a bogus://SECRETxyz@host")
    assert "APPRISE_URLS: entry 2 (scheme 'bogus')" in str(err.value)
    assert "SECRETxyz" not in str(err.value)


def test_config_file_missing_or_empty(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Notifier.from_config(config_path=tmp_path / "nope.yml")
    empty = tmp_path / "empty.yml"
    empty.write_text("urls: []\n")
    with pytest.raises(ConfigError, match="loaded no notification service"):
        Notifier.from_config(config_path=empty)


def test_no_configuration_means_console() -> None:
    assert Notifier.from_env({}).is_console


def test_masked_url_hides_passwords_and_header_values() -> None:
    n = Notifier.from_config("json://user:SECRETpw@127.0.0.1:9/hook?+Authorization=SECRETbearer")
    [shown] = n.masked_urls()
    assert "SECRET" not in shown and "127.0.0.1:9/hook" in shown
