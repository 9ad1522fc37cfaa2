"""The small records behind Phụ lục 1 and 3 (issue 16).

* **Outreach activities** (Phụ lục 1): conferences and training sessions on Regulation 11 the
  office of a unit held, with the cadres and members who took part and the materials handed
  out. Entered by the unit's office: clerks and leaders for their unit or a unit below it.
* **Inspections and supervisions** (Phụ lục 3): recorded by auditors with their findings —
  the auditors' first write permission. An auditor records only for a unit in their scope
  (their own unit or one below it); nothing else becomes writable for them.

Every add and delete is one transaction and is written to ``annex_record_log`` with who did
it and what the record held.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_date, parse_date, utcnow
from engine.language.errors import Forbidden, NotFound, ValidationError
from engine.persistence.models import AnnexRecordLog, Inspection, OrgUnit, OutreachActivity, User
from engine.persistence.scope import unit_scope_ids
from engine.services.common import MAX_ID, choice, count, text, unit_by_code, user_by_name

OUTREACH_KINDS = ("conference", "training")
OUTREACH_KIND_LABELS = {"conference": ("Hội nghị", "Conference"), "training": ("Lớp tập huấn", "Training session")}
INSPECTION_KINDS = ("inspection", "supervision")
INSPECTION_KIND_LABELS = {"inspection": ("Kiểm tra", "Inspection"), "supervision": ("Giám sát", "Supervision")}
OUTREACH_ROLES = ("clerk", "leader")
INSPECTION_ROLES = ("auditor",)
MAX_BODIES = 10_000  # bodies inspected in one programme: a province has a few hundred


def _actor(session: Session, by) -> User:
    return by if isinstance(by, User) else user_by_name(session, by)


def _unit_for(session: Session, actor: User, unit_code: str, roles: tuple[str, ...], action: str) -> OrgUnit:
    if actor.role != "admin" and actor.role not in roles:
        raise Forbidden("role_cannot", role=actor.role, action=action)
    unit = unit_by_code(session, unit_code)
    if unit.level == "department":
        raise ValidationError("bad_choice", field="unit", value=unit.code, choices="xã, phường, huyện, tỉnh")
    scope = unit_scope_ids(session, actor)
    if scope is not None and unit.id not in scope:
        raise Forbidden("annex_record_out_of_scope", field="unit", username=actor.username, code=unit.code)
    return unit


def _day(value, field: str = "held_on") -> date:
    d = parse_date(value, field)
    if d > local_date(utcnow()):
        raise ValidationError("date_in_future", field=field, date=d.strftime("%d/%m/%Y"))
    return d


def _log(session: Session, record: str, record_id: int, action: str, actor: User, data: dict) -> None:
    session.add(AnnexRecordLog(record=record, record_id=record_id, action=action, actor_id=actor.id, at=utcnow(),
                               data=data))


def add_outreach(session: Session, unit_code: str, held_on, kind: str, title: str, participants=0, materials=0,
                 note: str = "", *, by) -> OutreachActivity:
    actor = _actor(session, by)
    unit = _unit_for(session, actor, unit_code, OUTREACH_ROLES, "add_outreach")
    rec = OutreachActivity(unit_id=unit.id, held_on=_day(held_on), kind=choice(kind, OUTREACH_KINDS, "kind"),
                           title=text(title, "title", limit=255), participants=count(participants, "participants"),
                           materials=count(materials, "materials"), note=text(note, "note", required=False),
                           created_by=actor.id)
    session.add(rec)
    session.flush()
    _log(session, "outreach", rec.id, "add", actor, _outreach_dict(rec, unit))
    return rec


def add_inspection(session: Session, unit_code: str, held_on, kind: str, planned=True, bodies=0,
                   heads_disciplined=0, heads_violating=0, subject: str = "", findings: str = "", *,
                   by) -> Inspection:
    actor = _actor(session, by)
    unit = _unit_for(session, actor, unit_code, INSPECTION_ROLES, "add_inspection")
    n_bodies = count(bodies, "bodies", MAX_BODIES)
    disc, viol = count(heads_disciplined, "heads_disciplined", MAX_BODIES), count(heads_violating, "heads_violating",
                                                                                  MAX_BODIES)
    if disc + viol > n_bodies:  # one head per body inspected: more heads than bodies is a typing error
        raise ValidationError("heads_exceed_bodies", field="heads_violating", n=disc + viol, bodies=n_bodies)
    if isinstance(planned, str):
        planned = choice(planned.lower(), ("planned", "adhoc", "1", "0", "true", "false"), "planned") in (
            "planned", "1", "true")
    rec = Inspection(unit_id=unit.id, held_on=_day(held_on), kind=choice(kind, INSPECTION_KINDS, "kind"),
                     planned=bool(planned), bodies=n_bodies, heads_disciplined=disc, heads_violating=viol,
                     subject=text(subject, "subject", required=False, limit=255),
                     findings=text(findings, "findings", required=False, limit=4000, multiline=True),
                     created_by=actor.id)
    session.add(rec)
    session.flush()
    _log(session, "inspection", rec.id, "add", actor, _inspection_dict(rec, unit))
    return rec


def _record(session: Session, model, record_id):
    rid = count(record_id, "id", MAX_ID)
    rec = session.get(model, rid)
    if rec is None:
        raise NotFound("unknown_annex_record", field="id", id=rid)
    return rec


def delete_outreach(session: Session, record_id, *, by) -> None:
    actor = _actor(session, by)
    rec = _record(session, OutreachActivity, record_id)
    unit = _unit_for(session, actor, rec.unit.code, OUTREACH_ROLES, "delete_outreach")
    _log(session, "outreach", rec.id, "delete", actor, _outreach_dict(rec, unit))
    session.delete(rec)
    session.flush()


def delete_inspection(session: Session, record_id, *, by) -> None:
    actor = _actor(session, by)
    rec = _record(session, Inspection, record_id)
    unit = _unit_for(session, actor, rec.unit.code, INSPECTION_ROLES, "delete_inspection")
    _log(session, "inspection", rec.id, "delete", actor, _inspection_dict(rec, unit))
    session.delete(rec)
    session.flush()


def _outreach_dict(r: OutreachActivity, unit: OrgUnit) -> dict:
    return {"id": r.id, "unit": unit.code, "held_on": r.held_on.isoformat(), "kind": r.kind, "title": r.title,
            "participants": r.participants, "materials": r.materials, "note": r.note}


def _inspection_dict(r: Inspection, unit: OrgUnit) -> dict:
    return {"id": r.id, "unit": unit.code, "held_on": r.held_on.isoformat(), "kind": r.kind, "planned": r.planned,
            "bodies": r.bodies, "heads_disciplined": r.heads_disciplined, "heads_violating": r.heads_violating,
            "subject": r.subject, "findings": r.findings}


def list_outreach(session: Session, unit_ids, start: date, end: date) -> list[dict]:
    q = (select(OutreachActivity).where(OutreachActivity.unit_id.in_(sorted(unit_ids)),
                                        OutreachActivity.held_on >= start, OutreachActivity.held_on <= end)
         .order_by(OutreachActivity.held_on, OutreachActivity.id))
    return [_outreach_dict(r, r.unit) | {"unit_name": r.unit.name} for r in session.scalars(q)]


def list_inspections(session: Session, unit_ids, start: date, end: date) -> list[dict]:
    q = (select(Inspection).where(Inspection.unit_id.in_(sorted(unit_ids)), Inspection.held_on >= start,
                                  Inspection.held_on <= end).order_by(Inspection.held_on, Inspection.id))
    return [_inspection_dict(r, r.unit) | {"unit_name": r.unit.name} for r in session.scalars(q)]
