"""The leader's backlog, cut from one narrow query for a commune-wide scope, must list the
same petitions in the same order as the three "by deadline" queries it replaced."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.persistence.db import transaction
from engine.persistence.models import Petition, User
from web import queries as Q


def reference(s, user, on, page, limit, per_page):
    base = Q.scoped(s, user)
    overdue = list(s.scalars(Q.by_deadline(base.where(Q.overdue_clause(on))).limit(limit)).unique())
    awaiting = list(s.scalars(Q.by_deadline(base.where(Petition.state == "received")).limit(limit)).unique())
    p = Q.paginate(s, Q.by_deadline(base.where(Petition.state.in_(("received", "in_resolution")))), page, per_page)
    return overdue, awaiting, p


def codes(items):
    return [p.code for p in items]


@pytest.mark.parametrize("on", [date(2026, 11, 20), date(2026, 12, 20), date(2027, 3, 1)])
def test_backlog_matches_the_by_deadline_queries(org, ctx, data, on):
    from engine.services import petitions as svc
    with transaction(org) as s:
        for i, day in enumerate(["2026-10-01", "2026-10-20", "2026-11-05", "2026-11-16", "2026-09-15"]):
            p = svc.add_petition(s, ctx, "C1" if i % 2 == 0 else "C2", f"Đơn {i}", received_on=day)
            if i == 1:
                svc.act(s, ctx, p.code, "conclude", "clerk2", {"notice_no": "1-TB", "department": "C2-D1"}, on="2026-11-06")
    with Session(org) as s:
        for username in ("leader1", "leader2", "pleader"):
            user = s.scalar(select(User).where(User.username == username))
            for page, limit, per_page in [(1, 100, 50), (1, 2, 2), (2, 2, 2), (3, 1, 2), (9, 1, 2)]:
                got = Q.backlog(s, user, on, page, limit=limit, per_page=per_page)
                want = reference(s, user, on, page, limit, per_page)
                assert [codes(got[0]), codes(got[1]), codes(got[2].items), got[2].page, got[2].has_next] == \
                       [codes(want[0]), codes(want[1]), codes(want[2].items), want[2].page, want[2].has_next], \
                       (username, page, limit, per_page)
            assert Q.backlog(s, user, on, 1)[2].items  # every leader here has open petitions


def test_backlog_page(as_user, data):
    body = as_user("leader1").get("/backlog").get_data(as_text=True)
    assert data["R"] in body and data["A1"] in body and data["B"] not in body


@pytest.mark.parametrize("username,path", [("leader1", "/backlog"), ("dept1", "/work")])
def test_kept_lists_show_a_write_at_once(as_user, data, org, ctx, username, path):
    """The backlog and /work keep their rendered lists under the data version (issue 20):
    asked again with nothing written, the same bytes; after any write, the write shows."""
    from engine.reports.cache import cache_for
    from engine.services import petitions as svc
    b = as_user(username)
    first = b.get(path).get_data(as_text=True)
    hits = cache_for(org).hits
    assert b.get(path).get_data(as_text=True) == first and cache_for(org).hits == hits + 1
    with transaction(org) as s:  # a new petition, assigned to the department at once
        p = svc.add_petition(s, ctx, "C1", "Kiến nghị mới sau lần xem trước", received_on="2026-11-03")
        svc.act(s, ctx, p.code, "conclude", "clerk1", {"notice_no": "9-TB", "department": "C1-D1"}, on="2026-11-04")
        code = p.code
    assert code not in first
    assert code in b.get(path).get_data(as_text=True)
    with transaction(org) as s:  # an edit of a row already shown
        s.scalar(select(Petition).where(Petition.code == code)).summary = "Tóm tắt đã sửa"
    assert "Tóm tắt đã sửa" in b.get(path).get_data(as_text=True)
