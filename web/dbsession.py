"""One read session per request (closed at teardown) and the unit of work for writes."""
from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, g
from sqlalchemy.orm import Session

from engine.persistence.db import transaction


def engine():
    return current_app.extensions["petitions_engine"]


def db() -> Session:
    """The request's read session."""
    if "db" not in g:
        g.db = Session(engine(), expire_on_commit=False, autoflush=False)
    return g.db


def report_db() -> Session:
    """The session for a report's read-only queries: on the read replica when one is
    configured (DATABASE_REPLICA_URL), so heavy reports load it instead of the primary that
    takes the writes; otherwise the request's read session. Who the user is and what they
    may see is still read from the primary (`db()`): a replica's lag must never let a
    revoked session or role through."""
    replica = current_app.extensions.get("petitions_report_engine")
    if replica is None:
        return db()
    if "report_db" not in g:
        g.report_db = Session(replica, expire_on_commit=False, autoflush=False)
    return g.report_db


@contextmanager
def unit_of_work():
    """A write: one transaction through the engine's unit of work; commit or roll back.

    The request's read transaction is ended first: on SQLite every transaction takes the
    write lock (BEGIN IMMEDIATE), so a read left open would block the write. Loaded objects
    stay usable (expire_on_commit=False) and are expired afterwards to show the new state.
    """
    from web.queries import context
    context()  # the calendar and parameters the write may ask for, read before taking SQLite's
    # write lock: read inside the write, they would wait for it (the request's read session)
    read = g.get("db")
    if read is not None:
        read.commit()
    try:
        with transaction(engine()) as s:
            yield s
    finally:
        if read is not None:
            read.expire_all()


def after_commit(outbox_ids) -> None:
    """Hand new outbox rows to the worker; the relay picks them up if the broker is down."""
    if not outbox_ids:
        return
    try:
        from engine.scheduler.tasks import enqueue_dispatch
        enqueue_dispatch(list(outbox_ids))
    except Exception:  # noqa: BLE001 - the outbox row is the truth
        pass


def init_app(app) -> None:
    @app.teardown_appcontext
    def _close(_exc):
        for name in ("db", "report_db"):
            s = g.pop(name, None)
            if s is not None:
                s.close()
