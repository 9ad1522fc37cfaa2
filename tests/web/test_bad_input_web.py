"""Issue 11 through the web: huge numbers are a 400 with a message (never a 500), text past
its limit or made only of invisible characters is refused next to its field, nothing changes."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.persistence.models import Petition, ReceptionSession

HUGE = "99999999999999999999999"


def field_error(body, field):
    m = re.search(r'<span class="error" role="alert" data-field="%s">([^<]+)</span>' % re.escape(field), body)
    return m.group(1) if m else None


def counts(org):
    with transaction(org) as s:
        return s.scalar(select(func.count(ReceptionSession.id))), s.scalar(select(func.count(Petition.id)))


@pytest.mark.parametrize("user, url", [
    ("clerk1", "/petitions"), ("dept1", "/work"), ("leader1", "/backlog"), ("clerk1", "/inbox"),
    ("auditor", "/reports/ontime/items?unit=P&from=01/11/2026&to=20/11/2026&clock=conclusion&figure=met_on_time"),
])
def test_huge_page_number_is_400_not_500(as_user, data, user, url):
    b = as_user(user)
    sep = "&" if "?" in url else "?"
    r = b.get(f"{url}{sep}page={HUGE}")
    assert r.status_code == 400, (url, r.status_code)
    assert "100000" in r.get_data(as_text=True)
    assert b.get(f"{url}{sep}page=2").status_code in (200, 400)  # an ordinary page number is still read


def test_session_form_huge_numbers_and_long_text(as_user, org):
    b = as_user("clerk1")
    before = counts(org)
    r = b.post("/sessions/new", {"kind": "reception_periodic", "held_on": "16/11/2026", "people": str(10 ** 30),
                                 "groups": HUGE, "refused": "0",
                                 "rows-0-summary": "Đề nghị", "rows-0-group_size": str(10 ** 30)})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    for f in ("people", "groups", "group_size"):
        assert "1000000" in (field_error(body, f) or ""), f
    r = b.post("/sessions/new", {"kind": "reception_periodic", "held_on": "16/11/2026", "people": "1",
                                 "rows-0-summary": "x" * 100_000, "rows-0-group_size": "1"})
    assert r.status_code == 400
    assert "4000" in (field_error(r.get_data(as_text=True), "summary") or "")
    r = b.post("/sessions/new", {"kind": "reception_periodic", "held_on": "16/11/2026", "people": "1",
                                 "chair": "C" * 300, "rows-0-summary": "Đề nghị"})
    assert r.status_code == 400 and "255" in (field_error(r.get_data(as_text=True), "chair") or "")
    r = b.post("/sessions/new", {"kind": "reception_periodic", "held_on": "16/11/2026", "people": "1",
                                 "rows-0-summary": "\u200b\u200c\ufeff", "rows-0-name": "An"})
    assert r.status_code == 400 and field_error(r.get_data(as_text=True), "summary")
    assert counts(org) == before


def test_act_form_long_document_number(as_user, data, org):
    b = as_user("dept1")
    page = b.get(f"/petitions/{data['A1']}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    r = b.post(f"/petitions/{data['A1']}/act/resolve", {"document_no": "9" * 65, "version": version})
    assert r.status_code == 303
    body = b.get(r.headers["Location"]).get_data(as_text=True)
    assert "64" in (field_error(body, "document_no") or "")
    with transaction(org) as s:
        assert s.scalar(select(Petition.state).where(Petition.code == data["A1"])) == "in_resolution"


@pytest.mark.parametrize("query", ["year=²", "year=" + HUGE, "period=month&month=²", "period=month&month=" + HUGE])
def test_report_year_and_month_that_are_not_plain_numbers_are_400(as_user, data, query):
    b = as_user("auditor")
    r = b.get(f"/reports/appendix2?unit=P&{query}")
    assert r.status_code == 400, (query, r.status_code)
