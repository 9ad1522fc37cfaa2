"""Issue 11: auditors verify the audit log from the admin, for their scope, in Vietnamese
(English available); other roles are refused."""
from __future__ import annotations

import pytest
from sqlalchemy import text

CLEAN_VI = "Không phát hiện thay đổi nào sau khi ghi"


def test_the_auditor_sees_a_clean_log_and_the_page_is_in_the_navigation(as_user, data):
    b = as_user("pauditor")
    home = b.get("/").get_data(as_text=True)
    assert 'id="nav-audit"' in home and "/audit/verify" in home
    page = b.get("/audit/verify")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and CLEAN_VI in body and "Đã kiểm tra 4 đơn" in body
    b.lang("en")
    assert "No change after writing was found." in b.get("/audit/verify").get_data(as_text=True)


def test_findings_are_listed_one_line_per_problem_with_the_case_code_within_scope(org, as_user, data):
    with org.begin() as conn:  # behind the application's back: a case of C2 marked closed, one of C1's events edited
        conn.execute(text("UPDATE petitions SET state = 'closed' WHERE code = :c"), {"c": data["B"]})
        conn.execute(text("UPDATE events SET actor = 'mallory' WHERE seq = 1 AND petition_id = "
                          "(SELECT id FROM petitions WHERE code = :c)"), {"c": data["A1"]})
    body = as_user("pauditor").get("/audit/verify").get_data(as_text=True)
    assert CLEAN_VI not in body
    lines = [li for li in body.split("<li>")[1:]]
    assert any(data["B"] in li and "petitions.state" in li and "closed" in li for li in lines)
    assert any(data["A1"] in li and "#1" in li and "đã bị sửa sau khi ghi" in li for li in lines)
    c1 = as_user("c1auditor").get("/audit/verify").get_data(as_text=True)  # C1's auditor: C2's case is not theirs
    assert data["A1"] in c1 and data["B"] not in c1 and "Đã kiểm tra 3 đơn" in c1


@pytest.mark.parametrize("who", ["clerk1", "leader1", "dept1", "clerk2"])
def test_other_roles_are_refused(as_user, data, who):
    b = as_user(who)
    assert b.get("/audit/verify").status_code == 403
    assert 'id="nav-audit"' not in b.get("/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(browser, data):
    r = browser.get("/audit/verify")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
