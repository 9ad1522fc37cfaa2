"""Units from the browser: add, rename, move, and reorganise (merge, split) with a preview.

An administrator acts on their own unit and the units below it (`in_scope`); the checks are
here, so the pages, a future API and the tests all refuse the same things.

A reorganisation (the reform of 01/07/2025 is the model: districts abolished, communes
merged) closes the old units the day before the effective date (`valid_to`) and keeps them:
what was done there — closed cases, held sessions — stays on them, so a report for 2023
still shows the district. What is still to be done follows the successor: open cases (each
with an event in its own log), planned sessions from the effective date, the users, the
schedules that cover the date or come later, and the units below that still exist. Every
pair (old, new) is recorded in `unit_successions`. Preview (`plan_reorganisation`) and
saving (`apply_reorganisation`) share one computation, so the preview says exactly what the
save moves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import parse_date
from engine.language.errors import Forbidden, NotFound, ValidationError
from engine.persistence import adminlog
from engine.persistence.eventlog import append as append_event, checkpoint
from engine.persistence.models import (UNIT_LEVELS, OrgUnit, Petition, ReceptionSession, SchedulePublication,
                                       UnitSuccession, User)
from engine.persistence.scope import subtree_ids
from engine.services.common import choice, clean, text
from engine.services.users import end_sessions
from engine.workflow.definition import load_workflow

KINDS = ("merge", "split")
MAX_UNITS = 50  # units in one reorganisation: far above a real merger (the 2025 reform merged 2–5 communes)


# -- scope ------------------------------------------------------------------------------
def scope_ids(session: Session, actor: User) -> set[int]:
    """The units an administrator manages: their unit and every unit below it."""
    session.info.pop("_subtree_cache", None)  # the tree may have changed in this transaction
    return subtree_ids(session, actor.unit_id)


def in_scope(session: Session, actor: User, unit: OrgUnit) -> bool:
    return unit.id in scope_ids(session, actor)


def scoped_unit(session: Session, actor: User, code, field: str = "unit") -> OrgUnit:
    """The unit by code, if the actor manages it; otherwise 'unknown' (the answer never
    confirms that a unit outside one's scope exists)."""
    code = clean(code or "") if isinstance(code, str) else ""
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if code else None
    if not code:
        raise ValidationError("missing_field", field=field)
    if unit is None or not in_scope(session, actor, unit):
        raise NotFound("unknown_unit", field=field, code=code)
    return unit


def _new_code(session: Session, code, field: str = "code") -> str:
    code = text(code, "code")
    if code != code.replace(" ", ""):
        raise ValidationError("unit_code_spaces", field=field, code=code)
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise ValidationError("duplicate_unit_code", field=field, code=code)
    return code


def _date(value, field: str) -> date:
    if value in (None, ""):
        raise ValidationError("missing_field", field=field)
    return parse_date(value, field)


def _forget_tree(session: Session) -> None:
    session.info.pop("_subtree_cache", None)


# -- add, rename, move --------------------------------------------------------------------
def create_unit(session: Session, actor: User, code, name, level, parent_code, valid_from=None,
                at: datetime | None = None) -> OrgUnit:
    """A new unit below one the actor manages (an administrator never adds a unit above theirs)."""
    parent = scoped_unit(session, actor, parent_code, "parent")
    u = OrgUnit(code=_new_code(session, code), name=text(name, "name"), level=choice(level, UNIT_LEVELS, "level"),
                parent_id=parent.id, valid_from=parse_date(valid_from, "valid_from") if valid_from else None)
    session.add(u)
    session.flush()
    _forget_tree(session)
    adminlog.record(session, "unit_created", actor, u.code, at or datetime.now().astimezone(), unit_id=u.id,
                    data={"name": u.name, "level": u.level, "parent": parent.code,
                          "valid_from": u.valid_from.isoformat() if u.valid_from else None})
    return u


def rename_unit(session: Session, actor: User, code, name, at: datetime | None = None) -> OrgUnit:
    u = scoped_unit(session, actor, code)
    new = text(name, "name")
    if new == u.name:
        raise ValidationError("unit_no_change", field="name", code=u.code)
    old, u.name = u.name, new
    session.flush()
    adminlog.record(session, "unit_renamed", actor, u.code, at or datetime.now().astimezone(), unit_id=u.id,
                    data={"name": [old, new]})
    return u


def move_unit(session: Session, actor: User, code, parent_code, at: datetime | None = None) -> OrgUnit:
    """Put a unit under another parent the actor manages. The actor's own unit cannot move
    (its parent is outside their scope), nor can a unit go under itself or a unit below it."""
    u = scoped_unit(session, actor, code)
    if u.id == actor.unit_id:
        raise Forbidden("unit_move_own", field="unit", code=u.code)
    parent = scoped_unit(session, actor, parent_code, "parent")
    if parent.id in subtree_ids(session, u.id):
        raise ValidationError("unit_cycle", field="parent", code=u.code)
    if parent.id == u.parent_id:
        raise ValidationError("unit_no_change", field="parent", code=u.code)
    old = session.get(OrgUnit, u.parent_id).code if u.parent_id else None
    u.parent_id = parent.id
    session.flush()
    _forget_tree(session)
    adminlog.record(session, "unit_moved", actor, u.code, at or datetime.now().astimezone(), unit_id=u.id,
                    data={"parent": [old, parent.code]})
    return u


# -- reorganisation ---------------------------------------------------------------------
@dataclass
class Moving:
    """What one old unit hands to its successor, and what stays with it."""
    unit: OrgUnit
    open_cases: list[int] = field(default_factory=list)      # petition ids
    planned_sessions: list[int] = field(default_factory=list)
    users: list[int] = field(default_factory=list)
    schedules: list[int] = field(default_factory=list)       # schedule_publications ids
    child_units: list[int] = field(default_factory=list)
    cases_staying: int = 0
    sessions_staying: int = 0


@dataclass
class NewUnit:
    code: str
    name: str
    level: str
    parent: OrgUnit


@dataclass
class Plan:
    kind: str
    effective_on: date
    sources: list[Moving]
    target: OrgUnit | None             # an existing successor (merge into it)
    new_units: list[NewUnit]           # successors to create (the first takes the open work)

    @property
    def successor_name(self) -> str:
        return self.target.name if self.target is not None else self.new_units[0].name

    @property
    def successor_code(self) -> str:
        return self.target.code if self.target is not None else self.new_units[0].code

    def totals(self) -> dict[str, int]:
        keys = ("open_cases", "planned_sessions", "users", "schedules", "child_units")
        out = {k: sum(len(getattr(m, k)) for m in self.sources) for k in keys}
        out["cases_staying"] = sum(m.cases_staying for m in self.sources)
        out["sessions_staying"] = sum(m.sessions_staying for m in self.sources)
        return out


def _codes(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(";", ",").replace("\n", ",").split(",")
    return [c for c in (clean(v or "") for v in (value or [])) if c]


def _valid_on(u: OrgUnit, d: date) -> bool:
    return (u.valid_from is None or u.valid_from <= d) and (u.valid_to is None or u.valid_to >= d)


def parse_new_units(lines) -> list[tuple[str, str]]:
    """'code; name' per line (a split's new units)."""
    out = []
    for i, line in enumerate((lines or "").splitlines() if isinstance(lines, str) else (lines or []), start=1):
        if isinstance(line, (tuple, list)):
            out.append((line[0], line[1]))
            continue
        if not clean(line):
            continue
        code, sep, name = line.partition(";")
        if not sep:
            raise ValidationError("split_line", field="new_units", line=i)
        out.append((code, name))
    return out


def plan_reorganisation(session: Session, actor: User, kind, sources, effective_on, target_code=None,
                        new_code=None, new_name=None, new_level=None, new_parent=None, new_units=None) -> Plan:
    """Check everything and count what would move; writes nothing.

    merge: `sources` (one or more) into an existing unit (`target_code`) or into a new one
    (`new_code`, `new_name`, `new_level`, `new_parent`). split: one source into the new units
    `new_units` ("code; name" lines, under the source's parent, at its level); the first new
    unit takes the open work."""
    kind = choice(kind, KINDS, "kind")
    eff = _date(effective_on, "effective_on")
    codes = _codes(sources)
    if not codes:
        raise ValidationError("missing_field", field="sources")
    if len(codes) > MAX_UNITS:
        raise ValidationError("count_too_large", field="sources", max=MAX_UNITS)
    if len(set(codes)) != len(codes):
        raise ValidationError("duplicate_code", field="sources", code=next(c for c in codes if codes.count(c) > 1))
    src = [scoped_unit(session, actor, c, "sources") for c in codes]
    for u in src:
        if not _valid_on(u, eff):
            raise ValidationError("unit_not_valid_on", field="sources", code=u.code, date=eff.strftime("%d/%m/%Y"))
        if u.id == actor.unit_id:
            raise Forbidden("unit_reorganise_own", field="sources", code=u.code)
    below_sources: set[int] = set()
    for u in src:
        below_sources |= subtree_ids(session, u.id)

    def _outside_sources(u: OrgUnit, fld: str) -> OrgUnit:
        if u.id in below_sources:
            raise ValidationError("successor_in_sources", field=fld, code=u.code)
        if not _valid_on(u, eff):
            raise ValidationError("unit_not_valid_on", field=fld, code=u.code, date=eff.strftime("%d/%m/%Y"))
        return u

    target, new = None, []
    if kind == "merge":
        if target_code:
            target = _outside_sources(scoped_unit(session, actor, target_code, "target"), "target")
        else:
            parent = _outside_sources(scoped_unit(session, actor, new_parent, "new_parent"), "new_parent")
            new = [NewUnit(_new_code(session, new_code, "new_code"), text(new_name, "new_name", limit=255),
                           choice(new_level, UNIT_LEVELS, "new_level"), parent)]
    else:
        if len(src) != 1:
            raise ValidationError("split_one_source", field="sources")
        lines = parse_new_units(new_units)
        if len(lines) < 2:
            raise ValidationError("split_two_units", field="new_units")
        if len(lines) > MAX_UNITS:
            raise ValidationError("count_too_large", field="new_units", max=MAX_UNITS)
        parent = session.get(OrgUnit, src[0].parent_id) if src[0].parent_id else None
        if parent is None or not in_scope(session, actor, parent):
            raise Forbidden("unit_reorganise_own", field="sources", code=src[0].code)
        seen = set()
        for code, name in lines:
            c = _new_code(session, code, "new_units")
            if c in seen:
                raise ValidationError("duplicate_code", field="new_units", code=c)
            seen.add(c)
            new.append(NewUnit(c, text(name, "name"), src[0].level, parent))

    main_level = target.level if target is not None else new[0].level
    if any(u.level == "department" for u in src) and main_level != "department":
        # a department's open cases are assigned to it: they need a department to go to
        raise ValidationError("department_successor", field="target" if target is not None else "new_level")
    open_states = tuple(load_workflow().open_states)
    source_ids = {u.id for u in src}
    moving = []
    for u in src:
        m = Moving(u)
        # a unit's cases are those it received; a department's, those assigned to it
        column = Petition.department_id if u.level == "department" else Petition.unit_id
        for pid, state in session.execute(select(Petition.id, Petition.state).where(column == u.id)
                                          .order_by(Petition.id)):
            if state in open_states:
                m.open_cases.append(pid)
            else:
                m.cases_staying += 1
        for sid, status, held_on in session.execute(select(ReceptionSession.id, ReceptionSession.status,
                                                           ReceptionSession.held_on)
                                                    .where(ReceptionSession.unit_id == u.id).order_by(ReceptionSession.id)):
            if status == "planned" and held_on >= eff:
                m.planned_sessions.append(sid)
            else:
                m.sessions_staying += 1
        m.users = list(session.scalars(select(User.id).where(User.unit_id == u.id).order_by(User.id)))
        for pub_id, period in session.execute(select(SchedulePublication.id, SchedulePublication.period)
                                              .where(SchedulePublication.unit_id == u.id)):
            if _period_end(period) >= eff:
                m.schedules.append(pub_id)
        for child in session.scalars(select(OrgUnit).where(OrgUnit.parent_id == u.id).order_by(OrgUnit.code)):
            if child.id not in source_ids and (child.valid_to is None or child.valid_to >= eff):
                m.child_units.append(child.id)
        moving.append(m)
    return Plan(kind, eff, moving, target, new)


def _period_end(period: str) -> date:
    """The last day of a schedule's period: '2026-03' (a month) or '2026' (a year)."""
    if len(period) == 4:
        return date(int(period), 12, 31)
    y, m = int(period[:4]), int(period[5:7])
    return (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)


def apply_reorganisation(session: Session, actor: User, plan: Plan, at: datetime) -> list[OrgUnit]:
    """Do what `plan` says, in the caller's transaction; returns the successors."""
    successors = []
    if plan.target is not None:
        successors.append(plan.target)
    for n in plan.new_units:
        u = OrgUnit(code=n.code, name=n.name, level=n.level, parent_id=n.parent.id, valid_from=plan.effective_on)
        session.add(u)
        successors.append(u)
    session.flush()
    _forget_tree(session)
    main = successors[0]
    closed_on = plan.effective_on - timedelta(days=1)
    for m in plan.sources:
        old = m.unit
        key = "department" if old.level == "department" else "unit"
        for pid in m.open_cases:
            p = session.get(Petition, pid)
            if key == "department":
                p.department_id = main.id
            else:
                p.unit_id = main.id
            session.flush()
            append_event(session, p, "unit_transferred", getattr(actor, "id", None), actor.username, at, plan.effective_on,
                         before={key: old.code}, after={key: main.code},
                         data={"reason": "reorganisation", "kind": plan.kind})
        if m.planned_sessions:
            session.execute(update(ReceptionSession).where(ReceptionSession.id.in_(m.planned_sessions))
                            .values(unit_id=main.id).execution_options(synchronize_session="fetch"))
        for uid in m.users:
            session.execute(update(User).where(User.id == uid).values(unit_id=main.id)
                            .execution_options(synchronize_session="fetch"))
            end_sessions(session, uid)  # what they may see changed: their sessions end (as `change_user`)
        if m.schedules:
            session.execute(update(SchedulePublication).where(SchedulePublication.id.in_(m.schedules))
                            .values(unit_id=main.id).execution_options(synchronize_session="fetch"))
        if m.child_units:
            session.execute(update(OrgUnit).where(OrgUnit.id.in_(m.child_units)).values(parent_id=main.id)
                            .execution_options(synchronize_session="fetch"))
        old.valid_to = closed_on
        for succ in successors:
            session.add(UnitSuccession(predecessor_id=old.id, successor_id=succ.id, effective_on=plan.effective_on,
                                       kind=plan.kind, actor_id=getattr(actor, "id", None), created_at=at))
    session.flush()
    _forget_tree(session)
    adminlog.record(session, "units_reorganised", actor, main.code, at, unit_id=main.id, data={
        "kind": plan.kind, "effective_on": plan.effective_on.isoformat(),
        "sources": [m.unit.code for m in plan.sources], "successors": [s.code for s in successors],
        "moved": {m.unit.code: {"open_cases": len(m.open_cases), "planned_sessions": m.planned_sessions,
                                "users": m.users, "schedules": m.schedules, "child_units": m.child_units}
                  for m in plan.sources}})
    # Cases moved between units: record the new per-unit counts now, so the audit
    # verification does not read the old unit's smaller count as deleted cases.
    checkpoint(session, at)
    return successors


def successions_of(session: Session, unit_ids) -> list[UnitSuccession]:
    q = select(UnitSuccession).order_by(UnitSuccession.effective_on.desc(), UnitSuccession.id)
    if unit_ids is not None:
        ids = list(unit_ids)
        q = q.where(UnitSuccession.predecessor_id.in_(ids) | UnitSuccession.successor_id.in_(ids))
    return list(session.scalars(q))


def user_count_by_unit(session: Session) -> dict[int, int]:
    return dict(session.execute(select(User.unit_id, func.count(User.id)).group_by(User.unit_id)).all())
