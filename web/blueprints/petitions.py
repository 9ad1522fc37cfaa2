"""Landing pages per role, petition lists and search, the detail page and its actions."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from engine.deadlines.clocks import explain_clock
from engine.language.errors import DomainError, Forbidden, NotFound, ValidationError, VersionConflict, IllegalTransition
from engine.deadlines.clocks import extended_due
from engine.deadlines.timeutil import parse_date
from engine.persistence.models import ClockJournal, Event, OrgUnit, Petition, User
from engine.services import petitions as svc
from web import queries as Q
from web.access import ALL_ROLES, allow, allowed_actions, scoped_petition
from web.dbsession import after_commit, db, unit_of_work
from web.deadlines import badge
from web.forms import error_text
from web.listing import badges, kept_html, page_number, read_filters
from web import casework_view

bp = Blueprint("petitions", __name__)


HOME_BY_ROLE = {"department": "petitions.work", "leader": "petitions.backlog", "clerk": "sessions.desk",
                "auditor": "reports.overview", "admin": "admin.index"}


@bp.route("/")
@allow(*ALL_ROLES)
def home():
    # Each role's first page, called by endpoint name so that no blueprint imports another.
    return current_app.view_functions[HOME_BY_ROLE.get(current_user.role, "admin.index")]()


@bp.route("/work")
@allow("department")
def work():
    """Việc của tôi: the department's assigned open petitions, by deadline."""
    s = db()
    user = current_user.model()
    page_no = page_number()

    def build():
        q = Q.by_deadline(Q.scoped(s, user).where(Petition.state.in_(("in_resolution", "received"))))
        page = Q.paginate(s, q, page_no)
        return {"page": page, "badges": badges(page.items)}
    return render_template("work.html", list=kept_html(("work", user.id, page_no), "_work_list.html", build))


@bp.route("/backlog")
@allow("leader")
def backlog():
    s = db()
    user = current_user.model()
    today = Q.today()
    page_no = page_number()

    def build():
        overdue, awaiting, page = Q.backlog(s, user, today, page_no)
        return {"overdue": overdue, "awaiting": awaiting, "page": page, "badges": badges(overdue + awaiting + page.items)}
    return render_template("backlog.html", lists=kept_html(("backlog", user.id, page_no), "_backlog_lists.html", build))


@bp.route("/petitions")
@allow(*ALL_ROLES)
def index():
    s = db()
    errors: dict = {}
    f = read_filters(errors)
    q = Q.apply_filters(s, Q.scoped(s, current_user.model()), f, Q.today())
    page = Q.paginate(s, q.order_by(Petition.received_on.desc(), Petition.id.desc()), page_number())
    from engine.persistence.scope import unit_scope_ids
    units = Q.units_in(s, unit_scope_ids(s, current_user.model()))
    return render_template("petitions.html", page=page, badges=badges(page.items), f=f, errors=errors,
                           units=[u for u in units if u.level != "department"],
                           departments=[u for u in units if u.level == "department"]), (400 if errors else 200)


def _detail(p: Petition, errors=None, values=None, status=200, open_action=None):
    s = db()
    ctx = Q.context()
    user = current_user
    wf = g.workflow = casework_view.workflow_of(p, ctx)  # labels on this page are the case's workflow's
    clocks = []
    ledger = casework_view.suspensions(s, [c.id for c in p.clocks])
    for c in p.clocks:
        journal = list(s.scalars(select(ClockJournal).where(ClockJournal.clock_id == c.id).order_by(ClockJournal.id)))
        clocks.append({"clock": c, "why": explain_clock(c, ctx.cal), "journal": journal,
                       "suspensions": ledger.get(c.id, []), "cap": casework_view.cap_of(ctx, p, c, wf)})
    events = list(s.scalars(select(Event).where(Event.petition_id == p.id).order_by(Event.seq)))
    actions = casework_view.offered_actions(wf, user, p, Q.today())
    departments = Q.departments_under(s, p.unit_id) if any("department" in a.fields for a in actions) else []
    linked = {}
    for rel in ("escalated_to", "escalated_from"):
        other = getattr(p, rel)
        if other is not None:
            from engine.persistence.scope import can_read
            linked[rel] = (other.code, can_read(s, user.model(), other))
    # The unit an escalated case left follows it: the linked case's state, deadline and outcome,
    # read-only and with no personal data (its petitioners are the origin's own).
    followed = p.escalated_to
    follow = None if followed is None else {
        "p": followed, "badge": badge(followed, Q.today(), ctx.cal), "readable": linked["escalated_to"][1]}
    verifier = user.role == "auditor"
    return render_template("detail.html", p=p, clocks=clocks, events=events, actions=actions, case_wf=wf,
                           letter=casework_view.letter_block(s, user.model(), p),
                           departments=departments, errors=errors or {},
                           values=values or {}, badge=badge(p, Q.today(), ctx.cal), linked=linked, follow=follow,
                           open_action=open_action, today=Q.today(), names=_names(s, events),
                           verifier=verifier, verify=verifier and request.args.get("verify") == "1"), status


# Event fields whose recorded value is a unit code, shown as the unit's name.
UNIT_FIELDS = ("department", "unit")


