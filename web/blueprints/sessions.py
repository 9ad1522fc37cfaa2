"""The clerk's pages: the desk, a reception/dialogue with its petitions in one form,
one conclusion notice for several petitions, and the reception log book (A4)."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.language.errors import DomainError, VersionConflict
from engine.persistence.models import CATEGORIES, PETITION_KINDS, SESSION_KINDS, OrgUnit, Petition, ReceptionSession
from engine.persistence.scope import unit_scope_ids
from engine.services import petitions as svc
from engine.services.sessions import add_session
from web import queries as Q
from web.access import allow
from web.dbsession import after_commit, db, unit_of_work
from web.deadlines import badge
from web.forms import error_text, parse_filter_date, parse_int

bp = Blueprint("sessions", __name__)

ROW_FIELDS = ("summary", "name", "address", "phone", "category", "kind", "group_size", "complex_prolonged",
              "answered", "answer_note")
_ROW_KEY = re.compile(r"^rows-(\d+)-(\w+)$")


def _unit_for_write():
    """Clerks register for their own unit; an admin picks one."""
    if current_user.role == "admin":
        code = (request.form.get("unit") or request.args.get("unit") or "").strip()
        unit = db().scalar(select(OrgUnit).where(OrgUnit.code == code)) if code else None
        return unit
    return db().get(OrgUnit, current_user.unit_id)


@bp.route("/desk")
@allow("clerk")
def desk():
    s = db()
    user = current_user.model()
    scope = unit_scope_ids(s, user)
    sq = select(ReceptionSession).order_by(ReceptionSession.held_on.desc(), ReceptionSession.id.desc()).limit(10)
    if scope is not None:
        sq = sq.where(ReceptionSession.unit_id.in_(scope))
    recent = list(s.scalars(sq))
    awaiting = list(s.scalars(Q.by_deadline(Q.scoped(s, user).where(Petition.state == "received")).limit(50)).unique())
    ctx = Q.context()
    return render_template("desk.html", recent=recent, awaiting=awaiting,
                           badges={p.id: badge(p, Q.today(), ctx.cal) for p in awaiting})


def _rows_from_form(form) -> list[dict]:
    rows: dict[int, dict] = {}
    for key in form:
        m = _ROW_KEY.match(key)
        if m and m.group(2) in ROW_FIELDS:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = form.get(key, "").strip()
    out = []
    for i in sorted(rows)[:200]:
        r = rows[i]
        if any(r.get(k) for k in ("summary", "name", "address", "phone", "answer_note")):
            out.append(r)
    return out


@bp.route("/sessions/new", methods=["GET", "POST"])
@allow("clerk")
def new_session():
    errors: dict = {}
    row_errors: dict[int, dict] = {}
    form = request.form
    values = {k: form.get(k, "") for k in ("kind", "held_on", "chair", "people", "groups", "refused", "note", "unit")}
    rows = _rows_from_form(form) if request.method == "POST" else []
    if request.method == "GET":
        values.update(kind="reception_periodic", held_on=Q.today().strftime("%d/%m/%Y"), people="", groups="0",
                      refused="0")
        return _render_new(values, [{}] * 3, errors, row_errors)
    unit = _unit_for_write()
    if unit is None:
        errors["unit"] = _("Choose a unit.")
    if values["kind"] not in SESSION_KINDS:
        errors["kind"] = _("Choose the kind of session.")
    held = parse_filter_date(values["held_on"], "held_on", errors)
    if not values["held_on"].strip():
        errors["held_on"] = _("This field is required.")
    elif held is not None and held > Q.today():
        errors["held_on"] = _("The date is in the future.")
    people = parse_int(values["people"], "people", errors, minimum=0)
    groups = parse_int(values["groups"], "groups", errors, minimum=0)
    refused = parse_int(values["refused"], "refused", errors, minimum=0)
    for i, r in enumerate(rows):
        e = {}
        if not r.get("summary"):
            e["summary"] = _("This field is required.")
        if r.get("category", "other") not in CATEGORIES:
            e["category"] = _("Unknown category.")
        if r.get("kind", "petition") not in PETITION_KINDS:
            e["kind"] = _("Unknown kind.")
        parse_int(r.get("group_size") or "1", "group_size", e, minimum=1)
        if r.get("answered") and not r.get("answer_note"):
            e["answer_note"] = _("Say what was answered at the meeting.")
        if e:
            row_errors[i] = e
    if errors or row_errors:
        return _render_new(values, rows or [{}], errors, row_errors, status=400)
    ctx = Q.context()
    outbox: list[int] = []
    row_i = -1
    try:
        with unit_of_work() as s:
            rs = add_session(s, unit.code, values["kind"], held, people=people if people is not None else len(rows),
                             groups=groups or 0, refused=refused or 0, chair=values["chair"].strip(),
                             note=values["note"].strip())
            actor = svc.user_by_name(s, current_user.username)
            codes = []
            for row_i, r in enumerate(rows):
                p = svc.add_petition(s, ctx, unit.code, r["summary"], session_id=rs.id,
                                     petitioners=[{"name": r.get("name", ""), "address": r.get("address", ""),
                                                   "phone": r.get("phone", "")}],
                                     category=r.get("category") or "other", kind=r.get("kind") or "petition",
                                     group_size=r.get("group_size") or 1,
                                     complex_prolonged=bool(r.get("complex_prolonged")), actor=actor)
                codes.append(p.code)
                if r.get("answered"):
                    res = svc.act(s, ctx, p.code, "answer_at_meeting", current_user.username,
                                  {"note": r["answer_note"]}, on=held)
                    outbox.extend(res.outbox_ids)
            session_id = rs.id
    except DomainError as exc:
        msg = error_text(exc)
        if row_i >= 0:
            field = exc.field if exc.field in ROW_FIELDS else "summary"
            row_errors[row_i] = {field: msg}
        else:
            errors[exc.field if exc.field in values else "form"] = msg
        return _render_new(values, rows or [{}], errors, row_errors, status=400)
    after_commit(outbox)
    flash(_("Session registered with %(n)d petition(s).", n=len(codes)), "success")
    return redirect(url_for("sessions.show", session_id=session_id))


def _render_new(values, rows, errors, row_errors, status=200):
    units = Q.units_in(db(), None) if current_user.role == "admin" else []
    return render_template("session_new.html", values=values, rows=rows, errors=errors, row_errors=row_errors,
                           session_kinds=SESSION_KINDS, categories=CATEGORIES, kinds=PETITION_KINDS,
                           units=[u for u in units if u.level != "department"]), status


def _session_in_scope(session_id: int) -> ReceptionSession:
    s = db()
    rs = s.get(ReceptionSession, session_id)
    scope = unit_scope_ids(s, current_user.model())
    if rs is None or (scope is not None and rs.unit_id not in scope):
        abort(404)
    return rs


@bp.route("/sessions/<int:session_id>")
@allow("clerk", "leader", "auditor")
def show(session_id):
    rs = _session_in_scope(session_id)
    petitions = list(db().scalars(select(Petition).where(Petition.session_id == rs.id).order_by(Petition.id)))
    ctx = Q.context()
    return render_template("session_show.html", rs=rs, petitions=petitions,
                           badges={p.id: badge(p, Q.today(), ctx.cal) for p in petitions})


MAX_PICKS = 200  # the form lists at most 200 petitions


@bp.route("/conclusions", methods=["GET", "POST"])
@allow("clerk", "leader")
def conclusions():
    """One conclusion notice for several petitions, each assigned to a department."""
    s = db()
    user = current_user.model()
    base = Q.scoped(s, user).where(Petition.state == "received")
    if user.role != "admin":
        base = base.where(Petition.unit_id == user.unit_id)  # one may act only on one's own unit
    pending = list(s.scalars(Q.by_deadline(base).limit(200)).unique())
    ctx = Q.context()
    errors: dict = {}
    row_errors: dict[str, str] = {}
    form = request.form
    values = {"notice_no": form.get("notice_no", ""), "on": form.get("on", Q.today().strftime("%d/%m/%Y")),
              "picked": set(form.getlist("pick")),
              "dept": {p.code: form.get(f"dept-{p.code}", "") for p in pending}}
    if request.method == "POST":
        if not values["notice_no"].strip():
            errors["notice_no"] = _("This field is required.")
        on = parse_filter_date(values["on"], "on", errors)
        if not values["picked"]:
            errors["form"] = _("Choose at least one petition.")
        elif len(values["picked"]) > MAX_PICKS:
            errors["form"] = _("Choose at most %(n)d petitions for one notice.", n=MAX_PICKS)
            values["picked"] = set()
        picked = sorted(values["picked"])
        open_here = {p.code for p in s.scalars(base.where(Petition.code.in_(picked))).unique()} if picked else set()
        outside = [c for c in picked if c not in open_here]
        if outside:  # a forged or stale pick: named, and (unknown or out of scope alike) never confirmed to exist
            errors["form"] = _("Petition %(codes)s is not among the petitions of your unit awaiting a conclusion "
                               "notice; nothing was issued.", codes=", ".join(outside[:5]))
        for code in picked:
            if code in outside:
                continue
            if not form.get(f"dept-{code}"):
                row_errors[code] = _("Choose the responsible department.")
            version = (form.get(f"ver-{code}") or "").strip()
            if version and not (version.isascii() and version.isdigit() and len(version) <= 9):
                row_errors[code] = _("The form is invalid (its version is not a number). "
                                     "Reload the page and try again.")
        if not errors and not row_errors:
            outbox: list[int] = []
            current = None
            try:
                with unit_of_work() as w:
                    for code in sorted(values["picked"]):
                        current = code
                        version = (form.get(f"ver-{code}") or "").strip()  # checked above: digits or empty
                        res = svc.act(w, ctx, code, "conclude", current_user.username,
                                      {"notice_no": values["notice_no"].strip(), "department": form.get(f"dept-{code}")},
                                      on=on, expect_version=int(version) if version else None)
                        outbox.extend(res.outbox_ids)
            except DomainError as exc:
                if isinstance(exc, VersionConflict):
                    row_errors[current] = _("Someone else acted on this petition first; reload the page.")
                elif exc.field in ("notice_no", "on"):
                    errors[exc.field] = error_text(exc)
                else:
                    row_errors[current or ""] = error_text(exc)
                db().expire_all()
            else:
                after_commit(outbox)
                flash(_("Conclusion notice %(no)s issued for %(n)d petition(s).", no=values["notice_no"].strip(),
                        n=len(values["picked"])), "success")
                return redirect(url_for("sessions.conclusions"))
    status = 400 if (errors or row_errors) else 200
    return render_template("conclusions.html", pending=pending, values=values, errors=errors, row_errors=row_errors,
                           departments=Q.departments_under(s, user.unit_id),
                           badges={p.id: badge(p, Q.today(), ctx.cal) for p in pending}), status


@bp.route("/logbook")
@allow("clerk", "leader", "auditor")
def logbook():
    """Sổ tiếp công dân: every session and the petitions raised at it, printable on A4."""
    s = db()
    errors: dict = {}
    today = Q.today()
    d_from = parse_filter_date(request.args.get("date_from"), "date_from", errors) or date(today.year, 1, 1)
    d_to = parse_filter_date(request.args.get("date_to"), "date_to", errors) or today
    scope = unit_scope_ids(s, current_user.model())
    q = (select(ReceptionSession).where(ReceptionSession.held_on >= d_from, ReceptionSession.held_on <= d_to)
         .order_by(ReceptionSession.held_on, ReceptionSession.id).limit(1000))
    if scope is not None:
        q = q.where(ReceptionSession.unit_id.in_(scope))
    sessions = list(s.scalars(q))
    by_session: dict[int, list[Petition]] = {x.id: [] for x in sessions}
    if sessions:
        for p in s.scalars(select(Petition).where(Petition.session_id.in_(list(by_session))).order_by(Petition.id)):
            by_session[p.session_id].append(p)
    return render_template("logbook.html", sessions=sessions, by_session=by_session, d_from=d_from, d_to=d_to,
                           errors=errors), (400 if errors else 200)
