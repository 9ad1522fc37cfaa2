"""Sign-in and sign-out (Flask-Login), the failed-attempt limit, the language switch."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import func, select

from engine.persistence.models import OrgUnit, SignIn, User
from engine.services.passwords import verify_password
from engine.services.users import end_sessions
from engine.deadlines.timeutil import utcnow
from web.security import local_target
from web.dbsession import db, unit_of_work
from web.extensions import login_manager
from web.i18n import LANGS

bp = Blueprint("auth", __name__)

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


class CurrentUser(UserMixin):
    """The signed-in user, reloaded from the database on every request.

    Its id in the session is "<user id>:<session epoch>": sign-out, a new password, a new
    role or unit and deactivation bump `User.session_epoch` (engine.services.users), and
    the loader refuses a session issued under another epoch, so a copied cookie dies with
    the session it was copied from."""

    def __init__(self, user: User):
        self._user = user
        self.id = user.id
        self.username = user.username
        self.full_name = user.full_name
        self.role = user.role
        self.unit_id = user.unit_id
        self.unit_code = user.unit.code
        self.unit_name = user.unit.name
        self.lang = user.lang
        self.session_epoch = user.session_epoch

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def model(self) -> User:
        return self._user


def init_login(app) -> None:
    @login_manager.user_loader
    def _load(session_id: str):
        try:
            user_id, epoch = (int(part) for part in str(session_id).split(":"))
        except (TypeError, ValueError):  # no epoch (a cookie from before epochs): sign in again
            return None
        user = db().get(User, user_id)
        if user is None or not user.active or user.session_epoch != epoch:
            return None
        return CurrentUser(user)


def client_address() -> str:
    # Behind gunicorn and a proxy, configure ProxyFix in wsgi.py; here the socket address.
    return (request.remote_addr or "")[:64]


def _recent_failures(username: str, address: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    return db().scalar(select(func.count(SignIn.id)).where(
        SignIn.username == username, SignIn.address == address, SignIn.ok.is_(False), SignIn.at >= since)) or 0


def _record(username: str, user_id, address: str, ok: bool) -> None:
    with unit_of_work() as s:
        s.add(SignIn(username=username[:64], user_id=user_id, address=address, ok=ok, at=utcnow()))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("petitions.home"))
    errors, username = {}, ""
    status = 200
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        address = client_address()
        if not username:
            errors["username"] = _("Enter your username.")
        if not password:
            errors["password"] = _("Enter your password.")
        if not errors:
            if _recent_failures(username, address) >= MAX_FAILURES:
                _record(username, None, address, False)
                errors["form"] = _("Too many failed sign-ins. Wait 15 minutes and try again.")
                status = 429
            else:
                user = db().scalar(select(User).where(User.username == username))
                ok = user is not None and user.active and verify_password(user.password_hash, password)
                _record(username, user.id if user is not None else None, address, ok)
                if ok:
                    lang = session.get("lang") or user.lang
                    session.clear()  # no session fixation
                    session["lang"] = lang if lang in LANGS else "vi"
                    login_user(CurrentUser(user))
                    return redirect(local_target(request.args.get("next"), url_for("petitions.home")))
                errors["form"] = _("Wrong username or password.")
                status = 401
        else:
            status = 400
    return render_template("login.html", errors=errors, username=username), status


@bp.route("/logout", methods=["POST"])
def logout():
    lang = session.get("lang")
    if current_user.is_authenticated:
        with unit_of_work() as s:
            end_sessions(s, current_user.id)  # every copy of this cookie, and the user's other sessions
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang", methods=["POST"])
def set_lang():
    lang = request.form.get("lang")
    if lang in LANGS:
        session["lang"] = lang
    return redirect(local_target(request.form.get("next"), url_for("petitions.home")))


@bp.app_context_processor
def _units():
    return {"unit_name": lambda uid: db().get(OrgUnit, uid).name if uid else ""}
