"""An office that ran the previous release upgrades in place: its database, written by that
release's own code, is migrated by this one and keeps working (read, verified, acted on,
ticked), on SQLite and PostgreSQL.

The previous release is taken from this repository's history (`git archive`), so the rows
are exactly what that code wrote — not what today's models think it wrote.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import io
from pathlib import Path

import pytest

from tests.conftest import IN_CI, PG_URL, fresh_pg_engine

# The last commit of release 0.1.0 (issues 2–7); its schema head is migration 0004.
PREVIOUS_RELEASE = "66d8382"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory) -> Path:
    try:
        blob = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", PREVIOUS_RELEASE],
                              capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        msg = f"the previous release ({PREVIOUS_RELEASE}) is not in this clone's history: {exc}"
        pytest.fail(msg) if IN_CI else pytest.skip(msg)
    out = tmp_path_factory.mktemp("previous-release")
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(out, filter="data")
    return out


def _cli(cwd: Path, env: dict, *args, ok=True):
    # `python -m engine` from `cwd` imports the engine found there first: the old tree for
    # the previous release, this checkout for the current one.
    r = subprocess.run([sys.executable, "-m", "engine", *args], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=300)
    if ok:
        assert r.returncode == 0, f"petitions {' '.join(args)}: {r.stderr[-2000:]}"
    return r


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def test_a_database_of_the_previous_release_upgrades_and_keeps_working(kind, previous_release, tmp_path):
    env = dict(os.environ, PETITIONS_VAR_DIR=str(tmp_path / "var"), PETITIONS_LANG="vi", PYTHONPATH="")
    env.pop("DATABASE_URL", None)
    if kind == "postgresql":
        fresh_pg_engine().dispose()
        env["DATABASE_URL"] = PG_URL
    old = dict(env, PYTHONPATH=str(previous_release))
    _cli(previous_release, old, "db", "upgrade")
    _cli(previous_release, old, "demo")
    _cli(previous_release, old, "tick", "--at", "2026-11-23T00:30:00Z")
    before = json.loads(_cli(previous_release, old, "petition", "list", "--json").stdout)
    assert len(before) > 50

    _cli(ROOT, env, "db", "upgrade")
    after = json.loads(_cli(ROOT, env, "petition", "list", "--json").stdout)
    key = lambda rows: sorted((p["code"], p["state"]) for p in rows)  # noqa: E731
    assert key(after) == key(before)
    verify = _cli(ROOT, env, "petition", "verify-log", "--json", ok=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # The upgraded database takes new work: a tick, and an action on an old case.
    _cli(ROOT, env, "tick", "--at", "2026-11-24T00:30:00Z")
    received = next(p for p in after if p["state"] == "received")
    shown = json.loads(_cli(ROOT, env, "petition", "show", received["code"], "--json").stdout)
    assert shown["code"] == received["code"] and shown["clocks"]
