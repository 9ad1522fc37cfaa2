"""Issue 15: the admin's page of document templates — download the shipped one, upload a
unit's own (checked, refusals name the placeholder and where), back to the shipped one;
every other role is refused; a unit outside the admin's subtree answers 404; CSRF."""
from __future__ import annotations

import io

import pytest
from docx import Document
from sqlalchemy import select

from engine.documents import templates as T
from engine.documents.kinds import FORMATS, KINDS
from engine.documents.shipped import shipped_template
from engine.persistence.db import transaction
from engine.persistence.models import DocumentTemplate, OrgUnit
from tests.conftest import PASSWORD

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def unit_id(org, code: str) -> int:
    with transaction(org) as s:
        return s.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def edited(kind: str, fmt: str, extra: str) -> bytes:
    doc = Document(io.BytesIO(shipped_template(kind, fmt)))
    doc.add_paragraph(extra)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def upload(b, unit: int, kind: str, fmt: str, data: bytes, **kw):
    return b.post("/admin/templates/upload", {"unit": str(unit), "kind": kind, "fmt": fmt,
                                              "template": (io.BytesIO(data), "mau.docx")},
                  content_type="multipart/form-data", **kw)


@pytest.fixture
def c1_admin(org):
    from engine.services.users import add_user
    with transaction(org) as s:
        add_user(s, "c1admin", "admin", "C1", PASSWORD, email="c1admin@example.test", full_name="C1 Admin")
    return "c1admin"


