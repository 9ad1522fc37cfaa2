"""Reports kept between requests are never older than the last write (issue 20).

The data version (engine/persistence/versions.py) moves with every committed write that is
not a delivery or access log; kept reports (engine/reports/cache.py) are filed under it.
The sweep below interleaves random writes through the real services — petitions received
and acted on (backdated too), sessions, a unit renamed, a calendar decision re-projecting
the clocks, ticks — with the four kept reports, and after every step each kept report must
equal the same report computed afresh. A write that escaped the version would serve the
previous step's result: the test counts the steps that changed a report, so it cannot pass
on steps that change nothing.
"""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, text, update

import engine.reports.cache as cache_mod
from engine.language.errors import DomainError
from engine.persistence import versions
from engine.persistence.db import transaction
from engine.persistence.models import Clock, InboxItem, Petition, User
from engine.reports.appendix2 import appendix2
from engine.reports.cache import ReportCache, kept_call
from engine.reports.compliance import compliance_report
from engine.reports.letters import letters_report
from engine.reports.ontime import ontime_report
from engine.scheduler.tick import tick
from engine.services import petitions as svc
from engine.services.calendar_decisions import add_decision
from engine.services.sessions import add_session
from engine.services.unit_admin import rename_unit

TODAY = date(2026, 4, 30)
PARAMS = {"conclude": {"notice_no": "1/TB", "department": None}, "answer_at_meeting": {"note": "đã trả lời"},
          "resolve": {"document_no": "2/UBND"}, "reopen": {"reason": "còn kiến nghị"},
          "escalate": {"reason": "vượt thẩm quyền"}, "refer": {"agency": "Tòa án"}, "close": {},
          "extend": {"days": 5, "reason": "phức tạp"}}
DEPARTMENT = {"C1": "C1-D1", "C2": "C2-D1", "P": "P-D"}


def version(engine) -> int:
    with transaction(engine) as s:
        return versions.data_version(s)


# -- the version itself ----------------------------------------------------------------------

@pytest.mark.parametrize("statement,table", [
    ("INSERT INTO petitions (id) VALUES (1)", "petitions"),
    ('UPDATE "clocks" SET due_date = NULL', "clocks"),
    ("  delete from events where id = 1", "events"),
    ("WITH x AS (SELECT id FROM clocks WHERE (a) = (b)) UPDATE clocks SET y = 1 FROM x", "clocks"),
    ("COPY petitions (id) FROM STDIN", "petitions"),
    ("TRUNCATE TABLE letters", "letters"),
    ("SELECT id FROM clocks WHERE id IN (1) FOR UPDATE SKIP LOCKED", None),
    ("WITH x AS (SELECT id FROM clocks) SELECT * FROM x ORDER BY id FOR UPDATE", None),
    ("SELECT version FROM data_versions", None),
])
def test_written_table_reads_the_statement(statement, table):
    assert versions.written_table(statement) == table


def test_every_committed_write_moves_the_version_and_nothing_else_does(org, ctx):
    v = version(org)

    def step() -> int:
        nonlocal v
        before, v = v, version(org)
        return v - before
    with transaction(org) as s:  # a read
        s.scalars(select(Petition)).all()
    assert step() == 0
    with transaction(org) as s:  # an ORM write: one transaction, one step, however many rows it wrote
        svc.add_petition(s, ctx, "C1", "đơn thử", received_on=date(2026, 1, 5))
    assert step() == 1
    with pytest.raises(RuntimeError), transaction(org) as s:  # a write rolled back moves nothing
        s.execute(update(Petition).values(summary="khác"))
        raise RuntimeError
    assert step() == 0
    with org.begin() as conn:  # Core, no ORM
        conn.execute(text("UPDATE petitions SET summary = 'khác nữa'"))
    assert step() == 1
    if org.dialect.name == "postgresql":  # SQLite's engine always opens BEGIN IMMEDIATE: no autocommit there
        with org.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("UPDATE petitions SET summary = 'lần ba'"))
        assert step() == 1
    with transaction(org) as s:  # a delivery log is not data a report reads
        user = s.scalar(select(User).where(User.username == "dept1"))
        s.execute(insert(InboxItem).values(user_id=user.id, kind="reminder", title="t", body="b",
                                           created_at=datetime(2026, 1, 5, tzinfo=timezone.utc)))
    assert step() == 0
    with transaction(org) as s:  # nor is the next reminder the tick moves (the statement says so)
        s.execute(update(Clock).values(next_rung=None).execution_options(data_neutral=True))
    assert step() == 0
    with transaction(org) as s:  # the same column without the word is a write like any other
        s.execute(update(Clock).values(next_rung=None))
    assert step() == 1


def test_a_kept_result_is_served_until_a_write(org, ctx):
    kept = ReportCache()
    calls = []

    def build():
        calls.append(1)
        return len(calls)
    with transaction(org) as s:
        assert kept.get(s, "k", build) == 1
        assert kept.get(s, "k", build) == 1  # the same version: kept
    with transaction(org) as s:
        svc.add_petition(s, ctx, "C1", "đơn thử", received_on=date(2026, 1, 5))
    with transaction(org) as s:
        assert kept.get(s, "k", build) == 2  # a write since: computed again
    assert (kept.hits, kept.misses) == (1, 2)
    assert ReportCache(max_age=0).get(None, "k", build) == 3  # REPORT_CACHE_SECONDS=0 keeps nothing


