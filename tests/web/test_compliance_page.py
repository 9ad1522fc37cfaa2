"""The compliance page (issue 14): a province sees its communes side by side, every figure is
a link to the sessions behind it, downloads, roles and scope, bad parameters."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import OrgUnit, ReceptionSession
from engine.reports.compliance import compliance_report
from tests.conftest import NOW

CELL = re.compile(r'<tr data-unit="([A-Z0-9-]+)" data-obligation="([a-z_]+)">(.*?)</tr>', re.S)
FIG = re.compile(r'<td class="num" data-figure="([a-z]+)">(?:<a href="([^"]+)"[^>]*>(\d+)</a>|(0))</td>')


@pytest.fixture
def sessions(org):
    def add(s, unit, on, role, status="held"):
        uid = s.scalar(select(OrgUnit.id).where(OrgUnit.code == unit))
        s.add(ReceptionSession(unit_id=uid, kind="reception_periodic", held_on=on, planned_on=on, chair_role=role,
                               status=status, place="Hội trường"))
    with transaction(org) as s:
        add(s, "C1", date(2026, 2, 5), "party_secretary")
        add(s, "C1", date(2026, 2, 3), "ubnd_chair")
        add(s, "C1", date(2026, 2, 11), "ubnd_chair")
        add(s, "C1", date(2026, 2, 27), "ubnd_chair", status="planned")  # passed unrecorded: missed
        add(s, "P", date(2026, 2, 12), "party_secretary")
    return org


def rows(body: str) -> dict:
    out = {}
    for unit, key, cells in CELL.findall(body):
        out[(unit, key)] = {f: (int(n or z), unescape(h) if h else None) for f, h, n, z in FIG.findall(cells)}
    return out


def test_the_province_sees_its_communes_and_drills_down(as_user, sessions, org):
    b = as_user("auditor")
    r = b.get("/reports/compliance?unit=P&period=month&year=2026&month=2")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    got = rows(body)
    with transaction(org) as s:
        rep = compliance_report(s, "P", "2026-02-01", "2026-02-28", as_of=NOW.date())
    assert {(x.unit, x.obligation) for x in rep.rows} == set(got)  # C1, C2 and P side by side
    for x in rep.rows:
        for f in ("required", "planned", "held", "missed", "cancelled", "shortfall"):
            assert got[(x.unit, x.obligation)][f][0] == getattr(x, f), (x.unit, x.obligation, f)
    c1 = got[("C1", "ubnd_chair_reception_commune")]
    assert c1["required"][0] == 3 and c1["held"][0] == 2 and c1["missed"][0] == 1 and c1["shortfall"][0] == 1
    assert "Bí thư cấp ủy cấp xã tiếp dân định kỳ" in body and "tính đến ngày 20/11/2026" in body
    # the missed figure lists the session of 27/02, linked to its page
    items = b.get(c1["missed"][1])
    assert items.status_code == 200
    text = items.get_data(as_text=True)
    assert text.count("data-item") == 1 and "27/02/2026" in text and 'data-status="missed"' in text
    held = b.get(c1["held"][1]).get_data(as_text=True)
    assert held.count("data-item") == 2 and "03/02/2026" in held and "11/02/2026" in held


def test_downloads(as_user, sessions):
    b = as_user("auditor")
    r = b.c.get("/reports/compliance?unit=P&period=q1&year=2026&format=csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    assert table[0][0] == "Đơn vị" and any(row[0] == "Xã Hai (C2)" for row in table)
    r = b.c.get("/reports/compliance?unit=P&period=q1&year=2026&format=xlsx")  # raw client: not text
    ws = load_workbook(io.BytesIO(r.get_data())).active
    assert ws.cell(4, 1).value == "Đơn vị" and ws.cell(5, 1).value == "Tỉnh Thử (P)"


def test_roles_scope_and_bad_input(as_user, sessions):
    clerk = as_user("clerk1")
    assert clerk.get("/reports/compliance?unit=C1&period=month&year=2026&month=2").status_code == 200
    assert clerk.get("/reports/compliance?unit=C2&period=month&year=2026&month=2").status_code == 404  # not in scope
    assert clerk.get("/reports/compliance/items?unit=C2&obligation=party_head_reception_commune&figure=held"
                     "&period=month&year=2026&month=2").status_code == 404
    assert as_user("dept1").get("/reports/compliance?unit=C1").status_code == 403
    auditor = as_user("auditor")
    r = auditor.get("/reports/compliance?unit=P&period=custom&from=31/03/2026&to=01/01/2026")
    assert r.status_code == 400 and "31/03/2026" in r.get_data(as_text=True)
    r = auditor.get("/reports/compliance/items?unit=C1&obligation=nope&figure=held&period=month&year=2026&month=2")
    assert r.status_code == 400 and "nope" in r.get_data(as_text=True)
    r = auditor.get("/reports/compliance/items?unit=C1&obligation=party_head_reception_commune&figure=x&period=year")
    assert r.status_code == 400
    r = auditor.get("/reports/compliance?unit=P&period=year&year=2026&format=pdf")
    assert r.status_code == 400
