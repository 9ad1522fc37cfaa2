"""Issue 15 (rendering), without a database: the shipped templates of every kind in both
formats, measured against the decree (A4, margins, Times New Roman 13–14), the heading of
each format, the date line, the placeholder check of an uploaded template, the fallback on a
broken one, the sandbox, and LibreOffice's PDF read back with pdftotext."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from docx import Document
from docx.shared import Mm

from engine.documents.heading import heading_for, place_name, vietnamese_date
from engine.documents.kinds import FORMATS, KINDS
from engine.documents.placeholders import (PLACEHOLDERS, TemplateRefused, check_template, documented, markdown,
                                           sample_context, template_problems)
from engine.documents.render import render_docx
from engine.documents.shipped import LAYOUTS, TITLES, shipped_template

ROOT = Path(__file__).resolve().parents[2]
EVERY = [(k, f) for k in KINDS for f in FORMATS]
# Every Vietnamese tone mark on every vowel family, and đ: what must survive DOCX and PDF.
DIACRITICS = "Kỳ Thượng Nguyễn Thị Ánh Tuyết ỷ ỹ ự ẫ ẵ ổ ờ ợ ữ ứ ị ẹ ọ Đặng Đức Hưởng"


def unit(name, level, parent=None, **doc):
    return SimpleNamespace(name=name, level=level, parent=parent, **doc)


PROVINCE = unit("Tỉnh Hà Tĩnh", "province")
COMMUNE = unit("Xã Kỳ Thượng", "commune", PROVINCE)


def paragraphs(docx: bytes) -> list:
    doc = Document(io.BytesIO(docx))
    out = list(doc.paragraphs)
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                out.extend(cell.paragraphs)
    return out


def full_context(kind: str, fmt: str) -> dict:
    """The documented sample with real-looking values where the test reads them back."""
    ctx = sample_context(kind)
    heading = heading_for(unit("Xã Kỳ Thượng", "commune", PROVINCE, doc_format=fmt))
    ctx.update(heading=heading.as_context(), number_text="06-TB/ĐU" if fmt == "party" else "12/TB-UBND",
               date_line=heading.date_line(date(2020, 7, 8)), summary=f"Trích yếu {DIACRITICS}",
               recipients=["Ban Thường vụ Đảng ủy", "Phòng Địa chính – Xây dựng"], archive="Lưu: VT")
    return ctx


# -- the heading ---------------------------------------------------------------------------
def test_date_line_has_the_decrees_leading_zeros():
    assert vietnamese_date(date(2020, 7, 8)) == "ngày 08 tháng 7 năm 2020"   # the seed's 06-TB/ĐU
    assert vietnamese_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"  # months 1 and 2 take a zero
    assert vietnamese_date(date(2026, 1, 25)) == "ngày 25 tháng 01 năm 2026"
    assert vietnamese_date(date(2023, 12, 10)) == "ngày 10 tháng 12 năm 2023"
    assert heading_for(COMMUNE).date_line(date(2020, 7, 8)) == "Kỳ Thượng, ngày 08 tháng 7 năm 2020"
    assert heading_for(COMMUNE).date_line(None).startswith("Kỳ Thượng, ngày ")


def test_heading_is_derived_from_name_and_level_and_columns_win():
    party = heading_for(COMMUNE)
    assert (party.fmt, party.issuing_body, party.parent_body, party.place, party.issuer_abbr) == \
        ("party", "ĐẢNG ỦY XÃ KỲ THƯỢNG", "ĐẢNG BỘ TỈNH HÀ TĨNH", "Kỳ Thượng", "ĐU")
    assert party.signing_lines == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]  # as the seeds sign
    state = heading_for(unit("Xã Kỳ Thượng", "commune", PROVINCE, doc_format="state"))
    assert (state.issuing_body, state.parent_body, state.issuer_abbr) == ("ỦY BAN NHÂN DÂN XÃ KỲ THƯỢNG", "", "UBND")
    assert state.signing_lines == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    kt = heading_for(unit("Xã Kỳ Thượng", "commune", PROVINCE, doc_format="state", doc_signing_form="kt",
                          doc_signing_for="CHỦ TỊCH", doc_signer_title="PHÓ CHỦ TỊCH", doc_signer_name="Lê Văn Hùng"))
    assert kt.signing_lines == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] and kt.signer_name == "Lê Văn Hùng"
    assert heading_for(PROVINCE).issuing_body == "TỈNH ỦY HÀ TĨNH" and heading_for(PROVINCE).issuer_abbr == "TU"
    dept = heading_for(unit("Phòng Văn hóa – Xã hội xã Kỳ Thượng", "department", COMMUNE))
    assert dept.parent_body == "ĐẢNG ỦY XÃ KỲ THƯỢNG" and dept.place == "Kỳ Thượng"
    assert place_name("Phường Kỳ Anh") == "Kỳ Anh" and place_name("Thành phố Lào Cai") == "Lào Cai"
    assert place_name("Đặc khu Phú Quốc") == "Phú Quốc"


# -- the shipped templates -----------------------------------------------------------------
def test_every_kind_has_a_shipped_template_in_both_formats_that_passes_its_own_check():
    assert set(TITLES) == set(KINDS) == set(PLACEHOLDERS)
    for kind, fmt in EVERY:
        check_template(kind, shipped_template(kind, fmt))


@pytest.mark.parametrize("kind,fmt", EVERY)
def test_layout_follows_the_decree(kind, fmt):
    lay = LAYOUTS[fmt]
    doc = Document(io.BytesIO(render_docx(kind, fmt, full_context(kind, fmt)).docx))
    sec = doc.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(0.5) and abs(sec.page_height - Mm(297)) < Mm(0.5)  # A4
    for measure, (lo, hi) in zip((sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin),
                                 lay.margin_ranges):
        assert Mm(lo) - Mm(0.1) <= measure <= Mm(hi) + Mm(0.1)
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and lay.body_range[0] <= normal.size.pt <= lay.body_range[1]
    for p in paragraphs(render_docx(kind, fmt, full_context(kind, fmt)).docx):
        for r in p.runs:  # no run escapes to another font
            assert r.font.name in (None, "Times New Roman")
    texts = [p.text for p in paragraphs(render_docx(kind, fmt, full_context(kind, fmt)).docx)]
    date_para = next(p for p in paragraphs(render_docx(kind, fmt, full_context(kind, fmt)).docx)
                     if p.text == "Kỳ Thượng, ngày 08 tháng 7 năm 2020")
    assert all(r.italic for r in date_para.runs if r.text.strip())  # place and date in italics
    if fmt == "party":
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in texts and "Số 06-TB/ĐU" in texts
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in texts
    else:
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "Độc lập - Tự do - Hạnh phúc" in texts
        assert "Số: 12/TB-UBND" in texts and "ĐẢNG CỘNG SẢN VIỆT NAM" not in texts
    assert "Nơi nhận:" in texts and "- Ban Thường vụ Đảng ủy;" in texts and "- Lưu: VT." in texts
    assert ("T/M BAN THƯỜNG VỤ" if fmt == "party" else "TM. ỦY BAN NHÂN DÂN") in texts
    if TITLES[kind]:
        assert TITLES[kind] in texts and f"Trích yếu {DIACRITICS}" in texts
    assert not any("{{" in t or "{%" in t for t in texts)  # every tag filled


def test_values_stay_text_and_the_sandbox_keeps_templates_away_from_python():
    ctx = full_context("invitation", "state")
    ctx["invitee"] = 'Ông A & bà B <phòng "Kinh tế">'
    out = render_docx("invitation", "state", ctx)
    assert any('Ông A & bà B <phòng "Kinh tế">' in p.text for p in paragraphs(out.docx))
    doc = Document(io.BytesIO(shipped_template("invitation", "state")))
    doc.add_paragraph("X{{ ''.__class__.__mro__ }}Y")
    buf = io.BytesIO()
    doc.save(buf)
    r = render_docx("invitation", "state", ctx, override=buf.getvalue())
    joined = "\n".join(p.text for p in paragraphs(r.docx))
    assert "<class" not in joined and "object" not in joined  # nothing of Python leaks
    assert (r.template, "XY" in joined) == ("unit", True) or r.template == "shipped"


# -- uploaded templates ----------------------------------------------------------------------
def edited(kind: str, fmt: str, extra: str, in_table: int | None = None) -> bytes:
    doc = Document(io.BytesIO(shipped_template(kind, fmt)))
    if in_table is None:
        doc.add_paragraph(extra)
    else:
        doc.tables[in_table].rows[-1].cells[0].paragraphs[0].add_run(extra)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_an_unknown_placeholder_is_refused_with_its_name_and_where_it_is():
    with pytest.raises(TemplateRefused) as exc:
        check_template("conclusion_notice", edited("conclusion_notice", "party", "{{ item.secret }}", in_table=1))
    assert "items[].secret" in exc.value.message("vi") and "bảng 2, hàng 4, ô 1" in exc.value.message("vi")
    assert "table 2, row 4, cell 1" in exc.value.message("en")
    problems = template_problems("receipt_slip", edited("receipt_slip", "state", "{{ petition.phone }} {{ heading.nope }}"))
    names = [p.params["name"] for p in problems]
    assert names == ["petition.phone", "heading.nope"]
    paragraph = len(Document(io.BytesIO(shipped_template("receipt_slip", "state"))).paragraphs) + 1
    assert all(p.params["where_vi"] == f"đoạn {paragraph}" for p in problems)


@pytest.mark.parametrize("extra", ["{{ ''.__class__ }}", "{{ cycler() }}", "{{ summary|attr('x') }}",
                                   "{% set x = 1 %}", "{% include 'x' %}", "{{ summary", "{% for x in %}{% endfor %}",
                                   "{{ lipsum }}", "{% for x in recipients %}"])
def test_anything_outside_the_list_is_refused(extra):
    problems = template_problems("written_answer", edited("written_answer", "party", extra))
    assert problems and all(p.code in ("doc_placeholder_unknown", "doc_template_syntax") for p in problems)
    assert all(p.message("vi") != p.message("en") for p in problems)


def test_documented_placeholders_used_in_an_edited_template_are_accepted():
    ok = edited("conclusion_notice", "state",
                "{{ heading.signer_name|upper }} {{ items|length }} {% if directions %}{{ directions }}{% endif %} "
                "{{ session.chair }} {{ items[0].due_date }}")
    assert template_problems("conclusion_notice", ok) == []


@pytest.mark.parametrize("data,code", [(b"", "doc_template_empty"), (b"not a docx", "doc_template_broken"),
                                       (b"PK\x03\x04broken zip", "doc_template_broken"),
                                       (b"x" * (5 * 1024 * 1024 + 1), "doc_template_too_big")])
def test_a_broken_file_is_refused_clearly(data, code):
    problems = template_problems("invitation", data)
    assert [p.code for p in problems] == [code]
    assert problems[0].message("vi") and problems[0].message("en")


def test_a_unit_template_that_fails_falls_back_to_the_shipped_one_and_says_so():
    ctx = full_context("conclusion_notice", "party")
    for broken in (b"not a docx", edited("conclusion_notice", "party", "{% for x in %}"),
                   edited("conclusion_notice", "party", "{{ items|join(1, 2, 3) }}")):
        r = render_docx("conclusion_notice", "party", ctx, override=broken)
        assert r.template == "shipped" and r.warning and r.warning_en and "mẫu chuẩn" in r.warning
        assert "Số 06-TB/ĐU" in [p.text for p in paragraphs(r.docx)]
    good = edited("conclusion_notice", "party", "Bản của đơn vị: {{ summary }}")
    r = render_docx("conclusion_notice", "party", ctx, override=good)
    assert r.template == "unit" and r.warning is None
    assert f"Bản của đơn vị: Trích yếu {DIACRITICS}" in [p.text for p in paragraphs(r.docx)]


def test_docs_page_lists_every_placeholder_in_both_languages():
    page = (ROOT / "docs" / "documents.md").read_text(encoding="utf-8")
    assert markdown() in page
    for kind in KINDS:
        for name, (vi, en) in documented(kind).items():
            assert f"`{name}`" in page and vi in page and en in page


# -- PDF -------------------------------------------------------------------------------------
def test_pdf_through_libreoffice_keeps_the_diacritics_and_the_page(tmp_path):
    from engine.documents.pdf import docx_to_pdf
    from tests.conftest import service_unreachable

    if not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdfinfo")):
        service_unreachable("LibreOffice (soffice) and poppler-utils", FileNotFoundError("soffice/pdftotext"))
    for fmt in FORMATS:
        ctx = full_context("conclusion_notice", fmt)
        ctx["items"] = [{**ctx["items"][0], "code": "KN-KYTHUONG-2020-000007", "due_date": "20/08/2020",
                         "department": "Phòng Địa chính – Xây dựng", "direction": DIACRITICS}]
        pdf = docx_to_pdf(render_docx("conclusion_notice", fmt, ctx).docx)
        assert pdf.startswith(b"%PDF-")
        (tmp_path / f"{fmt}.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(tmp_path / f"{fmt}.pdf"), "-"], check=True, capture_output=True,
                              text=True).stdout
        flat = " ".join(text.split())
        assert "Kỳ Thượng, ngày 08 tháng 7 năm 2020" in flat
        assert ("Số 06-TB/ĐU" if fmt == "party" else "Số: 12/TB-UBND") in flat
        assert "20/08/2020" in flat and "000007" in flat  # a long code wraps in its cell
        for word in DIACRITICS.split():
            assert word in flat, word
        info = subprocess.run(["pdfinfo", str(tmp_path / f"{fmt}.pdf")], check=True, capture_output=True,
                              text=True).stdout
        assert "(A4)" in info


def test_the_other_format_is_derived_for_it_not_copied_from_the_units_own():
    commune = unit("Xã Kỳ Thượng", "commune", PROVINCE, doc_format="party", doc_issuing_body="ĐẢNG ỦY XÃ KỲ THƯỢNG (MỚI)",
                   doc_signer_name="Nguyễn Văn Bình", doc_place="Kỳ Thượng")
    own = heading_for(commune)
    assert own.issuing_body == "ĐẢNG ỦY XÃ KỲ THƯỢNG (MỚI)" and own.signer_name == "Nguyễn Văn Bình"
    other = heading_for(commune, "state")
    assert (other.fmt, other.issuing_body, other.issuer_abbr, other.signer_name, other.place) == \
        ("state", "ỦY BAN NHÂN DÂN XÃ KỲ THƯỢNG", "UBND", "", "Kỳ Thượng")
    assert heading_for(commune, "party") == own and heading_for(commune, "nonsense") == own
