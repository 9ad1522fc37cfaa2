"""Lookups and input checks shared by the services.

Every way in — the web forms, the CLI, the register importer — goes through these helpers,
so a value is refused (or cleaned) the same way wherever it is typed.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.language.errors import NotFound, ValidationError
from engine.persistence.models import OrgUnit, User

# -- limits ---------------------------------------------------------------------------------
# The longest text each field takes, in characters, counted after cleaning (see `clean`).
# One table for all of them; a column's limit is never above the column's length
# (String(255) -> 255, String(64) -> 64). Free text in Text columns gets a limit that fits
# what a clerk writes (a petition's summary is a paragraph, not a file).
LONG_TEXT = 4000
LIMITS: dict[str, int] = {
    # free text (Text columns)
    "summary": LONG_TEXT,          # petitions.summary
    "outcome": LONG_TEXT,          # petitions.outcome
    "reason": 2000,                # extension / escalation / reopening reason (event log, clock journal)
    "note": 2000,                  # reception_sessions.note, an action's note
    "answer_note": 2000,           # importer: the answer given at the meeting
    # names and addresses (String(255) columns)
    "name": 255,                   # org_units.name, petitioners.name
    "petitioner": 255,             # importer / CLI: the petitioner's name
    "full_name": 255,              # users.full_name
    "chair": 255,                  # reception_sessions.chair
    "address": 255,                # petitioners.address
    "agency": 255,                 # petitions.referred_agency
    "referred_agency": 255,        # importer's name of the same
    # numbers of documents (String(64) columns)
    "notice_no": 64,               # petitions.notice_no
    "document_no": 64,             # petitions.document_no
    "resolution_no": 64,           # importer's name of document_no
    # identifiers
    "username": 64,                # users.username
    "code": 32,                    # org_units.code
    "unit": 32,                    # a unit code given as input
    "department": 32,              # a department code given as input
    "ref": 128,                    # external_ref of an imported row
    "phone": 32,                   # petitioners.phone
    "email": 254,                  # RFC 5321 path limit (columns are 255)
}
MAX_COUNT = 1_000_000              # people, groups, refused, group size: far above any real session
MAX_ID = 2**31 - 1                 # a row id given as input (INTEGER columns)

# Characters that are invisible or reorder text: zero-width space/non-joiner/joiner, word
# joiner, BOM / zero-width no-break space, soft hyphen, Arabic letter mark, the bidi marks,
# embeddings, overrides and isolates, and the control characters (NUL breaks PostgreSQL).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                        "\u180e\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\r\n\u2028\u2029]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value: str, multiline: bool = False) -> str:
    """Text as it is stored: NFC, invisible characters removed, surrounding blanks stripped;
    a single-line field also has its line breaks and tabs turned into one space."""
    v = unicodedata.normalize("NFC", _INVISIBLE.sub("", value))
    v = _SURROGATE.sub("\ufffd", v)  # undecodable bytes (from a terminal) never reach the database
    if not multiline:
        v = _LINE_BREAKS.sub(" ", v)
    return v.strip()


def limit_of(field: str) -> int:
    return LIMITS.get(field, LONG_TEXT)


def unit_by_code(session: Session, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == clean(code or "")))
    if unit is None:
        raise NotFound("unknown_unit", field="unit", code=code)
    return unit


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == clean(username or "")))
    if user is None:
        raise NotFound("unknown_user", field="by", username=username)
    if not user.active:
        raise NotFound("inactive_user", field="by", username=username)
    return user


def choice(value: str, choices: tuple[str, ...], field: str) -> str:
    v = clean(value or "") if isinstance(value, str) or value is None else str(value)
    if v not in choices:
        raise ValidationError("bad_choice", field=field, value=value, choices=", ".join(choices))
    return v


def count(value, field: str, maximum: int = MAX_COUNT) -> int:
    """A whole number 0..maximum (a huge one is refused here, not by the database)."""
    if isinstance(value, bool):
        raise ValidationError("bad_int", field=field, value=value)
    raw = clean(value) if isinstance(value, str) else value
    if isinstance(raw, str) and len(raw) > 30:  # also keeps int() away from 4,300-digit strings
        raise ValidationError("count_too_large", field=field, max=maximum)
    try:
        n = int(raw)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError("bad_int", field=field, value=value) from None
    if n < 0:
        raise ValidationError("negative_count", field=field)
    if n > maximum:
        raise ValidationError("count_too_large", field=field, max=maximum)
    return n


def text(value, field: str, required: bool = True, limit: int | None = None, multiline: bool | None = None) -> str:
    """Free text of `field`: cleaned (see `clean`), refused when required and empty once
    invisible characters are gone, refused when longer than its limit (`LIMITS`)."""
    if value is None:
        v = ""
    else:
        v = clean(value if isinstance(value, str) else str(value),
                  multiline=(limit_of(field) > 255) if multiline is None else multiline)
    if required and not v:
        raise ValidationError("missing_field", field=field)
    n = limit if limit is not None else limit_of(field)
    if len(v) > n:
        raise ValidationError("too_long", field=field, max=n, n=len(v))
    return v


_EMAIL_LOCAL = re.compile(r"^[^@\s\"(),:;<>\[\]\\]+$")
_EMAIL_DOMAIN = re.compile(r"^(?!-)[^@\s\"(),:;<>\[\]\\_]+$")


def email(value, field: str = "email", required: bool = False) -> str:
    """A pragmatic check of an e-mail address: one @, nothing blank, a dot in the domain,
    no empty label, at most 64 characters before the @ and 254 in all. Returns "" when
    empty and not required."""
    v = text(value, field, required=required, limit=LIMITS["email"], multiline=False)
    if not v:
        return ""
    local, at, domain = v.partition("@")
    labels = domain.split(".")
    if (not at or "@" in domain or not local or len(local) > 64 or not _EMAIL_LOCAL.match(local)
            or local.startswith(".") or local.endswith(".") or ".." in local
            or len(labels) < 2 or any(not lab or lab.startswith("-") or lab.endswith("-") for lab in labels)
            or not _EMAIL_DOMAIN.match(domain)):
        raise ValidationError("bad_email", field=field, value=v)
    return v

# issue 17: the fields of the letter, complaint and denunciation actions
LIMITS.update({"decision_no": 64, "letter_no": 64, "transferred_from": 255, "content": 32, "condition": 32,
               "competent": 8, "several_places": 8, "second": 8, "complex": 8, "especially_complex": 8,
               "signers": 30, "contested_on": 32})
