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
