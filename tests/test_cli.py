"""The command line: import, errors and exit codes, help texts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

from conftest import doc_record, write_jsonl


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_import_summary_and_exit_status(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [doc_record(1), "{broken", doc_record(2)])
    db = tmp_path / "m.db"
    result = run("import", str(path), "--db", str(db))
    assert result.exit_code == 1
    assert "read 3, new 2, updated 0, unchanged 0, rejected 1" in result.output
    assert f"{path}:2: rejected: not valid JSON" in result.output
    again = run("import", str(path), "--db", str(db))
    assert "new 0, updated 0, unchanged 2, rejected 1" in again.output


def test_import_uses_monitor_db_env(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [doc_record(1)])
    db = tmp_path / "env" / "m.db"
    result = run("import", str(path), env={"MONITOR_DB": str(db)})
    assert result.exit_code == 0, result.output
    assert db.exists()


def test_missing_file_is_one_line_error(tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.jsonl"), "--db", str(tmp_path / "m.db"))
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "nope.jsonl" in result.output and "Traceback" not in result.output


def test_unwritable_database_is_one_line_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [doc_record(1)])
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    result = run("import", str(path), "--db", str(blocker / "m.db"))
    assert result.exit_code == 2  # an archive that cannot be opened is a usage/config error (issue 17)
    assert "cannot open archive" in result.output and "Traceback" not in result.output


def test_import_reads_standard_input(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    result = CliRunner().invoke(cli, ["import", "-", "--db", str(db)], input=json.dumps(doc_record(7)) + "\n")
    assert result.exit_code == 0, result.output
    assert "new 1" in result.output


def test_python_dash_m_monitor_works(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "monitor", "--help"], capture_output=True, text=True, check=True)
    assert "import" in out.stdout


def test_every_command_has_help_and_is_in_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help and command.help.strip(), f"command {name} has no help"
        assert f"monitor {name}" in readme, f"command {name} is not documented in README.md"
        sub = getattr(command, "commands", {})
        for subname, subcommand in sub.items():
            assert subcommand.help and subcommand.help.strip(), f"{name} {subname} has no help"


def test_import_of_a_file_with_bad_bytes_stores_the_good_lines_and_keeps_logs_off_stdout(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    lines = [json.dumps(doc_record(1)).encode(), b'{"title": "Caf\xe9"}', json.dumps(doc_record(2)).encode()]
    path.write_bytes(b"\n".join(lines) + b"\n")
    db = tmp_path / "m.db"
    proc = subprocess.run([sys.executable, "-m", "monitor", "import", str(path), "--db", str(db)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stdout.strip() == ("read 3, new 2, updated 0, unchanged 0, rejected 1; denials 0, matches 0,"
                                   " alerts queued 0")
    assert f"{path}:2: rejected: not UTF-8 text" in proc.stderr


def test_sources_with_a_broken_catalogue_exits_2_listing_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "cat.toml"
    bad.write_text('[[source]]\nname = "a"\nspider = "nosuch"\nurl = "https://x.org"\n\n'
                   '[[source]]\nname = "b"\nspider = "feed"\nurl = "https://x.org/b"\nfetch_artciles = false\n'
                   'tz_fix = "noon"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["sources", "--sources", str(bad), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"Error: {bad} [[source]] #1 (a): key 'spider': unknown spider 'nosuch'")
    assert "unknown key 'fetch_artciles' (did you mean 'fetch_articles'?)" in lines[1]


def test_crawl_reports_bad_option_values_of_every_source(tmp_path: Path) -> None:
    bad = tmp_path / "cat.toml"
    bad.write_text('[[source]]\nname = "a"\nspider = "feed"\nurl = "https://x.org"\ntz_fix = "noon"\n\n'
                   '[[source]]\nname = "b"\nspider = "kremlin"\nurl = "https://x.org/b"\ndepth = 0\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(bad), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"Error: {bad} [[source]] #1 (a): ") and "'tz_fix'" in lines[0]
    assert lines[1].startswith(f"Error: {bad} [[source]] #2 (b): ") and "'depth'" in lines[1]


# --- issue 17 items 4 and 6: read-only commands never create an archive ------------------------


@pytest.mark.parametrize("command", [["status"], ["status", "--check"], ["alerts", "list"], ["match"],
                                     ["alerts", "send"]])
def test_read_only_commands_refuse_a_missing_archive_and_create_nothing(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "sub" / "typo.db"
    result = CliRunner().invoke(cli, [*command, "--db", str(db)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: no archive at {db} ")
    assert not db.exists() and not db.parent.exists()


def test_sources_lists_the_catalogue_without_creating_an_archive(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("MONITOR_SCHEDULES")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["sources"])
    assert result.exit_code == 0, result.output
    assert "kremlin-en " in result.output and "no archive at data/monitor.db" in result.output
    assert not (tmp_path / "data").exists()


def test_the_packaged_catalogue_is_found_from_any_folder(tmp_path: Path, monkeypatch) -> None:
    from monitor.config import default_schedules_dir

    monkeypatch.delenv("MONITOR_SCHEDULES")
    monkeypatch.chdir(tmp_path)
    folder = default_schedules_dir()
    assert folder.is_absolute() and (folder / "default.toml").is_file()
    import monitor

    assert folder.parent == Path(monitor.__file__).resolve().parent


def test_a_file_that_is_not_sqlite_is_a_usage_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"not a database, just text " * 100)
    result = CliRunner().invoke(cli, ["status", "--db", str(bogus)])
    assert result.exit_code == 2
    assert f"cannot open archive {bogus}" in result.output


# --- issue 17 item 8: `monitor sources` says what it knows, and can cut a backoff short ----------


def test_sources_table_has_a_header_never_run_and_the_interval_as_written(tmp_path: Path) -> None:
    cat = tmp_path / "cat.toml"
    cat.write_text('[[source]]\nname = "a"\nspider = "feed"\nurl = "https://x.org/a"\nevery = "5m"\n\n'
                   '[[source]]\nname = "b"\nspider = "feed"\nurl = "https://x.org/b"\nrole = "official"\n',
                   encoding="utf-8")
    result = CliRunner().invoke(cli, ["sources", "--sources", str(cat), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if not ln.startswith("(no archive")]
    assert lines[0].split()[:5] == ["NAME", "SPIDER", "ROLE", "EVERY", "STATE"]
    assert lines[1].split()[:6] == ["a", "feed", "media", "5m", "never", "run"]
    assert lines[2].split()[:7] == ["b", "feed", "official", "10m", "(default)", "never", "run"]


def test_sources_retry_cuts_the_backoff_short(tmp_path: Path) -> None:
    from monitor.config import load_catalogue
    from monitor.store import Store

    cat = tmp_path / "cat.toml"
    cat.write_text('[[source]]\nname = "a"\nspider = "feed"\nurl = "https://x.org/a"\n', encoding="utf-8")
    db = tmp_path / "m.db"
    with Store.open(db) as store:
        store.sync_sources(load_catalogue([cat]))
        store.set_next_run("a", "2099-01-01T00:00:00Z")
    result = CliRunner().invoke(cli, ["sources", "--sources", str(cat), "--db", str(db), "--retry", "a"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("a: retry requested")
    with Store.open(db) as store:
        assert {r["name"]: r for r in store.source_health()}["a"]["next_run_at"] is None
        assert store.take_retry_requests() == ["a"]
    unknown = CliRunner().invoke(cli, ["sources", "--sources", str(cat), "--db", str(db), "--retry", "zz"])
    assert unknown.exit_code == 2 and "unknown source 'zz'" in unknown.output
