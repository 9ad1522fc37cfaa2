"""Users: one role, one unit, an Argon2id password hash."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.language.errors import NotFound, ValidationError
from engine.persistence.models import ROLES, User
from engine.services.passwords import hash_password
from engine.services.common import choice, email as email_address, text, unit_by_code

MIN_PASSWORD = 10


def add_user(session: Session, username: str, role: str, unit_code: str, password: str | None,
             email: str | None = None, full_name: str = "", notify_mode: str = "immediate", lang: str = "vi") -> User:
    username = text(username, "username")
    role = choice(role, ROLES, "role")
    unit = unit_by_code(session, unit_code)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError("duplicate_username", field="username", username=username)
    if password is not None and len(password) < MIN_PASSWORD:
        raise ValidationError("weak_password", field="password")
    email = email_address(email, "email") or None
    full_name = text(full_name, "full_name", required=False)
    user = User(username=username, role=role, unit_id=unit.id, email=email, full_name=full_name or username,
                password_hash=hash_password(password) if password else None,
                notify_mode=choice(notify_mode, ("immediate", "digest"), "notify_mode"), lang=choice(lang, ("vi", "en"), "lang"))
    session.add(user)
    session.flush()
    return user


# -- changes that end the user's sessions ------------------------------------------------
# A session cookie carries the `session_epoch` it was issued under (web.auth); bumping the
# epoch in the same transaction as the change makes every existing session of the user
# invalid on its next request, on every device, without a session store.


def _user(session: Session, username: str) -> User:
    """The user by name, active or not (an administrator may change a disabled account)."""
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise NotFound("unknown_user", field="username", username=username)
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Sign the user out everywhere (sign-out ends every session of the user, not just one)."""
    session.execute(update(User).where(User.id == user_id)
                    .values(session_epoch=User.session_epoch + 1)
                    .execution_options(synchronize_session="fetch"))


def set_password(session: Session, username: str, password: str) -> User:
    user = _user(session, username)
    if password is None or len(password) < MIN_PASSWORD:
        raise ValidationError("weak_password", field="password")
    user.password_hash = hash_password(password)
    session.flush()
    end_sessions(session, user.id)
    from engine.services.tokens import revoke_all
    revoke_all(session, user.id)  # a stolen password could have made API tokens: they end too
    return user


def change_user(session: Session, username: str, role: str | None = None, unit_code: str | None = None) -> User:
    """A new role and/or unit: what the user may see and do changes, so their sessions end."""
    user = _user(session, username)
    if role is None and unit_code is None:
        raise ValidationError("user_no_change", field="role", username=username)
    new_role = choice(role, ROLES, "role") if role is not None else user.role
    new_unit = unit_by_code(session, unit_code).id if unit_code is not None else user.unit_id
    if (new_role, new_unit) != (user.role, user.unit_id):
        user.role, user.unit_id = new_role, new_unit
        session.flush()
        end_sessions(session, user.id)
    return user


def deactivate_user(session: Session, username: str) -> User:
    user = _user(session, username)
    user.active = False
    session.flush()
    end_sessions(session, user.id)
    return user
