"""Domain errors that speak the user's language.

An error carries a code and its parameters; the text is looked up in `engine.language.messages`
in Vietnamese (default) or English, so the CLI, the web admin and the worker all say the
same thing about the same mistake.
"""
from __future__ import annotations

from engine.language.messages import render


class DomainError(Exception):
    """A refused request: bad input, illegal action, wrong role or scope. Changes nothing."""

    exit_code = 2

    def __init__(self, code: str, /, field: str | None = None, **params):
        self.code = code
        self.field = field
        self.params = dict(params, field=field) if field is not None else params
        super().__init__(self.message("vi"))

    def message(self, lang: str = "vi") -> str:
        return render(self.code, lang, **self.params)

    def __str__(self) -> str:  # the Vietnamese text by default
        return self.message("vi")


class ConfigurationRefused(DomainError):
    """The configuration is unsafe or broken (a placeholder key in production, an unreadable
    key file): the process must not start, and says why in one message."""


class ValidationError(DomainError):
    """Input that is malformed or missing (a date that does not exist, a missing field)."""


class CalendarError(DomainError):
    """A broken decision file or a date outside the supported range."""


class NotFound(DomainError):
    """An unknown unit, user, session or petition (or one outside the actor's scope)."""


class Forbidden(DomainError):
    """The actor's role or unit may not do this."""


class IllegalTransition(DomainError):
    """The action is not allowed from the petition's current state."""


class VersionConflict(DomainError):
    """Someone else acted first: the expected version is stale."""
