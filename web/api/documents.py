"""Documents over the API (issue 15 / issue 19): the register of outgoing documents (list,
read, download) and the issue of a conclusion notice, with the admin's rules — the same
scope (404 outside it), the same personal-data rule for files that name the petitioner, and
the same all-or-none issue: a stale version on one item refuses the whole notice (412) and
names the item."""
from __future__ import annotations

from datetime import date

from flask import request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from engine.documents import register as R
from engine.documents.kinds import DOC_TYPES
from engine.language.errors import ValidationError, VersionConflict
from engine.persistence.models import Document, OrgUnit, Petition, ReceptionSession
from web import queries as Q
from web.api import ApiProblem, bp, decode_cursor, encode_cursor, lang, responses, roles, spec, user
from web.api.schemas import Day, Problem
from web.dbsession import db, unit_of_work

TAGS = ("documents",)
READERS = ("clerk", "leader", "department", "auditor")
DocType = Field(None, max_length=16, pattern="^(" + "|".join(DOC_TYPES) + ")$",
                description="plan | notice | decision | invitation | report | letter | receipt | other")


class DocumentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str | None = Field(None, max_length=200, description="search in number, summary, signer, recipients")
    year: int | None = Field(None, ge=R.YEAR_RANGE[0], le=R.YEAR_RANGE[1])
    type: str | None = DocType
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")


class DocumentItemOut(BaseModel):
    petition: str
    department: str | None
    department_name: str | None
    due_date: date | None = Field(description="the due date of the resolution clock the notice started")
    direction: str


class DocumentOut(BaseModel):
    id: int
    unit: str
    unit_name: str
    kind: str | None = Field(description="the kind drafted by the product; null: produced elsewhere and registered")
    doc_type: str
    fmt: str = Field(description="party (Hướng dẫn 36-HD/VPTW) | state (Nghị định 30/2020/NĐ-CP)")
    year: int
    number: int | None
    number_text: str | None = Field(description="as printed: 06-TB/ĐU (party), 12/TB-UBND (state)")
    status: str = Field(description="draft | issued | registered")
    summary: str
    signer_name: str
    signer_title: str
    recipients: list[str] = Field(description="empty for a reader who may not see the petitioner it is addressed to")
    issued_on: date | None
    corrects: int | None
    file_sha256: str | None
    file_name: str | None
    file_size: int | None
    mime: str | None
    session: int | None
    items: list[DocumentItemOut]


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None


class ConclusionItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64, description="the petition's code")
    department: str = Field(min_length=1, max_length=32, description="the responsible department's unit code")
    direction: str = Field("", max_length=2000, description="the chair's direction for this item")
    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="the case's version as read (its ETag): a stale one refuses the notice")


class ConclusionNoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session: int = Field(ge=1, le=2**31 - 1, description="the held reception or dialogue")
    items: list[ConclusionItemIn] = Field(min_length=1, max_length=R.MAX_ITEMS)
    directions: str = Field("", max_length=4000, description="the chair's general directions, one per line")
    on: Day | None = Field(None, description="the date of issue (default: today); never in the future")


def _body(doc: Document) -> dict:
    hide = bool(R.hidden_recipients(db(), user(), [doc]))
    return R.as_dict(doc, lang(), hide_recipients=hide)


@bp.get("/documents")
@roles(*READERS)
@spec.validate(query=DocumentQuery, resp=responses(HTTP_200=DocumentPage, HTTP_400=Problem), tags=TAGS,
               force_resp_serialize=True, operation_id="list_documents")
def list_documents():
    """The register of outgoing documents in the token's scope

    Issued and registered documents, newest first; `next_cursor` leads to the next page."""
    q: DocumentQuery = request.context.query
    s = db()
    stmt = R.register_query(s, user(), q=q.q, year=q.year, doc_type=q.type)
    after = decode_cursor(q.cursor)
    if after is not None:
        stmt = stmt.where(Document.id < after)
    rows = list(s.scalars(stmt.order_by(None).order_by(Document.id.desc()).limit(q.limit + 1)))
    page = rows[:q.limit]
    return {"items": [_body(d) for d in page], "next_cursor": encode_cursor(page[-1].id) if len(rows) > q.limit else None}


@bp.get("/documents/<int:doc_id>")
@roles(*READERS)
@spec.validate(resp=responses(HTTP_200=DocumentOut, HTTP_404=Problem), tags=TAGS, force_resp_serialize=True,
               operation_id="get_document")
def get_document(doc_id: int):
    """Read one document (404 outside the token's scope, as for one that does not exist)"""
    return _body(R.get_for(db(), user(), doc_id))


@bp.get("/documents/<int:doc_id>/file")
@roles(*READERS)
@spec.validate(resp=responses(HTTP_200=None, HTTP_400=Problem, HTTP_404=Problem), tags=TAGS,
               operation_id="download_document")
