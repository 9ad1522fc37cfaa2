"""Issue 20: re-projection in committed batches, on SQLite and PostgreSQL.

* Random clocks (triggers across 2019–2027: Tết, swapped Saturdays, compensatory days;
  working- and calendar-day periods; extended clocks; clocks continued after a suspension;
  stopped, paused and already current ones) end exactly where an independent recount puts
  them: the ORM loop the engine had before, run on copies with `due_after` and
  `schedule_ladder`; one journal row per moved clock; the heads re-sealed (verification finds
  nothing about the sealed state).
* A process killed with SIGKILL between two batches, or inside one, then a rerun (at a later
  instant) ends with exactly the tables of an uninterrupted run.
* A calendar decision's preview counts what its save moves, when the save needs several
  batches (the first in the decision's transaction, the rest after it commits).
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import bindparam, delete, select, update

from config import Settings
from engine.deadlines.calendar import WorkingCalendar, default_calendar, load_decisions
from engine.deadlines.clocks import due_after, schedule_ladder
from engine.deadlines.params import load_params
from engine.deadlines.timeutil import end_of_day
from engine.persistence import eventlog
from engine.persistence.db import transaction
from engine.persistence.models import Clock, ClockJournal, ClockSuspension, EventHead, ReprojectionBatch
from engine.services import petitions as svc
from engine.services import reprojection

AT = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
LADDER = load_params().ladder
EXTRA = """
[[day_off]]
date = 2020-03-10
name = "Nghỉ thử 1"
source = "QĐ thử 1/2020"

[[day_off]]
date = 2023-06-15
name = "Nghỉ thử 2"
source = "QĐ thử 2/2023"

[[day_off]]
date = 2026-02-25
name = "Nghỉ thử 3"
source = "QĐ thử 3/2026"

[[day_off]]
date = 2026-11-27
name = "Nghỉ thử 4"
source = "QĐ thử 4/2026"

[[working_day]]
date = 2025-10-11
name = "Làm bù thử"
source = "QĐ thử 5/2025"
"""
DECIDED = [date(2020, 3, 10), date(2023, 6, 15), date(2026, 2, 25), date(2026, 11, 27), date(2025, 10, 11)]
SEAL_FINDINGS = {"field_changed", "clocks_changed", "clock_field_changed", "head_forged", "head_other_key",
                 "head_missing", "events_truncated", "events_after_head"}


@pytest.fixture
def extra(tmp_path) -> Path:
    path = tmp_path / "extra.toml"
    path.write_text(EXTRA, encoding="utf-8")
    return path


def new_calendar(extra: Path) -> WorkingCalendar:
    return WorkingCalendar(load_decisions(Settings().calendar_paths + [extra]))


def random_clocks(engine, ctx, n: int, seed: int, new: WorkingCalendar) -> None:
    """`n` cases whose clock is set to a random state counted with today's calendar, then sealed."""
    old, rng = default_calendar(), random.Random(seed)
    with transaction(engine) as s:
        pids = []
        for i in range(n):
            p = svc.add_petition(s, ctx, rng.choice(["C1", "C2"]), f"Việc {i}", received_on="2026-11-16")
            pids.append(p.id)
            c = p.clock("conclusion")
            if rng.random() < 0.6:  # shortly before a new day off or the new working Saturday: it moves
                c.trigger_on = rng.choice(DECIDED) - timedelta(days=rng.randrange(1, 70))
            else:
                c.trigger_on = date(2019, 1, 1) + timedelta(days=rng.randrange(9 * 365))
            c.rule_days, c.working = rng.choice([0, 1, 3, 5, 10, 15, 30, 45, 60, 90]), rng.random() < 0.7
            cal = new if rng.random() < 0.05 else old  # some are counted with the new calendar already
            c.calendar_version = cal.version
            due = c.original_due_date = due_after(cal, c.trigger_on, c.rule_days, c.working)
            kind = rng.random()
            if kind < 0.15:  # extended to a date a leader decided
                c.extended_due_date = old.next_working_day(due + timedelta(days=rng.randrange(5, 40)))
                c.extensions, due = 1, c.extended_due_date
            elif kind < 0.25:  # continued after a suspension: trigger + period no longer
                s.add(ClockSuspension(clock_id=c.id, reason="Chờ", document="CV1", from_on=c.trigger_on,
                                      to_on=c.trigger_on + timedelta(days=4), mode="continue", due_before=due,
                                      due_after=due + timedelta(days=4), at=AT))
                due = old.add_days(due, 4)
            c.due_date, c.deadline_at = due, end_of_day(due)
            c.provisional = bool(cal.provisional_years(c.trigger_on, due))
            c.version = rng.randrange(1, 4)
            schedule_ladder(c, cal, LADDER, AT - timedelta(days=rng.randrange(40)))
            if 0.25 <= kind < 0.35:
                c.status, c.stopped_on, c.next_rung, c.next_rung_at = "met", c.trigger_on, None, None
            elif 0.35 <= kind < 0.40:
                c.status, c.next_rung, c.next_rung_at = "paused", None, None
        s.flush()
        eventlog.seal(s, pids, at=AT)


