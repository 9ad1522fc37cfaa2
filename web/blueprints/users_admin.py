"""Users in the browser (role admin, the users of its unit and below): create with a password
or an invitation link, change role or unit, set a password or send a reset link, deactivate
and reactivate. Each change ends the user's sessions where it must and is written to the
administration audit log (`engine.services.user_admin`)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.deadlines.timeutil import local_date
from engine.language.errors import DomainError
from engine.persistence.models import ROLES, AdminEvent, User
from engine.services import user_admin as svc
from web import queries as Q
from web.access import allow
from web.adminforms import actor, open_units, refused
from web.dbsession import db, unit_of_work

bp = Blueprint("useradmin", __name__, url_prefix="/admin/users")


@bp.app_context_processor
def _labels():
    from web.adminforms import admin_action_label
    return {"admin_action_label": admin_action_label}

NEW_FIELDS = ("username", "full_name", "email", "role", "unit", "how", "password", "confirm", "days")


def _link(secret: str) -> str:
    return url_for("account.invitation", token=secret, _external=True)


def _index(errors=None, values=None, link=None, status=200):
    s = db()
    return render_template("admin_users.html", users=svc.users_in_scope(s, actor()), roles=ROLES,
                           units=open_units(local_date(Q.now()), s), errors=errors or {},
                           values=values or {"how": "invite", "role": "clerk"}, link=link,
                           invite_days=svc.INVITE_DAYS, max_days=svc.MAX_INVITE_DAYS), status


@bp.route("/", methods=["GET", "POST"])
@allow()
def index():
    if request.method == "GET":
        return _index()[0]
    values = {k: request.form.get(k, "") for k in NEW_FIELDS}
    invite = values["how"] != "password"
    try:
        with unit_of_work() as w:
            user, secret = svc.create_user(w, w.get(User, actor().id), values["username"], values["role"], values["unit"],
                                           full_name=values["full_name"], email=values["email"] or None,
                                           password=values["password"], confirm=values["confirm"], invite=invite,
                                           days=values["days"] or None, now=Q.now())
            username, user_id = user.username, user.id
    except DomainError as exc:
        values["password"] = values["confirm"] = ""  # a password is never sent back in a page
        return _index(refused(exc, NEW_FIELDS), values, status=400)
    if secret:  # shown once, on this answer: only its hash is kept
        return _show(user_id, link=_link(secret), status=201)
    flash(_("User %(username)s was created.", username=username), "info")
    return redirect(url_for("useradmin.show", user_id=user_id))


def _user_or_404(user_id: int) -> User:
    """Users are addressed by id (a number in the address, not a name)."""
    user = db().get(User, user_id)
    try:
        return svc.scoped_user(db(), actor(), user.username if user is not None else "")
    except DomainError:
        abort(404)


def _show(user_id: int, errors=None, values=None, link=None, status=200):
    s = db()
    user = _user_or_404(user_id)
    from sqlalchemy import select
    events = list(s.scalars(select(AdminEvent).where(AdminEvent.target == user.username)
                            .order_by(AdminEvent.seq.desc()).limit(20)))
    return render_template("admin_user.html", user=user, roles=ROLES, units=open_units(local_date(Q.now()), s),
                           errors=errors or {}, values=values or {}, link=link, events=events,
                           pending=svc.pending_links(s, user.id, Q.now()), own=user.id == actor().id), status


@bp.route("/<int:user_id>")
@allow()
def show(user_id: int):
    return _show(user_id)[0]


def _change(user_id: int, fields: tuple[str, ...], do, done: str):
    user = _user_or_404(user_id)
    values = {k: request.form.get(k, "") for k in fields}
    try:
        with unit_of_work() as w:
            out = do(w, w.get(User, actor().id), user.username, values)
    except DomainError as exc:
        values.pop("password", None), values.pop("confirm", None)
        return _show(user.id, refused(exc, fields), values, status=400)
    if isinstance(out, str):
        return _show(user.id, link=_link(out), status=200)
    flash(done, "info")
    return redirect(url_for("useradmin.show", user_id=user.id))


@bp.route("/<int:user_id>/change", methods=["POST"])
@allow()
def change(user_id: int):
    return _change(user_id, ("role", "unit"),
                   lambda w, me, name, v: svc.change_role_unit(w, me, name, v["role"], v["unit"], now=Q.now()) and None,
                   _("Role and unit saved; the user's sessions have ended."))


@bp.route("/<int:user_id>/password", methods=["POST"])
@allow()
def password(user_id: int):
    return _change(user_id, ("password", "confirm"),
                   lambda w, me, name, v: svc.admin_set_password(w, me, name, v["password"], v["confirm"], now=Q.now())
                   and None, _("The password was set; the user's sessions have ended."))


@bp.route("/<int:user_id>/reset", methods=["POST"])
@allow()
def reset(user_id: int):
    return _change(user_id, (), lambda w, me, name, v: svc.reset_link(w, me, name, now=Q.now())[1], "")


@bp.route("/<int:user_id>/invite", methods=["POST"])
@allow()
def invite(user_id: int):
    return _change(user_id, ("days",),
                   lambda w, me, name, v: svc.reinvite(w, me, name, v["days"] or None, now=Q.now())[1], "")


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@allow()
def deactivate(user_id: int):
    return _change(user_id, (), lambda w, me, name, v: svc.set_active(w, me, name, False, now=Q.now()) and None,
                   _("The user was deactivated; their sessions and tokens have ended."))


@bp.route("/<int:user_id>/activate", methods=["POST"])
@allow()
def activate(user_id: int):
    return _change(user_id, (), lambda w, me, name, v: svc.set_active(w, me, name, True, now=Q.now()) and None,
                   _("The user was reactivated."))
