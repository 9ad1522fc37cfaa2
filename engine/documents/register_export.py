"""The register of outgoing documents as CSV and XLSX (sổ đăng ký văn bản đi): the columns
the office keeps — number, date, type, summary (trích yếu), signer, recipients."""
from __future__ import annotations

import csv
import io

from engine.documents.kinds import doc_type_label

BOM = "\ufeff"  # Excel opens UTF-8 CSV with Vietnamese correctly only with it
HEADERS = {
    "vi": ("STT", "Số, ký hiệu", "Ngày ban hành", "Loại văn bản", "Trích yếu nội dung", "Người ký", "Nơi nhận",
           "Đơn vị ban hành", "Ghi chú"),
    "en": ("No.", "Number", "Issued on", "Type", "Summary", "Signed by", "Recipients", "Issuing unit", "Note"),
}


def _safe(v) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


HIDDEN = {"vi": "(không hiển thị: dữ liệu cá nhân)", "en": "(not shown: personal data)"}


def rows(docs, lang: str = "vi", hidden: set[int] = frozenset()) -> list[list[str]]:
    """`hidden`: documents whose recipients (the petitioner) this reader may not see."""
    out = []
    for i, d in enumerate(docs, 1):
        signer = ", ".join(x for x in (d.signer_title, d.signer_name) if x)
        note = ""
        if d.corrects_id:
            note = (f"Đính chính văn bản số {d.corrects.number_text}" if lang == "vi"
                    else f"Corrects document {d.corrects.number_text}") if d.corrects else ""
        if d.status == "registered":
            note = ("; ".join(x for x in (note, "Văn bản đăng ký từ tệp PDF" if lang == "vi" else "Registered from a PDF")
                              if x))
        out.append([str(i), d.number_text or "", d.issued_on.strftime("%d/%m/%Y") if d.issued_on else "",
                    doc_type_label(d.doc_type, lang), d.summary, signer,
                    HIDDEN[lang] if d.id in hidden else "; ".join(r for r in d.recipients.splitlines() if r.strip()),
                    d.unit.name, note])
    return out


def to_csv(docs, lang: str = "vi", hidden: set[int] = frozenset()) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADERS[lang])
    w.writerows([[_safe(v) for v in r] for r in rows(docs, lang, hidden)])
    return (BOM + buf.getvalue()).encode("utf-8")


def to_xlsx(docs, lang: str = "vi", hidden: set[int] = frozenset()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "So van ban di" if lang == "vi" else "Outgoing register"
    ws.append(list(HEADERS[lang]))
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for r in rows(docs, lang, hidden):
        ws.append(r)
    for col, width in zip("ABCDEFGHI", (6, 16, 13, 16, 60, 28, 40, 28, 30)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
