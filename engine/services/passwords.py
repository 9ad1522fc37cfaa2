"""Password hashing with Argon2id (argon2-cffi): memory-hard, the current OWASP advice."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy: tuple[PasswordHasher, str] | None = None


def verify_dummy(password: str) -> bool:
    """Spend the time of a real verification and fail: an unknown user name (or a disabled
    account, or one without a password) answers as slowly as a known one, so the answer's
    time does not tell which user names exist. The dummy hash is made with the current
    parameters (re-made if they change), so it costs what a real user's hash costs."""
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        import secrets
        _dummy = (_hasher, _hasher.hash(secrets.token_urlsafe(24)))
    verify_password(_dummy[1], password)
    return False
