"""The Regulation 11 lifecycle on SQLite and PostgreSQL: every action, role and scope,
illegal transitions, the optimistic lock under real concurrency, escalation, clocks that
match the calendar, and the hash-chained log."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select, text

from engine.persistence import eventlog
from engine.deadlines.calendar import default_calendar
from engine.persistence.db import transaction
from engine.language.errors import Forbidden, IllegalTransition, NotFound, ValidationError, VersionConflict
from engine.persistence.models import Clock, Event, OutboxMessage, Petition
from engine.services import petitions as svc
from workflows.regulation11 import WORKFLOW

CAL = default_calendar()
RECEIVED = date(2026, 10, 5)   # Mon
ACTION_DAY = date(2026, 10, 9)  # Fri


def new_petition(db, ctx, unit="C1", **kw):
    with transaction(db) as s:
        p = svc.add_petition(s, ctx, unit, kw.pop("summary", "Đề nghị sửa đường liên thôn"), received_on=RECEIVED,
                             petitioners=[{"name": "Nguyễn Văn Đức", "email": kw.pop("email", "")}], **kw)
        return p.code


def act(db, ctx, code, action, by, on=ACTION_DAY, **params):
    with transaction(db) as s:
        return svc.act(s, ctx, code, action, by, params, on=on)


def state_of(db, code):
    with transaction(db) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        return p.state, p.version


# A path to each state (actor: an allowed role of the unit C1).
PATHS = {
    "received": [],
    "answered": [("answer_at_meeting", "clerk1", {"note": "Đã trả lời"})],
    "in_resolution": [("conclude", "clerk1", {"notice_no": "12-TB/ĐU", "department": "C1-D1"})],
    "resolved": [("conclude", "clerk1", {"notice_no": "12-TB/ĐU", "department": "C1-D1"}),
                 ("resolve", "dept1", {"document_no": "45/UBND"})],
    "escalated": [("escalate", "leader1", {"reason": "Vượt thẩm quyền"})],
    "referred": [("refer", "clerk1", {"agency": "Tòa án"})],
    "closed": [("conclude", "clerk1", {"notice_no": "12-TB/ĐU", "department": "C1-D1"}),
               ("resolve", "dept1", {"document_no": "45/UBND"}), ("close", "clerk1", {})],
}
VALID = {
    "answer_at_meeting": {"note": "Đã trả lời"},
    "conclude": {"notice_no": "7-TB/ĐU", "department": "C1-D1"},
    "extend": {"days": "10", "reason": "Phức tạp"},
    "resolve": {"document_no": "9/UBND"},
    "escalate": {"reason": "Vượt thẩm quyền"},
    "refer": {"agency": "Tòa án"},
    "reopen": {"reason": "Còn kiến nghị"},
    "close": {},
}


def petition_in(db, ctx, state):
    code = new_petition(db, ctx)
    for action, by, params in PATHS[state]:
        act(db, ctx, code, action, by, **params)
    assert state_of(db, code)[0] == state
    return code


def test_full_lifecycle_and_clocks(org, ctx):
    db = org
    code = new_petition(db, ctx)
    with transaction(db) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        assert code == "KN-C1-2026-000001" and p.state == "received" and p.version == 1
        c = p.clock("conclusion")
        assert c.due_date == CAL.add_working_days(RECEIVED, 10) == date(2026, 10, 19)
        assert c.status == "running" and c.original_due_date == c.due_date and not c.provisional
        assert c.rule_days == 10 and "11-QĐi/TW" in c.rule_source

    act(db, ctx, code, "conclude", "clerk1", on=date(2026, 10, 9), notice_no="12-TB/ĐU", department="C1-D1")
    act(db, ctx, code, "extend", "leader1", on=date(2026, 11, 2), days="5", reason="Cần xác minh thêm")
    act(db, ctx, code, "resolve", "dept1", on=date(2026, 11, 18), document_no="45/UBND", outcome="Đã sửa đường")
    act(db, ctx, code, "reopen", "leader1", on=date(2026, 11, 19), reason="Công dân còn kiến nghị")
    act(db, ctx, code, "resolve", "dept1", on=date(2026, 11, 20), document_no="46/UBND")
    act(db, ctx, code, "close", "clerk1", on=date(2026, 11, 20))

    with transaction(db) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        assert p.state == "closed" and p.version == 7 and p.reopen_count == 1
        concl, res1, res2 = p.clocks
        assert (concl.name, concl.status, concl.stopped_on) == ("conclusion", "met", date(2026, 10, 9))
        assert res1.original_due_date == CAL.add_working_days(date(2026, 10, 9), 30)
        assert res1.due_date == CAL.add_working_days(res1.original_due_date, 5) == res1.extended_due_date
        assert res1.extensions == 1 and res1.version == 2 and res1.status == "met"
        assert res2.trigger_on == date(2026, 11, 19) and res2.status == "met"
        actions = [e.action for e in s.scalars(select(Event).where(Event.petition_id == p.id).order_by(Event.seq))]
        assert actions == ["receive", "conclude", "extend", "resolve", "reopen", "resolve", "close"]
        assert eventlog.verify(s, p) == []


def test_late_verdict_is_frozen(org, ctx):
    code = new_petition(org, ctx)
    act(org, ctx, code, "conclude", "clerk1", on=date(2026, 10, 21), notice_no="1", department="C1-D1")
    with transaction(org) as s:
        c = s.scalar(select(Clock).join(Petition).where(Petition.code == code, Clock.name == "conclusion"))
        assert c.status == "late" and c.due_date == date(2026, 10, 19)
        assert c.next_rung_at is None


@pytest.mark.parametrize("action", list(WORKFLOW.actions))
def test_role_matrix(org, ctx, action):
    """Each role may take exactly the actions the workflow grants it (admin all, auditor none)."""
    adef = WORKFLOW.actions[action]
    source = adef.sources[0]
    actors = {"clerk": "clerk1", "leader": "leader1", "department": "dept1", "auditor": "c1auditor", "admin": "admin"}
    for role, username in actors.items():
        code = petition_in(org, ctx, source)
        before = state_of(org, code)
        allowed = role == "admin" or role in adef.roles
        if allowed:
            act(org, ctx, code, action, username, **VALID[action])
            assert state_of(org, code) == (adef.target, before[1] + 1), (role, action)
        else:
            with pytest.raises((Forbidden, NotFound)):
                act(org, ctx, code, action, username, **VALID[action])
            assert state_of(org, code) == before, (role, action)


@pytest.mark.parametrize("username,error", [
    ("clerk2", NotFound), ("leader2", NotFound), ("deptc2", NotFound),  # another commune: not even visible
    ("dept2", NotFound),        # same commune, another department's assignment
    ("pclerk", Forbidden),      # the province sees the commune's petitions but acts only on its own
    ("pleader", Forbidden),
])
def test_scope_refusals_change_nothing(org, ctx, username, error):
    code = petition_in(org, ctx, "in_resolution")
    before = state_of(org, code)
    action = {"dept2": "resolve", "deptc2": "resolve", "clerk2": "refer", "pclerk": "refer"}.get(username, "extend")
    with pytest.raises(error):
        act(org, ctx, code, action, username, **VALID[action])
    assert state_of(org, code) == before


def test_illegal_transitions(org, ctx):
    for state in PATHS:
        code = petition_in(org, ctx, state)
        for action, adef in WORKFLOW.actions.items():
            if state in adef.sources:
                continue
            before = state_of(org, code)
            with pytest.raises(IllegalTransition) as err:
                act(org, ctx, code, action, "admin", **VALID[action])
            assert code in str(err.value) and action in err.value.message("en")
            assert state_of(org, code) == before


@pytest.mark.parametrize("action,params,field", [
    ("conclude", {"notice_no": "1"}, "department"),
    ("conclude", {"department": "C1-D1"}, "notice_no"),
    ("conclude", {"notice_no": "1", "department": "C2-D1"}, "department"),   # another commune's department
    ("conclude", {"notice_no": "1", "department": "NOPE"}, "department"),  # a field error, not "not found"
    ("conclude", {"notice_no": "1", "department": "C1-D1", "days": "3"}, "days"),
    ("answer_at_meeting", {"note": "   "}, "note"),
    ("refer", {}, "agency"),
])
def test_missing_or_bad_fields(org, ctx, action, params, field):
    code = new_petition(org, ctx)
    before = state_of(org, code)
    with pytest.raises((ValidationError, NotFound)) as err:
        act(org, ctx, code, action, "leader1", **params)
    assert err.value.field == field
    assert state_of(org, code) == before


def test_extend_needs_exactly_one_of_days_until(org, ctx):
    code = petition_in(org, ctx, "in_resolution")
    for params in ({"reason": "x"}, {"reason": "x", "days": "3", "until": "2027-01-05"}):
        with pytest.raises(ValidationError):
            act(org, ctx, code, "extend", "leader1", **params)
    with pytest.raises(ValidationError):  # not later than the current due date
        act(org, ctx, code, "extend", "leader1", until="2026-10-20", reason="x")
    act(org, ctx, code, "extend", "leader1", until="2026-12-31", reason="x")
    with transaction(org) as s:
        c = s.scalar(select(Clock).join(Petition).where(Petition.code == code, Clock.name == "resolution"))
        assert c.due_date == date(2026, 12, 31) and c.original_due_date == CAL.add_working_days(ACTION_DAY, 30)


def test_dates_are_checked(org, ctx):
    code = new_petition(org, ctx)
    with pytest.raises(ValidationError, match="trước ngày tiếp nhận"):
        act(org, ctx, code, "refer", "clerk1", on=date(2026, 10, 1), agency="x")
    with pytest.raises(ValidationError):
        act(org, ctx, code, "refer", "clerk1", on=date(2026, 12, 1), agency="x")  # after ctx.now
    with pytest.raises(ValidationError):
        act(org, ctx, code, "refer", "clerk1", on="31/02/2026", agency="x")
    assert state_of(org, code) == ("received", 1)


def test_stale_expected_version_is_a_conflict(org, ctx):
    code = new_petition(org, ctx)
    with transaction(org) as s:
        with pytest.raises(VersionConflict):
            svc.act(s, ctx, code, "refer", "clerk1", {"agency": "x"}, on=ACTION_DAY, expect_version=2)
    assert state_of(org, code) == ("received", 1)


def test_two_concurrent_actions_exactly_one_wins(org, ctx):
    """Two users loaded version 1 and submit at the same moment: one wins, the other gets a
    conflict, and the petition moved exactly once (on PostgreSQL the two transactions really
    overlap; SQLite queues the second writer, which then finds the version moved)."""
    code = new_petition(org, ctx)
    seen = state_of(org, code)[1]
    barrier = threading.Barrier(2)
    results = {}

    def worker(name, action, by, params):
        try:
            barrier.wait(timeout=10)
            with transaction(org) as s:
                svc.act(s, ctx, code, action, by, params, on=ACTION_DAY, expect_version=seen)
            results[name] = "ok"
        except VersionConflict as exc:
            results[name] = type(exc).__name__
        except Exception as exc:  # noqa: BLE001
            results[name] = repr(exc)

    threads = [threading.Thread(target=worker, args=("a", "refer", "clerk1", {"agency": "Tòa án"})),
               threading.Thread(target=worker, args=("b", "escalate", "leader1", {"reason": "Vượt thẩm quyền"}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["VersionConflict", "ok"], results
    state, version = state_of(org, code)
    assert version == seen + 1 and state == ("referred" if results["a"] == "ok" else "escalated")
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        assert [e.seq for e in s.scalars(select(Event).where(Event.petition_id == p.id))] == [1, 2]
        assert s.scalar(select(func.count(Petition.id))) == (1 if results["a"] == "ok" else 2)


def test_escalation_links_and_new_clock(org, ctx):
    code = petition_in(org, ctx, "in_resolution")
    res = act(org, ctx, code, "escalate", "leader1", on=date(2026, 10, 14), reason="Vượt thẩm quyền cấp xã")
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        up = p.escalated_to
        assert up.code == res.created.code == "KN-P-2026-000001" and up.unit.code == "P"
        assert up.escalated_from.code == code and up.state == "received"
        assert up.petitioners[0].name == "Nguyễn Văn Đức"
        c = up.clock("conclusion")
        assert c.trigger_on == date(2026, 10, 14) and c.due_date == CAL.add_working_days(date(2026, 10, 14), 10)
        assert all(c.status in ("met", "late") for c in p.clocks)
        assert s.scalar(select(Event.data).where(Event.petition_id == up.id, Event.seq == 1))["escalated_from"] == code
    with transaction(org) as s:  # the province cannot escalate further: it has no parent
        with pytest.raises(ValidationError):
            svc.act(s, ctx, res.created.code, "escalate", "pleader", {"reason": "x"}, on=date(2026, 10, 15))


def test_codes_are_gapless_per_unit_and_year(org, ctx):
    codes = [new_petition(org, ctx) for _ in range(3)] + [new_petition(org, ctx, unit="C2")]
    with pytest.raises(ValidationError):  # a refused insert does not burn a number
        with transaction(org) as s:
            svc.add_petition(s, ctx, "C1", "x", received_on=RECEIVED, category="nope")
    codes.append(new_petition(org, ctx))
    assert codes == ["KN-C1-2026-000001", "KN-C1-2026-000002", "KN-C1-2026-000003", "KN-C2-2026-000001",
                     "KN-C1-2026-000004"]


def test_petitioner_is_told_by_email_or_the_clerk_gets_a_letter_task(org, ctx):
    with_email = new_petition(org, ctx, email="duc@example.vn")
    without = new_petition(org, ctx)
    r1 = act(org, ctx, with_email, "conclude", "clerk1", notice_no="3-TB", department="C1-D1")
    r2 = act(org, ctx, without, "conclude", "clerk1", notice_no="4-TB", department="C1-D1")
    with transaction(org) as s:
        rows = {r.id: r for r in s.scalars(select(OutboxMessage))}
        assert [(rows[i].kind, rows[i].channel, rows[i].to_email) for i in r1.outbox_ids] == [
            ("petitioner_conclusion", "email", "duc@example.vn")]
        assert rows[r1.outbox_ids[0]].context["due_date"] == CAL.add_working_days(ACTION_DAY, 30).isoformat()
        kinds = sorted((rows[i].kind, rows[i].channel) for i in r2.outbox_ids)
        assert kinds == [("letter_task", "email"), ("letter_task", "inbox")]  # clerk1 of C1


def test_text_is_stored_nfc(org, ctx):
    import unicodedata
    decomposed = unicodedata.normalize("NFD", "Phản ánh đường xuống cấp")
    code = new_petition(org, ctx, summary=decomposed)
    with transaction(org) as s:
        stored = s.scalar(select(Petition.summary).where(Petition.code == code))
        assert stored == unicodedata.normalize("NFC", decomposed) != decomposed
        assert "phan anh duong xuong cap" in s.scalar(select(Petition.search_text).where(Petition.code == code))


def test_hash_chain_detects_tampering(org, ctx):
    code = petition_in(org, ctx, "resolved")
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        assert eventlog.verify(s, p) == []
        pid = p.id
    with org.begin() as conn:  # someone edits the log behind the application's back
        conn.execute(text("UPDATE events SET actor = 'mallory' WHERE petition_id = :p AND seq = 2"), {"p": pid})
    with transaction(org) as s:
        problems = eventlog.verify(s, s.get(Petition, pid))
        assert any("#2" in m and "altered" in m for m in problems)
    with org.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE petition_id = :p AND seq = 1"), {"p": pid})
    with transaction(org) as s:
        problems = eventlog.verify(s, s.get(Petition, pid))
        assert any("missing" in m for m in problems)
