"""A commune's leader follows the case it escalated: the originating case's page shows the
linked case at the level above — its unit, state, current deadline and outcome — read-only,
with no personal data, even though the leader cannot open the linked case itself."""
from __future__ import annotations

from engine.persistence.db import transaction
from engine.workflow.definition import load_workflow


def _escalate(org, ctx, code):
    from engine.services import petitions as svc
    with transaction(org) as s:
        res = svc.act(s, ctx, code, "escalate", "leader1", {"reason": "Vượt thẩm quyền cấp xã"}, on="2026-11-09")
        return res.created.code


def _panel(body):
    start = body.index('id="linked-case"')
    return body[start:body.index("</section>", start)]


def test_the_commune_leader_follows_the_escalated_case(as_user, org, ctx, data):
    from engine.services import petitions as svc
    up = _escalate(org, ctx, data["R"])
    b = as_user("leader1")
    assert b.get(f"/petitions/{up}").status_code == 404  # the province's case is not theirs to open
    panel = _panel(b.get(f"/petitions/{data['R']}").get_data(as_text=True))
    assert up in panel and "Tỉnh Thử" in panel and 'data-state="received"' in panel
    assert f'data-state="received">{load_workflow().state_label("received", "vi")}<' in panel
    assert "Nguyễn Văn Đức" not in panel and "0912345678" not in panel
    assert f'href="/petitions/{up}"' not in panel  # no link to a page that would answer 404
    with transaction(org) as s:
        due = svc.act(s, ctx, up, "conclude", "pclerk", {"notice_no": "5-TB/TU", "department": "P-D"},
                      on="2026-11-12").petition.clock("resolution").due_date
    panel = _panel(b.get(f"/petitions/{data['R']}").get_data(as_text=True))
    assert 'data-state="in_resolution"' in panel and due.strftime("%d/%m/%Y") in panel
    assert "Ban Nội chính tỉnh" in panel and "5-TB/TU" in panel
    with transaction(org) as s:
        svc.act(s, ctx, up, "resolve", "pclerk", {"document_no": "88/UBND", "outcome": "Đã trả lời công dân"},
                on="2026-11-19")
    panel = _panel(b.get(f"/petitions/{data['R']}").get_data(as_text=True))
    assert 'data-state="resolved"' in panel and "88/UBND" in panel and "Đã trả lời công dân" in panel
    assert "19/11/2026" in panel


def test_who_can_read_the_linked_case_gets_a_link(as_user, org, ctx, data):
    up = _escalate(org, ctx, data["R"])
    b = as_user("pleader")
    panel = _panel(b.get(f"/petitions/{data['R']}").get_data(as_text=True))
    assert f'href="/petitions/{up}"' in panel
    assert b.get(f"/petitions/{up}").status_code == 200


def test_a_case_not_escalated_has_no_panel(as_user, data):
    assert 'id="linked-case"' not in as_user("leader1").get(f"/petitions/{data['A1']}").get_data(as_text=True)
