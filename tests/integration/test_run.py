"""`petitions run` as a new user runs it: one command, the embedded defaults, demo data,
the admin answering, reminders sent by the running worker and beat, and a clean stop."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.add(int(entry))
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def test_run_starts_everything_and_stops_cleanly(tmp_path, smtp_server):
    port = free_port()
    env = dict(os.environ, PETITIONS_VAR_DIR=str(tmp_path / "var"), SMTP_HOST=smtp_server.host,
               SMTP_PORT=str(smtp_server.port), PETITIONS_TICK_INTERVAL="3", PETITIONS_LANG="vi")
    for key in ("DATABASE_URL", "BROKER_URL", "SMTP_USER", "SMTP_PASSWORD"):
        env.pop(key, None)
    log = open(tmp_path / "run.log", "w+b")
    proc = subprocess.Popen([sys.executable, "-m", "engine", "run", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.time() + 120
        health = None
        while time.time() < deadline:
            try:
                status, body = get(f"http://127.0.0.1:{port}/healthz")
                health = (status, body)
                break
            except OSError:
                time.sleep(0.5)
            assert proc.poll() is None, open(tmp_path / "run.log", encoding="utf-8").read()[-3000:]
        assert health and health[0] == 200 and '"status":"ok"' in health[1].replace(" ", ""), health
        banner = open(tmp_path / "run.log", encoding="utf-8").read()
        assert f"http://127.0.0.1:{port}/" in banner and "vanthu" in banner and "demo-petitions-2026" in banner
        assert get(f"http://127.0.0.1:{port}/login")[0] == 200
        # the demo's overdue items are alerted by the worker, by email, without anyone asking
        wait = time.time() + 90
        while time.time() < wait and not smtp_server.messages:
            time.sleep(0.5)
        assert smtp_server.messages, open(tmp_path / "run.log", encoding="utf-8").read()[-3000:]
        # beat keeps ticking: the last tick moves forward
        first = _last_tick(port)
        wait = time.time() + 30
        while time.time() < wait and _last_tick(port) == first:
            time.sleep(0.5)
        assert _last_tick(port) > first
        kids = children_of(proc.pid)
        assert len(kids) == 4  # web, the mail worker, the scheduler's worker, beat
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        log.close()
    assert code == 0, open(tmp_path / "run.log", encoding="utf-8").read()[-3000:]
    time.sleep(0.5)
    assert not [k for k in kids if alive(k)]
    with pytest.raises(OSError):
        get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def _last_tick(port) -> float:
    _, body = get(f"http://127.0.0.1:{port}/metrics")
    for line in body.splitlines():
        if line.startswith("petitions_tick_last_run_timestamp_seconds "):
            return float(line.split()[1])
    return 0.0
