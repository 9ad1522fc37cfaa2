"""The administrator's overview: the users and units they manage (their unit and below),
recent sign-ins there and the latest changes in the administration audit log. Changes are
made on the units and users pages (web/blueprints/units_admin.py, users_admin.py)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, or_, select

from engine.persistence.adminlog import verify_admin_log
from engine.persistence.models import AdminEvent, OrgUnit, SignIn, User
from engine.services.unit_admin import scope_ids
from web.access import allow
from web.dbsession import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@allow()
def index():
    s = db()
    ids = scope_ids(s, current_user.model())
    users = list(s.scalars(select(User).where(User.unit_id.in_(ids)).order_by(User.username)))
    units = list(s.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.code)))
    user_ids = [u.id for u in users]
    q = select(SignIn).order_by(SignIn.id.desc()).limit(50)
    if len(ids) < s.scalar(select(func.count(OrgUnit.id))):  # below the root: only its own users' sign-ins
        q = q.where(SignIn.user_id.in_(user_ids))
    sign_ins = list(s.scalars(q))
    events = list(s.scalars(select(AdminEvent).where(or_(AdminEvent.unit_id.in_(ids), AdminEvent.actor_id.in_(user_ids)))
                            .order_by(AdminEvent.seq.desc()).limit(30)))
    return render_template("admin.html", users=users, units=units, sign_ins=sign_ins, events=events,
                           log_broken=verify_admin_log(s))
