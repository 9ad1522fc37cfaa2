"""Small input helpers: errors keyed by field, shown next to the field in the user's language.

Validation of domain rules stays in the engine (DomainError with .field); these helpers
only turn form text into values and domain errors into messages.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from engine.language.errors import DomainError, ValidationError
from engine.deadlines.timeutil import parse_date
from engine.services.common import MAX_COUNT
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


_WHOLE = re.compile(r"[+-]?([0-9]+)")


def parse_int(value, field, errors, minimum=0, required=False, maximum=MAX_COUNT):
    """A whole number minimum..maximum (counts: up to engine.services.common.MAX_COUNT)."""
    value = (value or "").strip() if isinstance(value, str) else value
    if value in (None, ""):
        if required:
            errors[field] = _("This field is required.")
        return None
    m = _WHOLE.fullmatch(str(value))
    if m is None:
        errors[field] = _("Enter a whole number.")
        return None
    n = int(value) if len(m.group(1)) <= 30 else None  # a huge number is refused, never sent to the database
    if n is not None and n < minimum:
        errors[field] = _("Must be at least %(n)d.", n=minimum)
        return None
    if n is None or n > maximum:
        errors[field] = error_text(ValidationError("count_too_large", field=field, max=maximum))
        return None
    return n
