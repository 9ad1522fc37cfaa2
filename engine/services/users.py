"""Users: one role, one unit, an Argon2id password hash."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.language.errors import ValidationError
from engine.persistence.models import ROLES, User
from engine.services.passwords import hash_password
from engine.services.common import choice, text, unit_by_code

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
    user = User(username=username, role=role, unit_id=unit.id, email=(email or None), full_name=full_name or username,
                password_hash=hash_password(password) if password else None,
                notify_mode=choice(notify_mode, ("immediate", "digest"), "notify_mode"), lang=choice(lang, ("vi", "en"), "lang"))
    session.add(user)
    session.flush()
    return user
