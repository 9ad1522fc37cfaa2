"""Writing to the outbox: insert-or-ignore on a unique key, so a decision taken twice
(two ticks, two beats, a retried transaction) yields one row."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models import OutboxMessage
from engine.timeutil import utcnow


def insert_ignore(session: Session, rows: list[dict]) -> list[int]:
    """Insert outbox rows, skipping keys that exist; returns the ids of rows created."""
    if not rows:
        return []
    now = utcnow()
    for r in rows:
        r.setdefault("created_at", now)
        r.setdefault("status", "pending")
        r.setdefault("attempts", 0)
        r.setdefault("context", {})
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(OutboxMessage).on_conflict_do_nothing(index_elements=["key"])
    elif dialect == "sqlite":
        stmt = sqlite.insert(OutboxMessage).on_conflict_do_nothing(index_elements=["key"])
    else:  # pragma: no cover
        stmt = insert(OutboxMessage)
    ids = []
    # One statement per row: RETURNING with ON CONFLICT DO NOTHING returns only inserted rows,
    # which is exactly "the rows this transaction created".
    for r in rows:
        got = session.execute(stmt.values(**r).returning(OutboxMessage.id)).scalar()
        if got is not None:
            ids.append(got)
    return ids
