"""Duplicate letters (đơn trùng) in the admin: the case page says when a case is a duplicate
or has duplicates and how many likely ones exist; a page lists the likely duplicates with
their likeness and lets a clerk or leader mark the case as a duplicate of one of them, or
withdraw a wrong mark. The rules are engine.services.duplicates'."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.language.errors import DomainError, NotFound
from engine.persistence.models import Petition
from engine.persistence.scope import can_read
from engine.services import duplicates as dup
from web import queries as Q
from web.access import ALL_ROLES, allow, may_know, scoped_petition
from web.dbsession import db, unit_of_work
from web.forms import error_text

bp = Blueprint("duplicates", __name__)
MARKERS = dup.MARK_ROLES


def _people(p: Petition) -> list[dict]:
    """The case's petitioners to compare, when the reader may know them (never a denouncer's
    identity for someone not handling the case)."""
    if not may_know(p):
        return []
    return [{"name": x.name, "address": x.address, "phone": x.phone} for x in p.petitioners]


@bp.app_template_global("duplicate_hint")
def duplicate_hint(p: Petition) -> dict:
    """What the case page says about duplicates: its master, the duplicates pointing at it
    (those the reader can see), and, for those who mark, how many likely duplicates the
    name search finds (cheap: the folded name is indexed; the full comparison is on the page)."""
    s, user = db(), current_user.model()
    copies = [c for c in s.scalars(select(Petition).where(Petition.duplicate_of_id == p.id).order_by(Petition.id))
              if can_read(s, user, c)]
    master = p.duplicate_of if p.duplicate_of is not None and can_read(s, user, p.duplicate_of) else None
    likely = None
    if user.role in MARKERS and p.duplicate_of_id is None:
        likely = len(dup.likely_duplicates(s, user, p.summary, _people(p), exclude_id=p.id, wide=False))
    return {"master": master, "is_copy": p.duplicate_of_id is not None, "copies": copies, "likely": likely,
            "may_mark": user.role in MARKERS}


@bp.route("/petitions/<code>/duplicates")
@allow(*ALL_ROLES)
def show(code):
    p = scoped_petition(code)
    user = current_user.model()
    found = dup.likely_duplicates(db(), user, p.summary, _people(p), exclude_id=p.id, limit=20) \
        if p.duplicate_of_id is None else []
    return render_template("duplicates.html", p=p, found=found, may_mark=user.role in MARKERS,
                           error=request.args.get("error"))


@bp.route("/petitions/<code>/duplicate", methods=["POST"])
@allow(*MARKERS)
def mark(code):
    p = scoped_petition(code)
    form = request.form
    master_code, reason, version = (form.get(k, "").strip() for k in ("master", "reason", "version"))
    try:
        with unit_of_work() as s:
            target = s.scalar(select(Petition).where(Petition.code == code))
            master = s.scalar(select(Petition).where(Petition.code == master_code))
            if master is None:
                raise NotFound("unknown_petition", field="master", code=master_code[:64])
            dup.mark_duplicate(s, current_user.model(), target, master, reason, Q.now(),
                               expect_version=int(version) if version.isdigit() else None)
    except DomainError as exc:
        flash(str(error_text(exc)), "error")
        return redirect(url_for("duplicates.show", code=p.code))
    flash(_("Marked as a duplicate of %(code)s; its deadlines no longer run.", code=master_code), "success")
    return redirect(url_for("petitions.detail", code=p.code))


@bp.route("/petitions/<code>/unduplicate", methods=["POST"])
@allow(*MARKERS)
def unmark(code):
    p = scoped_petition(code)
    form = request.form
    reason, version = form.get("reason", "").strip(), form.get("version", "").strip()
    ctx = Q.context()
    try:
        with unit_of_work() as s:
            target = s.scalar(select(Petition).where(Petition.code == code))
            dup.unmark_duplicate(s, current_user.model(), target, reason, Q.now(), ctx.cal, ctx.params.ladder,
                                 expect_version=int(version) if version.isdigit() else None)
    except DomainError as exc:
        flash(str(error_text(exc)), "error")
        return redirect(url_for("duplicates.show", code=p.code))
    flash(_("The duplicate mark was withdrawn; the deadlines run again."), "success")
    return redirect(url_for("petitions.detail", code=p.code))