def recount(engine, cal: WorkingCalendar, at: datetime) -> tuple[dict, dict]:
    """The expected clocks and journal: the loop of engine/services/clocks.py before issue 20, on copies."""
    cols = [c.name for c in Clock.__table__.columns]
    with transaction(engine) as s:
        rows = {r.id: SimpleNamespace(**r._mapping) for r in s.execute(select(*Clock.__table__.columns))}
        continued = set(s.scalars(select(ClockSuspension.clock_id).where(ClockSuspension.mode == "continue")))
    journal = {}
    for clock in rows.values():
        if clock.status != "running" or clock.calendar_version == cal.version:
            continue
        if clock.id in continued:
            clock.calendar_version = cal.version
            continue
        new_original = due_after(cal, clock.trigger_on, clock.rule_days, clock.working)
        old_due = clock.due_date
        clock.original_due_date = new_original
        if clock.extended_due_date is None:
            clock.due_date = new_original
            clock.deadline_at = end_of_day(new_original)
        clock.provisional = bool(cal.provisional_years(clock.trigger_on, clock.due_date))
        old_version = clock.calendar_version
        clock.calendar_version = cal.version
        if clock.due_date != old_due:
            clock.version += 1
            schedule_ladder(clock, cal, LADDER, at)
            journal[clock.id] = (old_due, clock.due_date, "calendar_change", f"calendar {old_version} → {cal.version}",
                                 cal.version, at)
    return {cid: tuple(getattr(c, k) for k in cols) for cid, c in rows.items()}, journal


def tables(engine) -> tuple[dict, dict, dict]:
    """Clocks, journal (by clock, without its id) and heads as they are."""
    with transaction(engine) as s:
        clocks = {r.id: tuple(r) for r in s.execute(select(*Clock.__table__.columns))}
        journal = {}
        for j in s.scalars(select(ClockJournal).where(ClockJournal.cause == "calendar_change")):
            assert j.clock_id not in journal, "one journal row per moved clock"
            journal[j.clock_id] = (j.old_due, j.new_due, j.cause, j.detail, j.calendar_version, j.at)
        heads = {r.petition_id: tuple(r) for r in s.execute(select(*EventHead.__table__.columns))}
    return clocks, journal, heads


def seal_findings(engine) -> set:
    with transaction(engine) as s:
        return {(f.code, f.what) for f in eventlog.verify_all(s).findings if f.what in SEAL_FINDINGS}


def test_random_clocks_end_where_the_calendar_counts_them(org, ctx, extra):
    new = new_calendar(extra)
    random_clocks(org, ctx, 80, seed=20, new=new)
    assert seal_findings(org) == set()
    expected_clocks, expected_journal = recount(org, new, AT)
    with transaction(org) as s:
        stale = len(s.scalars(select(Clock.id).where(Clock.status == "running",
                                                     Clock.calendar_version != new.version)).all())
    out = reprojection.run(org, new, LADDER, AT, size=7)  # a dozen batches
    clocks, journal, _ = tables(org)
    assert clocks == expected_clocks
    assert journal == expected_journal and out.moved == len(journal) > 10 and out.looked == stale
    assert seal_findings(org) == set()  # every touched head re-sealed with the new dates
    with transaction(org) as s:
        rows = s.scalars(select(ReprojectionBatch).order_by(ReprojectionBatch.id)).all()
    assert [r.batch for r in rows] == list(range(1, len(rows) + 1)) and rows[-1].done and len(rows) >= 10
    assert sum(r.moved for r in rows) == out.moved and {r.at for r in rows} == {AT}
    # nothing is left for a second run, and the tick's figure would be 0
    assert reprojection.run(org, new, LADDER, AT + timedelta(hours=1)).moved == 0
    assert tables(org)[1] == journal


