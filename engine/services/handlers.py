"""Who handles a denunciation, by name (Luật Tố cáo 2018 art. 47-48: the denouncer's identity
is kept secret and known only to those handling the case). Whoever received it is named at
intake; the head of the receiving unit (a leader of that unit) names the others — the
department's officer who verifies, a fellow leader — and can withdraw a name. Naming does
not show the head the identity: a leader sees it only if named too. Every change is in the
case's history; every time the identity is shown, a row in identity_reveals says to whom,
when and where (page, print, export, API)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_date
from engine.language.errors import Forbidden, NotFound, ValidationError, VersionConflict
from engine.persistence import eventlog
from engine.persistence.models import CaseHandler, IdentityReveal, OrgUnit, Petition, User
from engine.persistence.scope import can_read
from engine.services.petitions import _claim_version, _snapshot
from engine.workflow.policy import protects_identity

ASSIGNERS = ("leader",)                        # the head of the receiving unit
HANDLER_ROLES = ("clerk", "leader", "department")
CHANNELS = ("page", "print", "export", "api")


def _check_assigner(session: Session, actor: User, p: Petition) -> None:
    if not can_read(session, actor, p):
        raise NotFound("unknown_petition", field="code", code=p.code)
    if not protects_identity(p):
        raise ValidationError("handlers_denunciation_only", field="code", code=p.code)
    if actor.role not in ASSIGNERS or actor.unit_id != p.unit_id:
        raise Forbidden("handlers_head_only", username=actor.username, code=p.code)


def eligible(session: Session, p: Petition) -> list[User]:
    """Who may be named: the active clerks and leaders of the receiving unit and the officers
    of its departments."""
    departments = list(session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id == p.unit_id,
                                                                 OrgUnit.level == "department")))
    return list(session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(HANDLER_ROLES),
                           User.unit_id.in_([p.unit_id, *departments])).order_by(User.full_name, User.username)))


def _claim(session: Session, p: Petition, expect_version: int | None) -> dict:
    if expect_version is not None and int(expect_version) != p.version:
        raise VersionConflict("version_conflict", code=p.code, actual=p.version, expected=expect_version)
    before = _snapshot(p)
    _claim_version(session, p)
    return before


def add_handler(session: Session, actor: User, p: Petition, username: str, at: datetime,
                expect_version: int | None = None):
    _check_assigner(session, actor, p)
    person = next((u for u in eligible(session, p) if u.username == (username or "").strip()), None)
    if person is None:
        raise ValidationError("handler_not_eligible", field="handler", username=(username or "").strip()[:64],
                              unit=p.unit.name)
    if person.id in p.handler_ids:
        raise ValidationError("handler_already", field="handler", name=person.full_name or person.username)
    before = _claim(session, p, expect_version)
    session.add(CaseHandler(petition_id=p.id, user_id=person.id, added_by_id=actor.id, added_at=at))
    session.flush()
    session.expire(p, ["handlers"])
    return eventlog.append(session, p, "assign_handler", actor.id, actor.username, at, local_date(at), before,
                           _snapshot(p), {"handler": person.full_name or person.username})


def remove_handler(session: Session, actor: User, p: Petition, username: str, at: datetime,
                   expect_version: int | None = None):
    _check_assigner(session, actor, p)
    row = session.scalar(select(CaseHandler).join(User, CaseHandler.user_id == User.id)
                         .where(CaseHandler.petition_id == p.id, CaseHandler.removed_at.is_(None),
                                User.username == (username or "").strip()))
    if row is None:
        raise ValidationError("handler_not_named", field="handler", username=(username or "").strip()[:64])
    before = _claim(session, p, expect_version)
    row.removed_at, row.removed_by_id = at, actor.id
    session.flush()
    session.expire(p, ["handlers"])
    return eventlog.append(session, p, "withdraw_handler", actor.id, actor.username, at, local_date(at), before,
                           _snapshot(p), {"handler": row.user.full_name or row.user.username})


def record_reveals(session: Session, reveals: list[tuple[int, int, str, str]], at: datetime) -> None:
    """Write who was shown which denouncer's identity: (petition id, user id, channel, path)."""
    for petition_id, user_id, channel, path in dict.fromkeys(reveals):
        session.add(IdentityReveal(petition_id=petition_id, user_id=user_id, at=at,
                                   channel=channel if channel in CHANNELS else "page", path=path[:255]))


def reveals_of(session: Session, petition_ids=None, limit: int = 200) -> list[IdentityReveal]:
    q = select(IdentityReveal).order_by(IdentityReveal.at.desc(), IdentityReveal.id.desc()).limit(limit)
    if petition_ids is not None:
        q = q.where(IdentityReveal.petition_id.in_(petition_ids))
    return list(session.scalars(q))
