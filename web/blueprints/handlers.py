"""Who handles a denunciation, by name, on the case page (engine.services.handlers): the
head of the receiving unit names and withdraws handlers; the identity-reveal log shows who was
shown which denouncer's identity, and when, to those who oversee the handling."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.language.errors import DomainError
from engine.persistence.models import IdentityReveal, Petition, User
from engine.persistence.scope import petition_scope
from engine.services import handlers as svc
from engine.workflow.policy import protects_identity
from web import queries as Q
from web.access import allow, scoped_petition
from web.dbsession import db, unit_of_work
from web.forms import error_text

bp = Blueprint("handlers", __name__)


@bp.app_template_global("protected_identity")
def protected_identity(p: Petition) -> bool:
    return protects_identity(p)


@bp.app_template_global("handler_panel")
def handler_panel(p: Petition) -> dict:
    """The named handlers of a denunciation and, for the head of the receiving unit, who can
    still be named."""
    user = current_user
    head = user.role in svc.ASSIGNERS and user.unit_id == p.unit_id
    named = [h.user for h in p.handlers]
    choices = [u for u in svc.eligible(db(), p) if u.id not in p.handler_ids] if head else []
    return {"named": named, "head": head, "choices": choices}


def _change(code, fn, ok_message):
    p = scoped_petition(code)
    username, version = request.form.get("handler", "").strip(), request.form.get("version", "").strip()
    try:
        with unit_of_work() as s:
            target = s.scalar(select(Petition).where(Petition.id == p.id))
            actor = s.get(User, current_user.id)
            fn(s, actor, target, username, Q.now(), expect_version=int(version) if version.isdigit() else None)
    except DomainError as exc:
        flash(str(error_text(exc)), "error")
    else:
        flash(ok_message, "success")
    return redirect(url_for("petitions.detail", code=p.code) + "#handlers")


@bp.route("/petitions/<code>/handlers", methods=["POST"])
@allow(*svc.ASSIGNERS)
def add(code):
    return _change(code, svc.add_handler, _("The handler was named."))


@bp.route("/petitions/<code>/handlers/withdraw", methods=["POST"])
@allow(*svc.ASSIGNERS)
def withdraw(code):
    return _change(code, svc.remove_handler, _("The handler was withdrawn."))


@bp.route("/audit/identity-reveals")
@allow("auditor", "leader", "admin")
def reveals():
    """Who was shown a denouncer's identity: the cases the reader can read, newest first."""
    s = db()
    readable = select(Petition.id).where(petition_scope(s, current_user.model()))
    rows = s.execute(select(IdentityReveal, Petition.code, User.full_name, User.username)
                     .join(Petition, IdentityReveal.petition_id == Petition.id)
                     .join(User, IdentityReveal.user_id == User.id)
                     .where(IdentityReveal.petition_id.in_(readable))
                     .order_by(IdentityReveal.at.desc(), IdentityReveal.id.desc()).limit(500)).all()
    return render_template("identity_reveals.html", rows=rows)
