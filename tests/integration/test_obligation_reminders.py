"""Reminders about the reception and dialogue obligations (issue 14), written by the tick
once per working morning through the outbox, on SQLite and PostgreSQL: every morning of
February 2026 (Tết 16–20/02) ticked twice; then delivered exactly once by a real Celery
worker, with two tick processes at once (tests/integration/test_scheduler_services.py's
redis-server, worker and SMTP fixtures)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import date, time as dtime, timedelta

import pytest
from sqlalchemy import func, select

from engine.deadlines.calendar import default_calendar
from engine.deadlines.obligations import due_weeks, load_obligations, nth_working_day_of_month
from engine.deadlines.timeutil import local_at
from engine.persistence.db import transaction
from engine.persistence.models import OrgUnit, OutboxMessage, ReceptionSession, User
from engine.scheduler.tick import tick
from tests.integration.test_scheduler_services import (Worker, redis, services, statuses,  # noqa: F401 - fixtures
                                                       wait_until)

CAL = default_calendar()
OBS = load_obligations()
OBS_2026 = replace(OBS, reminders=replace(OBS.reminders, start=date(2026, 1, 1)))


def add(s, unit, on, role, status="held", kind="reception_periodic"):
    uid = s.scalar(select(OrgUnit.id).where(OrgUnit.code == unit))
    s.add(ReceptionSession(unit_id=uid, kind=kind, held_on=on, planned_on=on, chair_role=role, status=status))


def rows(db, since_id=0):
    with transaction(db) as s:
        out = s.execute(select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.key,
                               User.username, OutboxMessage.context)
                        .join(User, User.id == OutboxMessage.recipient_user_id, isouter=True)
                        .where(OutboxMessage.id > since_id, OutboxMessage.channel == "inbox")
                        .order_by(OutboxMessage.id)).all()
    return out


def test_february_2026_every_morning_twice(org):
    with transaction(org) as s:
        # January: C1 kept both obligations; C2 held nothing; the province held its own
        for on in (date(2026, 1, 8), date(2026, 1, 22)):
            add(s, "C1", on, "party_secretary")
        for monday, first in due_weeks(date(2026, 1, 1), date(2026, 1, 31), CAL):
            add(s, "C1", first + timedelta(days=1), "ubnd_chair")
        add(s, "P", date(2026, 1, 15), "party_secretary")
        add(s, "P", date(2026, 1, 16), "ubnd_chair")
        # February's plan: C1's secretary twice; its chair in the weeks of 02/02 and 09/02 only
        # (Tue 10/02 and Fri 13/02 pass unrecorded); the province planned its secretary's day
        add(s, "C1", date(2026, 2, 5), "party_secretary", status="planned")
        add(s, "C1", date(2026, 2, 26), "party_secretary", status="planned")
        add(s, "C1", date(2026, 2, 3), "ubnd_chair")
        add(s, "C1", date(2026, 2, 10), "ubnd_chair", status="planned")
        add(s, "C1", date(2026, 2, 13), "ubnd_chair", status="planned")
        add(s, "P", date(2026, 2, 12), "party_secretary", status="planned")
    seen: dict[date, list] = {}
    last = 0
    day = date(2026, 2, 2)
    while day <= date(2026, 2, 27):
        assert tick(org, local_at(day, dtime(7, 0)), obligations=OBS_2026).created == 0  # before fire_at
        first = tick(org, local_at(day, dtime(7, 35)), obligations=OBS_2026)
        second = tick(org, local_at(day, dtime(9, 0)), obligations=OBS_2026)  # another beat, same morning
        assert second.created == 0
        new = rows(org, last)
        if new:
            last = new[-1].id
            seen[day] = [(r.kind, r.username, r.context) for r in new]
        if first.created:
            assert CAL.is_working_day(day)
        if day.weekday() == 4:  # mark Friday's session of 05/02 held (the clerk recorded it)
            with transaction(org) as s:
                s.execute(ReceptionSession.__table__.update()
                          .where(ReceptionSession.held_on == date(2026, 2, 5)).values(status="held"))
        day += timedelta(days=1)

    fifth = nth_working_day_of_month(2026, 2, 5, CAL)
    assert fifth == date(2026, 2, 6)
    # Mon 02/02, the first working morning: January's shortfall, to the province's auditors only
    short = Counter((k, u, c["unit"], c["obligation"]) for k, u, c in seen[date(2026, 2, 2)])
    assert set(short) == {("obligation_short", a, "C2", OBS.rule(key).label)
                          for a in ("auditor", "pauditor")
                          for key in ("party_head_reception_commune", "ubnd_chair_reception_commune")}
    assert all(n == 1 for n in short.values())
    c2 = next(c for k, u, c in seen[date(2026, 2, 2)] if c["obligation"] == OBS.rule("ubnd_chair_reception_commune").label)
    assert (c2["required"], c2["held"], c2["missing"]) == (4, 0, 4)
    # nothing about February's schedule before its 5th working day, then once
    unscheduled = {d: [(u, c["unit"], c["obligation"], c["missing"], c["periods"]) for k, u, c in v
                       if k == "obligation_unscheduled"] for d, v in seen.items()}
    assert all(not v for d, v in unscheduled.items() if d < fifth)
    got = sorted(unscheduled[fifth])
    ubnd = OBS.rule("ubnd_chair_reception_commune").label
    assert ("clerk1", "C1", ubnd, 1, ["tuần 23/02–01/03/2026"]) in got  # the Tết week (16–22/02) is not asked for
    assert ("leader1", "C1", ubnd, 1, ["tuần 23/02–01/03/2026"]) in got
    assert not any(u in ("clerk1", "leader1") and o != ubnd for u, _, o, _, _ in got)  # the secretary planned 2
    assert sorted(u for u, unit, o, *_ in got if unit == "C2") == ["clerk2", "clerk2", "leader2", "leader2"]
    assert sorted((u, o) for u, unit, o, *_ in got if unit == "P") == [
        ("pclerk", OBS.rule("ubnd_chair_reception_province").label),
        ("pleader", OBS.rule("ubnd_chair_reception_province").label)]
    assert sum(len(v) for d, v in unscheduled.items()) == len(got)  # never again in February
    # unrecorded sessions: the next working morning, once; Friday 13/02's after Tết (Mon 23/02)
    unrec = [(d, u, c["held_on"]) for d, v in seen.items() for k, u, c in v if k == "session_unrecorded"]
    assert sorted(unrec) == [(date(2026, 2, 6), "clerk1", "2026-02-05"), (date(2026, 2, 11), "clerk1", "2026-02-10"),
                             (date(2026, 2, 13), "pclerk", "2026-02-12"), (date(2026, 2, 23), "clerk1", "2026-02-13"),
                             (date(2026, 2, 27), "clerk1", "2026-02-26")]
    with transaction(org) as s:  # one marker a working day, none on days off
        markers = s.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "obligations_check")).all()
    assert len(markers) == sum(1 for i in range(26) if CAL.is_working_day(date(2026, 2, 2) + timedelta(days=i)))


def test_reminders_wait_for_their_start_month(org):
    """The configured start (2027-01-01): a tick in 2026 asks nothing about obligations."""
    assert tick(org, local_at(date(2026, 2, 6), dtime(7, 35))).created == 0
    with transaction(org) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# -- a real worker, Redis and SMTP: each reminder delivered once -------------------------------------------
TICK_DAY = nth_working_day_of_month(2027, 2, 5, CAL)  # Fri 12/02/2027 (Tết 2027 takes 04–10/02)


@pytest.mark.integration
def test_two_beats_one_worker_each_reminder_once(services):
    db, smtp = services["db"], services["smtp"]
    assert OBS.reminders.start <= date(2027, 1, 1)  # the shipped configuration, as the tick processes read it
    with transaction(db) as s:
        add(s, "C1", date(2027, 1, 14), "party_secretary")  # January: one of two → short
        for monday, first in due_weeks(date(2027, 1, 1), date(2027, 1, 31), CAL):
            add(s, "C1", first, "ubnd_chair")
        for on in (date(2027, 2, 18), date(2027, 2, 25)):
            add(s, "C1", on, "party_secretary", status="planned")
        add(s, "C1", CAL.sub_working_days(TICK_DAY, 1), "ubnd_chair", status="planned")  # passes unrecorded
        add(s, "P", date(2027, 2, 18), "party_secretary", status="planned")
    services["worker"]()
    at = local_at(TICK_DAY, dtime(7, 35)).isoformat()
    cmd = [sys.executable, "-m", "engine", "tick", "--at", at, "--json"]
    procs = [subprocess.Popen(cmd, env=services["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [json.loads(p.communicate(timeout=180)[0]) for p in procs]
    again = json.loads(subprocess.run(cmd, env=services["env"], capture_output=True, text=True, timeout=180).stdout)
    assert again["created"] == 0
    with transaction(db) as s:
        emails = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
        expected = Counter((r.to_email, r.kind, r.context.get("unit"), r.context.get("obligation")) for r in emails)
    # C1 short on its secretary, C2 on both (to 2 auditors); unscheduled: C1's chair, C2 both, P's chair
    # (clerk + leader each); C1's session of yesterday unrecorded (its clerk)
    assert sum(results[i]["created"] for i in range(2)) == 2 * len(emails) == 2 * 15
    assert Counter(k for _, k, _, _ in expected) == {"obligation_short": 6, "obligation_unscheduled": 8,
                                                     "session_unrecorded": 1}
    wait_until(lambda: statuses(db).get("sent") == 30, timeout=90, what="every reminder sent")
    time.sleep(2)  # a duplicate would arrive now
    assert len(smtp.messages) == 15
    delivered = Counter(m["To"] for m in smtp.messages)
    assert delivered == Counter(to for to, _, _, _ in expected)
    subjects = [m["Subject"] for m in smtp.messages if m["To"] == "auditor@example.test"]
    assert len(subjects) == 3 and all("tháng 01/2027" in x for x in subjects)
    assert any("Xã Hai" in x for x in subjects)


def test_a_failing_check_never_holds_back_the_deadline_reminders(org, ctx, monkeypatch):
    from engine.scheduler import obligations as reminders
    from engine.services import petitions as svc
    with transaction(org) as s:
        svc.add_petition(s, ctx, "C1", "Đề nghị sửa cầu tràn", received_on=date(2026, 2, 6))
        add(s, "C1", date(2026, 2, 23), "ubnd_chair", status="planned")

    def broken(*a, **k):
        raise RuntimeError("a bad override")
    monkeypatch.setattr(reminders, "check", broken)
    at = local_at(date(2026, 2, 24), dtime(7, 35))  # T-3 of the conclusion clock
    res = tick(org, at, obligations=OBS_2026)
    assert res.claimed == 1 and res.created == 2  # clerk1's due-soon reminder: inbox + email
    monkeypatch.undo()
    again = tick(org, at.replace(minute=40), obligations=OBS_2026)  # the next tick does the day's check
    kinds = Counter(r.kind for r in rows(org) if r.id in again.outbox_ids)
    assert kinds["session_unrecorded"] == 1 and again.claimed == 0
