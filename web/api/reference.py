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
from engine.services.sessions import add_session, session_to_dict
from web import queries as Q
from web.access import ALL_ROLES
from web.api import ApiProblem, bp, unique_ref, decode_cursor, encode_cursor, lang, responses, roles, spec, user
from web.api.schemas import (Appendix2Out, DeadlineOut, DeadlineQuery, OntimeOut, OntimeQuery, Problem, ReportQuery,
                             SessionIn, SessionOut, SessionPage, SessionQuery, UnitList)
from web.dbsession import db, unit_of_work

REPORT_ROLES = ("auditor", "leader")      # as the admin's report pages
SESSION_READERS = ("clerk", "leader", "auditor")  # as the admin's log book
SESSION_WRITERS = ("clerk",)


# -- the org tree ---------------------------------------------------------------------------
@bp.get("/units")
@roles(*ALL_ROLES)
@spec.validate(resp=responses(HTTP_200=UnitList), tags=("units",), force_resp_serialize=True)
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
               force_resp_serialize=True)
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
               tags=("reports",), force_resp_serialize=True)
def report_appendix2():
    """Annex 2 (Phụ lục 2) of Regulation 11 for a unit and a period: the admin's numbers"""
    q: ReportQuery = request.context.query
    _range(q)
    unit = _report_unit(q.unit)
    rep = appendix2(db(), unit.code, q.date_from, q.date_to)
    return {"unit": rep.unit, "unit_name": rep.unit_name, "date_from": rep.date_from, "date_to": rep.date_to,
            "figures": rep.figures}


@bp.get("/reports/ontime")
@roles(*REPORT_ROLES)
@spec.validate(query=OntimeQuery, resp=responses(HTTP_200=OntimeOut, HTTP_400=Problem, HTTP_404=Problem),
               tags=("reports",), force_resp_serialize=True)
def report_ontime():
    """On-time rates with 95% Wilson intervals: the admin's numbers"""
    q: OntimeQuery = request.context.query
    _range(q)
    unit = _report_unit(q.unit)
    rep = ontime_report(db(), unit.code, q.date_from, q.date_to, by=q.by, clock=q.clock, today=Q.today(),
                        cal=Q.context().cal, lang=lang())
    d = rep.to_dict()
    d["date_from"], d["date_to"] = rep.date_from, rep.date_to
    return d


# -- sessions -------------------------------------------------------------------------------
@bp.get("/sessions")
@roles(*SESSION_READERS)
@spec.validate(query=SessionQuery, resp=responses(HTTP_200=SessionPage, HTTP_400=Problem), tags=("sessions",),
               force_resp_serialize=True)
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
    return {"items": [session_to_dict(r) for r in page],
            "next_cursor": encode_cursor(page[-1].id) if len(rows) > q.limit else None}


@bp.post("/sessions")
@roles(*SESSION_WRITERS)
@spec.validate(json=SessionIn, resp=responses(HTTP_201=SessionOut, HTTP_400=Problem, HTTP_404=Problem, HTTP_409=Problem),
               tags=("sessions",), force_resp_serialize=True)
def record_session():
    """Record a reception or dialogue that was held (a clerk: for their own unit)"""
    body: SessionIn = request.context.json
    u = user()
    s = db()
    if body.unit and u.role != "admin":
        own = s.get(OrgUnit, u.unit_id)
        if body.unit != own.code:
            raise Forbidden("out_of_scope_receive", username=u.username, unit=body.unit)
    code = body.unit or s.get(OrgUnit, u.unit_id).code
    with unit_of_work() as w:
        unique_ref(w, ReceptionSession, body.external_ref)
        rs = add_session(w, code, body.kind, body.held_on, people=body.people, groups=body.groups,
                         refused=body.refused, chair=body.chair, note=body.note, external_ref=body.external_ref)
        out = session_to_dict(rs)
    return out, 201
