"""Petitions: receive one, apply a workflow action (one transaction), show, list."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.persistence import eventlog
from engine.deadlines.calendar import WorkingCalendar, default_calendar
from engine.deadlines.clocks import stop_clock
from engine.services.clocks import extend_clock, start_clock
from engine.language.errors import (Forbidden, IllegalTransition, NotFound, ValidationError, VersionConflict)
from engine.persistence.models import (CATEGORIES, PETITION_KINDS, CaseHandler, Clock, Event, OrgUnit, Petition, PetitionCounter, Petitioner,
                           ReceptionSession, User, petition_search_text)
from engine.services.notices import tell_petitioners
from engine.services.lists import known_categories  # the admin's list of categories (issue 18)
from engine.services.office_context import with_office_settings
from engine.services import casework
from engine.deadlines.params import Params, load_params
from engine.persistence.scope import ancestors, can_read, petition_scope, subtree_ids
from engine.workflow.policy import can_act_on, protects_identity
from engine.services.common import MAX_ID, choice, count, email, text, unit_by_code, user_by_name
from engine.deadlines.timeutil import local_date, local_midnight, parse_date, parse_instant, utcnow
from engine.workflow.definition import WorkflowDef, load_workflow

log = logging.getLogger("petitions.workflow")
GROUP_THRESHOLD = 5  # Law on Citizen Reception art. 29: 5 or more people form a group (đoàn đông người)


@dataclass
class Context:
    """What a service needs besides the session: the calendar, parameters, workflow, now."""
    cal: WorkingCalendar = field(default_factory=default_calendar)
    params: Params = field(default_factory=load_params)
    workflow: WorkflowDef = field(default_factory=load_workflow)
    now: datetime | None = None

    def instant(self) -> datetime:
        return self.now or utcnow()


@dataclass
class ActResult:
    petition: Petition
    event: Event
    outbox_ids: list[int]
    created: Petition | None = None  # the linked petition an escalation opened


# -- codes ----------------------------------------------------------------------------
def next_code(session: Session, unit: OrgUnit, year: int) -> str:
    """KN-<unit>-<year>-<nnnnnn>, gapless: the counter moves inside this transaction."""
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PetitionCounter)
    stmt = ins.values(unit_id=unit.id, year=year, last=1).on_conflict_do_update(
        index_elements=["unit_id", "year"], set_={"last": PetitionCounter.last + 1}
    ).returning(PetitionCounter.last)
    n = session.execute(stmt).scalar_one()
    return f"KN-{unit.code}-{year}-{n:06d}"


def _unit_chain_codes(session: Session, unit: OrgUnit) -> list[str]:
    return [u.code for u in ancestors(session, unit)]


def _snapshot(p: Petition) -> dict:
    return {
        "state": p.state, "version": p.version,
        "department": p.department.code if p.department else None,
        "clocks": {c.name: {"due_date": c.due_date.isoformat(), "status": c.status,
                            **({"stopped_on": c.stopped_on.isoformat()} if c.stopped_on else {})} for c in p.clocks},
    }


def _search_text(p: Petition, unit: OrgUnit) -> str:
    return petition_search_text(p, unit)


# -- receive --------------------------------------------------------------------------
def add_petition(session: Session, ctx: Context, unit_code: str, summary: str, received_on=None, received_at=None,
                 session_id: int | None = None, petitioners: list[dict] | None = None, category: str = "other",
                 kind: str = "petition", group_size=None, complex_prolonged: bool = False, incited: bool = False,
                 actor: User | None = None, external_ref: str | None = None, escalated_from: Petition | None = None,
                 action: str = "receive", received_from: dict | None = None, workflow: str | None = None,
                 flags: list[str] | None = None, contested_on=None) -> Petition:
    ctx = with_office_settings(session, ctx)  # the calendar and unit parameters entered in the browser
    wf = ctx.workflow if workflow is None or workflow == ctx.workflow.name else casework.workflow_named(workflow)
    unit = unit_by_code(session, unit_code)
    if unit.level == "department":  # a department answers petitions; it does not receive them
        raise ValidationError("receiving_unit_department", field="unit", code=unit.code)
    if actor is not None and action == "receive":
        # the rules of `act`: a receiving role, and only for the actor's own unit (an admin anywhere)
        if actor.role != "admin" and actor.role not in wf.receive_roles:
            raise Forbidden("role_cannot_receive", role=actor.role, username=actor.username)
        if actor.role != "admin" and actor.unit_id != unit.id:
            raise Forbidden("out_of_scope_receive", username=actor.username, unit=unit.code)
    summary = text(summary, "summary")
    external_ref = text(external_ref, "ref", required=False) or None
    reception = None
    if session_id is not None:
        reception = session.get(ReceptionSession, count(session_id, "session", maximum=MAX_ID))
        if reception is None:
            raise NotFound("unknown_session", field="session", id=session_id)
        if reception.unit_id != unit.id:
            raise ValidationError("session_other_unit", field="session", id=session_id)
    if received_at is not None:
        instant = parse_instant(received_at, "received_at")
        day = local_date(instant)
    elif received_on is not None:
        day = parse_date(received_on, "received_on")
        instant = local_midnight(day)
    elif reception is not None:
        day, instant = reception.held_on, local_midnight(reception.held_on)
    else:
        instant = ctx.instant()
        day = local_date(instant)
    if day > local_date(ctx.instant()):
        raise ValidationError("date_in_future", field="received_on", date=day.strftime("%d/%m/%Y"))
    size = count(group_size if group_size not in (None, "") else 1, "group_size") or 1

    p = Petition(code=next_code(session, unit, day.year), unit_id=unit.id, unit=unit, session_id=reception.id if reception else None,
                 received_on=day, received_at=instant, summary=summary,
                 category=choice(category or "other", known_categories(session), "category"),
                 kind=wf.kind or choice(kind or "petition", PETITION_KINDS, "kind"),
                 workflow=wf.name, flags=list(flags or []),
                 contested_on=parse_date(contested_on, "contested_on") if contested_on not in (None, "") else None,
                 group_size=size, is_group=size >= GROUP_THRESHOLD, complex_prolonged=bool(complex_prolonged),
                 incited=bool(incited), state=wf.initial_state, external_ref=external_ref,
                 escalated_from_id=escalated_from.id if escalated_from else None)
    for person in petitioners or []:
        name = text(person.get("name"), "name", required=False)
        if name:
            p.petitioners.append(Petitioner(name=name, address=text(person.get("address"), "address", required=False),
                                            phone=text(person.get("phone"), "phone", required=False),
                                            email=email(person.get("email"), "email")))
    p.search_text = _search_text(p, unit)
    session.add(p)
    session.flush()
    trigger = reception.held_on if reception else day
    chain = _unit_chain_codes(session, unit)
    for name in wf.start_on_receipt:
        rule = casework.rule_for_case(ctx.params, p, wf, name, trigger, chain)
        start_clock(p, name, trigger, instant, rule, ctx.cal, ctx.params.ladder)
    session.flush()
    data = {"unit": unit.code, "received_on": day.isoformat(), "session": reception.id if reception else None,
            "summary": summary}
    if escalated_from is not None:
        data["escalated_from"] = escalated_from.code
    if wf.name != "regulation11":
        data["workflow"] = wf.name
    if received_from is not None:  # a case moved here from another unit or system: what the source says it did
        data["received_from"] = received_from
    eventlog.append(session, p, action, actor.id if actor else None, actor.username if actor else "system",
                    ctx.instant(), day, {}, _snapshot(p), data)
    # who received a denunciation already knows who wrote it; a letter may turn out to be one
    if actor is not None and (protects_identity(p) or p.workflow == "letter"):
        session.add(CaseHandler(petition_id=p.id, user_id=actor.id, added_by_id=actor.id, added_at=ctx.instant()))
    session.flush()
    return p


# -- act ------------------------------------------------------------------------------
def _petition(session: Session, code: str) -> Petition:
    p = session.scalar(select(Petition).where(Petition.code == (code or "").strip()))
    if p is None:
        raise NotFound("unknown_petition", field="code", code=code)
    return p


def _action_date(ctx: Context, p: Petition, on, at) -> tuple[date, datetime]:
    if on is not None and at is not None:
        raise ValidationError("both_on_and_at", field="on")
    now = ctx.instant()
    if at is not None:
        instant = parse_instant(at, "at")
        day = local_date(instant)
    elif on is not None:
        day = parse_date(on, "on")
        instant = now
    else:
        instant, day = now, local_date(now)
    if day > local_date(now):
        raise ValidationError("date_in_future", field="on", date=day.strftime("%d/%m/%Y"))
    if day < p.received_on:
        raise ValidationError("date_before_receipt", field="on", date=day.strftime("%d/%m/%Y"),
                              received=p.received_on.strftime("%d/%m/%Y"))
    return day, instant


def _clean_params(action, params: dict) -> dict:
    # text is cleaned and measured (`engine.services.common.LIMITS`); a value made only of
    # invisible characters counts as not given
    cleaned = {k: (text(v, k, required=False) if isinstance(v, str) else v) for k, v in (params or {}).items()}
    given = {k: v for k, v in cleaned.items() if v is not None and v != ""}
    for k in given:
        if k not in action.fields:
            raise ValidationError("unexpected_field", field=k, action=action.name)
    for k in action.required:
        if k not in given:
            raise ValidationError("missing_field", field=k)
    for group in action.one_of:
        present = [k for k in group if k in given]
        if len(present) != 1:
            raise ValidationError("one_of_fields", field=group[0], fields=" | ".join(group))
    return given


def _claim_version(session: Session, p: Petition) -> None:
    """The optimistic lock: move the version from the one we read to the next, or fail.

    Done before any change, so on PostgreSQL it is also the row lock: a concurrent action
    waits here, then finds the version moved and gets a conflict instead of a lost update.
    """
    seen = p.version
    res = session.execute(update(Petition).where(Petition.id == p.id, Petition.version == seen)
                          .values(version=seen + 1).execution_options(synchronize_session=False))
    if res.rowcount != 1:
        actual = session.scalar(select(Petition.version).where(Petition.id == p.id))
        raise VersionConflict("version_conflict", code=p.code, actual=actual, expected=seen)
    set_committed_value(p, "version", seen + 1)


def _department(session: Session, p: Petition, code: str) -> OrgUnit:
    """The department named in a form: an unknown code is a field error like any other
    wrong choice (not "not found", which would read as if the petition were missing)."""
    dept = session.scalar(select(OrgUnit).where(OrgUnit.code == (code or "").strip()))
    if dept is None or dept.level != "department" or dept.id not in subtree_ids(session, p.unit_id):
        raise ValidationError("not_a_department", field="department", code=code, unit=p.unit.code)
    return dept


def act(session: Session, ctx: Context, code: str, action: str, by: str, params: dict | None = None,
        on=None, at=None, expect_version: int | None = None, escalate_to: Petition | None = None) -> ActResult:
    """Apply one workflow action. Checks role and scope, the expected version, the state and
    the required fields before changing anything; any refusal raises and changes nothing.

    `escalate_to`: for an escalation, the case already opened at the parent unit to link to
    instead of opening one (a register import, where the parent's register holds it)."""
    ctx = with_office_settings(session, ctx)  # the calendar and unit parameters entered in the browser
    actor = user_by_name(session, by)
    p = _petition(session, code)
    if not can_read(session, actor, p):
        raise NotFound("unknown_petition", field="code", code=code)  # never confirm what lies outside scope
    wf = casework.workflow_of(p, ctx.workflow)
    adef = wf.actions.get(action)
    if adef is None:
        raise ValidationError("unknown_action", field="action", action=action, choices=", ".join(wf.actions))
    if actor.role != "admin" and actor.role not in adef.roles:
        raise Forbidden("role_cannot", role=actor.role, action=action)
    if not can_act_on(actor, p, adef.own_assignment_roles):
        raise Forbidden("out_of_scope", username=actor.username, code=p.code)
    if expect_version is not None and int(expect_version) != p.version:
        raise VersionConflict("version_conflict", code=p.code, actual=p.version, expected=expect_version)
    if p.state not in adef.sources:
        allowed = ", ".join(a.name for a in wf.actions_from(p.state)) or "—"
        raise IllegalTransition("illegal_transition", action=action, code=p.code,
                                state=wf.state_label(p.state), allowed=allowed)
    not_now = casework.offered(adef, p, local_date(ctx.instant()))
    if not_now is not None:
        raise IllegalTransition("action_not_offered", action=wf.action_label(action), code=p.code,
                                why=wf.clock_label(adef.needs_running or adef.needs_overdue))
    fields = _clean_params(adef, params or {})
    day, instant = _action_date(ctx, p, on, at)
    _claim_version(session, p)
    stop_instant = instant if at is not None else (ctx.instant() if on is None else local_midnight(day))
    before = _snapshot(p)
    data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items()}
    data["on"] = day.isoformat()

    # Record what the action carries.
    if "department" in fields:
        dept = _department(session, p, fields["department"])
        p.department_id, p.department = dept.id, dept
    if action == "conclude":
        p.notice_no, p.notice_on = text(fields["notice_no"], "notice_no"), day
    if action == "resolve":
        p.document_no, p.resolved_on, p.outcome = text(fields["document_no"], "document_no"), day, fields.get("outcome")
    if action == "refer":
        p.referred_agency = text(fields["agency"], "agency")
    if action == "close":
        p.closed_on = day
    if action == "reopen":
        p.reopen_count += 1
    chain = _unit_chain_codes(session, p.unit)
    flags_changed = casework.apply_flags(p, adef, fields)
    casework.check_required_flags(p, adef, wf)
    opened = None
    if adef.hook:
        opened = casework.HOOKS[adef.hook](session, ctx, p, wf, fields, day, actor=actor, action=action, chain=chain)
    if flags_changed or adef.hook == "classify_letter":
        moved = casework.rerule_running(session, p, wf, ctx.params, ctx.cal, chain, ctx.instant())
        if moved:
            data["recounted"] = {n: [o.isoformat(), nw.isoformat()] for n, o, nw in moved}

    for name in adef.stop:
        c = p.clock(name)
        if c is not None and c.status in ("running", "paused"):
            stop_clock(c, stop_instant, day, action)
    for name in adef.start:
        rule = casework.rule_for_case(ctx.params, p, wf, name, day, chain)
        start_clock(p, name, day, stop_instant, rule, ctx.cal, ctx.params.ladder)
    if adef.extend:
        c = p.clock(adef.extend)
        days = count(fields["days"], "days") if "days" in fields else None
        until = parse_date(fields["until"], "until") if "until" in fields else None
        if c is not None:
            from engine.deadlines.clocks import extended_due
            casework.check_extension_cap(ctx.params, p, c, wf, ctx.cal, days, until,
                                         extended_due(ctx.cal, c.due_date, days, until, working=c.working))
        old, new = extend_clock(session, c, ctx.cal, ctx.params.ladder, ctx.instant(), days=days, until=until,
                                reason=fields.get("reason", ""))
        data.update(old_due=old.isoformat(), new_due=new.isoformat())

    if adef.suspend:
        casework.suspend(session, p, wf, adef.suspend, day, ctx.instant(), fields)
    if adef.resume:
        old, new, mode = casework.resume(session, p, wf, adef.resume, day, ctx.instant(), fields, ctx.params, ctx.cal)
        data.update(old_due=old.isoformat(), new_due=new.isoformat(), resume=mode)

    created = opened
    if opened is not None:
        data["opened"] = opened.code
    if adef.escalate:
        parent = session.get(OrgUnit, p.unit.parent_id) if p.unit.parent_id else None
        if parent is None:
            raise ValidationError("no_parent_unit", field="reason", code=p.unit.code)
        if escalate_to is not None:
            _check_escalation_target(p, parent, escalate_to, day)
            escalate_to.escalated_from_id = p.id  # the id only, as add_petition does (no flush cycle)
            created = escalate_to
        else:
            created = add_petition(session, ctx, parent.code, p.summary, received_at=instant if at is not None else None,
                                   received_on=day if at is None else None,
                                   petitioners=[{"name": x.name, "address": x.address, "phone": x.phone, "email": x.email}
                                                for x in p.petitioners],
                                   category=p.category, kind=p.kind, group_size=p.group_size,
                                   complex_prolonged=p.complex_prolonged, incited=p.incited, actor=actor,
                                   escalated_from=p, action="receive_escalated",
                                   workflow=adef.escalate_workflow or wf.name)
        p.escalated_to_id, p.escalated_to = created.id, created
        data["escalated_to"] = created.code

    p.state = p.state if adef.target == "=" else adef.target
    p.updated_at = ctx.instant()
    session.flush()
    after = _snapshot(p)
    ev = eventlog.append(session, p, action, actor.id, actor.username, ctx.instant(), day, before, after, data)
    try:
        session.flush()
    except IntegrityError:  # two writers appended the same seq: the other one won
        raise VersionConflict("version_conflict", code=p.code, actual="?", expected=before["version"]) from None
    outbox_ids = tell_petitioners(session, p, ev, adef.tell_petitioner) if adef.tell_petitioner else []
    log.info("%s %s -> %s", action, p.code, p.state,
             extra={"petition": p.code, "action": action, "actor": actor.username})
    return ActResult(p, ev, outbox_ids, created)


