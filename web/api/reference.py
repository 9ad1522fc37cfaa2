"""Sessions, the org tree, the calendar and the reports over the API: the pages' services
and scope (`engine.persistence.scope.unit_scope_ids`), the same numbers as the admin."""
from __future__ import annotations

from flask import request
from sqlalchemy import select

from engine.language.errors import DomainError, Forbidden
from engine.persistence.models import OrgUnit, ReceptionSession
from engine.persistence.scope import unit_scope_ids
from engine.reports.appendix2 import appendix2
from engine.reports.ontime import ontime_report
from engine.persistence.models import User
from engine.reports.compliance import compliance_report
from engine.reports.cache import kept_call
from engine.services.sessions import (add_session, cancel, get_session, plan_session, record_held, reschedule,
                                      session_to_dict)
from web import queries as Q
from web.access import ALL_ROLES
from web.api import ApiProblem, bp, unique_ref, decode_cursor, encode_cursor, lang, responses, roles, spec, user
from web.api.schemas import (Appendix2Out, CancelIn, ComplianceOut, ComplianceQuery, DeadlineOut, DeadlineQuery, HeldIn,
                             OntimeOut, RescheduleIn,
                             OntimeQuery, PlanIn, Problem, ReportQuery, SessionIn, SessionOut, SessionPage, SessionQuery,
                             UnitList)
from web.dbsession import db, report_db, unit_of_work

REPORT_ROLES = ("auditor", "leader")      # as the admin's report pages
COMPLIANCE_ROLES = ("auditor", "leader", "clerk")  # as the admin's compliance page
SESSION_READERS = ("clerk", "leader", "auditor")  # as the admin's log book
SESSION_WRITERS = ("clerk",)


# -- the org tree ---------------------------------------------------------------------------
@bp.get("/units")
@roles(*ALL_ROLES)
@spec.validate(resp=responses(HTTP_200=UnitList), tags=("units",), force_resp_serialize=True,
               operation_id="units")
def units():
    """The org units in the token's scope (the unit and those below it), with effective dates"""
    s = db()
    rows = Q.units_in(s, unit_scope_ids(s, user()))
    codes = {u.id: u.code for u in s.scalars(select(OrgUnit))}
    return {"items": [{"code": u.code, "name": u.name, "level": u.level, "parent": codes.get(u.parent_id),
                       "valid_from": u.valid_from, "valid_to": u.valid_to} for u in rows]}


# -- the calendar ----------------------------------------------------------------------------
@bp.get("/calendar/deadline")
@roles(*ALL_ROLES)
@spec.validate(query=DeadlineQuery, resp=responses(HTTP_200=DeadlineOut, HTTP_400=Problem), tags=("calendar",),
               force_resp_serialize=True,
               operation_id="deadline")
def deadline():
    """Compute a deadline and explain it

    N working days (or calendar days) after `start`, with the days skipped and the worked
    weekend days, each with its legal source; provisional years are flagged."""
    q: DeadlineQuery = request.context.query
    return Q.context().cal.explain(q.start, q.days, q.working).to_dict()


# -- reports --------------------------------------------------------------------------------
def _report_unit(code: str | None) -> OrgUnit:
    s, u = db(), user()
    if not code:
        unit = s.get(OrgUnit, u.unit_id)
        return s.get(OrgUnit, unit.parent_id) if unit.level == "department" and unit.parent_id else unit
    unit = s.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise DomainError("unknown_unit", field="unit", code=code)
    scope = unit_scope_ids(s, u)
    if scope is not None and unit.id not in scope:
        raise ApiProblem(404, "unknown_unit", field="unit", code=code)
    return unit


def _range(q: ReportQuery):
    if q.date_from > q.date_to:
        raise DomainError("bad_period", field="from", start=q.date_from.strftime("%d/%m/%Y"),
                          end=q.date_to.strftime("%d/%m/%Y"))


@bp.get("/reports/appendix2")
@roles(*REPORT_ROLES)
@spec.validate(query=ReportQuery, resp=responses(HTTP_200=Appendix2Out, HTTP_400=Problem, HTTP_404=Problem),
               tags=("reports",), force_resp_serialize=True,
               operation_id="report_appendix2")
