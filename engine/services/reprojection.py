"""Re-projection of running clocks after calendar data changes (issue 20), set-based and in
committed batches.

A national decision (a new day off) moves every running clock in the country: the ORM loop
that did it in one transaction took 5 minutes and 8 GB at 1,000,000 clocks. Here:

* **The arithmetic is the calendar's own.** A new due date depends only on (trigger, period,
  working or calendar days) and the reminder rung only on the new due date (the run has one
  instant): each distinct key is computed once in Python with `due_after` and
  `schedule_ladder` into a temporary table, and the rows are moved by joins on it — a few
  hundred keys for a million clocks, so the result is `WorkingCalendar`'s by construction.
* **Batches that each commit** (`run`): the next `batch` stale running clocks by id are
  locked (FOR UPDATE on PostgreSQL; SQLite's write lock), journaled (`clock_journal`, cause
  calendar_change, one row per moved clock), moved, their petitions' heads re-sealed
  (`eventlog.reseal`), and a `reprojection_batches` row records the last clock id done and the
  run's instant. The tick's rung claims skip locked clocks for one batch at most.
* **Resumable.** A run whose newest row is not `done` is continued from its last clock id
  with its own instant, so a crash (kill -9) and a rerun end exactly as an uninterrupted run:
  same journal, same rungs, same seals. Every batch re-selects only clocks still counted with
  another calendar, so a batch that died uncommitted is simply done again.
* **The plan** (`plan`) counts and lists what a run would move with the same temporary table
  and the same predicate, read-only: the calendar decision's preview and its
  `deadlines_moved`.

What is kept as before: an extension a leader decided as a date keeps its due date (its
original date is recounted); a clock that continued after a suspension keeps its due date
(it is the period moved by the days it lasted, not trigger + period) and only takes the new
calendar version; `version` goes up when the due date moves (old rungs are not resent). Heads
are re-sealed for the petitions whose sealed state changes (a clock's original or due date);
the others' sealed state is what it was.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (Boolean, Column, Date, Integer, MetaData, String, Table, and_, case, exists, func, insert,
                        literal, or_, select, text, update)
from sqlalchemy.engine import Connection, Engine

from engine.deadlines.calendar import WorkingCalendar
from engine.deadlines.clocks import due_after, schedule_ladder
from engine.deadlines.params import Ladder
from engine.deadlines.timeutil import end_of_day, utcnow
from engine.persistence import eventlog
from engine.persistence.db import UTCDateTime
from engine.persistence.models import Clock, ClockJournal, ClockSuspension, ReprojectionBatch

log = logging.getLogger("petitions.reprojection")

# Clocks per committed batch: ~1 s of work at the measured rate, so the tick's claims (FOR
# UPDATE SKIP LOCKED) never wait long for a locked clock, and memory stays flat.
BATCH = 20_000
# A run's batches are serialized between processes (the tick and a decision's save) by this
# transaction-level advisory lock on PostgreSQL; SQLite's write lock does it there.
_LOCK_KEY = 0x5245_5052  # "REPR"

C, J, S, R = Clock.__table__, ClockJournal.__table__, ClockSuspension.__table__, ReprojectionBatch.__table__
_meta = MetaData()
# (trigger, period, unit) -> the new due date, its deadline and its first rung after the run's instant
MAP = Table("reproj_map", _meta, Column("trigger_on", Date), Column("rule_days", Integer), Column("working", Boolean),
            Column("new_due", Date), Column("deadline_at", UTCDateTime()), Column("rung", String),
            Column("rung_at", UTCDateTime()), Column("provisional", Boolean))
MAP_TYPES = {"trigger_on": "date", "rule_days": "integer", "working": "boolean", "new_due": "date",
             "deadline_at": "timestamptz", "rung": "varchar", "rung_at": "timestamptz", "provisional": "boolean"}
# an extended clock keeps its due date: its provisional flag is counted on that date
EXT = Table("reproj_ext", _meta, Column("trigger_on", Date), Column("due_date", Date), Column("provisional", Boolean))
EXT_TYPES = {"trigger_on": "date", "due_date": "date", "provisional": "boolean"}
# the clocks of the current batch, locked; `kept`: continued after a suspension
BATCH_T = Table("reproj_batch", _meta, Column("id", Integer), Column("petition_id", Integer), Column("kept", Boolean))
BATCH_TYPES = {"id": "integer", "petition_id": "integer", "kept": "boolean"}
TOUCHED = Table("reproj_touched", _meta, Column("petition_id", Integer))
TOUCHED_TYPES = {"petition_id": "integer"}

_KEY = and_(MAP.c.trigger_on == C.c.trigger_on, MAP.c.rule_days == C.c.rule_days, MAP.c.working == C.c.working)
_MOVES = and_(C.c.extended_due_date.is_(None), C.c.due_date != MAP.c.new_due)  # the due date moves: journaled
_CHANGES = or_(_MOVES, C.c.original_due_date != MAP.c.new_due)  # the sealed state changes: re-sealed


def _stale(version: str):
    return and_(C.c.status == "running", C.c.calendar_version != version)


def _kept():
    return exists().where(S.c.clock_id == C.c.id, S.c.mode == "continue")


class _Stub:
    """What `schedule_ladder` reads and sets, for one due date."""
    def __init__(self, due: date):
        self.due_date, self.next_rung, self.next_rung_at = due, None, None


def _prepare(conn: Connection) -> None:
    for table, types in ((MAP, MAP_TYPES), (EXT, EXT_TYPES), (BATCH_T, BATCH_TYPES), (TOUCHED, TOUCHED_TYPES)):
        eventlog.temp_table(conn, table, types)


def _fill_map(conn: Connection, cal: WorkingCalendar, ladder: Ladder, at: datetime, among) -> None:
    """Compute the keys of the clocks selected by `among` (a where clause on clocks) that the
    map does not hold yet: the calendar's own `due_after`, `end_of_day`, `schedule_ladder`."""
    keys = conn.execute(select(C.c.trigger_on, C.c.rule_days, C.c.working).distinct()
                        .where(among, ~exists().where(_KEY))).all()
    rows = []
    for trigger_on, days, working in keys:
        due = due_after(cal, trigger_on, days, working)
        stub = _Stub(due)
        schedule_ladder(stub, cal, ladder, at)
        rows.append({"trigger_on": trigger_on, "rule_days": days, "working": working, "new_due": due,
                     "deadline_at": end_of_day(due), "rung": stub.next_rung, "rung_at": stub.next_rung_at,
                     "provisional": bool(cal.provisional_years(trigger_on, due))})
    if rows:
        conn.execute(MAP.insert(), rows)
    ext = conn.execute(select(C.c.trigger_on, C.c.due_date).distinct()
                       .where(among, C.c.extended_due_date.is_not(None),
                              ~exists().where(EXT.c.trigger_on == C.c.trigger_on, EXT.c.due_date == C.c.due_date))).all()
    if ext:
        conn.execute(EXT.insert(), [{"trigger_on": t, "due_date": d, "provisional": bool(cal.provisional_years(t, d))}
                                    for t, d in ext])


