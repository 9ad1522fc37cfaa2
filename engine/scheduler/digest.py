"""The daily digest: one message per reader per working morning listing every item they
answer for that is due within 3 working days, due today or overdue, instead of one message
per item. For users who chose `digest`; their per-rung emails are held and folded in."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from engine.deadlines.calendar import default_calendar
from engine.persistence.db import transaction
from engine.persistence.models import Clock, OrgUnit, OutboxMessage, Petition, User
from engine.persistence.outbox import insert_ignore
from engine.workflow.policy import mask_personal
from engine.deadlines.timeutil import local_date, utcnow

SOON = 3


def _items(s, user: User, today: date, cal, public_url: str) -> list[dict]:
    q = select(Petition, Clock).join(Clock, Clock.petition_id == Petition.id).where(Clock.status == "running")
    if user.role == "department":
        q = q.where(Petition.department_id == user.unit_id)
    elif user.role == "clerk":
        q = q.where(Petition.unit_id == user.unit_id, Petition.department_id.is_(None))
    elif user.role == "leader":
        q = q.where(Petition.unit_id == user.unit_id, Clock.due_date < today)
    elif user.role == "auditor":
        children = select(OrgUnit.id).where(OrgUnit.parent_id == user.unit_id)
        q = q.where(Petition.unit_id.in_(children), Clock.due_date < cal.sub_working_days(today, 4))
    else:
        return []
    items = []
    for p, c in s.execute(q.order_by(Clock.due_date, Petition.id)):
        if c.due_date < today:
            status, n = "overdue", cal.working_days_between(c.due_date, today)
        elif c.due_date == today:
            status, n = "due_today", 0
        else:
            n = cal.working_days_between(today, c.due_date)
            if n > SOON:
                continue
            status = "due_soon"
        items.append({"code": p.code, "summary": p.summary, "clock_name": c.name, "due_date": c.due_date.isoformat(),
                      "status": status, "working_days": n, "url": f"{public_url.rstrip('/')}/petitions/{p.code}"})
    return items


def build_digests(engine: Engine, now: datetime | None = None, public_url: str = "http://127.0.0.1:5000") -> list[int]:
    now = now or utcnow()
    cal = default_calendar()
    today = local_date(now)
    if not cal.is_working_day(today):
        return []
    ids = []
    with transaction(engine) as s:
        readers = s.scalars(select(User).where(User.notify_mode == "digest", User.active.is_(True),
                                               User.email.is_not(None))).all()
        for user in readers:
            # what the reader receives passes the personal-data policy (auditors: none)
            items = mask_personal(user, _items(s, user, today, cal, public_url))
            # the per-reminder emails held for this reader are folded into today's digest
            s.execute(update(OutboxMessage).where(OutboxMessage.recipient_user_id == user.id,
                                                  OutboxMessage.status == "held").values(status="digested"))
            if not items:
                continue
            ids += insert_ignore(s, [dict(key=f"digest:{user.id}:{today.isoformat()}", kind="digest", channel="email",
                                          recipient_user_id=user.id, to_email=user.email, lang=user.lang,
                                          context={"recipient_name": user.full_name or user.username,
                                                   "day": today.isoformat(), "items": items})])
    return ids
