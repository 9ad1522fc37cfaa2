"""Every `petitions …` command in the README's "Using it" section runs against the demo
data, in order, as a new user would type it (SQLite, the embedded defaults). The README is
parsed, so a command added to that section later is covered too. Files the commands write
land in a temporary folder; a register the import examples name is made from the shipped
template, with the demo's unit codes."""
from __future__ import annotations

import csv
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def using_it_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Using it")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end != -1 else None]
    out = []
    for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            if line.startswith("petitions "):
                out.append(shlex.split(line, comments=True)[1:])
    return out


COMMANDS = using_it_commands()


def test_the_section_has_the_examples():
    assert len(COMMANDS) >= 10 and ["petition", "verify-log"] in COMMANDS


def _register_from_template(path: Path) -> None:
    from openpyxl import Workbook
    rows = list(csv.reader((ROOT / "config" / "import_template.csv").read_text(encoding="utf-8-sig").splitlines()))
    codes = {"C1": "KYTHUONG", "C1-D1": "KYTHUONG-DC"}
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append([codes.get(c, c) for c in row])
    wb.save(path)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    work = tmp_path_factory.mktemp("readme")
    env = dict(os.environ, PETITIONS_VAR_DIR=str(work / "var"), PETITIONS_LANG="vi")
    for key in ("DATABASE_URL", "BROKER_URL", "SMTP_HOST", "LOG_LEVEL", "PETITIONS_CALENDAR_FILES"):
        env.pop(key, None)
    # what `petitions run` does before the worker starts: schema, demo data, the first sends
    for args in (["db", "upgrade"], ["demo"], ["outbox", "send"]):
        r = subprocess.run([sys.executable, "-m", "engine", *args], env=env, cwd=work, capture_output=True, text=True)
        assert r.returncode == 0, (args, r.stderr)
    return work, env


def test_every_using_it_command_runs_on_the_demo(demo_dir):
    work, env = demo_dir
    for args in COMMANDS:
        if args[0] == "import" and not (work / args[1]).exists():
            _register_from_template(work / args[1])
        r = subprocess.run([sys.executable, "-m", "engine", *args], env=env, cwd=work, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, (args, r.stdout[-1000:], r.stderr[-1000:])
        if "--out" in args:
            assert (work / args[args.index("--out") + 1]).stat().st_size > 0, args
        if args[:2] == ["report", "appendix2"] and "table" in args:
            figures = [int(n) for line in r.stdout.splitlines()[5:] for n in re.findall(r"(?<![\d/])\d+(?![\d/])", line)[1:]]
            assert any(figures), r.stdout  # the period the README names is one the demo covers
