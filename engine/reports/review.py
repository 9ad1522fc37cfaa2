"""The drafted review (issue 16): a Word file in the seeds' structure the office edits.

I. Đặc điểm tình hình — headings only (the unit writes them);
II. Kết quả thực hiện — every figure the data supports, written as the seeds write them
    ("Đã tổ chức 46 cuộc tiếp dân định kỳ với 107 lượt người …"), per level;
III. Tồn tại, hạn chế và nguyên nhân; IV. Nhiệm vụ, giải pháp — headings only;
then Phụ lục 1, 2 and 3 as tables, the register of documents as the seed's "Biểu tổng hợp",
and "Nguồn số liệu": each figure with the admin address of the list that makes it up, so
every number in the draft can be traced.

`review_docx(session, unit_code, date_from, date_to, link_base="")` -> bytes (python-docx).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_date, utcnow
from engine.reports.annex1 import TITLE as ANNEX1_TITLE
from engine.reports.annex1 import annex1, annex1_table, documents_register
from engine.reports.annex3 import TITLE as ANNEX3_TITLE
from engine.reports.annex3 import annex3, annex3_table
from engine.reports.appendix2 import LINES, TITLE as ANNEX2_TITLE, party_heading
from engine.reports.compliance import compliance_report, obligation_label
from engine.reports.figures import LEVEL_NAMES, Figures, n2, text_figures
from engine.services.common import unit_by_code

REGULATION = ("Quy định số 11-QĐi/TW ngày 18/02/2019 của Bộ Chính trị về trách nhiệm của người đứng đầu cấp ủy "
              "trong việc tiếp dân, đối thoại trực tiếp với dân và xử lý những phản ánh, kiến nghị của dân")
FILL_IN = "(Đơn vị bổ sung nội dung.)"


@dataclass
class Source:
    text: str          # what the figure is
    value: str         # as written in the draft
    path: str          # the admin page listing what it counts


@dataclass
class Review:
    unit: str
    unit_name: str
    date_from: date
    date_to: date
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # (style, text)
    sources: list[Source] = field(default_factory=list)


def _link(path: str, **args) -> str:
    return f"{path}?{urlencode({k: v for k, v in args.items() if v is not None})}"


def _level_sources(f: Figures, column: str, base: dict) -> list[Source]:
    a, out = f.annex, []
    for key in ("receptions_periodic", "people_periodic", "receptions_adhoc", "people_adhoc", "groups", "dialogues",
                "dialogues_periodic", "dialogues_adhoc", "dialogues_thematic", "opinions_raised",
                "answered_at_meeting", "resolved_after_meeting"):
        if a[key][column]:
            line = next(x for x in LINES if x.key == key)
            label = f"{line.group[0]} — {line.label[0]}" if line.label[0] else line.group[0]
            out.append(Source(f"{LEVEL_NAMES[column][0]}: {label}", n2(a[key][column]),
                              _link("/reports/appendix2/items", **base, key=key, column=column)))
    lv = f.level(column)
    if lv["notices_needed"] or lv["notices_not_needed"]:
        for fig, label in (("needed", "Số trường hợp cần thông báo kết luận"),
                           ("met_on_time", "Thông báo kết luận đúng hạn"),
                           ("answered_at_meeting", "Đã trả lời tại buổi tiếp, không cần thông báo")):
            value = {"needed": lv["notices_needed"], "met_on_time": lv["notices_on_time"],
                     "answered_at_meeting": lv["notices_not_needed"]}[fig]
            out.append(Source(f"{LEVEL_NAMES[column][0]}: {label}", n2(value),
                              _link("/reports/notices/items", **base, figure=fig, column=column)))
    return out


def build_review(session: Session, unit_code: str, date_from, date_to) -> tuple[Review, dict]:
    unit = unit_by_code(session, unit_code)
    f = text_figures(session, unit_code, date_from, date_to)
    one = annex1(session, unit_code, date_from, date_to)
    three = annex3(session, unit_code, date_from, date_to)
    comp = compliance_report(session, unit_code, f.date_from, f.date_to, as_of=min(f.date_to, local_date(utcnow())))
    r = Review(unit.code, unit.name, f.date_from, f.date_to)
    base = {"unit": unit.code, "period": "custom", "from": f.date_from.isoformat(), "to": f.date_to.isoformat()}
    P = r.paragraphs.append

    P(("h1", "I. ĐẶC ĐIỂM TÌNH HÌNH"))
    P(("fill", "Đặc điểm địa bàn, dân số, tổ chức đảng; thuận lợi, khó khăn. " + FILL_IN))
    P(("h1", "II. KẾT QUẢ THỰC HIỆN"))
    P(("h2", "1. Công tác lãnh đạo, chỉ đạo, quán triệt, phổ biến Quy định số 11-QĐi/TW"))
    if one.documents_available and one["documents"]:
        P(("p", f"Đã ban hành {n2(one['documents'])} văn bản lãnh đạo, chỉ đạo, trong đó: "
                f"{one.documents_text().lower()} (Biểu tổng hợp kèm theo)."))
    elif not one.documents_available:
        P(("fill", "Văn bản lãnh đạo, chỉ đạo đã ban hành: chưa có sổ văn bản trong hệ thống. " + FILL_IN))
    if one["meetings"]:
        s = f"Tổ chức {n2(one['meetings'])} hội nghị, lớp tập huấn với {n2(one['participants'])} lượt cán bộ, đảng viên tham gia"
        if one["materials"]:
            s += f"; phát hành {n2(one['materials'])} tài liệu, ấn phẩm"
        P(("p", s + "."))
        r.sources.append(Source("Số cuộc hội nghị, lớp tập huấn", n2(one["meetings"]),
                                _link("/reports/annexes/outreach", **base)))
    P(("h2", "2. Kết quả tiếp dân, đối thoại trực tiếp với dân và xử lý phản ánh, kiến nghị"))
    lv = f.level("total")
    P(("p", f"Tổng số cuộc tiếp xúc, đối thoại của người đứng đầu cấp ủy, chính quyền: "
            f"{n2(lv['all_chairs_dialogues'])} cuộc đối thoại; {n2(lv['all_chairs_receptions'])} cuộc tiếp công dân. "
            f"Trong đó người đứng đầu cấp ủy tổ chức {n2(lv['dialogues'])} cuộc đối thoại, "
            f"{n2(lv['receptions'])} cuộc tiếp công dân."))
    levels = [c for c in reversed(f.columns) if c != "total"]  # the seeds go from the top level down
    for i, column in enumerate(levels, 1):
        sentences = f.sentences(column)
        if not sentences:
            continue
        P(("h3", f"2.{i}. {LEVEL_NAMES[column][0]}"))
        for s in sentences:
            P(("p", s))
        r.sources.extend(_level_sources(f, column, base))
    P(("h2", "3. Công tác kiểm tra, giám sát"))
    checks = three["checks_planned"] + three["checks_adhoc"]
    if checks:
        P(("p", f"Đã tổ chức {n2(checks)} cuộc kiểm tra, giám sát ({n2(three['checks_planned'])} cuộc theo chương trình, "
                f"kế hoạch; {n2(three['checks_adhoc'])} cuộc đột xuất); kiểm tra {n2(three['bodies_inspected'])}, "
                f"giám sát {n2(three['bodies_supervised'])} cơ quan, tổ chức, đơn vị. Số người đứng đầu cấp ủy vi phạm: "
                f"{n2(three['heads_disciplined'])} đến mức bị xử lý kỷ luật, {n2(three['heads_violating'])} chưa đến mức "
                f"bị xử lý."))
        r.sources.append(Source("Số cuộc kiểm tra, giám sát", n2(checks), _link("/reports/annexes/inspections", **base)))
    else:
        P(("fill", "Chưa có cuộc kiểm tra, giám sát nào được ghi nhận trong kỳ. " + FILL_IN))
    if comp.totals:
        P(("h2", "4. Việc thực hiện lịch tiếp dân, đối thoại định kỳ theo quy định"))
        for t in comp.totals:
            P(("p", f"{obligation_label(t.obligation)}: phải tổ chức {n2(t.required)}, đã tổ chức {n2(t.held)}"
                    + (f", còn thiếu {n2(t.shortfall)}" if t.shortfall else ", đảm bảo đủ theo quy định") + "."))
            r.sources.append(Source(f"{obligation_label(t.obligation)}: đã tổ chức", n2(t.held),
                                    _link("/reports/compliance/items", **base, obligation=t.obligation,
                                          figure="held")))
    P(("h1", "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN"))
    P(("h2", "1. Tồn tại, hạn chế"))
    P(("fill", FILL_IN))
    P(("h2", "2. Nguyên nhân"))
    P(("fill", FILL_IN))
    P(("h1", "IV. NHIỆM VỤ, GIẢI PHÁP"))
    P(("fill", FILL_IN))
    for key in ("receptions_periodic", "people_periodic", "resolved_no_further", "in_progress", "directed"):
        if f.annex[key]["total"]:
            r.sources.append(Source(f"Phụ lục 2 — {key}", n2(f.annex[key]["total"]),
                                    _link("/reports/appendix2/items", **base, key=key, column="total")))
    return r, {"figures": f, "annex1": one, "annex3": three, "compliance": comp}


# -- Word ------------------------------------------------------------------------------------------------
def _table(doc, headers: list[str], rows: list[list], widths: list[float] | None = None):
    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for j, h in enumerate(headers):
        cell = t.rows[0].cells[j]
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(h))
        run.bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        cells = t.add_row().cells
        for j, v in enumerate(row):
            cells[j].text = "" if v is None else (n2(v) if isinstance(v, int) else str(v))
            if isinstance(v, int):
                cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if widths:  # the grid's column widths (per-cell widths cost a walk of the table per cell)
        for j, w in enumerate(widths):
            t.columns[j].width = Cm(w)
    return t


def _centered(doc, text: str, bold: bool = False, italic: bool = False, size: int | None = None):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return p


def review_docx(session: Session, unit_code: str, date_from, date_to, link_base: str = "") -> bytes:
    r, parts = build_review(session, unit_code, date_from, date_to)
    f, one, three = parts["figures"], parts["annex1"], parts["annex3"]
    unit = unit_by_code(session, unit_code)
    head = party_heading(unit.name, unit.level, unit.parent.name if unit.parent else None, local_date(utcnow()))
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Cm(3), Cm(2), Cm(2), Cm(2)

    top = doc.add_table(rows=1, cols=2)
    left, right = top.rows[0].cells
    left.text = ""
    if head["above"]:
        left.paragraphs[0].add_run(head["above"])
    left.add_paragraph().add_run(head["committee"]).bold = True
    left.add_paragraph("*")
    right.text = ""
    right.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM").bold = True
    right.add_paragraph().add_run(head["place_date"]).italic = True
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    _centered(doc, "BÁO CÁO", bold=True, size=14)
    _centered(doc, f"Sơ kết việc thực hiện {REGULATION}", bold=True)
    _centered(doc, f"(từ ngày {r.date_from:%d/%m/%Y} đến ngày {r.date_to:%d/%m/%Y})", italic=True)
    _centered(doc, "-----")
    for kind, text in r.paragraphs:
        if kind == "h1":
            doc.add_paragraph().add_run(text).bold = True
        elif kind in ("h2", "h3"):
            run = doc.add_paragraph().add_run(text)
            run.bold, run.italic = True, kind == "h3"
        elif kind == "fill":
            doc.add_paragraph().add_run(text).italic = True
        else:
            p = doc.add_paragraph(text)
            p.paragraph_format.first_line_indent = Cm(1)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    sign = doc.add_table(rows=1, cols=2)
    sign.rows[0].cells[0].text = "Nơi nhận:\n- …;\n- Lưu: VP."
    cell = sign.rows[0].cells[1]
    cell.text = ""
    cell.paragraphs[0].add_run(head["signing_for"]).bold = True
    cell.add_paragraph().add_run(head["position"]).bold = True
    for p in cell.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # -- the annexes
    def annex_title(title: tuple[str, str]):
        doc.add_page_break()
        number, rest = title[0].split(" — ", 1)
        _centered(doc, number, bold=True)
        _centered(doc, rest, bold=True)
        _centered(doc, "-----")

    annex_title(ANNEX1_TITLE)
    headers, rows = annex1_table(one)
    _table(doc, headers, rows)
    annex_title(ANNEX2_TITLE)
    a = f.annex
    headers = ["STT", "Nội dung", "Chi tiết", *(a.column_label(c) for c in a.columns)]
    rows = [[line.stt, line.group[0], line.label[0], *(a[line.key][c] for c in a.columns)]
            for line in LINES if not line.informative]
    _table(doc, headers, rows, [1.0, 5.0, 6.0] + [1.8] * len(a.columns))
    annex_title(ANNEX3_TITLE)
    headers, rows = annex3_table(three)
    _table(doc, headers, rows, [1.0, 5.0, 6.0, 2.0, 2.0])

    register = documents_register(session, sorted(f.annex_layout_ids), r.date_from, r.date_to)
    doc.add_page_break()
    _centered(doc, "BIỂU TỔNG HỢP", bold=True)
    _centered(doc, "Các văn bản lãnh đạo, chỉ đạo triển khai thực hiện Quy định số 11-QĐi/TW", bold=True)
    if register is None:
        doc.add_paragraph().add_run("Chưa có sổ văn bản trong hệ thống: đơn vị bổ sung biểu này.").italic = True
    else:
        _table(doc, ["STT", "Số hiệu", "Cơ quan ban hành", "Trích yếu", "Ngày ban hành"],
               [[i, d["number"], d["issuer"], d["summary"], d["issued_on"].strftime("%d/%m/%Y")]
                for i, d in enumerate(register, 1)], [1.0, 2.6, 3.0, 7.4, 2.4])

    # -- where each figure comes from
    doc.add_page_break()
    _centered(doc, "NGUỒN SỐ LIỆU (xóa trang này trước khi ban hành)", bold=True)
    _table(doc, ["Số liệu", "Giá trị", "Danh sách chi tiết trong hệ thống"],
           [[s.text, s.value, link_base + s.path] for s in r.sources], [6.0, 2.0, 8.0])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
