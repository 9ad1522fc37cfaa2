"""Per-unit workflow parameters entered in the browser (issue 18): "7 working days instead
of 10 for the conclusion notice" for a unit and the units below it, from an effective date,
with its source. Read with config/workflow.toml into one `Params` (`current_params`); the
rules themselves are `engine.deadlines.unit_params`.

Range: 1 .. the general rule's days in force on the effective date. Regulation 11 sets a
maximum ("chậm nhất 10 ngày làm việc"): a unit may be stricter, never longer.
Effective date: today or later. Clocks keep the rule they started with, so a date in the
past would leave cases started since then on a rule that the table says is no longer theirs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.deadlines.calendar import WorkingCalendar
from engine.deadlines.clocks import due_after
from engine.deadlines.params import DeadlineRule, Params, load_params
from engine.deadlines.timeutil import parse_date
from engine.deadlines.unit_params import UnitRule, clocks_of, layered, national_rule
from engine.language.errors import Forbidden, ValidationError
from engine.language.messages import format_date
from engine.persistence import adminlog
from engine.persistence.models import Clock, OrgUnit, Petition, UnitParam, User
from engine.persistence.scope import ancestors, subtree_ids
from engine.services.common import choice, count, text, unit_by_code


def _rule_of(row: UnitParam, unit: OrgUnit) -> UnitRule:
    return UnitRule(unit.code, unit.name, row.clock, row.days, row.working, row.effective_from, row.source_no,
                    row.source_on, row.source_title)


def entered(session: Session) -> tuple[UnitRule, ...]:
    rows = session.execute(select(UnitParam, OrgUnit).join(OrgUnit, UnitParam.unit_id == OrgUnit.id)
                           .order_by(UnitParam.id)).all()
    return tuple(_rule_of(r, u) for r, u in rows)


def current_params(session: Session, base: Params | None = None) -> Params:
    return layered(base or load_params(), entered(session))


def params_from_engine(engine: Engine) -> Params:
    with Session(engine) as s:
        return current_params(s)


def admin_units(session: Session, actor: User) -> list[OrgUnit]:
    """The units an administrator may set parameters for: its unit and those below it."""
    if actor.role != "admin":
        return []
    ids = subtree_ids(session, actor.unit_id)
    return list(session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids), OrgUnit.level != "department")
                                .order_by(OrgUnit.name)))


@dataclass
class UnitChange:
    unit_name: str
    old: DeadlineRule
    new: DeadlineRule


@dataclass
class ParamPreview:
    unit: OrgUnit
    clock: str
    days: int
    effective_from: date
    source: str
    changes: list[UnitChange] = field(default_factory=list)  # units whose new cases get another rule
    running: int = 0            # running clocks of that name in those units: they keep their rule
    example_old: date | None = None  # a case whose clock starts on the effective date, in `unit`
    example_new: date | None = None


def _values(session: Session, actor: User, raw: dict, today: date, params: Params) -> dict:
    if actor.role != "admin":
        raise Forbidden("role_cannot", role=actor.role, action="params")
    code = text(raw.get("unit"), "unit")
    unit = unit_by_code(session, code)
    if unit.id not in subtree_ids(session, actor.unit_id) or unit.level == "department":
        raise ValidationError("unit_out_of_scope", field="unit", code=code)
    clock = choice(raw.get("clock") or "", clocks_of(params), "clock")
    eff_raw = (raw.get("effective_from") or "").strip()
    if not eff_raw:
        raise ValidationError("missing_field", field="effective_from")
    eff = parse_date(eff_raw, "effective_from")
    if eff < today:
        raise ValidationError("date_in_past", field="effective_from", date=format_date(eff), today=format_date(today))
    general = national_rule(params, clock, eff)
    days_raw = (raw.get("days") or "").strip() if isinstance(raw.get("days"), str) else raw.get("days")
    if days_raw in (None, ""):
        raise ValidationError("missing_field", field="days")
    days = count(days_raw, "days")
    if not 1 <= days <= general.days:
        raise ValidationError("param_out_of_range", field="days", lo=1, hi=general.days, source=general.source)
    source_title = text(raw.get("source_title"), "source_title", required=False, limit=255)
    source_no = text(raw.get("source_no"), "source_no", limit=64)
    on_raw = (raw.get("source_on") or "").strip()
    if not on_raw:
        raise ValidationError("missing_field", field="source_on")
    source_on = parse_date(on_raw, "source_on")
    if source_on > today:
        raise ValidationError("source_date_in_future", field="source_on", date=format_date(source_on), today=format_date(today))
    if session.scalar(select(UnitParam.id).where(UnitParam.unit_id == unit.id, UnitParam.clock == clock,
                                                 UnitParam.effective_from == eff)):
        raise ValidationError("param_exists", field="effective_from", unit=unit.name, date=format_date(eff))
    return dict(unit=unit, clock=clock, days=days, working=general.working, effective_from=eff,
                source_no=source_no, source_on=source_on, source_title=source_title)


def preview_param(session: Session, actor: User, raw: dict, today: date, cal: WorkingCalendar) -> ParamPreview:
    """What saving changes: for each unit in scope, the rule a clock starting on the
    effective date gets before and after; running clocks are counted and left alone."""
    before = current_params(session)
    v = _values(session, actor, raw, today, before)
    unit = v["unit"]
    new_rule = UnitRule(unit.code, unit.name, v["clock"], v["days"], v["working"], v["effective_from"],
                        v["source_no"], v["source_on"], v["source_title"])
    after = layered(before, (new_rule,))
    pv = ParamPreview(unit, v["clock"], v["days"], v["effective_from"], new_rule.source())
    ids = []
    # departments answer cases but never receive them: a clock's rule follows the receiving unit
    for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(subtree_ids(session, unit.id)),
                                                   OrgUnit.level != "department").order_by(OrgUnit.name)):
        chain = [a.code for a in ancestors(session, u)]
        old, new = before.rule_for(v["clock"], v["effective_from"], chain), after.rule_for(v["clock"], v["effective_from"], chain)
        if old != new:
            pv.changes.append(UnitChange(u.name, old, new))
            ids.append(u.id)
    if ids:
        pv.running = session.scalar(select(func.count(Clock.id)).join(Petition, Clock.petition_id == Petition.id)
                                    .where(Clock.status == "running", Clock.name == v["clock"],
                                           Petition.unit_id.in_(ids))) or 0
    old_rule = before.rule_for(v["clock"], v["effective_from"], [a.code for a in ancestors(session, unit)])
    pv.example_old = due_after(cal, v["effective_from"], old_rule.days, old_rule.working)
    pv.example_new = due_after(cal, v["effective_from"], v["days"], v["working"])
    return pv


def add_param(session: Session, actor: User, raw: dict, today: date, at: datetime) -> UnitParam:
    v = _values(session, actor, raw, today, current_params(session))
    unit = v.pop("unit")
    row = UnitParam(unit_id=unit.id, actor_id=actor.id, created_at=at, **v)
    session.add(row)
    session.flush()
    adminlog.record(session, "unit_param_added", actor, f"{unit.code}:{row.clock}", at, unit_id=unit.id,
                    data={"days": row.days, "working": row.working, "from": row.effective_from.isoformat(),
                          "source": f"{row.source_title} {row.source_no} {row.source_on.isoformat()}".strip()})
    return row


def listing(session: Session, actor: User) -> list[UnitParam]:
    ids = subtree_ids(session, actor.unit_id)
    return list(session.scalars(select(UnitParam).where(UnitParam.unit_id.in_(ids))
                                .order_by(UnitParam.effective_from.desc(), UnitParam.id.desc())))
