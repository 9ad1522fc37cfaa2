"""A denouncer's identity on the pages (issue 17): the named handlers see it on the case page
and each showing is recorded (who, when, where); everyone else who reads the case sees
"Người tố cáo (được bảo vệ)"; the head names a handler from the page; the API never gives it;
the reveal log shows codes and names of staff, never the identity."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.persistence.models import IdentityReveal, User
from engine.services import petitions as svc
from tests.web.test_api import api  # noqa: F401  (the fixture)

NAME, PHONE = "Phan Thị Tố", "0915000444"


def _denunciation(org, ctx):
    with transaction(org) as s:
        clerk = s.scalar(select(User).where(User.username == "clerk1"))
        return svc.add_petition(s, ctx, "C1", "Tố cáo cán bộ thu tiền trái quy định", received_on="2026-11-16",
                                kind="denunciation", petitioners=[{"name": NAME, "phone": PHONE}], actor=clerk).code


def _reveals(org):
    with transaction(org) as s:
        return s.execute(select(User.username, IdentityReveal.channel).join(User, IdentityReveal.user_id == User.id)
                         .order_by(IdentityReveal.id)).all()


def test_handlers_see_and_are_recorded_others_see_protected(as_user, org, ctx, api):  # noqa: F811
    code = _denunciation(org, ctx)
    clerk = as_user("clerk1")
    page = clerk.get(f"/petitions/{code}").get_data(as_text=True)
    assert NAME in page and PHONE in page
    assert _reveals(org) == [("clerk1", "page")]
    for who in ("leader1", "admin", "pleader", "pclerk"):
        page = as_user(who).get(f"/petitions/{code}").get_data(as_text=True)
        assert NAME not in page and PHONE not in page and "Người tố cáo (được bảo vệ)" in page, who
    auditor = as_user("auditor").get(f"/petitions/{code}").get_data(as_text=True)
    assert NAME not in auditor and PHONE not in auditor
    assert len(_reveals(org)) == 1  # only a showing is recorded
    # the head names the department's officer from the page
    leader = as_user("leader1")
    page = leader.get(f"/petitions/{code}").get_data(as_text=True)
    assert 'id="handlers"' in page and 'value="dept1"' in page
    r = leader.post(f"/petitions/{code}/handlers", {"handler": "dept1", "version": "1"})
    assert r.status_code == 302
    with transaction(org) as s:  # the department sees it once the case is assigned to it
        svc.act(s, ctx, code, "conclude", "clerk1", {"notice_no": "3-TB/ĐU", "department": "C1-D1"}, on="2026-11-18")
    dept = as_user("dept1").get(f"/petitions/{code}").get_data(as_text=True)
    assert NAME in dept and _reveals(org)[-1] == ("dept1", "page")
    assert NAME not in leader.get(f"/petitions/{code}").get_data(as_text=True)
    # the API never gives it, even to a handler
    body = api("clerk1").get(f"/api/v1/cases/{code}").get_json()
    assert body["identity_protected"] is True and NAME not in str(body) and PHONE not in str(body)
    # the log names staff and cases, never the identity
    log = as_user("auditor").get("/audit/identity-reveals").get_data(as_text=True)
    assert code in log and "Clerk1" in log and NAME not in log and PHONE not in log
    assert as_user("clerk1").get("/audit/identity-reveals").status_code == 403


def test_naming_refusals_change_nothing(as_user, org, ctx):
    code = _denunciation(org, ctx)
    leader = as_user("leader1")
    leader.get(f"/petitions/{code}")
    for form in ({"handler": "deptc2"}, {"handler": ""}, {"handler": "clerk1"}):
        r = leader.post(f"/petitions/{code}/handlers", form)
        assert r.status_code == 302
        assert 'flash-error' in leader.get(f"/petitions/{code}").get_data(as_text=True)
    assert leader.post(f"/petitions/{code}/handlers", {"handler": "dept1"}, token=False).status_code == 400
    clerk = as_user("clerk1")
    clerk.get(f"/petitions/{code}")
    assert clerk.post(f"/petitions/{code}/handlers", {"handler": "dept1"}).status_code == 403
    with transaction(org) as s:
        from engine.persistence.models import CaseHandler
        assert s.scalar(select(func.count(CaseHandler.id))) == 1
