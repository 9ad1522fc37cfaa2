"""The scheduler tick on SQLite and PostgreSQL: the ladder at the right working mornings to
the right people, idempotence, downtime, concurrency, extension."""
from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from engine.deadlines.calendar import default_calendar
from engine.persistence.db import transaction
from engine.persistence.models import OutboxMessage, User
from engine.services import petitions as svc
from engine.scheduler.tick import tick
from engine.deadlines.timeutil import local_at

CAL = default_calendar()


def morning(d: date) -> datetime:
    return local_at(d, time(7, 35))


def received_before_tet(org, ctx, unit="C1"):
    with transaction(org) as s:
        return svc.add_petition(s, ctx, unit, "Đề nghị sửa cầu tràn", received_on=date(2026, 2, 6)).code


def sent_rows(org):
    with transaction(org) as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "inbox").order_by(OutboxMessage.id)).all()
        names = {u.id: u.username for u in s.scalars(select(User))}
        return [(r.rung, names[r.recipient_user_id]) for r in rows]


def test_time_travel_across_tet_2026(org, ctx):
    """One petition left alone: 45 working mornings of ticks, across Tết 2026."""
    code = received_before_tet(org, ctx)
    due = CAL.add_working_days(date(2026, 2, 6), 10)
    assert due == date(2026, 2, 27)
    fired = {}
    day = date(2026, 2, 9)
    mornings = 0
    while mornings < 45:
        if CAL.is_working_day(day):
            mornings += 1
            res = tick(org, morning(day))
            for key, n in res.by_rung.items():
                fired[key] = day
            assert res.skipped == 0
        day += timedelta(days=1)
    assert fired == {"T-3": date(2026, 2, 24), "T-1": date(2026, 2, 26), "T0": date(2026, 2, 27),
                     "T+1": date(2026, 3, 2), "T+5": date(2026, 3, 6), "T+10": date(2026, 3, 13),
                     "T+15": date(2026, 3, 20), "T+20": date(2026, 3, 27), "T+25": date(2026, 4, 3),
                     "T+30": date(2026, 4, 10), "T+35": date(2026, 4, 17)}  # 45th working morning
    rows = sent_rows(org)
    assert rows[:3] == [("T-3", "clerk1"), ("T-1", "clerk1"), ("T0", "clerk1")]  # no department yet: the clerks
    assert rows[3:5] == [("T+1", "clerk1"), ("T+1", "leader1")]
    assert sorted(rows[5:9]) == sorted([("T+5", "clerk1"), ("T+5", "leader1"), ("T+5", "auditor"), ("T+5", "pauditor")])
    with transaction(org) as s:
        emails = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email", OutboxMessage.rung == "T+1")).all()
        assert {e.to_email for e in emails} == {"clerk1@example.test", "leader1@example.test"}
        ctx1 = emails[0].context
        assert ctx1["clock"]["overdue_working_days"] == 1 and ctx1["petition"]["code"] == code


def test_no_rung_before_07_30_or_on_a_day_off(org, ctx):
    received_before_tet(org, ctx)
    assert tick(org, local_at(date(2026, 2, 24), time(7, 29))).claimed == 0
    assert tick(org, local_at(date(2026, 2, 24), time(7, 30))).by_rung == {"T-3": 1}


def test_tick_twice_and_after_downtime(org, ctx):
    received_before_tet(org, ctx)
    first = tick(org, morning(date(2026, 3, 9)))   # a week of downtime: T-3 … T+5 all due
    assert first.claimed == 1 and dict(first.by_rung) == {"T+5": 1} and first.skipped == 4
    again = tick(org, morning(date(2026, 3, 9)))
    assert again.claimed == 0 and again.created == 0
    with transaction(org) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "skipped")) == 4
        assert {r for (r,) in s.execute(select(OutboxMessage.rung).where(OutboxMessage.channel == "inbox"))} == {"T+5"}


def test_two_ticks_at_once_claim_each_rung_once(org, ctx):
    for _ in range(30):
        received_before_tet(org, ctx)
    results = []
    barrier = threading.Barrier(2)

    def run():
        barrier.wait(timeout=10)
        results.append(tick(org, morning(date(2026, 2, 24)), batch=7))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.claimed for r in results) == 30
    with transaction(org) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.channel == "inbox")) == 30


