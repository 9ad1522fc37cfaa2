"""Personal access tokens for the JSON API: create, list, revoke, authenticate, record a use.

A token acts as the user who created it and never more: it carries the user's role and
unit *at creation* and is refused once the user's role or unit differs, the user is
deactivated, the token expired or was revoked. It is not tied to the user's
`session_epoch`: signing out of the admin (which bumps the epoch) must not break a
machine integration; a new password revokes every token of the user (`revoke_all`,
called by `engine.services.users.set_password`), since a stolen password could have made
them.

The secret is `pt_` + 32 random bytes (URL-safe base64): high entropy, so a SHA-256 of it
is enough (no slow hash needed, nothing to guess) and the lookup is one unique-index hit.
Only the hash is stored; the secret is returned once, at creation.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import utcnow
from engine.language.errors import NotFound, ValidationError
from engine.persistence.models import ApiToken, ApiTokenUse, User
from engine.services.common import text

PREFIX = "pt_"
MAX_DAYS = 366
DEFAULT_DAYS = 90
MAX_LIVE = 20


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _live(now: datetime):
    return (ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)


def create_token(session: Session, user: User, name: str, days=DEFAULT_DAYS,
                 now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, valid `days` days; returns (row, secret). The secret is not kept."""
    now = now or utcnow()
    name = text(name, "name", limit=100)
    raw = str(days).strip() if days not in (None, "") else str(DEFAULT_DAYS)
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_DAYS:
        raise ValidationError("token_bad_days", field="days", value=raw[:20], max=MAX_DAYS)
    live = session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id, *_live(now)))
    if live >= MAX_LIVE:
        raise ValidationError("token_too_many", field="name", max=MAX_LIVE)
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=digest(secret), prefix=secret[:10], role=user.role,
                   unit_id=user.unit_id, created_at=now, expires_at=now + timedelta(days=int(raw)), uses=0)
    session.add(row)
    session.flush()
    return row, secret


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def live_tokens(session: Session, now: datetime, limit: int = 200) -> list[tuple[ApiToken, str]]:
    """Every token still usable by date and not revoked, with its user's name (for an admin)."""
    return [(t, name) for t, name in session.execute(
        select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).where(*_live(now))
        .order_by(ApiToken.last_used_at.desc().nulls_last(), ApiToken.id.desc()).limit(limit))]


def revoke_token(session: Session, user: User, token_id, now: datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens (an admin may revoke anyone's)."""
    try:
        tid = int(str(token_id))
    except ValueError:
        raise NotFound("unknown_token", field="token", id=str(token_id)[:20]) from None
    row = session.get(ApiToken, tid)
    if row is None or (row.user_id != user.id and user.role != "admin"):
        raise NotFound("unknown_token", field="token", id=tid)
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.flush()
    return row


def revoke_all(session: Session, user_id: int, now: datetime | None = None) -> None:
    session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now or utcnow()).execution_options(synchronize_session=False))


def find_token(session: Session, secret: str) -> ApiToken | None:
    """The token row for a presented secret, valid or not (None: no such token)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))


def usable(session: Session, row: ApiToken | None, now: datetime) -> User | None:
    """The user a token acts as, or None when it may not be used any more."""
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active or user.role != row.role or user.unit_id != row.unit_id:
        return None
    return user


def take_rate_slot(session: Session, token_id: int, now: datetime, limit: int,
                   window: timedelta = timedelta(minutes=1)) -> int:
    """Take one request of the token's rate window and commit at once: 0 when the request
    may go on, otherwise the seconds until its window ends (for Retry-After).

    One conditional UPDATE does the counting, so it cannot be raced past: PostgreSQL
    re-checks the condition on the row a concurrent request just committed, and SQLite
    writes one at a time. A window is a fixed minute from its first request; a refused
    request does not count, or a client that keeps asking would never get back in."""
    fresh = or_(ApiToken.rate_window_start.is_(None), ApiToken.rate_window_start <= now - window)
    taken = session.execute(
        update(ApiToken).where(ApiToken.id == token_id, or_(fresh, ApiToken.rate_count < limit))
        .values(rate_window_start=case((fresh, now), else_=ApiToken.rate_window_start),
                rate_count=case((fresh, 1), else_=ApiToken.rate_count + 1))
        .execution_options(synchronize_session=False)).rowcount
    start = None if taken else session.scalar(select(ApiToken.rate_window_start).where(ApiToken.id == token_id))
    session.commit()
    if taken or start is None:
        return 0
    return max(1, int((start + window - now).total_seconds() + 0.999))


def record_use(session: Session, token_id: int, at: datetime, method: str, path: str, status: int,
               address: str = "") -> None:
    session.add(ApiTokenUse(token_id=token_id, at=at, method=method[:8], path=path[:255], status=status,
                            address=address[:64]))
    session.execute(update(ApiToken).where(ApiToken.id == token_id)
                    .values(last_used_at=at, uses=ApiToken.uses + 1).execution_options(synchronize_session=False))


def recent_uses(session: Session, token_id: int, limit: int = 20) -> list[ApiTokenUse]:
    return list(session.scalars(select(ApiTokenUse).where(ApiTokenUse.token_id == token_id)
                                .order_by(ApiTokenUse.at.desc(), ApiTokenUse.id.desc()).limit(limit)))
