"""The container deployment's files: Dockerfile, docker-compose.yml, .dockerignore, env example.

Static checks only (CI has no Docker engine); scripts/docker_smoke.sh builds and runs
the stack for real. The compose file is also validated against the Compose
specification's JSON schema, offline, by check-jsonschema.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


def instructions(dockerfile: list[tuple[str, str]], name: str) -> list[str]:
    return [args for word, args in dockerfile if word == name]


def final_stage(dockerfile: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (word, _) in enumerate(dockerfile) if word == "FROM"]
    return dockerfile[starts[-1]:]


def volume_parts(entry: str) -> tuple[str, str, str]:
    source, target, *mode = entry.split(":")
    return source, target, (mode[0] if mode else "rw")


def test_compose_has_the_daemon_and_the_sql_ui(compose):
    assert set(compose["services"]) == {"monitor", "sql"}
    monitor, sql = compose["services"]["monitor"], compose["services"]["sql"]
    assert monitor["restart"] == "unless-stopped"
    assert monitor["command"] == ["run"]
    assert monitor["env_file"] == "monitor.env"
    assert monitor["environment"]["MONITOR_DB"] == "/data/monitor.db"
    # Both run the image the monitor service builds.
    assert "build" in monitor and sql["image"] == monitor["image"]
    assert sql["entrypoint"] == ["datasette"]
    # The UI must not vanish when the daemon is unhealthy (issue 17): started, not healthy.
    assert sql["depends_on"]["monitor"]["condition"] == "service_started"
    assert any(str(p).endswith(":8001:8001") or str(p) == "8001:8001" for p in sql["ports"])
    assert "test" in sql["healthcheck"]


def test_compose_named_volumes_are_declared_and_the_ui_mounts_read_only(compose):
    declared = set(compose.get("volumes") or {})
    mounts = {}
    for name, service in compose["services"].items():
        for entry in service.get("volumes", []):
            source, target, mode = volume_parts(entry)
            if not source.startswith((".", "/")):
                assert source in declared, f"service {name} uses undeclared volume {source}"
            mounts[name, target] = (source, mode)
    assert mounts["monitor", "/data"] == ("archive", "rw")
    assert mounts["sql", "/data"] == ("archive", "ro")


def test_sql_ui_serves_the_archive_mutable_read_only_with_the_shipped_metadata(compose, dockerfile):
    command = compose["services"]["sql"]["command"]
    assert command[:2] == ["serve", "/data/monitor.db"]
    # --immutable would ignore the daemon's WAL and cache counts of a changing file.
    assert "--immutable" not in command and "-i" not in command
    metadata = command[command.index("--metadata") + 1]
    copies = [args.split() for args in instructions(final_stage(dockerfile), "COPY")]
    # the metadata lives in the package (monitor ui uses it outside Docker too; issue 19)
    assert ["monitor/datasette", str(Path(metadata).parent)] in copies
    assert (ROOT / "monitor" / "datasette" / Path(metadata).name).is_file()


def test_compose_file_passes_the_compose_spec_schema(tmp_path):
    pytest.importorskip("check_jsonschema", reason="validation needs check-jsonschema (the test extra)")
    check = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec"]
    good = subprocess.run([*check, str(COMPOSE)], capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stdout + good.stderr
    # The check can fail: ports given as a mapping is not valid compose.
    bad = tmp_path / "docker-compose.yml"
    bad.write_text(COMPOSE.read_text(encoding="utf-8").replace(
        '- "127.0.0.1:8001:8001"', "{published: 8001}"), encoding="utf-8")
    assert subprocess.run([*check, str(bad)], capture_output=True, timeout=60).returncode == 1


def test_dockerfile_runs_the_daemon_as_non_root_with_a_healthcheck_and_data_volume(dockerfile):
    final = final_stage(dockerfile)
    healthcheck = instructions(final, "HEALTHCHECK")
    assert len(healthcheck) == 1 and healthcheck[0].endswith('CMD ["monitor", "status", "--check"]')
    user = instructions(final, "USER")
    assert user and user[-1] not in ("root", "0")
    assert instructions(final, "VOLUME") == ['["/data"]']
    env = " ".join(instructions(final, "ENV"))
    assert "MONITOR_DB=/data/monitor.db" in env and "MONITOR_SCHEDULES=" in env
    assert instructions(final, "ENTRYPOINT") == ['["monitor"]']
    assert instructions(final, "CMD") == ['["run"]']
    # Multi-stage: the final stage takes only the built venv from the builder.
    assert len(instructions(dockerfile, "FROM")) == 2
    assert "--from=builder /opt/venv /opt/venv" in instructions(final, "COPY")
    assert not any("pip install" in run for run in instructions(final, "RUN"))


def test_dockerfile_installs_the_project_from_its_metadata_like_ci(dockerfile):
    """The image's install step is the kind of command CI runs: pip on the project itself."""
    runs = [run for run in instructions(dockerfile, "RUN") if "pip install" in run]
    assert len(runs) == 1
    args = shlex.split(runs[0].split("pip install", 1)[1].split("&&")[0])
    assert "--no-cache-dir" in args
    targets = [a for a in args if not a.startswith("-")]
    assert len(targets) == 1 and re.fullmatch(r"\.(\[[a-z,]+\])?", targets[0]), targets
    extras = re.findall(r"[a-z]+", targets[0])
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(extras) <= set(pyproject["project"]["optional-dependencies"])
    assert "datasette" in " ".join(pyproject["project"]["optional-dependencies"]["ui"])
    assert "python3 -m venv" in runs[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"python3 -m venv .*pip install (-q )?-e '\.\[test\]'", ci)


def test_dockerignore_keeps_secrets_archives_and_venv_out_of_the_context():
    lines = [ln.strip() for ln in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert lines[0] == "*", "allow-list: ignore everything, then re-include"
    allowed = [ln[1:].rstrip("/") for ln in lines if ln.startswith("!")]
    for secret in ("monitor.env", ".env", ".venv", ".git", "data", "monitor.db"):
        assert not any(fnmatch.fnmatch(secret, pattern) for pattern in allowed), secret
    for needed in ("pyproject.toml", "README.md", "monitor", "spiders", "schedules"):
        assert needed in allowed


def test_env_example_is_committed_and_the_real_env_file_is_gitignored():
    example = (ROOT / "monitor.env.example").read_text(encoding="utf-8")
    assert re.search(r"^APPRISE_URLS=\s*$", example, re.M), "the example must hold no secret"
    assert "MONITOR_APPRISE_CONFIG" in example and "MONITOR_SCHEDULES" in example
    patterns = [ln.strip() for ln in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.startswith("#")]
    assert any(fnmatch.fnmatch("monitor.env", p.lstrip("/")) for p in patterns)
    assert not any(fnmatch.fnmatch("monitor.env.example", p.lstrip("/")) for p in patterns)
    assert any(fnmatch.fnmatch(".build-ca.pem", p.lstrip("/")) for p in patterns)


def test_smoke_script_is_executable_shell():
    script = ROOT / "scripts" / "docker_smoke.sh"
    assert script.stat().st_mode & 0o111
    assert subprocess.run(["bash", "-n", str(script)], timeout=10).returncode == 0
