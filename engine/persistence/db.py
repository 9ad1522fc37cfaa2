"""Database engine, sessions and the unit of work.

SQLite (the embedded default) and PostgreSQL are both first-class. SQLite gets WAL,
foreign keys and a busy timeout so the web, the worker and beat can share one file.
"""
from __future__ import annotations

import unicodedata
from contextlib import contextmanager
from datetime import timezone
from functools import lru_cache

from sqlalchemy import DateTime, MetaData, String, Text, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from engine.language.text import fold
from engine.persistence.versions import track

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class NFCString(TypeDecorator):
    """Vietnamese text arrives composed or decomposed depending on the keyboard (Unikey,
    macOS, phones); storing NFC makes equality, uniqueness and search behave."""
    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return nfc(value)


class NFCText(TypeDecorator):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return nfc(value)


class UTCDateTime(TypeDecorator):
    """Instants are stored in UTC and come back aware, on SQLite (which keeps no offset)
    as on PostgreSQL (timestamptz)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: instants must carry a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def is_sqlite(url_or_engine) -> bool:
    url = str(getattr(url_or_engine, "url", url_or_engine))
    return url.startswith("sqlite")


def make_engine(url: str, read_only: bool = False, **kw) -> Engine:
    """An engine for `url`. `read_only` (a report replica) refuses every write at the
    database: PostgreSQL opens its sessions read-only, SQLite sets query_only."""
    if read_only and not is_sqlite(url):
        kw.setdefault("connect_args", {"options": "-c default_transaction_read_only=on"})
    if is_sqlite(url):
        kw.setdefault("connect_args", {"timeout": 30})
    else:
        kw.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kw)
    if is_sqlite(url):
        _sqlite_hooks(engine, read_only)
    if not read_only:
        track(engine)  # the data version kept results are filed under (engine/persistence/versions.py)
    return engine


def _sqlite_hooks(engine: Engine, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        # Let SQLAlchemy issue BEGIN itself so that BEGIN IMMEDIATE below works.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
        cur.close()
        # fold() in SQL (search over non-personal text); PostgreSQL uses translate()
        dbapi_conn.create_function("petitions_fold", 1, fold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        # Take the write lock at the start of every transaction: two writers then
        # queue instead of failing with "database is locked" on upgrade from a read.
        # A read-only engine never writes, so it must not hold the lock writers wait for.
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def default_engine(settings=None) -> Engine:
    if settings is None:
        from config import get_settings
        settings = get_settings()
    if is_sqlite(settings.resolved_database_url):
        settings.ensure_var_dir()
    return engine_for(settings.resolved_database_url)


@lru_cache(maxsize=4)
def _replica_for(url: str) -> Engine:
    return make_engine(url, read_only=True)


def report_engine(settings=None) -> Engine | None:
    """The read replica the report queries go to (DATABASE_REPLICA_URL), or None when
    there is none and reports read the primary."""
    if settings is None:
        from config import get_settings
        settings = get_settings()
    url = (settings.replica_database_url or "").strip()
    return _replica_for(url) if url else None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine):
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session
