"""`petitions users passwd|change|deactivate` (issue 11): each change ends the user's sessions
(bumps `session_epoch`); bad input is one clear line, exit 2, nothing changed."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import User
from engine.services.passwords import verify_password


def _setup(engine):
    from engine.services.units import add_unit
    from engine.services.users import add_user
    with transaction(engine) as s:
        add_unit(s, "P", "Tỉnh Thử", "province", None)
        add_unit(s, "C1", "Xã Một", "commune", "P")
        add_user(s, "clerk1", "clerk", "C1", "correct-horse-battery")


def _run(tmp_path, *args, stdin=None, lang="en"):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'test.db'}", PETITIONS_VAR_DIR=str(tmp_path / "var"),
               PETITIONS_LANG=lang)
    return subprocess.run([sys.executable, "-m", "engine", "users", *args], env=env, capture_output=True, text=True,
                          input=stdin, timeout=60)


def _user(engine) -> User:
    with transaction(engine) as s:
        u = s.scalar(select(User).where(User.username == "clerk1"))
        s.expunge(u)
        return u


def test_user_commands_end_sessions(sqlite_db, tmp_path):
    _setup(sqlite_db)
    assert _user(sqlite_db).session_epoch == 0
    r = _run(tmp_path, "passwd", "--username", "clerk1", "--password-stdin", stdin="a-brand-new-password\n")
    assert r.returncode == 0, r.stderr
    u = _user(sqlite_db)
    assert u.session_epoch == 1 and verify_password(u.password_hash, "a-brand-new-password")
    assert _run(tmp_path, "change", "--username", "clerk1", "--role", "leader", "--unit", "P").returncode == 0
    u = _user(sqlite_db)
    assert (u.role, u.session_epoch) == ("leader", 2)
    assert _run(tmp_path, "deactivate", "--username", "clerk1").returncode == 0
    u = _user(sqlite_db)
    assert (u.active, u.session_epoch) == (False, 3)


def test_user_commands_refuse_bad_input_and_change_nothing(sqlite_db, tmp_path):
    _setup(sqlite_db)
    before = _user(sqlite_db)
    for args, stdin, text in [
        (("passwd", "--username", "clerk1", "--password-stdin"), "short\n", "at least 10 characters"),
        (("change", "--username", "clerk1", "--role", "emperor"), None, "emperor"),
        (("change", "--username", "clerk1", "--unit", "NOWHERE"), None, "NOWHERE"),
        (("change", "--username", "clerk1"), None, "Nothing to change"),
        (("deactivate", "--username", "nobody"), None, "Unknown user 'nobody'"),
    ]:
        r = _run(tmp_path, *args, stdin=stdin)
        assert r.returncode == 2 and text in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    r = _run(tmp_path, "change", "--username", "clerk1", lang="vi")
    assert "Không có gì để đổi" in r.stderr
    after = _user(sqlite_db)
    assert (after.session_epoch, after.password_hash, after.role, after.unit_id, after.active) == \
        (before.session_epoch, before.password_hash, before.role, before.unit_id, True)