def test_extension_bumps_the_version_and_reschedules(org, ctx):
    with transaction(org) as s:
        code = svc.add_petition(s, ctx, "C1", "x", received_on=date(2026, 9, 1)).code
    with transaction(org) as s:
        svc.act(s, ctx, code, "conclude", "clerk1", {"notice_no": "1", "department": "C1-D1"}, on=date(2026, 9, 3))
    with transaction(org) as s:
        p = svc.get_for(s, code, None)
        due = p.clock("resolution").due_date
    t3 = CAL.sub_working_days(due, 3)
    assert tick(org, morning(t3)).by_rung == {"T-3": 1}
    at_t3 = svc.Context(now=morning(t3) + timedelta(hours=2))  # the leader extends that morning
    with transaction(org) as s:
        svc.act(s, at_t3, code, "extend", "leader1", {"days": "10", "reason": "x"}, on=t3)
    with transaction(org) as s:
        c = svc.get_for(s, code, None).clock("resolution")
        assert c.version == 2 and c.next_rung == "T-3" and c.due_date == CAL.add_working_days(due, 10)
        new_t3 = CAL.sub_working_days(c.due_date, 3)
    res = tick(org, morning(new_t3))
    assert res.by_rung == {"T-3": 1} and res.created >= 1   # the new T-3 is legitimate
    rows = sent_rows(org)
    assert rows.count(("T-3", "dept1")) == 2


def test_new_calendar_data_moves_running_deadlines_and_is_journaled(org, ctx, tmp_path):
    """A decision file added later (an extra day off inside the window) moves the due date
    of running clocks at the next tick, with the old and new dates journaled; an extension
    a leader decided as a date is kept as decided; stopped clocks keep their verdicts."""
    from engine.deadlines.calendar import WorkingCalendar, load_decisions
    from engine.persistence.models import ClockJournal
    from config import Settings
    with transaction(org) as s:
        running = svc.add_petition(s, ctx, "C1", "Đang chạy", received_on=date(2026, 2, 6)).code
        extended = svc.add_petition(s, ctx, "C1", "Đã gia hạn", received_on=date(2026, 2, 6)).code
        stopped = svc.add_petition(s, ctx, "C1", "Đã dừng", received_on=date(2026, 2, 6)).code
    at = svc.Context(now=morning(date(2026, 2, 10)))
    with transaction(org) as s:
        svc.act(s, at, extended, "conclude", "clerk1", {"notice_no": "1", "department": "C1-D1"}, on=date(2026, 2, 9))
        svc.act(s, at, extended, "extend", "leader1", {"until": "2026-04-28", "reason": "x"}, on=date(2026, 2, 10))
        svc.act(s, at, stopped, "refer", "clerk1", {"agency": "Tòa án"}, on=date(2026, 2, 10))
    tick(org, morning(date(2026, 2, 10)))  # records the calendar this ran with
    extra = tmp_path / "extra.toml"
    extra.write_text('[[day_off]]\ndate = 2026-02-25\nname = "Nghỉ đột xuất"\nsource = "QĐ thử 1/2026"\n',
                     encoding="utf-8")
    new_cal = WorkingCalendar(load_decisions(Settings().calendar_paths + [extra]))
    res = tick(org, morning(date(2026, 2, 11)), cal=new_cal)
    assert res.reprojected == 1
    with transaction(org) as s:
        c = svc.get_for(s, running, None).clock("conclusion")
        assert (c.due_date, c.original_due_date, c.version) == (date(2026, 3, 2), date(2026, 3, 2), 2)
        assert c.calendar_version == new_cal.version
        j = s.scalars(select(ClockJournal).where(ClockJournal.clock_id == c.id)).one()
        assert (j.old_due, j.new_due, j.cause) == (date(2026, 2, 27), date(2026, 3, 2), "calendar_change")
        e = svc.get_for(s, extended, None).clock("resolution")
        assert e.due_date == date(2026, 4, 28) and e.calendar_version == new_cal.version
        assert svc.get_for(s, stopped, None).clock("conclusion").status == "met"
    assert tick(org, morning(date(2026, 2, 12)), cal=new_cal).reprojected == 0  # once per change
