"""What each kind of document says, read from the database: `build_context(session, kind,
unit, **params)` returns the dict a template is filled with (the names are documented in
`engine.documents.placeholders` and docs/documents.md).

Documents are written in Vietnamese (they are official papers of a Vietnamese office), so
the labels here are Vietnamese only. Dates are dd/mm/yyyy. Documents that go to more than
the petitioner (notices, plans, summaries) name petitions by code and summary, never the
petitioner: a denouncer's identity stays protected; only the receipt slip and the written
answer, which go to the petitioner, carry names.

Due dates are the engine's: the clock the workflow's `conclude` starts, with the rule in
force for the unit on the day and the working-day calendar (`engine.deadlines`), exactly
as `engine.services.petitions.act` will compute it at issue.
"""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.clocks import compute_due
from engine.deadlines.timeutil import local_date, utcnow
from engine.documents.heading import Heading, heading_for
from engine.language.errors import NotFound, ValidationError
from engine.language.messages import format_date
from engine.persistence.models import Event, OrgUnit, Petition, ReceptionSession
from engine.persistence.scope import ancestors
from engine.services.petitions import Context

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
SESSION_PHRASES = {
    "reception_periodic": "buổi tiếp công dân định kỳ", "reception_adhoc": "buổi tiếp công dân đột xuất",
    "dialogue_periodic": "hội nghị đối thoại định kỳ", "dialogue_adhoc": "hội nghị đối thoại đột xuất",
    "dialogue_thematic": "hội nghị đối thoại chuyên đề",
}
CATEGORY_LABELS = {
    "land": "Đất đai", "compensation": "Bồi thường", "resettlement": "Tái định cư",
    "social_policy": "Chính sách xã hội", "infrastructure": "Hạ tầng", "party_building": "Xây dựng Đảng",
    "cadre_degradation": "Suy thoái, tự diễn biến, tự chuyển hóa", "other": "Khác",
}
# The archive line under "Nơi nhận": state documents "Lưu: VT" (NĐ 30/2020/NĐ-CP Phụ lục I);
# party documents as the seeds write it ("Lưu: VP").
ARCHIVE = {"state": "Lưu: VT", "party": "Lưu: VP"}
# The series abbreviation of each kind's genre, for the blank number of a draft.
_SERIES = {"schedule_notice": "TB", "result_notice": "TB", "conclusion_notice": "TB", "dialogue_plan": "KH",
           "invitation": "GM", "opinions_summary": "BC", "written_answer": "CV", "escalation_report": "BC"}
OPEN_FOR_CONCLUSION = ("received",)  # the states `conclude` starts from (workflows/regulation11.py)


def build_context(session: Session, kind: str, unit: OrgUnit, *, ctx: Context | None = None,
                  issued_on: date | None = None, number_text: str | None = None, summary: str | None = None,
                  recipients: list[str] | str | None = None, fmt: str | None = None,
                  signer_name: str | None = None, signer_title: str | None = None, **params) -> dict:
    """The context of `kind` drafted by `unit`. At draft `issued_on` and `number_text` are
    None (the number is given at issue): the document shows blanks to fill."""
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise ValidationError("doc_unknown_kind", field="kind", kind=kind, choices=", ".join(_BUILDERS))
    ctx = ctx or Context()
    head = heading_for(unit, fmt)
    if signer_name or signer_title:
        head = Heading(**{**head.__dict__, "signer_name": signer_name or head.signer_name,
                          "signer_title": signer_title or head.signer_title})
    base = {
        "fmt": head.fmt,
        "heading": head.as_context(),
        "issuer_name": issuer_name(unit, head),
        "issued_on": format_date(issued_on) if issued_on else "",
        "date_line": head.date_line(issued_on),
        "number_text": number_text or _blank_number(kind, head),
        "archive": ARCHIVE[head.fmt],
        "rule_days": "", "rule_source": "",
    }
    data = builder(session, ctx, unit, head, issued_on=issued_on, **params)
    base.update(data)
    if summary:
        base["summary"] = summary
    if recipients is not None:
        base["recipients"] = _lines(recipients)
    base.setdefault("recipients", [])
    return base


