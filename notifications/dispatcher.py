"""The dispatcher: drains outbox rows into their channels.

Rows are claimed a few at a time (`PETITIONS_OUTBOX_CLAIM_CHUNK`, status `sending` with a
lease), sent, and each outcome is written the moment the channel has decided it — before
the next message goes out. So a worker killed at any instant leaves at most one message in
doubt (the one in flight: accepted by the server, outcome not yet written), which the relay
re-offers when its lease runs out, together with the few unsent rows of the same chunk.

Writing every outcome costs one short round trip a message, not a disk flush: on
PostgreSQL it is one prepared, autocommitted statement on a connection with
`synchronous_commit = off` (the commit returns once the server has the change, without
waiting for the disk; a killed *worker* cannot lose it, only a crash of the database server
in the following fraction of a second could); on SQLite the WAL with `synchronous=NORMAL`
does not sync on commit either. When a slow server lets a claim age, the write also renews
the lease of the chunk's other rows, so a live worker never loses its claim.

When the database is unreachable, the claim and the outcome wait for it with back-off
(`PETITIONS_DB_RETRY_SECONDS`) instead of failing: mail the server accepted is recorded
when the database returns, never sent again, and a task that could not claim is still
running (its broker message unacknowledged), not dropped.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from config import get_settings
from engine.deadlines.timeutil import utcnow
from engine.persistence.db import transaction
from engine.persistence.models import InboxItem, OutboxMessage
from notifications.channels.email import EmailSession
from notifications.channels.webhook import WebhookChannel
from notifications.message import SendResult
from notifications.render import compose

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
OUTBOX = OutboxMessage.__table__


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, capped at 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass
class Claimed:
    id: int
    kind: str
    channel: str
    lang: str
    to_email: str | None
    user_id: int | None
    petition_id: int | None
    context: dict
    attempts: int


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class DatabaseWait:
    """Runs a unit of database work on one connection, waiting for the database with
    back-off (0.5 s doubling to 2 s, so work resumes within 2 s of its return — well inside
    a claim's lease) when it is unreachable, for up to `patience` seconds."""

    def __init__(self, engine: Engine, patience: float):
        self.engine, self.patience = engine, patience
        self.pg = engine.dialect.name == "postgresql"
        self.conn: Connection | None = None
        dbapi = engine.dialect.loaded_dbapi
        # through SQLAlchemy, or straight from the driver on the hot path
        self.transient = (DBAPIError, dbapi.OperationalError, dbapi.InterfaceError)

    def _connection(self) -> Connection:
        if self.conn is None:
            conn = self.engine.connect()
            if self.pg:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("SET synchronous_commit TO off")
            self.conn = conn
        return self.conn

    def __call__(self, work, what: str):
        deadline, pause = time.monotonic() + self.patience, 0.5
        while True:
            try:
                conn = self._connection()
                if self.pg:
                    return work(conn)  # each statement commits by itself (autocommit)
                with conn.begin():
                    return work(conn)
            except self.transient as exc:
                if not _unreachable(exc) or time.monotonic() >= deadline:
                    raise
                log.warning("database unreachable while %s; waiting %.1f s", what, pause)
                self.close(broken=True)
                time.sleep(pause)
                pause = min(pause * 2, 2.0)

    def close(self, broken: bool = False) -> None:
        if self.conn is None:
            return
        try:
            if broken:
                self.conn.invalidate()
            elif self.pg:
                self.conn.exec_driver_sql("RESET synchronous_commit")
            self.conn.close()
        except Exception:  # noqa: BLE001 - closing a connection to a database that went away
            pass
        self.conn = None


def _unreachable(exc: Exception) -> bool:
    # connection refused or dropped, a server shutting down, SQLite's "database is locked"
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, OperationalError)
    return True  # the driver's own OperationalError / InterfaceError


CLAIM_SQL = (
    "UPDATE outbox SET status = 'sending', next_attempt_at = %(now)s, attempts = attempts + 1 "
    "WHERE id = ANY(%(ids)s) AND ((status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)) "
    "OR (status = 'sending' AND next_attempt_at <= %(stale)s)) "
    "RETURNING id, kind, channel, lang, to_email, recipient_user_id, petition_id, context, attempts")


