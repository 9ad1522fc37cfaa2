"""The office's settings in the browser (issue 18): the lists (categories, chair roles,
attending bodies), calendar decisions and the units' deadline parameters.

Every form: role admin, CSRF (Flask-WTF, app-wide), one transaction (`unit_of_work`), the
engine's message for bad input next to the field, nothing saved on a refusal. The calendar
and the parameters are previewed first: the preview posts `step=preview`, the page shows
what would change and a "Save" button that posts the same values with `step=save`.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from engine.language.errors import DomainError, Forbidden
from engine.persistence.models import ADMIN_LISTS
from engine.services import calendar_decisions as cds
from engine.services import lists as lsvc
from engine.services import unit_params as ups
from web import queries as Q
from web.access import allow
from web.dbsession import db, engine, unit_of_work
from web.forms import error_text
from web.i18n import current_lang

bp = Blueprint("office", __name__, url_prefix="/admin")

LIST_NAMES = {"category": _l("Petition categories"), "chair_role": _l("Chair's role"),
              "body": _l("Bodies that took part")}
F = {"list": _l("List"), "code": _l("Code"), "label_vi": _l("Label (Vietnamese)"), "label_en": _l("Label (English)"),
     "day": _l("Date"), "kind": _l("Kind"), "name": _l("Name (Vietnamese)"), "name_en": _l("Name (English)"),
     "source_no": _l("Document number"), "source_on": _l("Document date"), "unit": _l("Unit"),
     "clock": _l("Deadline"), "days": _l("Days"), "effective_from": _l("Applies from"),
     "source_title": _l("Document title")}
KIND_LABELS = {"day_off": _l("Day off"), "working_day": _l("Make-up working day")}


def _error(exc: DomainError, errors: dict, fields) -> None:
    errors[exc.field if exc.field in fields else "form"] = error_text(exc)


def _settings():
    return current_app.config.get("PETITIONS_SETTINGS")


def _me():
    return current_user.model()


# -- lists --------------------------------------------------------------------------------
@bp.route("/lists", methods=["GET", "POST"])
@allow()
def lists():
    errors: dict = {}
    values = {k: request.form.get(k, "") for k in ("list", "code", "label_vi", "label_en")}
    status = 200
    if request.method == "POST":
        try:
            with unit_of_work() as w:
                lsvc.add_entry(w, w.merge(_me()), values["list"], values["code"], values["label_vi"],
                               values["label_en"])
        except Forbidden as exc:
            errors["form"], status = error_text(exc), 403
        except DomainError as exc:
            _error(exc, errors, values)
            status = 400
        else:
            flash(_("Added."), "success")
            return redirect(url_for("office.lists"))
    s = db()
    return render_template("office_lists.html", lists={n: lsvc.entries(s, n) for n in ADMIN_LISTS},
                           names=LIST_NAMES, values=values, errors=errors, F=F, lang=current_lang(),
                           can_edit=lsvc.may_edit(s, _me())), status


@bp.route("/lists/<int:entry_id>", methods=["POST"])
@allow()
def list_entry(entry_id):
    """Edit an entry's labels, or retire / restore it (`do` = edit | retire | restore)."""
    do = request.form.get("do", "edit")
    try:
        with unit_of_work() as w:
            me = w.merge(_me())
            if do == "retire" or do == "restore":
                lsvc.set_active(w, me, entry_id, do == "restore")
            else:
                lsvc.edit_entry(w, me, entry_id, request.form.get("label_vi", ""), request.form.get("label_en", ""))
    except DomainError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("office.lists"))


def _preview_or_save(errors: dict, fields, save, preview):
    """A form that is previewed before it is saved (calendar decisions, unit parameters): on a
    POST, `save()` (its response: a redirect) or `preview()` as the form's step says; a refusal
    fills `errors` and changes nothing. Returns (response or None, preview or None, status)."""
    if request.method != "POST":
        return None, None, 200
    try:
        if request.form.get("step", "preview") == "save":
            return save(), None, 200
        return None, preview(), 200
    except Forbidden as exc:
        errors["form"] = error_text(exc)
        return None, None, 403
    except DomainError as exc:
        _error(exc, errors, fields)
        return None, None, 400


# -- calendar decisions ------------------------------------------------------------------
CAL_FIELDS = ("day", "kind", "name", "name_en", "source_no", "source_on")


@bp.route("/calendar", methods=["GET", "POST"])
@allow()
def calendar():
    s = db()
    me = _me()
    errors: dict = {}
    values = {k: request.form.get(k, "") for k in CAL_FIELDS}
    def do_save():
        with unit_of_work() as w:
            moved = cds.add_decision(w, w.merge(me), values, Q.now(), _settings()).moved
        flash(_("Saved. %(n)d running deadlines moved.", n=moved), "success")
        return redirect(url_for("office.calendar"))

    def do_preview():
        s.commit()  # end the read transaction: on SQLite every transaction holds the write lock
        return cds.preview_decision(engine(), me, values, Q.now(), _settings())

    done, preview, status = _preview_or_save(errors, CAL_FIELDS, do_save, do_preview)
    if done is not None:
        return done
    cal = cds.current_calendar(s, _settings())
    return render_template("office_calendar.html", decisions=cds.listing(s), values=values, errors=errors, F=F,
                           kinds=KIND_LABELS, preview=preview, can_decide=cds.may_decide(s, me),
                           version=cal.version, lang=current_lang()), status


# -- per-unit deadline parameters ---------------------------------------------------------
PARAM_FIELDS = ("unit", "clock", "days", "effective_from", "source_title", "source_no", "source_on")


@bp.route("/params", methods=["GET", "POST"])
@allow()
def params():
    s = db()
    me = _me()
    errors: dict = {}
    values = {k: request.form.get(k, "") for k in PARAM_FIELDS}
    def do_save():
        with unit_of_work() as w:
            ups.add_param(w, w.merge(me), values, Q.today(), Q.now())
        flash(_("Saved. The parameter applies to deadlines that start from that date."), "success")
        return redirect(url_for("office.params"))

    def do_preview():
        return ups.preview_param(s, me, values, Q.today(), cds.current_calendar(s, _settings()))

    done, preview, status = _preview_or_save(errors, PARAM_FIELDS, do_save, do_preview)
    if done is not None:
        return done
    current = ups.current_params(s)
    from engine.deadlines.unit_params import clocks_of
    return render_template("office_params.html", rows=ups.listing(s, me), units=ups.admin_units(s, me),
                           clocks=clocks_of(current), general=[r for r in current.deadlines], values=values,
                           errors=errors, F=F, preview=preview, lang=current_lang()), status
