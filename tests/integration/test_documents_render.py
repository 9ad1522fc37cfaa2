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
from engine.documents.render import render_docx
from engine.language.errors import DomainError, NotFound, ValidationError
from engine.persistence.db import transaction
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


def _flatten(value, prefix="") -> set[str]:
    """The dotted paths of a context, lists as `name[]` (the placeholders' notation)."""
    out = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out |= _flatten(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(value, list):
        inner = _flatten(value[0], f"{prefix}[]") if value else set()
        out |= inner or {f"{prefix}[]"}
    else:
        out.add(prefix)
    return out


def test_every_kind_drafts_from_the_data_in_both_formats_and_says_what_is_documented(org, ctx, held):
    from engine.documents.kinds import FORMATS, KINDS
    from engine.documents.placeholders import documented

    with transaction(org) as s:
        S.plan_session(s, "C1", "reception_periodic", "2026-12-10", starts_at="07:30", ends_at="11:00",
                       place="Trụ sở Đảng ủy xã", chair="Nguyễn Văn Bình", chair_role="party_secretary",
                       actor="clerk1", today=date(2026, 11, 20))
        escalated = P.act(s, ctx, held["codes"][1], "escalate", "leader1", {"reason": "Vượt thẩm quyền của xã"},
                          on=ISSUED)
        unit = unit_by_code(s, "C1")
        unit.doc_place, unit.doc_signer_name = "Kỳ Thượng", "Nguyễn Văn Bình"
        s.flush()
        params = {
            "schedule_notice": {"period": "2026-12"},
            "result_notice": {"session_id": held["session"]},
            "conclusion_notice": {"session_id": held["session"]},
            "dialogue_plan": {"session_id": held["dialogue"]},
            "invitation": {"session_id": held["dialogue"], "invitee": "Ông Trưởng thôn 1"},
            "opinions_summary": {"session_id": held["dialogue"]},
            "written_answer": {"petition_id": held["ids"][0], "answer": "Hồ sơ đủ điều kiện.\nĐề nghị công dân nộp bổ sung."},
            "escalation_report": {"petition_id": held["ids"][1]},
            "receipt_slip": {"petition_id": held["ids"][0], "tracking_url": "https://dan.example.vn/tra-cuu/KN-1"},
        }
        assert set(params) == set(KINDS)
        for kind in KINDS:
            for fmt in FORMATS:
                c = build_context(s, kind, unit, ctx=ctx, fmt=fmt, issued_on=date(2020, 7, 8), **params[kind])
                produced = _flatten({k: v for k, v in c.items() if k != "qr_png"})
                allowed = set(documented(kind))
                assert produced <= allowed | {"qr_code"}, (kind, produced - allowed)
                r = render_docx(kind, fmt, c)
                body = texts(r.docx)
                assert "Kỳ Thượng, ngày 08 tháng 7 năm 2020" in body, kind
                assert "{{" not in body and "{%" not in body, kind
                if fmt == "party":  # the unit's own format: its signer
                    assert "Nguyễn Văn Bình" in body and "ĐẢNG ỦY XÃ MỘT" in body, kind
                else:  # the other format is derived for it, not copied from the party committee's
                    assert "ỦY BAN NHÂN DÂN XÃ MỘT" in body and "ĐẢNG ỦY XÃ MỘT" not in body, kind
                if kind == "receipt_slip":
                    assert held["codes"][0] in body and "Trần Thị Bích" in body
                    assert len(Document(io.BytesIO(r.docx)).inline_shapes) == 1  # the QR code
                    assert c["number_text"] == held["codes"][0]
                if kind == "schedule_notice":
                    assert rows(r.docx, 1)[1][1] == "Thứ Năm 10/12/2026" and rows(r.docx, 1)[1][2] == "07h30–11h00"
                if kind == "escalation_report":
                    assert "Vượt thẩm quyền của xã" in body and "Tỉnh ủy Thử" in body
                if kind == "written_answer":
                    assert "Đề nghị công dân nộp bổ sung." in body and "V/v trả lời đơn" in body
                if kind == "opinions_summary":
                    assert "Bồi thường: 1" in body
                if kind == "dialogue_plan":
                    assert "- Trưởng thôn 1" in body
        assert escalated.created is not None


def test_documents_refuse_bad_input_clearly(org, ctx, held):
    with transaction(org) as s:
        unit = unit_by_code(s, "C1")
        for kind, params, error in [("schedule_notice", {"period": "2026-13"}, ValidationError),
                                    ("schedule_notice", {"period": "next month"}, ValidationError),
                                    ("dialogue_plan", {"session_id": held["session"]}, ValidationError),
                                    ("written_answer", {"petition_id": 10**9}, NotFound),
                                    ("receipt_slip", {}, NotFound),
                                    ("result_notice", {"session_id": -1}, NotFound)]:
            with pytest.raises(error) as exc:
                build_context(s, kind, unit, ctx=ctx, **params)
            assert isinstance(exc.value, DomainError) and exc.value.message("vi") != exc.value.message("en")


def test_a_department_drafts_the_written_answer_of_a_petition_assigned_to_it(org, ctx, held):
    with transaction(org) as s:
        d2, d1 = unit_by_code(s, "C1-D2"), unit_by_code(s, "C1-D1")
        c = build_context(s, "written_answer", d2, ctx=ctx, petition_id=held["ids"][2], answer="Đã giải quyết.")
        body = texts(render_docx("written_answer", c["fmt"], c).docx)
        assert "PHÒNG VĂN HÓA XÃ MỘT" in body and "ĐẢNG ỦY XÃ MỘT" in body and "Phòng Văn hóa xã Một nhận được đơn" in body
        with pytest.raises(NotFound):  # not its petition
            build_context(s, "written_answer", d1, ctx=ctx, petition_id=held["ids"][2])
