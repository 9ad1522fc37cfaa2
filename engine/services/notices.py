"""Telling the petitioner (Regulation 11 requires it): when the conclusion notice is
issued, when the resolution is extended (the new time and the responsible agency), when it
is resolved, and when it is escalated. By email when the petitioner gave one; otherwise a
task for the unit's clerks to send a letter."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import get_settings
from engine.persistence.models import Event, Petition, User
from engine.persistence.outbox import insert_ignore


def petition_context(p: Petition) -> dict:
    return {"code": p.code, "summary": p.summary, "unit_name": p.unit.name,
            "department_name": p.department.name if p.department else ""}


def notice_context(kind: str, p: Petition, data: dict) -> dict:
    res = p.clock("resolution")
    base = {"petition": petition_context(p)}
    if kind == "petitioner_conclusion":
        base.update(notice_no=p.notice_no or "", notice_on=(p.notice_on.isoformat() if p.notice_on else ""),
                    department_name=p.department.name if p.department else "",
                    due_date=res.due_date.isoformat() if res else "")
    elif kind == "petitioner_extension":
        base.update(new_due_date=res.due_date.isoformat() if res else "",
                    department_name=p.department.name if p.department else "", reason=data.get("reason", ""))
    elif kind == "petitioner_resolved":
        base.update(document_no=p.document_no or "", resolved_on=p.resolved_on.isoformat() if p.resolved_on else "",
                    outcome=p.outcome or "")
    elif kind == "petitioner_escalated":
        base.update(to_unit_name=p.escalated_to.unit.name if p.escalated_to else "", reason=data.get("reason", ""))
    return base


def case_url(p: Petition, public_url: str | None = None) -> str:
    """The link to the case in the admin, as the clerk's letter task and reminders give it."""
    base = public_url if public_url is not None else get_settings().public_url
    return f"{base.rstrip('/')}/petitions/{p.code}"


def tell_petitioners(session: Session, p: Petition, ev: Event, kind: str, public_url: str | None = None) -> list[int]:
    rows = []
    ctx = notice_context(kind, p, ev.data)
    clerks = None
    for i, person in enumerate(p.petitioners):
        if person.email:
            rows.append(dict(key=f"ev:{ev.id}:{kind}:petitioner:{i}", kind=kind, channel="email", to_email=person.email,
                             lang="vi", petition_id=p.id, context=dict(ctx, petitioner_name=person.name)))
        else:
            if clerks is None:
                clerks = list(session.scalars(select(User).where(User.unit_id == p.unit_id, User.role == "clerk",
                                                                  User.active.is_(True))))
            for c in clerks:
                task = {"recipient_name": c.full_name or c.username, "petitioner_name": person.name,
                        "petitioner_address": person.address, "notice_kind": kind,
                        "petition": {"code": p.code, "summary": p.summary}, "notice": ctx,
                        "url": case_url(p, public_url)}
                rows.append(dict(key=f"ev:{ev.id}:letter:{i}:user:{c.id}", kind="letter_task", channel="inbox",
                                 recipient_user_id=c.id, lang=c.lang, petition_id=p.id, context=task))
                if c.email:
                    rows.append(dict(key=f"ev:{ev.id}:letter:{i}:email:{c.id}", kind="letter_task", channel="email",
                                     recipient_user_id=c.id, to_email=c.email, lang=c.lang, petition_id=p.id, context=task))
    return insert_ignore(session, rows)
