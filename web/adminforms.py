"""What the administration pages share (units, users, self-service): the acting user as a
model, a refused change as messages next to its fields, and the unit choices of a form."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from engine.language.errors import DomainError
from engine.persistence.models import OrgUnit
from engine.services.unit_admin import scope_ids
from web.dbsession import db
from web.forms import error_text


def actor():
    return current_user.model()


def refused(exc: DomainError, fields: tuple[str, ...] = ()) -> dict[str, str]:
    """{field: message}; a message about a field the form does not show goes on top."""
    key = exc.field if exc.field in fields else "form"
    return {key: error_text(exc)}


def tree(session=None, user=None) -> list[tuple[OrgUnit, int]]:
    """(unit, depth) of the units the user manages, parents before children, closed ones too."""
    s = session or db()
    ids = scope_ids(s, user or actor())
    units = list(s.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.code)))
    children: dict[int | None, list[OrgUnit]] = {}
    for u in units:
        parent = u.parent_id if u.parent_id in ids else None
        children.setdefault(parent, []).append(u)
    out, stack = [], [(u, 0) for u in reversed(children.get(None, []))]
    while stack:
        u, depth = stack.pop()
        out.append((u, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(u.id, [])))
    return out


def open_units(today, session=None) -> list[OrgUnit]:
    """Units in force today that the user manages: what a form may choose."""
    return [u for u, _ in tree(session) if (u.valid_from is None or u.valid_from <= today)
            and (u.valid_to is None or u.valid_to >= today)]


from flask_babel import lazy_gettext as _l  # noqa: E402 (the labels below only)

ADMIN_ACTIONS = {
    "unit_created": _l("Unit added"), "unit_renamed": _l("Unit renamed"), "unit_moved": _l("Unit moved"),
    "units_reorganised": _l("Units merged or split"), "user_created": _l("Account created with a password"),
    "user_invited": _l("Invitation link made"), "user_changed": _l("Role or unit changed"),
    "user_activated": _l("Account reactivated"), "user_deactivated": _l("Account deactivated"),
    "password_set": _l("Password set by an administrator"), "password_reset": _l("Password reset, link made"),
    "invitation_used": _l("Password set from a link"), "own_password_changed": _l("Own password changed"),
    "preferences_changed": _l("Notifications or language changed"),
    "list_entry_added": _l("List entry added"), "list_entry_changed": _l("List entry relabelled"),
    "list_entry_retired": _l("List entry retired"), "list_entry_restored": _l("List entry back in use"),
    "calendar_decision_added": _l("Calendar decision added"), "unit_param_added": _l("Deadline parameter added"),
}


def admin_action_label(action: str) -> str:
    return str(ADMIN_ACTIONS.get(action, action))