def _check_escalation_target(p: Petition, parent: OrgUnit, target: Petition, day: date) -> None:
    """The case `p` is escalated to must be the parent unit's, not linked to another case,
    and received on or after the escalation."""
    if target.unit_id != parent.id:
        raise ValidationError("escalate_target_unit", field="escalated_ref", target=target.code,
                              unit=target.unit.code, parent=parent.code, code=p.code)
    if target.escalated_from_id not in (None, p.id):
        raise ValidationError("escalate_target_taken", field="escalated_ref", target=target.code)
    if target.received_on < day:
        raise ValidationError("escalate_target_date", field="escalated_ref", target=target.code,
                              received=target.received_on.strftime("%d/%m/%Y"), date=day.strftime("%d/%m/%Y"))


# -- read -----------------------------------------------------------------------------
def get_for(session: Session, code: str, actor: User | None) -> Petition:
    p = _petition(session, code)
    if actor is not None and not can_read(session, actor, p):
        raise NotFound("unknown_petition", field="code", code=code)
    return p


def clock_to_dict(c: Clock, wf: WorkflowDef, lang: str = "vi") -> dict:
    return {
        "name": c.name, "label": wf.clock_label(c.name, lang), "started_on": c.trigger_on.isoformat(),
        "due_date": c.due_date.isoformat(), "deadline": c.deadline_at.isoformat() if c.deadline_at else None,
        "status": c.status, "stopped_at": c.stopped_at.isoformat() if c.stopped_at else None,
        "stopped_on": c.stopped_on.isoformat() if c.stopped_on else None,
        "original_due_date": c.original_due_date.isoformat(),
        "extended_due_date": c.extended_due_date.isoformat() if c.extended_due_date else None,
        "extensions": c.extensions, "provisional": c.provisional,
        "rule": {"days": c.rule_days, "working": c.working, "source": c.rule_source, "variant": c.variant},
        "calendar_version": c.calendar_version, "version": c.version,
        "next_rung": c.next_rung, "next_rung_at": c.next_rung_at.isoformat() if c.next_rung_at else None,
    }


