"""Lexicon files (issue 18): the one format, validation naming file:line, user folders that extend."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.detect.cues import cue_patterns_for
from monitor.detect.denials import SPEAKER_GROUP, canonical_speaker, detect_denials
from monitor.errors import ConfigError
from monitor.models import Document
from monitor.text.entities import find_concepts
from monitor.text.lexicons import KINDS, LexiconError, active_lexicons, load_lexicons, parse_lexicon


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_packaged_lexicon_loads_and_has_rows() -> None:
    lex = load_lexicons(None)
    for kind in KINDS:
        assert lex.rows(kind), kind


def test_a_line_with_a_missing_field_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "people.tsv", "# my people\nconcept\taliases\nperson:ivanov\tivan ivanov\nperson:petrov\n")
    with pytest.raises(LexiconError, match=r"people\.tsv:4: expected 2 tab-separated fields"):
        load_lexicons(str(tmp_path))


def test_a_bad_concept_id_names_file_line_and_column(tmp_path: Path) -> None:
    write(tmp_path, "people.tsv", "concept\taliases\n\nIvanov\tivan ivanov\n")
    with pytest.raises(LexiconError, match=r"people\.tsv:3: concept: concept id 'Ivanov' is not of the form"):
        load_lexicons(str(tmp_path))


def test_a_wrong_header_is_rejected_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "news_outlets.tsv", "# comment\nname\taliases\n")
    with pytest.raises(LexiconError, match=r"news_outlets\.tsv:2: header must be"):
        load_lexicons(str(tmp_path))


def test_an_unknown_lexicon_file_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "persons.tsv", "concept\taliases\n")
    with pytest.raises(LexiconError, match=r"persons\.tsv: unknown lexicon 'persons'"):
        load_lexicons(str(tmp_path))


def test_a_missing_user_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such lexicon folder"):
        load_lexicons(str(tmp_path / "absent"))


def test_parse_keeps_file_and_line_of_each_row() -> None:
    rows = parse_lexicon("# c\n\nconcept\taliases\norg:x\tex; ex corp\n", "organisations", "mine.tsv")
    assert [(r.file, r.line, r["concept"], r["aliases"]) for r in rows] == [("mine.tsv", 4, "org:x", "ex; ex corp")]


def test_a_user_people_file_extends_the_gazetteer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Grigory Zolotaryov told reporters; Золотарёва нет."
    assert not [c for c in find_concepts(text) if c.concept == "person:zolotaryov"]
    write(tmp_path, "people.tsv", "concept\taliases\nperson:zolotaryov\tgrigory zolotaryov; золотарёв*\n")
    monkeypatch.setenv("MONITOR_LEXICONS", str(tmp_path))
    assert active_lexicons().user_dir == str(tmp_path)
    found = [c.text for c in find_concepts(text) if c.concept == "person:zolotaryov"]
    assert found == ["Grigory Zolotaryov", "Золотарёва"]
    # packaged aliases still work alongside
    assert [c.concept for c in find_concepts("Peskov said")] == ["person:peskov"]


ZOLOTARYOV_PEOPLE = "concept\taliases\nperson:zolotaryov\tgrigory zolotaryov; zolotaryov; золотарёв*; золотарев*\n"
ZOLOTARYOV_SPEAKER = "# a new spokesman\nconcept\tname\tgroup\tkind\nperson:zolotaryov\tGrigory Zolotaryov\tmfa\tofficial\n"
ARCTIC_EN = Document(
    url="https://example.org/arctic-en", title="Moscow answers a report on an Arctic base",
    text=("A newspaper reported on Sunday that Russia had built a secret base on the island of Nova. "
          "The report is a fabrication from start to finish, Grigory Zolotaryov told reporters on Monday."),
    published=dt.datetime(2025, 3, 3, tzinfo=dt.timezone.utc), source="example", lang="en")
ARCTIC_RU = Document(
    url="https://example.org/arctic-ru", title="Москва ответила на публикацию",
    text="Газета сообщила, что Россия построила базу на острове Нова. Золотарёв назвал эти сообщения фейком.",
    published=dt.datetime(2025, 3, 3, tzinfo=dt.timezone.utc), source="example", lang="ru")


def test_a_spokesperson_added_in_a_user_folder_is_detected_as_the_speaker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Unknown to the packaged lexicons, he is somebody nobody reports.
    assert detect_denials(ARCTIC_EN) == [] and detect_denials(ARCTIC_RU) == []
    write(tmp_path, "people.tsv", ZOLOTARYOV_PEOPLE)
    write(tmp_path, "speakers.tsv", ZOLOTARYOV_SPEAKER)
    write(tmp_path, "speaker_aliases.tsv", "alias\tname\nzolotaryov\tGrigory Zolotaryov\n")
    monkeypatch.setenv("MONITOR_LEXICONS", str(tmp_path))
    assert [(d.speaker, d.cue) for d in detect_denials(ARCTIC_EN)] == [("Grigory Zolotaryov", "fabrication")]
    assert [(d.speaker, d.cue) for d in detect_denials(ARCTIC_RU)] == [("Grigory Zolotaryov", "фейком")]
    assert SPEAKER_GROUP["Grigory Zolotaryov"] == "mfa"
    assert canonical_speaker("G. Zolotaryov (MFA spokesman)") == ["Grigory Zolotaryov"]


def test_a_bad_speaker_kind_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "speakers.tsv", "concept\tname\tgroup\tkind\nperson:x\tX Y\tmfa\tspokesman\n")
    with pytest.raises(LexiconError, match=r"speakers\.tsv:2: kind: kind 'spokesman' is not official"):
        load_lexicons(str(tmp_path))


def test_a_user_cue_is_detected_and_an_unknown_pattern_name_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = Document(
        url="https://example.org/hogwallop", title="Kremlin on the report",
        text="Newspapers reported that Russia had sold the island of Nova. Peskov said the report was pure hogwallop.",
        published=dt.datetime(2025, 3, 3, tzinfo=dt.timezone.utc), source="example", lang="en")
    assert detect_denials(doc) == []
    write(tmp_path, "cues.tsv", "name\tpattern\nstrong\t\\bpure\\s+hogwallop\\b\n")
    write(tmp_path, "cue_stems.tsv", "stem\nhogwallop\n")
    monkeypatch.setenv("MONITOR_LEXICONS", str(tmp_path))
    assert [(d.speaker, d.cue) for d in detect_denials(doc)] == [("Dmitry Peskov", "pure hogwallop")]
    bad = tmp_path / "bad"
    write(bad, "cues.tsv", "name\tpattern\nstrong\t\\bfine\\b\nstrongest\t\\bfiner\\b\n")
    with pytest.raises(LexiconError, match=r"cues\.tsv:3: name: unknown pattern name 'strongest'"):
        cue_patterns_for(load_lexicons(str(bad)))


@pytest.mark.parametrize(("row", "reason"), [
    ("strong\t\\bfake(\n", "pattern: bad regular expression"),
    ("strong\t\\bFake\\b\n", "pattern: patterns are written in lower case"),
])
def test_a_bad_cue_pattern_names_file_and_line(tmp_path: Path, row: str, reason: str) -> None:
    write(tmp_path, "cues.tsv", "# mine\nname\tpattern\n" + row)
    with pytest.raises(LexiconError, match=r"cues\.tsv:3: " + reason):
        load_lexicons(str(tmp_path))


def test_the_cli_stops_at_startup_on_a_bad_user_lexicon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "lexicons"
    write(folder, "speakers.tsv", "concept\tname\tgroup\tkind\nperson:x\tX Y\tMFA\tofficial\n")
    monkeypatch.setenv("MONITOR_LEXICONS", str(folder))
    result = CliRunner().invoke(cli, ["status", "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert "speakers.tsv:2: group: group 'MFA' is not a lower-case word" in result.output
    assert not (tmp_path / "a.db").exists()