def report_appendix2():
    """Annex 2 (Phụ lục 2) of Regulation 11 for a unit and a period: the admin's numbers"""
    q: ReportQuery = request.context.query
    _range(q)
    unit = _report_unit(q.unit)
    rep = kept_call(report_db(), appendix2, unit.code, q.date_from, q.date_to)
    return {"unit": rep.unit, "unit_name": rep.unit_name, "date_from": rep.date_from, "date_to": rep.date_to,
            "figures": rep.figures}


@bp.get("/reports/ontime")
@roles(*REPORT_ROLES)
@spec.validate(query=OntimeQuery, resp=responses(HTTP_200=OntimeOut, HTTP_400=Problem, HTTP_404=Problem),
               tags=("reports",), force_resp_serialize=True,
               operation_id="report_ontime")
def report_ontime():
    """On-time rates with 95% Wilson intervals: the admin's numbers"""
    q: OntimeQuery = request.context.query
    _range(q)
    unit = _report_unit(q.unit)
    rep = kept_call(report_db(), ontime_report, unit.code, q.date_from, q.date_to, by=q.by, clock=q.clock, today=Q.today(),
                        cal=Q.context().cal, lang=lang())
    d = rep.to_dict()
    d["date_from"], d["date_to"] = rep.date_from, rep.date_to
    return d


# -- sessions -------------------------------------------------------------------------------
@bp.get("/sessions")
@roles(*SESSION_READERS)
@spec.validate(query=SessionQuery, resp=responses(HTTP_200=SessionPage, HTTP_400=Problem), tags=("sessions",),
               force_resp_serialize=True,
               operation_id="list_sessions")
def list_sessions():
    """Reception sessions and dialogues held in the token's scope, newest first"""
    q: SessionQuery = request.context.query
    s = db()
    stmt = select(ReceptionSession)
    scope = unit_scope_ids(s, user())
    if scope is not None:
        stmt = stmt.where(ReceptionSession.unit_id.in_(scope))
    after = decode_cursor(q.cursor)
    if after is not None:
        stmt = stmt.where(ReceptionSession.id < after)
    rows = list(s.scalars(stmt.order_by(ReceptionSession.id.desc()).limit(q.limit + 1)))
    page = rows[:q.limit]
    return {"items": [_session_out(r) for r in page],
            "next_cursor": encode_cursor(page[-1].id) if len(rows) > q.limit else None}


def _session_out(rs, warnings=()) -> dict:
    from engine.language.messages import render
    d = session_to_dict(rs)
    d["version"] = rs.version
    d["warnings"] = [render(code, lang(), **params) for code, params in warnings]
    return d


def _write_unit(code: str | None) -> str:
    """The unit a session is written for: the token user's own (a clerk may name only it)."""
    u, s = user(), db()
    own = s.get(OrgUnit, u.unit_id).code
    if code and code != own and u.role != "admin":
        raise Forbidden("session_out_of_scope", username=u.username, unit=code)
    return code or own


def _scoped_session(session_id: int):
    rs = get_session(db(), session_id)
    scope = unit_scope_ids(db(), user())
    if scope is not None and rs.unit_id not in scope:
        raise ApiProblem(404, "unknown_session", field="session", id=session_id)
    return rs


@bp.get("/sessions/<int:session_id>")
@roles(*SESSION_READERS)
@spec.validate(resp=responses(HTTP_200=SessionOut, HTTP_404=Problem), tags=("sessions",), force_resp_serialize=True,
               operation_id="read_session")
def read_session(session_id: int):
    """One reception or dialogue in the token's scope"""
    return _session_out(_scoped_session(session_id))


@bp.post("/sessions")
@roles(*SESSION_WRITERS)
@spec.validate(json=SessionIn, resp=responses(HTTP_201=SessionOut, HTTP_400=Problem, HTTP_404=Problem, HTTP_409=Problem),
               tags=("sessions",), force_resp_serialize=True,
               operation_id="record_session")
def record_session():
    """Record a reception or dialogue that was held without a plan (a clerk: for their own unit)"""
    b: SessionIn = request.context.json
    code = _write_unit(b.unit)
    with unique_ref(b.external_ref), unit_of_work() as w:
        rs = add_session(w, code, b.kind, b.held_on, people=b.people, groups=b.groups, refused=b.refused,
                         chair=b.chair, note=b.note, external_ref=b.external_ref, chair_role=b.chair_role,
                         place=b.place, topic=b.topic, starts_at=b.starts_at, ends_at=b.ends_at,
                         actor=w.get(User, user().id), today=Q.today())
        out = _session_out(rs)
    return out, 201


