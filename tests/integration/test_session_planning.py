"""Issue 14: sessions are planned, rescheduled or cancelled with a reason (journaled and
republished), held (keeping the link to the plan) or missed; bad input changes nothing."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from engine.language.errors import DomainError, Forbidden, ValidationError
from engine.persistence.db import transaction
from engine.persistence.models import ReceptionSession, SchedulePublication, SessionEvent
from engine.reports.appendix2 import appendix2
from engine.services import sessions as S

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)


def plan(s, on="2026-12-10", **kw):
    args = dict(starts_at="07:30", ends_at="11:00", place="Trụ sở Đảng ủy xã", chair="Nguyễn Văn A",
                chair_role="party_secretary", actor="clerk1", today=TODAY)
    kind = kw.pop("kind", "reception_periodic")
    args.update(kw)
    return S.plan_session(s, "C1", kind, on, **args)


def counts(db):
    with transaction(db) as s:
        return (s.scalar(select(func.count(ReceptionSession.id))), s.scalar(select(func.count(SessionEvent.id))),
                s.scalar(select(func.count(SchedulePublication.id))))


def test_plan_publish_reschedule_cancel_hold_is_journaled(org):
    with transaction(org) as s:
        a = plan(s).session
        b = plan(s, on="2026-12-24").session
        assert a.status == "planned" and a.planned_on == date(2026, 12, 10) and a.starts_at == time(7, 30)
        pub = S.publish_schedule(s, "C1", "2026-12", actor="clerk1", now=NOW)
        assert pub.revision == 1 and [x["on"] for x in pub.sessions] == ["2026-12-10", "2026-12-24"]
        assert all("petitioner" not in str(x) for x in pub.sessions)
        a_id, b_id = a.id, b.id
    with transaction(org) as s:
        S.reschedule(s, a_id, "11/12/2026", reason="Trùng họp Đảng ủy", actor="clerk1", today=TODAY, now=NOW)
    with transaction(org) as s:
        a = s.get(ReceptionSession, a_id)
        assert a.held_on == date(2026, 12, 11) and a.planned_on == date(2026, 12, 10) and a.version == 2
        revs = s.scalars(select(SchedulePublication).where(SchedulePublication.period == "2026-12")
                         .order_by(SchedulePublication.revision)).all()
        assert [r.revision for r in revs] == [1, 2]  # republished
        assert S.latest_publication(s, "C1", "2026-12").revision == 2
        assert revs[1].sessions[0]["on"] == "2026-12-11" and revs[1].reason == "Trùng họp Đảng ủy"
        S.cancel(s, b_id, reason="Bão", actor="clerk1", now=NOW)
    with transaction(org) as s:
        ev = [(e.action, e.reason) for e in S.journal(s, b_id)]
        assert ev == [("planned", ""), ("published", ""), ("published", "Trùng họp Đảng ủy"), ("cancelled", "Bão"),
                      ("published", "Bão")]
        moved = [e for e in S.journal(s, a_id) if e.action == "rescheduled"][0]
        assert moved.data["on"] == ["2026-12-10", "2026-12-11"] and moved.actor.username == "clerk1"
        # held later (keeps the link to the plan); then counted by the annex, the cancelled one never
        o = S.record_held(s, a_id, people=7, groups=1, bodies=["mttq", "hdnd"], actor="clerk1", today=date(2026, 12, 11))
        assert o.session.status == "held" and o.session.planned_on == date(2026, 12, 10)
        assert o.session.bodies == ["mttq", "hdnd"]
        rep = appendix2(s, "C1", "2026-12-01", "2026-12-31")
        assert rep.figures["receptions_periodic"]["total"] == 1 and rep.figures["people_periodic"]["total"] == 7


def test_missed_is_derived_and_only_held_sessions_count(org):
    with transaction(org) as s:
        a = plan(s, on="2026-11-25").session
        plan(s, on="2026-11-27")
        assert S.missed_sessions(s, None, today=date(2026, 11, 26)) == [a]
        assert a.is_missed(date(2026, 11, 26)) and not a.is_missed(date(2026, 11, 25))
        rep = appendix2(s, "C1", "2026-11-01", "2026-11-30")
        assert rep.figures["receptions_periodic"]["total"] == 0
        # a missed session can still be recorded late, with its real date
        S.record_held(s, a.id, held_on="26/11/2026", people=3, actor="clerk1", today=date(2026, 11, 26))
        assert S.missed_sessions(s, None, today=date(2026, 11, 26)) == []


@pytest.mark.parametrize("call, field", [
    (lambda s: plan(s, on="2026-11-19"), "planned_on"),               # a plan in the past
    (lambda s: plan(s, ends_at="07:00"), "ends_at"),                  # ends before it starts
    (lambda s: plan(s, starts_at="25:00"), "starts_at"),
    (lambda s: plan(s, chair_role="king"), "chair_role"),
    (lambda s: plan(s, place="  \u200b "), "place"),
    (lambda s: plan(s, kind="dialogue_thematic", topic=""), "topic"),
    (lambda s: S.add_session(s, "C1", "reception_adhoc", "2027-03-15", today=TODAY), "held_on"),
    (lambda s: S.publish_schedule(s, "C1", "2026-13"), "period"),
    (lambda s: S.publish_schedule(s, "C1", "2027-01"), "period"),  # nothing planned
])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(org, call, field):
    before = counts(org)
    with pytest.raises(ValidationError) as e:
        with transaction(org) as s:
            call(s)
    assert e.value.field == field
    from engine.language.messages import MESSAGES
    assert e.value.code in MESSAGES and e.value.message("vi") != e.value.message("en")
    assert counts(org) == before


def test_a_session_held_in_the_future_is_refused_everywhere(org):
    with transaction(org) as s:
        a = plan(s).session
        with pytest.raises(ValidationError) as e:
            S.record_held(s, a.id, actor="clerk1", today=TODAY)  # planned 10/12, today 20/11
        assert e.value.field == "held_on" and "10/12/2026" in e.value.message("vi")


def test_reschedule_and_cancel_need_a_reason_and_a_planned_session(org):
    with transaction(org) as s:
        a = plan(s).session
        with pytest.raises(ValidationError) as e:
            S.reschedule(s, a.id, "2026-12-12", reason=" ", actor="clerk1", today=TODAY)
        assert e.value.field == "reason"
        with pytest.raises(ValidationError) as e:
            S.reschedule(s, a.id, "2026-11-01", reason="x", actor="clerk1", today=TODAY)
        assert e.value.field == "planned_on"
        S.cancel(s, a.id, reason="Bão", actor="clerk1")
        with pytest.raises(ValidationError) as e:
            S.record_held(s, a.id, actor="clerk1", today=date(2026, 12, 20))
        assert e.value.code == "session_not_planned"


def test_only_clerks_of_the_unit_plan(org):
    with transaction(org) as s:
        with pytest.raises(Forbidden):
            plan(s, actor="auditor")
        with pytest.raises(Forbidden):
            plan(s, actor="clerk2")  # another commune's clerk


def test_one_chair_in_two_sessions_at_once_is_warned_not_refused(org):
    with transaction(org) as s:
        plan(s)
        o = S.plan_session(s, "C2", "dialogue_periodic", "2026-12-10", starts_at="09:00", ends_at="10:00",
                           place="Nhà văn hóa", chair="nguyễn văn a", chair_role="party_secretary", actor="admin",
                           today=TODAY)
        assert [w[0] for w in o.warnings] == ["chair_double_booked"]
        from engine.language.messages import render
        text = render(o.warnings[0][0], "vi", **o.warnings[0][1])
        assert "Xã Một" in text and "10/12/2026" in text and "07:30–11:00" in text
        later = S.plan_session(s, "C2", "dialogue_periodic", "2026-12-10", starts_at="13:30", place="Nhà văn hóa",
                               chair="Nguyễn Văn A", chair_role="party_secretary", actor="admin", today=TODAY)
        assert later.warnings == []


def test_monthly_dates_move_days_off_to_the_next_working_day():
    from engine.deadlines.calendar import default_calendar
    days = S.monthly_dates(2026, [10, 25], cal=default_calendar())
    assert len(days) == 24
    assert date(2026, 5, 11) in days and date(2026, 5, 10) not in days  # Sun 10/5/2026 -> Mon 11/5
    assert all(default_calendar().is_working_day(d) for d in days)
    assert S.monthly_dates(2026, [31], months=[4]) == [date(2026, 4, 30)]


def test_ical_feed_parses_field_by_field(org):
    from engine.reports.schedule_ics import build_ics
    with transaction(org) as s:
        a = plan(s).session
        b = plan(s, on="2026-12-24", starts_at="", ends_at="", kind="dialogue_thematic",
                 topic="Giải phóng mặt bằng; đường liên xã, thôn 3").session
        S.publish_schedule(s, "C1", "2026-12", actor="clerk1", now=NOW)
        S.cancel(s, b.id, reason="Bão", actor="clerk1", now=NOW)
        unit, rows = S.public_schedule(s, "C1", today=TODAY)
        raw = build_ics(unit, rows, S.label_map(s, "chair_role"), "example.test", NOW)
        a_id, b_id = a.id, b.id
    cal = Calendar.from_ical(raw)
    assert str(cal["version"]) == "2.0" and "Xã Một" in str(cal["x-wr-calname"])
    evs = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(evs) == {f"session-{a_id}@example.test", f"session-{b_id}@example.test"}
    ea, eb = evs[f"session-{a_id}@example.test"], evs[f"session-{b_id}@example.test"]
    start = ea.decoded("dtstart")
    assert start.replace(tzinfo=None) == datetime(2026, 12, 10, 7, 30) and start.utcoffset().total_seconds() == 7 * 3600
    assert ea.decoded("dtend").replace(tzinfo=None) == datetime(2026, 12, 10, 11, 0)
    assert str(ea["location"]) == "Trụ sở Đảng ủy xã" and str(ea["status"]) == "CONFIRMED"
    assert str(ea["summary"]) == "Tiếp công dân định kỳ"
    assert "Bí thư cấp ủy, Nguyễn Văn A" in str(ea["description"])
    assert eb.decoded("dtstart") == date(2026, 12, 24) and eb.decoded("dtend") == date(2026, 12, 25)
    assert str(eb["summary"]) == "Đối thoại chuyên đề: Giải phóng mặt bằng; đường liên xã, thôn 3"
    assert str(eb["status"]) == "CANCELLED" and int(eb["sequence"]) == 1
    assert any(tz["tzid"] == "Asia/Ho_Chi_Minh" for tz in cal.walk("VTIMEZONE"))


def test_opinions_before_a_dialogue_run_from_its_date_and_follow_it_when_it_moves(org, ctx):
    from engine.persistence import eventlog
    from engine.persistence.models import Clock, ClockJournal
    from engine.services import petitions as P
    with transaction(org) as s:
        d = plan(s, on="2026-12-10", kind="dialogue_periodic").session
        p = P.add_petition(s, ctx, "C1", "Đường thôn 3 xuống cấp", session_id=d.id, received_on="2026-11-20",
                           petitioners=[{"name": "Lê Văn Cường"}])
        clock = s.scalar(select(Clock).where(Clock.petition_id == p.id))
        assert clock.trigger_on == date(2026, 12, 10) and p.received_on == date(2026, 11, 20)
        due_before = clock.due_date
        d_id, p_id = d.id, p.id
    with transaction(org) as s:
        S.reschedule(s, d_id, "2026-12-17", reason="Lãnh đạo đi công tác", actor="clerk1", today=TODAY, ctx=ctx, now=NOW)
    with transaction(org) as s:
        clock = s.scalar(select(Clock).where(Clock.petition_id == p_id))
        assert clock.trigger_on == date(2026, 12, 17) and clock.due_date > due_before
        assert (clock.due_date - due_before).days == 7  # same working days, one week later (no holiday between)
        j = s.scalar(select(ClockJournal).where(ClockJournal.clock_id == clock.id))
        assert j.cause == "session_moved" and j.old_due == due_before and j.new_due == clock.due_date
        from engine.persistence.models import Event
        ev = s.scalars(select(Event).where(Event.petition_id == p_id).order_by(Event.seq)).all()[-1]
        assert ev.action == "session_moved" and ev.data == {"session": d_id, "from": "2026-12-10", "to": "2026-12-17"}
        assert eventlog.verify(s, s.get(P.Petition, p_id)) == []
        assert [x.id for x in S.dialogue_items(s, d_id)] == [p_id]
        assert S.latest_publication(s, "C1", "2026-12") is None  # planned, never published  # the audit head was re-sealed with the moved clock


def test_a_stale_form_is_refused_and_changes_nothing(org):
    with transaction(org) as s:
        sid = plan(s).session.id
        S.reschedule(s, sid, "2026-12-11", reason="Trùng lịch", actor="clerk1", today=TODAY, expect_version=1)
    before = counts(org)
    with pytest.raises(ValidationError) as e:
        with transaction(org) as s:  # the form showed version 1; the session is at 2 now
            S.cancel(s, sid, reason="Bão", actor="clerk1", expect_version=1)
    assert e.value.code == "session_changed"
    assert counts(org) == before
    with transaction(org) as s:
        assert s.get(ReceptionSession, sid).status == "planned"
