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
from engine.persistence.models import PETITION_KINDS, SESSION_KINDS, OrgUnit, Petition, ReceptionSession
from engine.persistence.scope import unit_scope_ids
from engine.services import petitions as svc
from engine.services.sessions import add_session
from web import queries as Q
from web import lists as web_lists  # the admin's categories (issue 18)
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
    sq = (select(ReceptionSession).where(ReceptionSession.status == "held")
          .order_by(ReceptionSession.held_on.desc(), ReceptionSession.id.desc()).limit(10))
    if scope is not None:
        sq = sq.where(ReceptionSession.unit_id.in_(scope))
    recent = list(s.scalars(sq))
    missed = ssvc.missed_sessions(s, scope, today=Q.today(), limit=20)
    upcoming = ssvc.upcoming_sessions(s, scope, today=Q.today(), limit=5)
    awaiting = list(s.scalars(Q.by_deadline(Q.scoped(s, user).where(Petition.state == "received")).limit(50)).unique())
    ctx = Q.context()
    return render_template("desk.html", recent=recent, awaiting=awaiting, missed=missed, upcoming=upcoming,
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
    values = {k: form.get(k, "") for k in ("kind", "held_on", "chair", "people", "groups", "refused", "note", "unit",
                                           "chair_role", "place")}
    values["bodies"] = form.getlist("bodies")
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
        if r.get("category", "other") not in web_lists.categories_for_new():
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
                             note=values["note"].strip(), today=Q.today(), chair_role=values["chair_role"] or None,
                             place=values["place"], bodies=values["bodies"])
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
    from engine.services.sessions import labels as session_labels
    from web.i18n import current_lang as _lang
    return render_template("session_new.html", values=values, rows=rows, errors=errors, row_errors=row_errors,
                           session_kinds=SESSION_KINDS, categories=web_lists.categories_for_new(), kinds=PETITION_KINDS,
                           chair_roles=session_labels(db(), "chair_role"), bodies=session_labels(db(), "body"),
                           lang=_lang(),
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
    return _render_show(_session_in_scope(session_id))


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
    q = (select(ReceptionSession).where(ReceptionSession.status == "held", ReceptionSession.held_on >= d_from,
                                        ReceptionSession.held_on <= d_to)
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


# -- planning, publishing, holding (issue 14) ----------------------------------------------
from datetime import timedelta  # noqa: E402

from flask import Response, make_response  # noqa: E402
from flask_babel import lazy_gettext as _l  # noqa: E402

from engine.language.messages import render as render_message  # noqa: E402
from engine.services import sessions as ssvc  # noqa: E402
from web.access import public  # noqa: E402
from web.i18n import current_lang  # noqa: E402

JOURNAL_LABELS = {"planned": _l("planned"), "rescheduled": _l("rescheduled"), "cancelled": _l("cancelled"),
                  "held": _l("recorded as held"), "recorded": _l("recorded"), "published": _l("published")}
STATUS_LABELS = {"planned": _l("Planned"), "held": _l("Held"), "cancelled": _l("Cancelled"), "missed": _l("Missed")}
PLAN_FIELDS = {"planned_on": _l("Dates"), "starts_at": _l("Starts at"), "ends_at": _l("Ends at"), "place": _l("Place"),
               "chair": _l("Chaired by"), "chair_role": _l("Chair's role"), "topic": _l("Topic"),
               "reason": _l("Reason"), "held_on": _l("Date held"), "bodies": _l("Bodies that took part"),
               "invited": _l("Invitation list"), "people": _l("People received"), "groups": _l("Groups of many people"),
               "refused": _l("Refused"), "period": _l("Month or year"), "kind": _l("Kind"), "unit": _l("Unit"),
               "monthly": _l("Every month on days"), "year": _l("Year"), "code": _l("Code"),
               "label_vi": _l("Label (Vietnamese)"), "label_en": _l("Label (English)"), "list": _l("List")}


def _status(rs, today):
    return "missed" if rs.is_missed(today) else rs.status


def _warn_flash(outcomes) -> None:
    for o in outcomes:
        for code, params in o.warnings:
            flash(render_message(code, current_lang(), **params), "warning")


def _field_error(exc: DomainError, errors: dict, known) -> None:
    errors[exc.field if exc.field in known else "form"] = error_text(exc)


def _my_unit_ids():
    return unit_scope_ids(db(), current_user.model())


@bp.route("/schedule")
@allow("clerk", "leader", "auditor")
def schedule():
    """The unit's plan: missed sessions first, then what is coming, then what happened."""
    s = db()
    today = Q.today()
    errors: dict = {}
    year = parse_int(request.args.get("year") or str(today.year), "year", errors, minimum=2000) or today.year
    if year > 2100:
        errors["year"] = _("Invalid year.")
        year = today.year
    scope = _my_unit_ids()
    q = (select(ReceptionSession).where(ReceptionSession.held_on >= date(year, 1, 1),
                                        ReceptionSession.held_on <= date(year, 12, 31))
         .order_by(ReceptionSession.held_on, ReceptionSession.starts_at, ReceptionSession.id).limit(2000))
    if scope is not None:
        q = q.where(ReceptionSession.unit_id.in_(scope))
    rows = list(s.scalars(q))
    missed = ssvc.missed_sessions(s, scope, today=today)
    user = current_user.model()
    unit = s.get(OrgUnit, user.unit_id)
    pubs = ssvc.publications(s, user.unit_id, limit=24)
    months = {}
    for r in rows:
        months.setdefault(r.held_on.month, []).append(r)
    return render_template("schedule.html", months=months, missed=missed, year=year, today=today, unit=unit,
                           pubs=pubs, errors=errors, status_of=lambda r: _status(r, today), status_labels=STATUS_LABELS,
                           roles=ssvc.label_map(s, "chair_role", current_lang()),
                           can_write=current_user.role in ("clerk", "admin"), F=PLAN_FIELDS), (400 if errors else 200)


@bp.route("/schedule/plan", methods=["GET", "POST"])
@allow("clerk")
def plan():
    """Plan receptions or dialogues: a list of dates, or 'every month on days …' of a year."""
    s = db()
    today = Q.today()
    form = request.form
    keys = ("kind", "dates", "monthly", "year", "starts_at", "ends_at", "place", "chair", "chair_role", "topic", "unit")
    values = {k: form.get(k, "") for k in keys}
    errors: dict = {}
    if request.method == "GET":
        values.update(kind="reception_periodic", year=str(today.year + (1 if today.month == 12 else 0)),
                      starts_at="07:30", ends_at="11:00", chair_role="party_secretary")
        return _render_plan(values, errors)
    unit = _unit_for_write()
    if unit is None:
        errors["unit"] = _("Choose a unit.")
    dates: list = []
    for line in re.split(r"[\n,;]+", values["dates"])[:ssvc.MAX_SERIES + 1]:
        if line.strip():
            d = parse_filter_date(line, "planned_on", errors)
            if d is not None:
                dates.append(d)
    if values["monthly"].strip():
        year = parse_int(values["year"], "year", errors, minimum=2000)
        days = [x.strip() for x in re.split(r"[,;\s]+", values["monthly"]) if x.strip()]
        if year is not None and year > 2100:
            errors["year"] = _("Invalid year.")
        elif year is not None and "year" not in errors:
            try:
                dates += ssvc.monthly_dates(year, days[:31], cal=Q.context().cal, after=today)
            except DomainError as exc:
                errors["monthly"] = error_text(exc)
    if not dates and not errors:
        errors["dates"] = _("Give at least one date, or the days of every month.")
    if not errors:
        try:
            with unit_of_work() as w:
                outs = ssvc.plan_series(w, unit.code, values["kind"], dates, starts_at=values["starts_at"],
                                        ends_at=values["ends_at"], place=values["place"], chair=values["chair"],
                                        chair_role=values["chair_role"], topic=values["topic"],
                                        actor=current_user.username, today=today)
                n = len(outs)
                msgs = [render_message(c, current_lang(), **p) for o in outs for c, p in o.warnings]
        except DomainError as exc:
            field = "dates" if exc.field == "planned_on" else exc.field
            errors[field if field in values else "form"] = error_text(exc)
        else:
            for m in msgs:
                flash(m, "warning")
            flash(_("%(n)d session(s) planned.", n=n), "success")
            return redirect(url_for("sessions.schedule", year=dates[0].year))
    return _render_plan(values, errors, status=400)


def _render_plan(values, errors, status=200):
    s = db()
    units = Q.units_in(s, None) if current_user.role == "admin" else []
    return render_template("schedule_plan.html", values=values, errors=errors, session_kinds=SESSION_KINDS,
                           roles=ssvc.labels(s, "chair_role"), lang=current_lang(), F=PLAN_FIELDS,
                           units=[u for u in units if u.level != "department"]), status


@bp.route("/schedule/publish", methods=["POST"])
@allow("clerk")
def publish():
    unit = _unit_for_write()
    period = (request.form.get("period") or "").strip()
    if unit is None:
        flash(_("Choose a unit."), "error")
        return redirect(url_for("sessions.schedule"))
    try:
        with unit_of_work() as w:
            pub = ssvc.publish_schedule(w, unit.code, period, actor=current_user.username, now=Q.now())
            n, per, rev = len(pub.sessions), pub.period, pub.revision
    except DomainError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("sessions.schedule"))
    flash(_("Schedule of %(period)s published (revision %(rev)d, %(n)d session(s)).", period=per, rev=rev, n=n),
          "success")
    return redirect(url_for("sessions.schedule", year=per[:4]))


def _act_on_session(session_id: int, fn, ok_text: str):
    rs = _session_in_scope(session_id)
    if current_user.role != "admin" and rs.unit_id != current_user.unit_id:
        abort(403)
    try:
        with unit_of_work() as w:
            out = fn(w, rs.id)
            outs = [out] if isinstance(out, ssvc.Outcome) else []
            msgs = [render_message(c, current_lang(), **p) for o in outs for c, p in o.warnings]
    except DomainError as exc:
        db().expire_all()
        errors: dict = {}
        _field_error(exc, errors, set(PLAN_FIELDS) | set(ROW_FIELDS))
        return _render_show(_session_in_scope(session_id), errors, request.form, status=400)
    for m in msgs:
        flash(m, "warning")
    flash(ok_text, "success")
    return redirect(url_for("sessions.show", session_id=session_id))


@bp.route("/sessions/<int:session_id>/reschedule", methods=["POST"])
@allow("clerk")
def reschedule(session_id):
    f = request.form
    return _act_on_session(session_id, lambda w, sid: ssvc.reschedule(
        w, sid, f.get("on", ""), reason=f.get("reason", ""), starts_at=f.get("starts_at", ""),
        ends_at=f.get("ends_at", ""), place=f.get("place"), actor=current_user.username, today=Q.today(),
        expect_version=_version(f), now=Q.now(), ctx=Q.context()), _("The session was moved; the published schedule was updated."))


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@allow("clerk")
def cancel(session_id):
    f = request.form
    return _act_on_session(session_id, lambda w, sid: ssvc.cancel(
        w, sid, reason=f.get("reason", ""), actor=current_user.username, expect_version=_version(f), now=Q.now()),
        _("The session was cancelled; the published schedule was updated."))


@bp.route("/sessions/<int:session_id>/held", methods=["POST"])
@allow("clerk")
def record_held(session_id):
    f = request.form
    return _act_on_session(session_id, lambda w, sid: ssvc.record_held(
        w, sid, held_on=f.get("held_on", ""), people=f.get("people") or "0", groups=f.get("groups") or "0",
        refused=f.get("refused") or "0", bodies=f.getlist("bodies"), invited=f.get("invited", ""),
        actor=current_user.username, today=Q.today(), expect_version=_version(f), ctx=Q.context(), now=Q.now()),
        _("The session was recorded as held."))


@bp.route("/sessions/<int:session_id>/opinion", methods=["POST"])
@allow("clerk")
def add_opinion(session_id):
    """An opinion collected before a dialogue: an item linked to it, answered there or carried
    into the conclusion notice (its clock runs from the dialogue's date)."""
    f = request.form
    rs = _session_in_scope(session_id)
    if not rs.kind.startswith("dialogue") or rs.status != "planned":
        abort(404)

    def add(w, sid):
        actor = svc.user_by_name(w, current_user.username)
        return svc.add_petition(w, Q.context(), rs.unit.code, f.get("summary", ""), session_id=sid,
                                received_on=Q.today(), category=f.get("category") or "other",
                                petitioners=[{"name": f.get("name", ""), "address": f.get("address", ""),
                                              "phone": f.get("phone", "")}], actor=actor)
    return _act_on_session(session_id, add, _("The opinion was added to the dialogue."))


def _version(form):
    v = (form.get("version") or "").strip()
    return int(v) if v.isascii() and v.isdigit() and len(v) <= 9 else None


def _render_show(rs, errors=None, values=None, status=200):
    s = db()
    petitions = list(s.scalars(select(Petition).where(Petition.session_id == rs.id).order_by(Petition.id)))
    ctx = Q.context()
    lang = current_lang()
    can_write = current_user.role == "admin" or (current_user.role == "clerk" and rs.unit_id == current_user.unit_id)
    return render_template("session_show.html", rs=rs, petitions=petitions, errors=errors or {}, values=values or {},
                           badges={p.id: badge(p, Q.today(), ctx.cal) for p in petitions},
                           status=_status(rs, Q.today()), status_labels=STATUS_LABELS, F=PLAN_FIELDS,
                           roles=ssvc.label_map(s, "chair_role", lang), bodies=ssvc.labels(s, "body"),
                           body_names=ssvc.label_map(s, "body", lang), journal=ssvc.journal(s, rs.id),
                           can_write=can_write, today=Q.today(), journal_labels=JOURNAL_LABELS,
                           categories=web_lists.categories_for_new()), status


@bp.route("/schedule/lists", methods=["GET", "POST"])
@allow()
def lists():
    """The lists an admin extends: chair roles and attending bodies (vi/en)."""
    from engine.persistence.models import LABEL_LISTS
    errors: dict = {}
    values = {k: request.form.get(k, "") for k in ("list", "code", "label_vi", "label_en")}
    if request.method == "POST":
        try:
            with unit_of_work() as w:
                ssvc.add_label(w, values["list"], values["code"], values["label_vi"], values["label_en"])
        except DomainError as exc:
            _field_error(exc, errors, values)
        else:
            flash(_("Added."), "success")
            return redirect(url_for("sessions.lists"))
    s = db()
    return render_template("schedule_lists.html", lists={n: ssvc.labels(s, n, include_inactive=True) for n in LABEL_LISTS},
                           values=values, errors=errors, F=PLAN_FIELDS, lang=current_lang()), (400 if errors else 200)


# -- public: no sign-in, nothing personal --------------------------------------------------
@bp.route("/public/<unit_code>/schedule")
@public
def public_schedule(unit_code):
    s = db()
    try:
        unit, rows = ssvc.public_schedule(s, unit_code, today=Q.today())
    except DomainError:
        abort(404)
    resp = make_response(render_template("public_schedule.html", unit=unit, rows=rows, today=Q.today(),
                                         roles=ssvc.label_map(s, "chair_role", current_lang()),
                                         status_labels=STATUS_LABELS, lang=current_lang()))
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@bp.route("/public/<unit_code>/schedule.ics")
@public
def public_schedule_ics(unit_code):
    from urllib.parse import urlsplit
    from engine.reports.schedule_ics import build_ics
    s = db()
    try:
        unit, rows = ssvc.public_schedule(s, unit_code, today=Q.today() - timedelta(days=30), weeks=60)
    except DomainError:
        abort(404)
    lang = "en" if request.args.get("lang") == "en" else "vi"
    host = urlsplit(request.host_url).hostname or "petitions"
    body = build_ics(unit, rows, ssvc.label_map(s, "chair_role", lang), host, Q.now(), lang=lang)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="lich-tiep-dan-{unit.code}.ics"',
        "Cache-Control": "public, max-age=300"})
