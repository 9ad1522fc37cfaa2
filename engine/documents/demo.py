"""Documents of the demo (issue 15), so the register is not empty: Kỳ Thượng's reception
schedule notice and the result notice of its last held reception (issued), a receipt slip
(issued), an invitation produced elsewhere (registered from a PDF), and a conclusion notice
left as a draft — a draft concludes nothing, so the demo's petitions and the figures other
pages show stay as the petitions' loader made them."""
from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_date
from engine.documents import register as R
from engine.persistence.models import OrgUnit, Petition, ReceptionSession, User
from engine.services.petitions import Context

UNIT = "KYTHUONG"
CLERK = "vanthu"


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter
    w = PdfWriter()
    w.add_blank_page(width=595, height=842)  # A4 in points
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def load_demo_documents(session: Session, ctx: Context) -> int:
    """Make the demo's documents; returns how many. Does nothing when the unit is missing."""
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == UNIT))
    clerk = session.scalar(select(User).where(User.username == CLERK))
    if unit is None or clerk is None:
        return 0
    today = local_date(ctx.instant())
    made = 0
    doc = R.draft(session, ctx, clerk, "schedule_notice", period=today.strftime("%Y-%m"))
    R.issue(session, ctx, clerk, doc)
    made += 1
    held = list(session.scalars(select(ReceptionSession).where(
        ReceptionSession.unit_id == unit.id, ReceptionSession.status == "held",
        ReceptionSession.held_on < today).order_by(ReceptionSession.held_on.desc(), ReceptionSession.id.desc())))
    reception = next((r for r in held if r.kind.startswith("reception")), None)
    if reception is not None:
        doc = R.draft(session, ctx, clerk, "result_notice", session_id=reception.id)
        R.issue(session, ctx, clerk, doc, on=today)
        made += 1
    petition = session.scalar(select(Petition).where(Petition.unit_id == unit.id, Petition.kind != "denunciation")
                              .order_by(Petition.received_on.desc(), Petition.id.desc()).limit(1))
    if petition is not None:
        doc = R.draft(session, ctx, clerk, "receipt_slip", petition_id=petition.id)
        R.issue(session, ctx, clerk, doc)
        made += 1
    R.register_upload(session, ctx, clerk, data=_blank_pdf(), file_name="giay-moi-doi-thoai.pdf",
                      doc_type="invitation", summary="Giấy mời dự hội nghị đối thoại với Nhân dân",
                      signer_name=_leader_name(session, unit), signer_title="Bí thư",
                      recipients="Các chi bộ thôn\nMặt trận Tổ quốc xã")
    made += 1
    for rec in held:
        open_items = list(session.scalars(select(Petition).where(Petition.session_id == rec.id,
                                                                 Petition.state == "received")))
        if open_items:
            depts = list(session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id,
                                                               OrgUnit.level == "department").order_by(OrgUnit.code)))
            items = [{"petition_id": p.id, "department_id": depts[i % len(depts)].id if depts else None,
                      "direction": "Kiểm tra, xác minh và trả lời công dân bằng văn bản"}
                     for i, p in enumerate(open_items)]
            R.draft(session, ctx, clerk, "conclusion_notice", session_id=rec.id, items=items,
                    directions="Các phòng, ban được giao khẩn trương giải quyết, báo cáo kết quả")
            made += 1
            break
    return made


def _leader_name(session: Session, unit: OrgUnit) -> str:
    """The unit's leader signs (a staff name of the demo, never a petitioner's)."""
    leader = session.scalar(select(User).where(User.unit_id == unit.id, User.role == "leader").order_by(User.id))
    return leader.full_name if leader is not None else ""
