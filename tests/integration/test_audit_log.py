"""Issue 11: the audit log proves what it claims. Each tampering is done the way someone with
write access to the database (and without the audit key) would do it, in plain SQL; then
`verify` must say what happened, naming the case. On SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from engine.persistence import eventlog
from engine.persistence.db import transaction
from engine.persistence.models import Clock, Event, Petition
from engine.services import petitions as svc

LATER = datetime(2026, 11, 20, 5, 0, tzinfo=timezone.utc)


def _receive(db, ctx, unit="C1", on="2026-10-05"):
    with transaction(db) as s:
        return svc.add_petition(s, ctx, unit, "Đường liên thôn xuống cấp", received_on=on,
                                petitioners=[{"name": "Nguyễn Văn Đức"}]).code


def _act(db, ctx, code, action, by, on, **params):
    with transaction(db) as s:
        svc.act(s, ctx, code, action, by, params, on=on)


def _resolved(db, ctx, unit="C1"):
    """received → in resolution → resolved: 3 events, the conclusion clock stopped, a document number."""
    code = _receive(db, ctx, unit)
    dept, clerk = ("C1-D1", "clerk1") if unit == "C1" else ("C2-D1", "clerk2")
    _act(db, ctx, code, "conclude", clerk, "2026-10-09", notice_no="12-TB/ĐU", department=dept)
    _act(db, ctx, code, "resolve", "dept1" if unit == "C1" else "deptc2", "2026-11-18", document_no="45/UBND",
         outcome="Đã sửa đường")
    return code


def _report(db, **kw):
    with transaction(db) as s:
        return eventlog.verify_all(s, **kw)


def _found(report, code=None):
    return {(f.code, f.what) for f in report.findings if code is None or f.code == code}


def _messages(report, lang="vi"):
    return [f.text(lang) for f in report.findings]


def _pid(db, code):
    with transaction(db) as s:
        return s.scalar(select(Petition.id).where(Petition.code == code))


def _sql(db, sql, **params):
    with db.begin() as conn:
        conn.execute(text(sql), params)


def _checkpoint(db):
    with transaction(db) as s:
        return eventlog.checkpoint(s, LATER)


@pytest.fixture
def cases(org, ctx):
    out = {"R": _receive(org, ctx), "A": _resolved(org, ctx), "B": _resolved(org, ctx, "C2"), "Z": _receive(org, ctx)}
    assert _checkpoint(org) == 1
    return out


def test_a_clean_log_passes_and_says_so(org, cases):
    report = _report(org)
    assert report.ok and report.checked == 4, _messages(report)
    assert report.checkpoint["seq"] == 1
    assert _checkpoint(org) is None  # nothing changed since: no new checkpoint
    env = dict(os.environ, DATABASE_URL=org.url.render_as_string(hide_password=False), PETITIONS_LANG="vi")
    r = subprocess.run([sys.executable, "-m", "engine", "petition", "verify-log"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0 and "Không phát hiện thay đổi nào sau khi ghi" in r.stdout, r.stderr


def test_an_edited_event_is_detected(org, cases):
    _sql(org, "UPDATE events SET actor = 'mallory' WHERE petition_id = :p AND seq = 2", p=_pid(org, cases["A"]))
    report = _report(org)
    assert (cases["A"], "event_altered") in _found(report)
    assert any(cases["A"] in m and "#2" in m and "đã bị sửa sau khi ghi" in m for m in _messages(report))
    assert _found(report) <= {(cases["A"], "event_altered")}  # nothing else is blamed


@pytest.mark.parametrize("forger", ["plain_sha256", "another_key"])
def test_an_event_edited_and_the_chain_recomputed_without_the_key_is_detected(org, cases, forger):
    pid = _pid(org, cases["A"])
    wrong = b"x" * 32

    def rehash(code, ev):
        if forger == "plain_sha256":
            return eventlog.legacy_hash(code, ev)
        return hmac.new(wrong, ("event|" + ev.prev_hash + eventlog._body(code, ev)).encode(), hashlib.sha256).hexdigest()
    with transaction(org) as s:  # rewrite event 2's document and every hash after it, consistently
        evs = list(s.scalars(select(Event).where(Event.petition_id == pid).order_by(Event.seq)))
        data = dict(evs[1].data, notice_no="99-TB/ĐU")
        prev = evs[0].hash
        rows = []
        for i, ev in enumerate(evs[1:], start=1):
            ev.prev_hash = prev
            if i == 1:
                ev.data = data
            rows.append((ev.id, ev.prev_hash, rehash(cases["A"], ev), ev.data))
            prev = rows[-1][2]
        s.rollback()
    with org.begin() as conn:
        for eid, prev_hash, h, d in rows:
            conn.execute(text("UPDATE events SET prev_hash = :ph, hash = :h WHERE id = :id"), {"ph": prev_hash, "h": h, "id": eid})
        conn.execute(Event.__table__.update().where(Event.__table__.c.id == rows[0][0]).values(data=rows[0][3]))
        conn.execute(text("UPDATE event_heads SET hash = :h WHERE petition_id = :p"), {"h": rows[-1][2], "p": pid})
        conn.execute(text("UPDATE petitions SET notice_no = '99-TB/ĐU' WHERE id = :p"), {"p": pid})
    found = _found(_report(org), cases["A"])
    assert (cases["A"], "event_altered") in found and (cases["A"], "head_forged") in found


def test_deleting_a_petitions_last_events_is_detected(org, cases):
    _sql(org, "DELETE FROM events WHERE petition_id = :p AND seq > 1", p=_pid(org, cases["A"]))
    report = _report(org)
    assert (cases["A"], "events_truncated") in _found(report)
    assert any(cases["A"] in m and "các sự kiện cuối đã bị xoá" in m for m in _messages(report))
    assert any("its last events were deleted" in m for m in _messages(report, "en"))


def test_deleting_the_last_events_and_rewinding_the_head_needs_the_key(org, cases):
    pid = _pid(org, cases["A"])
    with org.begin() as conn:
        h = conn.execute(text("SELECT hash FROM events WHERE petition_id = :p AND seq = 1"), {"p": pid}).scalar()
        conn.execute(text("DELETE FROM events WHERE petition_id = :p AND seq > 1"), {"p": pid})
        conn.execute(text("UPDATE event_heads SET seq = 1, hash = :h WHERE petition_id = :p"), {"h": h, "p": pid})
    assert (cases["A"], "head_forged") in _found(_report(org))


def _delete_case(db, code, head=True, counter=False):
    pid = _pid(db, code)
    with db.begin() as conn:
        for sql in ("DELETE FROM inbox_items WHERE petition_id = :p", "DELETE FROM outbox WHERE petition_id = :p",
                    "DELETE FROM clock_journal WHERE clock_id IN (SELECT id FROM clocks WHERE petition_id = :p)",
                    "DELETE FROM clocks WHERE petition_id = :p", "DELETE FROM petitioners WHERE petition_id = :p",
                    "DELETE FROM events WHERE petition_id = :p", "DELETE FROM petitions WHERE id = :p"):
            conn.execute(text(sql), {"p": pid})
        if head:
            conn.execute(text("DELETE FROM event_heads WHERE petition_id = :p"), {"p": pid})
        if counter:  # the last code given, handed back so the numbering looks gapless
            conn.execute(text("UPDATE petition_counters SET last = last - 1"
                              " WHERE unit_id = (SELECT id FROM org_units WHERE code = 'C1') AND year = 2026"))


def test_deleting_a_whole_case_with_its_events_is_detected(org, cases):
    _delete_case(org, cases["A"])  # a code in the middle of the unit's numbering
    report = _report(org)
    assert (cases["A"], "case_missing") in _found(report)
    assert any("Unit C1: checkpoint #1" in m and "cases were deleted" in m for m in _messages(report, "en"))
    assert any(m.startswith(cases["A"]) and "đơn đã bị xoá" in m for m in _messages(report))


def test_deleting_the_newest_case_and_its_number_is_caught_by_the_checkpoint(org, cases):
    _delete_case(org, cases["Z"], counter=True)
    report = _report(org)
    assert (None, "cases_fewer") in _found(report) and (None, "events_fewer") in _found(report)
    assert any("Đơn vị C1: điểm kiểm chứng #1" in m and "có đơn đã bị xoá" in m for m in _messages(report))


def test_a_case_deleted_without_its_head_record_is_named(org, cases):
    _delete_case(org, cases["R"], head=False)
    assert (cases["R"], "case_deleted") in _found(_report(org))


def test_a_checkpoint_cannot_be_rewritten_without_the_key(org, cases):
    _delete_case(org, cases["Z"], counter=True)
    _sql(org, "UPDATE audit_checkpoints SET units = :u WHERE seq = 1", u='{}')
    assert (None, "checkpoint_broken") in _found(_report(org))


def test_editing_the_state_is_detected(org, cases):
    _sql(org, "UPDATE petitions SET state = 'closed' WHERE code = :c", c=cases["A"])
    found = _found(_report(org))
    assert {(cases["A"], "field_changed"), (cases["A"], "replay_state")} <= found
    assert any(cases["A"] in m and "petitions.state" in m and "closed" in m and "resolved" in m
               for m in _messages(_report(org)))


def test_editing_the_document_number_is_detected(org, cases):
    _sql(org, "UPDATE petitions SET document_no = '46/UBND' WHERE code = :c", c=cases["A"])
    report = _report(org)
    assert {(cases["A"], "field_changed"), (cases["A"], "replay_field")} <= _found(report)
    assert any("document_no" in m and "46/UBND" in m and "45/UBND" in m for m in _messages(report))


def test_editing_a_clocks_stop_date_to_its_due_date_is_detected(org, cases):
    with transaction(org) as s:
        c = s.scalar(select(Clock).join(Petition).where(Petition.code == cases["A"], Clock.name == "conclusion"))
        cid, due, stopped = c.id, c.due_date, c.stopped_on
    assert stopped != due
    _sql(org, "UPDATE clocks SET stopped_on = :d WHERE id = :id", d=due, id=cid)
    report = _report(org)
    assert {(cases["A"], "clock_field_changed"), (cases["A"], "replay_clock")} <= _found(report)
    assert any("clocks.stopped_on" in m and cases["A"] in m for m in _messages(report))
    assert any("stopped_on" in m and due.strftime("%d/%m/%Y") in m and stopped.strftime("%d/%m/%Y") in m
               for m in _messages(report, "en"))


def test_editing_a_running_clocks_due_date_is_detected(org, cases):
    _sql(org, "UPDATE clocks SET due_date = '2027-01-29' WHERE petition_id = :p", p=_pid(org, cases["R"]))
    assert {(cases["R"], "clock_field_changed"), (cases["R"], "replay_clock")} <= _found(_report(org))


def test_scope_limits_what_is_checked(org, cases):
    _sql(org, "UPDATE petitions SET state = 'closed' WHERE code = :c", c=cases["B"])  # in C2
    with transaction(org) as s:
        from engine.persistence.models import OrgUnit
        from engine.persistence.scope import subtree_ids
        c1 = subtree_ids(s, s.scalar(select(OrgUnit.id).where(OrgUnit.code == "C1")))
    assert _report(org, unit_ids=c1).ok
    assert (cases["B"], "replay_state") in _found(_report(org))


def test_chains_written_before_the_key_are_sealed_at_upgrade_and_then_protected(org, cases):
    """What migration 0006 does to a previous release's plain SHA-256 chains."""
    pid = _pid(org, cases["A"])
    with transaction(org) as s:  # make A's chain what the previous release wrote
        prev = eventlog.GENESIS
        for ev in s.scalars(select(Event).where(Event.petition_id == pid).order_by(Event.seq)):
            ev.prev_hash = prev
            ev.hash = prev = eventlog.legacy_hash(cases["A"], ev)
        s.flush()
        eventlog.seal(s, [pid], legacy=True)
    assert _report(org).ok
    with transaction(org) as s:  # and new work on it is keyed after the legacy part
        svc.act(s, svc.Context(now=LATER), cases["A"], "close", "clerk1", {}, on="2026-11-20")
    assert _report(org).ok, _messages(_report(org))
    with transaction(org) as s:  # an edit of a legacy event, plain chain recomputed: the keyed head catches it
        evs = list(s.scalars(select(Event).where(Event.petition_id == pid).order_by(Event.seq)))
        evs[0].actor = "mallory"
        evs[0].hash = eventlog.legacy_hash(cases["A"], evs[0])
        for a, b in zip(evs, evs[1:3]):
            b.prev_hash = a.hash
            b.hash = eventlog.legacy_hash(cases["A"], b)
    assert (cases["A"], "event_unlinked") in _found(_report(org))  # event 4 (keyed) no longer follows


