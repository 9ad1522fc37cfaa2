"""Writing to the outbox: insert-or-ignore on a unique key, so a decision taken twice
(two ticks, two beats, a retried transaction) yields one row."""
from __future__ import annotations

import json
from operator import itemgetter

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.persistence.models import OutboxMessage
from engine.deadlines.timeutil import utcnow


# what a row left out gets (the columns' defaults, written out for executemany and COPY)
DEFAULTS = {"status": "pending", "attempts": 0, "to_email": None, "recipient_user_id": None, "petition_id": None,
            "clock_id": None, "rung": None, "lang": "vi", "last_error": None, "next_attempt_at": None, "sent_at": None}


def insert_ignore(session: Session, rows: list[dict]) -> list[int]:
    """Insert outbox rows, skipping keys that exist; returns the ids of rows created."""
    if not rows:
        return []
    defaults = dict(DEFAULTS, created_at=utcnow(), context={})
    keys = sorted(set().union(*rows) | set(defaults))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and len(rows) > 200:
        return _copy_insert_ignore(session, keys, rows, defaults)
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
    full = [{**defaults, **r} for r in rows]
    ids = []
    for i in range(0, len(full), 1000):
        ids += list(session.execute(stmt.returning(table.c.id), full[i:i + 1000]).scalars())
    return sorted(ids)


def _copy_insert_ignore(session: Session, keys: list[str], rows: list[dict], defaults: dict) -> list[int]:
    """PostgreSQL bulk path (a tick claiming thousands of rungs): COPY into a temporary
    staging table, then one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id. Same
    semantics as the statement above, a fraction of the parsing and round trips."""
    cur = session.connection().connection.driver_connection.cursor()
    cols = ", ".join(keys)
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS outbox_stage ON COMMIT DROP AS SELECT {cols} FROM outbox WITH NO DATA")
    cur.execute("TRUNCATE outbox_stage")
    row_of = itemgetter(*keys)  # the values in column order, from the row over the defaults
    # a reminder's inbox and email rows share one context object: encoded once (the memo holds
    # the object too, so its id cannot be reused by another one while the memo lives)
    texts: dict[int, tuple[object, str]] = {}
    with cur.copy(f"COPY outbox_stage ({cols}) FROM STDIN") as cp:
        for r in rows:
            full = {**defaults, **r}
            ctx = full["context"]
            hit = texts.get(id(ctx))
            if hit is None:
                hit = texts[id(ctx)] = (ctx, json.dumps(ctx, ensure_ascii=False))
            full["context"] = hit[1]
            cp.write_row(row_of(full))
    cur.execute(f"INSERT INTO outbox ({cols}) SELECT {cols} FROM outbox_stage ON CONFLICT (key) DO NOTHING RETURNING id")
    ids = sorted(row[0] for row in cur.fetchall())
    cur.execute("TRUNCATE outbox_stage")
    return ids
