"""The lists an administrator edits in the browser (issue 18): petition categories, chair
roles, attending bodies, each entry with a Vietnamese and an English label
(table session_labels; categories are its list "category", seeded by migration 0015).

An entry is never deleted: cases, sessions and reports keep its code. Retiring it hides it
from new entries (the forms offer only active ones) while old records still show its label.
The lists are shared by every unit (reports add up by category), so only an administrator
of a top-level unit edits them.
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import utcnow
from engine.language.errors import Forbidden, NotFound, ValidationError
from engine.persistence import adminlog
from engine.persistence.models import ADMIN_LISTS, CATEGORIES, OrgUnit, SessionLabel, User
from engine.services.common import MAX_ID, choice, count, text

CODE = re.compile(r"[a-z0-9_]{1,32}")


def may_edit(session: Session, actor: User) -> bool:
    unit = session.get(OrgUnit, actor.unit_id)
    return actor.role == "admin" and unit is not None and unit.parent_id is None


def _check(session: Session, actor: User) -> None:
    if not may_edit(session, actor):
        raise Forbidden("lists_top_only")


def entries(session: Session, list_name: str, include_retired: bool = True) -> list[SessionLabel]:
    q = select(SessionLabel).where(SessionLabel.list == list_name).order_by(SessionLabel.position, SessionLabel.id)
    if not include_retired:
        q = q.where(SessionLabel.active.is_(True))
    return list(session.scalars(q))


def label_maps(session: Session, list_name: str) -> dict[str, tuple[str, str]]:
    """code -> (vi, en), retired entries included: old records keep their label."""
    return {e.code: (e.label_vi, e.label_en) for e in entries(session, list_name)}


def active_categories(session: Session) -> tuple[str, ...]:
    """The categories a new case may take; the built-in codes when the list is empty."""
    found = tuple(e.code for e in entries(session, "category", include_retired=False))
    return found or (CATEGORIES if not entries(session, "category") else found)


def known_categories(session: Session) -> tuple[str, ...]:
    """Every category code a stored case may carry (retired ones included)."""
    return tuple(dict.fromkeys(CATEGORIES + tuple(e.code for e in entries(session, "category"))))


def add_entry(session: Session, actor: User, list_name: str, code: str, label_vi: str, label_en: str) -> SessionLabel:
    _check(session, actor)
    list_name = choice(list_name, ADMIN_LISTS, "list")
    code = text(code, "code", limit=32)
    if not CODE.fullmatch(code):
        raise ValidationError("bad_label_code", field="code", value=code)
    if session.scalar(select(SessionLabel.id).where(SessionLabel.list == list_name, SessionLabel.code == code)):
        raise ValidationError("duplicate_code", field="code", code=code)
    last = max((e.position for e in entries(session, list_name)), default=0)
    row = SessionLabel(list=list_name, code=code, label_vi=text(label_vi, "label_vi", limit=255),
                       label_en=text(label_en, "label_en", limit=255), position=last + 10, active=True)
    session.add(row)
    session.flush()
    _log(session, actor, "list_entry_added", row)
    return row


def _log(session: Session, actor: User, action: str, row: SessionLabel) -> None:
    """Lists are shared by every unit and reports add up by them: each change is in the
    administration log (who, when, which entry, its labels)."""
    adminlog.record(session, action, actor, f"{row.list}:{row.code}", utcnow(), unit_id=actor.unit_id,
                    data={"label_vi": row.label_vi, "label_en": row.label_en, "active": row.active})


def _entry(session: Session, entry_id) -> SessionLabel:
    row = session.get(SessionLabel, count(entry_id, "entry", maximum=MAX_ID))
    if row is None or row.list not in ADMIN_LISTS:
        raise NotFound("unknown_label", field="entry", code=entry_id)
    return row


def edit_entry(session: Session, actor: User, entry_id, label_vi: str, label_en: str) -> SessionLabel:
    _check(session, actor)
    row = _entry(session, entry_id)
    row.label_vi = text(label_vi, "label_vi", limit=255)
    row.label_en = text(label_en, "label_en", limit=255)
    _log(session, actor, "list_entry_changed", row)
    return row


def set_active(session: Session, actor: User, entry_id, active: bool) -> SessionLabel:
    _check(session, actor)
    row = _entry(session, entry_id)
    row.active = active
    _log(session, actor, "list_entry_restored" if active else "list_entry_retired", row)
    return row