@dataclass
class Plan:
    looked: int        # running clocks counted with another calendar
    moved: int         # due dates that move (journal rows a run writes)
    moves: list[tuple[int, date, date]]  # (clock id, old, new), by clock id, at most `limit`


def plan(conn: Connection, cal: WorkingCalendar, ladder: Ladder, at: datetime, limit: int | None = None) -> Plan:
    """What `run` would do now, read-only on the tables (the temporary map aside): the same
    map and the same predicate as the journal rows it writes."""
    _prepare(conn)
    stale = _stale(cal.version)
    _fill_map(conn, cal, ladder, at, and_(stale, ~_kept()))
    looked = conn.scalar(select(func.count()).select_from(C).where(stale))
    moving = and_(stale, ~_kept(), _MOVES)
    moved = conn.scalar(select(func.count()).select_from(C).join(MAP, _KEY).where(moving))
    q = select(C.c.id, C.c.due_date, MAP.c.new_due).join(MAP, _KEY).where(moving).order_by(C.c.id)
    moves = [tuple(r) for r in conn.execute(q if limit is None else q.limit(limit))]
    return Plan(looked, moved, moves)


def _batch(conn: Connection, cal: WorkingCalendar, ladder: Ladder, at: datetime, after_id: int, size: int,
           key: bytes | None) -> tuple[int, int, int, int]:
    """One batch: (clocks taken, last clock id, due dates moved, petitions re-sealed)."""
    v = cal.version
    pick = (select(C.c.id, C.c.petition_id, _kept()).where(_stale(v), C.c.id > after_id)
            .order_by(C.c.id).limit(size))
    if conn.dialect.name == "postgresql":
        pick = pick.with_for_update(of=C)  # a user's action on one of them waits; the tick skips them
    conn.execute(insert(BATCH_T).from_select(["id", "petition_id", "kept"], pick))
    taken, last = conn.execute(select(func.count(), func.max(BATCH_T.c.id))).one()
    if not taken:
        return 0, after_id, 0, 0
    # the id range first: the batch's clocks are read through the primary key, not a scan
    span = and_(C.c.id > after_id, C.c.id <= last)
    mine = and_(span, C.c.id == BATCH_T.c.id, BATCH_T.c.kept.is_(False))
    in_batch = and_(span, exists().where(BATCH_T.c.id == C.c.id, BATCH_T.c.kept.is_(False)))
    _fill_map(conn, cal, ladder, at, in_batch)
    # whose sealed state changes, read before the clocks move
    conn.execute(insert(TOUCHED).from_select(
        ["petition_id"], select(C.c.petition_id).distinct().join(MAP, _KEY).where(in_batch, _CHANGES)))
    moved = conn.execute(insert(J).from_select(
        ["clock_id", "at", "old_due", "new_due", "cause", "detail", "calendar_version"],
        select(C.c.id, literal(at, UTCDateTime()), C.c.due_date, MAP.c.new_due, literal("calendar_change"),
               literal("calendar ") + C.c.calendar_version + literal(f" → {v}"), literal(v))
        .join(MAP, _KEY).where(in_batch, _MOVES).order_by(C.c.id)),
        execution_options={"preserve_rowcount": True}).rowcount
    ext_prov = (select(EXT.c.provisional).where(EXT.c.trigger_on == C.c.trigger_on, EXT.c.due_date == C.c.due_date)
                .scalar_subquery())
    conn.execute(update(C).where(mine, _KEY).values(
        original_due_date=MAP.c.new_due,
        due_date=case((C.c.extended_due_date.is_(None), MAP.c.new_due), else_=C.c.due_date),
        deadline_at=case((C.c.extended_due_date.is_(None), MAP.c.deadline_at), else_=C.c.deadline_at),
        provisional=case((C.c.extended_due_date.is_(None), MAP.c.provisional), else_=ext_prov),
        version=C.c.version + case((_MOVES, 1), else_=0),
        next_rung=case((_MOVES, MAP.c.rung), else_=C.c.next_rung),
        next_rung_at=case((_MOVES, MAP.c.rung_at), else_=C.c.next_rung_at),
        calendar_version=v))
    # continued after a suspension: counted on the calendar of that day, kept as it is
    conn.execute(update(C).where(span, C.c.id.in_(select(BATCH_T.c.id).where(BATCH_T.c.kept.is_(True))))
                 .values(calendar_version=v))
    sealed = eventlog.reseal(conn, TOUCHED, at, key)
    eventlog.clear(conn, BATCH_T)
    eventlog.clear(conn, TOUCHED)
    return taken, last, moved, sealed


