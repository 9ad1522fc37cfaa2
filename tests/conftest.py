"""Shared fixtures: real databases (SQLite file and PostgreSQL), a fixed clock, a small org.

PostgreSQL tests skip only when the server is unreachable *and* CI is unset; under
CI=true an unreachable service is a failure.
"""
from __future__ import annotations

import contextlib
import os
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from engine.persistence.db import make_engine, transaction
from engine.persistence.migrate import upgrade

PG_BASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Each pytest process gets a database of its own, so parallel runs never drop each
# other's schema; it is created on first use and dropped at exit.
PG_URL = PG_BASE_URL.rsplit("/", 1)[0] + f"/petitions_test_{os.getpid()}"
_pg_created = False
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)  # Fri 20/11/2026 10:00 in Vietnam

pytest_plugins = ["tests.conftest_smtp"] if os.path.exists(os.path.join(os.path.dirname(__file__), "conftest_smtp.py")) else []


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Argon2 at production cost makes every org fixture slow; tests only need it correct."""
    from argon2 import PasswordHasher
    import engine.services.passwords as pw
    saved = pw._hasher
    pw._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    pw._hasher = saved


def service_unreachable(what: str, exc: Exception):
    if IN_CI:
        pytest.fail(f"{what} unreachable under CI: {exc}")
    pytest.skip(f"{what} unreachable: {exc}")


def _ensure_pg_database():
    global _pg_created
    if _pg_created:
        return
    import atexit
    admin = make_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = PG_URL.rsplit("/", 1)[1]
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    _pg_created = True

    def _drop():
        a = make_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")
        with contextlib.suppress(Exception), a.connect() as conn:  # best effort at exit
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_URL.rsplit("/", 1)[1]}" WITH (FORCE)'))
        a.dispose()
    atexit.register(_drop)


def fresh_pg_engine():
    try:
        _ensure_pg_database()
    except Exception as exc:  # noqa: BLE001
        service_unreachable("PostgreSQL", exc)
    engine = make_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:  # noqa: BLE001
        engine.dispose()
        service_unreachable("PostgreSQL", exc)
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def db(request, tmp_path):
    """A migrated, empty database: each test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        engine = fresh_pg_engine()
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def ctx():
    from engine.services.petitions import Context
    return Context(now=NOW)


ORG = [  # code, name, level, parent
    ("P", "Tỉnh Thử", "province", None),
    ("P-D", "Ban Nội chính tỉnh", "department", "P"),
    ("C1", "Xã Một", "commune", "P"),
    ("C1-D1", "Phòng Địa chính xã Một", "department", "C1"),
    ("C1-D2", "Phòng Văn hóa xã Một", "department", "C1"),
    ("C2", "Xã Hai", "commune", "P"),
    ("C2-D1", "Phòng Kinh tế xã Hai", "department", "C2"),
]
USERS = [  # username, role, unit
    ("clerk1", "clerk", "C1"), ("leader1", "leader", "C1"), ("dept1", "department", "C1-D1"),
    ("dept2", "department", "C1-D2"), ("auditor", "auditor", "P"), ("admin", "admin", "P"),
    ("clerk2", "clerk", "C2"), ("leader2", "leader", "C2"), ("deptc2", "department", "C2-D1"),
    ("pclerk", "clerk", "P"), ("pleader", "leader", "P"), ("pauditor", "auditor", "P"), ("c1auditor", "auditor", "C1"),
]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def org(db):
    """The small org above, with a user of every role; returns the engine."""
    from engine.services.units import add_unit
    from engine.services.users import add_user
    with transaction(db) as s:
        for code, name, level, parent in ORG:
            add_unit(s, code, name, level, parent)
        for username, role, unit in USERS:
            add_user(s, username, role, unit, PASSWORD, email=f"{username}@example.test", full_name=username.title())
    return db
