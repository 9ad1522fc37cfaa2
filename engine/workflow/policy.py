"""Who may act on what: the role rules, as pure functions of the user and the case.

A user acts only on cases of their own unit; roles listed as "own assignment" (a
department by default) act only on cases assigned to them; an auditor acts on nothing; an
admin may do everything. Reading is wider (the unit and everything below it) and needs the
org tree: that part is `engine.persistence.scope`.
"""
from __future__ import annotations


def can_act_on(user, petition, own_assignment_roles=("department",)) -> bool:
    if user.role == "admin":
        return True
    if user.role == "auditor":
        return False
    if user.role in own_assignment_roles:
        return petition.department_id == user.unit_id
    return petition.unit_id == user.unit_id


def can_read_in(user, petition, readable_unit_ids: set[int]) -> bool:
    """Reading, given the units under the user's (a department reads its assignments)."""
    if user.role == "admin":
        return True
    if user.role == "department":
        return petition.department_id in readable_unit_ids
    return petition.unit_id in readable_unit_ids


# -- personal data ----------------------------------------------------------------------
# The one rule for petitioners' personal data (names, addresses, phones, emails): the roles
# that handle cases see it; auditors review the handling, not the people, and see petitioners
# only as counts - on every page, export, search, printed page, email and digest.
PERSONAL_DATA_ROLES = ("clerk", "department", "leader", "admin")
# Keys that carry personal data in what is built for a reader (notification contexts, dicts).
PERSONAL_KEYS = frozenset({"petitioners", "petitioner_name", "petitioner_address", "petitioner_phone",
                           "petitioner_email"})


def protects_identity(petition) -> bool:
    """A denunciation: the denouncer's identity is kept secret (Luật Tố cáo 2018 art. 47-48) -
    the denunciation case, the superior's follow-up, and a letter classified as one."""
    return (getattr(petition, "kind", None) == "denunciation"
            or getattr(petition, "workflow", None) in ("denunciation", "denunciation_followup")
            or "denunciation" in (getattr(petition, "flags", None) or ()))


def sees_personal_data(user_or_role, petition=None) -> bool:
    """True when this user (or role) may see petitioners' personal data - of `petition`
    when given: a denouncer's identity is for the people named to handle the case only
    (`handles`), so the accused's unit, a leader not named, a leader above, an admin and a
    clerk of another unit all see "Người tố cáo (được bảo vệ)"."""
    role = user_or_role if isinstance(user_or_role, str) else getattr(user_or_role, "role", None)
    if role not in PERSONAL_DATA_ROLES:
        return False
    if petition is not None and protects_identity(petition):
        return not isinstance(user_or_role, str) and handles(user_or_role, petition)
    return True


def handles(user, petition) -> bool:
    """Whether the user is among those handling the case. For a denunciation that is a named
    list (`petition.handler_ids`: who received it, and whom the unit's head assigned), not a
    role: being the unit's leader or an admin is not enough. Otherwise as `can_act_on`."""
    if protects_identity(petition):
        return getattr(user, "id", None) in getattr(petition, "handler_ids", ())
    return can_act_on(user, petition)


def mask_personal(user_or_role, value):
    """`value` as this reader may receive it: unchanged for the roles that see personal data;
    otherwise every personal key is dropped from every dict inside it (lists and dicts are
    copied, never changed in place)."""
    if sees_personal_data(user_or_role):
        return value
    return _drop_personal(value)


def _drop_personal(value):
    if isinstance(value, dict):
        return {k: _drop_personal(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, (list, tuple)):
        return [_drop_personal(v) for v in value]
    return value
