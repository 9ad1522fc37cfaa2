"""The one access policy of the admin: role checks on every view, unit scope on every
petition read or write.

`allow(*roles)` guards a view (admin passes everywhere, as in `engine.persistence.scope`); the roles
are kept on the view function so the role-matrix test can read them. Petitions are only
ever loaded through `scoped_petition`, which answers 404 for anything outside the user's
scope — a guessed URL never confirms that a petition exists.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, request
from flask_login import current_user, login_required

from engine.language.errors import NotFound
from engine.workflow.policy import (PERSONAL_DATA_ROLES, can_act_on, protects_identity,  # noqa: F401 (re-exported)
                                    sees_personal_data)
from engine.services.petitions import get_for
from web.dbsession import db, unit_of_work

ALL_ROLES = ("clerk", "department", "leader", "auditor", "admin")
# Who sees petitioners' personal data is the engine's rule (engine.workflow.policy):
# PERSONAL_DATA_ROLES and sees_personal_data are that rule, re-exported for the views.


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


def public(view):
    """Marks a view anyone may open without signing in (probes, the favicon, pages for
    citizens): every view declares either its roles (`allow`) or this."""
    view.public = True
    return view


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


def may_open(endpoint: str, user=None) -> bool:
    """Whether the user passes the role check of the view behind `endpoint`, so that pages
    only show links the reader can open (a link that answers 403 is never shown)."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return False
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "allowed_roles", None)
    return view is not None and (roles is None or user.role in roles)


def init_app(app) -> None:
    """Every template asks the same policy: `personal` (may this reader see petitioners'
    personal data at all?), `personal_for(p)` (this petition's: a denouncer's identity only
    for those handling the case) and `may_open(endpoint)` (may this reader open that page?)."""
    @app.context_processor
    def _access_globals():
        return {"personal": bool(current_user.is_authenticated and sees_personal_data(current_user)),
                "personal_for": personal_for, "may_open": may_open}

    @app.after_request
    def _write_reveals(resp):
        """Who was shown a denouncer's identity in this request: written after the answer is
        built, in one transaction of its own (a GET otherwise writes nothing)."""
        reveals = g.pop("identity_reveals", None)
        if reveals and resp.status_code < 400:
            from engine.services.handlers import record_reveals
            from web.queries import now
            with unit_of_work() as w:
                record_reveals(w, reveals, now())
        return resp


def may_know(petition) -> bool:
    """May the signed-in reader know this petition's petitioners (a denunciation: only if
    named to handle it)? Asking shows nothing; `personal_for` is for showing."""
    return bool(current_user.is_authenticated and sees_personal_data(current_user, petition))


def personal_for(petition, channel: str | None = None) -> bool:
    """`may_know`, for a page about to show the petitioners: a denouncer's identity shown is
    recorded (who, when, where) and written after the request."""
    allowed = may_know(petition)
    if allowed and protects_identity(petition):
        note_reveal(petition, channel)
    return allowed


def note_reveal(petition, channel: str | None = None) -> None:
    path = request.path
    if channel is None:
        fmt = (request.args.get("format") or "").lower()
        channel = ("api" if path.startswith("/api/") else "export" if fmt in ("csv", "xlsx", "json")
                   else "print" if "print" in path or request.args.get("print") else "page")
    g.setdefault("identity_reveals", []).append((petition.id, current_user.id, channel, path))