@dataclass
class Outcome:
    at: datetime       # the run's instant (a resumed run's is the first process's)
    batches: int = 0   # committed by this call
    looked: int = 0    # stale clocks taken, whole run
    moved: int = 0     # due dates moved, whole run
    sealed: int = 0    # heads re-sealed, whole run
    resumed: bool = False


def _position(conn: Connection, version: str) -> ReprojectionBatch | None:
    row = conn.execute(select(R).where(R.c.calendar_version == version).order_by(R.c.id.desc()).limit(1)).first()
    return row if row is not None and not row.done else None


def _totals(conn: Connection, version: str, at: datetime) -> tuple[int, int, int]:
    return tuple(conn.execute(select(func.coalesce(func.sum(R.c.looked), 0), func.coalesce(func.sum(R.c.moved), 0),
                                     func.coalesce(func.sum(R.c.sealed), 0))
                              .where(R.c.calendar_version == version, R.c.at == at)).one())


def step(conn: Connection, cal: WorkingCalendar, ladder: Ladder, at: datetime, size: int | None = None,
         key: bytes | None = None) -> tuple[ReprojectionBatch | dict, datetime]:
    """One batch inside the caller's transaction: continue the unfinished run for this
    calendar (its instant wins over `at`) or start one; returns the row written and the
    instant used. Nothing is written when no clock is stale and no run is open."""
    size = size or BATCH
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    open_ = _position(conn, cal.version)
    after_id, number = (open_.last_clock_id, open_.batch + 1) if open_ is not None else (0, 1)
    at = open_.at if open_ is not None else at
    _prepare(conn)
    taken, last, moved, sealed = _batch(conn, cal, ladder, at, after_id, size, key)
    if open_ is None and not taken:
        return {}, at
    row = dict(calendar_version=cal.version, at=at, batch=number, last_clock_id=last, looked=taken, moved=moved,
               sealed=sealed, done=taken < size, written_at=utcnow())
    conn.execute(R.insert().values(**row))
    return row, at


def run(engine: Engine, cal: WorkingCalendar, ladder: Ladder, at: datetime, size: int | None = None,
        key: bytes | None = None, on_batch=None) -> Outcome:
    """Re-project every running clock counted with another calendar, a committed batch at a
    time, continuing an unfinished run (see the module). `on_batch(row)` is called after
    each commit (progress)."""
    key, size = key or eventlog.current_key(), size or BATCH
    out = Outcome(at=at)
    with engine.connect() as conn:
        try:
            while True:
                with conn.begin():
                    if out.batches == 0:
                        out.resumed = _position(conn, cal.version) is not None
                    row, out.at = step(conn, cal, ladder, at, size, key)
                if not row:
                    break
                out.batches += 1
                if on_batch is not None:
                    on_batch(row)
                if row["done"]:
                    break
            out.looked, out.moved, out.sealed = _totals(conn, cal.version, out.at)
        finally:
            if conn.in_transaction():
                conn.rollback()
            try:  # leave the pooled connection clean; never hide the error that brought us here
                with conn.begin():
                    for table in (MAP, EXT, BATCH_T, TOUCHED):
                        conn.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
            except Exception:  # noqa: BLE001
                conn.invalidate()
    if out.batches:
        log.info("re-projection to calendar %s: %d clocks, %d moved, %d heads re-sealed, %d batches%s",
                 cal.version, out.looked, out.moved, out.sealed, out.batches, " (resumed)" if out.resumed else "")
    return out
