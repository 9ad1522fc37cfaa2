"""Duplicate letters in the admin: the clerk sees on the case page that the same person sent
a similar letter, opens the list of likely duplicates, marks the case as a duplicate (its
clocks stop), and a leader withdraws a wrong mark; the refusals (no reason, a master outside
scope, a role that does not mark, no CSRF token) change nothing."""
from __future__ import annotations

from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import Petition


def _again(org, ctx, unit="C1", summary="Đề nghị sửa chữa đường liên thôn bị hư hỏng"):
    from engine.services import petitions as svc
    with transaction(org) as s:
        return svc.add_petition(s, ctx, unit, summary, received_on="2026-11-16",
                                petitioners=[{"name": "NGUYEN VAN DUC", "address": "thôn 3", "phone": "+84912345678"}]).code


def _row(org, code):
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        return p.duplicate_of_id, p.version, p.clock("conclusion").status


def test_the_clerk_finds_marks_and_a_leader_withdraws(as_user, org, ctx, data):
    copy = _again(org, ctx)
    b = as_user("clerk1")
    page = b.get(f"/petitions/{copy}").get_data(as_text=True)
    assert 'id="duplicates"' in page and "Có 1 đơn của cùng người gửi giống đơn này." in page
    listing = b.get(f"/petitions/{copy}/duplicates").get_data(as_text=True)
    assert data["R"] in listing and "cùng người gửi" in listing and data["B"] not in listing
    assert "0912345678" not in listing and "Nguyễn Văn Đức" not in listing  # the list names cases, not people
    r = b.post(f"/petitions/{copy}/duplicate", {"master": data["R"], "reason": "Gửi lại cùng nội dung",
                                                   "version": "1"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/petitions/{copy}")
    assert _row(org, copy)[0] is not None and _row(org, copy)[2] == "cancelled"
    master_page = b.get(f"/petitions/{data['R']}").get_data(as_text=True)
    assert f'href="/petitions/{copy}"' in master_page and "Các đơn trùng với đơn này:" in master_page
    history = b.get(f"/petitions/{copy}").get_data(as_text=True)
    assert "Đánh dấu đơn trùng" in history and "mark_duplicate" not in history.split('id="history"')[1].replace(
        'data-action="mark_duplicate"', "")
    leader = as_user("leader1")
    leader.get(f"/petitions/{copy}/duplicates")
    r = leader.post(f"/petitions/{copy}/unduplicate", {"reason": "Khác nội dung", "version": "2"})
    assert r.status_code == 302 and _row(org, copy)[0] is None and _row(org, copy)[2] == "running"


def test_refusals_change_nothing(as_user, org, ctx, data):
    copy = _again(org, ctx)
    b = as_user("clerk1")
    b.get(f"/petitions/{copy}/duplicates")
    before = _row(org, copy)
    for form in ({"master": data["R"], "reason": ""}, {"master": data["B"], "reason": "x"},
                 {"master": "KN-KHONG-CO", "reason": "x"}, {"master": copy, "reason": "x"}):
        r = b.post(f"/petitions/{copy}/duplicate", form)
        assert r.status_code == 302 and r.headers["Location"].endswith(f"/petitions/{copy}/duplicates")
        assert _row(org, copy) == before
        shown = b.get(f"/petitions/{copy}/duplicates").get_data(as_text=True)
        assert 'class="flash flash-error"' in shown
    assert b.post(f"/petitions/{copy}/duplicate", {"master": data["R"], "reason": "x"}, token=False).status_code == 400
    for who in ("auditor", "dept1"):
        other = as_user(who)
        other.get("/")
        assert other.post(f"/petitions/{copy}/duplicate", {"master": data["R"], "reason": "x"}).status_code in (403, 404)
    assert _row(org, copy) == before
