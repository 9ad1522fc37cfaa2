"""Issue 15 (rendering): documents drafted from the data, read back from the DOCX with
python-docx — the number, the place-and-date line, the recipients, each item's due date —
for every kind in both formats, on SQLite and PostgreSQL; a unit's own template that fails
falls back to the shipped one."""
from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from engine.deadlines.clocks import compute_due
from engine.documents.contexts import build_context
from engine.documents.heading import heading_for
from engine.documents.render import render_docx
from engine.documents.shipped import BODIES, LAYOUTS
from engine.language.errors import DomainError, NotFound, ValidationError
from engine.persistence.db import transaction
from engine.persistence.models import OrgUnit, Petition
from engine.services import petitions as P
from engine.services import sessions as S
from engine.services.common import unit_by_code

HELD = date(2026, 11, 10)
ISSUED = date(2026, 11, 12)


def texts(docx: bytes) -> str:
    """Every paragraph of the document, table cells included, one per line."""
    doc = Document(io.BytesIO(docx))
    out = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                out.extend(p.text for p in cell.paragraphs)
    return "\n".join(out)


def rows(docx: bytes, index: int) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in Document(io.BytesIO(docx)).tables[index].rows]


@pytest.fixture
def held(org, ctx):
    """A held reception at C1 with three petitions (one already concluded) and a dialogue."""
    with transaction(org) as s:
        rec = S.add_session(s, "C1", "reception_periodic", HELD, people=7, groups=1, chair="Nguyễn Văn Bình",
                            place="Hội trường Đảng ủy xã", today=date(2026, 11, 20))
        made = [P.add_petition(s, ctx, "C1", summary, received_on=HELD, session_id=rec.id, category=cat,
                               petitioners=[{"name": name}])
                for summary, cat, name in [("Đề nghị cấp giấy chứng nhận quyền sử dụng đất", "land", "Trần Thị Bích"),
                                           ("Phản ánh đường liên thôn xuống cấp", "infrastructure", "Lê Văn Cường"),
                                           ("Kiến nghị chế độ người có công", "social_policy", "Phạm Thị Dung")]]
        P.act(s, ctx, made[2].code, "conclude", "clerk1", {"notice_no": "01-TB/ĐU", "department": "C1-D2"}, on=HELD)
        dia = S.add_session(s, "C1", "dialogue_thematic", HELD, chair="Nguyễn Văn Bình", place="Nhà văn hóa thôn",
                            topic="Giải phóng mặt bằng đường tỉnh", invited="Bí thư chi bộ thôn 1\nTrưởng thôn 1",
                            today=date(2026, 11, 20))
        P.add_petition(s, ctx, "C1", "Ý kiến về mức bồi thường", received_on=HELD, session_id=dia.id,
                       category="compensation")
        return {"session": rec.id, "dialogue": dia.id, "codes": [p.code for p in made], "ids": [p.id for p in made]}


def test_conclusion_notice_reads_back_number_date_recipients_and_computed_due_dates(org, ctx, held):
    with transaction(org) as s:
        unit = unit_by_code(s, "C1")
        d1, d2 = unit_by_code(s, "C1-D1"), unit_by_code(s, "C1-D2")
        items = [{"petition_id": held["ids"][0], "department_id": d1.id, "direction": "Kiểm tra hồ sơ, trả lời công dân"},
                 {"code": held["codes"][1], "department_id": d2.id, "direction": "Khảo sát, đề xuất sửa chữa"}]
        for fmt, number in (("party", "06-TB/ĐU"), ("state", "12/TB-UBND")):
            c = build_context(s, "conclusion_notice", unit, ctx=ctx, fmt=fmt, items=items, issued_on=ISSUED,
                              session_id=held["session"],
                              number_text=number, directions="Giao các phòng giải quyết dứt điểm.")
            r = render_docx("conclusion_notice", fmt, c)
            assert r.template == "shipped" and r.warning is None
            body = texts(r.docx)
            assert ("Số 06-TB/ĐU" if fmt == "party" else "Số: 12/TB-UBND") in body
            assert "Một, ngày 12 tháng 11 năm 2026" in body  # the place is the unit's name without "Xã"
            assert ("ĐẢNG CỘNG SẢN VIỆT NAM" in body) == (fmt == "party")
            assert ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body) == (fmt == "state")
            assert "- Phòng Địa chính xã Một;" in body and "- Phòng Văn hóa xã Một;" in body
            assert ("- Lưu: VT." if fmt == "state" else "- Lưu: VP.") in body
            assert "Giao các phòng giải quyết dứt điểm." in body
            table = rows(r.docx, 1)
            assert table[0][0] == "STT" and len(table) == 3  # header + the two items, no loop rows left
            rule = ctx.params.rule_for("resolution", ISSUED, ["C1", "P"])
            due = compute_due(ctx.cal, ISSUED, rule)
            for row, code, dept in zip(table[1:], held["codes"], ("Phòng Địa chính xã Một", "Phòng Văn hóa xã Một")):
                assert row[1] == code and row[3] == dept and row[4] == due.strftime("%d/%m/%Y")
            assert due > ISSUED and c["rule_source"] and str(rule.days) in body
            assert "Trần Thị Bích" not in body  # a notice names petitions, never petitioners


def test_conclusion_notice_defaults_to_open_items_and_refuses_bad_references(org, ctx, held):
    with transaction(org) as s:
        unit = unit_by_code(s, "C1")
        c = build_context(s, "conclusion_notice", unit, ctx=ctx, session_id=held["session"], on=ISSUED)
        assert [i["code"] for i in c["items"]] == held["codes"][:2]  # the concluded one is not open
        assert "     " in c["number_text"].replace("\u00a0", " ") and c["date_line"].startswith("Một, ngày ")
        with pytest.raises(ValidationError):  # already concluded
            build_context(s, "conclusion_notice", unit, ctx=ctx, session_id=held["session"],
                          items=[{"petition_id": held["ids"][2]}])
        with pytest.raises(NotFound):  # another unit's session
            build_context(s, "conclusion_notice", unit_by_code(s, "C2"), ctx=ctx, session_id=held["session"])
        with pytest.raises(NotFound):  # a department of another unit
            build_context(s, "conclusion_notice", unit, ctx=ctx, session_id=held["session"],
                          items=[{"petition_id": held["ids"][0], "department_id": unit_by_code(s, "C2-D1").id}])
        with pytest.raises(ValidationError):
            build_context(s, "conclusion_notice", unit, ctx=ctx, session_id="abc")
        with pytest.raises(ValidationError):
            build_context(s, "no_such_kind", unit, ctx=ctx)
