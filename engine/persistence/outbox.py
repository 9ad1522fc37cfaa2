"""Writing to the outbox: insert-or-ignore on a unique key, so a decision taken twice
(two ticks, two beats, a retried transaction) yields one row."""
from __future__ import annotations

import json

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.persistence.models import OutboxMessage
from engine.deadlines.timeutil import utcnow


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
    table = OutboxMessage.__table__
    if dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=["key"])
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"])
    else:  # pragma: no cover
        stmt = insert(table)
    # executemany with RETURNING (SQLAlchemy batches it as "insertmanyvalues" and compiles it
    # once): ON CONFLICT DO NOTHING returns only the rows this statement inserted, which is
    # exactly "the rows this transaction created".
    keys = sorted({k for r in rows for k in r})
    defaults = {"to_email": None, "recipient_user_id": None, "petition_id": None, "clock_id": None, "rung": None,
                "lang": "vi", "last_error": None, "next_attempt_at": None, "sent_at": None}
    keys = sorted(set(keys) | set(defaults))
    full = [{k: r.get(k, defaults.get(k)) for k in keys} for r in rows]
    if dialect == "postgresql" and len(full) > 200:
        return _copy_insert_ignore(session, keys, full)
    ids = []
    for i in range(0, len(full), 1000):
        ids += list(session.execute(stmt.returning(table.c.id), full[i:i + 1000]).scalars())
    return sorted(ids)


def _copy_insert_ignore(session: Session, keys: list[str], rows: list[dict]) -> list[int]:
    """PostgreSQL bulk path (a tick claiming thousands of rungs): COPY into a temporary
    staging table, then one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id. Same
    semantics as the statement above, a fraction of the parsing and round trips."""
    cur = session.connection().connection.driver_connection.cursor()
    cols = ", ".join(keys)
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS outbox_stage ON COMMIT DROP AS SELECT {cols} FROM outbox WITH NO DATA")
    cur.execute("TRUNCATE outbox_stage")
    with cur.copy(f"COPY outbox_stage ({cols}) FROM STDIN") as cp:
        for r in rows:
            cp.write_row([json.dumps(r[k], ensure_ascii=False) if k == "context" else r[k] for k in keys])
    cur.execute(f"INSERT INTO outbox ({cols}) SELECT {cols} FROM outbox_stage ON CONFLICT (key) DO NOTHING RETURNING id")
    ids = sorted(row[0] for row in cur.fetchall())
    cur.execute("TRUNCATE outbox_stage")
    return ids
