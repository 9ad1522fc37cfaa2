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

from config.keys import KeyProblem, check_key, kept_key, production_reason, weak
from engine.language.errors import ConfigurationRefused

FILE_NAME = "audit_key"
log = logging.getLogger("petitions.audit")
_cache: dict[tuple, bytes] = {}


class AuditKeyRefused(ConfigurationRefused):
    """The audit key is missing, unsafe or unreadable: nothing is written or verified with it."""


def check_production_key(settings) -> str:
    why = production_reason(settings)
    try:
        key = check_key(settings.audit_key)
    except KeyProblem as p:
        raise AuditKeyRefused(f"audit_key_{p.code}", why=why, **p.params) from None
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
        if weak(key):
            log.warning("PETITIONS_AUDIT_KEY is short or a placeholder: acceptable in development only")
    else:
        try:
            key = kept_key(settings.ensure_var_dir() / FILE_NAME)
        except KeyProblem as p:
            # unlike the session key, a key for this process only would seal what no one can verify later
            code = "file_unreadable" if p.code == "file_unwritable" else p.code
            raise AuditKeyRefused(f"audit_key_{code}", file=p.params["file"],
                                  **({"error": p.params["error"]} if "error" in p.params else {})) from None
    _cache[ident] = raw = key.strip().encode("utf-8")
    return raw


def key_id(key: bytes) -> str:
    """A short public name of the key (not the key): tells "another key" from "tampered"."""
    return hmac.new(key, b"petitions-audit-key-id", hashlib.sha256).hexdigest()[:12]
