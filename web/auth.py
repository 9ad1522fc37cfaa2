"""Sign-in and sign-out (Flask-Login), the failed-attempt limit, the language switch."""
from __future__ import annotations

import logging
import math
from datetime import timedelta

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import func, select

from engine.persistence.models import OrgUnit, SignIn, User
from engine.services.passwords import verify_dummy, verify_password
from engine.services.users import end_sessions
from web.queries import now as app_now
from web.security import local_target
from web.dbsession import db, unit_of_work
from web.extensions import login_manager
from web.i18n import LANGS

bp = Blueprint("auth", __name__)

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


# The failed-attempt limit. Two counters over the last FAILURE_WINDOW, both back-offs
# rather than lock-outs:
#
# * per user name, from any address: after USER_FREE failures since the name's last
#   success, each further attempt waits BASE·2^k after the latest failure, at most USER_CAP
#   (1 minute). Keyed on the name alone, so guessing one password from many addresses is
#   slowed too; capped low, so a stranger's failures (from behind the same proxy or not)
#   can only make the real user wait a minute, never lock them out for good. A persistent
#   attacker gets about one guess a minute against an Argon2 hash of a 10+ character
#   password. (A lock-out the attacker cannot trigger at all needs per-device cookies:
#   not done.)
# * per address, across user names: after ADDRESS_FREE failures, the same doubling up to
#   ADDRESS_CAP (5 minutes): one password tried on many names (spraying) is slowed to about
#   a dozen names an hour. A success does not reset it (the sprayer might own an account).
#
# Attempts refused while waiting are not verified, not counted (they would let a stranger
# extend the wait at will) and not stored; they are logged.
USER_FREE, USER_CAP = 3, timedelta(minutes=1)
ADDRESS_FREE, ADDRESS_CAP = 10, timedelta(minutes=5)
BASE_DELAY = timedelta(seconds=2)

log = logging.getLogger("petitions.web")


def _backoff(failures: int, free: int, cap: timedelta) -> timedelta:
    if failures < free:
        return timedelta(0)
    return min(BASE_DELAY * 2 ** min(failures - free, 20), cap)


def _wait(username: str, address: str, now) -> int:
    """Seconds this attempt must still wait (0: go ahead)."""
    s, since = db(), now - FAILURE_WINDOW
    last_ok = s.scalar(select(func.max(SignIn.at)).where(SignIn.username == username, SignIn.ok.is_(True),
                                                         SignIn.at >= since))
    n_user, last_user = s.execute(select(func.count(SignIn.id), func.max(SignIn.at)).where(
        SignIn.username == username, SignIn.ok.is_(False), SignIn.at >= max(since, last_ok or since))).one()
    n_addr, last_addr = s.execute(select(func.count(SignIn.id), func.max(SignIn.at)).where(
        SignIn.address == address, SignIn.ok.is_(False), SignIn.at >= since)).one()
    until = [last + _backoff(n, free, cap) for n, last, free, cap in
             ((n_user, last_user, USER_FREE, USER_CAP), (n_addr, last_addr, ADDRESS_FREE, ADDRESS_CAP)) if last]
    left = max([(u - now).total_seconds() for u in until] + [0])
    return math.ceil(left)


def _record(username: str, user_id, address: str, ok: bool, now) -> None:
    with unit_of_work() as s:
        s.add(SignIn(username=username, user_id=user_id, address=address, ok=ok, at=now))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("petitions.home"))
    errors, username = {}, ""
    status, retry_after = 200, 0
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        address = client_address()
        if not username:
            errors["username"] = _("Enter your username.")
        if not password:
            errors["password"] = _("Enter your password.")
        if not errors:
            key, now = username[:64], app_now()
            wait = _wait(key, address, now)
            if wait:
                log.warning("sign-in refused for %ss: too many failures (user name %r, address %s)", wait, key, address)
                errors["form"] = _("Too many failed sign-ins. Wait %(seconds)d seconds and try again.", seconds=wait)
                status = 429
                retry_after = wait
            else:
                user = db().scalar(select(User).where(User.username == username))
                if user is not None and user.active and user.password_hash:
                    ok = verify_password(user.password_hash, password)
                else:  # the same work for a name that does not exist: the time tells nothing
                    ok = verify_dummy(password)
                _record(key, user.id if user is not None else None, address, ok, now)
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
    resp = make_response(render_template("login.html", errors=errors, username=username), status)
    if retry_after:
        resp.headers["Retry-After"] = str(retry_after)
    return resp


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
