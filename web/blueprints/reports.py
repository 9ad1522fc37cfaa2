"""The auditor's read-only overview over the whole scope, with filters."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from engine.models import Petition
from engine.policy import unit_scope_ids
from web import queries as Q
from web.access import allow
from web.blueprints.petitions import _badges, _page, read_filters
from web.dbsession import db

bp = Blueprint("reports", __name__)


@bp.route("/overview")
@allow("auditor", "leader")
def overview():
    s = db()
    user = current_user.model()
    errors: dict = {}
    f = read_filters(errors)
    today = Q.today()
    scope = Q.scope_clause(s, user)
    by_state = dict(s.execute(Q.apply_filters(s, select(Petition.state, func.count(Petition.id)).where(scope), f, today)
                              .group_by(Petition.state)).all())
    if any(f.get(k) for k in ("q", "unit", "department", "state", "category", "date_from", "date_to", "overdue")):
        overdue = s.scalar(Q.apply_filters(s, select(func.count(Petition.id)).where(scope), f, today)
                           .where(Q.overdue_clause(today))) or 0
    else:
        overdue = Q.overdue_count(s, user, today)
    q = Q.apply_filters(s, Q.scoped(s, user), f, today).order_by(Petition.received_on.desc(), Petition.id.desc())
    page = Q.paginate(s, q, _page())
    units = Q.units_in(s, unit_scope_ids(s, user))
    return render_template("overview.html", by_state=by_state, overdue=overdue, total=sum(by_state.values()),
                           page=page, badges=_badges(page.items), f=f, errors=errors,
                           units=[u for u in units if u.level != "department"],
                           departments=[u for u in units if u.level == "department"]), (400 if errors else 200)
