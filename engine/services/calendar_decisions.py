"""Calendar decisions entered in the browser (issue 18): a day off or a make-up working day
with its legal source (document number and date).

They and the decision files (config/calendar/*.toml) make one calendar (`current_calendar`):
the same `WorkingCalendar`, the same fingerprint (so the calendar version changes), the same
explanations (a skipped day cites the decision's document). Saving one re-projects the
running clocks with the tick's own re-projection (`engine.services.reprojection`, journaled in
clock_journal): its first batch in the decision's transaction (all of it in an office), the
rest in committed batches once the decision is committed (a national decision moves every
clock in the country; a crash leaves it to the next tick, which continues the run). What moves
is the re-projection's read-only `plan`, made in the same transaction with the same query: the
preview shows it (in a transaction that is rolled back) and the administration log keeps its
count.

Who: a calendar decision moves deadlines in every unit, so only an administrator of a
top-level unit (one with no parent: the province, the deployment's root) may add one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import logging

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.persistence import adminlog

from engine.deadlines.calendar import Decision, WorkingCalendar, calendar_for
from engine.deadlines.params import load_params
from engine.deadlines.timeutil import local_date, parse_date
from engine.language.errors import CalendarError, Forbidden, ValidationError
from engine.language.messages import format_date, weekday_name
from engine.persistence.models import CalendarDecision, Clock, ClockJournal, OrgUnit, Petition, User
from engine.services import reprojection
from engine.services.common import choice, text

KINDS = ("day_off", "working_day")
# The moves a preview or a save lists by unit (the count is always the whole of it): a national
# decision moves every running clock in the country, more than a page can show.
MAX_LISTED = 5000
log = logging.getLogger("petitions.calendar")


def source_text(no: str, on: date) -> str:
    return f"{no} ngày {format_date(on)}"


def as_decision(row: CalendarDecision) -> Decision:
    # `file` says where a decision comes from, as a file path does for the TOML ones.
    return Decision(row.day, row.kind, row.name, source_text(row.source_no, row.source_on),
                    f"admin#{row.id}", f"[[{row.kind}]] ({row.day.isoformat()})", row.name_en or "")


def entered(session: Session) -> tuple[Decision, ...]:
    return tuple(as_decision(r) for r in session.scalars(select(CalendarDecision).order_by(CalendarDecision.day)))


def current_calendar(session: Session, settings=None) -> WorkingCalendar:
    """The calendar of the decision files plus the decisions entered in the browser."""
    if settings is None:
        from config import get_settings
        settings = get_settings()
    return calendar_for(settings.calendar_paths, entered(session))


def calendar_from_engine(engine: Engine, settings=None) -> WorkingCalendar:
    with Session(engine) as s:
        return current_calendar(s, settings)


def may_decide(session: Session, actor: User) -> bool:
    unit = session.get(OrgUnit, actor.unit_id)
    return actor.role == "admin" and unit is not None and unit.parent_id is None


@dataclass
class Move:
    code: str
    unit_id: int
    unit_name: str
    clock: str
    old_due: date
    new_due: date
    shift: int  # working days (negative: earlier), counted on the new calendar


@dataclass
class Outcome:
    decision: CalendarDecision
    old_version: str
    new_version: str
    moves: list[Move] = field(default_factory=list)  # the first MAX_LISTED, by clock
    running: int = 0  # running clocks looked at
    moved: int = 0    # running deadlines that move (all of them)

    def by_unit(self) -> list[tuple[str, list[Move]]]:
        groups: dict[tuple[str, int], list[Move]] = {}
        for m in self.moves:
            groups.setdefault((m.unit_name, m.unit_id), []).append(m)
        return [(name, ms) for (name, _), ms in sorted(groups.items())]


def _values(session: Session, cal: WorkingCalendar, raw: dict, today: date) -> dict:
    """Checked values, or a ValidationError naming the field (first problem found)."""
    kind = choice(raw.get("kind") or "", KINDS, "kind")
    day_raw = (raw.get("day") or "").strip()
    if not day_raw:
        raise ValidationError("missing_field", field="day")
    day = parse_date(day_raw, "day")
    try:
        working = cal.is_working_day(day)
    except CalendarError as exc:
        raise ValidationError(exc.code, field="day", **{k: v for k, v in exc.params.items() if k != "field"}) from None
    if day < today:
        raise ValidationError("date_in_past", field="day", date=format_date(day), today=format_date(today))
    row = session.scalar(select(CalendarDecision).where(CalendarDecision.day == day))
    if row is not None:
        raise ValidationError("cal_decision_exists", field="day", date=format_date(day),
                              source=source_text(row.source_no, row.source_on))
    note = cal.note(day)
    if kind == "day_off" and not working:
        raise ValidationError("cal_already_off", field="day", date=format_date(day), reason=note.reason if note else "")
    if kind == "working_day":
        if working:
            raise ValidationError("cal_already_working", field="day", date=format_date(day))
        if day.weekday() < 5:
            raise ValidationError("cal_working_on_weekday", field="day", date=format_date(day), weekday=weekday_name(day))
        if note is not None and note.kind != "weekend":
            raise ValidationError("cal_holiday_not_workable", field="day", date=format_date(day), reason=note.reason)
    name = text(raw.get("name"), "name", limit=255)
    name_en = text(raw.get("name_en"), "name_en", required=False, limit=255)
    source_no = text(raw.get("source_no"), "source_no", limit=64)
    on_raw = (raw.get("source_on") or "").strip()
    if not on_raw:
        raise ValidationError("missing_field", field="source_on")
    source_on = parse_date(on_raw, "source_on")
    if source_on > today:
        raise ValidationError("source_date_in_future", field="source_on", date=format_date(source_on), today=format_date(today))
    return dict(day=day, kind=kind, name=name, name_en=name_en, source_no=source_no, source_on=source_on)


def add_decision(session: Session, actor: User, raw: dict, at: datetime, settings=None, apply: bool = True) -> Outcome:
    """Record the decision and re-project the running clocks: the first batch in the caller's
    transaction, the rest after it commits (see the module). `apply=False` (the preview)
    moves nothing: the checks and the plan alone."""
    if not may_decide(session, actor):
        raise Forbidden("cal_national_only")
    before = current_calendar(session, settings)
    values = _values(session, before, raw, local_date(at))
    row = CalendarDecision(actor_id=actor.id, created_at=at, **values)
    session.add(row)
    session.flush()
    after = current_calendar(session, settings)
    ladder = load_params().ladder
    conn = session.connection()
    plan = reprojection.plan(conn, after, ladder, at, limit=MAX_LISTED)
    adminlog.record(session, "calendar_decision_added", actor, row.day.isoformat(), at, unit_id=actor.unit_id,
                    data={"kind": row.kind, "name": row.name, "source": source_text(row.source_no, row.source_on),
                          "deadlines_moved": plan.moved})
    out = Outcome(row, before.version, after.version, moved=plan.moved)
    out.running = session.scalar(select(func.count(Clock.id)).where(Clock.status == "running"))
    if plan.moves:
        ids = [cid for cid, _, _ in plan.moves]
        info = {cid: (code, uid, uname, name) for cid, code, uid, uname, name in session.execute(
            select(Clock.id, Petition.code, OrgUnit.id, OrgUnit.name, Clock.name)
            .join(Petition, Clock.petition_id == Petition.id).join(OrgUnit, Petition.unit_id == OrgUnit.id)
            .where(Clock.id.in_(ids)))}
        for cid, old_due, new_due in plan.moves:
            code, uid, uname, name = info[cid]
            out.moves.append(Move(code, uid, uname, name, old_due, new_due,
                                  after.working_days_between(old_due, new_due)))
        out.moves.sort(key=lambda m: (m.unit_name, m.code, m.clock))
    if apply and plan.looked:
        first, _ = reprojection.step(conn, after, ladder, at)
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Clock):
                session.expire(obj)  # moved by the batch's UPDATE, not through the ORM
        if first and not first["done"]:
            event.listen(session, "after_commit", _rest(session.get_bind(), after, ladder, at), once=True)
    return out


def _rest(engine: Engine, cal: WorkingCalendar, ladder, at: datetime):
    """The rest of the run, once the decision is committed; a failure is logged and left to
    the next tick, which continues the run where it stopped."""
    def go(_session):
        try:
            reprojection.run(engine, cal, ladder, at)
        except Exception:  # noqa: BLE001 - the decision is saved; the tick resumes the run
            log.exception("re-projection to calendar %s stopped; the next tick continues it", cal.version)
    return go


def preview_decision(engine: Engine, actor: User, raw: dict, at: datetime, settings=None) -> Outcome:
    """What `add_decision` would do: its checks and its plan, in a transaction rolled back."""
    with Session(engine, expire_on_commit=False) as s:
        s.begin()
        try:
            me = s.get(User, actor.id)
            return add_decision(s, me, raw, at, settings, apply=False)
        finally:
            s.rollback()


def journal_of(session: Session, decision: CalendarDecision) -> list[ClockJournal]:
    """The clock moves saved with a decision (same instant, cause calendar_change)."""
    return list(session.scalars(select(ClockJournal).where(ClockJournal.cause == "calendar_change",
                                                           ClockJournal.at == decision.created_at)))


def listing(session: Session) -> list[CalendarDecision]:
    return list(session.scalars(select(CalendarDecision).order_by(CalendarDecision.day.desc())))
