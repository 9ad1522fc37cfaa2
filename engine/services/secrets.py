"""The signing key of sessions and CSRF tokens: where it comes from and when to refuse it.

* Production (`Settings.production`: PETITIONS_ENV=production or an https PUBLIC_URL):
  SECRET_KEY must be set, at least 32 bytes, not a known placeholder (`change-me`, the
  .env.example value, `secret`, `dev`…) and not a run of a few repeated characters.
  Anything else refuses to start with one clear message (`StartupRefused`), never a
  cookie signed with a key an attacker can guess.
* Elsewhere (the embedded default): SECRET_KEY if set, else a random key generated once
  into `<var_dir>/secret_key` (mode 0600) and reused. A key file that is empty, too short
  or unreadable is a start-up error naming the file, not a 500 on every page.

Pure of Flask: the web factory calls `signing_key(settings)`, and so can any worker or
command that needs a key.
"""
from __future__ import annotations

import logging
import os
import re
import secrets

from engine.language.errors import DomainError

MIN_KEY_BYTES = 32
FILE_NAME = "secret_key"

# Compared after folding case and dropping everything but letters and digits, so
# "Change-Me", "change_me" and "CHANGE ME" are all "changeme".
PLACEHOLDERS = frozenset({
    "changeme", "pleasechange", "pleasechangeme", "changethis", "changethissecret", "changemeplease",
    "replaceme", "secret", "secretkey", "mysecret", "mysecretkey", "yoursecretkey", "yoursecret",
    "supersecret", "supersecretkey", "dev", "development", "devkey", "devsecret", "test", "testsecret",
    "testing", "password", "default", "defaultsecret", "insecure", "notsecret", "example", "xxx", "todo",
    "flasksecretkey", "petitions", "petitionssecret", "secretkeyhere", "yoursecretkeyhere",
})
# A long key that still carries the placeholder's words ("change-me-change-me-…") is no better.
PLACEHOLDER_WORDS = ("changeme", "pleasechange", "replaceme", "changethis", "yoursecret", "secretkeyhere")

log = logging.getLogger("petitions.secrets")


class StartupRefused(DomainError):
    """The configuration is unsafe or broken: the process must not start."""

    exit_code = 2


def _fold(key: str) -> str:
    return re.sub(r"[^0-9a-z]", "", key.lower())


def is_placeholder(key: str) -> bool:
    folded = _fold(key)
    if folded in PLACEHOLDERS or any(word in folded for word in PLACEHOLDER_WORDS):
        return True
    return len(set(key)) < 8  # "aaaa…", "1234123412…": length without randomness


def _why(settings) -> str:
    if settings.environment.strip().lower() == "production":
        return "PETITIONS_ENV=production"
    return f"PUBLIC_URL={settings.public_url.strip()}"


def check_production_key(settings, key: str | None) -> str:
    """The key, or `StartupRefused` when production cannot use it."""
    why = _why(settings)
    if not key or not key.strip():
        raise StartupRefused("secret_key_missing", why=why)
    if is_placeholder(key):
        raise StartupRefused("secret_key_placeholder", why=why)
    n = len(key.encode("utf-8"))
    if n < MIN_KEY_BYTES:
        raise StartupRefused("secret_key_short", n=n, why=why)
    return key


def signing_key(settings) -> str:
    """The key for this process, checked; see the module's docstring."""
    if settings.production:
        return check_production_key(settings, settings.secret_key)
    if settings.secret_key and settings.secret_key.strip():
        if is_placeholder(settings.secret_key) or len(settings.secret_key.encode("utf-8")) < MIN_KEY_BYTES:
            log.warning("SECRET_KEY is short or a placeholder: acceptable in development only")
        return settings.secret_key
    return _key_file(settings)


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
            except OSError as exc:  # a read-only var dir: sessions last as long as this process
                log.warning("cannot keep the development key in %s (%s): using a key for this process only", path, exc)
                return key
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(key)
            return key
        except (OSError, UnicodeDecodeError) as exc:
            raise StartupRefused("secret_key_file_unreadable", file=str(path), error=exc.__class__.__name__) from None
        if len(key.encode("utf-8")) < MIN_KEY_BYTES:
            raise StartupRefused("secret_key_file_bad", file=str(path))
        return key
    raise StartupRefused("secret_key_file_bad", file=str(path))
