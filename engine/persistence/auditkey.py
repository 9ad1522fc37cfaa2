"""The key of the audit log: HMAC-SHA256 of every event, every head record and every checkpoint.

It is never stored in the database, so whoever can write to the database but does not hold
the key cannot forge a chain, a head or a checkpoint (`engine.persistence.eventlog`).

* Production (`Settings.production`): PETITIONS_AUDIT_KEY must be set, at least 32 bytes,
  not a placeholder or a run of a few repeated characters, and not the same as SECRET_KEY
  (a leaked session key must not also let someone rewrite history). Anything else is refused
  with one clear message (`AuditKeyRefused`) when the key is first needed: at start-up of
  the web app, by `petitions db upgrade`, by the first write or verification.
* Elsewhere (the embedded default, like SECRET_KEY): PETITIONS_AUDIT_KEY if set, else a
  random key generated once into `<var_dir>/audit_key` (mode 0600) and reused. Keep that
  file with the database's backups: without it the log cannot be verified.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets

from engine.language.errors import DomainError

MIN_KEY_BYTES = 32
FILE_NAME = "audit_key"
PLACEHOLDER_WORDS = ("changeme", "pleasechange", "replaceme", "changethis", "yoursecret", "secretkey",
                     "auditkey", "example", "placeholder", "default", "password", "insecure", "petitions")

log = logging.getLogger("petitions.audit")
_cache: dict[tuple, bytes] = {}


class AuditKeyRefused(DomainError):
    """The audit key is missing, unsafe or unreadable: nothing is written or verified with it."""

    exit_code = 2


def _why(settings) -> str:
    if settings.environment.strip().lower() == "production":
        return "PETITIONS_ENV=production"
    return f"PUBLIC_URL={settings.public_url.strip()}"


def _weak(key: str) -> bool:
    folded = re.sub(r"[^0-9a-z]", "", key.lower())
    return any(w in folded for w in PLACEHOLDER_WORDS) or len(set(key)) < 8


def check_production_key(settings) -> str:
    key, why = settings.audit_key, _why(settings)
    if not key or not key.strip():
        raise AuditKeyRefused("audit_key_missing", why=why)
    if _weak(key):
        raise AuditKeyRefused("audit_key_placeholder", why=why)
    if len(key.encode("utf-8")) < MIN_KEY_BYTES:
        raise AuditKeyRefused("audit_key_short", n=len(key.encode("utf-8")), why=why)
    if settings.secret_key and key.strip() == settings.secret_key.strip():
        raise AuditKeyRefused("audit_key_same_as_secret", why=why)
    return key


def audit_key(settings) -> bytes:
    """The key for this process, checked; see the module's docstring."""
    ident = (settings.production, settings.audit_key, settings.secret_key, str(settings.var_dir.resolve()))
    if ident in _cache:
        return _cache[ident]
    if settings.production:
        key = check_production_key(settings)
    elif settings.audit_key and settings.audit_key.strip():
        key = settings.audit_key
        if _weak(key) or len(key.encode("utf-8")) < MIN_KEY_BYTES:
            log.warning("PETITIONS_AUDIT_KEY is short or a placeholder: acceptable in development only")
    else:
        key = _key_file(settings)
    _cache[ident] = raw = key.strip().encode("utf-8")
    return raw


def key_id(key: bytes) -> str:
    """A short public name of the key (not the key): tells "another key" from "tampered"."""
    return hmac.new(key, b"petitions-audit-key-id", hashlib.sha256).hexdigest()[:12]


def _key_file(settings) -> str:
    path = settings.ensure_var_dir() / FILE_NAME
    for _ in range(2):
        try:
            key = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            key = secrets.token_hex(32)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another process created it first: read theirs
            except OSError as exc:
                raise AuditKeyRefused("audit_key_file_unreadable", file=str(path), error=exc.__class__.__name__) from None
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(key)
            return key
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditKeyRefused("audit_key_file_unreadable", file=str(path), error=exc.__class__.__name__) from None
        if len(key.encode("utf-8")) < MIN_KEY_BYTES:
            raise AuditKeyRefused("audit_key_file_bad", file=str(path))
        return key
    raise AuditKeyRefused("audit_key_file_bad", file=str(path))
