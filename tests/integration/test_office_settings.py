"""Issue 18: calendar decisions, per-unit deadline parameters and lists entered in the
browser, at the service level, on SQLite and PostgreSQL: the preview is what saving does,
re-projection is journaled and equals the calendar's own computation, the tick agrees with
the saved calendar (no second re-projection, no needless or duplicate reminders), bad input
changes nothing."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from engine.deadlines.clocks import due_after
from engine.deadlines.timeutil import local_at
from engine.language.errors import DomainError, Forbidden
from engine.persistence.db import transaction
from engine.persistence.models import CalendarDecision, Clock, ClockJournal, OutboxMessage, UnitParam, User
from engine.scheduler.tick import tick
from engine.services import calendar_decisions as cds
from engine.services import lists as lsvc
from engine.services import petitions as svc
from engine.services import unit_params as ups
from engine.services.users import add_user
from tests.conftest import NOW, PASSWORD

DAY_OFF = {"kind": "day_off", "day": "25/11/2026", "name": "Nghỉ bù thử", "name_en": "Test day off",
           "source_no": "123/TB-BNV", "source_on": "10/11/2026"}


def morning(d: date) -> datetime:
    return local_at(d, time(7, 35))


def user(s, name) -> User:
    return s.scalar(select(User).where(User.username == name))


@pytest.fixture
def cases(org, ctx):
    """Running clocks in two communes on both sides of 25/11/2026, and one already stopped."""
    out = {}
    with transaction(org) as s:
        for key, unit, on in [("c1_new", "C1", "2026-11-16"), ("c2_new", "C2", "2026-11-18"),
                              ("c1_old", "C1", "2026-11-02"), ("c2_far", "C2", "2026-11-20"),
                              ("stopped", "C1", "2026-11-16")]:
            out[key] = svc.add_petition(s, ctx, unit, f"Việc {key}", received_on=on).code
        svc.act(s, ctx, out["stopped"], "refer", "clerk1", {"agency": "Tòa án"}, on="2026-11-18")
        add_user(s, "c1admin", "admin", "C1", PASSWORD)
    return out


def moves_of(out):
    return [(m.code, m.clock, m.old_due, m.new_due, m.shift, m.unit_name) for m in out.moves]


def test_preview_equals_saving_and_reprojection_is_journaled(org, cases):
    with transaction(org) as s:
        before = cds.current_calendar(s)
        admin = user(s, "admin")
    preview = cds.preview_decision(org, admin, DAY_OFF, NOW)
    with transaction(org) as s:  # the preview saved nothing
        assert s.scalar(select(func.count(CalendarDecision.id))) == 0
        assert s.scalar(select(func.count(ClockJournal.id))) == 0
        assert {c.calendar_version for c in s.scalars(select(Clock))} == {before.version}
    with transaction(org) as s:
        saved = cds.add_decision(s, user(s, "admin"), DAY_OFF, NOW)
    assert moves_of(preview) == moves_of(saved)
    assert preview.new_version == saved.new_version != before.version
    moved = {m[0] for m in moves_of(saved)}
    assert moved == {cases["c1_new"], cases["c2_new"], cases["c2_far"]}  # c1_old fell due before 25/11
    assert {m.shift for m in saved.moves} == {1}
    assert [name for name, _ in saved.by_unit()] == ["Xã Hai", "Xã Một"]
    with transaction(org) as s:
        cal = cds.current_calendar(s)
        assert cal.version == saved.new_version and not cal.is_working_day(date(2026, 11, 25))
        journal = {j.clock_id: j for j in s.scalars(select(ClockJournal))}
        for c in s.scalars(select(Clock)):
            p = c.petition
            if c.status != "running":
                assert c.calendar_version == before.version and c.id not in journal  # verdicts stay
                continue
            assert c.due_date == due_after(cal, c.trigger_on, c.rule_days, c.working)  # the calendar's own count
            assert c.calendar_version == cal.version
            if p.code in moved:
                j = journal[c.id]
                assert (j.cause, j.new_due, j.calendar_version) == ("calendar_change", c.due_date, cal.version)
                assert j.new_due == cal.add_working_days(j.old_due, 1) and c.version == 2
            else:
                assert c.id not in journal and c.version == 1
        # the explanation of a moved deadline cites the decision's document
        c = svc.get_for(s, cases["c1_new"], None).clock("conclusion")
        ex = cal.explain(c.trigger_on, c.rule_days)
        note = [n for n in ex.skipped if n.date == date(2026, 11, 25)][0]
        assert (note.kind, note.source, note.reason) == ("decision", "123/TB-BNV ngày 10/11/2026", "Nghỉ bù thử")
        assert note.reason_in("en") == "Test day off"
    # the tick counts with the same calendar: nothing is re-projected a second time
    assert tick(org, morning(date(2026, 11, 23))).reprojected == 0


def test_a_working_day_brings_deadlines_earlier(org, cases):
    raw = dict(DAY_OFF, kind="working_day", day="28/11/2026", name="Làm bù thử")
    with transaction(org) as s:
        out = cds.add_decision(s, user(s, "admin"), raw, NOW)
        cal = cds.current_calendar(s)
    assert cal.is_working_day(date(2026, 11, 28)) and out.moves and {m.shift for m in out.moves} == {-1}


def test_no_needless_or_duplicate_reminders(org, cases):
    """Ticks every morning before and after a decision saved mid-way: a clock whose due date
    did not move gets no new reminder from the change, and no rung reaches anyone twice."""
    tick(org, morning(date(2026, 11, 20)))
    with transaction(org) as s:
        before = {(r.clock_id, r.key) for r in s.scalars(select(OutboxMessage))}
        cds.add_decision(s, user(s, "admin"), DAY_OFF, morning(date(2026, 11, 20)) + timedelta(minutes=5))
        unchanged = {c.id for c in s.scalars(select(Clock).where(Clock.version == 1))}
    tick(org, morning(date(2026, 11, 20)) + timedelta(minutes=10))  # same morning again
    with transaction(org) as s:
        after = {(r.clock_id, r.key) for r in s.scalars(select(OutboxMessage))}
    assert {k for k in after - before if k[0] in unchanged} == set()
    day = date(2026, 11, 21)
    while day <= date(2026, 12, 15):
        tick(org, morning(day))
        day += timedelta(days=1)
    with transaction(org) as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.status != "skipped",
                                                     OutboxMessage.clock_id.is_not(None))).all()
        seen = [(r.clock_id, r.rung, r.recipient_user_id, r.channel) for r in rows]
        assert rows and len(seen) == len(set(seen))


BAD_DECISIONS = [
    ({"day": "31/02/2026"}, "day", "bad_date"),
    ({"day": "2026-13-01"}, "day", "bad_date"),
    ({"day": ""}, "day", "missing_field"),
    ({"day": "21/11/2026"}, "day", "cal_already_off"),            # a Saturday
    ({"day": "01/01/2027"}, "day", "cal_already_off"),            # New Year's Day
    ({"day": "10/11/2026"}, "day", "date_in_past"),
    ({"day": "01/01/2150"}, "day", "date_out_of_range"),
    ({"kind": "working_day", "day": "26/11/2026"}, "day", "cal_already_working"),
    ({"kind": "working_day", "day": "24/11/2026"}, "day", "cal_working_on_weekday"),  # Ngày Văn hóa Việt Nam
    ({"kind": "holiday"}, "kind", "bad_choice"),
    ({"source_no": "  "}, "source_no", "missing_field"),
    ({"source_on": ""}, "source_on", "missing_field"),
    ({"source_on": "32/11/2026"}, "source_on", "bad_date"),
    ({"source_on": "01/12/2026"}, "source_on", "source_date_in_future"),
    ({"name": ""}, "name", "missing_field"),
    ({"name": "x" * 300}, "name", "too_long"),
]


@pytest.mark.parametrize("change,field,code", BAD_DECISIONS)
def test_bad_calendar_input_changes_nothing(org, cases, change, field, code):
    with pytest.raises(DomainError) as e:
        with transaction(org) as s:
            cds.add_decision(s, user(s, "admin"), dict(DAY_OFF, **change), NOW)
    assert (e.value.field, e.value.code) == (field, code)
    assert e.value.message("vi") != e.value.message("en")
    with transaction(org) as s:
        assert s.scalar(select(func.count(CalendarDecision.id))) == 0
        assert s.scalar(select(func.count(ClockJournal.id))) == 0


def test_a_second_decision_for_the_same_day_and_a_commune_admin_are_refused(org, cases):
    with transaction(org) as s:
        cds.add_decision(s, user(s, "admin"), DAY_OFF, NOW)
    with pytest.raises(DomainError) as e, transaction(org) as s:
        cds.add_decision(s, user(s, "admin"), dict(DAY_OFF, kind="day_off"), NOW)
    assert e.value.code == "cal_decision_exists"
    with pytest.raises(Forbidden), transaction(org) as s:
        cds.add_decision(s, user(s, "c1admin"), dict(DAY_OFF, day="26/11/2026"), NOW)
    with transaction(org) as s:
        assert s.scalar(select(func.count(CalendarDecision.id))) == 1


def test_every_way_in_counts_with_the_browsers_decisions_and_parameters(org, cases):
    """A case entered from the CLI or the demo (a context built without the database) starts its
    clocks with the same calendar and unit parameter as the pages."""
    with transaction(org) as s:
        cds.add_decision(s, user(s, "admin"), DAY_OFF, NOW)
        ups.add_param(s, user(s, "admin"), PARAM, NOW.date(), NOW)
    with transaction(org) as s:
        cal = cds.current_calendar(s)
        c = svc.add_petition(s, svc.Context(now=NOW), "C1", "Từ dòng lệnh", received_on="2026-11-20").clock("conclusion")
        assert (c.rule_days, c.calendar_version) == (7, cal.version)
        assert c.due_date == cal.add_working_days(date(2026, 11, 20), 7) == date(2026, 12, 3)  # 24/11 holiday, 25/11 the decision
    assert tick(org, morning(date(2026, 11, 23))).reprojected == 0


# -- per-unit parameters ----------------------------------------------------------------
PARAM = {"unit": "C1", "clock": "conclusion", "days": "7", "effective_from": "20/11/2026",
         "source_title": "Quy chế tiếp công dân của Đảng ủy xã Một", "source_no": "05-QC/ĐU", "source_on": "15/11/2026"}


def test_param_preview_equals_saving_and_new_cases_only(org, cases):
    with transaction(org) as s:
        cal = cds.current_calendar(s)
        running_before = {c.id: (c.rule_days, c.due_date) for c in s.scalars(select(Clock))}
        pv = ups.preview_param(s, user(s, "admin"), PARAM, NOW.date(), cal)
    assert [c.unit_name for c in pv.changes] == ["Xã Một"]  # not Xã Hai; departments receive no cases
    assert {(c.old.days, c.new.days) for c in pv.changes} == {(10, 7)}
    with transaction(org) as s:  # running conclusion clocks of Xã Một's cases (c1_new, c1_old; not the stopped one)
        expected = [c for c in s.scalars(select(Clock).where(Clock.status == "running", Clock.name == "conclusion"))
                    if c.petition.unit.code == "C1"]
    assert pv.running == len(expected) == 2
    with transaction(org) as s:
        ups.add_param(s, user(s, "admin"), PARAM, NOW.date(), NOW)
    ctx = svc.Context(now=NOW)
    with transaction(org) as s:
        ctx.params = ups.current_params(s)
        ctx.cal = cal
        for c in s.scalars(select(Clock)):  # running clocks keep their rule
            assert (c.rule_days, c.due_date) == running_before[c.id]
        new_c1 = svc.add_petition(s, ctx, "C1", "Việc mới", received_on="2026-11-20").clock("conclusion")
        new_c2 = svc.add_petition(s, ctx, "C2", "Việc mới", received_on="2026-11-20").clock("conclusion")
        assert (new_c1.rule_days, new_c1.due_date) == (7, pv.example_new)
        assert (new_c2.rule_days, new_c2.due_date) == (10, pv.example_old)
        assert "05-QC/ĐU ngày 15/11/2026" in new_c1.rule_source and "áp dụng từ 20/11/2026" in new_c1.rule_source
        assert "Xã Một" in new_c1.rule_source
        earlier = svc.add_petition(s, ctx, "C1", "Việc cũ", received_on="2026-11-19").clock("conclusion")
        assert earlier.rule_days == 10  # before the effective date
    # the tick reads the same parameters
    assert ups.params_from_engine(org).rule_for("conclusion", date(2026, 11, 20), ["C1", "P"]).days == 7


BAD_PARAMS = [
    ({"days": "11"}, "days", "param_out_of_range"),
    ({"days": "0"}, "days", "param_out_of_range"),
    ({"days": "-3"}, "days", "negative_count"),
    ({"days": "bảy"}, "days", "bad_int"),
    ({"days": ""}, "days", "missing_field"),
    ({"effective_from": "19/11/2026"}, "effective_from", "date_in_past"),
    ({"effective_from": "30/02/2027"}, "effective_from", "bad_date"),
    ({"source_no": ""}, "source_no", "missing_field"),
    ({"source_on": "21/11/2026"}, "source_on", "source_date_in_future"),
    ({"unit": "NOPE"}, "unit", "unknown_unit"),
    ({"clock": "forever"}, "clock", "bad_choice"),
]


@pytest.mark.parametrize("change,field,code", BAD_PARAMS)
def test_bad_param_input_changes_nothing(org, cases, change, field, code):
    with pytest.raises(DomainError) as e:
        with transaction(org) as s:
            ups.add_param(s, user(s, "admin"), dict(PARAM, **change), NOW.date(), NOW)
    assert (e.value.field, e.value.code) == (field, code)
    with transaction(org) as s:
        assert s.scalar(select(func.count(UnitParam.id))) == 0


def test_param_preview_from_the_province_lists_every_commune_but_one_with_its_own(org, cases):
    """A province-wide parameter reaches every commune except one whose own parameter is nearer."""
    with transaction(org) as s:
        ups.add_param(s, user(s, "admin"), dict(PARAM, days="8"), NOW.date(), NOW)
    with transaction(org) as s:
        pv = ups.preview_param(s, user(s, "admin"), dict(PARAM, unit="P", days="9"), NOW.date(), cds.current_calendar(s))
    assert [(c.unit_name, c.old.days, c.new.days) for c in pv.changes] == [("Tỉnh Thử", 10, 9), ("Xã Hai", 10, 9)]
    with transaction(org) as s:
        ups.add_param(s, user(s, "admin"), dict(PARAM, unit="P", days="9"), NOW.date(), NOW)
        params = ups.current_params(s)
    for code, chain, days in [("C1", ["C1", "P"], 8), ("C2", ["C2", "P"], 9), ("P", ["P"], 9)]:
        assert params.rule_for("conclusion", date(2026, 11, 20), chain).days == days


def test_param_scope_is_the_admins_unit_and_below(org, cases):
    with transaction(org) as s:
        ups.add_param(s, user(s, "c1admin"), PARAM, NOW.date(), NOW)
    with pytest.raises(DomainError) as e, transaction(org) as s:
        ups.add_param(s, user(s, "c1admin"), dict(PARAM, unit="C2"), NOW.date(), NOW)
    assert e.value.code == "unit_out_of_scope"
    with pytest.raises(DomainError) as e, transaction(org) as s:
        ups.add_param(s, user(s, "c1admin"), PARAM, NOW.date(), NOW)
    assert e.value.code == "param_exists"


# -- lists -------------------------------------------------------------------------------
def test_lists_add_edit_retire(org, cases):
    with transaction(org) as s:
        admin = user(s, "admin")
        assert "land" in lsvc.active_categories(s)
        row = lsvc.add_entry(s, admin, "category", "environment", "Môi trường", "Environment")
        lsvc.edit_entry(s, admin, row.id, "Môi trường, ô nhiễm", "Environment, pollution")
    ctx = svc.Context(now=NOW)
    with transaction(org) as s:
        code = svc.add_petition(s, ctx, "C1", "Khói bụi", received_on="2026-11-20", category="environment").code
        lsvc.set_active(s, user(s, "admin"), row.id, False)
    with transaction(org) as s:
        assert "environment" not in lsvc.active_categories(s)
        assert "environment" in lsvc.known_categories(s)
        assert lsvc.label_maps(s, "category")["environment"] == ("Môi trường, ô nhiễm", "Environment, pollution")
        assert svc.get_for(s, code, None).category == "environment"  # the old case keeps it
    for args, code_ in [(("category", "Bad Code", "a", "b"), "bad_label_code"),
                        (("category", "land", "a", "b"), "duplicate_code"),
                        (("category", "x1", "", "b"), "missing_field"),
                        (("colour", "x1", "a", "b"), "bad_choice")]:
        with pytest.raises(DomainError) as e, transaction(org) as s:
            lsvc.add_entry(s, user(s, "admin"), *args)
        assert e.value.code == code_
    with pytest.raises(Forbidden), transaction(org) as s:
        lsvc.add_entry(s, user(s, "c1admin"), "body", "x2", "a", "b")


def test_every_change_is_in_the_administration_log(org, cases):
    """Lists, calendar decisions and unit parameters are shared or move deadlines: each saved
    change is an entry of the administration log (who, what, which entry), and the log still
    verifies; a refused change leaves no entry, and neither does a preview."""
    from engine.persistence.adminlog import verify_admin_log
    from engine.persistence.models import AdminEvent, SessionLabel

    def actions(s):
        return [(e.action, e.actor, e.target) for e in s.scalars(select(AdminEvent).order_by(AdminEvent.seq))]

    with transaction(org) as s:
        before = actions(s)
    cds.preview_decision(org, _admin(org), DAY_OFF, NOW)
    with transaction(org) as s:
        assert actions(s) == before
        cds.add_decision(s, user(s, "admin"), DAY_OFF, NOW)
        ups.add_param(s, user(s, "admin"), PARAM, NOW.date(), NOW)
        row = lsvc.add_entry(s, user(s, "admin"), "category", "water", "Nước sạch", "Clean water")
        lsvc.edit_entry(s, user(s, "admin"), row.id, "Nước sinh hoạt", "Household water")
        lsvc.set_active(s, user(s, "admin"), row.id, False)
    with pytest.raises(DomainError):
        with transaction(org) as s:
            lsvc.add_entry(s, user(s, "admin"), "category", "water", "Trùng", "Duplicate")
    with transaction(org) as s:
        added = actions(s)[len(before):]
        assert [a for a, _, _ in added] == ["calendar_decision_added", "unit_param_added", "list_entry_added",
                                            "list_entry_changed", "list_entry_retired"]
        assert {who for _, who, _ in added} == {"admin"} and added[0][2] == "2026-11-25"
        assert added[-1][2] == "category:water" and not verify_admin_log(s)
        assert s.scalar(select(SessionLabel.active).where(SessionLabel.code == "water")) is False


def _admin(org):
    with transaction(org) as s:
        u = user(s, "admin")
        s.expunge(u)
        return u