# -- the sweep -------------------------------------------------------------------------------

REPORTS = [
    (ontime_report, ("P", date(2026, 1, 1), date(2026, 4, 30)), {"by": "unit", "today": TODAY, "lang": "vi"}),
    (ontime_report, ("C1", date(2026, 1, 1), date(2026, 3, 31)), {"today": TODAY, "lang": "en"}),
    (appendix2, ("P", date(2026, 1, 1), date(2026, 3, 31)), {"by_unit": True}),
    (appendix2, ("P", date(2026, 1, 1), date(2026, 6, 30)), {"chairs": "all"}),
    (compliance_report, ("P", date(2026, 1, 1), date(2026, 3, 31)), {"as_of": TODAY, "lang": "vi"}),
    (letters_report, ("P", date(2026, 1, 1), date(2026, 4, 30)), {"lang": "vi"}),
]


def _figures(rep):
    return rep.to_dict() if hasattr(rep, "to_dict") else repr(rep)


def at(ctx, d: date):
    return replace(ctx, now=datetime(d.year, d.month, d.day, 3, 0, tzinfo=timezone.utc))


@pytest.mark.parametrize("seed", [5, 17])
def test_kept_reports_equal_a_fresh_count_after_every_write(org, ctx, seed):
    rng = random.Random(seed)
    kept = cache_mod.cache_for(org)  # a new engine, a new cache
    codes: list[str] = []
    sessions: dict[str, list[int]] = {"C1": [], "C2": []}
    last = [None] * len(REPORTS)
    changed = steps = 0
    day = date(2026, 1, 2)
    for step in range(70):
        day += timedelta(days=rng.randrange(0, 2))
        op = rng.choice(["add"] * 4 + ["act"] * 5 + ["session", "rename", "tick", "tick", "decision"])
        try:
            if op == "add":
                unit = rng.choice(("C1", "C2", "P"))
                with transaction(org) as s:
                    codes.append(svc.add_petition(
                        s, at(ctx, day), unit, f"đơn {step}", received_on=day,
                        session_id=rng.choice(sessions[unit]) if sessions.get(unit) and rng.random() < 0.5 else None,
                        category=rng.choice(("other", "land")), group_size=6 if rng.random() < 0.2 else None).code)
            elif op == "act" and codes:
                target, action = rng.choice(codes), rng.choice(tuple(PARAMS))
                params = dict(PARAMS[action])
                with transaction(org) as s:
                    if "department" in params:
                        params["department"] = DEPARTMENT[s.scalar(select(Petition).where(Petition.code == target)).unit.code]
                    on = day - timedelta(days=rng.choice((0, 0, 3)))  # some recorded days later
                    result = svc.act(s, at(ctx, day), target, action, "admin", params, on=max(on, date(2026, 1, 2)))
                    if result.created is not None:
                        codes.append(result.created.code)
            elif op == "session":
                unit = rng.choice(("C1", "C2"))
                with transaction(org) as s:
                    sessions[unit].append(add_session(s, unit, rng.choice(("dialogue_periodic", "reception_periodic")),
                                                      day, people=3, chair_role="party_secretary").id)
            elif op == "rename":
                with transaction(org) as s:
                    admin = s.scalar(select(User).where(User.username == "admin"))
                    rename_unit(s, admin, rng.choice(("C1", "C2")), f"Xã đổi tên {step}",
                                datetime(2026, 1, 5, tzinfo=timezone.utc))
            elif op == "tick":
                tick(org, now=datetime(day.year, day.month, day.day, 1, 0, tzinfo=timezone.utc))
            elif op == "decision":
                off = day + timedelta(days=rng.randrange(3, 20))
                while off.weekday() >= 5:
                    off += timedelta(days=1)
                with transaction(org) as s:
                    admin = s.scalar(select(User).where(User.username == "admin"))
                    add_decision(s, admin, {"kind": "day_off", "day": off.isoformat(), "name": "Nghỉ thử",
                                            "source_no": f"{step}/QĐ", "source_on": day.isoformat()},
                                 datetime(day.year, day.month, day.day, 2, 0, tzinfo=timezone.utc))
        except DomainError:
            pass  # not allowed from this state: nothing changed, and the reports must say so too
        steps += 1
        with transaction(org) as s:
            for i, (report, args, kwargs) in enumerate(REPORTS):
                served = _figures(kept_call(s, report, *args, **kwargs))
                fresh = _figures(report(s, *args, **kwargs))
                assert served == fresh, (seed, step, op, report.__name__, args)
                changed += last[i] is not None and fresh != last[i]
                last[i] = fresh
    assert changed >= 20, changed  # the writes did change the reports, many times
    assert kept.hits >= 10, kept.hits  # and results were kept where nothing had moved