def issuer_name(unit: OrgUnit, head: Heading) -> str:
    """The issuer as a sentence names it: 'Đảng ủy xã Kỳ Thượng', 'Ủy ban nhân dân xã Kỳ Thượng'."""
    if unit.level == "department":
        return unit.name
    name = unit.name[:1].lower() + unit.name[1:]
    if head.fmt == "state":
        return f"Ủy ban nhân dân {name}"
    return {"province": f"Tỉnh ủy {head.place}", "district": f"Huyện ủy {head.place}"}.get(unit.level, f"Đảng ủy {name}")


# -- kinds ---------------------------------------------------------------------------------
def _schedule_notice(session: Session, ctx: Context, unit: OrgUnit, head: Heading, *, period: str | None = None,
                     issued_on: date | None = None, **_) -> dict:
    """The sessions planned (or held) in a month "2026-03" or a year "2026", cancelled ones left out."""
    start, end, label = _period(period or (issued_on or _today()).strftime("%Y-%m"))
    rows = session.scalars(select(ReceptionSession).where(
        ReceptionSession.unit_id == unit.id, ReceptionSession.status != "cancelled",
        ReceptionSession.held_on >= start, ReceptionSession.held_on < end,
        ReceptionSession.kind.in_(("reception_periodic", "reception_adhoc")),
    ).order_by(ReceptionSession.held_on, ReceptionSession.starts_at, ReceptionSession.id)).all()
    return {"period": period or "", "period_label": label, "sessions": [_session(s) for s in rows],
            "summary": f"Lịch tiếp công dân định kỳ {label}",
            "recipients": ["Các chi bộ, thôn, tổ dân phố", "Niêm yết tại nơi tiếp công dân"]}


def _result_notice(session: Session, ctx: Context, unit: OrgUnit, head: Heading, *, session_id=None, **_) -> dict:
    rec = _held_session(session, unit, session_id)
    petitions = _session_petitions(session, rec)
    s = _session(rec)
    return {"session": s, "petitions": [_petition_line(ctx, p) for p in petitions],
            "summary": f"Kết quả {s['kind_label']} ngày {s['date']}",
            "recipients": ["Các chi bộ, thôn, tổ dân phố", "Các đơn vị liên quan"]}


def _conclusion_notice(session: Session, ctx: Context, unit: OrgUnit, head: Heading, *, session_id=None,
                       items: list[dict] | None = None, directions: str = "", issued_on: date | None = None,
                       on: date | None = None, **_) -> dict:
    """One line per open item: its responsible department and the due date of the clock that
    `conclude` starts on the day of issue (`on` for a draft; today when neither is given).

    `items`: [{"petition_id" or "code", "department_id", "direction"}]; None = every open
    petition of the session with the department it already has."""
    rec = _held_session(session, unit, session_id)
    day = issued_on or on or _today()
    # One read of the session's petitions, of the unit's departments and of the rule per unit:
    # a notice of 50 items is a handful of queries, not 250 (benchmarks/bench_documents.py:
    # PostgreSQL went from 1.7 s to 0.25 s).
    in_session = _session_petitions(session, rec)
    if items is None:
        items = [{"petition_id": p.id, "department_id": p.department_id, "direction": ""}
                 for p in in_session if p.state in OPEN_FOR_CONCLUSION]
    index = {**{("id", p.id): p for p in in_session}, **{("code", p.code): p for p in in_session}}
    # Held here: the session's identity map holds objects weakly, so a department looked
    # up again per item would be read again.
    own = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(_unit_and_departments(session, unit))))}
    lines, departments, rule, dues = [], [], None, {}
    for raw in items:
        p = _item_petition(rec, raw, index)
        dept = _department(session, unit, raw.get("department_id", p.department_id), own)
        if p.unit_id not in dues:
            dues[p.unit_id] = _conclude_due(session, ctx, p, day)
        rule, due = dues[p.unit_id]
        lines.append({"petition_id": p.id, "code": p.code, "summary": p.summary,
                      "department_id": dept.id if dept else None, "department": dept.name if dept else "",
                      "due_date": format_date(due), "due_on": due.isoformat(),
                      "direction": str(raw.get("direction") or "").strip()})
        if dept is not None and dept.name not in departments:
            departments.append(dept.name)
    if rule is None:
        rule = _rule(session, ctx, unit, _clock_started_by("conclude", ctx), day)
    s = _session(rec)
    chair = f" {rec.chair}" if rec.chair else ""
    return {"session": s, "items": lines, "directions": directions or "",
            "direction_lines": _lines(directions),
            "rule_days": rule.days, "rule_source": rule.source,
            "summary": f"Kết luận của đồng chí{chair} tại {s['kind_label']} ngày {s['date']}",
            "recipients": departments}


