#!/usr/bin/env python3
"""The two commands a newcomer runs, each doing all of its own set-up:

    python3 dev.py run     create .venv if missing, install the product, start it with the demo
    python3 dev.py test    create .venv if missing, install what the tests need, run them

(`py dev.py run` / `py dev.py test` on Windows.) Extra arguments go to `petitions run` or
to pytest: `python3 dev.py run --port 8080`, `python3 dev.py test tests/unit -x`.

Why a Python script and not a Makefile: the one thing a newcomer is promised to have is
Python — `make` is missing on Windows and on many fresh Linux installs, and a script needs
no `source` and behaves the same from any shell. The install is redone only when
pyproject.toml or setup.py changed since the last one (a stamp inside .venv), so a second
run starts at once.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PETITIONS_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
USAGE = "usage: python3 dev.py run|test [arguments for petitions run | pytest]"


def say(msg: str) -> None:
    print(f"[dev.py] {msg}", flush=True)


def fingerprint() -> str:
    h = hashlib.sha256()
    for name in ("pyproject.toml", "setup.py"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()[:16]


def ensure_env(extra: str) -> None:
    """Create the virtualenv if missing and install the project (with `extra`) unless the
    same install was already made from the same pyproject.toml and setup.py."""
    if sys.version_info < (3, 11):
        sys.exit(f"[dev.py] Python ≥ 3.11 is needed (this is {sys.version.split()[0]}).")
    if not PYTHON.exists():
        say(f"creating the virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".petitions-installed-{extra or 'base'}"
    # A dev install contains the base one.
    stamps = [stamp] + ([VENV / ".petitions-installed-dev"] if not extra else [])
    if any(s.exists() and s.read_text().strip() == fingerprint() for s in stamps):
        return
    target = f".[{extra}]" if extra else "."
    say(f"installing {target} (once; again only when pyproject.toml or setup.py change)")
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run(pip + ["-e", target], check=True, cwd=ROOT)
    stamp.write_text(fingerprint() + "\n")


def child(cmd: list[str]) -> int:
    """Run `cmd` in the foreground and let it stop itself: Ctrl-C reaches it directly (same
    process group) and a SIGTERM to this script is passed on, so `petitions run` always
    gets to stop its worker and beat cleanly."""
    proc = subprocess.Popen(cmd, cwd=ROOT)
    if os.name != "nt":
        signal.signal(signal.SIGTERM, lambda *_: proc.send_signal(signal.SIGTERM))
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            continue  # the child got the same Ctrl-C; wait for its clean stop


def run(args: list[str]) -> int:
    ensure_env("")
    return child([str(PYTHON), "-m", "engine", "run", *args])


def parallel(args: list[str]) -> list[str]:
    """pytest-xdist options, unless the caller chose: one worker per core, each taking the
    next test as it frees (worksteal). Most of the suite waits on subprocesses, browsers and
    databases, so two workers on two cores halve the run (48 → about 20 minutes in CI). Every
    test already keeps to its own PostgreSQL database, Redis and ports (tests/conftest.py)."""
    chosen = any(a in ("-n", "--numprocesses", "--dist") or a.startswith(("-n", "--numprocesses=", "--dist="))
                 for a in args) or "no:xdist" in args
    return [] if chosen else ["-n", "auto", "--dist", "worksteal"]


def test(args: list[str]) -> int:
    ensure_env("dev")
    say("checking the import contract (docs/architecture.md)")
    rc = subprocess.call([str(BIN / "lint-imports")], cwd=ROOT)
    if rc:
        return rc
    return child([str(PYTHON), "-m", "pytest", *parallel(args), *args])


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        return {"run": run, "test": test}[argv[0]](argv[1:])
    except subprocess.CalledProcessError as exc:
        say(f"set-up failed: {' '.join(map(str, exc.cmd))} exited {exc.returncode}")
        return exc.returncode or 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
