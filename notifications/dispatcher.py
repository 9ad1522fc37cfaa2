"""The dispatcher: drains outbox rows into their channels.

A row is claimed (status `sending`) in a short transaction, sent, then marked `sent`,
retried later with exponential backoff (transient failure) or `failed` with the error
(permanent failure, or too many attempts). Each row is marked as soon as its message is
decided, so a worker killed mid-batch leaves at most one message in doubt; the relay
re-offers rows whose claim went stale.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Engine

from config import get_settings
from engine.db import transaction
from engine.models import InboxItem, OutboxMessage
from engine.timeutil import utcnow
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


def _mark(engine: Engine, row: Claimed, result: SendResult, now: datetime, inbox: tuple[str, str] | None = None) -> str:
    with transaction(engine) as s:
        r = s.get(OutboxMessage, row.id)
        if result.ok:
            r.status, r.sent_at, r.last_error = "sent", now, None
            if inbox is not None:
                s.add(InboxItem(user_id=row.user_id, petition_id=row.petition_id, outbox_id=row.id, kind=row.kind,
                                title=inbox[0], body=inbox[1], created_at=now))
            return "sent"
        r.last_error = result.error
        if result.permanent or r.attempts >= MAX_ATTEMPTS:
            r.status = "failed"
            log.warning("outbox %s failed: %s", row.id, result.error)
            return "failed"
        r.status, r.next_attempt_at = "pending", now + backoff(r.attempts)
        return "retried"


def dispatch(engine: Engine, ids: list[int], settings=None, now: datetime | None = None) -> DispatchResult:
    settings = settings or get_settings()
    now = now or utcnow()
    out = DispatchResult()

    def record(row, result, inbox=None):
        state = _mark(engine, row, result, now, inbox)
        setattr(out, state, getattr(out, state) + 1)
        if not result.ok:
            out.errors.append(f"{row.id}: {result.error}")

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
    return out


def retry(engine: Engine, outbox_id: int) -> bool:
    """Put a failed row back in the queue (after fixing the SMTP password, say)."""
    with transaction(engine) as s:
        r = s.get(OutboxMessage, outbox_id)
        if r is None:
            return False
        r.status, r.attempts, r.next_attempt_at = "pending", 0, None
        return True
