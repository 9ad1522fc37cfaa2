"""The dispatcher: drains outbox rows into their channels.

A row is claimed (status `sending`) in a short transaction, sent, then marked `sent`,
retried later with exponential backoff (transient failure) or `failed` with the error
(permanent failure, or too many attempts). Each row is marked as soon as its message is
decided, so a worker killed mid-batch leaves at most one message in doubt; the relay
re-offers rows whose claim went stale.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Engine

from config import get_settings
from engine.persistence.db import transaction
from engine.persistence.models import InboxItem, OutboxMessage
from engine.deadlines.timeutil import utcnow
from notifications.channels.email import EmailChannel
from notifications.channels.webhook import WebhookChannel
from notifications.message import SendResult
from notifications.render import compose

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


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


def _claim(engine: Engine, ids: list[int], now: datetime, stale: timedelta) -> list[Claimed]:
    with transaction(engine) as s:
        q = select(OutboxMessage).where(
            OutboxMessage.id.in_(ids),
            or_(and_(OutboxMessage.status == "pending",
                     or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)),
                and_(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now - stale)),
        ).order_by(OutboxMessage.id)
        if engine.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = s.scalars(q).all()
        out = []
        for r in rows:
            r.status, r.next_attempt_at, r.attempts = "sending", now, r.attempts + 1
            out.append(Claimed(r.id, r.kind, r.channel, r.lang, r.to_email, r.recipient_user_id, r.petition_id,
                               dict(r.context or {}), r.attempts))
        return out


class _Recorder:
    """Buffers outcomes and writes them in grouped statements every `every` messages or
    `seconds`, whichever comes first: one transaction per message would cap throughput at
    the database's commit rate, while the time bound keeps the messages a killed worker
    could re-send (the relay finds them as stale claims) to the last half second's worth."""

    def __init__(self, engine: Engine, now: datetime, out: DispatchResult, every: int = 25, seconds: float = 0.5):
        self.engine, self.now, self.out, self.every, self.seconds = engine, now, out, every, seconds
        self.last_flush = time.monotonic()
        self.sent: list[Claimed] = []
        self.inbox: list[tuple[Claimed, str, str]] = []
        self.problems: list[tuple[Claimed, SendResult]] = []

    def __call__(self, row: Claimed, result: SendResult, inbox: tuple[str, str] | None = None) -> None:
        if result.ok:
            self.sent.append(row)
            if inbox is not None:
                self.inbox.append((row, *inbox))
        else:
            self.problems.append((row, result))
            self.out.errors.append(f"{row.id}: {result.error}")
        if len(self.sent) + len(self.problems) >= self.every or time.monotonic() - self.last_flush >= self.seconds:
            self.flush()

    def flush(self) -> None:
        if not (self.sent or self.problems):
            self.last_flush = time.monotonic()
            return
        with transaction(self.engine) as s:
            if self.sent:
                s.execute(update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in self.sent]))
                          .values(status="sent", sent_at=self.now, last_error=None))
                if self.inbox:
                    s.execute(insert(InboxItem.__table__), [
                        {"user_id": r.user_id, "petition_id": r.petition_id, "outbox_id": r.id, "kind": r.kind,
                         "title": title, "body": body, "created_at": self.now, "read_at": None}
                        for r, title, body in self.inbox])
            for row, result in self.problems:
                r = s.get(OutboxMessage, row.id)
                r.last_error = result.error
                if result.permanent or r.attempts >= MAX_ATTEMPTS:
                    r.status = "failed"
                    self.out.failed += 1
                    log.warning("outbox %s failed: %s", row.id, result.error, extra={"outbox_ids": [row.id]})
                else:
                    r.status, r.next_attempt_at = "pending", self.now + backoff(r.attempts)
                    self.out.retried += 1
        self.out.sent += len(self.sent)
        self.sent, self.inbox, self.problems = [], [], []
        self.last_flush = time.monotonic()


def dispatch(engine: Engine, ids: list[int], settings=None, now: datetime | None = None) -> DispatchResult:
    settings = settings or get_settings()
    now = now or utcnow()
    out = DispatchResult()
    record = _Recorder(engine, now, out)
    # a row claimed longer ago than this belongs to a worker that died mid-batch
    rows = _claim(engine, list(ids), now, timedelta(seconds=settings.outbox_stale_seconds))
    emails, messages = [], []
    for row in rows:
        try:
            msg = compose(row.kind, row.lang, row.to_email, row.context, meta={"message_id": f"<outbox-{row.id}@petitions>"})
        except Exception as exc:  # noqa: BLE001 - a template that cannot render will not render on retry either
            record(row, SendResult.failed(f"render: {exc}", permanent=True))
            continue
        if row.channel == "inbox":
            record(row, SendResult.success(), inbox=(msg.subject, msg.text))
        elif row.channel == "email":
            emails.append(row)
            messages.append(msg)
        elif row.channel == "webhook":
            payload = {"kind": row.kind, "id": row.id, "subject": msg.subject, "text": msg.text, "context": row.context}
            record(row, WebhookChannel(settings).send(payload))
        else:
            record(row, SendResult.failed(f"unknown channel {row.channel}", permanent=True))
    if messages:
        EmailChannel(settings).send_batch(messages, on_result=lambda i, res: record(emails[i], res))
    record.flush()
    return out


def retry(engine: Engine, outbox_id: int) -> bool:
    """Put a failed row back in the queue (after fixing the SMTP password, say)."""
    with transaction(engine) as s:
        r = s.get(OutboxMessage, outbox_id)
        if r is None:
            return False
        r.status, r.attempts, r.next_attempt_at = "pending", 0, None
        return True
