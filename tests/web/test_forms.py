"""Actions through the services, bad input per form (message next to the field, nothing
changed), version conflicts explained."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.persistence.models import Event, Petition, ReceptionSession


def state(org, code):
    with transaction(org) as s:
        return s.scalar(select(Petition.state).where(Petition.code == code))


def events(org, code):
    with transaction(org) as s:
        pid = s.scalar(select(Petition.id).where(Petition.code == code))
        return s.scalar(select(func.count(Event.id)).where(Event.petition_id == pid))


def ver(b, code):
    page = b.get(f"/petitions/{code}").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def field_error(body, field):
    m = re.search(r'<span class="error" role="alert" data-field="%s">([^<]+)</span>' % re.escape(field), body)
    return m.group(1) if m else None


def refused(b, r) -> str:
    """A refused form redirects back to the case page (Post/Redirect/Get); the page it lands on."""
    assert r.status_code == 303, r.status_code
    return b.get(r.headers["Location"]).get_data(as_text=True)


def test_department_records_the_written_result(as_user, data, org):
    b = as_user("dept1")
    r = b.post(f"/petitions/{data['A1']}/act/resolve", {"document_no": "45/UBND", "outcome": "Đã trả lời", "version": ver(b, data["A1"]),
                                                         "on": "19/11/2026"})
    assert r.status_code == 302
    assert state(org, data["A1"]) == "resolved"
    body = b.get(f"/petitions/{data['A1']}").get_data(as_text=True)
    assert "45/UBND" in body and "Đã thực hiện" in body


def test_missing_required_field_is_shown_next_to_it(as_user, data, org):
    b = as_user("dept1")
    before = events(org, data["A1"])
    r = b.post(f"/petitions/{data['A1']}/act/resolve", {"document_no": "  "})
    assert field_error(refused(b, r), "document_no") == "Thông tin này là bắt buộc."
    assert state(org, data["A1"]) == "in_resolution" and events(org, data["A1"]) == before
    b.lang("en")
    r = b.post(f"/petitions/{data['A1']}/act/resolve", {})
    assert field_error(refused(b, r), "document_no") == "This field is required."


def test_extend_bad_inputs(as_user, data, org):
    b = as_user("leader1")
    url = f"/petitions/{data['A1']}/act/extend"
    r = b.post(url, {"reason": "Phức tạp", "days": "abc"})
    assert field_error(refused(b, r), "days")
    r = b.post(url, {"reason": "Phức tạp", "days": "5", "until": "31/12/2026"})
    assert "đúng một" in refused(b, r)
    r = b.post(url, {"reason": "Phức tạp", "until": "31/02/2026"})
    assert field_error(refused(b, r), "until")
    r = b.post(url, {"reason": "Phức tạp", "days": "5", "on": "01/01/2030"})
    assert field_error(refused(b, r), "on")
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == data["A1"]))
        assert p.clock("resolution").extensions == 0


def test_leader_extends_and_escalates(as_user, data, org):
    b = as_user("leader1")
    r = b.post(f"/petitions/{data['A1']}/act/extend", {"reason": "Cần xác minh", "days": "10", "version": ver(b, data["A1"])})
    assert r.status_code == 302
    body = b.get(f"/petitions/{data['A1']}").get_data(as_text=True)
    assert 'data-flag="extended"' in body and "đã gia hạn 1 lần" in body
    r = b.post(f"/petitions/{data['A2']}/act/escalate", {"reason": "Vượt thẩm quyền", "version": ver(b, data["A2"])})
    assert r.status_code == 302
    assert state(org, data["A2"]) == "escalated"
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == data["A2"]))
        assert p.escalated_to is not None and p.escalated_to.unit.code == "P"


def test_version_conflict_is_explained(as_user, data, org):
    dept, leader = as_user("dept1"), as_user("leader1")
    page = dept.get(f"/petitions/{data['A1']}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert leader.post(f"/petitions/{data['A1']}/act/extend", {"reason": "x", "days": "3", "version": version}).status_code == 302
    r = dept.post(f"/petitions/{data['A1']}/act/resolve", {"document_no": "9/UBND", "version": version})
    assert "Người khác vừa xử lý đơn này" in refused(dept, r)
    assert state(org, data["A1"]) == "in_resolution"


def test_illegal_transition_is_a_message(as_user, data):
    b = as_user("clerk1")
    r = b.post(f"/petitions/{data['A1']}/act/conclude", {"notice_no": "1", "department": "C1-D1"})
    assert r.status_code == 403 or 'role="alert"' in refused(b, r)


def test_clerk_registers_a_dialogue_with_petitions(as_user, org):
    b = as_user("clerk1")
    assert 'name="rows-2-summary"' in b.get("/sessions/new").get_data(as_text=True)
    form = {"kind": "dialogue_thematic", "held_on": "16/11/2026", "chair": "Bí thư Đảng ủy", "people": "12", "groups": "1",
            "refused": "0",
            "rows-0-summary": "Đề nghị làm đường", "rows-0-name": "Nguyễn Văn An", "rows-0-category": "infrastructure",
            "rows-0-kind": "petition", "rows-0-group_size": "1",
            "rows-1-summary": "Hỏi chính sách BHYT", "rows-1-name": "Trần Thị Bích", "rows-1-category": "social_policy",
            "rows-1-kind": "feedback", "rows-1-group_size": "1", "rows-1-answered": "1",
            "rows-1-answer_note": "Đã giải thích tại buổi đối thoại",
            "rows-2-summary": "", "rows-2-name": "",
            "rows-7-summary": "Tranh chấp đất", "rows-7-name": "Lê Văn Cường", "rows-7-category": "land",
            "rows-7-kind": "complaint", "rows-7-group_size": "6"}
    r = b.post("/sessions/new", form)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with transaction(org) as s:
        rs = s.scalar(select(ReceptionSession).order_by(ReceptionSession.id.desc()))
        ps = list(s.scalars(select(Petition).where(Petition.session_id == rs.id).order_by(Petition.id)))
        assert rs.kind == "dialogue_thematic" and rs.people == 12
        assert [p.state for p in ps] == ["received", "answered", "received"]
        assert ps[2].is_group and ps[2].kind == "complaint"


def test_session_form_bad_input_changes_nothing(as_user, org):
    b = as_user("clerk1")
    with transaction(org) as s:
        n = s.scalar(select(func.count(ReceptionSession.id)))
    r = b.post("/sessions/new", {"kind": "reception_periodic", "held_on": "32/13/2026", "people": "-1",
                                 "rows-0-name": "Nguyễn Văn An", "rows-0-summary": "",
                                 "rows-1-summary": "OK", "rows-1-group_size": "0",
                                 "rows-2-summary": "X", "rows-2-answered": "1"})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    for f in ("held_on", "people", "summary", "group_size", "answer_note"):
        assert field_error(body, f), f
    assert 'value="Nguyễn Văn An"' in body  # what was typed is kept
    r = b.post("/sessions/new", {"kind": "bogus", "held_on": "01/01/2030"})
    assert r.status_code == 400 and field_error(r.get_data(as_text=True), "kind")
    assert field_error(r.get_data(as_text=True), "held_on")
    with transaction(org) as s:
        assert s.scalar(select(func.count(ReceptionSession.id))) == n


def test_batch_conclusion_assigns_each_department(as_user, org, ctx):
    from engine.services import petitions as svc
    codes = []
    with transaction(org) as s:
        for i in range(3):
            codes.append(svc.add_petition(s, ctx, "C1", f"Kiến nghị {i}", received_on="2026-11-10").code)
    b = as_user("clerk1")
    page = b.get("/conclusions").get_data(as_text=True)
    assert all(c in page for c in codes)
    r = b.post("/conclusions", {"notice_no": "", "on": "18/11/2026", "pick": codes[:2]})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert field_error(body, "notice_no") and field_error(body, f"dept-{codes[0]}")
    r = b.post("/conclusions", {"notice_no": "25-TB/ĐU", "on": "18/11/2026", "pick": codes[:2],
                                f"dept-{codes[0]}": "C1-D1", f"dept-{codes[1]}": "C1-D2", f"dept-{codes[2]}": "C1-D1"})
    assert r.status_code == 302
    with transaction(org) as s:
        got = {p.code: (p.state, p.department.code if p.department else None, p.notice_no)
               for p in s.scalars(select(Petition).where(Petition.code.in_(codes)))}
    assert got[codes[0]] == ("in_resolution", "C1-D1", "25-TB/ĐU")
    assert got[codes[1]] == ("in_resolution", "C1-D2", "25-TB/ĐU")
    assert got[codes[2]] == ("received", None, None)


def test_batch_conclusion_is_all_or_nothing(as_user, org, ctx):
    from engine.services import petitions as svc
    with transaction(org) as s:
        a = svc.add_petition(s, ctx, "C1", "Một", received_on="2026-11-10").code
        c = svc.add_petition(s, ctx, "C1", "Hai", received_on="2026-11-10").code
    b = as_user("clerk1")
    b.get("/conclusions")
    r = b.post("/conclusions", {"notice_no": "26", "on": "18/11/2026", "pick": [a, c], f"dept-{a}": "C1-D1",
                                f"dept-{c}": "C2-D1"})  # another commune's department
    assert r.status_code == 400
    assert state(org, a) == "received" and state(org, c) == "received"


def test_filters_reject_bad_dates(as_user, data):
    r = as_user("auditor").get("/overview?date_from=99/99/2026&state=nope")
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert field_error(body, "date_from") and field_error(body, "state")


def test_search_ignores_accents_and_paginates(as_user, data, org, ctx):
    b = as_user("clerk1")
    for q in ("nguyen van duc", "Nguyễn Văn Đức", "NGUYEN VAN DUC", "duc"):
        assert data["R"] in b.get(f"/petitions?q={q}").get_data(as_text=True), q
    assert data["R"] not in b.get("/petitions?q=dung").get_data(as_text=True)
    from engine.services import petitions as svc
    with transaction(org) as s:
        for i in range(55):
            svc.add_petition(s, ctx, "C1", f"Đơn số {i}", received_on="2026-11-03")
    body = b.get("/petitions").get_data(as_text=True)
    assert 'rel="next"' in body and body.count('href="/petitions/KN-') == 50
    body = b.get("/petitions?page=2").get_data(as_text=True)
    assert 'rel="prev"' in body and 'rel="next"' not in body and body.count('href="/petitions/KN-') == 8
    assert b.get("/petitions?page=abc").status_code == 200


def test_inbox_read_unread(as_user, org, data):
    from engine.persistence.models import InboxItem, User
    with transaction(org) as s:
        uid = s.scalar(select(User.id).where(User.username == "dept1"))
        other = s.scalar(select(User.id).where(User.username == "dept2"))
        s.add(InboxItem(user_id=uid, kind="reminder", title="Sắp đến hạn", body="Còn 3 ngày"))
        s.add(InboxItem(user_id=other, kind="reminder", title="Của người khác"))
    b = as_user("dept1")
    body = b.get("/inbox").get_data(as_text=True)
    assert "Sắp đến hạn" in body and "Của người khác" not in body and "chưa đọc" in body
    item = re.search(r'data-item="(\d+)"', body).group(1)
    assert b.post(f"/inbox/{item}/read").status_code == 302
    assert "Sắp đến hạn" not in b.get("/inbox?show=unread").get_data(as_text=True)
    with transaction(org) as s:
        oid = s.scalar(select(InboxItem.id).where(InboxItem.user_id == other))
    assert b.post(f"/inbox/{oid}/read").status_code == 404
