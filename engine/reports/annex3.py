"""Phụ lục 3 — "Kết quả kiểm tra, giám sát người đứng đầu cấp ủy trong việc tiếp dân, đối
thoại trực tiếp với dân và xử lý những phản ánh, kiến nghị của dân", from the inspections
and supervisions auditors record (engine/services/annex_records.py).

====  ==================  ==============================================================
row   key                 counted as
====  ==================  ==============================================================
1     checks_planned      inspections + supervisions in the programme / plan
1     checks_adhoc        inspections + supervisions ad hoc (đột xuất)
2     bodies_inspected    Σ bodies of the inspections
3     bodies_supervised   Σ bodies of the supervisions
4     heads_disciplined   Σ heads in violation, disciplined
4     heads_violating     Σ heads in violation, not to the level of discipline
====  ==================  ==============================================================

Scope: the records of the unit and the units below it, dated in the period (both ends).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.persistence.models import Inspection
from engine.reports.levels import layout
from engine.reports.periods import check_range
from engine.services.annex_records import list_inspections
from engine.services.common import unit_by_code

TITLE = ("PHỤ LỤC 3 — Kết quả kiểm tra, giám sát người đứng đầu cấp ủy trong việc tiếp dân, đối thoại trực tiếp "
         "với dân và xử lý những phản ánh, kiến nghị của dân",
         "Annex 3 — Inspections and supervisions of the heads of party committees on citizen reception, dialogue "
         "and handling of petitions")
_G1 = ("Số cuộc kiểm tra, giám sát", "Inspections and supervisions")
_G4 = ("Số người đứng đầu cấp ủy vi phạm trong việc tiếp dân, đối thoại trực tiếp với dân và xử lý những phản ánh, "
       "kiến nghị của dân", "Heads of party committees found in violation")
ROWS = (  # (key, stt, group, label)
    ("checks_planned", "1", _G1, ("Theo chương trình, kế hoạch", "In the programme / plan")),
    ("checks_adhoc", "1", _G1, ("Đột xuất", "Ad hoc")),
    ("bodies_inspected", "2", ("Số cơ quan, tổ chức, đơn vị được kiểm tra", "Bodies inspected"), ("", "")),
    ("bodies_supervised", "3", ("Số cơ quan, tổ chức, đơn vị được giám sát", "Bodies supervised"), ("", "")),
    ("heads_disciplined", "4", _G4, ("Vi phạm đến mức bị xử lý kỷ luật", "To the level of discipline")),
    ("heads_violating", "4", _G4, ("Vi phạm nhưng chưa đến mức bị xử lý", "Not to the level of discipline")),
)
KEYS = tuple(r[0] for r in ROWS)


@dataclass
class Annex3:
    unit: str
    unit_name: str
    date_from: date
    date_to: date
    figures: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.figures[key]

    def to_dict(self) -> dict:
        return {"unit": self.unit, "unit_name": self.unit_name, "from": self.date_from.isoformat(),
                "to": self.date_to.isoformat(), **self.figures}


def annex3(session: Session, unit_code: str, date_from, date_to, *, scope: str = "subtree") -> Annex3:
    unit = unit_by_code(session, unit_code)
    start, end = check_range(date_from, date_to)
    ids = sorted(layout(session, unit, start, end, scope=scope).units)
    i = Inspection
    row = session.execute(select(
        func.sum(case((i.planned.is_(True), 1), else_=0)), func.sum(case((i.planned.is_(False), 1), else_=0)),
        func.sum(case((i.kind == "inspection", i.bodies), else_=0)),
        func.sum(case((i.kind == "supervision", i.bodies), else_=0)),
        func.sum(i.heads_disciplined), func.sum(i.heads_violating))
        .where(i.unit_id.in_(ids), i.held_on >= start, i.held_on <= end)).one()
    return Annex3(unit.code, unit.name, start, end, dict(zip(KEYS, (int(x or 0) for x in row))))


def annex3_items(session: Session, unit_code: str, date_from, date_to, *, scope: str = "subtree") -> list[dict]:
    unit = unit_by_code(session, unit_code)
    start, end = check_range(date_from, date_to)
    return list_inspections(session, layout(session, unit, start, end, scope=scope).units, start, end)


def annex3_table(a: Annex3, lang: str = "vi") -> tuple[list[str], list[list]]:
    pick = (lambda pair: pair[1] if lang == "en" else pair[0])
    headers = ["STT", pick(("Nội dung", "Item")), pick(("Chi tiết", "Detail")), pick(("Số cuộc", "Number")),
               pick(("Ghi chú", "Note"))]
    return headers, [[stt, pick(g), pick(label), a[key], ""] for key, stt, g, label in ROWS]
