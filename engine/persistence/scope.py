"""Read scope in the database: the org tree below a unit, and the WHERE clauses and
checks that limit what a user may read to it. One policy for the CLI, the admin and the
reports; the role rules themselves are pure (`engine.workflow.policy`).

A user sees their unit and the units below it; a department sees only the petitions
assigned to it; an admin sees everything.
"""
from __future__ import annotations

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from engine.persistence.models import OrgUnit, Petition, User
from engine.workflow.policy import can_read_in


def subtree_ids(session: Session, unit_id: int) -> set[int]:
    """The unit and every unit below it (the tree is small: load the edges once)."""
    cache = session.info.setdefault("_subtree_cache", {})
    if unit_id in cache:
        return cache[unit_id]
    children: dict[int | None, list[int]] = {}
    for uid, parent in session.execute(select(OrgUnit.id, OrgUnit.parent_id)):
        children.setdefault(parent, []).append(uid)
    out, stack = set(), [unit_id]
    while stack:
        u = stack.pop()
        if u not in out:
            out.add(u)
            stack.extend(children.get(u, ()))
    cache[unit_id] = out
    return out


def ancestors(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """The unit itself, then its parent, up to the root."""
    chain, seen = [], set()
    while unit is not None and unit.id not in seen:
        chain.append(unit)
        seen.add(unit.id)
        unit = session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
    return chain


def petition_scope(session: Session, user: User):
    """A WHERE clause limiting petitions to what `user` may read."""
    if user.role == "admin":
        return true()
    ids = subtree_ids(session, user.unit_id)
    if user.role == "department":
        return Petition.department_id.in_(ids)
    return Petition.unit_id.in_(ids)


def can_read(session: Session, user: User, petition: Petition) -> bool:
    if user.role == "admin":
        return True
    return can_read_in(user, petition, subtree_ids(session, user.unit_id))


def unit_scope_ids(session: Session, user: User) -> set[int] | None:
    """Units whose sessions and reports `user` may read (None = all)."""
    if user.role == "admin":
        return None
    unit = session.get(OrgUnit, user.unit_id)
    root = unit.parent_id if (unit is not None and unit.level == "department") else user.unit_id
    return subtree_ids(session, root) if user.role != "department" else {user.unit_id}