def _dialogue_common(session: Session, unit: OrgUnit, session_id) -> tuple[ReceptionSession, dict, list[Petition]]:
    rec = _session_row(session, unit, session_id)
    if not rec.kind.startswith("dialogue"):
        raise ValidationError("doc_not_dialogue", field="session_id", id=rec.id)
    return rec, _session(rec), _session_petitions(session, rec)


def _dialogue_plan(session: Session, ctx: Context, unit: OrgUnit, head: Heading, *, session_id=None, **_) -> dict:
    rec, s, petitions = _dialogue_common(session, unit, session_id)
    invited = _lines(rec.invited)
    return {"session": s, "invited": invited, "petitions": [_petition_line(ctx, p) for p in petitions],
            "summary": f"Tổ chức {s['kind_label']} giữa người đứng đầu cấp ủy với nhân dân"
                       + (f": {rec.topic}" if rec.topic else ""),
            "recipients": invited or ["Các đơn vị liên quan"]}


def _invitation(session: Session, ctx: Context, unit: OrgUnit, head: Heading, *, session_id=None,
                invitee: str | None = None, **_) -> dict:
    rec, s, _petitions = _dialogue_common(session, unit, session_id)
    guest = (invitee or "").strip() or ", ".join(_lines(rec.invited)) or "Đại biểu"
    return {"session": s, "invitee": guest, "summary": f"Dự {s['kind_label']} ngày {s['date']}",
            "recipients": [guest]}


def _opinions_summary(session: Session, ctx: Context, unit: OrgUnit, head: Heading, *, session_id=None, **_) -> dict:
    rec, s, petitions = _dialogue_common(session, unit, session_id)
    groups = {}
    for p in petitions:
        groups.setdefault(p.category, []).append(p)
    categories = [{"code": c, "label": CATEGORY_LABELS.get(c, c), "count": len(ps)} for c, ps in groups.items()]
    return {"session": s, "petitions": [_petition_line(ctx, p) for p in petitions], "categories": categories,
            "summary": f"Tổng hợp các ý kiến, kiến nghị của nhân dân chuẩn bị cho {s['kind_label']} ngày {s['date']}",
            "recipients": [f"Đồng chí {rec.chair}" if rec.chair else "Đồng chí chủ trì hội nghị"]}


def _written_answer(session: Session, ctx: Context, unit: OrgUnit, head: Heading, *, petition_id=None,
                    answer: str = "", **_) -> dict:
    p = _petition(session, unit, petition_id)
    names = _names(p)
    return {"petition": _petition_full(ctx, p), "petitioner_names": names, "answer": answer,
            "answer_lines": _lines(answer), "summary": f"trả lời đơn {p.code}", "recipients": [names]}


