"""Official documents in the admin (issue 15): the register of outgoing documents (search,
filter, A4 print, CSV/XLSX), a document's page (preview, issue, download, correction), the
conclusion notice drafted from a held session, and registering a document produced
elsewhere with its PDF.

Every document is read through `engine.documents.register.get_for` (404 outside scope, a
guessed id never confirms a document exists); files only through `read_file` (a receipt
slip or a written answer names the petitioner: only for those who may see that)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.documents import register as R
from engine.documents import register_export, store
from engine.documents.kinds import DOC_TYPES, FORMAT_LABELS, FORMATS, KINDS, NUMBERED_TYPES, doc_type_label, kind_label
from engine.language.errors import DomainError, NotFound
from engine.persistence.models import Document, DocumentEvent, OrgUnit, Petition, ReceptionSession, User
from engine.persistence.scope import unit_scope_ids
from web import queries as Q
from web.access import allow
from web.dbsession import after_commit, db, unit_of_work
from web.forms import error_text, parse_int
from web.i18n import current_lang

bp = Blueprint("documents", __name__)

READERS = ("clerk", "leader", "department", "auditor")
WRITERS = ("clerk", "leader", "department")
PER_PAGE = 50
DOWNLOADS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8"}


def _doc_or_404(doc_id: int) -> Document:
    try:
        return R.get_for(db(), current_user.model(), doc_id)
    except NotFound:
        abort(404)


def _attachment(data: bytes, name: str, mime: str) -> Response:
    from urllib.parse import quote
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    resp = Response(data, mimetype=mime)
    resp.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# -- the register -------------------------------------------------------------------------------
@bp.route("/documents")
@allow(*READERS)
def index():
    s = db()
    user = current_user.model()
    errors: dict = {}
    q = (request.args.get("q") or "").strip()[:200]
    year = parse_int(request.args.get("year"), "year", errors, minimum=R.YEAR_RANGE[0], maximum=R.YEAR_RANGE[1])
    doc_type = request.args.get("type") or None
    if doc_type and doc_type not in DOC_TYPES:
        errors["type"] = _("Choose a type from the list.")
        doc_type = None
    status = "draft" if request.args.get("show") == "drafts" else None
    stmt = R.register_query(s, user, q=q or None, year=year, doc_type=doc_type, status=status)
    fmt = request.args.get("format")
    if fmt in DOWNLOADS and not errors:
        docs = list(s.scalars(stmt.limit(10000)))
        lang = current_lang()
        hidden = R.hidden_recipients(s, user, docs)
        data = (register_export.to_xlsx(docs, lang, hidden) if fmt == "xlsx"
                else register_export.to_csv(docs, lang, hidden))
        return _attachment(data, f"so-van-ban-di.{fmt}", DOWNLOADS[fmt])
    printing = request.args.get("print") == "1"
    page = max(1, min(parse_int(request.args.get("page"), "page", {}, minimum=1) or 1, 10000))
    if printing:
        docs, has_next = list(s.scalars(stmt.limit(2000))), False
    else:
        docs = list(s.scalars(stmt.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
        has_next, docs = len(docs) > PER_PAGE, docs[:PER_PAGE]
    years = list(range(Q.today().year, Q.today().year - 6, -1))
    status_code = 400 if errors else 200
    return render_template("documents/print.html" if printing else "documents/index.html", docs=docs, q=q, year=year,
                           doc_type=doc_type, types=DOC_TYPES, years=years, errors=errors, page=page,
                           hidden=R.hidden_recipients(s, user, docs),
                           has_next=has_next, show=request.args.get("show") or "",
                           may_draft=user.role in ("clerk", "leader", "admin"),
                           may_upload=user.role in R.REGISTER_ROLES), status_code


# -- one document ------------------------------------------------------------------------------
@bp.route("/documents/<int:doc_id>")
@allow(*READERS)
def show(doc_id: int):
    s = db()
    doc = _doc_or_404(doc_id)
    user = current_user.model()
    events = list(s.scalars(select(DocumentEvent).where(DocumentEvent.document_id == doc.id)
                            .order_by(DocumentEvent.seq)))
    corrections = list(s.scalars(select(Document).where(Document.corrects_id == doc.id).order_by(Document.id)))
    return render_template("documents/show.html", doc=doc, events=events, corrections=corrections,
                           may_write=R.may_write(user, doc), may_file=R.may_read_file(s, user, doc),
                           hidden=R.hidden_recipients(s, user, [doc]),
                           chain_ok=R.verify_events(s, doc) if doc.status != "draft" else None,
                           users={u.id: u for u in s.scalars(select(User).where(
                               User.id.in_([x for x in (doc.created_by, doc.issued_by) if x])))},
                           today=Q.today())


@bp.route("/documents/<int:doc_id>/file")
@allow(*READERS)
def download(doc_id: int):
    doc = _doc_or_404(doc_id)
    try:
        data, name, mime = R.read_file(db(), current_user.model(), doc)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("documents.show", doc_id=doc.id))
    return _attachment(data, name, mime)


@bp.route("/documents/<int:doc_id>/pdf")
@allow(*READERS)
def pdf(doc_id: int):
    """The issued DOCX as PDF (LibreOffice), converted once and kept beside the file."""
    from engine.documents.pdf import docx_to_pdf
    s = db()
    doc = _doc_or_404(doc_id)
    if doc.mime == R.PDF_MIME:
        return redirect(url_for("documents.download", doc_id=doc.id))
    try:
        data, name, _mime = R.read_file(s, current_user.model(), doc)
        out = store.get_derived(doc.file_sha256, "pdf")
        if out is None:
            out = docx_to_pdf(data)
            store.put_derived(doc.file_sha256, "pdf", out)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("documents.show", doc_id=doc.id))
    return _attachment(out, name.rsplit(".", 1)[0] + ".pdf", R.PDF_MIME)


@bp.route("/documents/<int:doc_id>/preview")
@allow(*WRITERS)
def preview(doc_id: int):
    """The draft as it stands, DOCX (no number, no date: given at issue)."""
    s = db()
    doc = _doc_or_404(doc_id)
    if doc.status != "draft" or not R.may_write(current_user.model(), doc):
        abort(404)
    try:
        rendered = R.preview(s, Q.context(), current_user.model(), doc)
    except DomainError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("documents.show", doc_id=doc.id))
    return _attachment(rendered.docx, f"du-thao-{doc.kind}-{doc.id}.docx", R.DOCX_MIME)


@bp.route("/documents/<int:doc_id>/issue", methods=["POST"])
@allow(*WRITERS)
def issue(doc_id: int):
    doc = _doc_or_404(doc_id)
    errors: dict = {}
    on = None
    raw = (request.form.get("on") or "").strip()
    if raw:
        from web.forms import parse_filter_date
        on = parse_filter_date(raw, "on", errors)
        if errors:
            flash(errors["on"], "error")
            return redirect(url_for("documents.show", doc_id=doc.id)), 303
    try:
        with unit_of_work() as w:
            res = R.issue(w, Q.context(), w.get(User, current_user.id), w.get(Document, doc.id), on=on)
            number, outbox, warning = res.document.number_text, res.outbox_ids, (
                res.warning if current_lang() == "vi" else (res.warning_en or res.warning))
            concluded = len(res.concluded)
    except DomainError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("documents.show", doc_id=doc.id), 303)
    after_commit(outbox)
    flash(_("Document %(no)s issued.", no=number), "success")
    if concluded:
        flash(_("%(n)d petition(s) concluded; the departments were told.", n=concluded), "success")
    if warning:
        flash(warning, "error")
    return redirect(url_for("documents.show", doc_id=doc.id), 303)


@bp.route("/documents/<int:doc_id>/correct", methods=["POST"])
@allow(*WRITERS)
def correct(doc_id: int):
    doc = _doc_or_404(doc_id)
    try:
        with unit_of_work() as w:
            new_id = R.correct(w, Q.context(), w.get(User, current_user.id), w.get(Document, doc.id)).id
    except DomainError as exc:
        flash(error_text(exc), "error")
        if exc.code == "reg_correction_upload":
            return redirect(url_for("documents.upload", corrects=doc.id), 303)
        return redirect(url_for("documents.show", doc_id=doc.id), 303)
    flash(_("A correction was drafted; issue it to give it its number."), "success")
    return redirect(url_for("documents.show", doc_id=new_id), 303)


# -- drafting ----------------------------------------------------------------------------------
# What each kind is drafted from: a held session, a dialogue, a petition or a period.
SOURCE = {"schedule_notice": "period", "result_notice": "session", "conclusion_notice": "session",
          "dialogue_plan": "dialogue", "invitation": "dialogue", "opinions_summary": "dialogue",
          "written_answer": "petition", "escalation_report": "petition", "receipt_slip": "petition"}


def _sessions_for(s, user, dialogue: bool) -> list[ReceptionSession]:
    scope = {user.unit_id} if user.role != "admin" else None
    q = select(ReceptionSession).where(ReceptionSession.status != "cancelled")
    if scope is not None:
        q = q.where(ReceptionSession.unit_id.in_(scope))
    q = q.where(ReceptionSession.kind.like("dialogue%") if dialogue else ReceptionSession.status == "held")
    return list(s.scalars(q.order_by(ReceptionSession.held_on.desc(), ReceptionSession.id.desc()).limit(50)))


@bp.route("/documents/new", methods=["GET", "POST"])
@allow("clerk", "leader", "department")
def new():
    """Draft any kind: choose the kind and what it is drafted from, then preview and issue."""
    s = db()
    user = current_user.model()
    kinds = [k for k in KINDS if user.role != "department" or k in R.DEPARTMENT_KINDS]
    values = {"kind": request.values.get("kind") or kinds[0], "fmt": request.values.get("fmt") or "",
              "session_id": request.values.get("session_id") or "", "petition": request.values.get("petition") or "",
              "period": request.values.get("period") or Q.today().strftime("%Y-%m")}
    errors: dict = {}
    if values["kind"] not in kinds:
        errors["kind"] = _("Choose a kind from the list.")
        values["kind"] = kinds[0]
    if request.method == "POST" and not errors:
        if values["kind"] == "conclusion_notice" and values["session_id"]:
            return redirect(url_for("documents.conclusion", session_id=values["session_id"]), 303)
        params: dict = {}
        src = SOURCE[values["kind"]]
        if src == "period":
            params["period"] = values["period"]
        elif src in ("session", "dialogue"):
            params["session_id"] = parse_int(values["session_id"], "session_id", errors, minimum=1, required=True)
        else:
            p = s.scalar(select(Petition).where(Petition.code == values["petition"].strip()))
            if p is None:
                errors["petition"] = _("No petition with this code in your unit.")
            else:
                params["petition_id"] = p.id
        if not errors:
            try:
                with unit_of_work() as w:
                    doc = R.draft(w, Q.context(), w.get(User, current_user.id), values["kind"],
                                  fmt=values["fmt"] or None, **params)
                    doc_id = doc.id
            except DomainError as exc:
                errors[exc.field if exc.field in ("period", "session_id", "fmt") else "form"] = error_text(exc)
            else:
                return redirect(url_for("documents.show", doc_id=doc_id), 303)
    return render_template("documents/new.html", kinds=kinds, values=values, errors=errors, source=SOURCE,
                           formats=FORMATS, format_labels=FORMAT_LABELS,
                           sessions=_sessions_for(s, user, False), dialogues=_sessions_for(s, user, True)), \
        (400 if errors else 200)


@bp.route("/documents/conclusion/<int:session_id>", methods=["GET", "POST"])
@allow("clerk", "leader")
def conclusion(session_id: int):
    """The conclusion notice of a held session: the open items, each with its department and
    the chair's direction; the due dates shown are those `conclude` will start."""
    from engine.documents.contexts import build_context
    s = db()
    user = current_user.model()
    rec = s.get(ReceptionSession, session_id)
    if rec is None or (user.role != "admin" and rec.unit_id != user.unit_id):
        abort(404)
    open_items = list(s.scalars(select(Petition).where(Petition.session_id == rec.id, Petition.state == "received")
                                .order_by(Petition.id)))
    departments = Q.departments_under(s, rec.unit_id)
    form = request.form
    errors: dict = {}
    values = {"picked": set(form.getlist("pick")) if request.method == "POST" else {p.code for p in open_items},
              "dept": {p.code: form.get(f"dept-{p.code}", str(p.department_id or "")) for p in open_items},
              "direction": {p.code: form.get(f"dir-{p.code}", "") for p in open_items},
              "directions": form.get("directions", "")}
    due: dict[str, str] = {}
    if rec.status == "held" and open_items:
        try:
            ctx_doc = build_context(s, "conclusion_notice", rec.unit, ctx=Q.context(), session_id=rec.id,
                                    items=[{"petition_id": p.id, "department_id": None} for p in open_items])
            due = {line["code"]: line["due_date"] for line in ctx_doc["items"]}
        except DomainError as exc:
            errors["form"] = error_text(exc)
    if request.method == "POST":
        picked = [p for p in open_items if p.code in values["picked"]]
        unknown = values["picked"] - {p.code for p in open_items}
        if unknown:
            errors["form"] = _("Petition %(codes)s is not among the open petitions of this session; nothing was "
                               "drafted.", codes=", ".join(sorted(unknown)[:5]))
        elif not picked:
            errors["form"] = _("Choose at least one petition.")
        dept_ids = {str(d.id) for d in departments}
        for p in picked:
            if values["dept"][p.code] not in dept_ids:
                errors[p.code] = _("Choose the responsible department.")
        if not errors:
            items = [{"petition_id": p.id, "department_id": int(values["dept"][p.code]),
                      "direction": values["direction"][p.code]} for p in picked]
            try:
                with unit_of_work() as w:
                    doc = R.draft(w, Q.context(), w.get(User, current_user.id), "conclusion_notice",
                                  unit_code=rec.unit.code, session_id=rec.id, items=items,
                                  directions=values["directions"])
                    doc_id = doc.id
            except DomainError as exc:
                errors["form"] = error_text(exc)
            else:
                flash(_("The conclusion notice was drafted: check it, then issue it."), "success")
                return redirect(url_for("documents.show", doc_id=doc_id), 303)
    drafts = list(s.scalars(select(Document).where(Document.session_id == rec.id).order_by(Document.id.desc())))
    return render_template("documents/conclusion.html", rec=rec, items=open_items, departments=departments,
                           values=values, errors=errors, due=due, drafts=drafts), (400 if errors else 200)


