"""The one access policy of the admin: role checks on every view, unit scope on every
petition read or write.

`allow(*roles)` guards a view (admin passes everywhere, as in `engine.persistence.scope`); the roles
are kept on the view function so the role-matrix test can read them. Petitions are only
ever loaded through `scoped_petition`, which answers 404 for anything outside the user's
scope — a guessed URL never confirms that a petition exists.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from engine.language.errors import NotFound
from engine.workflow.policy import can_act_on
from engine.services.petitions import get_for
from web.dbsession import db

ALL_ROLES = ("clerk", "department", "leader", "auditor", "admin")
# Roles that see petitioners' personal data (auditors review the handling, not the people).
PERSONAL_DATA_ROLES = ("clerk", "department", "leader", "admin")


def allow(*roles: str):
    def deco(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != "admin" and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.allowed_roles = tuple(roles) + ("admin",)
        return wrapped
    return deco


def scoped_petition(code: str):
    try:
        return get_for(db(), code, current_user.model())
    except NotFound:
        abort(404)


def allowed_actions(workflow, user, petition) -> list:
    """The workflow actions this user may take on this petition now."""
    out = []
    for a in workflow.actions_from(petition.state):
        if user.role != "admin" and user.role not in a.roles:
            continue
        if can_act_on(user.model(), petition, a.own_assignment_roles):
            out.append(a)
    return out


def sees_personal_data(user) -> bool:
    return user.role in PERSONAL_DATA_ROLES
