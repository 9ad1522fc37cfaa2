"""Templates of official documents (issue 15): the admin downloads the shipped template of
each kind and format, edits it in Word and uploads it for a unit in their scope (checked:
every placeholder against the documented list, `engine.documents.placeholders`), or goes
back to the shipped one. Downloads of a unit's template are scoped like the rest: a unit
outside the admin's subtree answers 404."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.documents import templates as T
from engine.documents.kinds import FORMAT_LABELS, FORMATS, KINDS
from engine.documents.placeholders import MAX_TEMPLATE_BYTES, TemplateRefused
from engine.documents.shipped import file_name, shipped_template
from engine.language.errors import DomainError
from engine.documents.heading import heading_for
from engine.persistence.models import DocumentTemplate, OrgUnit
from engine.persistence.scope import subtree_ids
from web.access import allow
from web.dbsession import db, unit_of_work
from web.forms import error_text
from web.i18n import current_lang

bp = Blueprint("doc_templates", __name__, url_prefix="/admin/templates")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _unit_id(units) -> int:
    raw = request.values.get("unit", "")
    ids = {u.id for u in units}
    if raw.isdigit() and int(raw) in ids:
        return int(raw)
    return current_user.model().unit_id


def _page(unit_id: int | None = None, errors: list[str] | None = None, status: int = 200,
          heading_values: dict | None = None):
    s = db()
    units = T.manageable_units(s, current_user.model())
    uid = unit_id if unit_id is not None else _unit_id(units)
    lang = current_lang()
    i = 1 if lang == "en" else 0
    rows = [{"kind": slot.kind, "fmt": slot.fmt, "kind_label": (KINDS[slot.kind].en if i else KINDS[slot.kind].vi),
             "fmt_label": FORMAT_LABELS[slot.fmt][i], "template": slot.template}
            for slot in T.slots(s, uid)]
    unit = s.get(OrgUnit, uid)
    derived = heading_for(_Blank(unit))  # what an empty field falls back to, shown as its placeholder
    return render_template("doc_templates/index.html", units=units, unit_id=uid, rows=rows, errors=errors or [],
                           max_kb=MAX_TEMPLATE_BYTES // 1024, unit=unit, derived=derived,
                           heading_values=heading_values or {k: getattr(unit, k) or "" for k in T.HEADING_FIELDS},
                           formats=[(f, FORMAT_LABELS[f][i]) for f in FORMATS]), status


class _Blank:
    """A unit seen without its own heading columns: the values they would be derived as."""

    def __init__(self, unit):
        self.name, self.level, self.doc_format = unit.name, unit.level, unit.doc_format
        self.parent = _Blank(unit.parent) if unit.parent is not None else None


@bp.route("/")
@allow()
def index():
    return _page()


@bp.route("/shipped/<kind>/<fmt>.docx")
@allow()
def shipped(kind: str, fmt: str):
    if kind not in KINDS or fmt not in FORMATS:
        abort(404)
    return send_file(io.BytesIO(shipped_template(kind, fmt)), mimetype=DOCX_MIME, as_attachment=True,
                     download_name=file_name(kind, fmt))


@bp.route("/<int:template_id>.docx")
@allow()
def download(template_id: int):
    s = db()
    row = s.get(DocumentTemplate, template_id)
    if row is None or row.unit_id not in subtree_ids(s, current_user.model().unit_id):
        abort(404)
    return send_file(io.BytesIO(row.docx), mimetype=DOCX_MIME, as_attachment=True,
                     download_name=f"{row.kind}-{row.fmt}-{row.unit.code}.docx")


@bp.route("/upload", methods=["POST"])
@allow()
def upload():
    unit_id, kind, fmt = request.form.get("unit", ""), request.form.get("kind", ""), request.form.get("fmt", "")
    f = request.files.get("template")
    data = f.read(MAX_TEMPLATE_BYTES + 1) if f is not None else b""
    try:
        with unit_of_work() as w:
            T.upload_template(w, current_user.model(), unit_id, kind, fmt, data, file_name=f.filename if f else "")
    except TemplateRefused as exc:
        lang = current_lang()
        return _page(_safe_int(unit_id), [p.message(lang) for p in exc.problems], status=400)
    except DomainError as exc:
        return _page(_safe_int(unit_id), [error_text(exc)], status=404 if exc.code == "doc_unknown_unit" else 400)
    flash(_("The template was checked and saved: this unit's documents of that kind now use it."), "info")
    return redirect(url_for("doc_templates.index", unit=unit_id))


@bp.route("/reset", methods=["POST"])
@allow()
def reset():
    unit_id, kind, fmt = request.form.get("unit", ""), request.form.get("kind", ""), request.form.get("fmt", "")
    try:
        with unit_of_work() as w:
            T.reset_template(w, current_user.model(), unit_id, kind, fmt)
    except DomainError as exc:
        return _page(_safe_int(unit_id), [error_text(exc)], status=404 if exc.code == "doc_unknown_unit" else 400)
    flash(_("The unit's own template was set aside: the shipped template is used again."), "info")
    return redirect(url_for("doc_templates.index", unit=unit_id))


def _safe_int(value) -> int | None:
    s = db()
    ids = {u.id for u in T.manageable_units(s, current_user.model())}
    return int(value) if str(value).isdigit() and int(value) in ids else None


@bp.route("/heading", methods=["POST"])
@allow()
def heading():
    unit_id = request.form.get("unit", "")
    values = {k: request.form.get(k, "") for k in T.HEADING_FIELDS}
    try:
        with unit_of_work() as w:
            T.set_heading(w, current_user.model(), unit_id, values)
    except DomainError as exc:
        uid = _safe_int(unit_id)
        status = 404 if exc.code == "doc_unknown_unit" else 400
        return _page(uid, [error_text(exc)], status=status, heading_values=values if uid is not None else None)
    flash(_("The unit's document heading was saved."), "info")
    return redirect(url_for("doc_templates.index", unit=unit_id))
