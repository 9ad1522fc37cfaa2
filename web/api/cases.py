"""Cases over the API: list (the admin's filters, cursor pages), read (ETag = version),
receive a new one, take a workflow action (If-Match required: the optimistic lock)."""
from __future__ import annotations

from flask import g, request
from engine.persistence.models import Petition
from engine.services import petitions as svc
from engine.workflow.policy import mask_personal, protects_identity, sees_personal_data
from web import queries as Q
from web.access import ALL_ROLES, allowed_actions
from web.api import ApiProblem, bp, unique_ref, decode_cursor, encode_cursor, lang, responses, roles, spec, user
from web.api.schemas import ActionIn, Case, CaseExport, CaseIn, CasePage, CaseQuery, ImportIn, Problem
from web.auth import CurrentUser
from web.dbsession import after_commit, db, unit_of_work
from engine.language.errors import ValidationError

TAGS = ("cases",)


def etag(p: Petition) -> str:
    return f'"{p.version}"'


def _summary(p: Petition, wf) -> dict:
    from engine.services.casework import workflow_of  # each case in its own workflow's words (issue 17)
    return svc.petition_to_dict(db(), p, workflow_of(p, wf), lang(), personal=False, events=False)


def case_body(p: Petition) -> dict:
    """The case as this reader may see it: the petitioners only where the policy allows
    (auditors never; a denouncer only for those handling the case)."""
    from engine.services.casework import offered, workflow_of
    s, u = db(), user()
    wf = workflow_of(p, Q.context().workflow)
    # a denouncer's identity never leaves through the API, whoever asks (Luật Tố cáo art. 47-48):
    # those handling the case read it on the case page, where each showing is recorded
    personal = sees_personal_data(u, p) and not protects_identity(p)
    d = svc.petition_to_dict(s, p, wf, lang(), personal=personal, events=True)
    d["events"] = mask_personal(u, d["events"])
    d["personal_data"] = personal
    d["identity_protected"] = protects_identity(p)
    d["petitioner_count"] = len(p.petitioners)
    d["actions"] = [a.name for a in allowed_actions(wf, CurrentUser(u), p) if offered(a, p, Q.today()) is None]
    return d


@bp.get("/cases")
@roles(*ALL_ROLES)
@spec.validate(query=CaseQuery, resp=responses(HTTP_200=CasePage, HTTP_400=Problem), tags=TAGS,
               force_resp_serialize=True,
               operation_id="list_cases")
def list_cases():
    """List cases in the token's scope

    The admin's filters (search, unit, department, state, category, received dates, overdue);
    newest first; `next_cursor` leads to the next page. Search reaches petitioners' names only
    for readers who may see personal data."""
    q: CaseQuery = request.context.query
    s, u = db(), user()
    wf = Q.context().workflow
    if q.state and q.state not in wf.states:
        raise ValidationError("bad_choice", field="state", value=q.state, choices=", ".join(wf.states))
    f = {"q": q.q or "", "unit": q.unit or "", "department": q.department or "", "state": q.state or "",
         "category": q.category or "", "date_from": q.date_from, "date_to": q.date_to, "overdue": bool(q.overdue),
         "personal": sees_personal_data(u)}
    stmt = Q.apply_filters(s, Q.scoped(s, u), f, Q.today())
    after = decode_cursor(q.cursor)
    if after is not None:
        stmt = stmt.where(Petition.id < after)
    rows = list(s.scalars(stmt.order_by(Petition.id.desc()).limit(q.limit + 1)).unique())
    page = rows[:q.limit]
    nxt = encode_cursor(page[-1].id) if len(rows) > q.limit else None
    return {"items": [_summary(p, wf) for p in page], "next_cursor": nxt}


@bp.get("/cases/<code>")
@roles(*ALL_ROLES)
@spec.validate(resp=responses(HTTP_200=Case, HTTP_404=Problem), tags=TAGS, force_resp_serialize=True,
               operation_id="get_case")
def get_case(code: str):
    """Read one case, with its clocks and full history

    404 for a case outside the token's scope, as for one that does not exist. The ETag is the
    case's version: send it back in If-Match to change the case."""
    p = svc.get_for(db(), code, user())
    return case_body(p), 200, {"ETag": etag(p)}


@bp.post("/cases")
@roles(*ALL_ROLES)
@spec.validate(json=CaseIn, resp=responses(HTTP_201=Case, HTTP_400=Problem, HTTP_404=Problem, HTTP_409=Problem), tags=TAGS,
               force_resp_serialize=True,
               operation_id="create_case")
def create_case():
    """Receive a case (a clerk: for their own unit)

    The same service as the admin's form: codes are gapless, the conclusion clock starts."""
    body: CaseIn = request.context.json
    u = user()
    ctx = Q.context()
    with unique_ref(body.external_ref), unit_of_work() as w:
        p = svc.add_petition(w, ctx, body.unit, body.summary, received_on=body.received_on,
                             session_id=body.session, petitioners=[x.model_dump() for x in body.petitioners],
                             category=body.category, kind=body.kind, group_size=body.group_size,
                             complex_prolonged=body.complex_prolonged, incited=body.incited,
                             actor=w.get(type(u), u.id), external_ref=body.external_ref)
        new_code = p.code
    p = svc.get_for(db(), new_code, u)
    return case_body(p), 201, {"ETag": etag(p), "Location": f"/api/v1/cases/{p.code}"}


