"""The shipped templates: one DOCX per kind of document and format, built by code with
python-docx (no binary file in git) as docxtpl templates (Jinja tags in the text).

The page follows the rules of each format (`LAYOUTS`, each measure with its source):
A4, the margins of NĐ 30/2020/NĐ-CP Phụ lục I (Hướng dẫn 36-HD/VPTW sets the same ranges),
Times New Roman; state documents carry the Quốc hiệu and Tiêu ngữ, party documents
"ĐẢNG CỘNG SẢN VIỆT NAM" at the top right; the place-and-date line is in italics; a signing
block and "Nơi nhận" close the document. An office downloads one of these, finishes it in
Word and uploads it back for its unit (`engine.documents.placeholders.check_template`).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"


@dataclass(frozen=True)
class Layout:
    """The measures of a format. Margins in millimetres, sizes in points."""
    fmt: str
    source: str
    effective_from: date
    top: float
    bottom: float
    left: float
    right: float
    body_pt: float          # the text of the document
    heading_pt: float       # the issuing body, the number
    banner_pt: float        # "ĐẢNG CỘNG SẢN VIỆT NAM" / the Quốc hiệu
    motto_pt: float         # the Tiêu ngữ (state)
    recipients_pt: float    # the list under "Nơi nhận"
    # The ranges the rule allows, for the tests and for a unit's own template.
    margin_ranges: tuple[tuple[float, float], ...] = ((20, 25), (20, 25), (30, 35), (15, 20))
    body_range: tuple[float, float] = (13, 14)


LAYOUTS = {
    # NĐ 30/2020/NĐ-CP (in force 05/3/2020), Phụ lục I: A4; margins top and bottom 20–25 mm,
    # left 30–35 mm, right 15–20 mm; Times New Roman (TCVN 6909:2001); body 13–14 pt;
    # Quốc hiệu 12–13 pt bold, Tiêu ngữ 13–14 pt bold; "Nơi nhận" list 11 pt.
    "state": Layout("state", "Nghị định 30/2020/NĐ-CP, Phụ lục I", date(2020, 3, 5),
                    top=20, bottom=20, left=30, right=15, body_pt=14, heading_pt=13, banner_pt=12,
                    motto_pt=13, recipients_pt=11),
    # Hướng dẫn 36-HD/VPTW (03/4/2018): A4, the same margin ranges, Times New Roman 13–14 pt;
    # "ĐẢNG CỘNG SẢN VIỆT NAM" 15 pt bold capitals at the top right.
    "party": Layout("party", "Hướng dẫn 36-HD/VPTW", date(2018, 4, 3),
                    top=20, bottom=20, left=30, right=15, body_pt=14, heading_pt=14, banner_pt=15,
                    motto_pt=14, recipients_pt=12),
}

# The name of the genre printed as the title, per kind (a letter has none: "V/v …" says it).
TITLES = {
    "schedule_notice": "THÔNG BÁO", "result_notice": "THÔNG BÁO", "conclusion_notice": "THÔNG BÁO",
    "dialogue_plan": "KẾ HOẠCH", "invitation": "GIẤY MỜI", "opinions_summary": "BÁO CÁO",
    "written_answer": "", "escalation_report": "BÁO CÁO", "receipt_slip": "GIẤY BIÊN NHẬN",
}

_SESSION_LINE = ("Ngày {{ session.date }}, tại {{ session.place }}, đồng chí {{ session.chair }} đã chủ trì "
                 "{{ session.kind_label }}.")

# The body of each kind: ("p", text) a paragraph; ("lines", loop, text) one paragraph per
# element; ("table", loop, [(header, cell, width mm)]) a table with one row per element;
# ("h", text) a bold paragraph (a section heading); ("img", text) a centred image paragraph.
BODIES: dict[str, list[tuple]] = {
    "schedule_notice": [
        ("p", "Thực hiện Quy định số 11-QĐi/TW ngày 18/02/2019 của Bộ Chính trị về trách nhiệm của người đứng đầu "
              "cấp ủy trong việc tiếp dân, đối thoại trực tiếp với dân và xử lý những phản ánh, kiến nghị của dân, "
              "{{ issuer_name }} thông báo lịch tiếp công dân {{ period_label }} như sau:"),
        ("table", "session in sessions", [("STT", "{{ loop.index }}", 14), ("Ngày", "{{ session.weekday }} {{ session.date }}", 32),
                                         ("Thời gian", "{{ session.time }}", 24), ("Địa điểm", "{{ session.place }}", 34),
                                         ("Người chủ trì", "{{ session.chair }}", 30), ("Nội dung", "{{ session.topic }}", 31)]),
        ("p", "{{ issuer_name }} thông báo để cán bộ, đảng viên và nhân dân biết, thực hiện./."),
    ],
    "result_notice": [
        ("p", _SESSION_LINE),
        ("p", "Số lượt người đến: {{ session.people }}; số đoàn đông người: {{ session.groups }}; "
              "số vụ việc tiếp nhận: {{ petitions|length }}."),
        ("table", "petition in petitions", [("STT", "{{ loop.index }}", 14), ("Mã đơn", "{{ petition.code }}", 33),
                                           ("Nội dung", "{{ petition.summary }}", 60), ("Lĩnh vực", "{{ petition.category }}", 28),
                                           ("Kết quả", "{{ petition.state }}", 30)]),
        ("p", "{{ issuer_name }} thông báo kết quả tiếp công dân để nhân dân được biết./."),
    ],
    "conclusion_notice": [
        ("p", _SESSION_LINE),
        ("p", "Sau khi nghe ý kiến, kiến nghị của công dân và ý kiến của các đơn vị liên quan, "
              "đồng chí chủ trì kết luận như sau:"),
        ("lines", "line in direction_lines", "{{ line }}"),
        ("table", "item in items", [("STT", "{{ loop.index }}", 14), ("Mã đơn", "{{ item.code }}", 30),
                                   ("Nội dung", "{{ item.summary }}", 38), ("Đơn vị chịu trách nhiệm", "{{ item.department }}", 30),
                                   ("Thời hạn", "{{ item.due_date }}", 26), ("Ý kiến chỉ đạo", "{{ item.direction }}", 27)]),
        ("p", "Các đơn vị được giao có trách nhiệm giải quyết, trả lời bằng văn bản cho công dân trong thời hạn nêu trên "
              "({{ rule_days }} ngày làm việc, theo {{ rule_source }}) và báo cáo kết quả về {{ issuer_name }}./."),
    ],
    "dialogue_plan": [
        ("h", "I. MỤC ĐÍCH, YÊU CẦU"),
        ("p", "Thực hiện Quy định số 11-QĐi/TW ngày 18/02/2019 của Bộ Chính trị, {{ issuer_name }} tổ chức hội nghị "
              "đối thoại trực tiếp giữa người đứng đầu cấp ủy với nhân dân nhằm lắng nghe, tiếp thu và giải quyết "
              "kịp thời các ý kiến, kiến nghị của nhân dân."),
        ("h", "II. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN"),
        ("p", "Thời gian: {{ session.time }}, {{ session.weekday }} ngày {{ session.date }}."),
        ("p", "Địa điểm: {{ session.place }}."),
        ("p", "Chủ trì: đồng chí {{ session.chair }}."),
        ("p", "Thành phần:"),
        ("lines", "guest in invited", "- {{ guest }}"),
        ("h", "III. NỘI DUNG"),
        ("p", "{{ session.topic }}"),
        ("p", "Các ý kiến, kiến nghị đã tiếp nhận để đưa ra hội nghị: {{ petitions|length }}."),
        ("table", "petition in petitions", [("STT", "{{ loop.index }}", 14), ("Mã đơn", "{{ petition.code }}", 38),
                                           ("Nội dung", "{{ petition.summary }}", 78), ("Lĩnh vực", "{{ petition.category }}", 35)]),
        ("h", "IV. TỔ CHỨC THỰC HIỆN"),
        ("p", "Văn phòng và các đơn vị liên quan chuẩn bị nội dung, tài liệu, địa điểm; thông báo rộng rãi để nhân dân biết, tham dự./."),
    ],
    "invitation": [
        ("p", "{{ issuer_name }} trân trọng kính mời: {{ invitee }}"),
        ("p", "Tới dự hội nghị đối thoại trực tiếp giữa người đứng đầu cấp ủy với nhân dân. Nội dung: {{ session.topic }}"),
        ("p", "Thời gian: {{ session.time }}, {{ session.weekday }} ngày {{ session.date }}."),
        ("p", "Địa điểm: {{ session.place }}."),
        ("p", "Chủ trì: đồng chí {{ session.chair }}."),
        ("p", "Rất mong được đón tiếp./."),
    ],
    "opinions_summary": [
        ("p", "Chuẩn bị cho hội nghị đối thoại ngày {{ session.date }} tại {{ session.place }}, {{ issuer_name }} "
              "tổng hợp các ý kiến, kiến nghị của nhân dân như sau:"),
        ("p", "Tổng số ý kiến, kiến nghị: {{ petitions|length }}."),
        ("lines", "group in categories", "- {{ group.label }}: {{ group.count }}"),
        ("table", "petition in petitions", [("STT", "{{ loop.index }}", 14), ("Mã đơn", "{{ petition.code }}", 38),
                                           ("Nội dung", "{{ petition.summary }}", 78), ("Lĩnh vực", "{{ petition.category }}", 35)]),
        ("p", "Trên đây là tổng hợp các ý kiến, kiến nghị của nhân dân chuẩn bị cho hội nghị đối thoại./."),
    ],
    "written_answer": [
        ("p", "Kính gửi: {{ petitioner_names }}."),
        ("p", "Ngày {{ petition.received_on }}, {{ issuer_name }} nhận được đơn (mã {{ petition.code }}) với nội dung: "
              "{{ petition.summary }}"),
        ("p", "Sau khi xem xét, {{ issuer_name }} trả lời như sau:"),
        ("lines", "line in answer_lines", "{{ line }}"),
        ("p", "{{ issuer_name }} trả lời để công dân được biết./."),
    ],
    "escalation_report": [
        ("p", "Kính gửi: {{ recipient_above }}."),
        ("p", "Ngày {{ petition.received_on }}, {{ issuer_name }} tiếp nhận đơn (mã {{ petition.code }}) với nội dung: "
              "{{ petition.summary }}"),
        ("p", "Quá trình xử lý:"),
        ("lines", "step in history", "- {{ step }}"),
        ("p", "Lý do đề nghị cấp trên xem xét: {{ reason }}"),
        ("p", "{{ issuer_name }} báo cáo và đề nghị {{ recipient_above }} xem xét, chỉ đạo giải quyết./."),
    ],
    "receipt_slip": [
        ("p", "{{ issuer_name }} đã nhận đơn của: {{ petitioner_names }}."),
        ("p", "Mã đơn: {{ petition.code }}."),
        ("p", "Ngày nhận: {{ petition.received_on }}."),
        ("p", "Nội dung tóm tắt: {{ petition.summary }}"),
        ("p", "Thời hạn thông báo việc xử lý đơn: {{ petition.due_date }} ({{ rule_days }} ngày làm việc, theo {{ rule_source }})."),
        ("p", "Tra cứu tình trạng đơn: {{ tracking_url }}"),
        ("img", "{{ qr_code }}"),
    ],
}

# The letter (công văn) states its summary under its number ("V/v …"), not under a title.
_SUMMARY_UNDER_NUMBER = {"written_answer"}


def kinds() -> tuple[str, ...]:
    return tuple(BODIES)


@lru_cache(maxsize=64)
def shipped_template(kind: str, fmt: str) -> bytes:
    """The shipped DOCX template of `kind` in `fmt` (party | state), as bytes."""
    if kind not in BODIES or fmt not in LAYOUTS:
        raise KeyError((kind, fmt))
    lay = LAYOUTS[fmt]
    doc = Document()
    _page(doc, lay)
    _heading(doc, lay, kind)
    _title(doc, lay, kind)
    for spec in BODIES[kind]:
        _body(doc, lay, spec)
    _closing(doc, lay, kind)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def file_name(kind: str, fmt: str) -> str:
    return f"{kind}-{fmt}.docx"


# -- building blocks ----------------------------------------------------------------------
def _page(doc, lay: Layout) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(lay.top), Mm(lay.bottom)
    sec.left_margin, sec.right_margin = Mm(lay.left), Mm(lay.right)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(lay.body_pt)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(3)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.line_spacing = 1.1


def _para(container, text: str = "", *, pt: float | None = None, bold=False, italic=False, underline=False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_mm: float = 0, space_after: float | None = None):
    p = container.add_paragraph()
    p.alignment = align
    if indent_mm:
        p.paragraph_format.first_line_indent = Mm(indent_mm)
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if pt:
            run.font.size = Pt(pt)
    return p


def _grid(doc, widths_mm: list[float], rows: int = 1, style: str | None = None):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    if style:
        table.style = doc.styles[style]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, w in zip(table.columns, widths_mm):
        col.width = Mm(w)  # the grid: LibreOffice lays a table out by it
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)  # the cells: Word does
    return table


def _cell(cell):
    """An empty cell to write into (python-docx gives each cell one empty paragraph)."""
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    return cell


def _heading(doc, lay: Layout, kind: str) -> None:
    c = WD_ALIGN_PARAGRAPH.CENTER
    table = _grid(doc, [62, 103])
    left, right = (_cell(x) for x in table.rows[0].cells)
    number = "{{ number_text }}"
    if lay.fmt == "party":
        _para(left, "{{ heading.parent_body }}", pt=lay.heading_pt, align=c, space_after=0)
        _para(left, "{{ heading.issuing_body }}", pt=lay.heading_pt, bold=True, align=c, space_after=0)
        _para(left, "*", pt=lay.heading_pt, align=c, space_after=0)
        _para(left, f"Số {number}", pt=lay.heading_pt, align=c, space_after=0)
        _para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", pt=lay.banner_pt, bold=True, underline=True, align=c, space_after=6)
    else:
        _para(left, "{{ heading.parent_body }}", pt=lay.heading_pt, align=c, space_after=0)
        _para(left, "{{ heading.issuing_body }}", pt=lay.heading_pt, bold=True, align=c, space_after=0)
        _para(left, "________", pt=lay.heading_pt, align=c, space_after=3)
        _para(left, f"Số: {number}", pt=lay.heading_pt, align=c, space_after=0)
        _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", pt=lay.banner_pt, bold=True, align=c, space_after=0)
        _para(right, "Độc lập - Tự do - Hạnh phúc", pt=lay.motto_pt, bold=True, underline=True, align=c, space_after=6)
    if kind in _SUMMARY_UNDER_NUMBER:
        _para(left, "V/v {{ summary }}", pt=lay.recipients_pt + 1, align=c, space_after=0)
    _para(right, "{{ date_line }}", pt=lay.body_pt, italic=True, align=c, space_after=0)


def _title(doc, lay: Layout, kind: str) -> None:
    c = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "", space_after=6)
    if TITLES[kind]:
        _para(doc, TITLES[kind], pt=lay.body_pt + (1 if lay.fmt == "party" else 0), bold=True, align=c, space_after=0)
    if kind not in _SUMMARY_UNDER_NUMBER:
        _para(doc, "{{ summary }}", pt=lay.body_pt, bold=True, align=c, space_after=0)
        _para(doc, "-----", pt=lay.body_pt, align=c, space_after=6)


def _body(doc, lay: Layout, spec: tuple) -> None:
    what = spec[0]
    if what == "p":
        _para(doc, spec[1], indent_mm=10)
    elif what == "h":
        _para(doc, spec[1], bold=True, indent_mm=10)
    elif what == "img":
        _para(doc, spec[1], align=WD_ALIGN_PARAGRAPH.CENTER)
    elif what == "lines":
        _para(doc, f"{{%p for {spec[1]} %}}")
        _para(doc, spec[2], indent_mm=10)
        _para(doc, "{%p endfor %}")
    elif what == "table":
        cols = spec[2]
        table = _grid(doc, [w for *_, w in cols], rows=2, style="Table Grid")
        for cell, (header, _, _) in zip(table.rows[0].cells, cols):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = cell.paragraphs[0].add_run(header)
            run.bold, run.font.size = True, Pt(lay.body_pt - 1)
        # docxtpl repeats a row between "{%tr for … %}" and "{%tr endfor %}" rows.
        loop_row = table.add_row()
        end_row = table.add_row()
        loop_row.cells[0].paragraphs[0].add_run(f"{{%tr for {spec[1]} %}}")
        end_row.cells[0].paragraphs[0].add_run("{%tr endfor %}")
        body_row = table.rows[1]
        body_row._tr.addprevious(loop_row._tr)  # order: header, for, body, endfor
        for cell, (_, text, _) in zip(body_row.cells, cols):
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(lay.body_pt - 1)
        _para(doc, "", space_after=3)


def _closing(doc, lay: Layout, kind: str) -> None:
    c = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "", space_after=3)
    table = _grid(doc, [80, 85])
    left, right = (_cell(x) for x in table.rows[0].cells)
    if lay.fmt == "state":
        _para(left, "Nơi nhận:", pt=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=0)
    else:
        _para(left, "Nơi nhận:", pt=lay.body_pt, underline=True, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=0)
    _para(left, "{%p for r in recipients %}", space_after=0)
    _para(left, "- {{ r }};", pt=lay.recipients_pt, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=0)
    _para(left, "{%p endfor %}", space_after=0)
    _para(left, "- {{ archive }}.", pt=lay.recipients_pt, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=0)
    _para(right, "{%p for line in heading.signing_lines %}", space_after=0)
    _para(right, "{{ line }}", pt=lay.body_pt, bold=True, align=c, space_after=0)
    _para(right, "{%p endfor %}", space_after=0)
    for _ in range(3):  # room for the signature and the seal
        _para(right, "", space_after=6)
    _para(right, "{{ heading.signer_name }}", pt=lay.body_pt, bold=True, align=c, space_after=0)