def _names(s, events) -> dict:
    """People's and units' names for the history: events record user names and unit codes,
    a clerk reads full names and unit names (resolved at render time; unknown ones stay as recorded)."""
    usernames = {ev.actor for ev in events if ev.actor}
    codes = {str(v) for ev in events for src in (ev.data or {}, ev.after or {})
             for k, v in src.items() if k in UNIT_FIELDS and v}
    users = dict(s.execute(select(User.username, User.full_name).where(User.username.in_(sorted(usernames)))).all()) \
        if usernames else {}
    units = dict(s.execute(select(OrgUnit.code, OrgUnit.name).where(OrgUnit.code.in_(sorted(codes)))).all()) \
        if codes else {}
    return {"users": {k: v for k, v in users.items() if v}, "units": units, "unit_fields": UNIT_FIELDS}


FORM_KEY = "refused_form"


@bp.route("/petitions/<code>")
@allow(*ALL_ROLES)
def detail(code):
    # A refused form comes back here by redirect (Post/Redirect/Get): its values and errors
    # wait in the session for this petition and are shown once.
    stash = session.get(FORM_KEY)
    if stash and stash.get("code") == code:
        session.pop(FORM_KEY, None)
        return _detail(scoped_petition(code), errors=stash.get("errors"), values=stash.get("values"),
                       open_action=stash.get("action"))
    return _detail(scoped_petition(code))


def _refuse(code, action, field, msg, values, confirm=None):
    """Keep the entered values and the message for the case page, and redirect to it."""
    errors = {action: {field: msg}}
    if confirm:
        errors[action]["confirm"] = confirm
    session[FORM_KEY] = {"code": code, "action": action, "errors": errors, "values": {action: values}}
    return redirect(url_for("petitions.detail", code=code) + f"#action-{action}", code=303)


def _past_extension_warning(p, adef, params, today, cal) -> str | None:
    """An extension to a date already past is allowed only once confirmed: say what it means."""
    c = p.clock(adef.extend)
    if c is None or c.status not in ("running", "paused"):
        return None
    try:
        days = int(params["days"]) if "days" in params else None
        until = parse_date(params["until"], "until") if "until" in params else None
        if (days is None) == (until is None):
            return None
        new = extended_due(cal, c.due_date, days, until, working=c.working)
    except (ValueError, DomainError):
        return None  # the service gives the message next to the field
    if new >= today:
        return None
    n = cal.working_days_between(new, today)
    late = ngettext("the petition stays overdue by %(num)d working day",
                    "the petition stays overdue by %(num)d working days", n) if n else _("the petition stays overdue")
    return _("The new due date %(d)s has already passed: %(late)s. Submit again to confirm the extension.",
             d=new.strftime("%d/%m/%Y"), late=late)


VERSION = re.compile(r"[0-9]{1,9}")  # the hidden version field of an action form
STATUS = {ValidationError: 400, IllegalTransition: 409, VersionConflict: 409, Forbidden: 403, NotFound: 404}


@bp.route("/petitions/<code>/act/<action>", methods=["POST"])
@allow("clerk", "leader", "department")
def act(code, action):
    p = scoped_petition(code)
    ctx = Q.context()
    wf = g.workflow = casework_view.workflow_of(p, ctx)
    adef = wf.actions.get(action)
    if adef is None:
        abort(404)
    if adef not in allowed_actions(wf, current_user, p):
        if current_user.role not in adef.roles and current_user.role != "admin":
            abort(403)
    form = request.form
    params = {k: form.get(k, "").strip() for k in adef.fields if form.get(k, "").strip()}
    on = form.get("on", "").strip() or None
    version = form.get("version", "").strip()
    values = dict(params, on=on or "")
    if adef.extend and not form.get("confirm"):
        warning = _past_extension_warning(p, adef, params, Q.today(), ctx.cal)
        if warning:
            return _refuse(code, action, "form", warning, values, confirm=True)
    if version and not VERSION.fullmatch(version):
        # a tampered or broken form, not a concurrent change: say so, change nothing
        return _refuse(code, action, "form", _("The form is invalid (its version is not a number). "
                                               "Reload the page and try again."), values)
    expect = int(version) if version else None
    try:
        with unit_of_work() as s:
            result = svc.act(s, ctx, code, action, current_user.username, params, on=on, expect_version=expect)
            outbox = list(result.outbox_ids)
            created = result.created.code if result.created is not None else None
    except DomainError as exc:
        status = next((v for k, v in STATUS.items() if isinstance(exc, k)), 400)
        if status == 404:
            abort(404)
        db().expire_all()
        fresh = scoped_petition(code)
        field = exc.field if exc.field in adef.fields or exc.field == "on" else "form"
        if isinstance(exc, VersionConflict):
            msg = _("Someone else acted on this petition first (it is now: %(state)s). "
                    "The page shows the current state; check it and try again if still needed.",
                    state=wf.state_label(fresh.state, _lang()))
            field = "form"
        else:
            msg = error_text(exc)
        return _refuse(code, action, field, str(msg), values)
    after_commit(outbox)
    flash(_("Done: %(action)s.", action=wf.action_label(action, _lang())), "success")
    if created and adef.escalate:
        flash(_("A linked petition %(code)s was opened at the level above.", code=created), "info")
    elif created:
        flash(_("Case %(code)s was opened from this letter.", code=created), "info")
    return redirect(url_for("petitions.detail", code=code))


def _lang():
    from web.i18n import current_lang
    return current_lang()
