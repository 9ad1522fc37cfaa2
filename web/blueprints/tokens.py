"""API tokens: every signed-in user makes, lists and revokes their own personal access
tokens for the JSON API (/api/v1). A new token's secret is shown once, on the answer to
the form that made it; only its SHA-256 is kept (`engine.services.tokens`)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.language.errors import DomainError
from engine.services import tokens as tok
from web import queries as Q
from web.access import ALL_ROLES, allow
from web.dbsession import db, unit_of_work
from web.forms import error_text

bp = Blueprint("tokens", __name__)


def _page(errors=None, values=None, secret=None, status=200):
    s = db()
    rows = tok.tokens_of(s, current_user.id)
    uses = {t.id: tok.recent_uses(s, t.id, 5) for t in rows}
    everyone = tok.live_tokens(s, Q.now()) if current_user.role == "admin" else []
    return render_template("tokens.html", tokens=rows, uses=uses, errors=errors or {}, values=values or {},
                           secret=secret, now=Q.now(), max_days=tok.MAX_DAYS, default_days=tok.DEFAULT_DAYS,
                           everyone=everyone), status


@bp.route("/tokens", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def index():
    if request.method == "GET":
        return _page()
    values = {"name": request.form.get("name", ""), "days": request.form.get("days", "")}
    try:
        with unit_of_work() as w:
            _row, secret = tok.create_token(w, current_user.model(), values["name"], values["days"] or tok.DEFAULT_DAYS,
                                            now=Q.now())
    except DomainError as exc:
        return _page({exc.field or "form": error_text(exc)}, values, status=400)
    return _page(secret=secret, status=201)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@allow(*ALL_ROLES)
def revoke(token_id: int):
    try:
        with unit_of_work() as w:
            tok.revoke_token(w, current_user.model(), token_id, now=Q.now())
    except DomainError as exc:
        return _page({"form": error_text(exc)}, status=404)
    flash(_("The token was revoked: it no longer works."), "info")
    return redirect(url_for("tokens.index"))