def test_only_admins_see_the_page_and_its_downloads(as_user):
    for username in ("clerk1", "leader1", "dept1", "auditor"):
        b = as_user(username)
        assert b.get("/admin/templates/").status_code == 403
        assert b.get("/admin/templates/shipped/conclusion_notice/party.docx").status_code == 403
    b = as_user("admin")
    page = b.get("/admin/templates/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Mẫu văn bản" in body and body.count('enctype="multipart/form-data"') == len(KINDS) * len(FORMATS)
    for kind in KINDS:
        for fmt in FORMATS:
            r = b.c.get(f"/admin/templates/shipped/{kind}/{fmt}.docx")
            assert r.status_code == 200 and r.mimetype == DOCX and r.data == shipped_template(kind, fmt)
    assert b.get("/admin/templates/shipped/nope/party.docx").status_code == 404
    assert b.get("/admin/templates/shipped/invitation/other.docx").status_code == 404


def test_upload_checks_stores_uses_and_resets(org, as_user):
    b = as_user("admin")
    c1 = unit_id(org, "C1")
    b.get(f"/admin/templates/?unit={c1}")
    good = edited("invitation", "state", "Ghi chú của đơn vị: {{ invitee }}")
    r = upload(b, c1, "invitation", "state", good)
    assert r.status_code == 302
    page = b.get(f"/admin/templates/?unit={c1}").get_data(as_text=True)
    assert "Mẫu riêng của đơn vị" in page
    with transaction(org) as s:
        row = T.active_template(s, c1, "invitation", "state")
        assert row is not None and row.docx == good and len(row.sha256) == 64
        template_id = row.id
    assert b.c.get(f"/admin/templates/{template_id}.docx").data == good
    # a second upload replaces the first, which stays on record
    assert upload(b, c1, "invitation", "state", edited("invitation", "state", "Bản 2 {{ summary }}")).status_code == 302
    with transaction(org) as s:
        rows = s.scalars(select(DocumentTemplate).where(DocumentTemplate.unit_id == c1)).all()
        assert [(r.id == template_id, r.active) for r in rows] == [(True, False), (False, True)]
    assert b.post("/admin/templates/reset", {"unit": str(c1), "kind": "invitation", "fmt": "state"}).status_code == 302
    with transaction(org) as s:
        assert T.active_template(s, c1, "invitation", "state") is None


@pytest.mark.parametrize("data,expected", [
    (None, ["items[].secret", "bảng 2, hàng 4, ô 1"]),
    (b"this is not a Word file", ["không phải là tệp Word"]),
    (b"", ["Chưa chọn tệp mẫu"]),
])
def test_a_refused_upload_says_what_and_where_and_changes_nothing(org, as_user, data, expected):
    b = as_user("admin")
    c1 = unit_id(org, "C1")
    b.get("/admin/templates/")
    if data is None:
        doc = Document(io.BytesIO(shipped_template("conclusion_notice", "party")))
        doc.tables[1].rows[-1].cells[0].paragraphs[0].add_run("{{ item.secret }}")
        buf = io.BytesIO()
        doc.save(buf)
        data = buf.getvalue()
    r = upload(b, c1, "conclusion_notice", "party", data)
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    for text in expected:
        assert text in body
    with transaction(org) as s:
        assert s.scalar(select(DocumentTemplate.id)) is None


def test_scope_and_csrf(org, as_user, c1_admin):
    c1, c2 = unit_id(org, "C1"), unit_id(org, "C2")
    top = as_user("admin")
    top.get("/admin/templates/")
    assert upload(top, c2, "receipt_slip", "party", shipped_template("receipt_slip", "party")).status_code == 302
    with transaction(org) as s:
        c2_row = T.active_template(s, c2, "receipt_slip", "party").id
    b = as_user(c1_admin)
    page = b.get("/admin/templates/").get_data(as_text=True)
    assert "Xã Hai" not in page  # only its own subtree is offered
    assert b.c.get(f"/admin/templates/{c2_row}.docx").status_code == 404
    assert upload(b, c2, "receipt_slip", "party", shipped_template("receipt_slip", "party")).status_code == 404
    assert b.post("/admin/templates/reset", {"unit": str(c2), "kind": "receipt_slip", "fmt": "party"}).status_code == 404
    assert upload(b, c1, "receipt_slip", "party", shipped_template("receipt_slip", "party"), token=False).status_code == 400
    with transaction(org) as s:
        assert T.active_template(s, c1, "receipt_slip", "party") is None
        assert T.active_template(s, c2, "receipt_slip", "party").id == c2_row
    assert upload(b, c1, "receipt_slip", "party", shipped_template("receipt_slip", "party")).status_code == 302


def test_draft_uses_the_units_template_and_falls_back_when_it_breaks(org, ctx, as_user):
    from engine.documents.contexts import build_context
    from engine.services.sessions import add_session
    c1 = unit_id(org, "C1")
    with transaction(org) as s:
        dia = add_session(s, "C1", "dialogue_thematic", "2026-11-02", chair="Bí thư", topic="Đường liên thôn")
        admin = s.scalar(select(T.User).where(T.User.username == "admin"))
        T.upload_template(s, admin, c1, "invitation", "party", edited("invitation", "party", "RIÊNG {{ invitee }}"))
        unit = s.get(OrgUnit, c1)
        c = build_context(s, "invitation", unit, ctx=ctx, session_id=dia.id, invitee="Trưởng thôn")
        r = T.draft(s, unit, "invitation", "party", c)
        assert r.template == "unit" and any(p.text == "RIÊNG Trưởng thôn" for p in Document(io.BytesIO(r.docx)).paragraphs)
        # a stored template that no longer renders (stored before a check existed, say): shipped one, with a warning
        s.get(DocumentTemplate, T.active_template(s, c1, "invitation", "party").id).docx = b"broken"
        r = T.draft(s, unit, "invitation", "party", c)
        assert r.template == "shipped" and r.warning and "mẫu chuẩn" in r.warning


def test_heading_form_saves_checks_and_feeds_the_documents(org, ctx, as_user, c1_admin):
    from engine.documents.heading import heading_for
    c1, c2 = unit_id(org, "C1"), unit_id(org, "C2")
    b = as_user(c1_admin)
    page = b.get(f"/admin/templates/?unit={c1}").get_data(as_text=True)
    assert 'id="derived-issuing_body">ĐẢNG ỦY XÃ MỘT<' in page and 'id="derived-place">Một<' in page  # derived
    values = {"unit": str(c1), "doc_format": "state", "doc_place": "Kỳ Thượng", "doc_signer_name": "Lê Văn Hùng",
              "doc_signing_form": "kt", "doc_signing_for": "CHỦ TỊCH", "doc_signer_title": "PHÓ CHỦ TỊCH",
              "doc_issuing_body": "", "doc_parent_body": "", "doc_issuer_abbr": ""}
    assert b.post("/admin/templates/heading", values).status_code == 302
    with transaction(org) as s:
        h = heading_for(s.get(OrgUnit, c1))
        assert (h.fmt, h.place, h.issuing_body, h.issuer_abbr) == ("state", "Kỳ Thượng", "ỦY BAN NHÂN DÂN XÃ MỘT", "UBND")
        assert h.signing_lines == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] and h.signer_name == "Lê Văn Hùng"
    for bad in ({"doc_format": "royal"}, {"doc_signing_form": "xx"}, {"doc_place": "x" * 200}):
        r = b.post("/admin/templates/heading", {**values, **bad})
        assert r.status_code == 400
    with transaction(org) as s:
        assert s.get(OrgUnit, c1).doc_format == "state" and s.get(OrgUnit, c1).doc_place == "Kỳ Thượng"
    assert b.post("/admin/templates/heading", {**values, "unit": str(c2)}).status_code == 404
    assert b.post("/admin/templates/heading", values, token=False).status_code == 400
    assert as_user("clerk1").post("/admin/templates/heading", values).status_code == 403
    with transaction(org) as s:
        assert s.get(OrgUnit, c2).doc_format is None
