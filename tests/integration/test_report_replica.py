"""Report queries can go to a read replica (issue 20): with DATABASE_REPLICA_URL set, the
annex, on-time and compliance reports read the replica, everything else the primary, and the
replica's connections refuse every write (PostgreSQL read-only sessions, SQLite query_only).

The routing is shown with two different databases: the "replica" is a copy of the demo
database whose petitions and sessions were then removed, so a report that read it says 0
where the primary says otherwise."""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine.persistence.db import make_engine, transaction


@pytest.fixture(scope="module")
def two_databases(tmp_path_factory):
    var = tmp_path_factory.mktemp("replica") / "var"
    env = dict(os.environ, PETITIONS_VAR_DIR=str(var), PETITIONS_LANG="vi")
    for key in ("DATABASE_URL", "DATABASE_REPLICA_URL", "BROKER_URL", "LOG_LEVEL"):
        env.pop(key, None)
    for args in (["db", "upgrade"], ["demo"]):
        r = subprocess.run([sys.executable, "-m", "engine", *args], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    replica = var.parent / "replica.db"
    src, dst = sqlite3.connect(var / "petitions.db"), sqlite3.connect(replica)
    src.backup(dst)
    src.close()
    dst.execute("DELETE FROM petitions")  # raw sqlite3: foreign keys are off, nothing cascades
    dst.execute("DELETE FROM reception_sessions")
    dst.commit()
    dst.close()
    return env, f"sqlite:///{replica}"


def run(env, *args):
    r = subprocess.run([sys.executable, "-m", "engine", *args], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_reports_read_the_replica_and_everything_else_the_primary(two_databases):
    env, replica_url = two_databases
    annex = ("report", "appendix2", "--unit", "KYTHUONG", "--from", "2020-01-01", "--to", "2026-12-31",
             "--format", "json")
    primary = run(env, *annex)
    with_replica = dict(env, DATABASE_REPLICA_URL=replica_url)
    routed = run(with_replica, *annex)
    assert primary != routed
    numbers = [int(n) for n in re.findall(r":\s*(\d+)", routed)]
    assert numbers and not any(numbers), "the replica holds no petitions or sessions: every count is 0"
    assert any(int(n) for n in re.findall(r":\s*(\d+)", primary))
    # a list of cases is not a report: it reads the primary, replica or not
    listed = run(with_replica, "petition", "list", "--unit", "KYTHUONG", "--json")
    assert json.loads(listed)


def test_a_replica_engine_refuses_writes(db):
    ro = make_engine(db.url.render_as_string(hide_password=False), read_only=True)
    try:
        with transaction(ro) as s:
            assert s.execute(text("SELECT count(*) FROM org_units")).scalar() == 0
        with pytest.raises(DBAPIError, match="(?i)read.only|readonly|query_only|attempt to write"):
            with transaction(ro) as s:
                s.execute(text("INSERT INTO org_units (code, name, level) VALUES ('X', 'X', 'commune')"))
    finally:
        ro.dispose()
