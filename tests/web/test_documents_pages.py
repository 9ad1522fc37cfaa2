"""Issue 15 in the admin: from a held session to an issued, numbered conclusion notice in a
few clicks (the departments told), the register (search, print, CSV/XLSX), uploads with
clear refusals, CSRF, and scope: a user of another unit gets 404 on every document URL."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfWriter
from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import Document, OrgUnit, OutboxMessage, Petition, User


@pytest.fixture(autouse=True)
def files(tmp_path, monkeypatch):
    from config import get_settings
    monkeypatch.setenv("PETITIONS_FILES_DIR", str(tmp_path / "files"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _pdf() -> bytes:
    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _issue_conclusion(org, data, clerk) -> int:
    r = clerk.get(f"/sessions/{data['session']}")
    assert r.status_code == 200 and f"/documents/conclusion/{data['session']}" in r.get_data(as_text=True)
    r = clerk.get(f"/documents/conclusion/{data['session']}")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and data["R"] in page
    with transaction(org) as s:
        d1 = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "C1-D1"))
    r = clerk.post(f"/documents/conclusion/{data['session']}",
                   {"pick": data["R"], f"dept-{data['R']}": str(d1), f"dir-{data['R']}": "Kiểm tra, trả lời bằng văn bản"})
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    doc_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = clerk.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "Kiểm tra, trả lời bằng văn bản" in page and 'id="doc-issue"' in page
    r = clerk.post(f"/documents/{doc_id}/issue", {})
    assert r.status_code == 303
    return doc_id


def test_from_held_session_to_issued_notice_and_the_register(org, data, as_user):
    clerk = as_user("clerk1")
    doc_id = _issue_conclusion(org, data, clerk)
    page = clerk.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "01-TB/ĐU" in page and "Đã ban hành văn bản số 01-TB/ĐU" in page
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == data["R"]))
        assert p.state == "in_resolution" and p.notice_no == "01-TB/ĐU"
        told = {s.get(User, m.recipient_user_id).username for m in
                s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "assignment"))}
        assert told == {"dept1"}
    r = clerk.c.get(f"/documents/{doc_id}/file")
    assert r.status_code == 200 and r.data[:2] == b"PK" and "attachment" in r.headers["Content-Disposition"]
    # the register: listed, searchable, printable, exportable
    reg = clerk.get("/documents").get_data(as_text=True)
    assert "01-TB/ĐU" in reg
    assert "01-TB/ĐU" in clerk.get("/documents?q=01-tb").get_data(as_text=True)
    assert "01-TB/ĐU" not in clerk.get("/documents?type=report").get_data(as_text=True)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in clerk.get("/documents?print=1").get_data(as_text=True)
    csv = clerk.c.get("/documents?format=csv").data.decode("utf-8-sig")
    assert "01-TB/ĐU" in csv and "Thông báo" in csv and "20/11/2026" in csv
    wb = load_workbook(io.BytesIO(clerk.c.get("/documents?format=xlsx").data))
    assert any(c.value == "01-TB/ĐU" for row in wb.active.iter_rows() for c in row)
    assert clerk.get("/documents?year=abc").status_code == 400
    # the issued notice cannot be issued again
    clerk.post(f"/documents/{doc_id}/issue", {})
    with transaction(org) as s:
        assert s.scalar(select(Document.number).where(Document.id == doc_id)) == 1


def test_every_document_url_is_404_outside_scope(org, data, as_user):
    doc_id = _issue_conclusion(org, data, as_user("clerk1"))
    for who in ("clerk2", "leader2", "deptc2", "dept2"):
        b = as_user(who)
        for url in (f"/documents/{doc_id}", f"/documents/{doc_id}/file", f"/documents/{doc_id}/pdf",
                    f"/documents/{doc_id}/preview"):
            assert b.c.get(url).status_code in (403, 404), (who, url)
        for url in (f"/documents/{doc_id}/issue", f"/documents/{doc_id}/correct"):
            assert b.post(url, {}).status_code in (403, 404), (who, url)
        assert "01-TB/ĐU" not in b.get("/documents").get_data(as_text=True) if who != "dept2" else True
    # the assigned department reads the notice that assigned it
    assert as_user("dept1").get(f"/documents/{doc_id}").status_code == 200
    assert as_user("clerk2").get(f"/documents/conclusion/{data['session']}").status_code == 404
    assert as_user("clerk1").get("/documents/999999").status_code == 404


def test_csrf_is_required_to_issue(org, data, as_user, app):
    clerk = as_user("clerk1")
    with transaction(org) as s:
        d1 = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "C1-D1"))
    r = clerk.post(f"/documents/conclusion/{data['session']}", {"pick": data["R"], f"dept-{data['R']}": str(d1)})
    doc_id = int(r.headers["Location"].rsplit("/", 1)[1])
    app.config["WTF_CSRF_ENABLED"] = True
    r = clerk.post(f"/documents/{doc_id}/issue", {}, token=False)
    assert r.status_code == 400
    with transaction(org) as s:
        assert s.get(Document, doc_id).status == "draft"


def test_conclusion_form_refusals_change_nothing(org, data, as_user):
    clerk = as_user("clerk1")
    url = f"/documents/conclusion/{data['session']}"
    for form in ({}, {"pick": data["R"]}, {"pick": data["R"], f"dept-{data['R']}": "999999"},
                 {"pick": "KN-XX-2026-000001"}):
        r = clerk.post(url, form)
        assert r.status_code == 400 and 'role="alert"' in r.get_data(as_text=True)
    with transaction(org) as s:
        assert s.scalar(select(Document.id)) is None


def test_upload_a_pdf_and_its_refusals(org, data, as_user):
    clerk = as_user("clerk1")
    page = clerk.get("/documents/upload").get_data(as_text=True)
    assert "số tiếp theo 01" in page
    r = clerk.post("/documents/upload", {"doc_type": "invitation", "summary": "Giấy mời dự hội nghị đối thoại",
                                         "issued_on": "18/11/2026", "signer_name": "Nguyễn Văn An",
                                         "file": (io.BytesIO(_pdf()), "giay-moi.pdf")},
                   content_type="multipart/form-data")
    assert r.status_code == 303
    doc_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert "01-GM/ĐU" in clerk.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert clerk.c.get(f"/documents/{doc_id}/file").data == _pdf() or \
        clerk.c.get(f"/documents/{doc_id}/file").data[:5] == b"%PDF-"
    for content, expect in ((b"", "Chưa chọn tệp PDF"), (b"PK\x03\x04xx", "không phải là PDF"),
                            (b"%PDF-1.4 broken", "bị hỏng")):
        r = clerk.post("/documents/upload", {"doc_type": "invitation", "summary": "Giấy mời",
                                             "file": (io.BytesIO(content), "x.pdf")},
                       content_type="multipart/form-data")
        assert r.status_code == 400 and expect in r.get_data(as_text=True), expect
    r = clerk.post("/documents/upload", {"doc_type": "invitation", "summary": "",
                                         "file": (io.BytesIO(_pdf()), "x.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 400
    with transaction(org) as s:
        assert len(list(s.scalars(select(Document.id)))) == 1
    # an auditor reads the register but may not register
    assert as_user("auditor").get("/documents/upload").status_code == 403
    assert as_user("auditor").get("/documents").status_code == 200


def test_draft_other_kinds_from_the_new_page(org, data, as_user):
    clerk = as_user("clerk1")
    r = clerk.post("/documents/new", {"kind": "receipt_slip", "petition": data["R"]})
    assert r.status_code == 303
    doc_id = int(r.headers["Location"].rsplit("/", 1)[1])
    r = clerk.c.get(f"/documents/{doc_id}/preview")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    r = clerk.post("/documents/new", {"kind": "schedule_notice", "period": "2026-13"})
    assert r.status_code == 400
    r = clerk.post("/documents/new", {"kind": "written_answer", "petition": "nope"})
    assert r.status_code == 400
    dept = as_user("dept1")
    assert dept.post("/documents/new", {"kind": "receipt_slip", "petition": data["R"]}).status_code == 400


def test_the_petitioner_a_document_is_addressed_to_is_personal_data(org, data, as_user):
    clerk = as_user("clerk1")
    r = clerk.post("/documents/new", {"kind": "receipt_slip", "petition": data["R"]})
    doc_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert clerk.post(f"/documents/{doc_id}/issue", {}).status_code == 303
    name = "Nguyễn Văn Đức"  # the petitioner of R, the slip's recipient
    assert name in clerk.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert name in clerk.c.get("/documents?format=csv").data.decode("utf-8-sig")
    auditor = as_user("c1auditor")
    for url in ("/documents", "/documents?print=1", f"/documents/{doc_id}"):
        page = auditor.get(url).get_data(as_text=True)
        assert name not in page and "dữ liệu cá nhân" in page, url
    assert name not in auditor.c.get("/documents?format=csv").data.decode("utf-8-sig")
    assert auditor.c.get(f"/documents/{doc_id}/file").status_code == 404
