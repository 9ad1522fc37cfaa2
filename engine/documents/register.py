"""The register of outgoing documents (sổ đăng ký văn bản đi): drafting, numbering at issue,
issuing (the conclusion notice concludes its petitions, all or none), registering a document
produced elsewhere with its PDF, corrections, the scoped register, and the counts Phụ lục 1
takes (`count_by_type`).

Every function takes the caller's SQLAlchemy session and only flushes: the caller's one
transaction commits or rolls back everything (the number, the petitions' conclusions, the
notifications, the document). A refusal raises a bilingual `DomainError` and changes nothing.

Numbers (NĐ 30/2020/NĐ-CP art. 15; Hướng dẫn 36-HD/VPTW): given at issue, never at draft;
one series per issuing unit, year and document type, from 01 on 1 January, gapless — the
counter row is bumped by an atomic upsert in the issuing transaction (on PostgreSQL the row
lock queues a second issuer until the first commits; SQLite takes the write lock at BEGIN),
and rolls back with it. A unique constraint on (unit, year, type, number) backs it up.

Documents produced elsewhere take their number from the same series when registered: the
register is the one source of numbers, so the series stays gapless and without duplicates
(a typed number could collide with one the product gives or leave a gap); the form shows the
number the document will get so the clerk can write it on the paper before scanning.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_date
from engine.documents import store
from engine.documents import texts as _texts  # noqa: F401  (registers the reg_* messages)
from engine.documents.kinds import DOC_TYPES, FORMATS, KINDS, NUMBERED_TYPES, number_text
from engine.language.errors import DomainError, Forbidden, NotFound, ValidationError, VersionConflict
from engine.language.messages import format_date
from engine.persistence import eventlog
from engine.persistence.models import (Document, DocumentCounter, DocumentEvent, DocumentItem, DocumentTemplate,
                                       OrgUnit, Petition, User)
from engine.persistence.outbox import insert_ignore
from engine.persistence.scope import subtree_ids, unit_scope_ids
from engine.services.common import MAX_ID, count, text, unit_by_code
from engine.services.notices import case_url
from engine.services.petitions import Context, act
from engine.workflow.policy import sees_personal_data

log = logging.getLogger("petitions.documents")

# Who drafts and issues: the office (clerk, leader) and an admin; a department drafts and
# issues its own written answers. Auditors read the register, never write it.
OFFICE_ROLES = ("clerk", "leader", "admin")
DEPARTMENT_KINDS = ("written_answer",)
REGISTER_ROLES = ("clerk", "leader", "department", "admin")  # who registers a document produced elsewhere
READ_ROLES = ("clerk", "leader", "department", "auditor", "admin")
# Kinds whose file names the petitioner (receipt slip, written answer): served only to
# those who may see the petitioner's personal data (engine/workflow/policy.py).
PERSONAL_KINDS = ("receipt_slip", "written_answer")
MAX_ITEMS = 200           # lines of one conclusion notice (the admin's pick list shows 200)
MAX_PDF_BYTES = 20 * 1024 * 1024  # an A4 scan of a few pages is well under 5 MB
YEAR_RANGE = (1990, 2100)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"


@dataclass
class IssueResult:
    document: Document
    outbox_ids: list[int] = field(default_factory=list)
    warning: str | None = None      # the unit's template failed and the shipped one was used (vi)
    warning_en: str | None = None
    concluded: list[str] = field(default_factory=list)  # petition codes


# -- numbers ------------------------------------------------------------------------------
def next_number(session: Session, unit_id: int, year: int, doc_type: str, fmt: str) -> int:
    """The next number of the series, moved inside the caller's transaction (gapless). The
    issuing body is the unit in a format: a commune's party committee (ĐU) and its people's
    committee (UBND) keep separate series."""
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(DocumentCounter)
    stmt = ins.values(unit_id=unit_id, year=year, fmt=fmt, doc_type=doc_type, last=1).on_conflict_do_update(
        index_elements=["unit_id", "year", "fmt", "doc_type"], set_={"last": DocumentCounter.last + 1}
    ).returning(DocumentCounter.last)
    return session.execute(stmt).scalar_one()


def peek_number(session: Session, unit_id: int, year: int, doc_type: str, fmt: str) -> int:
    """The number the next document of the series will get (for the upload form; not reserved)."""
    last = session.scalar(select(DocumentCounter.last).where(
        DocumentCounter.unit_id == unit_id, DocumentCounter.year == year, DocumentCounter.fmt == fmt,
        DocumentCounter.doc_type == doc_type))
    return (last or 0) + 1


def _issuer_abbr(unit: OrgUnit, fmt: str) -> str:
    """The issuer's abbreviation in the number, in the document's format (a commune's party
    committee writes ĐU, its people's committee UBND: `heading_for` derives the other one)."""
    from engine.documents.heading import heading_for
    return heading_for(unit, fmt).issuer_abbr


# -- the event chain of a document ----------------------------------------------------------
def _event(session: Session, doc: Document, action: str, actor: User | None, at: datetime, data: dict) -> DocumentEvent:
    last = session.scalar(select(DocumentEvent).where(DocumentEvent.document_id == doc.id)
                          .order_by(DocumentEvent.seq.desc()).limit(1))
    seq, prev = (last.seq + 1, last.hash) if last else (1, "0" * 64)
    body = json.dumps({"document": doc.id, "seq": seq, "action": action, "actor": actor.username if actor else "system",
                       "at": at.isoformat(), "data": data, "prev": prev}, sort_keys=True, ensure_ascii=False,
                      default=str)
    h = hmac.new(eventlog.current_key(), body.encode("utf-8"), hashlib.sha256).hexdigest()
    ev = DocumentEvent(document_id=doc.id, seq=seq, action=action, actor_id=actor.id if actor else None,
                       actor=actor.username if actor else "system", at=at, data=data, prev_hash=prev, hash=h)
    session.add(ev)
    session.flush()
    return ev


def verify_events(session: Session, doc: Document) -> bool:
    """The document's chain is intact and its last file hash is the one on the row."""
    prev, sha = "0" * 64, None
    for ev in session.scalars(select(DocumentEvent).where(DocumentEvent.document_id == doc.id)
                              .order_by(DocumentEvent.seq)):
        body = json.dumps({"document": doc.id, "seq": ev.seq, "action": ev.action, "actor": ev.actor,
                           "at": ev.at.isoformat(), "data": ev.data, "prev": prev}, sort_keys=True,
                          ensure_ascii=False, default=str)
        if ev.prev_hash != prev or hmac.new(eventlog.current_key(), body.encode("utf-8"),
                                            hashlib.sha256).hexdigest() != ev.hash:
            return False
        prev, sha = ev.hash, ev.data.get("sha256", sha)
    return sha == doc.file_sha256


# -- scope --------------------------------------------------------------------------------
def scope_clause(session: Session, actor: User):
    """What `actor` may read: the documents of their unit and below; a department its own
    documents and the notices that assign it an item; an admin everything."""
    if actor.role == "admin":
        return None
    ids = unit_scope_ids(session, actor)
    clause = Document.unit_id.in_(ids)
    if actor.role == "department":
        clause = or_(clause, exists().where(and_(DocumentItem.document_id == Document.id,
                                                 DocumentItem.department_id.in_(ids))))
    return clause


def get_for(session: Session, actor: User, doc_id) -> Document:
    """The document if `actor` may read it; otherwise NotFound (never confirm what lies outside scope)."""
    try:
        did = count(doc_id, "document", maximum=MAX_ID)
    except DomainError:
        raise NotFound("reg_unknown_document", field="document", id=doc_id) from None
    if actor.role not in READ_ROLES:
        raise NotFound("reg_unknown_document", field="document", id=doc_id)
    q = select(Document).where(Document.id == did)
    clause = scope_clause(session, actor)
    if clause is not None:
        q = q.where(clause)
    doc = session.scalar(q)
    if doc is None:
        raise NotFound("reg_unknown_document", field="document", id=doc_id)
    return doc


def may_read_file(session: Session, actor: User, doc: Document) -> bool:
    """The file of a receipt slip or a written answer names the petitioner: only for those
    who may see the petitioner's personal data (a denouncer's identity for those handling it)."""
    if doc.kind not in PERSONAL_KINDS:
        return True
    p = session.get(Petition, doc.petition_id) if doc.petition_id else None
    return sees_personal_data(actor, p)


def hidden_recipients(session: Session, actor: User, docs) -> set[int]:
    """Ids of the documents whose recipients this reader may not see: a receipt slip or a
    written answer is addressed to the petitioner by name (personal data; a denouncer's
    identity only for those handling the case). The register, its exports and the API
    leave those recipients out for such a reader."""
    return {d.id for d in docs if d.kind in PERSONAL_KINDS and not may_read_file(session, actor, d)}


def may_write(actor: User, doc: Document) -> bool:
    if actor.role == "admin":
        return True
    if actor.role == "department":
        return doc.kind in DEPARTMENT_KINDS and doc.unit_id == actor.unit_id
    return actor.role in OFFICE_ROLES and doc.unit_id == actor.unit_id


def read_file(session: Session, actor: User, doc: Document) -> tuple[bytes, str, str]:
    """(bytes, file name, mime) of an issued or registered document, for one allowed to read it."""
    if not may_read_file(session, actor, doc):
        raise NotFound("reg_unknown_document", field="document", id=doc.id)
    if not doc.file_sha256:
        raise ValidationError("reg_no_file", field="document", id=doc.id)
    data = store.get(doc.file_sha256)
    if data is None:
        raise NotFound("reg_file_missing", field="document", number=doc.number_text or doc.id)
    return data, doc.file_name or f"van-ban-{doc.id}", doc.mime or "application/octet-stream"


# -- the register ---------------------------------------------------------------------------
def register_query(session: Session, actor: User, q: str | None = None, year: int | None = None,
                   doc_type: str | None = None, status: str | None = None, unit_ids: set[int] | None = None):
    """The register as a select, newest first: issued and registered documents (drafts with
    status="draft"), filtered by year, type and a search over number, summary, signer and
    recipients (accent-insensitive on the summary through a folded comparison)."""
    stmt = select(Document)
    clause = scope_clause(session, actor)
    if clause is not None:
        stmt = stmt.where(clause)
    if unit_ids is not None:
        stmt = stmt.where(Document.unit_id.in_(unit_ids))
    if status == "draft":
        stmt = stmt.where(Document.status == "draft")
    else:
        stmt = stmt.where(Document.status.in_(("issued", "registered")))
    if year:
        stmt = stmt.where(Document.year == year)
    if doc_type:
        if doc_type not in DOC_TYPES:
            raise ValidationError("reg_unknown_type", field="doc_type", value=doc_type, choices=", ".join(DOC_TYPES))
        stmt = stmt.where(Document.doc_type == doc_type)
    if q:
        # a typed % or _ is a character, not a wildcard
        esc = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        term = f"%{esc}%"
        stmt = stmt.where(or_(*(func.lower(col).like(term, escape="\\") for col in
                                (Document.number_text, Document.summary, Document.signer_name, Document.recipients))))
    return stmt.order_by(Document.issued_on.desc().nulls_last(), Document.year.desc(), Document.id.desc())


def count_by_type(session: Session, unit_ids, start: date, end: date) -> dict[str, int]:
    """Issued and registered documents by type, issued between `start` and `end` inclusive,
    of the units `unit_ids` (None = every unit): the rows of Phụ lục 1."""
    stmt = (select(Document.doc_type, func.count()).where(Document.status.in_(("issued", "registered")),
                                                          Document.issued_on >= start, Document.issued_on <= end)
            .group_by(Document.doc_type))
    if unit_ids is not None:
        stmt = stmt.where(Document.unit_id.in_(list(unit_ids)))
    out = {t: 0 for t in DOC_TYPES}
    out.update({t: n for t, n in session.execute(stmt)})
    return out


def as_dict(doc: Document, lang: str = "vi", hide_recipients: bool = False) -> dict:
    """The register's line of a document (what the API gives); `hide_recipients` for a reader
    who may not see the petitioner it is addressed to (`hidden_recipients`)."""
    from engine.documents.kinds import doc_type_label, kind_label
    return {
        "id": doc.id, "unit": doc.unit.code, "unit_name": doc.unit.name, "kind": doc.kind,
        "kind_label": kind_label(doc.kind, lang) if doc.kind else None,
        "doc_type": doc.doc_type, "doc_type_label": doc_type_label(doc.doc_type, lang), "fmt": doc.fmt,
        "year": doc.year, "number": doc.number, "number_text": doc.number_text, "status": doc.status,
        "summary": doc.summary, "signer_name": doc.signer_name, "signer_title": doc.signer_title,
        "recipients": [] if hide_recipients else [r for r in doc.recipients.splitlines() if r.strip()],
        "issued_on": doc.issued_on.isoformat() if doc.issued_on else None,
        "corrects": doc.corrects_id, "file_sha256": doc.file_sha256, "file_name": doc.file_name,
        "file_size": doc.file_size, "mime": doc.mime, "session": doc.session_id,
        "items": [{"petition": it.petition.code, "department": it.department.code if it.department else None,
                   "department_name": it.department.name if it.department else None,
                   "due_date": it.due_date.isoformat() if it.due_date else None, "direction": it.direction}
                  for it in doc.items],
    }


# -- drafting -------------------------------------------------------------------------------
def _issuing_unit(session: Session, actor: User, unit_code: str | None) -> OrgUnit:
    if actor.role == "admin" and unit_code:
        return unit_by_code(session, unit_code)
    return session.get(OrgUnit, actor.unit_id)


def _check_can_draft(actor: User, kind: str) -> None:
    if actor.role in OFFICE_ROLES or (actor.role == "department" and kind in DEPARTMENT_KINDS):
        return
    raise Forbidden("reg_role_cannot", role=actor.role, what="lập văn bản này", what_en="draft this document")


def _recipients(value) -> str:
    if value is None:
        return ""
    lines = value.splitlines() if isinstance(value, str) else [str(x) for x in value]
    return "\n".join(text(x, "name", required=False) for x in lines if str(x).strip())


def _jsonable(params: dict) -> dict:
    return json.loads(json.dumps(params, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


def draft(session: Session, ctx: Context, actor: User, kind: str, *, fmt: str | None = None, unit_code: str | None = None,
          summary: str | None = None, recipients=None, signer_name: str | None = None,
          signer_title: str | None = None, **params) -> Document:
    """A draft of `kind` from the data: no number, no date. `params` are the kind's own
    (session_id, items, directions, period, petition_id, ...), validated by building the
    context once; the draft keeps them and redraws from them at preview and at issue."""
    from engine.documents.contexts import build_context
    from engine.documents.heading import heading_for
    if kind not in KINDS:
        raise ValidationError("doc_unknown_kind", field="kind", kind=kind, choices=", ".join(KINDS))
    _check_can_draft(actor, kind)
    unit = _issuing_unit(session, actor, unit_code)
    fmt = fmt or heading_for(unit).fmt
    if fmt not in FORMATS:
        raise ValidationError("doc_unknown_format", field="fmt", fmt=fmt)
    if kind == "conclusion_notice":
        items = params.get("items")
        if items is not None:
            if not items:
                raise ValidationError("reg_no_items", field="items")
            if len(items) > MAX_ITEMS:
                raise ValidationError("reg_too_many_items", field="items", max=MAX_ITEMS, n=len(items))
    context = build_context(session, kind, unit, ctx=ctx, fmt=fmt, summary=summary or None,
                            recipients=recipients, signer_name=signer_name, signer_title=signer_title, **params)
    head = context["heading"]
    day = local_date(ctx.instant())
    doc = Document(unit_id=unit.id, unit=unit, kind=kind, doc_type=KINDS[kind].doc_type, fmt=fmt, year=day.year,
                   status="draft", summary=text(summary or context.get("summary") or KINDS[kind].vi, "summary"),
                   signer_name=text(signer_name or head.get("signer_name") or "", "name", required=False),
                   signer_title=text(signer_title or head.get("signer_title") or "", "name", required=False),
                   recipients=_recipients(recipients if recipients is not None else context.get("recipients")),
                   created_by=actor.id, session_id=_int_or_none(params.get("session_id")),
                   petition_id=_int_or_none(params.get("petition_id")), data=_jsonable(params),
                   created_at=ctx.instant())
    session.add(doc)
    session.flush()
    if kind == "conclusion_notice":
        _set_items(session, doc, context["items"])
        doc.data = {**doc.data, "items": _resolved_items(context["items"])}
    _event(session, doc, "drafted", actor, ctx.instant(), {"kind": kind, "fmt": fmt})
    return doc


def _resolved_items(lines: list[dict]) -> list[dict]:
    """The lines as picked: issue redraws exactly these petitions (not "the open ones now")."""
    return [{"petition_id": x["petition_id"], "department_id": x["department_id"], "direction": x["direction"]}
            for x in lines]


def _int_or_none(v):
    return int(v) if v not in (None, "") else None


def _set_items(session: Session, doc: Document, lines: list[dict]) -> None:
    doc.items.clear()
    session.flush()
    for i, line in enumerate(lines):
        p = session.get(Petition, line["petition_id"])
        doc.items.append(DocumentItem(position=i, petition_id=p.id, petition=p, department_id=line["department_id"],
                                      due_date=date.fromisoformat(line["due_on"]), direction=line["direction"],
                                      version=p.version))
    session.flush()


def unit_template(session: Session, unit_id: int, kind: str, fmt: str) -> bytes | None:
    """The unit's own active template of that kind and format, newest first (None: the shipped one)."""
    return session.scalar(select(DocumentTemplate.docx).where(
        DocumentTemplate.unit_id == unit_id, DocumentTemplate.kind == kind, DocumentTemplate.fmt == fmt,
        DocumentTemplate.active.is_(True)).order_by(DocumentTemplate.uploaded_at.desc(), DocumentTemplate.id.desc())
        .limit(1))


def _context_of(session: Session, ctx: Context, doc: Document, issued_on: date | None, number: str | None) -> dict:
    from engine.documents.contexts import build_context
    params = dict(doc.data or {})
    return build_context(session, doc.kind, doc.unit, ctx=ctx, issued_on=issued_on, number_text=number,
                         fmt=doc.fmt, summary=doc.summary, recipients=doc.recipients,
                         signer_name=doc.signer_name or None, signer_title=doc.signer_title or None, **params)


def preview(session: Session, ctx: Context, actor: User, doc: Document):
    """The draft (or, for an issued document, its stored file is what counts) rendered now:
    a `Rendered` (docx bytes, template used, warning)."""
    from engine.documents.render import render_docx
    if doc.kind is None:
        raise ValidationError("reg_no_file", field="document", id=doc.id)
    context = _context_of(session, ctx, doc, None, None)
    return render_docx(doc.kind, doc.fmt, context, unit_template(session, doc.unit_id, doc.kind, doc.fmt))


# -- issuing --------------------------------------------------------------------------------
def _claim_draft(session: Session, doc: Document) -> None:
    """Move the draft out of "draft" first: a second issuer of the same draft finds it gone
    (on PostgreSQL waits on the row, then finds it issued) and is refused."""
    res = session.execute(update(Document).where(Document.id == doc.id, Document.status == "draft")
                          .values(status="issued").execution_options(synchronize_session=False))
    if res.rowcount != 1:
        session.refresh(doc)
        raise ValidationError("reg_not_draft", field="document", number=doc.number_text or doc.id)


def _check_day(day: date) -> None:
    lo, hi = YEAR_RANGE
    if not (lo <= day.year <= hi):
        raise ValidationError("reg_date_year", field="on", date=format_date(day), lo=lo, hi=hi)


def issue(session: Session, ctx: Context, actor: User, doc: Document, on: date | None = None) -> IssueResult:
    """Number the draft, render its file with that number and date, store the file, record
    its SHA-256; a conclusion notice concludes every listed petition (all or none) and tells
    each assigned department (in-app and e-mail)."""
    from engine.documents.render import render_docx
    if doc.status != "draft":
        raise ValidationError("reg_not_draft", field="document", number=doc.number_text or doc.id)
    if not may_write(actor, doc):
        raise Forbidden("reg_role_cannot", role=actor.role, what="ban hành văn bản này", what_en="issue this document")
    from engine.deadlines.timeutil import parse_date
    today = local_date(ctx.instant())
    day = parse_date(on, "on") if on not in (None, "") else today  # a date, or text as a form sends it
    _check_day(day)
    if day > today:
        raise ValidationError("date_in_future", field="on", date=format_date(day))
    _claim_draft(session, doc)
    if doc.kind == "conclusion_notice":
        _check_items_before(session, doc)
    number = next_number(session, doc.unit_id, day.year, doc.doc_type, doc.fmt)
    ntext = number_text(doc.fmt, doc.doc_type, number, _issuer_abbr(doc.unit, doc.fmt))
    try:
        context = _context_of(session, ctx, doc, day, ntext)
    except DomainError as exc:
        code = exc.params.get("code")
        if code:  # an item no longer open: name it
            raise ValidationError("reg_item_refused", field="items", code=code, reason=exc.message("vi"),
                                  reason_en=exc.message("en")) from None
        raise
    rendered = render_docx(doc.kind, doc.fmt, context, unit_template(session, doc.unit_id, doc.kind, doc.fmt))
    data = rendered.docx
    sha = store.put(data)
    doc.year, doc.number, doc.number_text, doc.issued_on = day.year, number, ntext, day
    doc.status, doc.issued_by = "issued", actor.id
    doc.file_sha256, doc.file_size, doc.mime = sha, len(data), DOCX_MIME
    doc.file_name = _file_name(doc, "docx")
    result = IssueResult(doc, warning=rendered.warning, warning_en=getattr(rendered, "warning_en", None))
    if doc.kind == "conclusion_notice":
        if _items_changed(doc, context["items"]):  # issued on another day than drafted: due dates moved
            _set_items(session, doc, context["items"])
        result.concluded, result.outbox_ids = _conclude_items(session, ctx, actor, doc, day)
    session.flush()
    _event(session, doc, "issued", actor, ctx.instant(),
           {"number": ntext, "issued_on": day.isoformat(), "sha256": sha, "size": len(data),
            "template": rendered.template, "concluded": result.concluded})
    log.info("issued %s %s", doc.id, ntext, extra={"document": doc.id, "actor": actor.username})
    return result


def _items_changed(doc: Document, lines: list[dict]) -> bool:
    return [(it.petition_id, it.department_id, it.due_date.isoformat() if it.due_date else None) for it in doc.items] != \
        [(x["petition_id"], x["department_id"], x["due_on"]) for x in lines]


def _check_items_before(session: Session, doc: Document) -> None:
    """Every line has a department and its petition is still at the version the draft read:
    a stale line refuses the whole notice, naming it."""
    if not doc.items:
        raise ValidationError("reg_no_items", field="items")
    for it in doc.items:
        p = session.get(Petition, it.petition_id)
        session.refresh(p, ["version", "state"])
        if it.department_id is None:
            raise ValidationError("reg_item_no_department", field="items", code=p.code)
        if it.version is not None and p.version != it.version:
            raise VersionConflict("reg_item_stale", field="items", code=p.code, actual=p.version, expected=it.version)


def _conclude_items(session: Session, ctx: Context, actor: User, doc: Document, day: date) -> tuple[list[str], list[int]]:
    concluded, outbox = [], []
    for it in doc.items:
        p = it.petition
        params = {"notice_no": doc.number_text, "department": it.department.code}
        if it.direction:
            params["note"] = it.direction
        try:
            res = act(session, ctx, p.code, "conclude", actor.username, params, on=day, expect_version=it.version)
        except VersionConflict as exc:
            raise VersionConflict("reg_item_stale", field="items", code=p.code, actual=exc.params.get("actual"),
                                  expected=it.version) from None
        except DomainError as exc:
            raise ValidationError("reg_item_refused", field="items", code=p.code, reason=exc.message("vi"),
                                  reason_en=exc.message("en")) from None
        clock = res.petition.clock("resolution")
        if clock is not None and it.due_date is not None and clock.due_date != it.due_date:
            # the paper would promise a date the engine does not keep: refuse rather than print it
            raise ValidationError("reg_due_mismatch", field="items", code=p.code, doc=format_date(it.due_date),
                                  clock=format_date(clock.due_date))
        concluded.append(p.code)
        outbox += res.outbox_ids
    outbox += notify_departments(session, doc)
    return concluded, outbox


def _file_name(doc: Document, ext: str) -> str:
    number = (doc.number_text or f"du-thao-{doc.id}").replace("/", "_")
    return f"{doc.kind or doc.doc_type}_{number}.{ext}"


def document_url(doc: Document, public_url: str | None = None) -> str:
    from config import get_settings
    base = public_url if public_url is not None else get_settings().public_url
    return f"{base.rstrip('/')}/documents/{doc.id}"


def notify_departments(session: Session, doc: Document, public_url: str | None = None) -> list[int]:
    """Tell every active user of each assigned department, in the inbox and by e-mail, which
    items the notice gave it and by when (kind `assignment`): one message per department."""
    by_dept: dict[int, list[DocumentItem]] = {}
    for it in doc.items:
        if it.department_id is not None:
            by_dept.setdefault(it.department_id, []).append(it)
    rows = []
    for dept_id, items in by_dept.items():
        dept = session.get(OrgUnit, dept_id)
        users = session.scalars(select(User).where(User.unit_id == dept_id, User.active.is_(True))
                                .order_by(User.id))
        lines = [{"code": it.petition.code, "summary": it.petition.summary, "due_date": it.due_date.isoformat(),
                  "direction": it.direction, "url": case_url(it.petition, public_url)} for it in items]
        for u in users:
            context = {"recipient_name": u.full_name or u.username, "unit_name": doc.unit.name,
                       "department_name": dept.name, "notice_no": doc.number_text,
                       "notice_on": doc.issued_on.isoformat(), "summary": doc.summary, "items": lines,
                       "url": document_url(doc, public_url)}
            first = items[0].petition_id
            rows.append(dict(key=f"doc:{doc.id}:assignment:{dept_id}:inbox:{u.id}", kind="assignment", channel="inbox",
                             recipient_user_id=u.id, lang=u.lang, petition_id=first, context=context))
            if u.email:
                rows.append(dict(key=f"doc:{doc.id}:assignment:{dept_id}:email:{u.id}", kind="assignment",
                                 channel="email", recipient_user_id=u.id, to_email=u.email, lang=u.lang,
                                 petition_id=first, context=context))
    return insert_ignore(session, rows)


# -- documents produced elsewhere ------------------------------------------------------------
def check_pdf(data: bytes | None, name: str) -> int:
    """The upload is a real, readable PDF within the size cap; returns its page count."""
    if not data:
        raise ValidationError("reg_pdf_empty", field="file")
    if len(data) > MAX_PDF_BYTES:
        raise ValidationError("reg_pdf_too_big", field="file", size=len(data), limit=MAX_PDF_BYTES)
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValidationError("reg_pdf_not_pdf", field="file", name=name)
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError("reg_pdf_encrypted", field="file", name=name)
        pages = len(reader.pages)
        if pages < 1:
            raise PdfReadError("no pages")
        reader.pages[0].extract_text()  # reaching the first page's content proves the body parses
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a broken file; all mean "broken"
        raise ValidationError("reg_pdf_broken", field="file", name=name, error=str(exc)[:200] or type(exc).__name__) \
            from None
    return pages


def register_upload(session: Session, ctx: Context, actor: User, *, data: bytes | None, file_name: str,
                    doc_type: str, summary: str, issued_on=None, signer_name: str = "", signer_title: str = "",
                    recipients=None, fmt: str | None = None, unit_code: str | None = None,
                    corrects_id=None) -> Document:
    """Register a document produced elsewhere: its PDF checked and stored, a number from the
    unit's series for its type and year."""
    from engine.deadlines.timeutil import parse_date
    from engine.documents.heading import heading_for
    if actor.role not in REGISTER_ROLES:
        raise Forbidden("reg_role_cannot", role=actor.role, what="đăng ký văn bản", what_en="register documents")
    if doc_type not in NUMBERED_TYPES:
        raise ValidationError("reg_unknown_type", field="doc_type", value=doc_type, choices=", ".join(NUMBERED_TYPES))
    summary = text(summary, "summary")
    name = text(file_name or "van-ban.pdf", "name")
    today = local_date(ctx.instant())
    day = parse_date(issued_on, "issued_on") if issued_on not in (None, "") else today
    _check_day(day)
    if day > today:
        raise ValidationError("date_in_future", field="issued_on", date=format_date(day))
    unit = _issuing_unit(session, actor, unit_code)
    fmt = fmt or heading_for(unit).fmt
    if fmt not in FORMATS:
        raise ValidationError("doc_unknown_format", field="fmt", fmt=fmt)
    corrects = None
    if corrects_id not in (None, ""):
        corrects = get_for(session, actor, corrects_id)
        if corrects.status == "draft":
            raise ValidationError("reg_correction_of_draft", field="corrects")
    pages = check_pdf(data, name)
    sha = store.put(data)
    number = next_number(session, unit.id, day.year, doc_type, fmt)
    doc = Document(unit_id=unit.id, unit=unit, kind=None, doc_type=doc_type, fmt=fmt, year=day.year, number=number,
                   number_text=number_text(fmt, doc_type, number, _issuer_abbr(unit, fmt)), status="registered",
                   summary=summary, signer_name=text(signer_name, "name", required=False),
                   signer_title=text(signer_title, "name", required=False), recipients=_recipients(recipients),
                   issued_on=day, created_by=actor.id, issued_by=actor.id, corrects_id=corrects.id if corrects else None,
                   file_sha256=sha, file_size=len(data), mime=PDF_MIME, file_name=name, data={"pages": pages},
                   created_at=ctx.instant())
    session.add(doc)
    session.flush()
    _event(session, doc, "registered", actor, ctx.instant(),
           {"number": doc.number_text, "sha256": sha, "size": len(data), "pages": pages,
            "corrects": corrects.id if corrects else None})
    return doc


def correct(session: Session, ctx: Context, actor: User, doc: Document) -> Document:
    """A correction: a new draft of the same kind naming the issued one it corrects. A
    conclusion notice has already concluded its petitions; its correction is registered as
    an uploaded document instead (`register_upload(corrects_id=...)`)."""
    if doc.status == "draft":
        raise ValidationError("reg_correction_of_draft", field="document")
    if doc.kind is None or doc.kind == "conclusion_notice":
        raise ValidationError("reg_correction_upload", field="document", number=doc.number_text)
    if not may_write(actor, doc):
        raise Forbidden("reg_role_cannot", role=actor.role, what="đính chính văn bản này", what_en="correct this document")
    new = Document(unit_id=doc.unit_id, unit=doc.unit, kind=doc.kind, doc_type=doc.doc_type, fmt=doc.fmt,
                   year=local_date(ctx.instant()).year, status="draft", summary=doc.summary,
                   signer_name=doc.signer_name, signer_title=doc.signer_title, recipients=doc.recipients,
                   created_by=actor.id, corrects_id=doc.id, session_id=doc.session_id, petition_id=doc.petition_id,
                   data=dict(doc.data or {}), created_at=ctx.instant())
    session.add(new)
    session.flush()
    _event(session, new, "drafted", actor, ctx.instant(), {"kind": new.kind, "fmt": new.fmt, "corrects": doc.id})
    _event(session, doc, "corrected_by", actor, ctx.instant(), {"correction": new.id})
    return new


def update_draft(session: Session, ctx: Context, actor: User, doc: Document, *, summary=None, recipients=None,
                 signer_name=None, signer_title=None, **params) -> Document:
    """Change a draft (never an issued document: the service refuses)."""
    if doc.status != "draft":
        raise ValidationError("reg_not_draft", field="document", number=doc.number_text or doc.id)
    if not may_write(actor, doc):
        raise Forbidden("reg_role_cannot", role=actor.role, what="sửa văn bản này", what_en="edit this document")
    data = dict(doc.data or {})
    data.update(_jsonable(params))
    doc.data = data
    if summary is not None:
        doc.summary = text(summary, "summary")
    if recipients is not None:
        doc.recipients = _recipients(recipients)
    if signer_name is not None:
        doc.signer_name = text(signer_name, "name", required=False)
    if signer_title is not None:
        doc.signer_title = text(signer_title, "name", required=False)
    context = _context_of(session, ctx, doc, None, None)  # refuses what the kind cannot draft
    if doc.kind == "conclusion_notice":
        _set_items(session, doc, context["items"])
        doc.data = {**doc.data, "items": _resolved_items(context["items"])}
    session.flush()
    _event(session, doc, "edited", actor, ctx.instant(), {"fields": sorted(params)})
    return doc


def subtree(session: Session, unit_id: int) -> set[int]:
    return subtree_ids(session, unit_id)
