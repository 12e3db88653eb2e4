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


# --- issue 17 item 3: a bad entry in a config file is refused, as in APPRISE_URLS ---------------


def test_yaml_file_with_one_bad_url_is_refused_naming_the_entry_not_the_secret(tmp_path: Path) -> None:
    cfg = tmp_path / "apprise.yml"
    cfg.write_text("urls:\n  - mailto://127.0.0.1:2525?from=a@example.org&to=b@example.org:\n      - tag: digest\n"
                   "  - slack://SECRETtoken:\n      - tag: denial\n  - json://127.0.0.1:9/x\n")
    with pytest.raises(ConfigError) as err:
        Notifier.from_config(config_path=cfg)
    assert err.value.problems == [f"{cfg}: urls entry #2 (scheme 'slack'): Apprise cannot use it;"
                                  " see https://github.com/caronc/apprise/wiki"]
    assert "SECRET" not in str(err.value)


def test_text_file_reports_every_bad_line(tmp_path: Path) -> None:
    cfg = tmp_path / "apprise.txt"
    cfg.write_text("# ours\ndenial=json://127.0.0.1:9/a\ndenial=slack://SECRETtoken\nbogus://SECRET@host\n")
    with pytest.raises(ConfigError) as err:
        Notifier.from_config(config_path=cfg)
    assert [p.split(": ", 2)[1] for p in err.value.problems] == ["line 3 (scheme 'slack')", "line 4 (scheme 'bogus')"]
    assert "SECRET" not in str(err.value)


def test_apprise_logs_nothing_while_a_bad_file_loads(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg = tmp_path / "apprise.txt"
    cfg.write_text("bogus://SECRET@host\n")
    with caplog.at_level("DEBUG"), pytest.raises(ConfigError):
        Notifier.from_config(config_path=cfg)
    assert "SECRET" not in caplog.text


def test_an_alert_tag_no_service_receives_is_an_error(tmp_path: Path) -> None:
    n = Notifier.from_config("digest=json://127.0.0.1:9/a")
    with pytest.raises(ConfigError) as err:
        n.check_routes()
    assert err.value.problems == ["APPRISE_URLS: no notification URL receives 'denial' alerts; tag one 'denial'"
                                  " (or 'always'), or leave one untagged"]


def test_a_service_tagged_with_a_typo_is_an_error() -> None:
    n = Notifier.from_config("json://127.0.0.1:9/a denials=json://127.0.0.1:9/b")
    with pytest.raises(ConfigError, match="has tag\\(s\\) denials that no alert is sent with"):
        n.check_routes()


def test_untagged_or_fully_tagged_services_pass_the_route_check() -> None:
    Notifier.from_config("json://127.0.0.1:9/a").check_routes()
    Notifier.from_config("denial=json://127.0.0.1:9/a digest,ops=json://127.0.0.1:9/b").check_routes()
    Notifier.from_env({}).check_routes()


def test_a_failed_email_with_a_derived_from_address_says_so() -> None:
    from monitor.alerts.notifier import from_hint

    url = "mailto://ops:SECRETpw@example.org:9?smtp=127.0.0.1&to=analysts@example.org"  # nothing listens on 9
    derived = Notifier.from_config(url).services[0]
    given = Notifier.from_config(url + "&from=me@example.org").services[0]
    assert "From address was derived from the URL as ops@example.org" in from_hint(derived)
    assert from_hint(given) == ""
    assert from_hint(Notifier.from_config("json://127.0.0.1:9/x").services[0]) == ""
    result = Notifier([derived]).send(derived, title="t", text="x", markdown="x", html="x", timeout=5)
    assert not result.ok and "add ?from=you@your-domain" in result.error and "SECRET" not in result.error
