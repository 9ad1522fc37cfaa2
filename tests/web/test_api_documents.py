"""Documents over the API (issue 15 / 19): the conclusion notice issued all or none with a
stale version refusing it (412, the item named), the register listed and read in scope (404
outside it), files only for readers allowed to see what they hold."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import Document, OutboxMessage, Petition
from tests.web.test_api import api, is_problem  # noqa: F401  (fixtures and helpers of the API tests)


@pytest.fixture(autouse=True)
def files(tmp_path, monkeypatch):
    from config import get_settings
    monkeypatch.setenv("PETITIONS_FILES_DIR", str(tmp_path / "files"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def open_session(org, ctx):
    from engine.services import petitions as svc
    from engine.services.sessions import add_session
    with transaction(org) as s:
        rs = add_session(s, "C1", "reception_periodic", "2026-11-09", people=2, chair="Bí thư")
        codes = [svc.add_petition(s, ctx, "C1", summary, received_on="2026-11-09", session_id=rs.id,
                                  petitioners=[{"name": "Nguyễn Văn Đức"}]).code
                 for summary in ("Đề nghị sửa đường liên thôn", "Tranh chấp ranh giới đất")]
    return rs.id, codes


def _versions(org, codes):
    with transaction(org) as s:
        return {c: s.scalar(select(Petition.version).where(Petition.code == c)) for c in codes}


def test_issue_a_conclusion_notice_over_the_api(org, api, open_session):
    session_id, codes = open_session
    v = _versions(org, codes)
    clerk = api("clerk1", "en")
    body = {"session": session_id, "items": [
        {"code": codes[0], "department": "C1-D1", "direction": "Kiểm tra hiện trường", "version": v[codes[0]]},
        {"code": codes[1], "department": "C1-D2", "version": v[codes[1]]}]}
    r = clerk.post("/api/v1/documents/conclusion-notices", json=body)
    assert r.status_code == 201, r.get_data(as_text=True)
    doc = r.get_json()
    assert doc["number_text"] == "01-TB/ĐU" and doc["status"] == "issued" and len(doc["items"]) == 2
    assert [i["department"] for i in doc["items"]] == ["C1-D1", "C1-D2"] and all(i["due_date"] for i in doc["items"])
    with transaction(org) as s:
        assert {s.scalar(select(Petition.state).where(Petition.code == c)) for c in codes} == {"in_resolution"}
        assert s.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "assignment")) is not None
    # read, list, download in scope; 404 outside
    assert clerk.get(f"/api/v1/documents/{doc['id']}").get_json()["file_sha256"] == doc["file_sha256"]
    listed = clerk.get("/api/v1/documents?type=notice").get_json()
    assert [d["id"] for d in listed["items"]] == [doc["id"]]
    f = clerk.get(f"/api/v1/documents/{doc['id']}/file")
    assert f.status_code == 200 and f.data[:2] == b"PK"
    import hashlib
    assert hashlib.sha256(f.data).hexdigest() == doc["file_sha256"]
    for who in ("clerk2", "deptc2"):
        other = api(who)
        is_problem(other.get(f"/api/v1/documents/{doc['id']}"), 404)
        is_problem(other.get(f"/api/v1/documents/{doc['id']}/file"), 404)
        assert other.get("/api/v1/documents").get_json()["items"] == []
    assert api("dept1").get(f"/api/v1/documents/{doc['id']}").status_code == 200  # it was assigned an item


def test_a_stale_version_refuses_the_whole_notice(org, api, open_session, ctx):
    from engine.services import petitions as svc
    session_id, codes = open_session
    v = _versions(org, codes)
    with transaction(org) as s:  # someone acts on the second case after the client read it
        svc.act(s, ctx, codes[1], "answer_at_meeting", "clerk1", {"note": "Đã trả lời"}, on="2026-11-09")
    body = {"session": session_id, "items": [{"code": c, "department": "C1-D1", "version": v[c]} for c in codes]}
    r = api("clerk1", "en").post("/api/v1/documents/conclusion-notices", json=body)
    problem = is_problem(r, 412)
    assert codes[1] in problem["detail"] and "No petition was concluded" in problem["detail"]
    with transaction(org) as s:
        assert s.scalar(select(Petition.state).where(Petition.code == codes[0])) == "received"
        assert s.scalar(select(Document.id).where(Document.status == "issued")) is None
    # without versions the server's view is taken: the answered case is no longer open
    r = api("clerk1").post("/api/v1/documents/conclusion-notices",
                           json={"session": session_id, "items": [{"code": c, "department": "C1-D1"} for c in codes]})
    assert r.status_code in (400, 409) and codes[1] in r.get_json()["detail"]


def test_refusals_of_the_conclusion_notice(org, api, open_session):
    session_id, codes = open_session
    clerk = api("clerk1")
    for body, status in (({"session": session_id, "items": []}, 400),
                         ({"session": session_id, "items": [{"code": codes[0], "department": "C2-D1"}]}, 400),
                         ({"session": session_id, "items": [{"code": "KN-X-2026-000001", "department": "C1-D1"}]}, 404),
                         ({"session": 999999, "items": [{"code": codes[0], "department": "C1-D1"}]}, 404),
                         ({"session": session_id, "items": [{"code": codes[0], "department": "C1-D1"}],
                           "on": "2099-01-01"}, 400)):
        is_problem(clerk.post("/api/v1/documents/conclusion-notices", json=body), status)
    is_problem(api("clerk2").post("/api/v1/documents/conclusion-notices",
                                  json={"session": session_id, "items": [{"code": codes[0], "department": "C1-D1"}]}),
               404)
    is_problem(api("auditor").post("/api/v1/documents/conclusion-notices",
                                   json={"session": session_id, "items": [{"code": codes[0], "department": "C1-D1"}]}),
               403)
    with transaction(org) as s:
        assert s.scalar(select(Document.id)) is None


def test_the_api_leaves_out_the_petitioner_for_auditors(org, api, open_session, ctx):
    from engine.documents import register as R
    from engine.services.common import user_by_name
    _session_id, codes = open_session
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == codes[0]))
        doc = R.draft(s, ctx, user_by_name(s, "clerk1"), "receipt_slip", petition_id=p.id)
        R.issue(s, ctx, user_by_name(s, "clerk1"), doc)
        doc_id = doc.id
    assert api("clerk1").get(f"/api/v1/documents/{doc_id}").get_json()["recipients"] == ["Nguyễn Văn Đức"]
    auditor = api("c1auditor")
    assert auditor.get(f"/api/v1/documents/{doc_id}").get_json()["recipients"] == []
    assert "Nguyễn Văn Đức" not in auditor.get("/api/v1/documents").get_data(as_text=True)
    is_problem(auditor.get(f"/api/v1/documents/{doc_id}/file"), 404)


def test_register_a_document_produced_elsewhere(org, api):
    """POST /documents: the PDF checked, the next number of the series, nothing written on a refusal."""
    import base64
    from tests.integration.test_documents_register import pdf_bytes
    clerk = api("clerk1")
    body = {"doc_type": "decision", "summary": "Quyết định thành lập tổ xác minh", "issued_on": "2026-11-16",
            "signer_name": "Nguyễn Văn Bí", "signer_title": "Bí thư", "recipients": ["Như trên", "Lưu VP"],
            "content_base64": base64.b64encode(pdf_bytes()).decode()}
    r = clerk.post("/api/v1/documents", json=body)
    assert r.status_code == 201, r.get_data(as_text=True)
    first = r.get_json()
    assert first["status"] == "registered" and first["number"] == 1 and first["doc_type"] == "decision"
    assert first["recipients"] == ["Như trên", "Lưu VP"] and r.headers["Location"].endswith(f"/{first['id']}")
    assert clerk.get(f"/api/v1/documents/{first['id']}/file").data[:5] == b"%PDF-"
    second = clerk.post("/api/v1/documents", json=body).get_json()
    assert second["number"] == 2  # the series goes on, gapless
    refusals = [dict(body, content_base64="not base64!"), dict(body, content_base64=base64.b64encode(b"PK\x03\x04zip").decode()),
                dict(body, doc_type="receipt"), dict(body, summary=""), dict(body, issued_on="2099-01-01"),
                dict(body, extra="x")]
    for bad in refusals:
        is_problem(clerk.post("/api/v1/documents", json=bad), 400)
    is_problem(api("auditor").post("/api/v1/documents", json=body), 403)
    with transaction(org) as s:
        assert len(s.scalars(select(Document).where(Document.status == "registered")).all()) == 2
