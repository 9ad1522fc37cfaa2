"""Lookups and input checks shared by the services."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.language.errors import NotFound, ValidationError
from engine.persistence.models import OrgUnit, User


def unit_by_code(session: Session, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == (code or "").strip()))
    if unit is None:
        raise NotFound("unknown_unit", field="unit", code=code)
    return unit


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise NotFound("unknown_user", field="by", username=username)
    if not user.active:
        raise NotFound("inactive_user", field="by", username=username)
    return user


def choice(value: str, choices: tuple[str, ...], field: str) -> str:
    v = (value or "").strip()
    if v not in choices:
        raise ValidationError("bad_choice", field=field, value=value, choices=", ".join(choices))
    return v


def count(value, field: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationError("bad_int", field=field, value=value) from None
    if n < 0:
        raise ValidationError("negative_count", field=field)
    return n


def text(value, field: str, required: bool = True) -> str:
    v = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not v:
        raise ValidationError("missing_field", field=field)
    return v
