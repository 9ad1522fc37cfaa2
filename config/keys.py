"""Secret keys: when a key from the environment is fit for production, and the embedded
default's fallback — a random key generated once into the var folder and reused.

Shared by the session signing key (`engine.services.secrets`) and the audit-log key
(`engine.persistence.auditkey`); each turns a `KeyProblem` into its own bilingual message.
"""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

MIN_KEY_BYTES = 32

# Compared after folding case and dropping everything but letters and digits, so
# "Change-Me", "change_me" and "CHANGE ME" are all "changeme".
PLACEHOLDERS = frozenset({
    "changeme", "pleasechange", "pleasechangeme", "changethis", "changethissecret", "changemeplease",
    "replaceme", "secret", "secretkey", "mysecret", "mysecretkey", "yoursecretkey", "yoursecret",
    "supersecret", "supersecretkey", "dev", "development", "devkey", "devsecret", "test", "testsecret",
    "testing", "password", "default", "defaultsecret", "insecure", "notsecret", "example", "xxx", "todo",
    "flasksecretkey", "petitions", "petitionssecret", "secretkeyhere", "yoursecretkeyhere", "auditkey",
})
# A long key that still carries the placeholder's words ("change-me-change-me-…") is no better.
PLACEHOLDER_WORDS = ("changeme", "pleasechange", "replaceme", "changethis", "yoursecret", "secretkeyhere",
                     "placeholder")


class KeyProblem(Exception):
    """`code` is one of missing, placeholder, short, file_bad, file_unreadable,
    file_unwritable; `params` fill the caller's message (`file_unwritable` also carries
    `key`, a fresh key the caller may use for this process only)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def is_placeholder(key: str) -> bool:
    folded = re.sub(r"[^0-9a-z]", "", key.lower())
    if folded in PLACEHOLDERS or any(word in folded for word in PLACEHOLDER_WORDS):
        return True
    return len(set(key)) < 8  # "aaaa…", "1234123412…": length without randomness


def weak(key: str) -> bool:
    """Acceptable in development only (the caller warns)."""
    return is_placeholder(key) or len(key.encode("utf-8")) < MIN_KEY_BYTES


def production_reason(settings) -> str:
    """Why these settings count as production, for the message that refuses a key."""
    if settings.environment.strip().lower() == "production":
        return "PETITIONS_ENV=production"
    return f"PUBLIC_URL={settings.public_url.strip()}"


def check_key(key: str | None) -> str:
    """The key, or `KeyProblem` when production cannot use it."""
    if not key or not key.strip():
        raise KeyProblem("missing")
    if is_placeholder(key):
        raise KeyProblem("placeholder")
    n = len(key.encode("utf-8"))
    if n < MIN_KEY_BYTES:
        raise KeyProblem("short", n=n)
    return key


def kept_key(path: Path) -> str:
    """The key kept in `path`, created (mode 0600) with a random key on first use; two
    processes starting at once end up with the same key."""
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
                raise KeyProblem("file_unwritable", file=str(path), error=exc.__class__.__name__, key=key) from None
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(key)
            return key
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyProblem("file_unreadable", file=str(path), error=exc.__class__.__name__) from None
        if len(key.encode("utf-8")) < MIN_KEY_BYTES:
            raise KeyProblem("file_bad", file=str(path))
        return key
    raise KeyProblem("file_bad", file=str(path))
