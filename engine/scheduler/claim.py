"""The tick's reads and writes of one batch, as Core statements over plain columns (issue 20).

Loading Clock and Petition objects (and the relationships they bring) cost more than the
claim itself; a reminder needs seventeen columns of three tables. The dialect branches are
the lock (FOR UPDATE SKIP LOCKED, PostgreSQL only: SQLite has one writer at a time) and the
advance (one UPDATE … FROM unnest(arrays) on PostgreSQL; an executemany on SQLite, in process).
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from engine.persistence.models import Clock, OrgUnit, Petition, User

C, P, USERS = Clock.__table__, Petition.__table__, User.__table__
UNIT, DEPT = OrgUnit.__table__.alias("unit"), OrgUnit.__table__.alias("dept")
ROLES = ("clerk", "department", "leader", "auditor")  # the roles a reminder can reach


# Plain tuples with names: a tick reads their fields some thirty times a clock, and a named
# tuple's field costs a fraction of a result row's attribute lookup.
class DueClock(NamedTuple):
    id: int
    version: int
    name: str
    due_date: object
    extensions: int
    next_rung: str
    next_rung_at: datetime
    petition_id: int
    code: str
    summary: str
    state: str
    workflow: str | None
    unit_id: int
    department_id: int | None
    unit_name: str
    parent_id: int | None
    department_name: str | None


class Recipient(NamedTuple):
    id: int
    username: str
    full_name: str
    email: str | None
    role: str
    unit_id: int
    lang: str
    notify_mode: str


def due_clocks(session: Session, now: datetime, batch: int) -> list[DueClock]:
    """Running clocks whose next rung has come, oldest first, with their petition's code,
    summary, state, workflow, unit and department; locked on PostgreSQL, where a second
    tick running at the same moment skips them and takes the next ones."""
    due = (select(C.c.id).where(C.c.status == "running", C.c.next_rung_at <= now)
           .order_by(C.c.next_rung_at, C.c.id).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        # the clock rows only (petitions stay free to act on), and before the join: the petitions,
        # units and departments are read for the clocks this batch claimed, not for every due one
        due = due.with_for_update(skip_locked=True)
    due = due.cte("due")
    q = (select(C.c.id, C.c.version, C.c.name, C.c.due_date, C.c.extensions, C.c.next_rung, C.c.next_rung_at,
                C.c.petition_id, P.c.code, P.c.summary, P.c.state, P.c.workflow, P.c.unit_id, P.c.department_id,
                UNIT.c.name.label("unit_name"), UNIT.c.parent_id, DEPT.c.name.label("department_name"))
         .select_from(due.join(C, C.c.id == due.c.id).join(P, P.c.id == C.c.petition_id)
                      .join(UNIT, UNIT.c.id == P.c.unit_id).outerjoin(DEPT, DEPT.c.id == P.c.department_id))
         .order_by(C.c.next_rung_at, C.c.id))
    return [DueClock._make(r) for r in session.execute(q)]


def active_users(session: Session, unit_ids) -> dict[tuple[int, str], list[Recipient]]:
    """The active users of these units by (unit, role), each list in id order; every
    (unit, role) asked is a key, empty when nobody holds it."""
    out: dict[tuple[int, str], list[Recipient]] = {(u, r): [] for u in unit_ids for r in ROLES}
    if not unit_ids:
        return out
    q = (select(USERS.c.id, USERS.c.username, USERS.c.full_name, USERS.c.email, USERS.c.role, USERS.c.unit_id,
                USERS.c.lang, USERS.c.notify_mode)
         .where(USERS.c.unit_id.in_(sorted(unit_ids)), USERS.c.active.is_(True)).order_by(USERS.c.id))
    for u in map(Recipient._make, session.execute(q)):
        out.setdefault((u.unit_id, u.role), []).append(u)
    return out


# A batch's clocks share few (rung, instant) pairs (a day's clocks fire the same rungs at the
# same 07:30): the pairs go once, as two arrays, and each clock as its id and the pair's index.
ADVANCE_PG = text(
    "UPDATE clocks SET next_rung = (CAST(:rungs AS varchar[]))[v.i], next_rung_at = (CAST(:ats AS timestamptz[]))[v.i] "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:idx AS integer[])) AS v(id, i) WHERE clocks.id = v.id"
).execution_options(data_neutral=True)  # no report reads the next reminder: kept reports stay valid
ADVANCE = (update(C).where(C.c.id == bindparam("cid"))
           .values(next_rung=bindparam("rung"), next_rung_at=bindparam("at")).execution_options(data_neutral=True))


def advance(session: Session, moves: list[tuple[int, str, datetime]]) -> None:
    """Write each clock's next rung and its instant: (clock id, rung key, aware instant)."""
    if not moves:
        return
    if session.get_bind().dialect.name == "postgresql":
        pairs: dict[tuple[str, datetime], int] = {}
        idx = [pairs.setdefault((k, at), len(pairs) + 1) for _, k, at in moves]  # SQL arrays count from 1
        session.execute(ADVANCE_PG, {"ids": [m[0] for m in moves], "idx": idx, "rungs": [k for k, _ in pairs],
                                     "ats": [at for _, at in pairs]})
    else:
        session.execute(ADVANCE, [{"cid": i, "rung": k, "at": at} for i, k, at in moves])
