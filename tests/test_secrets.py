"""Security (issue 9): secrets never reach logs or the archive; a crawl opens no listening
socket (Scrapy's telnet console and remote control are off); the container's user can
write only /data.

Real subprocesses (``monitor crawl``, ``alerts send``, ``alerts test``, ``status``, the
daemon) run with ``APPRISE_URLS`` holding distinctive tokens, at DEBUG and in JSON log
mode; their stdout and stderr and every archive file are grepped for the tokens.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import psutil
import pytest

from fault_helpers import FaultServer, free_port
from monitor.collect.crawl import build_settings
from monitor.store import Store

MONITOR = [sys.executable, "-m", "monitor"]
ROOT = Path(__file__).resolve().parent.parent
TOKENS = ("Sup3rSecretPassw0rd", "HdrT0ken9f8e7d", "QueryT0ken1a2b3c", "MailPassw0rdZ9")


def apprise_urls(port: int) -> str:
    return " ".join([
        f"json://alice:{TOKENS[0]}@127.0.0.1:{port}/hook?+X-Api-Key={TOKENS[1]}",
        f"form://127.0.0.1:{port}/form?token={TOKENS[2]}",
        f"mailto://bob:{TOKENS[3]}@127.0.0.1:{free_port()}?from=a@example.org&to=b@example.org",
    ])


def env(port: int, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("MONITOR_APPRISE_CONFIG", "MONITOR_DB")}
    base.update(APPRISE_URLS=apprise_urls(port), MONITOR_LOG_LEVEL="DEBUG", **extra)
    return base


def assert_no_secret(where: str, data: str | bytes) -> None:
    blob = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    for token in TOKENS:
        assert token.encode() not in blob, f"secret {token[:6]}... leaked into {where}"


def archive_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(hang_s=30) as srv:
        srv.add_feed("news", items=3)
        yield srv


def catalogue(tmp_path: Path, server: FaultServer, every: str = "2s") -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = "news"\nspider = "feed"\nurl = "{server.url("/ok/news.rss")}"\n'
                    f'fetch_articles = false\nevery = "{every}"\n', encoding="utf-8")
    return path


@pytest.mark.slow
def test_secrets_never_appear_in_output_logs_or_archive(server: FaultServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    cat = catalogue(tmp_path, server)
    with Store.open(db) as store, store.atomic():
        store.queue_alert(key="denial:secret-test", kind="denial", tag="denial", title="Alert", body_text="b",
                          body_markdown="b", body_html="<p>b</p>")
    commands = [
        ["crawl", "--sources", str(cat), "--db", str(db), "-s", "DOWNLOAD_DELAY=0"],
        ["alerts", "send", "--db", str(db)],
        ["alerts", "test"],
        ["alerts", "list", "--db", str(db), "--json"],
        ["status", "--db", str(db), "--json"],
        ["--log-json", "alerts", "send", "--db", str(db)],
    ]
    for args in commands:
        done = subprocess.run([*MONITOR, *args], capture_output=True, text=True, env=env(server.port), timeout=120)
        assert_no_secret(f"`monitor {' '.join(args[:2])}` output", done.stdout + done.stderr)
    # alerts test reports each service, masked: the services were really used
    test_out = subprocess.run([*MONITOR, "alerts", "test"], capture_output=True, text=True, env=env(server.port))
    assert "ok     json://" in test_out.stdout and "ok     form://" in test_out.stdout, test_out.stdout
    assert server.hits["/hook"] >= 2 and server.hits["/form"] >= 2, "the services were really used"

    # The daemon, at DEBUG, with its crawl children and alert delivery.
    daemon = subprocess.Popen([*MONITOR, "run", "--schedules", str(cat), "--db", str(db), "-s", "DOWNLOAD_DELAY=0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=env(server.port, MONITOR_HEARTBEAT="1", MONITOR_ALERTS_EVERY="1"))
    time.sleep(7)
    daemon.send_signal(signal.SIGTERM)
    out, _ = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, out[-2000:]
    assert "alerts configured services=" in out, "the daemon loaded the notification URLs"
    assert_no_secret("daemon log", out)
    assert_no_secret("archive files", archive_bytes(db))
    with Store.open(db) as store:
        assert store.db.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] >= 2


def test_crawl_settings_disable_telnet_console_and_remote_control() -> None:
    settings = build_settings({"db": "x.db", "sources": [], "time_limit": 10})
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED", True) is False


@pytest.mark.slow
def test_a_running_crawl_opens_no_listening_socket(server: FaultServer, tmp_path: Path) -> None:
    """Watch a live crawl (held open by a hanging source) and its crawler child: no LISTEN socket."""
    cat = tmp_path / "slow.toml"
    cat.write_text(catalogue(tmp_path, server).read_text() +
                   f'[[source]]\nname = "slow"\nspider = "feed"\nurl = "{server.url("/hang")}"\n'
                   "fetch_articles = false\n", encoding="utf-8")
    proc = subprocess.Popen([*MONITOR, "crawl", "--sources", str(cat), "--db", str(tmp_path / "a.db"),
                             "-s", "DOWNLOAD_TIMEOUT=6", "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_DELAY=0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    checked: set[int] = set()
    listening: list[tuple[int, object]] = []
    deadline = time.monotonic() + 30
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for p in family:
                try:  # a child may exit (or be a zombie) between the listing and these calls
                    conns = p.net_connections(kind="inet")
                    cmdline = p.cmdline()
                except (psutil.NoSuchProcess, psutil.ZombieProcess):
                    continue
                if any("monitor.collect.crawl" in part for part in cmdline):
                    checked.add(p.pid)
                listening += [(p.pid, c.laddr) for c in conns if c.status == psutil.CONN_LISTEN]
            time.sleep(0.2)
    finally:
        out, err = proc.communicate(timeout=60)
    assert checked, "never saw the crawler child running"
    assert listening == [], f"listening sockets opened by the crawl: {listening}"
    assert "telnet" not in err.lower() and not re.search(r"remote.control.*listening", err, re.I)


# -- the container: static, the engine is not available in CI ---------------------------


def final_stage(text: str) -> list[str]:
    lines = [ln for ln in re.sub(r"\\\n", " ", text).splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    start = max(i for i, ln in enumerate(lines) if ln.split()[0].upper() == "FROM")
    return lines[start:]


def test_container_user_is_unprivileged_and_owns_only_data() -> None:
    stage = final_stage((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    users = [ln.split(None, 1)[1].strip() for ln in stage if ln.split()[0].upper() == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0"), "the final stage must run as a non-root user"
    user = users[-1].split(":")[0]
    runs = " ".join(ln for ln in stage if ln.split()[0].upper() == "RUN")
    chowned = re.findall(r"chown\s+(?:-R\s+)?\S+\s+([^&;]+)", runs)
    targets = {t for group in chowned for t in group.split()}
    assert targets == {"/data"}, f"only /data may belong to {user}: chown targets {targets}"
    assert not re.search(r"chmod\s+(-R\s+)?[0-7]*7\b", runs), "no world-writable paths"
    for ln in stage:
        if ln.split()[0].upper() in ("COPY", "ADD"):
            assert "--chown" not in ln and "--chmod" not in ln, f"code must stay root-owned: {ln}"
    assert any(ln.split()[0].upper() == "VOLUME" and "/data" in ln for ln in stage)
    # everything the user writes by default goes to /data
    assert re.search(r"MONITOR_DB=/data/", " ".join(stage)), "the archive must live on /data"
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    mounts = re.findall(r"^\s*-\s*(\S+:/\S+)\s*$", compose, re.M)
    writable = [m for m in mounts if not m.endswith(":ro")]
    assert all(m.split(":")[1] == "/data" for m in writable), f"writable mounts other than /data: {writable}"
