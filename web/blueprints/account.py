"""Self-service for every signed-in user (change one's password, notifications, language, one's
own recent sign-ins) and the page behind an invitation or reset link (no sign-in: the link is
the credential, once, until it expires)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from engine.language.errors import DomainError
from engine.persistence.models import User
from engine.services import user_admin as svc
from web import queries as Q
from web.access import ALL_ROLES, allow, public
from web.adminforms import refused
from web.auth import CurrentUser
from web.dbsession import db, unit_of_work
from web.i18n import LANGS

bp = Blueprint("account", __name__)

PASSWORD_FIELDS = ("current", "password", "confirm")
PREFERENCE_FIELDS = ("notify_mode", "lang")


def _page(errors=None, status=200):
    me = db().get(User, current_user.id)
    return render_template("account.html", user=me, errors=errors or {}, sign_ins=svc.own_sign_ins(db(), me),
                           modes=svc.NOTIFY_MODES, langs=svc.LANGS), status


@bp.route("/account")
@allow(*ALL_ROLES)
def index():
    return _page()[0]


@bp.route("/account/password", methods=["POST"])
@allow(*ALL_ROLES)
def password():
    values = {k: request.form.get(k, "") for k in PASSWORD_FIELDS}
    try:
        with unit_of_work() as w:
            me = svc.change_own_password(w, current_user.model(), values["current"], values["password"],
                                         values["confirm"], Q.now())
            user_id = me.id
    except DomainError as exc:
        return _page(refused(exc, PASSWORD_FIELDS), 400)
    # Every session of the user ended with the new password (the epoch moved on); this one
    # continues under a fresh session id, so only the other devices are signed out.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(CurrentUser(db().get(User, user_id)))
    flash(_("Your password was changed. Your other sessions have ended."), "info")
    return redirect(url_for("account.index"))


@bp.route("/account/preferences", methods=["POST"])
@allow(*ALL_ROLES)
def preferences():
    values = {k: request.form.get(k, "") for k in PREFERENCE_FIELDS}
    try:
        with unit_of_work() as w:
            me = svc.set_preferences(w, current_user.model(), values["notify_mode"], values["lang"], Q.now())
            lang = me.lang
    except DomainError as exc:
        return _page(refused(exc, PREFERENCE_FIELDS), 400)
    if lang in LANGS:
        session["lang"] = lang
    flash(_("Your preferences were saved."), "info")
    return redirect(url_for("account.index"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def invitation(token: str):
    """Set one's password from a one-time link, then sign in as usual."""
    errors, status, user = {}, 200, None
    try:
        user = svc.invitation_for(db(), token, Q.now()).user
    except DomainError as exc:
        return render_template("invitation.html", errors=refused(exc), user=None), 404
    if request.method == "POST":
        try:
            with unit_of_work() as w:
                svc.accept_invitation(w, token, request.form.get("password", ""), request.form.get("confirm", ""), Q.now())
        except DomainError as exc:
            errors, status = refused(exc, ("password", "confirm")), 400
        else:
            if current_user.is_authenticated:  # someone else's session in this browser: not theirs
                logout_user()
            flash(_("Your password is set. Sign in with it."), "info")
            return redirect(url_for("auth.login"))
    return render_template("invitation.html", errors=errors, user=user), status