def _if_match(p: Petition) -> int:
    """The version the client read, from If-Match; 428 without it, 412 when it is stale."""
    raw = (request.headers.get("If-Match") or "").strip()
    if not raw or raw == "*":
        raise ApiProblem(428, "if_match_required", field="If-Match", code=p.code)
    tags = [t.strip() for t in raw.split(",")]
    if etag(p) not in tags:
        raise ApiProblem(412, "if_match_failed", field="If-Match", code=p.code, actual=p.version,
                         expected=raw[:40])
    return p.version


@bp.post("/cases/<code>/actions/<action>")
@roles(*ALL_ROLES)
@spec.validate(json=ActionIn, resp=responses(HTTP_200=Case, HTTP_400=Problem, HTTP_404=Problem, HTTP_409=Problem,
                                             HTTP_412=Problem, HTTP_428=Problem), tags=TAGS,
               force_resp_serialize=True,
               operation_id="act")
def act(code: str, action: str):
    """Take a workflow action on a case (If-Match required)

    The same checks as the admin's buttons: role, unit scope, state, required fields, and the
    optimistic lock: If-Match must carry the ETag read (else 412; without it 428)."""
    body: ActionIn = request.context.json
    u = user()
    p = svc.get_for(db(), code, u)
    version = _if_match(p)
    params = {k: (str(v) if not isinstance(v, str) else v) for k, v in body.params.items()}
    ctx = Q.context()
    with unit_of_work() as w:
        result = svc.act(w, ctx, code, action, u.username, params, on=body.on, at=body.at, expect_version=version)
        outbox = list(result.outbox_ids)
    after_commit(outbox)
    p = svc.get_for(db(), code, u)
    return case_body(p), 200, {"ETag": etag(p)}


@bp.get("/cases/<code>/export")
@roles(*ALL_ROLES)
@spec.validate(resp=responses(HTTP_200=CaseExport, HTTP_404=Problem), tags=("interchange",),
               force_resp_serialize=True,
               operation_id="export_case")
def export_case(code: str):
    """Export a case with its full history (format petitions.case, version 1)

    For moving a case to another unit or system: the case as this reader may see it (personal
    data under the same policy as a read), every clock, and the hash-chained event log."""
    from datetime import timezone
    from sqlalchemy import select as _select
    from engine.persistence.models import Event
    s, u, wf = db(), user(), Q.context().workflow
    p = svc.get_for(s, code, u)
    history = [{"seq": e.seq, "action": e.action, "actor": e.actor, "at": e.at.isoformat(), "on": e.effective_on,
                "before": e.before, "after": e.after, "data": e.data, "prev_hash": e.prev_hash, "hash": e.hash}
               for e in s.scalars(_select(Event).where(Event.petition_id == p.id).order_by(Event.seq))]
    return {"format": "petitions.case", "version": 1,
            "source": {"system": "petitions", "unit": p.unit.code, "unit_name": p.unit.name,
                       "exported_at": Q.now().astimezone(timezone.utc).isoformat(), "exported_by": u.username},
            "case": case_body(p), "external_ref": p.external_ref, "incited": p.incited,
            "clocks_full": [svc.clock_to_dict(c, wf, lang()) for c in p.clocks],
            "history": mask_personal(u, history)}, 200, {"ETag": etag(p)}


@bp.post("/cases/import")
@roles(*ALL_ROLES)
@spec.validate(json=ImportIn, resp=responses(HTTP_201=Case, HTTP_400=Problem, HTTP_404=Problem, HTTP_409=Problem),
               tags=("interchange",), force_resp_serialize=True,
               operation_id="import_case")
def import_case():
    """Receive a case exported by another unit or system (petitions.case, version 1)

    A new case of the receiving unit (its own code and clocks, from the receiving day), made by
    the same service as any receipt and with the same rules (a clerk: their own unit).
    `external_ref` is `<system>:<source code>`, so the same case cannot be received twice (409).
    The source's history is kept, as the source says it, in the data of the new case's first
    event (`received_from`), never as events of this case."""
    b: ImportIn = request.context.json
    doc, u = b.document, user()
    ref = f"{doc.source.system}:{doc.case.code}"[:128]
    received_from = {"format": doc.format, "version": doc.version, "source": doc.source.model_dump(),
                     "code": doc.case.code, "received_on": doc.case.received_on.isoformat(),
                     "history": [e.model_dump(mode="json") for e in doc.history]}
    with unique_ref(ref), unit_of_work() as w:
        p = svc.add_petition(w, Q.context(), b.unit, doc.case.summary, received_on=b.received_on,
                             petitioners=[x.model_dump() for x in doc.case.petitioners or []],
                             category=doc.case.category, kind=doc.case.kind, group_size=doc.case.group_size,
                             complex_prolonged=doc.case.complex_prolonged, incited=doc.incited,
                             actor=w.get(type(u), u.id), external_ref=ref, received_from=received_from)
        new_code = p.code
    p = svc.get_for(db(), new_code, u)
    return case_body(p), 201, {"ETag": etag(p), "Location": f"/api/v1/cases/{p.code}"}
