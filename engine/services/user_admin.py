"""Users from the browser: create, invite, reset a password, deactivate, change role or unit,
and what every user does for themselves (own password, notifications, language).

Scope: an administrator manages the users of their unit and the units below it; a user
outside it is 'unknown'. Every change is written to the administration audit log
(`engine.persistence.adminlog`) in the same transaction, and ends the user's sessions
(`users.end_sessions`) when it changes what they may do or how they sign in.

An invitation (or a reset) is a one-time link: 32 random bytes, of which only the SHA-256 is
kept (the secret has 256 bits, so a fast hash is enough, as for API tokens); it works once,
until it expires, and issuing a new one retires the old ones.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.language.errors import Forbidden, NotFound, ValidationError
from engine.persistence import adminlog
from engine.persistence.models import ROLES, SignIn, User, UserInvitation
from engine.services import users as U
from engine.services.common import choice, clean
from engine.services.passwords import hash_password, verify_password
from engine.services.tokens import revoke_all
from engine.services.unit_admin import scope_ids, scoped_unit

INVITE_DAYS = 7         # an invitation link works a week (long enough to reach a commune office by mail)
RESET_HOURS = 24        # a reset link a day
MAX_INVITE_DAYS = 30
NOTIFY_MODES = ("immediate", "digest")
LANGS = ("vi", "en")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def scoped_user(session: Session, actor: User, username) -> User:
    name = clean(username or "") if isinstance(username, str) else ""
    user = session.scalar(select(User).where(User.username == name)) if name else None
    if user is None or user.unit_id not in scope_ids(session, actor):
        raise NotFound("unknown_user", field="username", username=name)
    return user


def users_in_scope(session: Session, actor: User) -> list[User]:
    ids = scope_ids(session, actor)
    return list(session.scalars(select(User).where(User.unit_id.in_(ids)).order_by(User.username)))


def _not_self(actor: User, user: User, what: str) -> None:
    # An administrator who disables or demotes themselves locks the office out: another does it.
    if user.id == actor.id:
        raise Forbidden("admin_self_change", field="username", action=what)


def _password(password, confirm=None) -> str:
    if not isinstance(password, str) or len(password) < U.MIN_PASSWORD:
        raise ValidationError("weak_password", field="password")
    if len(password) > 1024:  # Argon2 takes anything; a megabyte "password" is an attack on CPU
        raise ValidationError("too_long", field="password", max=1024, n=len(password))
    if confirm is not None and password != confirm:
        raise ValidationError("password_mismatch", field="confirm")
    return password


def _issue(session: Session, actor: User | None, user: User, purpose: str, now: datetime, days=None) -> str:
    """A new one-time link for `user`; the older unused ones stop working."""
    session.execute(update(UserInvitation).where(UserInvitation.user_id == user.id, UserInvitation.used_at.is_(None))
                    .values(used_at=now).execution_options(synchronize_session="fetch"))
    if purpose == "invite":
        n = INVITE_DAYS if days in (None, "") else U_count_days(days)
        ttl = timedelta(days=n)
    else:
        ttl = timedelta(hours=RESET_HOURS)
    secret = secrets.token_urlsafe(32)
    session.add(UserInvitation(user_id=user.id, token_hash=_hash(secret), purpose=purpose,
                               created_by_id=getattr(actor, "id", None), created_at=now, expires_at=now + ttl))
    session.flush()
    return secret


def U_count_days(days) -> int:
    from engine.services.common import count
    n = count(days, "days", maximum=MAX_INVITE_DAYS)
    if n < 1:
        raise ValidationError("invite_days", field="days", max=MAX_INVITE_DAYS)
    return n


# -- administrator's actions ------------------------------------------------------------
def create_user(session: Session, actor: User, username, role, unit_code, full_name="", email=None,
                password=None, confirm=None, invite: bool = True, days=None, now: datetime | None = None):
    """A new user at a unit the actor manages, with a set password or an invitation link.
    Returns (user, secret of the link or None)."""
    now = now or datetime.now().astimezone()
    unit = scoped_unit(session, actor, unit_code, "unit")
    if not invite:
        _password(password, confirm)
    user = U.add_user(session, username, role, unit.code, None if invite else password, email=email, full_name=full_name)
    secret = _issue(session, actor, user, "invite", now, days) if invite else None
    adminlog.record(session, "user_invited" if invite else "user_created", actor, user.username, now, unit_id=unit.id,
                    data={"role": user.role, "unit": unit.code})
    return user, secret


def change_role_unit(session: Session, actor: User, username, role=None, unit_code=None, now=None) -> User:
    now = now or datetime.now().astimezone()
    user = scoped_user(session, actor, username)
    new_role = choice(role, ROLES, "role") if role not in (None, "") else user.role
    new_unit = scoped_unit(session, actor, unit_code, "unit") if unit_code not in (None, "") else user.unit
    if (new_role, new_unit.id) == (user.role, user.unit_id):
        raise ValidationError("user_nothing_changed", field="role", username=user.username)
    _not_self(actor, user, "role")
    old = (user.role, user.unit.code)
    U.change_user(session, user.username, role=new_role, unit_code=new_unit.code)  # ends their sessions
    adminlog.record(session, "user_changed", actor, user.username, now, unit_id=new_unit.id,
                    data={"role": [old[0], new_role], "unit": [old[1], new_unit.code]})
    return user


def set_active(session: Session, actor: User, username, active: bool, now=None) -> User:
    now = now or datetime.now().astimezone()
    user = scoped_user(session, actor, username)
    if bool(user.active) == bool(active):
        raise ValidationError("user_nothing_changed", field="active", username=user.username)
    _not_self(actor, user, "active")
    user.active = bool(active)
    session.flush()
    U.end_sessions(session, user.id)
    if not active:
        revoke_all(session, user.id)
    adminlog.record(session, "user_activated" if active else "user_deactivated", actor, user.username, now,
                    unit_id=user.unit_id)
    return user


def admin_set_password(session: Session, actor: User, username, password, confirm=None, now=None) -> User:
    now = now or datetime.now().astimezone()
    user = scoped_user(session, actor, username)
    U.set_password(session, user.username, _password(password, confirm))  # ends sessions, revokes tokens
    adminlog.record(session, "password_set", actor, user.username, now, unit_id=user.unit_id)
    return user


def reset_link(session: Session, actor: User, username, now=None) -> tuple[User, str]:
    """The old password stops working now (a reset is asked when it may be known to someone
    else); the user sets a new one through the link."""
    now = now or datetime.now().astimezone()
    user = scoped_user(session, actor, username)
    user.password_hash = None
    session.flush()
    U.end_sessions(session, user.id)
    revoke_all(session, user.id)
    secret = _issue(session, actor, user, "reset", now)
    adminlog.record(session, "password_reset", actor, user.username, now, unit_id=user.unit_id)
    return user, secret


def reinvite(session: Session, actor: User, username, days=None, now=None) -> tuple[User, str]:
    now = now or datetime.now().astimezone()
    user = scoped_user(session, actor, username)
    secret = _issue(session, actor, user, "invite", now, days)
    adminlog.record(session, "user_invited", actor, user.username, now, unit_id=user.unit_id,
                    data={"role": user.role, "unit": user.unit.code})
    return user, secret


def pending_links(session: Session, user_id: int, now: datetime) -> list[UserInvitation]:
    return list(session.scalars(select(UserInvitation).where(UserInvitation.user_id == user_id,
                                                             UserInvitation.used_at.is_(None),
                                                             UserInvitation.expires_at > now)))


# -- the invited user ---------------------------------------------------------------------
def invitation_for(session: Session, secret, now: datetime) -> UserInvitation:
    """The live invitation behind a link; one message for unknown, used and expired links
    (the answer does not help guessing)."""
    if not isinstance(secret, str) or not (20 <= len(secret) <= 100):
        raise NotFound("invite_invalid", field="token")
    inv = session.scalar(select(UserInvitation).where(UserInvitation.token_hash == _hash(secret)))
    if inv is None or inv.used_at is not None or inv.expires_at <= now or not inv.user.active:
        raise NotFound("invite_invalid", field="token")
    return inv


def accept_invitation(session: Session, secret, password, confirm, now: datetime) -> User:
    inv = invitation_for(session, secret, now)
    pw = _password(password, confirm)
    claimed = session.execute(update(UserInvitation).where(UserInvitation.id == inv.id, UserInvitation.used_at.is_(None))
                              .values(used_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # the same link sent twice at once: only one sets the password
        raise NotFound("invite_invalid", field="token")
    user = inv.user
    U.set_password(session, user.username, pw)
    adminlog.record(session, "invitation_used", user, user.username, now, unit_id=user.unit_id,
                    data={"purpose": inv.purpose})
    return user


# -- self-service ---------------------------------------------------------------------------
def change_own_password(session: Session, user: User, current, password, confirm, now: datetime) -> User:
    """Ends every session of the user (the page signs the current one in again)."""
    me = session.get(User, user.id)
    if not verify_password(me.password_hash, current or ""):
        raise ValidationError("wrong_password", field="current")
    pw = _password(password, confirm)
    if verify_password(me.password_hash, pw):
        raise ValidationError("same_password", field="password")
    U.set_password(session, me.username, pw)
    adminlog.record(session, "own_password_changed", me, me.username, now, unit_id=me.unit_id)
    return me


def set_preferences(session: Session, user: User, notify_mode, lang, now: datetime) -> User:
    me = session.get(User, user.id)
    mode, lg = choice(notify_mode, NOTIFY_MODES, "notify_mode"), choice(lang, LANGS, "lang")
    if (mode, lg) != (me.notify_mode, me.lang):
        old = (me.notify_mode, me.lang)
        me.notify_mode, me.lang = mode, lg
        session.flush()
        adminlog.record(session, "preferences_changed", me, me.username, now, unit_id=me.unit_id,
                        data={"notify_mode": [old[0], mode], "lang": [old[1], lg]})
    return me


def own_sign_ins(session: Session, user: User, limit: int = 20) -> list[SignIn]:
    """The user's recent sign-ins, failed ones included (attempts on the user name, so a
    stranger's guessing shows too)."""
    return list(session.scalars(select(SignIn).where((SignIn.user_id == user.id) | (SignIn.username == user.username))
                                .order_by(SignIn.id.desc()).limit(limit)))