@bp.post("/sessions/plan")
@roles(*SESSION_WRITERS)
@spec.validate(json=PlanIn, resp=responses(HTTP_201=SessionOut, HTTP_400=Problem, HTTP_404=Problem),
               tags=("sessions",), force_resp_serialize=True,
               operation_id="plan")
def plan():
    """Plan a reception or dialogue (a clerk: for their own unit); a chair booked twice is a warning"""
    b: PlanIn = request.context.json
    code = _write_unit(b.unit)
    with unit_of_work() as w:
        res = plan_session(w, code, b.kind, b.on, starts_at=b.starts_at, ends_at=b.ends_at, place=b.place,
                           chair=b.chair, chair_role=b.chair_role, topic=b.topic, note=b.note,
                           actor=w.get(User, user().id), today=Q.today())
        out = _session_out(res.session, res.warnings)
    return out, 201


@bp.post("/sessions/<int:session_id>/held")
@roles(*SESSION_WRITERS)
@spec.validate(json=HeldIn, resp=responses(HTTP_200=SessionOut, HTTP_400=Problem, HTTP_404=Problem),
               tags=("sessions",), force_resp_serialize=True,
               operation_id="held")
def held(session_id: int):
    """Record a planned session as held (its clocks follow a change of day)"""
    b: HeldIn = request.context.json
    _scoped_session(session_id)
    with unit_of_work() as w:
        res = record_held(w, session_id, held_on=b.held_on, people=b.people, groups=b.groups, refused=b.refused,
                          note=b.note, chair=b.chair, actor=w.get(User, user().id), today=Q.today(),
                          expect_version=b.version, ctx=Q.context(), now=Q.now())
        out = _session_out(res.session, res.warnings)
    return out


@bp.post("/sessions/<int:session_id>/reschedule")
@roles(*SESSION_WRITERS)
@spec.validate(json=RescheduleIn, resp=responses(HTTP_200=SessionOut, HTTP_400=Problem, HTTP_404=Problem),
               tags=("sessions",), force_resp_serialize=True, operation_id="reschedule_session")
def reschedule_session(session_id: int):
    """Move a planned session to another day (a published schedule is updated; case clocks follow)"""
    b: RescheduleIn = request.context.json
    _scoped_session(session_id)
    extra = {k: getattr(b, k) for k in ("starts_at", "ends_at") if k in b.model_fields_set}
    with unit_of_work() as w:
        res = reschedule(w, session_id, b.on, reason=b.reason, place=b.place, actor=w.get(User, user().id),
                         today=Q.today(), expect_version=b.version, now=Q.now(), ctx=Q.context(), **extra)
        out = _session_out(res.session, res.warnings)
    return out


@bp.post("/sessions/<int:session_id>/cancel")
@roles(*SESSION_WRITERS)
@spec.validate(json=CancelIn, resp=responses(HTTP_200=SessionOut, HTTP_400=Problem, HTTP_404=Problem),
               tags=("sessions",), force_resp_serialize=True, operation_id="cancel_session")
def cancel_session(session_id: int):
    """Cancel a planned session, with the reason (a published schedule is updated)"""
    b: CancelIn = request.context.json
    _scoped_session(session_id)
    with unit_of_work() as w:
        rs = cancel(w, session_id, reason=b.reason, actor=w.get(User, user().id), expect_version=b.version,
                    now=Q.now())
        out = _session_out(rs)
    return out


@bp.get("/reports/compliance")
@roles(*COMPLIANCE_ROLES)
@spec.validate(query=ComplianceQuery, resp=responses(HTTP_200=ComplianceOut, HTTP_400=Problem, HTTP_404=Problem),
               tags=("reports",), force_resp_serialize=True,
               operation_id="report_compliance")
def report_compliance():
    """Receptions and dialogues held as the rules require: required, planned, held, missed, shortfall"""
    q: ComplianceQuery = request.context.query
    _range(q)
    unit = _report_unit(q.unit)
    rep = kept_call(report_db(), compliance_report, unit.code, q.date_from, q.date_to, as_of=Q.today(), lang=lang(), cal=Q.context().cal)
    d = rep.to_dict()
    d["date_from"], d["date_to"] = rep.date_from, rep.date_to
    return d