def _claim(conn: Connection, ids: list[int], now: datetime, stale: timedelta, pg: bool) -> list[Claimed]:
    """Take the rows of `ids` that are due and nobody holds: status `sending`, lease from now.
    One statement: a row another worker is claiming at the same instant is waited for and
    re-checked by the database, so two workers never both win it."""
    if pg:  # on the hot path: a prepared statement, straight to the driver
        rows = conn.connection.driver_connection.execute(
            CLAIM_SQL, {"ids": ids, "now": now, "stale": now - stale}, prepare=True).fetchall()
    else:
        due = or_(and_(OUTBOX.c.status == "pending",
                       or_(OUTBOX.c.next_attempt_at.is_(None), OUTBOX.c.next_attempt_at <= now)),
                  and_(OUTBOX.c.status == "sending", OUTBOX.c.next_attempt_at <= now - stale))
        rows = conn.execute(
            update(OUTBOX).where(OUTBOX.c.id.in_(ids), due)
            .values(status="sending", next_attempt_at=now, attempts=OUTBOX.c.attempts + 1)
            .returning(OUTBOX.c.id, OUTBOX.c.kind, OUTBOX.c.channel, OUTBOX.c.lang, OUTBOX.c.to_email,
                       OUTBOX.c.recipient_user_id, OUTBOX.c.petition_id, OUTBOX.c.context, OUTBOX.c.attempts)
        ).all()
    return sorted((Claimed(*r[:7], dict(r[7] or {}), r[8]) for r in rows), key=lambda c: c.id)


RECORD_SQL = ("UPDATE outbox SET status = %s, sent_at = coalesce(%s, sent_at), last_error = %s, next_attempt_at = %s "
              "WHERE id = %s")


class Outcomes:
    """Writes each message's outcome as soon as it is decided: one statement on one row.
    The lease of the chunk's other rows is renewed only when it has aged a third of its
    length (a slow server), so the usual cost is exactly that one row.

    On PostgreSQL the common outcome is pipelined: the statement leaves for the server at
    once, and `settle()` — called before the next message is sent, and before any other
    database work — waits for it. So the database commits while the next message is being
    composed, and still no message goes out while another one's outcome is unwritten."""

    def __init__(self, db: DatabaseWait, out: DispatchResult, clock, stale: timedelta):
        self.db, self.out, self.clock, self.stale = db, out, clock, stale
        self.held: list[int] = []  # ids of the chunk still waiting to be sent
        self.leased = time.monotonic()
        self.pipeline = None  # psycopg's pipeline, while an outcome is in flight
        self.unsettled: tuple | None = None  # (params, row id) of that outcome

    def hold(self, ids: list[int]) -> None:
        self.settle()
        self.held, self.leased = list(ids), time.monotonic()

    def settle(self) -> None:
        """Wait until the outcome in flight is committed (writing it again, with the
        database wait, if the connection broke meanwhile)."""
        if self.unsettled is None:
            return
        params, row_id = self.unsettled
        pipeline, self.pipeline = self.pipeline, None
        try:
            pipeline.__exit__(None, None, None)  # sync: the server has committed it
        except self.db.transient:
            self.db.close(broken=True)
            self.db(lambda conn: conn.connection.driver_connection.execute(RECORD_SQL, params, prepare=True),
                    f"recording outbox {row_id}")
        self.unsettled = None

    def abandon(self) -> None:
        """Leave pipeline mode after an error; an unsettled outcome is re-offered by the relay."""
        if self.pipeline is not None:
            try:
                self.pipeline.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - the batch is already failing
                self.db.close(broken=True)
            self.pipeline = self.unsettled = None

    def __call__(self, row: Claimed, result: SendResult, inbox: tuple[str, str] | None = None) -> None:
        self.settle()
        now = self.clock()
        if result.ok:
            values = {"status": "sent", "sent_at": now, "last_error": None, "next_attempt_at": now}
        elif result.permanent or row.attempts >= MAX_ATTEMPTS:
            values = {"status": "failed", "last_error": result.error, "next_attempt_at": now}
        else:
            values = {"status": "pending", "last_error": result.error, "next_attempt_at": now + backoff(row.attempts)}
        self.held = [i for i in self.held if i != row.id]
        renew = list(self.held) if time.monotonic() - self.leased > self.stale.total_seconds() / 3 else []

        def write(conn: Connection) -> None:
            if inbox is not None:
                # The item and the row's status commit together: an inbox message is never doubled.
                conn.execute(insert(InboxItem.__table__).values(
                    user_id=row.user_id, petition_id=row.petition_id, outbox_id=row.id, kind=row.kind,
                    title=inbox[0], body=inbox[1], created_at=now, read_at=None))
            conn.execute(update(OUTBOX).where(OUTBOX.c.id == row.id).values(**values))
            if renew:
                conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(renew), OUTBOX.c.status == "sending")
                             .values(next_attempt_at=now))

        if self.db.pg and inbox is None and not renew:
            # The common case, on the hot path: one prepared statement, straight to the driver.
            params = (values["status"], values.get("sent_at"), values["last_error"], values["next_attempt_at"], row.id)
            self.db(lambda conn: self._send(conn, params, row.id), f"recording outbox {row.id}")
        elif self.db.pg:
            self.db(lambda conn: _in_transaction(conn, write), f"recording outbox {row.id}")
        else:
            self.db(write, f"recording outbox {row.id}")
        if renew:
            self.leased = time.monotonic()
        if result.ok:
            self.out.sent += 1
        else:
            self.out.errors.append(f"{row.id}: {result.error}")
            if values["status"] == "failed":
                self.out.failed += 1
                log.warning("outbox %s failed: %s", row.id, result.error, extra={"outbox_ids": [row.id]})
            else:
                self.out.retried += 1

    def _send(self, conn: Connection, params: tuple, row_id: int) -> None:
        raw = conn.connection.driver_connection
        pipeline = raw.pipeline()
        pipeline.__enter__()
        # In pipeline mode the statement leaves for the server at once and runs there; its
        # implicit transaction commits at the Sync `settle` sends, and only then does the
        # next message go out — a worker killed before that leaves this one message in doubt.
        raw.execute(RECORD_SQL, params, prepare=True)
        self.pipeline, self.unsettled = pipeline, (params, row_id)


