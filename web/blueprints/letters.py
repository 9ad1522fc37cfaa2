"""The letters register (issue 17): register a letter received by post, in person, online
or transferred from another body; the list of letters with their classification and
result. Classifying and the outcomes (accept, transfer, guide, file) are the letter
workflow's actions on the case page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.language.errors import DomainError
from engine.persistence.models import CATEGORIES, LETTER_CHANNELS, Letter, OrgUnit, Petition
from engine.persistence.scope import unit_scope_ids
from engine.services import casework
from engine.services import petitions as svc
from web import queries as Q
from web.access import allow
from web.dbsession import db, unit_of_work
from web.forms import error_text, parse_filter_date, parse_int
from web.listing import badges, page_number

bp = Blueprint("letters", __name__)
FIELDS = ("unit", "received_on", "channel", "transferred_from", "signers", "summary", "name", "address", "phone",
          "category")


@bp.route("/letters")
@allow("clerk", "leader", "auditor", "admin")
def index():
    """Sổ xử lý đơn: the letters in the reader's scope, newest first."""
    s = db()
    q = (Q.scoped(s, current_user.model()).where(Petition.workflow == "letter")
         .order_by(Petition.received_on.desc(), Petition.id.desc()))
    page = Q.paginate(s, q, page_number())
    found = {lt.petition_id: lt for lt in s.scalars(select(Letter).where(
        Letter.petition_id.in_([p.id for p in page.items])))} if page.items else {}
    return render_template("letters.html", page=page, letters=found, badges=badges(page.items))


def _unit_for_write():
    """Clerks register for their own unit; an admin picks one."""
    if current_user.role == "admin":
        code = (request.form.get("unit") or "").strip()
        return db().scalar(select(OrgUnit).where(OrgUnit.code == code)) if code else None
    return db().get(OrgUnit, current_user.unit_id)


@bp.route("/letters/new", methods=["GET", "POST"])
@allow("clerk", "admin")
def new():
    form = request.form
    values = {k: form.get(k, "").strip() for k in FIELDS}
    errors: dict = {}
    if request.method == "GET":
        values.update(received_on=Q.today().strftime("%d/%m/%Y"), channel="post", signers="1", category="other")
        return _render(values, errors)
    unit = _unit_for_write()
    if unit is None:
        errors["unit"] = _("Choose a unit.")
    if values["channel"] not in LETTER_CHANNELS:
        errors["channel"] = _("Choose how the letter was received.")
    elif values["channel"] == "transferred" and not values["transferred_from"]:
        errors["transferred_from"] = _("Say which body transferred the letter.")
    received = parse_filter_date(values["received_on"], "received_on", errors)
    if not values["received_on"]:
        errors["received_on"] = _("This field is required.")
    elif received is not None and received > Q.today():
        errors["received_on"] = _("The date is in the future.")
    signers = parse_int(values["signers"] or "1", "signers", errors, minimum=1)
    if not values["summary"]:
        errors["summary"] = _("This field is required.")
    if values["category"] not in CATEGORIES:
        errors["category"] = _("Unknown category.")
    if errors:
        return _render(values, errors, 400)
    try:
        with unit_of_work() as s:
            actor = svc.user_by_name(s, current_user.username)
            p = casework.register_letter(
                s, Q.context(), unit.code, values["summary"], values["channel"],
                transferred_from=values["transferred_from"], signers=signers, received_on=received,
                petitioners=[{"name": values["name"], "address": values["address"], "phone": values["phone"]}],
                category=values["category"], actor=actor)
            code = p.code
    except DomainError as exc:
        errors[exc.field if exc.field in values else "form"] = error_text(exc)
        return _render(values, errors, 400)
    flash(_("Letter %(code)s registered. Classify it within the handling time.", code=code), "success")
    return redirect(url_for("petitions.detail", code=code))


def _render(values, errors, status=200):
    units = []
    if current_user.role == "admin":
        units = [u for u in Q.units_in(db(), unit_scope_ids(db(), current_user.model())) if u.level != "department"]
    return render_template("letter_new.html", values=values, errors=errors, units=units, channels=LETTER_CHANNELS,
                           categories=CATEGORIES), status
