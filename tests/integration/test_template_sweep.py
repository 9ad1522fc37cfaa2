"""Every notification template renders, in both languages, with the contexts the engine
itself writes into the outbox (notices to petitioners, letter tasks, the tick's reminders,
the digest) — not with hand-made contexts. The kinds are read from the template folder, so
a template added later without an engine path that fills it fails here."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select, update

from engine.persistence.db import make_engine, transaction
from engine.persistence.migrate import upgrade
from notifications.render import TEMPLATE_DIR, render
from tests.conftest import NOW, ORG, PASSWORD

TEMPLATE_KINDS = sorted({p.name.split(".")[0] for p in (TEMPLATE_DIR / "vi").glob("*.subject.txt")
                         if not p.name.startswith("_")})


def at_local(d, hour=8):
    return datetime.combine(d, time(hour)).replace(tzinfo=timezone(timedelta(hours=7))).astimezone(timezone.utc)


@pytest.fixture(scope="module")
def outbox_rows(tmp_path_factory):
    from engine.persistence.models import Clock, OutboxMessage, Petition, User
    from engine.scheduler.digest import build_digests
    from engine.scheduler.tick import tick
    from engine.services import petitions as svc
    from engine.services.petitions import Context
    from engine.services.units import add_unit
    from engine.services.users import add_user
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('sweep') / 'sweep.db'}")
    upgrade(engine)
    ctx = Context(now=NOW)
    with transaction(engine) as s:
        for code, name, level, parent in ORG:
            add_unit(s, code, name, level, parent)
        for username, role, unit, mode in [("clerk1", "clerk", "C1", "immediate"), ("leader1", "leader", "C1", "digest"),
                                           ("dept1", "department", "C1-D1", "digest"), ("auditor", "auditor", "P", "immediate"),
                                           ("pclerk", "clerk", "P", "immediate")]:
            add_user(s, username, role, unit, PASSWORD, email=f"{username}@example.test", full_name=username.title(),
                     notify_mode=mode, lang="en" if username == "dept1" else "vi")
        people = [{"name": "Nguyễn Văn Đức", "address": "Thôn 3", "email": "duc@example.vn"},
                  {"name": "Trần Thị Bích", "address": "Thôn 5"}]  # no email: a letter task for the clerk
        a = svc.add_petition(s, ctx, "C1", "Tranh chấp ranh giới đất", received_on="2026-09-01", petitioners=people).code
        b = svc.add_petition(s, ctx, "C1", "Vượt thẩm quyền", received_on="2026-09-01", petitioners=people).code
        c = svc.add_petition(s, ctx, "C1", "Chờ thông báo kết luận", received_on="2026-11-16", petitioners=people).code
        svc.act(s, ctx, a, "conclude", "clerk1", {"notice_no": "12-TB/ĐU", "department": "C1-D1"}, on="2026-09-08")
        svc.act(s, ctx, a, "extend", "leader1", {"days": "10", "reason": "Cần xác minh thêm"}, on="2026-10-01")
        svc.act(s, ctx, b, "escalate", "leader1", {"reason": "Vượt thẩm quyền cấp xã"}, on="2026-09-08")
        d = svc.add_petition(s, ctx, "C1", "Đã có văn bản", received_on="2026-09-01", petitioners=people).code
        svc.act(s, ctx, d, "conclude", "clerk1", {"notice_no": "13-TB/ĐU", "department": "C1-D1"}, on="2026-09-08")
        svc.act(s, ctx, d, "resolve", "dept1", {"document_no": "45/UBND", "outcome": "Đã trả lời"}, on="2026-09-20")
        due = s.scalar(select(Clock.due_date).join(Petition).where(Petition.code == c, Clock.name == "conclusion"))
        # a planned session left unrecorded the day before the first tick (issue 14's reminders)
        from engine.persistence.models import OrgUnit, ReceptionSession
        planned = ctx.cal.sub_working_days(due, 4)
        s.add(ReceptionSession(unit_id=s.scalar(select(OrgUnit.id).where(OrgUnit.code == "C1")), kind="reception_periodic",
                               held_on=planned, planned_on=planned, status="planned", chair_role="ubnd_chair",
                               place="Hội trường xã"))
    # a conclusion notice issued from a held session: its department is told (issue 15's 'assignment')
    import os
    from config import get_settings
    from engine.documents import register as documents
    from engine.persistence.models import OrgUnit, ReceptionSession, User
    from engine.services.sessions import add_session
    os.environ["PETITIONS_FILES_DIR"] = str(tmp_path_factory.mktemp("files"))
    get_settings.cache_clear()
    try:
        with transaction(engine) as s:
            held = add_session(s, "C1", "reception_periodic", "2026-11-02", people=2, chair="Bí thư")
            e = svc.add_petition(s, ctx, "C1", "Đề nghị sửa cầu tràn", session_id=held.id, petitioners=people)
            dept = s.scalar(select(OrgUnit).where(OrgUnit.code == "C1-D1"))
            clerk = s.scalar(select(User).where(User.username == "clerk1"))
            doc = documents.draft(s, ctx, clerk, "conclusion_notice", unit_code="C1", session_id=held.id,
                                  items=[{"petition_id": e.id, "department_id": dept.id,
                                          "direction": "Kiểm tra, sửa chữa trước mùa mưa"}])
            documents.issue(s, ctx, clerk, doc, on=date(2026, 11, 9))
    finally:
        os.environ.pop("PETITIONS_FILES_DIR", None)
        get_settings.cache_clear()
    cal = ctx.cal
    # the obligation reminders concern months from their start: here, the whole of 2026
    from dataclasses import replace
    from engine.deadlines.obligations import load_obligations
    obs = load_obligations()
    obs = replace(obs, reminders=replace(obs.reminders, start=date(2026, 1, 1)))
    # the tick at T-3, T0 and T+1 of the waiting petition's conclusion clock: each fires one rung
    # (the first also checks the obligations: the month unscheduled, October short, the session unrecorded)
    for when in (cal.sub_working_days(due, 3), due, cal.add_working_days(due, 1)):
        tick(engine, now=at_local(when), obligations=obs)
    build_digests(engine, now=at_local(cal.add_working_days(due, 1), 9))
    with transaction(engine) as s:
        rows = [(r.kind, r.channel, r.context) for r in s.scalars(select(OutboxMessage).where(OutboxMessage.channel != "none"))]
    engine.dispose()
    return rows


def test_the_template_folder_is_what_the_renderer_knows():
    from notifications.render import KINDS
    assert TEMPLATE_KINDS == sorted(KINDS)
    assert sorted(p.name for p in (TEMPLATE_DIR / "en").iterdir()) == sorted(p.name for p in (TEMPLATE_DIR / "vi").iterdir())


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_the_engine_writes_every_kind(outbox_rows, kind):
    assert any(k == kind for k, _, _ in outbox_rows), f"no engine path wrote a {kind!r} row"


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_every_row_the_engine_wrote_renders(outbox_rows, kind, lang):
    rows = [(ch, ctx) for k, ch, ctx in outbox_rows if k == kind]
    for channel, context in rows:
        subject, text, html = render(kind, lang, context)
        assert subject.strip() and text.strip() and html.strip(), (kind, channel)
        assert "None" not in subject and "Undefined" not in text


def test_the_letter_task_links_the_case(outbox_rows):
    tasks = [ctx for k, _, ctx in outbox_rows if k == "letter_task"]
    assert tasks
    for ctx in tasks:
        _, text, html = render("letter_task", "vi", ctx)
        link = f"/petitions/{ctx['petition']['code']}"
        assert link in text and link + '"' in html
