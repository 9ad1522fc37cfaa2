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

from config.keys import KeyProblem, check_key, kept_key, production_reason, weak
from engine.language.errors import ConfigurationRefused

FILE_NAME = "secret_key"
log = logging.getLogger("petitions.secrets")


class StartupRefused(ConfigurationRefused):
    """The session key is unsafe or unreadable: the process must not start."""


def check_production_key(settings, key: str | None) -> str:
    """The key, or `StartupRefused` when production cannot use it."""
    try:
        return check_key(key)
    except KeyProblem as p:
        raise StartupRefused(f"secret_key_{p.code}", why=production_reason(settings), **p.params) from None


def signing_key(settings) -> str:
    """The key for this process, checked; see the module's docstring."""
    if settings.production:
        return check_production_key(settings, settings.secret_key)
    if settings.secret_key and settings.secret_key.strip():
        if weak(settings.secret_key):
            log.warning("SECRET_KEY is short or a placeholder: acceptable in development only")
        return settings.secret_key
    path = settings.ensure_var_dir() / FILE_NAME
    try:
        return kept_key(path)
    except KeyProblem as p:
        if p.code == "file_unwritable":  # a read-only var dir: sessions last as long as this process
            log.warning("cannot keep the development key in %s (%s): using a key for this process only",
                        path, p.params["error"])
            return p.params["key"]
        raise StartupRefused(f"secret_key_{p.code}", **p.params) from None
