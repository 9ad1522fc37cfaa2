"""Small input helpers: errors keyed by field, shown next to the field in the user's language.

Validation of domain rules stays in the engine (DomainError with .field); these helpers
only turn form text into values and domain errors into messages.
"""
from __future__ import annotations

from flask_babel import gettext as _

from engine.language.errors import DomainError, ValidationError
from engine.deadlines.timeutil import parse_date
from web.i18n import current_lang


def error_text(exc: DomainError) -> str:
    if exc.code == "missing_field":
        return _("This field is required.")
    return exc.message(current_lang())


def parse_filter_date(value, field, errors):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return parse_date(value, field)
    except ValidationError as exc:
        errors[field] = error_text(exc)
        return None


def parse_int(value, field, errors, minimum=0, required=False):
    value = (value or "").strip() if isinstance(value, str) else value
    if value in (None, ""):
        if required:
            errors[field] = _("This field is required.")
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        errors[field] = _("Enter a whole number.")
        return None
    if n < minimum:
        errors[field] = _("Must be at least %(n)d.", n=minimum)
        return None
    return n
