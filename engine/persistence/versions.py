"""The data version: one number that moves whenever data may have changed (issue 20).

Reports are kept between requests (engine/reports/cache.py) under the number they were
computed with; a report served is therefore never older than the last committed write.
The number is kept here, at the level every write passes through — the engine's cursor —
rather than by each service remembering to say so, so that a write added tomorrow
invalidates the reports without anyone having to think of it:

- every INSERT, UPDATE, DELETE, COPY or TRUNCATE SQLAlchemy sends marks its connection
  written, unless it writes only a table of `NEUTRAL` (what was delivered or who signed in:
  no report reads them) or its statement says `data_neutral` (the tick's move of a clock's
  next reminder, which no report reads);
- just before that connection's COMMIT, one `UPDATE data_versions` in the same transaction
  adds one. A reader who read the old number may still file a result computed after the
  commit under it; no one asks for the old number after the commit, so nothing stale is
  served. Under AUTOCOMMIT the write is durable at once, so the number moves at the end.

Writes through the driver's own cursor (COPY in bulk imports) call `mark_written`.
The update takes the row's lock only for the commit itself: writers queue there for the
time of a COMMIT, not of their transaction.
"""
from __future__ import annotations

import re

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

# Tables no report, list or page computed from the data reads: deliveries, sign-ins,
# rate-limit attempts, tick and re-projection bookkeeping, audit seals (written with the
# events they seal), document and petition number counters (written with what they number).
NEUTRAL = frozenset({
    "data_versions", "alembic_version", "outbox", "outbox_stage", "inbox_items", "sign_ins", "tick_runs",
    "reprojection_batches", "api_token_uses", "public_attempts", "audit_checkpoints",
})
WRITE = re.compile(
    r"^\s*(?:WITH\b.*?\)\s*)?(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?)\s+\"?(\w+)",
    re.IGNORECASE | re.DOTALL)
DDL = re.compile(r"^\s*(?:CREATE|DROP|ALTER)\b", re.IGNORECASE)
BUMP = "UPDATE data_versions SET version = version + 1 WHERE id = 1"
WRITTEN = "petitions_written"  # the flag in the connection's info


def written_table(statement: str) -> str | None:
    """The table a write statement writes, or None for a read."""
    m = WRITE.match(statement)
    return m.group(1).lower() if m else None


def mark_written(conn: Connection) -> None:
    """Say that `conn` wrote data by a way the cursor events do not see (the driver's COPY)."""
    conn.info[WRITTEN] = True


def data_version(session: Session) -> int | None:
    """The current number (None where the row is missing: nothing is then kept)."""
    return session.execute(text("SELECT version FROM data_versions WHERE id = 1")).scalar()


def track(engine: Engine) -> None:
    """Keep the data version of `engine`'s database (make_engine calls it for every engine
    that may write)."""
    present = False  # data_versions exists: checked until it does (during the migrations it may not)

    @event.listens_for(engine, "before_cursor_execute")
    def _note(conn, cursor, statement, parameters, context, executemany):
        nonlocal present
        if DDL.match(statement):
            present = False  # a migration (or a test) may have created or dropped the table: look again
            return
        if conn.info.get(WRITTEN):
            return
        table = written_table(statement)
        if table is None or table in NEUTRAL:
            return
        if context is not None and context.execution_options.get("data_neutral"):
            return
        conn.info[WRITTEN] = True

    def _bump(conn) -> None:
        nonlocal present
        cur = conn.connection.dbapi_connection.cursor()
        try:
            if not present:
                cur.execute("SELECT to_regclass('data_versions') IS NOT NULL" if engine.dialect.name == "postgresql"
                            else "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'data_versions'")
                present = bool(cur.fetchone()[0])
            if present:
                cur.execute(BUMP)
        finally:
            cur.close()

    @event.listens_for(engine, "commit")
    def _commit(conn):
        if conn.info.pop(WRITTEN, False):
            _bump(conn)

    @event.listens_for(engine, "rollback")
    def _rollback(conn):
        if conn.info.pop(WRITTEN, False) and conn._is_autocommit_isolation():
            _bump(conn)  # under AUTOCOMMIT every write is already durable: the rollback undoes none
