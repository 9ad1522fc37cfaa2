"""The public face for citizens (no sign-in), and the two staff pages that serve it.

Public (`@public`): a small home page, tracking a case by its code and the secret of its
receipt slip, the deadline calculator, the index of the units' reception schedules, online
submission, and the receipt slip (A4 and phone, with its QR code). Staff: printing a new
slip for a case (a new secret; the old slip stops working) and downloading an online
submission's attachments (in scope, for the roles that see personal data).

Public pages use their own small template (`public_base.html`): one stylesheet, no script,
no personal data; what a citizen reads comes from `engine.services.tracking.public_case`.
"""
from __future__ import annotations

import io
import logging
from datetime import timedelta

from flask import (Blueprint, abort, current_app, g, make_response, redirect, render_template, request, send_file,
                   session, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.deadlines.calendar import MAX_DATE, MIN_DATE
from engine.deadlines.clocks import explain_clock
from engine.deadlines.online_reception import ONLINE_RECEPTION
from engine.deadlines.timeutil import parse_date
from engine.language.errors import DomainError, ValidationError
from engine.persistence.models import OnlineAttachment, OnlineSubmission, OrgUnit, Petition
from engine.services import attachments as files
from engine.services import online, tracking
from engine.services import public_limits as limits
from engine.services.common import user_by_name
from web import queries as Q
from web.access import allow, can_act_on, personal_for, public, scoped_petition
from web.auth import client_address
from web.dbsession import after_commit, db, unit_of_work
from web.forms import error_text
from web.i18n import current_lang

bp = Blueprint("citizens", __name__)
log = logging.getLogger("petitions.web")

MAX_DAYS = 365          # the calculator: the longest legal time limit is well under a year
RECEIPT_KEY = "receipt_slip"
REQUEST_CAP = files.MAX_TOTAL_BYTES + 1024 * 1024  # the form's text beside the files


def _receiving_units():
    today = Q.today()
    units = db().scalars(select(OrgUnit).where(OrgUnit.level != "department").order_by(OrgUnit.level, OrgUnit.name))
    return [u for u in units if (u.valid_from is None or u.valid_from <= today) and (u.valid_to is None or u.valid_to >= today)]


@bp.route("/public/")
@public
def home():
    return render_template("public_home.html", online_open=ONLINE_RECEPTION.in_force(Q.today()))


# -- track a case ------------------------------------------------------------------------
@bp.route("/public/track", methods=["GET", "POST"])
@public
def track():
    code = tracking.normalise_code(request.values.get("code"))
    if request.method == "GET":
        return render_template("public_track.html", code=code, errors={}, case=None)
    secret = request.form.get("secret") or ""
    errors: dict = {}
    if not code:
        errors["code"] = _("Enter the case code printed on the receipt slip.")
    if not tracking.normalise_secret(secret):
        errors["secret"] = _("Enter the secret printed on the receipt slip.")
    if errors:
        return render_template("public_track.html", code=code, errors=errors, case=None), 400
    now, address = Q.now(), client_address()
    s = db()
    wait = max(limits.wait_seconds(s, limits.TRACK_ADDRESS, address, now),
               limits.wait_seconds(s, limits.TRACK_CODE, code, now))
    if wait:
        log.warning("tracking refused for %ss: too many failures (code %r, address %s)", wait, code, address)
        resp = make_response(render_template("public_track.html", code=code, case=None, errors={
            "form": _("Too many attempts. Wait %(seconds)d seconds and try again.", seconds=wait)}), 429)
        resp.headers["Retry-After"] = str(wait)
        return resp
    p = tracking.lookup(s, code, secret)
    with unit_of_work() as w:
        limits.record(w, limits.TRACK_ADDRESS, address, p is not None, now)
        limits.record(w, limits.TRACK_CODE, code, p is not None, now)
    if p is None:
        # One answer for an unknown code and a wrong secret: nothing tells them apart.
        return render_template("public_track.html", code=code, case=None, errors={
            "form": _("No case matches this code and secret. Check both on the receipt slip.")}), 404
    ctx = Q.context()
    case = tracking.public_case(s, p, ctx.workflow)
    why = explain_clock(case.clock, ctx.cal) if case.clock is not None else None
    return render_template("public_track.html", code=code, errors={}, case=case, why=why, today=Q.today())


# -- the deadline calculator ---------------------------------------------------------------
@bp.route("/public/deadline")
@public
def deadline():
    args = request.args
    values = {"start": (args.get("start") or "").strip()[:40], "days": (args.get("days") or "").strip()[:12],
              "kind": args.get("kind") if args.get("kind") in ("working", "calendar") else "working"}
    errors: dict = {}
    why = None
    if not values["start"] and not values["days"]:
        values.update(start=Q.today().strftime("%d/%m/%Y"), days="10")
        return render_template("public_deadline.html", values=values, errors=errors, why=None)
    start = None
    try:
        start = parse_date(values["start"], "start") if values["start"] else None
    except ValidationError:
        pass
    if start is None:
        errors["start"] = _("Enter the start date as dd/mm/yyyy, for example 02/11/2026.")
    elif not (MIN_DATE <= start <= MAX_DATE - timedelta(days=2 * MAX_DAYS)):
        errors["start"] = _("The calendar covers %(lo)d to %(hi)d: choose a start date in those years.",
                            lo=MIN_DATE.year, hi=(MAX_DATE - timedelta(days=2 * MAX_DAYS)).year)
    days = None
    if values["days"].isdigit() and len(values["days"]) <= 4:
        days = int(values["days"])
    if days is None or not 1 <= days <= MAX_DAYS:
        errors["days"] = _("Enter a whole number of days from 1 to %(max)d.", max=MAX_DAYS)
    if not errors:
        try:
            why = Q.context().cal.explain(start, days, working=values["kind"] == "working")
        except DomainError as exc:
            errors["start"] = error_text(exc)
    status = 400 if errors else 200
    # Not cached by shared caches (the default no-store of web/security.py): every public
    # page carries the language form's CSRF token, which belongs to one browser's session.
    return render_template("public_deadline.html", values=values, errors=errors, why=why), status


# -- reception schedules -------------------------------------------------------------------
@bp.route("/public/schedules")
@public
def schedules():
    return render_template("public_schedules.html", units=_receiving_units())


# -- online submission ---------------------------------------------------------------------
SUBMIT_FIELDS = ("unit", "name", "contact", "address", "content", "kind")


@bp.route("/public/submit", methods=["GET", "POST"])
@public
def submit():
    opens = ONLINE_RECEPTION.in_force(Q.today())
    units = _receiving_units()
    values = {k: (request.form.get(k) or "") for k in SUBMIT_FIELDS}
    errors: dict = {}
    if request.method == "GET" or not opens:
        values["kind"] = values["kind"] or "petition"
        return render_template("public_submit.html", values=values, errors=errors, units=units, opens=opens,
                               rule=ONLINE_RECEPTION), (200 if request.method == "GET" else 400)
    now, address = Q.now(), client_address()
    wait = limits.wait_seconds(db(), limits.SUBMIT_ADDRESS, address, now)
    if wait:
        log.warning("online submission refused for %ss: too many from address %s", wait, address)
        errors["form"] = _("Too many submissions from this connection. Wait %(minutes)d minute(s) and try again.",
                           minutes=max(1, (wait + 59) // 60))
        resp = make_response(render_template("public_submit.html", values=values, errors=errors, units=units,
                                             opens=opens, rule=ONLINE_RECEPTION), 429)
        resp.headers["Retry-After"] = str(wait)
        return resp
    with unit_of_work() as w:
        limits.record(w, limits.SUBMIT_ADDRESS, address, True, now)
    if request.form.get("website"):  # the honeypot: hidden from people, filled by robots
        log.warning("online submission refused: honeypot filled (address %s)", address)
        errors["form"] = _("The form could not be accepted. Reload the page and send it again.")
        return render_template("public_submit.html", values=values, errors=errors, units=units, opens=opens,
                               rule=ONLINE_RECEPTION), 400
    uploads = [(f.filename or "", f.read(files.MAX_FILE_BYTES + 1)) for f in request.files.getlist("attachments")
               if f.filename]
    for k, msg in (("unit", _("Choose the unit you are writing to.")), ("name", _("Enter your full name.")),
                   ("contact", _("Enter a phone number or an e-mail address.")),
                   ("content", _("Write what you are asking for or reporting."))):
        if not values[k].strip():
            errors[k] = msg
    if not errors:
        try:
            with unit_of_work() as w:
                done = online.submit(w, Q.context(), unit_code=values["unit"], name=values["name"],
                                     contact=values["contact"], content=values["content"], address=values["address"],
                                     kind=values["kind"] or "petition", attachments=uploads,
                                     storage=files.storage_dir(current_app.config["PETITIONS_SETTINGS"].var_dir),
                                     sender_address=address, lang=current_lang())
                code, secret = done.petition.code, done.secret
                due = _due_of(done.petition)
        except DomainError as exc:
            field = "content" if exc.field == "summary" else exc.field
            field = field if field in SUBMIT_FIELDS + ("attachments",) else "form"
            errors[field] = error_text(exc)
    if errors:
        return render_template("public_submit.html", values=values, errors=errors, units=units, opens=opens,
                               rule=ONLINE_RECEPTION), 400
    log.info("online submission %s received", code, extra={"petition": code})
    session[RECEIPT_KEY] = {"code": code, "secret": secret, "due": due, "online": True}
    return redirect(url_for("citizens.receipt"), code=303)


def _due_of(p: Petition) -> str | None:
    running = [c for c in p.clocks if c.status == "running"]
    return min(running, key=lambda c: c.due_date).due_date.isoformat() if running else None


# -- the receipt slip ----------------------------------------------------------------------
@bp.route("/public/receipt")
@public
def receipt():
    """The slip just issued in this browser: shown once (the secret is kept nowhere in clear),
    to print on A4 or keep on the phone."""
    slip = session.pop(RECEIPT_KEY, None)
    if not slip:
        return render_template("public_receipt.html", slip=None), 404
    s = db()
    p = s.scalar(select(Petition).where(Petition.code == slip["code"]))
    if p is None:
        abort(404)
    settings = current_app.config["PETITIONS_SETTINGS"]
    url = tracking.tracking_url(settings.public_url, p.code)
    from web.qr import qr_svg
    resp = make_response(render_template("public_receipt.html", slip=slip, p=p, url=url, qr=qr_svg(url),
                                         secret=tracking.shown(slip["secret"]), now=Q.now()))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/petitions/<code>/slip", methods=["POST"])
@allow("clerk", "leader")
def issue_slip(code):
    """A new receipt slip for a case received at the desk, or a reprint: a new secret, and
    every earlier slip of the case stops opening it."""
    p = scoped_petition(code)
    if not can_act_on(current_user.model(), p):
        abort(403)
    with unit_of_work() as w:
        case = w.scalar(select(Petition).where(Petition.id == p.id))
        secret = tracking.issue(w, case, "desk", user_by_name(w, current_user.username), Q.now())
        due = _due_of(case)
    log.info("receipt slip issued for %s by %s", code, current_user.username, extra={"petition": code})
    session[RECEIPT_KEY] = {"code": p.code, "secret": secret, "due": due, "online": False}
    return redirect(url_for("citizens.receipt"), code=303)


# -- attachments, for staff ------------------------------------------------------------------
@bp.route("/petitions/<code>/attachments/<int:attachment_id>")
@allow("clerk", "department", "leader")
def attachment(code, attachment_id):
    p = scoped_petition(code)
    if not personal_for(p):
        abort(403)
    s = db()
    a = s.scalar(select(OnlineAttachment).join(OnlineSubmission, OnlineSubmission.id == OnlineAttachment.submission_id)
                 .where(OnlineAttachment.id == attachment_id, OnlineSubmission.petition_id == p.id))
    if a is None:
        abort(404)
    path = files.path_of(files.storage_dir(current_app.config["PETITIONS_SETTINGS"].var_dir), a.sha256)
    try:
        data = path.read_bytes()
    except OSError:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=a.mime, as_attachment=True, download_name=a.filename)


@bp.record_once
def _cap_requests(state):
    # The size cap of a submission, enforced by werkzeug while the body is read (CSRF reads
    # the form before any view): a larger request is refused with 413 unread. An app that
    # sets its own cap keeps it.
    if state.app.config.get("MAX_CONTENT_LENGTH") is None:
        state.app.config["MAX_CONTENT_LENGTH"] = REQUEST_CAP


@bp.app_errorhandler(413)
def _too_large(_e):
    return render_template("public_message.html", title=_("The files are too large"),
                           message=_("Send at most %(n)d files of %(each)d MB each, %(total)d MB in all.",
                                     n=files.MAX_FILES, each=files.MAX_FILE_BYTES // (1024 * 1024),
                                     total=files.MAX_TOTAL_BYTES // (1024 * 1024))), 413


def online_submission(p):
    """The online submission behind a case, or None (the case page and the clerk's list show it).

    A list asks this for each of its rows: the first question of a request looks up every
    petition the request has loaded so far in one query (a page of 50 rows had made 50), and
    a petition loaded after that is looked up on its own."""
    s = db()
    known = g.setdefault("_online_submissions", {})
    if p.id not in known:
        ids = {p.id} | {o.id for o in list(s.identity_map.values()) if isinstance(o, Petition) and o.id not in known}
        found = {o.petition_id: o for o in s.scalars(select(OnlineSubmission).where(
            OnlineSubmission.petition_id.in_(sorted(ids))))}
        known.update({i: found.get(i) for i in ids})
    return known[p.id]


@bp.record_once
def _globals(state):
    # a global, not a context variable: the list macros (imported without context) ask it too
    state.app.jinja_env.globals["online_submission"] = online_submission
    state.app.jinja_env.globals["may_issue_slip"] = may_issue_slip


def may_issue_slip(p) -> bool:
    """The case page offers a slip to those who may act on the case (as `issue_slip` checks)."""
    return bool(current_user.is_authenticated and current_user.role in ("clerk", "leader", "admin")
                and can_act_on(current_user.model(), p))
