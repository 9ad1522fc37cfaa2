"""The administrator's read-only view of users, units and sign-ins (changes go through
`petitions units load` / `petitions users add`)."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from engine.persistence.models import OrgUnit, SignIn, User
from web.access import allow
from web.dbsession import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@allow()
def index():
    s = db()
    users = list(s.scalars(select(User).order_by(User.username)))
    units = list(s.scalars(select(OrgUnit).order_by(OrgUnit.code)))
    sign_ins = list(s.scalars(select(SignIn).order_by(SignIn.id.desc()).limit(50)))
    return render_template("admin.html", users=users, units=units, sign_ins=sign_ins)