CHILD = textwrap.dedent("""
    import os, signal, sys
    from datetime import datetime, timezone
    from pathlib import Path
    from config import Settings
    from engine.deadlines.calendar import WorkingCalendar, load_decisions
    from engine.deadlines.params import load_params
    from engine.persistence import eventlog
    from engine.persistence.db import make_engine
    from engine.services import reprojection
    url, extra, mode, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    cal = WorkingCalendar(load_decisions(Settings().calendar_paths + [Path(extra)]))
    seen = {"batches": 0, "seals": 0}
    def after(row):
        seen["batches"] += 1
        if mode == "between" and seen["batches"] == n:
            os.kill(os.getpid(), signal.SIGKILL)
    real = eventlog.reseal
    def reseal(*a, **k):
        out = real(*a, **k)
        seen["seals"] += 1
        if mode == "inside" and seen["seals"] == n:  # the batch's writes are done, not committed
            os.kill(os.getpid(), signal.SIGKILL)
        return out
    eventlog.reseal = reseal
    reprojection.run(make_engine(url), cal, load_params().ladder, datetime(2026, 11, 20, 3, tzinfo=timezone.utc),
                     size=5, on_batch=after)
    print("finished")
""")


def restore(engine, snapshot) -> None:
    clocks, _, heads = snapshot
    C, H = Clock.__table__, EventHead.__table__
    with transaction(engine) as s:
        s.execute(delete(ClockJournal))
        s.execute(delete(ReprojectionBatch))
        for table, rows, pk in ((C, clocks, "id"), (H, heads, "petition_id")):
            names = [c.name for c in table.columns]
            s.connection().execute(update(table).where(table.c[pk] == bindparam("_pk"))
                                   .values({n: bindparam(n) for n in names if n != pk}),
                                   [dict(zip(names, r), _pk=r[names.index(pk)]) for r in rows.values()])


def test_killed_then_rerun_ends_as_an_uninterrupted_run(org, ctx, extra):
    new = new_calendar(extra)
    random_clocks(org, ctx, 45, seed=9, new=new)
    before = tables(org)
    uninterrupted = reprojection.run(org, new, LADDER, AT, size=5)
    assert uninterrupted.batches >= 6 and uninterrupted.moved >= 5
    expected = tables(org)
    root = Path(__file__).resolve().parents[2]
    url = org.url.render_as_string(hide_password=False)
    for mode, n in (("between", 3), ("inside", 4)):
        restore(org, before)
        assert tables(org) == before
        r = subprocess.run([sys.executable, "-c", CHILD, url, str(extra), mode, str(n)], cwd=root, capture_output=True,
                           text=True, timeout=300, env=dict(os.environ))
        assert r.returncode == -9 and "finished" not in r.stdout, r.stderr
        with transaction(org) as s:
            done = s.scalars(select(ReprojectionBatch).order_by(ReprojectionBatch.id)).all()
        assert len(done) == 3 and not done[-1].done  # killed after batch 3, or inside batch 4 (uncommitted)
        assert tables(org) != expected  # cut short: some clocks still counted with the old calendar
        later = AT + timedelta(days=3)  # the rerun keeps the first run's instant
        resumed = reprojection.run(org, new, LADDER, later, size=5)
        assert resumed.resumed and resumed.at == AT and resumed.moved == uninterrupted.moved
        assert tables(org) == expected, mode


def test_preview_counts_what_a_save_in_several_batches_moves(org, ctx, monkeypatch):
    from engine.persistence.models import User
    from engine.services import calendar_decisions as cds
    monkeypatch.setattr(reprojection, "BATCH", 3)
    with transaction(org) as s:
        for i in range(14):
            svc.add_petition(s, ctx, "C1" if i % 2 else "C2", f"Việc {i}", received_on=date(2026, 11, 6) + timedelta(i))
        admin = s.scalar(select(User).where(User.username == "admin"))
    raw = {"kind": "day_off", "day": "27/11/2026", "name": "Nghỉ thử", "source_no": "1/TB", "source_on": "10/11/2026"}
    preview = cds.preview_decision(org, admin, raw, ctx.now)
    with transaction(org) as s:
        assert s.scalar(select(ClockJournal.id).limit(1)) is None  # the preview moved nothing
        saved = cds.add_decision(s, s.get(User, admin.id), raw, ctx.now)
        assert len(s.scalars(select(ClockJournal)).all()) <= 3  # the first batch only, so far
    assert preview.moved == saved.moved == len(preview.moves) > 3
    assert [(m.code, m.old_due, m.new_due) for m in preview.moves] == [(m.code, m.old_due, m.new_due)
                                                                        for m in saved.moves]
    with transaction(org) as s:  # the rest ran once the decision was committed
        cal = cds.current_calendar(s)
        journal = s.scalars(select(ClockJournal)).all()
        assert len(journal) == saved.moved and {j.at for j in journal} == {ctx.now}
        for c in s.scalars(select(Clock).where(Clock.status == "running")):
            assert c.calendar_version == cal.version
            assert c.due_date == due_after(cal, c.trigger_on, c.rule_days, c.working)
        assert s.scalars(select(ReprojectionBatch).order_by(ReprojectionBatch.id.desc())).first().done
