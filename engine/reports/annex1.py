"""Phụ lục 1 — "Công tác lãnh đạo, chỉ đạo việc phổ biến, quán triệt thực hiện Quy định số
11-QĐi/TW": documents issued to lead and direct (by type), conferences and training sessions
held, cadres and members taking part, materials handed out (Kỳ Thượng 2019–2023: 05 kế
hoạch, 46 thông báo, 02 quyết định; 03 hội nghị; 188 người tham gia).

Conferences and training sessions are the office's own records (``outreach_activities``,
engine/services/annex_records.py). The documents come from the register of outgoing
documents (issue 15, engine/documents/register.py) through `documents_by_type`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.documents.register import count_by_type
from engine.persistence.models import Document, OutreachActivity
from engine.reports.levels import layout
from engine.services.annex_records import list_outreach
from engine.services.common import unit_by_code
from engine.reports.periods import check_range

TITLE = ("PHỤ LỤC 1 — Công tác lãnh đạo, chỉ đạo việc phổ biến, quán triệt thực hiện Quy định số 11-QĐi/TW",
         "Annex 1 — Leading and directing the dissemination of Regulation 11-QĐi/TW")
# The register's document types (issue 15: engine.documents.register.count_by_type), in the
# order the seeds list them, with the words the seeds use.
DOC_TYPES = ("plan", "notice", "decision", "invitation", "report", "letter", "other")
DOC_TYPE_LABELS = {"plan": ("Kế hoạch", "plan"), "notice": ("Thông báo", "notice"),
                   "decision": ("Quyết định", "decision"), "invitation": ("Giấy mời", "invitation"),
                   "report": ("Báo cáo", "report"), "letter": ("Công văn", "letter"), "other": ("Văn bản khác", "other")}
KEYS = ("documents", "conferences", "trainings", "meetings", "participants", "materials")
KEY_LABELS = {
    "documents": ("Số lượng văn bản ban hành để lãnh đạo, chỉ đạo triển khai, thực hiện",
                  "Documents issued to lead and direct"),
    "conferences": ("Số cuộc hội nghị", "Conferences held"),
    "trainings": ("Số lớp tập huấn", "Training sessions held"),
    "meetings": ("Số cuộc hội nghị, lớp tập huấn…", "Conferences and training sessions"),
    "participants": ("Số lượng cán bộ, đảng viên tham gia", "Cadres and members taking part"),
    "materials": ("Số lượng tài liệu, ấn phẩm được phát hành", "Materials and publications distributed"),
}


def documents_by_type(session: Session, unit_ids: list[int], start: date, end: date) -> dict[str, int] | None:
    """Documents issued by the units over the period, by type — the one place the documents
    register (issue 15) is read. Receipt slips are the desk's paperwork, not documents that
    lead and direct: Phụ lục 1 leaves them out."""
    counts = count_by_type(session, unit_ids, start, end)
    return {t: counts.get(t, 0) for t in DOC_TYPES}


def documents_register(session: Session, unit_ids: list[int], start: date, end: date) -> list[dict] | None:
    """The documents themselves, for the review's "Biểu tổng hợp": dicts with number, issuer
    (the issuing unit's name), summary and issued_on (a date), in date order (receipt slips
    left out, as in `documents_by_type`)."""
    rows = session.scalars(select(Document).where(Document.status.in_(("issued", "registered")),
                                                  Document.doc_type.in_(DOC_TYPES),
                                                  Document.issued_on >= start, Document.issued_on <= end,
                                                  Document.unit_id.in_(list(unit_ids)))
                           .order_by(Document.issued_on, Document.id))
    return [{"number": d.number_text or "", "issuer": d.unit.name, "summary": d.summary, "issued_on": d.issued_on}
            for d in rows]


@dataclass
class Annex1:
    unit: str
    unit_name: str
    date_from: date
    date_to: date
    documents: dict[str, int] = field(default_factory=dict)   # doc type -> count
    documents_available: bool = False
    figures: dict[str, int] = field(default_factory=dict)    # KEYS -> n

    def __getitem__(self, key: str) -> int:
        return self.figures[key]

    def documents_text(self, lang: str = "vi") -> str:
        """As the seed writes them: "05 Kế hoạch, 46 Thông báo, 02 Quyết định"."""
        parts = [f"{n:02d} {DOC_TYPE_LABELS[t][1 if lang == 'en' else 0]}" for t in DOC_TYPES
                 if (n := self.documents.get(t, 0))]
        return ", ".join(parts)

    def to_dict(self) -> dict:
        return {"unit": self.unit, "unit_name": self.unit_name, "from": self.date_from.isoformat(),
                "to": self.date_to.isoformat(), "documents_by_type": dict(self.documents),
                "documents_available": self.documents_available, **self.figures}


def annex1(session: Session, unit_code: str, date_from, date_to, *, scope: str = "subtree") -> Annex1:
    unit = unit_by_code(session, unit_code)
    start, end = check_range(date_from, date_to)
    ids = sorted(layout(session, unit, start, end, scope=scope).units)
    docs = documents_by_type(session, ids, start, end)
    O = OutreachActivity
    row = session.execute(select(func.sum(case((O.kind == "conference", 1), else_=0)),
                                 func.sum(case((O.kind == "training", 1), else_=0)),
                                 func.sum(O.participants), func.sum(O.materials))
                          .where(O.unit_id.in_(ids), O.held_on >= start, O.held_on <= end)).one()
    conferences, trainings, participants, materials = (int(x or 0) for x in row)
    figures = {"documents": sum((docs or {}).values()), "conferences": conferences, "trainings": trainings,
               "meetings": conferences + trainings, "participants": participants, "materials": materials}
    return Annex1(unit.code, unit.name, start, end, {t: n for t, n in (docs or {}).items() if n}, docs is not None,
                  figures)


def annex1_items(session: Session, unit_code: str, date_from, date_to, *, scope: str = "subtree") -> list[dict]:
    """The conferences and training sessions behind the figures (drill-down)."""
    unit = unit_by_code(session, unit_code)
    start, end = check_range(date_from, date_to)
    return list_outreach(session, layout(session, unit, start, end, scope=scope).units, start, end)


def annex1_table(a: Annex1, lang: str = "vi") -> tuple[list[str], list[list]]:
    """The seed's one-row table: documents (by type), meetings, participants, materials."""
    pick = (lambda pair: pair[1] if lang == "en" else pair[0])
    headers = [pick(KEY_LABELS[k]) for k in ("documents", "meetings", "participants", "materials")]
    docs = a.documents_text(lang) or ("—" if a.documents_available else pick(
        ("(chưa có sổ văn bản)", "(no documents register)")))
    docs_cell = f"{a['documents']:02d}: {docs}" if a["documents"] else docs
    return headers, [[docs_cell, f"{a['meetings']:02d}", a["participants"], a["materials"]]]
