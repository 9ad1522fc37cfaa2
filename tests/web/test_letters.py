"""Letters from the browser (issue 17): a clerk registers a letter, classifies it, and it
becomes a complaint or denunciation case; the case page shows its workflow's actions,
clocks, suspensions and extension caps; bad input, CSRF and scope refusals change nothing;
lists filter by workflow."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.persistence.models import ClockSuspension, Letter, Petition

FORM = {"received_on": "02/11/2026", "channel": "post", "summary": "Khiếu nại quyết định thu hồi đất",
        "name": "Hoàng Văn Em", "address": "Thôn 5", "phone": "0987654321", "signers": "3", "category": "land"}


def n_cases(org):
    with transaction(org) as s:
        return s.scalar(select(func.count(Petition.id)))


def register(b, **over):
    b.get("/letters/new")
    return b.post("/letters/new", dict(FORM, **over))


def code_from(r):
    return r.headers["Location"].rsplit("/", 1)[1]


def act(b, code, action, **fields):
    page = b.get(f"/petitions/{code}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    r = b.post(f"/petitions/{code}/act/{action}", dict(fields, version=version))
    assert r.status_code in (302, 303), r.status_code
    return r, b.get(f"/petitions/{code}").get_data(as_text=True)


def test_clerk_registers_classifies_and_accepts_a_letter(as_user, org):
    clerk = as_user("clerk1")
    r = register(clerk)
    assert r.status_code == 302
    code = code_from(r)
    page = clerk.get(f"/petitions/{code}").get_data(as_text=True)
    assert "Xử lý đơn" in page and "Qua bưu điện" in page and 'id="action-classify"' in page
    assert "16/11/2026" in page  # 10 working days from 02/11/2026
    listing = clerk.get("/letters").get_data(as_text=True)
    assert code in listing and "3 người ký" in listing

    _, page = act(clerk, code, "classify", content="complaint", condition="eligible", competent="yes", signers="3")
    assert "Đã phân loại" in page and 'id="action-accept"' in page
    _, page = act(clerk, code, "accept", contested_on="20/10/2026")
    with transaction(org) as s:
        letter = s.scalar(select(Letter))
        opened = letter.case.code
        assert (letter.result, letter.case.workflow, letter.case.contested_on.isoformat()) == \
            ("accept", "complaint", "2026-10-20")
    assert opened in page and 'id="opened-case"' in page
    case_page = clerk.get(f"/petitions/{opened}").get_data(as_text=True)
    assert 'id="origin-letter"' in case_page and code in case_page and "Giải quyết khiếu nại" in case_page
    # the acceptance time: 10 working days from the letter's receipt (before 01/07/2026? no: 7 since then)
    assert "11/11/2026" in case_page  # 7 working days from 02/11/2026: 3,4,5,6,9,10,11

    leader = as_user("leader1")
    _, page = act(leader, opened, "accept", decision_no="31/QĐ-UBND", complex="yes")
    assert "phức tạp" in page
    # accepted 20/11/2026 + 45 days = Mon 04/01/2027
    assert "04/01/2027" in page
    _, page = act(leader, opened, "suspend", reason="Chờ giám định", decision_no="32/QĐ-UBND")
    assert 'data-suspensions="complaint_resolution"' in page and "Chờ giám định" in page and "Tạm đình chỉ" in page
    assert 'id="action-resume"' in page and 'id="action-resolve"' not in page


def test_bad_letter_forms_change_nothing(as_user, org):
    clerk = as_user("clerk1")
    before = n_cases(org)
    for over, field in [({"summary": ""}, "summary"), ({"received_on": "31/02/2026"}, "received_on"),
                        ({"received_on": "01/01/2030"}, "received_on"), ({"channel": "pigeon"}, "channel"),
                        ({"channel": "transferred"}, "transferred_from"), ({"signers": "-2"}, "signers"),
                        ({"summary": "x" * 100_000}, "summary")]:
        r = register(clerk, **over)
        assert r.status_code == 400, over
        assert f'data-field="{field}"' in r.get_data(as_text=True), over
    r = clerk.post("/letters/new", FORM, token=False)
    assert r.status_code == 400  # no CSRF token
    assert n_cases(org) == before


def test_letters_are_scoped(as_user, org):
    code = code_from(register(as_user("clerk1")))
    other = as_user("clerk2")
    assert other.get(f"/petitions/{code}").status_code == 404
    assert code not in other.get("/letters").get_data(as_text=True)
    assert as_user("dept1").get("/letters").status_code == 403
    assert as_user("dept1").get("/letters/new").status_code == 403
    assert as_user("leader1").get("/letters/new").status_code == 403
    assert code in as_user("auditor").get("/letters").get_data(as_text=True)


def test_lists_filter_by_workflow(as_user, org, data):
    clerk = as_user("clerk1")
    code = code_from(register(clerk))
    page = clerk.get("/petitions?workflow=letter").get_data(as_text=True)
    assert code in page and data["R"] not in page
    page = clerk.get("/petitions?workflow=regulation11").get_data(as_text=True)
    assert code not in page and data["R"] in page
    assert clerk.get("/petitions?workflow=bogus").status_code == 400


def test_extension_past_the_cap_is_refused_on_the_page(as_user, org, ctx):
    from engine.services import petitions as svc
    with transaction(org) as s:
        code = svc.add_petition(s, ctx, "C1", "Tố cáo cán bộ", received_on="02/11/2026", workflow="denunciation",
                                petitioners=[{"name": "Người tố cáo"}]).code
        svc.act(s, ctx, code, "accept", "leader1", {"decision_no": "40/QĐ"}, on="03/11/2026")
    leader = as_user("leader1")
    page = leader.get(f"/petitions/{code}").get_data(as_text=True)
    assert "Không được gia hạn." in page and "Điều 30.1" in page
    r, page = act(leader, code, "extend", reason="Phức tạp", days="10")
    assert "tối đa 0 lần" in page
    with transaction(org) as s:
        p = s.scalar(select(Petition).where(Petition.code == code))
        assert p.clock("denunciation_resolution").extensions == 0
        assert s.scalar(select(func.count(ClockSuspension.id))) == 0