def test_the_command_names_each_problem_in_the_operators_language_and_fails(org, cases):
    import json
    _sql(org, "UPDATE petitions SET document_no = '46/UBND' WHERE code = :c", c=cases["A"])
    env = dict(os.environ, DATABASE_URL=org.url.render_as_string(hide_password=False), PETITIONS_LANG="vi")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "engine", "petition", "verify-log", *args], capture_output=True,
                              text=True, env=env, timeout=120)
    r = run()
    assert r.returncode == 1 and f"{cases['A']}: petitions.document_no đã bị sửa ngoài ứng dụng" in r.stderr
    assert "phát hiện" in r.stdout
    r = run("--lang", "en", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["ok"] is False and out["checked"] == 4
    assert {(f["code"], f["problem"]) for f in out["findings"]} >= {(cases["A"], "field_changed"), (cases["A"], "replay_field")}
    assert any("was changed outside the application" in m for m in out["problems"])
    assert run("--unit", "C2").returncode == 0  # another unit's cases are intact


def test_new_calendar_data_moving_a_deadline_is_not_taken_for_tampering(org, ctx, tmp_path):
    """Re-projection changes clocks without an event: it re-seals their heads, and the replay
    follows the clock journal; the tick then writes a checkpoint."""
    from datetime import date

    from config import Settings
    from engine.deadlines.calendar import WorkingCalendar, load_decisions
    from engine.scheduler.tick import tick
    with transaction(org) as s:
        code = svc.add_petition(s, ctx, "C1", "Đang chạy", received_on=date(2026, 2, 6)).code
    tick(org, datetime(2026, 2, 10, 1, tzinfo=timezone.utc))
    extra = tmp_path / "extra.toml"
    extra.write_text('[[day_off]]\ndate = 2026-02-25\nname = "Nghỉ đột xuất"\nsource = "QĐ thử 1/2026"\n', encoding="utf-8")
    res = tick(org, datetime(2026, 2, 11, 1, tzinfo=timezone.utc),
               cal=WorkingCalendar(load_decisions(Settings().calendar_paths + [extra])))
    assert res.reprojected == 1
    report = _report(org)
    assert report.ok, _messages(report)
    assert report.checkpoint["seq"] == 1
    _sql(org, "UPDATE clocks SET due_date = '2026-02-27' WHERE petition_id = :p", p=_pid(org, code))  # moved back by hand
    assert {(code, "clock_field_changed"), (code, "replay_clock")} <= _found(_report(org))


def test_sealing_more_petitions_than_a_statement_takes_parameters(org):
    """One bound parameter per id: PostgreSQL takes 65,535 in a statement, SQLite 32,766. Sealing
    66,000 petitions at once (an import, a reorganisation, the upgrade to keyed heads) works."""
    from datetime import date

    from sqlalchemy import func, insert

    from engine.persistence.models import EventHead, OrgUnit
    n = 66_000  # just past PostgreSQL's 65,535
    now = datetime(2026, 11, 20, tzinfo=timezone.utc)
    with transaction(org) as s:
        unit = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "C1"))
        s.execute(insert(Petition), [dict(id=i, code=f"KN-BULK-{i:06d}", unit_id=unit, received_on=date(2026, 1, 5),
                                          received_at=now, summary="đơn", state="received", version=1,
                                          reopen_count=0, search_text="", created_at=now, updated_at=now)
                                     for i in range(1, n + 1)])
    with transaction(org) as s:
        eventlog.seal(s, range(1, n + 1), at=now)
    with transaction(org) as s:
        assert s.scalar(select(func.count()).select_from(EventHead)) == n