def petition_to_dict(session: Session, p: Petition, wf: WorkflowDef, lang: str = "vi",
                     personal: bool = True, events: bool = True) -> dict:
    d = {
        "code": p.code, "unit": p.unit.code, "unit_name": p.unit.name, "state": p.state,
        "workflow": p.workflow, "flags": list(p.flags or []),
        "state_label": wf.state_label(p.state, lang), "version": p.version,
        "department": p.department.code if p.department else None,
        "department_name": p.department.name if p.department else None,
        "session": p.session_id, "received_on": p.received_on.isoformat(), "summary": p.summary,
        "category": p.category, "kind": p.kind, "is_group": p.is_group, "group_size": p.group_size,
        "complex_prolonged": p.complex_prolonged, "notice_no": p.notice_no,
        "notice_on": p.notice_on.isoformat() if p.notice_on else None, "document_no": p.document_no,
        "resolved_on": p.resolved_on.isoformat() if p.resolved_on else None, "outcome": p.outcome,
        "referred_agency": p.referred_agency, "reopen_count": p.reopen_count,
        "clocks": [clock_to_dict(c, wf, lang) for c in p.clocks],
        "escalated_to": p.escalated_to.code if p.escalated_to else None,
        "escalated_from": p.escalated_from.code if p.escalated_from else None,
    }
    if personal:
        d["petitioners"] = [{"name": x.name, "address": x.address, "phone": x.phone, "email": x.email}
                            for x in p.petitioners]
    if events:
        d["events"] = [{"seq": e.seq, "action": e.action, "actor": e.actor, "at": e.at.isoformat(),
                        "on": e.effective_on.isoformat(), "data": e.data, "before": e.before, "after": e.after,
                        "hash": e.hash}
                       for e in session.scalars(select(Event).where(Event.petition_id == p.id).order_by(Event.seq))]
    return d


def list_query(session: Session, actor: User | None = None, unit_code: str | None = None, state: str | None = None,
               overdue_on: date | None = None):
    q = select(Petition)
    if actor is not None:
        q = q.where(petition_scope(session, actor))
    if unit_code:
        unit = unit_by_code(session, unit_code)
        q = q.where(Petition.unit_id.in_(subtree_ids(session, unit.id)))
    if state:
        q = q.where(Petition.state == state)
    if overdue_on is not None:
        q = q.where(exists().where(and_(Clock.petition_id == Petition.id, Clock.status == "running",
                                        Clock.due_date < overdue_on)))
    return q.order_by(Petition.received_on, Petition.id)
