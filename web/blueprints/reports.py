"""The auditor's read-only overview over the whole scope, with filters."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from engine.persistence.models import Petition
from engine.persistence.scope import unit_scope_ids
from web import queries as Q
from web.access import allow
from web.listing import badges, page_number, read_filters
from web.dbsession import db, report_db

bp = Blueprint("reports", __name__)


@bp.route("/overview")
@allow("auditor", "leader")
def overview():
    s = db()
    user = current_user.model()
    errors: dict = {}
    f = read_filters(errors)
    today = Q.today()
    scope = Q.scope_clause(s, user)
    by_state = {st: n for st, n in s.execute(Q.apply_filters(s, select(Petition.state, func.count(Petition.id))
                                                             .where(scope), f, today)
                                             .group_by(Petition.state))}
    if any(f.get(k) for k in ("q", "unit", "department", "state", "category", "date_from", "date_to", "overdue")):
        overdue = s.scalar(Q.apply_filters(s, select(func.count(Petition.id)).where(scope), f, today)
                           .where(Q.overdue_clause(today))) or 0
    else:
        overdue = Q.overdue_count(s, user, today)
    q = Q.apply_filters(s, Q.scoped(s, user), f, today).order_by(Petition.received_on.desc(), Petition.id.desc())
    page = Q.paginate(s, q, page_number())
    units = Q.units_in(s, unit_scope_ids(s, user))
    return render_template("overview.html", by_state=by_state, overdue=overdue, total=sum(by_state.values()),
                           page=page, badges=badges(page.items), f=f, errors=errors,
                           units=[u for u in units if u.level != "department"],
                           departments=[u for u in units if u.level == "department"]), (400 if errors else 200)


# -- auditors' reports: the on-time report and the annex (Phụ lục 2) ----------------------------------
from datetime import date  # noqa: E402

from flask import Response, abort, url_for  # noqa: E402
from flask_babel import gettext as _  # noqa: E402

from engine.language.errors import DomainError  # noqa: E402
from engine.persistence.models import OrgUnit  # noqa: E402
from engine.reports import (CLOCKS, FIGURES, appendix2, appendix2_items, export, ontime_items,  # noqa: E402
                            ontime_rate_chart, ontime_report)
from engine.reports.appendix2 import LINE_BY_KEY, LINES, TITLE, party_heading  # noqa: E402
from engine.reports.levels import layout as appendix2_layout  # noqa: E402
from engine.reports.periods import period as report_period  # noqa: E402
from engine.reports.cache import kept_call  # noqa: E402
from web.forms import error_text, parse_filter_date  # noqa: E402
from web.i18n import current_lang  # noqa: E402

REPORT_ROLES = ("auditor", "leader")
GROUPINGS = ("unit", "department", "category", "month")


def _grouping_labels() -> dict:
    return {"unit": _("Unit"), "department": _("Department"), "category": _("Category"), "month": _("Month")}
PERIODS = ("month", "q1", "6m", "9m", "year", "custom")
ITEMS_PER_PAGE = 50
DOWNLOADS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def _report_units(s, user) -> list[OrgUnit]:
    units = Q.units_in(s, unit_scope_ids(s, user))
    return [u for u in units if u.level != "department"]


def _read_unit(s, user, errors: dict) -> OrgUnit | None:
    """The unit asked for (default: the user's own, or its parent for a department user).
    Unknown → an error next to the field; known but outside the user's scope → 404."""
    code = (request.args.get("unit") or "").strip()
    if not code:
        unit = s.get(OrgUnit, user.unit_id)
        return s.get(OrgUnit, unit.parent_id) if unit.level == "department" and unit.parent_id else unit
    unit = s.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        errors["unit"] = DomainError("unknown_unit", field="unit", code=code).message(current_lang())
        return None
    scope = unit_scope_ids(s, user)
    if scope is not None and unit.id not in scope:
        abort(404)
    return unit


def _read_range(errors: dict, default_from: date, default_to: date) -> tuple[date, date]:
    a = parse_filter_date(request.args.get("from"), "from", errors)
    b = parse_filter_date(request.args.get("to"), "to", errors)
    a = a or default_from
    b = b or default_to
    if "from" not in errors and "to" not in errors and a > b:
        errors["from"] = DomainError("bad_period", field="from", start=a.strftime("%d/%m/%Y"),
                                     end=b.strftime("%d/%m/%Y")).message(current_lang())
    return a, b


def _choice(name: str, choices, errors: dict, labels: dict | None = None) -> str | None:
    """A value among `choices`; a bad one is refused with the choices named as the form names
    them (their labels in the reader's language), not as codes."""
    v = (request.args.get(name) or "").strip()
    if not v:
        return None
    if v not in choices:
        named = ", ".join(str(labels.get(c, c)) for c in choices) if labels else ", ".join(choices)
        errors[name] = DomainError("bad_choice", field=name, value=v, choices=named).message(current_lang())
        return None
    return v


def _attachment(data, fmt: str, name: str):
    """An export as a download named `name`.`fmt`."""
    body = data.encode("utf-8") if isinstance(data, str) else data
    return Response(body, mimetype=DOWNLOADS[fmt].split(";")[0], headers={
        "Content-Type": DOWNLOADS[fmt], "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _download(rep, fmt: str, name: str):
    return _attachment(export(rep, fmt, current_lang()), fmt, name)


def _format(errors: dict) -> str | None:
    """The `format` asked for (None: the page), refused in the reader's language when unknown."""
    fmt = request.args.get("format")
    if fmt is not None and fmt not in DOWNLOADS:
        errors["format"] = DomainError("bad_choice", field="format", value=fmt,
                                       choices=", ".join(DOWNLOADS)).message(current_lang())
    return fmt


def _compute(errors: dict, build, default=None, field: str = "unit"):
    """Run a report (or its list) unless the form already has errors; a refusal becomes the
    form's error, on its field (`field` when it names none), and `default` is returned."""
    if errors:
        return default
    try:
        return build()
    except DomainError as exc:
        errors[exc.field or field] = error_text(exc)
        return default


def _ontime_params(errors: dict) -> dict:
    s = db()
    today = Q.today()
    unit = _read_unit(s, current_user.model(), errors)
    a, b = _read_range(errors, date(today.year, 1, 1), today)
    wf = Q.context().workflow
    return {"unit": unit, "from": a, "to": b, "by": _choice("by", GROUPINGS, errors, _grouping_labels()),
            "clock": _choice("clock", CLOCKS, errors, {c: wf.clock_label(c, current_lang()) for c in CLOCKS}),
            "today": today}


@bp.route("/reports/ontime")
@allow(*REPORT_ROLES)
def ontime():
    s = report_db()
    errors: dict = {}
    p = _ontime_params(errors)
    fmt = _format(errors)
    chart = None
    rep = _compute(errors, lambda: kept_call(s, ontime_report, p["unit"].code, p["from"], p["to"], by=p["by"],
                                             clock=p["clock"], today=p["today"], cal=Q.context().cal,
                                             lang=current_lang()))
    if rep is not None and fmt:
        return _download(rep, fmt, f"ontime-{rep.unit}-{rep.date_from:%Y%m%d}-{rep.date_to:%Y%m%d}")
    if rep is not None and rep.by:
        chart = ontime_rate_chart(rep, p["clock"] or "conclusion", current_lang())
    elif rep is not None:
        chart = _totals_chart(rep)
    args = {"unit": p["unit"].code if p["unit"] else request.args.get("unit", ""),
            "from": p["from"].isoformat(), "to": p["to"].isoformat(), "by": p["by"] or "", "clock": p["clock"] or ""}
    return render_template("report_ontime.html", rep=rep, chart=chart, errors=errors, args=args, figures=FIGURES,
                           clocks=CLOCKS, groupings=GROUPINGS, units=_report_units(s, current_user.model()),
                           downloads=DOWNLOADS), (400 if errors else 200)


def _totals_chart(rep) -> str:
    from engine.reports import bar_chart
    from engine.reports.ontime import CLOCK_LABELS
    i = 1 if current_lang() == "en" else 0
    rows = rep.totals
    return bar_chart([CLOCK_LABELS[r.clock][i] for r in rows], [r.rate for r in rows], _("On-time rate"),
                     [r.interval for r in rows], [r.judged for r in rows], lang=current_lang())


@bp.route("/reports/ontime/items")
@allow(*REPORT_ROLES)
def ontime_items_page():
    s = report_db()
    errors: dict = {}
    p = _ontime_params(errors)
    figure = _choice("figure", FIGURES, errors)
    clock = p["clock"]
    if figure is None and "figure" not in errors:
        errors["figure"] = _("This field is required.")
    if clock is None and "clock" not in errors:
        errors["clock"] = _("This field is required.")
    key = (request.args.get("key") or "").strip() or None
    page_no = page_number()
    items = _compute(errors, lambda: ontime_items(s, p["unit"].code, p["from"], p["to"], clock, figure, by=p["by"],
                                                  key=key, today=p["today"], limit=ITEMS_PER_PAGE + 1,
                                                  offset=(page_no - 1) * ITEMS_PER_PAGE), [])
    has_next = len(items) > ITEMS_PER_PAGE
    items = items[:ITEMS_PER_PAGE]
    back = url_for("reports.ontime", unit=p["unit"].code if p["unit"] else "", **{"from": p["from"].isoformat(),
                   "to": p["to"].isoformat()}, by=p["by"] or "")
    return render_template("report_items.html", kind="ontime", items=items, has_next=has_next, page_no=page_no,
                           errors=errors, p=p, figure=figure, clock=clock, key=key, back=back), (400 if errors else 200)


def _annex_params(errors: dict) -> dict:
    s = db()
    today = Q.today()
    unit = _read_unit(s, current_user.model(), errors)
    kind = _choice("period", PERIODS, errors) or ("custom" if request.args.get("from") else "year")
    year_raw = (request.args.get("year") or "").strip()
    year, month = today.year, today.month
    if year_raw:
        if year_raw.isascii() and year_raw.isdigit() and 1900 <= int(year_raw) <= 2100:  # "²".isdigit() too
            year = int(year_raw)
        else:
            errors["year"] = DomainError("bad_int", field="year", value=year_raw).message(current_lang())
    month_raw = (request.args.get("month") or "").strip()
    if month_raw:
        if month_raw.isascii() and month_raw.isdigit() and 1 <= int(month_raw) <= 12:
            month = int(month_raw)
        else:
            errors["month"] = DomainError("bad_choice", field="month", value=month_raw,
                                          choices="1–12").message(current_lang())
    if kind == "custom":
        a, b = _read_range(errors, date(year, 1, 1), today)
    else:
        a, b = report_period(kind, year, month)
    scope = _choice("scope", ANNEX_SCOPES, errors, _scope_labels()) or "subtree"
    chairs = _choice("chairs", ANNEX_CHAIRS, errors, _chairs_labels()) or "party_head"
    by_unit = request.args.get("by_unit") in ("1", "on", "true")
    return {"unit": unit, "from": a, "to": b, "period": kind, "year": year, "month": month, "scope": scope,
            "chairs": chairs, "by_unit": by_unit}


def _annex_args(p: dict) -> dict:
    out = {"unit": p["unit"].code if p["unit"] else request.args.get("unit", ""), "period": "custom",
           "from": p["from"].isoformat(), "to": p["to"].isoformat()}
    if p.get("scope", "subtree") != "subtree":
        out["scope"] = p["scope"]
    if p.get("chairs", "party_head") != "party_head":
        out["chairs"] = p["chairs"]
    if p.get("by_unit"):
        out["by_unit"] = "1"
    return out


def _annex_options(p: dict) -> dict:
    return {"scope": p["scope"], "by_unit": p["by_unit"], "chairs": p["chairs"]}


ANNEX_SCOPES = ("subtree", "unit")
ANNEX_CHAIRS = ("party_head", "all")


def _scope_labels() -> dict:
    return {"subtree": _("With the units below"), "unit": _("This unit only")}


def _chairs_labels() -> dict:
    return {"party_head": _("Head of the party committee"), "all": _("All chairs")}


@bp.route("/reports/appendix2")
@allow(*REPORT_ROLES)
def appendix2_page():
    s = report_db()
    errors: dict = {}
    p = _annex_params(errors)
    fmt = _format(errors)
    rep = _compute(errors, lambda: kept_call(s, appendix2, p["unit"].code, p["from"], p["to"], **_annex_options(p)))
    if rep is not None and fmt:
        return _download(rep, fmt, f"phu-luc-2-{rep.unit}-{rep.date_from:%Y%m%d}-{rep.date_to:%Y%m%d}")
    template = "report_appendix2_print.html" if request.args.get("print") and rep is not None else "report_appendix2.html"
    head, title = None, None
    if template == "report_appendix2_print.html":
        u = p["unit"]
        head = party_heading(u.name, u.level, u.parent.name if u.parent else None, Q.today())
        title = TITLE[1 if current_lang() == "en" else 0].split(" — ", 1)
    return render_template(template, rep=rep, errors=errors, p=p, args=_annex_args(p), lines=LINES, columns=rep.columns if rep else (),
                           periods=PERIODS, units=_report_units(s, current_user.model()),
                           downloads=DOWNLOADS, head=head, title=title), (400 if errors else 200)


@bp.route("/reports/appendix2/items")
@allow(*REPORT_ROLES)
def appendix2_items_page():
    s = report_db()
    errors: dict = {}
    p = _annex_params(errors)
    key = (request.args.get("key") or "").strip()
    if key not in LINE_BY_KEY:
        errors["key"] = DomainError("bad_report_bucket", field="key", value=key,
                                    choices=", ".join(LINE_BY_KEY)).message(current_lang())
    column = (request.args.get("column") or "total").strip()
    page_no = page_number()
    items, has_next, column_label = [], False, column
    if not errors:
        try:
            items = appendix2_items(s, p["unit"].code, p["from"], p["to"], key, column, limit=ITEMS_PER_PAGE + 1,
                                    offset=(page_no - 1) * ITEMS_PER_PAGE, **_annex_options(p))
            lay = appendix2_layout(s, p["unit"], p["from"], p["to"], p["scope"], p["by_unit"])
            column_label = lay.label(column, current_lang())
        except DomainError as exc:
            errors[exc.field or "column"] = error_text(exc)
        has_next = len(items) > ITEMS_PER_PAGE
    items = items[:ITEMS_PER_PAGE]
    back = url_for("reports.appendix2_page", **_annex_args(p))
    return render_template("report_items.html", kind="appendix2", items=items, has_next=has_next, page_no=page_no,
                           errors=errors, p=p, line=LINE_BY_KEY.get(key), column=column, column_label=column_label,
                           back=back), \
        (400 if errors else 200)


# -- compliance with the reception and dialogue obligations (issue 14) ---------------------------------------
from engine.reports.compliance import FIGURES as COMPLIANCE_FIGURES  # noqa: E402
from engine.reports.compliance import compliance_items, compliance_report, export_compliance  # noqa: E402

COMPLIANCE_ROLES = ("auditor", "leader", "clerk")  # clerks are told by reminders to look at their unit's


def _compliance_figure_labels() -> dict:
    return {"required": _("Required (minimum)"), "planned": _("Planned"), "held": _("Held"),
            "missed": _("Missed (date passed, not recorded)"), "cancelled": _("Cancelled"), "shortfall": _("Shortfall")}


@bp.route("/reports/compliance")
@allow(*COMPLIANCE_ROLES)
def compliance_page():
    s = report_db()
    errors: dict = {}
    p = _annex_params(errors)
    fmt = _format(errors)
    rep = _compute(errors, lambda: kept_call(s, compliance_report, p["unit"].code, p["from"], p["to"], as_of=Q.today(),
                                             lang=current_lang(), cal=Q.context().cal))
    if rep is not None and fmt:
        return _attachment(export_compliance(rep, fmt, current_lang()), fmt,
                           f"tuan-thu-{rep.unit}-{rep.date_from:%Y%m%d}-{rep.date_to:%Y%m%d}")
    from engine.deadlines.obligations import load_obligations
    obs = load_obligations()
    oblabels = {k: obs.rule(k).label_in(current_lang()) for k in obs.keys}
    return render_template("report_compliance.html", rep=rep, errors=errors, p=p, args=_annex_args(p), oblabels=oblabels,
                           figures=COMPLIANCE_FIGURES, labels=_compliance_figure_labels(), periods=PERIODS,
                           units=_report_units(s, current_user.model()), downloads=DOWNLOADS), (400 if errors else 200)


@bp.route("/reports/compliance/items")
@allow(*COMPLIANCE_ROLES)
def compliance_items_page():
    s = report_db()
    errors: dict = {}
    p = _annex_params(errors)
    figure = _choice("figure", COMPLIANCE_FIGURES, errors, _compliance_figure_labels())
    if figure is None and "figure" not in errors:
        errors["figure"] = _("This field is required.")
    obligation = (request.args.get("obligation") or "").strip()
    page_no = page_number()
    items, has_next, label = [], False, ""
    if not errors:
        try:
            from engine.reports.compliance import obligation_label
            items = compliance_items(s, p["unit"].code, p["from"], p["to"], obligation, figure, as_of=Q.today(),
                                     limit=ITEMS_PER_PAGE + 1, offset=(page_no - 1) * ITEMS_PER_PAGE)
            label = obligation_label(obligation, current_lang())
        except DomainError as exc:
            errors[exc.field or "unit"] = error_text(exc)
        has_next = len(items) > ITEMS_PER_PAGE
    items = items[:ITEMS_PER_PAGE]
    back = url_for("reports.compliance_page", **_annex_args(p))
    return render_template("report_compliance_items.html", items=items, has_next=has_next, page_no=page_no,
                           errors=errors, p=p, figure=figure, figure_label=_compliance_figure_labels().get(figure, ""),
                           obligation_label=label, back=back), (400 if errors else 200)


# -- issue 16: Phụ lục 1 and 3, the text figures, their records and the drafted review -------------------------
from flask import flash, redirect  # noqa: E402

from engine.reports.annex1 import KEY_LABELS as ANNEX1_LABELS  # noqa: E402
from engine.reports.annex1 import annex1, annex1_items  # noqa: E402
from engine.reports.annex3 import ROWS as ANNEX3_ROWS  # noqa: E402
from engine.reports.annex3 import annex3, annex3_items  # noqa: E402
from engine.reports.figures import notice_items, text_figures  # noqa: E402
from engine.reports.review import review_docx  # noqa: E402
from engine.services import annex_records as annex_rec  # noqa: E402
from web.dbsession import unit_of_work  # noqa: E402

ANNEX_ROLES = ("auditor", "leader", "clerk")       # clerks enter the conferences; they see what they entered
NOTICE_FIGURES = ("needed", "met_on_time", "met_late", "open_overdue", "open_on_track", "answered_at_meeting")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _notice_figure_labels() -> dict:
    return {"needed": _("Needed a conclusion notice"), "met_on_time": _("Notice on time"),
            "met_late": _("Notice late"), "open_overdue": _("No notice yet, overdue"),
            "open_on_track": _("No notice yet, on track"),
            "answered_at_meeting": _("Answered at the meeting (no notice needed)")}


@bp.route("/reports/annexes")
@allow(*ANNEX_ROLES)
def annexes_page():
    """Phụ lục 1 and 3 and the figures the review quotes, each a link to what it counts."""
    s = report_db()
    errors: dict = {}
    p = _annex_params(errors)
    one = three = figs = None
    if not errors:
        try:
            one = annex1(s, p["unit"].code, p["from"], p["to"])
            three = annex3(s, p["unit"].code, p["from"], p["to"])
            figs = text_figures(s, p["unit"].code, p["from"], p["to"])
        except DomainError as exc:
            errors[exc.field or "unit"] = error_text(exc)
    return render_template("report_annexes.html", one=one, three=three, figs=figs, errors=errors, p=p,
                           args=_annex_args(p), periods=PERIODS, units=_report_units(s, current_user.model()),
                           annex1_labels=ANNEX1_LABELS, annex3_rows=ANNEX3_ROWS,
                           notice_labels=_notice_figure_labels(), line_by_key=LINE_BY_KEY), (400 if errors else 200)


@bp.route("/reports/review.docx")
@allow("auditor", "leader")
def review_download():
    """The drafted review (Word) for the unit and period of the annexes page."""
    s = report_db()
    errors: dict = {}
    p = _annex_params(errors)
    if not errors:
        try:
            data = review_docx(s, p["unit"].code, p["from"], p["to"], link_base=request.url_root.rstrip("/"))
        except DomainError as exc:
            errors[exc.field or "unit"] = error_text(exc)
        else:
            name = f"du-thao-bao-cao-{p['unit'].code}-{p['from']:%Y%m%d}-{p['to']:%Y%m%d}.docx"
            return Response(data, mimetype=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return render_template("report_annexes.html", one=None, three=None, figs=None, errors=errors, p=p,
                           args=_annex_args(p), periods=PERIODS, units=_report_units(s, current_user.model()),
                           annex1_labels=ANNEX1_LABELS, annex3_rows=ANNEX3_ROWS,
                           notice_labels=_notice_figure_labels(), line_by_key=LINE_BY_KEY), 400


@bp.route("/reports/notices/items")
@allow(*ANNEX_ROLES)
def notice_items_page():
    """The petitions behind a conclusion-notice figure of the review."""
    s = report_db()
    errors: dict = {}
    p = _annex_params(errors)
    figure = _choice("figure", NOTICE_FIGURES, errors, _notice_figure_labels()) or "needed"
    column = (request.args.get("column") or "total").strip()
    items = _compute(errors, lambda: notice_items(s, p["unit"].code, p["from"], p["to"], figure, column), [],
                     field="column")
    return render_template("report_annex_records.html", which="notices", items=items[:500], more=len(items) > 500,
                           errors=errors, p=p, args=_annex_args(p), title=_notice_figure_labels()[figure],
                           may_write=False, form={}), (400 if errors else 200)


def _records_page(which: str, form_values: dict | None = None, form_errors: dict | None = None, status: int = 200):
    s = db()
    errors: dict = {}
    p = _annex_params(errors)
    items = _compute(errors, lambda: (annex1_items if which == "outreach" else annex3_items)(
        s, p["unit"].code, p["from"], p["to"]), [])
    roles = annex_rec.OUTREACH_ROLES if which == "outreach" else annex_rec.INSPECTION_ROLES
    title = _("Conferences and training sessions") if which == "outreach" else _("Inspections and supervisions")
    return render_template("report_annex_records.html", which=which, items=items, more=False,
                           errors={**errors, **(form_errors or {})}, p=p, args=_annex_args(p), title=title,
                           may_write=current_user.role in roles + ("admin",), form=form_values or {}), \
        (400 if errors else status)


@bp.route("/reports/annexes/outreach", methods=["GET", "POST"])
@allow(*ANNEX_ROLES)
def outreach_page():
    return _record_form("outreach")


@bp.route("/reports/annexes/inspections", methods=["GET", "POST"])
@allow(*ANNEX_ROLES)
def inspections_page():
    return _record_form("inspection")


def _record_form(which: str):
    if request.method == "GET":
        return _records_page(which)
    roles = annex_rec.OUTREACH_ROLES if which == "outreach" else annex_rec.INSPECTION_ROLES
    if current_user.role not in roles + ("admin",):
        abort(403)
    f = request.form
    values = {k: f.get(k, "") for k in ("unit", "held_on", "kind", "title", "participants", "materials", "note",
                                         "planned", "bodies", "heads_disciplined", "heads_violating", "subject",
                                         "findings")}
    try:
        with unit_of_work() as s:
            user = annex_rec.user_by_name(s, current_user.username)
            if which == "outreach":
                annex_rec.add_outreach(s, values["unit"], values["held_on"], values["kind"], values["title"],
                                       values["participants"] or 0, values["materials"] or 0, values["note"], by=user)
            else:
                annex_rec.add_inspection(s, values["unit"], values["held_on"], values["kind"],
                                         values["planned"] != "adhoc", values["bodies"] or 0,
                                         values["heads_disciplined"] or 0, values["heads_violating"] or 0,
                                         values["subject"], values["findings"], by=user)
    except DomainError as exc:
        if exc.code in ("annex_record_out_of_scope", "role_cannot"):
            abort(403)
        return _records_page(which, values, {"record_" + (exc.field or "unit"): error_text(exc)}, 400)
    flash(_("Recorded."), "ok")
    return redirect(request.full_path if request.query_string else request.path)


@bp.route("/reports/annexes/<which>/<int:record_id>/delete", methods=["POST"])
@allow(*ANNEX_ROLES)
def record_delete(which: str, record_id: int):
    if which not in ("outreach", "inspections"):
        abort(404)
    try:
        with unit_of_work() as s:
            user = annex_rec.user_by_name(s, current_user.username)
            (annex_rec.delete_outreach if which == "outreach" else annex_rec.delete_inspection)(s, record_id, by=user)
    except DomainError as exc:
        if exc.code == "unknown_annex_record":
            abort(404)
        abort(403)
    flash(_("Removed."), "ok")
    back = request.form.get("next") or ""
    return redirect(back if back.startswith("/reports/annexes/") else url_for(
        "reports.outreach_page" if which == "outreach" else "reports.inspections_page"))


# -- issue 17: letter handling (Thông tư 02/2021/TT-TTCP) -------------------------------------------------
from engine.reports import letters as letters_rep  # noqa: E402

LETTERS_ROLES = ("clerk", "leader", "auditor")  # the clerk keeps the register the figures come from


def _letters_labels() -> dict:
    """The reader's labels of the report's figures and of a letter's classification (the engine's
    bilingual labels, so the page, the downloads and the command line say the same)."""
    lang = current_lang()
    out = {}
    for name, table in (("figure", letters_rep.FIGURE_LABELS), ("channel", letters_rep.CHANNEL_LABELS),
                        ("content", letters_rep.CONTENT_LABELS), ("condition", letters_rep.CONDITION_LABELS),
                        ("result", letters_rep.RESULT_LABELS)):
        out[name] = {k: letters_rep.pick(v, lang) for k, v in table.items()}
    return out


@bp.route("/reports/letters")
@allow(*LETTERS_ROLES)
def letters_page():
    s = report_db()
    errors: dict = {}
    p = _annex_params(errors)
    fmt = _format(errors)
    rep = _compute(errors, lambda: kept_call(s, letters_rep.letters_report, p["unit"].code, p["from"], p["to"],
                                             scope=p["scope"], lang=current_lang()))
    if rep is not None and fmt:
        return _attachment(letters_rep.export_letters(rep, fmt, current_lang()), fmt,
                           f"xu-ly-don-{rep.unit}-{rep.date_from:%Y%m%d}-{rep.date_to:%Y%m%d}")
    return render_template("report_letters.html", rep=rep, errors=errors, p=p, args=_annex_args(p),
                           figures=letters_rep.FIGURES, labels=_letters_labels(), periods=PERIODS,
                           note=letters_rep.note(rep, current_lang()) if rep else "",
                           units=_report_units(s, current_user.model()), downloads=DOWNLOADS), (400 if errors else 200)


@bp.route("/reports/letters/items")
@allow(*LETTERS_ROLES)
def letters_items_page():
    """The letters behind one figure: codes, dates and classification, never a sender's name."""
    s = report_db()
    errors: dict = {}
    p = _annex_params(errors)
    labels = _letters_labels()
    figure = _choice("figure", letters_rep.FIGURES, errors, labels["figure"])
    if figure is None and "figure" not in errors:
        errors["figure"] = _("This field is required.")
    page_no = page_number()
    items = _compute(errors, lambda: letters_rep.letters_items(s, p["unit"].code, p["from"], p["to"], figure,
                                                               scope=p["scope"], limit=ITEMS_PER_PAGE + 1,
                                                               offset=(page_no - 1) * ITEMS_PER_PAGE), [])
    has_next = len(items) > ITEMS_PER_PAGE
    items = items[:ITEMS_PER_PAGE]
    back = url_for("reports.letters_page", **{**_annex_args(p), "scope": "subtree"})
    return render_template("report_letters_items.html", items=items, has_next=has_next, page_no=page_no,
                           errors=errors, p=p, figure=figure, labels=labels, back=back), (400 if errors else 200)