def download_document(doc_id: int):
    """Download the file of an issued (DOCX) or registered (PDF) document

    A receipt slip or a written answer names the petitioner: 404 for readers who may not see
    personal data. Its SHA-256 is `file_sha256` of the document."""
    from flask import current_app
    s = db()
    doc = R.get_for(s, user(), doc_id)
    data, name, mime = R.read_file(s, user(), doc)
    resp = current_app.response_class(data, mimetype=mime)
    resp.headers["Content-Disposition"] = f"attachment; filename=\"document-{doc.id}.{name.rsplit('.', 1)[-1]}\""
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.post("/documents/conclusion-notices")
@roles("clerk", "leader")
@spec.validate(json=ConclusionNoticeIn, resp=responses(HTTP_201=DocumentOut, HTTP_400=Problem, HTTP_404=Problem,
                                                       HTTP_409=Problem, HTTP_412=Problem),
               tags=TAGS, force_resp_serialize=True, operation_id="issue_conclusion_notice")
def issue_conclusion_notice():
    """Issue a conclusion notice for a held session: numbered, and every item concluded

    All or none, in one transaction: each listed case is concluded with the notice's number
    and date and assigned to its department, which is told in-app and by e-mail. A case that
    is not open, or whose `version` is stale, refuses the whole notice (409 / 412) and is named."""
    body: ConclusionNoticeIn = request.context.json
    s, u = db(), user()
    rec = s.get(ReceptionSession, body.session)
    if rec is None or (u.role != "admin" and rec.unit_id != u.unit_id):
        raise ApiProblem(404, "doc_unknown_session", field="session", id=body.session)
    ctx = Q.context()
    with unit_of_work() as w:
        items, versions = [], {}
        for it in body.items:
            p = w.scalar(select(Petition).where(Petition.code == it.code, Petition.session_id == rec.id))
            if p is None:
                raise ApiProblem(404, "doc_item_not_in_session", field="items", ref=it.code[:64], id=rec.id)
            dept = w.scalar(select(OrgUnit).where(OrgUnit.code == it.department, OrgUnit.level == "department",
                                                  OrgUnit.parent_id == rec.unit_id))
            if dept is None:
                raise ValidationError("doc_unknown_department", field="items", id=it.department[:32])
            items.append({"petition_id": p.id, "department_id": dept.id, "direction": it.direction})
            if it.version is not None:
                if it.version != p.version:  # the client's If-Match for this case: stale refuses the notice
                    raise VersionConflict("reg_item_stale", field="items", code=p.code, actual=p.version,
                                          expected=it.version)
                versions[p.id] = it.version
        actor = w.get(type(u), u.id)
        doc = R.draft(w, ctx, actor, "conclusion_notice", unit_code=rec.unit.code, session_id=rec.id, items=items,
                      directions=body.directions)
        for line in doc.items:  # the version the client read, not the one read now
            line.version = versions.get(line.petition_id, line.version)
        res = R.issue(w, ctx, actor, doc, on=body.on)
        doc_id, outbox = res.document.id, res.outbox_ids
    from web.dbsession import after_commit
    after_commit(outbox)
    doc = R.get_for(db(), u, doc_id)
    return _body(doc), 201, {"Location": f"/api/v1/documents/{doc_id}"}


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_type: str = Field(max_length=16, pattern="^(" + "|".join(R.NUMBERED_TYPES) + ")$",
                          description="the series it is numbered in: " + " | ".join(R.NUMBERED_TYPES))
    summary: str = Field(min_length=1, max_length=2000, description="trích yếu: what the document is about")
    issued_on: Day | None = Field(None, description="the date it was signed (default: today); never in the future")
    signer_name: str = Field("", max_length=255)
    signer_title: str = Field("", max_length=255)
    recipients: list[str] = Field(default_factory=list, max_length=50, description="Nơi nhận, one per entry")
    file_name: str = Field("van-ban.pdf", max_length=255)
    content_base64: str = Field(min_length=4, max_length=28_000_000,
                                description="the signed PDF, base64 (at most 20 MB decoded); parsed, not only sniffed")
    corrects: int | None = Field(None, ge=1, le=2**31 - 1, description="the document this one corrects")


@bp.post("/documents")
@roles(*R.REGISTER_ROLES)
@spec.validate(json=RegisterIn, resp=responses(HTTP_201=DocumentOut, HTTP_400=Problem, HTTP_404=Problem),
               tags=TAGS, force_resp_serialize=True, operation_id="register_document")
def register_document():
    """Register a document produced elsewhere (an e-office system, a scan) with its PDF

    It takes the next number of its unit's series for its type and year, as in the admin; the
    PDF is checked (signature, parse, not encrypted, size) and stored outside the web root."""
    import base64
    import binascii
    body: RegisterIn = request.context.json
    try:
        data = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiProblem(400, "api_bad_input", field="content_base64", errors="base64") from None
    u, ctx = user(), Q.context()  # read before the write: on SQLite a read inside it would wait for it
    with unit_of_work() as w:
        doc = R.register_upload(w, ctx, w.get(type(u), u.id), data=data, file_name=body.file_name,
                                doc_type=body.doc_type, summary=body.summary, issued_on=body.issued_on,
                                signer_name=body.signer_name, signer_title=body.signer_title,
                                recipients=body.recipients, corrects_id=body.corrects)
        doc_id = doc.id
    return _body(R.get_for(db(), u, doc_id)), 201, {"Location": f"/api/v1/documents/{doc_id}"}
