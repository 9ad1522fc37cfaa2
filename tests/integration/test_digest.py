"""The daily digest: one message per reader per working morning, instead of one per item."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import select, update

from engine.persistence.db import transaction
from engine.scheduler.digest import build_digests
from engine.persistence.models import OutboxMessage, User
from engine.services import petitions as svc
from engine.scheduler.tick import tick
from engine.deadlines.timeutil import local_at
from notifications.dispatcher import dispatch
from config import Settings


def test_digest_replaces_per_item_emails(org, ctx, smtp_server):
    with transaction(org) as s:
        s.execute(update(User).where(User.username == "dept1").values(notify_mode="digest"))
        codes = [svc.add_petition(s, ctx, "C1", f"Kiến nghị {i}", received_on=date(2026, 2, 6)).code for i in range(3)]
        for c in codes[:2]:
            svc.act(s, svc.Context(now=local_at(date(2026, 2, 10), time(9))), c, "conclude", "clerk1",
                    {"notice_no": "1", "department": "C1-D1"}, on=date(2026, 2, 10))
    morning = local_at(date(2026, 3, 27), time(7, 30))  # conclusion of the 3rd is overdue; the 2 are running
    res = tick(org, morning)
    with transaction(org) as s:
        held = s.scalars(select(OutboxMessage).where(OutboxMessage.status == "held")).all()
        assert all(r.to_email == "dept1@example.test" for r in held)
    ids = build_digests(org, morning)
    assert len(ids) == 1  # dept1 only: clerk1 and the others chose immediate
    with transaction(org) as s:
        d = s.get(OutboxMessage, ids[0])
        assert d.kind == "digest" and d.to_email == "dept1@example.test"
        assert {i["code"] for i in d.context["items"]} <= set(codes[:2])
        assert not s.scalars(select(OutboxMessage).where(OutboxMessage.status == "held")).all()
    assert build_digests(org, morning) == []  # once per working day
    assert build_digests(org, local_at(date(2026, 3, 28), time(7, 30))) == []  # Saturday: none
    settings = Settings(SMTP_HOST=smtp_server.host, SMTP_PORT=str(smtp_server.port))
    out = dispatch(org, ids + res.outbox_ids, settings=settings, now=morning)
    assert out.failed == 0
    to_dept = [m for m in smtp_server.messages if m["To"] == "dept1@example.test"]
    assert len(to_dept) == 1 and "Tổng hợp 27/03/2026" in to_dept[0]["Subject"]