def _in_transaction(conn: Connection, work) -> None:
    # On the autocommit connection, a multi-statement outcome (inbox item + status) gets an
    # explicit transaction of its own.
    conn.exec_driver_sql("BEGIN")
    try:
        work(conn)
    except BaseException:
        conn.exec_driver_sql("ROLLBACK")
        raise
    conn.exec_driver_sql("COMMIT")


def dispatch(engine: Engine, ids: list[int], settings=None, now: datetime | None = None) -> DispatchResult:
    settings = settings or get_settings()
    clock = (lambda: now) if now is not None else utcnow
    out = DispatchResult()
    db = DatabaseWait(engine, settings.db_retry_seconds)
    stale = timedelta(seconds=settings.outbox_stale_seconds)
    record = Outcomes(db, out, clock, stale)
    # One message must fit in a lease, or a live worker's claim could be taken over.
    mail = EmailSession(settings, timeout=min(settings.smtp_timeout_seconds, settings.outbox_stale_seconds * 0.75))
    webhook = None
    chunk = max(1, settings.outbox_claim_chunk)
    ids = sorted(set(ids))
    try:
        for i in range(0, len(ids), chunk):
            part = ids[i:i + chunk]
            record.settle()
            rows = db(lambda conn: _claim(conn, part, clock(), stale, db.pg), "claiming outbox rows")
            record.hold([r.id for r in rows])
            for row in rows:
                try:
                    msg = compose(row.kind, row.lang, row.to_email, row.context,
                                  meta={"message_id": f"<outbox-{row.id}@petitions>"})
                except Exception as exc:  # noqa: BLE001 - a template that cannot render will not render on retry either
                    record(row, SendResult.failed(f"render: {exc}", permanent=True))
                    continue
                if row.channel == "email":
                    record.settle()  # the previous outcome is committed before this message goes
                    record(row, mail.send(msg))
                elif row.channel == "inbox":
                    record(row, SendResult.success(), inbox=(msg.subject, msg.text))
                elif row.channel == "webhook":
                    webhook = webhook or WebhookChannel(settings)
                    payload = {"kind": row.kind, "id": row.id, "subject": msg.subject, "text": msg.text,
                               "context": row.context}
                    record.settle()
                    record(row, webhook.send(payload))
                else:
                    record(row, SendResult.failed(f"unknown channel {row.channel}", permanent=True))
        record.settle()
    finally:
        mail.close()
        record.abandon()
        db.close()
    return out


def retry(engine: Engine, outbox_id: int) -> bool:
    """Put a failed row back in the queue (after fixing the SMTP password, say)."""
    with transaction(engine) as s:
        r = s.get(OutboxMessage, outbox_id)
        if r is None:
            return False
        r.status, r.attempts, r.next_attempt_at = "pending", 0, None
        return True
