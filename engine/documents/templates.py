"""A unit's own templates: upload (checked), the one in use, back to the shipped one.

Only an admin whose unit is the unit or above it may change a unit's templates. Every
upload is kept (who, when, the file's SHA-256); a newer upload or a reset deactivates the
previous one rather than deleting it, so the record shows which template drafted what.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.documents.kinds import FORMATS, KINDS
from engine.documents.placeholders import check_template
from engine.documents.render import Rendered, render_docx
from engine.language.errors import Forbidden, NotFound, ValidationError
from engine.persistence.models import DocumentTemplate, OrgUnit, User
from engine.persistence.scope import subtree_ids
from engine.deadlines.timeutil import utcnow

log = logging.getLogger("petitions.documents")


@dataclass(frozen=True)
class Slot:
    """One kind × format of a unit: the unit's active template, if any."""
    kind: str
    fmt: str
    template: DocumentTemplate | None


def _check_kind_fmt(kind: str, fmt: str) -> None:
    if kind not in KINDS:
        raise ValidationError("doc_unknown_kind", field="kind", kind=kind, choices=", ".join(KINDS))
    if fmt not in FORMATS:
        raise ValidationError("doc_unknown_format", field="fmt", fmt=fmt)


def manageable_units(session: Session, actor: User) -> list[OrgUnit]:
    """The units whose templates `actor` may change: an admin's unit and those below it."""
    if actor.role != "admin":
        return []
    ids = subtree_ids(session, actor.unit_id)
    return list(session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.code)))


def _unit_for(session: Session, actor: User, unit_id) -> OrgUnit:
    try:
        uid = int(unit_id)
    except (TypeError, ValueError):
        raise ValidationError("bad_int", field="unit", value=unit_id) from None
    unit = session.get(OrgUnit, uid)
    if unit is None or actor.role != "admin" or uid not in subtree_ids(session, actor.unit_id):
        raise NotFound("doc_unknown_unit", field="unit", id=unit_id)  # never confirm what lies outside scope
    return unit


def active_template(session: Session, unit_id: int, kind: str, fmt: str) -> DocumentTemplate | None:
    return session.scalar(select(DocumentTemplate).where(
        DocumentTemplate.unit_id == unit_id, DocumentTemplate.kind == kind, DocumentTemplate.fmt == fmt,
        DocumentTemplate.active.is_(True)).order_by(DocumentTemplate.id.desc()).limit(1))


def slots(session: Session, unit_id: int) -> list[Slot]:
    return [Slot(k, f, active_template(session, unit_id, k, f)) for k in KINDS for f in FORMATS]


def upload_template(session: Session, actor: User, unit_id, kind: str, fmt: str, data: bytes, file_name: str = "",
                    now: datetime | None = None) -> DocumentTemplate:
    """Check and store a unit's template; it replaces the active one. Refusals change nothing."""
    if actor.role != "admin":
        raise Forbidden("role_cannot", role=actor.role, action="upload_template")
    unit = _unit_for(session, actor, unit_id)
    _check_kind_fmt(kind, fmt)
    check_template(kind, data)
    session.execute(update(DocumentTemplate).where(
        DocumentTemplate.unit_id == unit.id, DocumentTemplate.kind == kind, DocumentTemplate.fmt == fmt,
        DocumentTemplate.active.is_(True)).values(active=False))
    row = DocumentTemplate(unit_id=unit.id, kind=kind, fmt=fmt, docx=data, file_name=(file_name or "")[:255],
                           sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor.id,
                           uploaded_at=now or utcnow(), active=True)
    session.add(row)
    session.flush()
    log.info("template uploaded", extra={"unit": unit.code, "kind": kind, "fmt": fmt, "sha256": row.sha256,
                                         "actor": actor.username})
    return row


def reset_template(session: Session, actor: User, unit_id, kind: str, fmt: str) -> int:
    """Back to the shipped template: the unit's active one is deactivated (kept on record)."""
    if actor.role != "admin":
        raise Forbidden("role_cannot", role=actor.role, action="reset_template")
    unit = _unit_for(session, actor, unit_id)
    _check_kind_fmt(kind, fmt)
    n = session.execute(update(DocumentTemplate).where(
        DocumentTemplate.unit_id == unit.id, DocumentTemplate.kind == kind, DocumentTemplate.fmt == fmt,
        DocumentTemplate.active.is_(True)).values(active=False)).rowcount
    log.info("template reset to shipped", extra={"unit": unit.code, "kind": kind, "fmt": fmt, "actor": actor.username})
    return n


def draft(session: Session, unit: OrgUnit, kind: str, fmt: str, context: dict) -> Rendered:
    """The DOCX of `kind` for `unit` with its own template when it has one (falling back to
    the shipped one, with a warning, if that fails). What A's issuing flow calls."""
    own = active_template(session, unit.id, kind, fmt)
    return render_docx(kind, fmt, context, override=own.docx if own is not None else None)


# The heading columns an admin edits, with their length limits (migration 0011's columns).
HEADING_FIELDS = {"doc_format": 8, "doc_issuing_body": 255, "doc_parent_body": 255, "doc_place": 128,
                  "doc_issuer_abbr": 32, "doc_signer_name": 255, "doc_signer_title": 128, "doc_signing_form": 8,
                  "doc_signing_for": 255}


def set_heading(session: Session, actor: User, unit_id, values: dict) -> OrgUnit:
    """Change a unit's heading data; an empty field goes back to the derived value.
    All fields are checked before any is written."""
    from engine.documents.heading import SIGNING_FORMS
    from engine.services.common import text

    if actor.role != "admin":
        raise Forbidden("role_cannot", role=actor.role, action="set_heading")
    unit = _unit_for(session, actor, unit_id)
    clean = {}
    for name, limit in HEADING_FIELDS.items():
        if name not in values:
            continue
        value = text(values.get(name), name, required=False, limit=limit, multiline=False)
        if name == "doc_format" and value and value not in FORMATS:
            raise ValidationError("doc_unknown_format", field=name, fmt=value)
        if name == "doc_signing_form" and value and value not in SIGNING_FORMS:
            raise ValidationError("bad_choice", field=name, value=value, choices=", ".join(SIGNING_FORMS))
        clean[name] = value or None
    before = {k: getattr(unit, k) for k in clean}
    for name, value in clean.items():
        setattr(unit, name, value)
    session.flush()
    changed = {k: [before[k], v] for k, v in clean.items() if before[k] != v}
    if changed:
        log.info("document heading changed", extra={"unit": unit.code, "actor": actor.username, "changed": changed})
    return unit
