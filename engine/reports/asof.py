"""A petition's state as of a date, replayed from its events, for reports that must not change
once their period is over ("a past period must not change").

Every state change is an event (``events``) with the date it took effect (``effective_on``);
the state as of day D is the target of the last state-changing event dated on or before D.
Replaying is only needed for petitions touched after D: a petition whose ``updated_at`` is
not after the end of D has had no event since, so its current state *is* its state as of D.
The expressions below take that short cut in SQL (a CASE the database evaluates row by row),
so a report over a period long closed reads the current columns for almost every row.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import case, exists, func, literal, select, text
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import end_of_day
from engine.persistence.models import Event, Petition
from engine.workflow.definition import load_workflow

# Events that open a petition (not workflow actions): the state they leave is the initial one.
_OPENING = ("receive", "receive_escalated", "import")


def state_of_action(workflow: str = "regulation11") -> dict[str, str]:
    wf = load_workflow(workflow)
    out = {name: wf.initial_state for name in _OPENING}
    out.update({a.name: a.target for a in wf.actions.values()})
    return out


def workflow_actions(workflow: str = "regulation11") -> tuple[str, ...]:
    return tuple(load_workflow(workflow).actions)


def untouched_since(d: date):
    """SQL condition: no event recorded after the end of `d` (the current state is the state
    as of `d`). Reports split on it: a plain query for these, the replay for the others."""
    return Petition.updated_at <= end_of_day(d)


def state_as_of(d: date, workflow: str = "regulation11"):
    """SQL expression: the petition's state at the end of day `d`."""
    targets = state_of_action(workflow)
    E = Event
    replayed = (select(case(*((E.action == a, literal(s)) for a, s in targets.items()), else_=literal(None)))
                .where(E.petition_id == Petition.id, E.effective_on <= d, E.action.in_(tuple(targets)))
                .order_by(E.seq.desc()).limit(1).scalar_subquery())
    initial = load_workflow(workflow).initial_state
    return case((untouched_since(d), Petition.state), else_=func.coalesce(replayed, literal(initial)))


def reopen_count_as_of(d: date):
    """SQL expression: how many times the petition had been reopened by the end of `d`."""
    E = Event
    replayed = (select(func.count(E.id)).where(E.petition_id == Petition.id, E.effective_on <= d,
                                               E.action == "reopen").scalar_subquery())
    return case((untouched_since(d), Petition.reopen_count), else_=replayed)


# -- one probe per petition: its state, reopenings and whether it was acted on, as of a date --
# A report over a million petitions cannot afford three correlated look-ups per touched
# petition (state, reopen count, "acted on"): `replayed_as_of` reads the petition's events once
# (one index-only probe on PostgreSQL: ix_events_replay) and packs the three answers into one
# integer, portable to SQLite (no LATERAL there):
#     max(seq * 16 + state index) * 4096  +  reopenings * 2  +  acted (0/1)
# seq dominates its state index, so the max keeps the state of the last event; `unpack` reads
# the three back. NULL when the petition had no state event by then (it is in its initial state).
_STATE_BITS, _REOPEN_SHIFT = 16, 4096


def _states(workflow: str) -> list[str]:
    wf = load_workflow(workflow)
    return sorted({wf.initial_state, *(a.target for a in wf.actions.values())})


def replayed_as_of(d: date, workflow: str = "regulation11"):
    """SQL expression (scalar sub-query over the petition's events up to the end of `d`)
    packing its state, reopen count and whether a workflow action was taken; see `unpack`."""
    targets = state_of_action(workflow)
    index = {s: i for i, s in enumerate(_states(workflow))}
    if len(index) >= _STATE_BITS:
        raise ValueError(f"workflow {workflow} has {len(index)} states; the packing holds {_STATE_BITS - 1}")
    actions = workflow_actions(workflow)
    E = Event
    state_ix = case(*((E.action == a, literal(index[s])) for a, s in targets.items()), else_=literal(0))
    packed = (func.max(E.seq * _STATE_BITS + state_ix) * _REOPEN_SHIFT
              + func.sum(case((E.action == "reopen", 2), else_=0))
              + func.max(case((E.action.in_(actions), 1), else_=0)))
    return (select(packed).where(E.petition_id == Petition.id, E.effective_on <= d, E.action.in_(tuple(targets)))
            .scalar_subquery())


def unpack(value: int | None, workflow: str = "regulation11") -> tuple[str, int, bool]:
    """(state, reopen count, acted on) from `replayed_as_of`'s value (None: no event yet)."""
    if value is None:
        return load_workflow(workflow).initial_state, 0, False
    value = int(value)
    return (_states(workflow)[(value // _REOPEN_SHIFT) % _STATE_BITS], (value % _REOPEN_SHIFT) // 2,
            bool(value % 2))


def acted_on_by(d: date, workflow: str = "regulation11"):
    """SQL condition: a workflow action (not mere receipt) was taken on the petition by `d`."""
    E = Event
    return exists().where(E.petition_id == Petition.id, E.effective_on <= d,
                          E.action.in_(workflow_actions(workflow)))



def tune_for_report(session: Session, work_mem: bool = True) -> None:
    """Settings for one big grouped report query, for the rest of the transaction only (SET LOCAL):

    * ``jit = off`` — PostgreSQL's JIT compiles a query's expressions before running it; for
      these (CASEs over correlated sub-plans, run once) compiling costs seconds, running milliseconds;
    * ``work_mem = 64MB`` — the one-pass annex groups half a million rows whose group count the
      planner cannot estimate (a packed replay value); with the default 4 MB it sorts them on
      disk (1.26 s at 1,000,000 petitions), with 64 MB it hashes them in memory (0.80 s). One
      report query at a time per connection: the memory is bounded by the web workers' count;
    * ``plan_cache_mode = force_custom_plan`` — psycopg prepares a statement run five times on a
      connection, and PostgreSQL may then plan it once for any period: a year's plan served a
      two-year annex in 2.0 s instead of 1.0 s. A report is planned for its own dates."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        if work_mem:  # (a report whose plans are better parallel on the default leaves it)
            session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
