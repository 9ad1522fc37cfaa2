"""Issue 21: the README's two commands are the ones the quick start and CI use; the first
brings the product up with the demo, the second passes the tests — and, on a machine
without PostgreSQL, Redis, Chromium or LibreOffice, skips what needs them with a one-line
reason each and still passes."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.integration.test_run import children_of, free_port, alive

ROOT = Path(__file__).resolve().parents[2]
RUN = "python3 dev.py run"
TEST = "python3 dev.py test"


def readme_commands() -> list[str]:
    """The commands of the README's quick start: the fenced block right under it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Quick start\n(.*?)^## ", text, re.S | re.M)
    assert m, "README.md has no '## Quick start' section"
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", m.group(1), re.S)
    assert block, "the quick start has no command block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.split("#", 1)[0].strip()]


def test_the_readme_quick_start_is_the_two_commands_and_ci_runs_the_second():
    assert readme_commands() == [RUN, TEST]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert TEST in ci_commands, ".ci/run must run the README's test command as it is written"
    # nothing else in CI installs the project or runs pytest behind the README's back
    assert not [c for c in ci_commands if re.search(r"pip install|pytest|venv", c)]
    # Windows users get the equivalent lines
    assert "py dev.py run" in (ROOT / "README.md").read_text(encoding="utf-8")


def _env_without_services(tmp_path: Path) -> dict:
    """A machine with Python and nothing else: no PostgreSQL answering, no redis-server,
    Chromium, soffice or pdftotext on the PATH, and not CI."""
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("git",):
        if shutil.which(tool):
            (bare / tool).symlink_to(shutil.which(tool))
    env = dict(os.environ, PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{bare}",
               TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/test",
               CHROMIUM_PATH=str(tmp_path / "no-chromium"))
    env.pop("CI", None)
    return env


@pytest.mark.integration
def test_the_test_command_skips_missing_services_with_one_line_each_and_passes(tmp_path):
    env = _env_without_services(tmp_path)
    picked = ["tests/integration/test_scheduler_services.py", "tests/e2e/test_journeys.py",
              "tests/integration/test_cli_lifecycle.py", "tests/integration/test_reports.py::test_kythuong_seed"]
    r = subprocess.run([sys.executable, "dev.py", "test", *picked, "-q", "-rs", "-p", "no:cacheprovider"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert "[dev.py] installing" not in out, "a second run must reuse the environment"
    skips = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert skips, out[-3000:]
    reasons = " ".join(skips)
    for what in ("PostgreSQL", "redis-server", "Chromium", "LibreOffice"):
        assert what in reasons, f"no skip names {what}: {reasons[:2000]}"
    assert re.search(r"\d+ passed", out) and re.search(r"\d+ skipped", out)


@pytest.mark.integration
def test_the_run_command_brings_up_the_product_with_the_demo(tmp_path):
    port = free_port()
    env = dict(os.environ, PETITIONS_VAR_DIR=str(tmp_path / "var"), PETITIONS_TICK_INTERVAL="3")
    for key in ("DATABASE_URL", "BROKER_URL", "SMTP_HOST", "CI"):
        env.pop(key, None)
    log = open(tmp_path / "run.log", "w+b")
    proc = subprocess.Popen([sys.executable, "dev.py", "run", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    kids: set[int] = set()
    try:
        deadline, up = time.time() + 120, False
        while time.time() < deadline and not up:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=3) as resp:
                    up = resp.status == 200
            except OSError:
                assert proc.poll() is None, (tmp_path / "run.log").read_text(encoding="utf-8")[-3000:]
                time.sleep(0.5)
        assert up
        out = (tmp_path / "run.log").read_text(encoding="utf-8")
        assert f"http://127.0.0.1:{port}/" in out and "vanthu" in out and "demo-petitions-2026" in out
        assert "[dev.py] installing" not in out
        kids = children_of(proc.pid)
        kids |= {k for c in list(kids) for k in children_of(c)}
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        log.close()
    assert code == 0, (tmp_path / "run.log").read_text(encoding="utf-8")[-3000:]
    time.sleep(0.5)
    assert kids and not [k for k in kids if alive(k)]
