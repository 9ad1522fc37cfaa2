"""Read-side queries of the list pages: scoped, filtered, paginated without COUNT(*).

Pagination fetches one row more than a page to know whether a next page exists, so a list
stays fast with 100,000 petitions (no full count on every page view).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from engine.models import Clock, OrgUnit, Petition
from engine.policy import petition_scope, subtree_ids
from engine.services.petitions import Context
from engine.text import fold
from engine.timeutil import local_date

PER_PAGE = 50
CODE = re.compile(r"^KN-[A-Za-z0-9-]+-\d{4}-\d{6}$")
RUNNING = ("running", "paused")


def now():
    from web import now_utc
    return now_utc(current_app)


def today() -> date:
    return local_date(now())


def context() -> Context:
    return Context(now=now())


@dataclass
class Page:
    items: list
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(session: Session, q, page: int, per_page: int = PER_PAGE) -> Page:
    page = max(1, page)
    rows = list(session.scalars(q.limit(per_page + 1).offset((page - 1) * per_page)).unique())
    return Page(rows[:per_page], page, len(rows) > per_page)


def sees_every_unit(session: Session, user) -> bool:
    from sqlalchemy import func
    if user.role == "admin":
        return True
    if user.role == "department":
        return False
    return len(subtree_ids(session, user.unit_id)) == session.scalar(select(func.count(OrgUnit.id)))


def scope_clause(session: Session, user):
    """engine.policy.petition_scope, simplified to TRUE when the scope is every unit (a
    province-level auditor): the planner then uses the plain indexes instead of 60 ranges."""
    if sees_every_unit(session, user):
        from sqlalchemy import true
        return true()
    return petition_scope(session, user)


def scoped(session: Session, user):
    return select(Petition).where(scope_clause(session, user))


def overdue_clause(on: date):
    c = aliased(Clock)  # the outer query may already join Clock (by_deadline)
    return exists().where(and_(c.petition_id == Petition.id, c.status.in_(RUNNING), c.due_date < on))


def overdue_count(session: Session, user, on: date) -> int:
    """Petitions in the user's scope with a running clock past due. When the scope is every
    unit, the clocks' (status, due_date) index alone answers; otherwise count from the
    scope's petitions (one running clock per petition, so no DISTINCT is needed)."""
    from sqlalchemy import func
    if sees_every_unit(session, user):
        return session.scalar(select(func.count()).select_from(Clock)
                              .where(Clock.status.in_(RUNNING), Clock.due_date < on)) or 0
    return session.scalar(select(func.count(Petition.id)).where(petition_scope(session, user), overdue_clause(on))) or 0


def by_deadline(q):
    """Open petitions ordered by their running clock's due date (one running clock each)."""
    return (q.join(Clock, and_(Clock.petition_id == Petition.id, Clock.status.in_(RUNNING)))
            .order_by(Clock.due_date, Petition.id))


def apply_filters(session: Session, q, f: dict, on: date):
    """f: q (search), unit, department, state, category, date_from, date_to, overdue."""
    raw = (f.get("q") or "").strip()
    text = fold(raw)
    if CODE.match(raw):  # a petition code: the unique index answers, no scan
        q = q.where(Petition.code == raw.upper())
    elif text:
        for word in text.split()[:6]:
            q = q.where(Petition.search_text.like(f"%{_escape(word)}%", escape="\\"))
    if f.get("unit"):
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == f["unit"]))
        q = q.where(Petition.unit_id.in_(subtree_ids(session, unit.id) if unit else {-1}))
    if f.get("department"):
        dept = session.scalar(select(OrgUnit.id).where(OrgUnit.code == f["department"]))
        q = q.where(Petition.department_id == (dept or -1))
    if f.get("state"):
        q = q.where(Petition.state == f["state"])
    if f.get("category"):
        q = q.where(Petition.category == f["category"])
    if f.get("date_from"):
        q = q.where(Petition.received_on >= f["date_from"])
    if f.get("date_to"):
        q = q.where(Petition.received_on <= f["date_to"])
    if f.get("overdue"):
        q = q.where(overdue_clause(on))
    return q


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def departments_under(session: Session, unit_id: int) -> list[OrgUnit]:
    ids = subtree_ids(session, unit_id)
    return list(session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids), OrgUnit.level == "department")
                                .order_by(OrgUnit.code)))


def units_in(session: Session, ids) -> list[OrgUnit]:
    q = select(OrgUnit).order_by(OrgUnit.code)
    if ids is not None:
        q = q.where(OrgUnit.id.in_(ids))
    return list(session.scalars(q))
