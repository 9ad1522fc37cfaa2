"""Validating one register row: every value parsed and checked, the record type inferred
only from what the row says, each refusal naming its field."""
from __future__ import annotations

import hashlib
from datetime import date

from engine.deadlines.timeutil import parse_date
from engine.intake.columns import CATEGORY_WORDS, FALSE_WORDS, KIND_WORDS, RECORD_WORDS, SESSION_KIND_WORDS, TRUE_WORDS, PROGRESS
from engine.language.errors import ValidationError
from engine.language.text import fold
from engine.persistence.models import CATEGORIES, PETITION_KINDS, SESSION_KINDS, OrgUnit
from engine.services.common import count, text


# -- validation ----------------------------------------------------------------------------------------
def _lookup(table: dict, value, field_name: str, choices) -> str:
    key = fold(str(value)).replace("_", " ").strip()
    if key in table:
        return table[key]
    raise ValidationError("bad_choice", field=field_name, value=value, choices=", ".join(choices))


def _bool(value, field_name: str) -> bool:
    key = fold(str(value)).strip()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise ValidationError("import_bad_bool", field=field_name, value=value)


def _int(value, field_name: str, default: int = 0) -> int:
    if value in ("", None):
        return default
    if isinstance(value, float) and value.is_integer():  # a whole number typed into a spreadsheet cell
        value = int(value)
    return count(value if isinstance(value, int) else str(value), field_name)


def _opt_date(v: dict, key: str) -> date | None:
    return parse_date(v[key], key) if v.get(key) not in ("", None) else None


def row_ref(rec: dict) -> str:
    """The row's stable external reference: its own `ref`, or a hash of what identifies it."""
    if rec["ref"]:
        return str(rec["ref"])[:128]
    if rec["record"] == "session":
        ident = ("session", rec["unit"], rec["date"].isoformat(), rec["session_kind"], rec["people"], rec["chair"])
    else:
        ident = ("petition", rec["unit"], rec["date"].isoformat(), rec["summary"], rec["petitioner"])
    digest = hashlib.sha256("\x1f".join(str(x) for x in ident).encode("utf-8")).hexdigest()
    return "imp:" + digest[:40]


_SESSION_ONLY = ("session_kind", "people", "groups", "refused", "chair")


def _infer_record(v: dict) -> str:
    """A row without a record type is a petition when it has a summary and a session when
    it has a session column; anything else is refused, never guessed: a petition row whose
    summary was left blank must not become a reception that inflates the annex. A row
    naming a petition and an action is a history row."""
    if v.get("petition_ref") and v.get("action") and not v.get("summary"):
        return "history"
    if v.get("summary"):
        return "petition"
    if any(v.get(k) not in (None, "") for k in _SESSION_ONLY):
        return "session"
    raise ValidationError("import_unknown_record", field="record")


def validate_row(v: dict, units: dict[str, OrgUnit], today: date, chairs=None, workflow=None) -> dict:
    """A clean record from one raw row; raises a DomainError with the reason.

    `chairs` (`engine.intake.chairs.ChairRoles`) reads a session's chair role; without it
    the role is left empty. `workflow` is needed for history rows."""
    rec_raw = v.get("record", "")
    if rec_raw:
        record = RECORD_WORDS.get(fold(str(rec_raw)).strip())
        if record is None:
            raise ValidationError("import_bad_record", field="record", value=rec_raw)
    else:
        record = _infer_record(v)
    if record == "history":
        from engine.intake.history import validate_history_row
        from engine.workflow.definition import load_workflow
        return validate_history_row(v, workflow or load_workflow(), today)
    unit_code = text(v.get("unit"), "unit", required=False)
    if not unit_code:
        raise ValidationError("missing_field", field="unit")
    if unit_code not in units:
        raise ValidationError("unknown_unit", field="unit", code=unit_code)
    if v.get("date") in ("", None):
        raise ValidationError("missing_field", field="date")
    day = parse_date(v["date"], "date")
    if day > today:
        raise ValidationError("date_in_future", field="date", date=day.strftime("%d/%m/%Y"))
    rec = {"record": record, "unit": unit_code, "date": day, "ref": text(v.get("ref"), "ref", required=False)}
    if record == "session":
        rec.update(session_kind=_lookup(SESSION_KIND_WORDS, v.get("session_kind") or "reception_periodic", "session_kind",
                                        SESSION_KINDS),
                   people=_int(v.get("people"), "people"), groups=_int(v.get("groups"), "groups"),
                   refused=_int(v.get("refused"), "refused"), chair=text(v.get("chair"), "chair", required=False))
        rec["chair_role"] = chairs.role_of(rec["chair"], text(v.get("chair_role"), "chair_role", required=False)) \
            if chairs is not None else None
        return rec
    if units[unit_code].level == "department":  # as add_petition: received by a unit, not a department
        raise ValidationError("receiving_unit_department", field="unit", code=unit_code)
    summary = text(v.get("summary"), "summary")
    rec.update(summary=summary, petitioner=text(v.get("petitioner"), "petitioner", required=False),
               address=text(v.get("address"), "address", required=False),
               category=_lookup(CATEGORY_WORDS, v.get("category") or "other", "category", CATEGORIES),
               kind=_lookup(KIND_WORDS, v.get("kind") or "petition", "kind", PETITION_KINDS),
               group_size=_int(v.get("group_size"), "group_size", 1) or 1,
               complex=_bool(v.get("complex", ""), "complex"), incited=_bool(v.get("incited", ""), "incited"),
               session_ref=text(v.get("session_ref"), "ref", required=False))
    for key in PROGRESS:
        d = _opt_date(v, key)
        if d is not None:
            if d < day:
                raise ValidationError("date_before_receipt", field=key, date=d.strftime("%d/%m/%Y"),
                                      received=day.strftime("%d/%m/%Y"))
            if d > today:
                raise ValidationError("date_in_future", field=key, date=d.strftime("%d/%m/%Y"))
        rec[key] = d
    for key in ("answer_note", "notice_no", "department", "resolution_no", "referred_agency"):
        rec[key] = text(v.get(key), key, required=False)
    if rec["answered_on"] and (rec["notice_on"] or rec["referred_on"]):
        raise ValidationError("one_of_fields", field="answered_on", fields="answered_on | notice_on | referred_on")
    if rec["notice_on"]:
        for need in ("notice_no", "department"):
            if not rec[need]:
                raise ValidationError("missing_field", field=need)
    if rec["resolved_on"]:
        if not rec["notice_on"]:
            raise ValidationError("missing_field", field="notice_on")
        if not rec["resolution_no"]:
            raise ValidationError("missing_field", field="resolution_no")
        if rec["referred_on"]:
            raise ValidationError("one_of_fields", field="resolved_on", fields="resolved_on | referred_on")
    if rec["closed_on"] and not rec["resolved_on"]:
        raise ValidationError("missing_field", field="resolved_on")
    if rec["referred_on"] and not rec["referred_agency"]:
        raise ValidationError("missing_field", field="referred_agency")
    rec["ref"] = row_ref(rec)
    return rec


