"""The relay: outbox rows left unsent (broker down, worker killed) are handed out again.
The outbox, not the broker, is the truth."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Engine

from engine.persistence.db import transaction
from engine.persistence.models import OutboxMessage
from engine.deadlines.timeutil import utcnow

SENDABLE = ("email", "inbox", "webhook")


def unsent(engine: Engine, now: datetime | None = None, fresh: timedelta = timedelta(seconds=10),
           stale_claim: timedelta = timedelta(seconds=15), limit: int = 5000) -> list[int]:
    """Pending rows older than `fresh` (younger ones are probably on their way) whose retry
    time has come, and rows claimed by a worker that never finished (`sending` too long)."""
    now = now or utcnow()
    with transaction(engine) as s:
        q = select(OutboxMessage.id).where(
            OutboxMessage.channel.in_(SENDABLE),
            or_(
                and_(OutboxMessage.status == "pending", OutboxMessage.created_at <= now - fresh,
                     or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)),
                and_(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now - stale_claim),
            ),
        ).order_by(OutboxMessage.id).limit(limit)
        return list(s.scalars(q))