# -- documents produced elsewhere ----------------------------------------------------------------
@bp.route("/documents/upload", methods=["GET", "POST"])
@allow(*WRITERS)
def upload():
    s = db()
    user = current_user.model()
    form = request.form
    values = {"doc_type": form.get("doc_type") or request.args.get("type") or "notice",
              "summary": form.get("summary", ""), "issued_on": form.get("issued_on", Q.today().strftime("%d/%m/%Y")),
              "signer_name": form.get("signer_name", ""), "signer_title": form.get("signer_title", ""),
              "recipients": form.get("recipients", ""), "corrects": form.get("corrects") or request.args.get("corrects") or ""}
    errors: dict = {}
    corrects = None
    if values["corrects"]:
        try:
            corrects = R.get_for(s, user, values["corrects"])
        except NotFound:
            abort(404)
    if values["doc_type"] not in NUMBERED_TYPES:
        values["doc_type"] = "notice"
    if request.method == "POST":
        f = request.files.get("file")
        data = f.read(R.MAX_PDF_BYTES + 1) if f else b""
        try:
            with unit_of_work() as w:
                doc = R.register_upload(w, Q.context(), w.get(User, current_user.id), data=data,
                                        file_name=(f.filename if f else "") or "van-ban.pdf",
                                        doc_type=values["doc_type"], summary=values["summary"],
                                        issued_on=values["issued_on"], signer_name=values["signer_name"],
                                        signer_title=values["signer_title"], recipients=values["recipients"],
                                        corrects_id=corrects.id if corrects else None)
                doc_id, number = doc.id, doc.number_text
        except DomainError as exc:
            errors[exc.field if exc.field in ("file", "summary", "issued_on", "doc_type") else "form"] = error_text(exc)
        else:
            flash(_("Document %(no)s registered.", no=number), "success")
            return redirect(url_for("documents.show", doc_id=doc_id), 303)
    from engine.documents.heading import heading_for
    fmt = heading_for(s.get(OrgUnit, user.unit_id)).fmt
    nxt = {t: R.peek_number(s, user.unit_id, Q.today().year, t, fmt) for t in NUMBERED_TYPES}
    return render_template("documents/upload.html", values=values, errors=errors, types=NUMBERED_TYPES, next_numbers=nxt,
                           corrects=corrects, max_mb=R.MAX_PDF_BYTES // (1024 * 1024)), (400 if errors else 200)


def init_labels(app) -> None:
    """Labels of kinds and types for the templates, in the reader's language."""
    @app.context_processor
    def _doc_labels():
        lang = current_lang()
        return {"doc_kind_label": lambda k: kind_label(k, lang) if k else "",
                "doc_type_label": lambda t: doc_type_label(t, lang),
                "doc_format_label": lambda f: FORMAT_LABELS.get(f, (f, f))[0 if lang == "vi" else 1]}


bp.record_once(lambda state: init_labels(state.app))