def _escalation_report(session: Session, ctx: Context, unit: OrgUnit, head: Heading, *, petition_id=None,
                       reason: str | None = None, **_) -> dict:
    p = _petition(session, unit, petition_id)
    events = session.scalars(select(Event).where(Event.petition_id == p.id).order_by(Event.seq)).all()
    history = [f"{format_date(e.effective_on)}: {ctx.workflow.event_label(e.action)}" for e in events]
    escalated = [e for e in events if e.action == "escalate"]
    why = reason if reason is not None else (escalated[-1].data.get("reason", "") if escalated else "")
    parent = session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
    above = issuer_name(parent, heading_for(parent)) if parent is not None else "Cấp trên"
    return {"petition": _petition_full(ctx, p), "history": history, "reason": why, "recipient_above": above,
            "summary": f"Về vụ việc {p.code} đề nghị cấp trên xem xét, giải quyết", "recipients": [above]}


def _receipt_slip(session: Session, ctx: Context, unit: OrgUnit, head: Heading, *, petition_id=None,
                  tracking_url: str | None = None, **_) -> dict:
    """The receipt: code, date received, the due date of its first clock, and a QR code of
    the tracking address when there is one. Numbered by the petition's code."""
    p = _petition(session, unit, petition_id)
    full = _petition_full(ctx, p)
    first = p.clocks[0] if p.clocks else None
    url = (tracking_url or "").strip()
    return {"petition": full, "petitioner_names": _names(p), "number_text": p.code,
            "rule_days": first.rule_days if first else "", "rule_source": first.rule_source if first else "",
            "tracking_url": url, "qr_png": qr_png(url) if url else None,
            "summary": "Tiếp nhận đơn, thư của công dân", "recipients": [_names(p)]}


_BUILDERS = {
    "schedule_notice": _schedule_notice, "result_notice": _result_notice, "conclusion_notice": _conclusion_notice,
    "dialogue_plan": _dialogue_plan, "invitation": _invitation, "opinions_summary": _opinions_summary,
    "written_answer": _written_answer, "escalation_report": _escalation_report, "receipt_slip": _receipt_slip,
}


def qr_png(text: str) -> bytes:
    """A QR code of `text` as PNG bytes (the `qrcode` library, pure-Python PNG writer)."""
    import qrcode
    from qrcode.image.pure import PyPNGImage

    buf = io.BytesIO()
    qrcode.make(text, image_factory=PyPNGImage, border=2).save(buf)
    return buf.getvalue()


# -- reading -------------------------------------------------------------------------------
def _today() -> date:
    return local_date(utcnow())


def _lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    return [str(x).strip() for x in value if str(x).strip()]


def _blank_number(kind: str, head: Heading) -> str:
    """A draft's number with the digits left blank: '     -TB/ĐU', '     /TB-UBND'."""
    series = _SERIES.get(kind)
    if series is None:
        return ""
    gap = "\u00a0" * 6
    if head.fmt == "party":
        return f"{gap}-{series}/{head.issuer_abbr}"
    return f"{gap}/{head.issuer_abbr}" if series == "CV" else f"{gap}/{series}-{head.issuer_abbr}"


def _period(period: str) -> tuple[date, date, str]:
    try:
        if len(period) == 4:
            y = int(period)
            return date(y, 1, 1), date(y + 1, 1, 1), f"năm {y}"
        y, m = (int(x) for x in period.split("-"))
        start = date(y, m, 1)
    except (ValueError, TypeError):
        raise ValidationError("doc_bad_period", field="period", value=period) from None
    end = date(y + (m == 12), m % 12 + 1, 1)
    return start, end, f"tháng {m} năm {y}"


def _session(rec: ReceptionSession) -> dict:
    t = ""
    if rec.starts_at:
        t = rec.starts_at.strftime("%Hh%M") + (f"–{rec.ends_at.strftime('%Hh%M')}" if rec.ends_at else "")
    return {"id": rec.id, "date": format_date(rec.held_on), "weekday": WEEKDAYS[rec.held_on.weekday()],
            "time": t, "place": rec.place or "", "chair": rec.chair or "", "topic": rec.topic or "",
            "kind": rec.kind, "kind_label": SESSION_PHRASES.get(rec.kind, rec.kind), "status": rec.status,
            "people": rec.people, "groups": rec.groups, "refused": rec.refused}


def _session_row(session: Session, unit: OrgUnit, session_id) -> ReceptionSession:
    rec = session.get(ReceptionSession, _int(session_id, "session_id")) if session_id is not None else None
    if rec is None or rec.unit_id != unit.id:
        raise NotFound("doc_unknown_session", field="session_id", id=session_id)
    return rec


def _held_session(session: Session, unit: OrgUnit, session_id) -> ReceptionSession:
    rec = _session_row(session, unit, session_id)
    if rec.status != "held":
        raise ValidationError("doc_session_not_held", field="session_id", id=rec.id, date=format_date(rec.held_on))
    return rec


def _session_petitions(session: Session, rec: ReceptionSession) -> list[Petition]:
    return list(session.scalars(select(Petition).where(Petition.session_id == rec.id).order_by(Petition.id)))


def _petition(session: Session, unit: OrgUnit, petition_id) -> Petition:
    p = session.get(Petition, _int(petition_id, "petition_id")) if petition_id is not None else None
    # A department drafts the written answer of a petition assigned to it (it never receives any).
    if p is None or (p.unit_id not in _unit_and_departments(session, unit) and p.department_id != unit.id):
        raise NotFound("doc_unknown_petition", field="petition_id", id=petition_id)
    return p


def _item_petition(rec: ReceptionSession, raw: dict, index: dict) -> Petition:
    """An item of the notice among the session's petitions (`index` by ("id", n) and ("code", s))."""
    if raw.get("petition_id") is not None:
        p = index.get(("id", _int(raw["petition_id"], "petition_id")))
    else:
        p = index.get(("code", str(raw.get("code") or "")))
    ref = raw.get("petition_id", raw.get("code"))
    if p is None or p.session_id != rec.id:
        raise NotFound("doc_item_not_in_session", field="items", ref=ref, id=rec.id)
    if p.state not in OPEN_FOR_CONCLUSION:
        raise ValidationError("doc_item_not_open", field="items", code=p.code, state=p.state)
    return p


def _department(session: Session, unit: OrgUnit, department_id, own: dict[int, OrgUnit]) -> OrgUnit | None:
    """A department of `unit` (`own`: the unit and its departments by id)."""
    if department_id in (None, ""):
        return None
    dept = own.get(_int(department_id, "department_id"))
    if dept is None:
        raise NotFound("doc_unknown_department", field="department_id", id=department_id)
    return dept


def _unit_and_departments(session: Session, unit: OrgUnit) -> set[int]:
    ids = set(session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id == unit.id, OrgUnit.level == "department")))
    return ids | {unit.id}


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError("bad_int", field=field, value=value) from None


def _clock_started_by(action: str, ctx: Context) -> str:
    started = ctx.workflow.actions[action].start
    return started[0] if started else "resolution"


def _rule(session: Session, ctx: Context, unit: OrgUnit, clock: str, day: date):
    chain = [u.code for u in ancestors(session, unit)]
    return ctx.params.rule_for(clock, day, chain)


def _conclude_due(session: Session, ctx: Context, p: Petition, day: date):
    rule = _rule(session, ctx, p.unit, _clock_started_by("conclude", ctx), day)
    return rule, compute_due(ctx.cal, day, rule)


def _petition_line(ctx: Context, p: Petition) -> dict:
    return {"id": p.id, "code": p.code, "summary": p.summary, "category": CATEGORY_LABELS.get(p.category, p.category),
            "state": ctx.workflow.state_label(p.state), "department": p.department.name if p.department else ""}


def _petition_full(ctx: Context, p: Petition) -> dict:
    first = p.clocks[0] if p.clocks else None
    return {**_petition_line(ctx, p), "received_on": format_date(p.received_on),
            "due_date": format_date(first.due_date) if first else "", "unit": p.unit.name}


def _names(p: Petition) -> str:
    return ", ".join(x.name for x in p.petitioners) or "Công dân"

