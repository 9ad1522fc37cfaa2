"""The letter-handling report page (TT 02/2021/TT-TTCP, issue 17): the figures the engine
counts, each a link to the letters behind it; CSV and XLSX downloads; roles and unit scope (a
commune's clerk never sees another commune's letters); bad parameters refused with a clear
message; no denouncer's name in the page, its downloads or its drill-downs, for any role."""
from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from engine.persistence.db import transaction
from engine.reports.letters import FIGURES, letters_report
from tests.integration.test_letters_report import C1_Q2, C2_Q2, DENOUNCERS, letters  # noqa: F401 (the fixture)

Q2 = "period=custom&from=2026-04-01&to=2026-06-30"
ROW = re.compile(r'<tr data-unit="([A-Za-z0-9-]+)">(.*?)</tr>', re.S)
FIG = re.compile(r'<td class="num" data-figure="([a-z_]+)">(?:<a href="([^"]+)">(\d+)</a>|(0))</td>')


def table(body: str) -> dict:
    return {unit: {f: (int(n or z), unescape(h) if h else None) for f, h, n, z in FIG.findall(cells)}
            for unit, cells in ROW.findall(body)}


def test_the_page_shows_the_engine_figures_and_every_figure_opens_its_letters(as_user, letters, org):
    b = as_user("auditor")
    r = b.get(f"/reports/letters?unit=P&{Q2}")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    got = table(body)
    with transaction(org) as s:
        rep = letters_report(s, "P", "2026-04-01", "2026-06-30")
    assert set(got) == {"P", "C1", "C2", "total"}
    for row in rep.rows:
        assert {f: got[row.unit][f][0] for f in FIGURES} == row.figures
    assert {f: n for f, (n, _) in got["C1"].items() if n} == C1_Q2
    assert {f: got["total"][f][0] for f in FIGURES} == rep.total.figures
    assert "Kết quả xử lý đơn" in body and "Điều 29" in body and "tình trạng tính đến ngày 30/06/2026" in body
    for unit, cells in got.items():
        for f, (n, link) in cells.items():
            if n:
                page = b.get(link)
                assert page.status_code == 200, link
                assert page.get_data(as_text=True).count("data-item ") == n, (unit, f)
    dupes = b.get(got["C1"]["duplicates"][1]).get_data(as_text=True)
    assert letters["L9"] in dupes and letters["L8"] in dupes  # the duplicate, and the master it repeats


def test_downloads(as_user, letters):
    b = as_user("auditor")
    r = b.c.get(f"/reports/letters?unit=P&{Q2}&format=csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert "xu-ly-don-P-20260401-20260630.csv" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    c2 = next(x for x in rows if x[0] == "Xã Hai (C2)")
    assert [int(v) for v in c2[1:]] == [C2_Q2.get(f, 0) for f in FIGURES]
    r = b.c.get(f"/reports/letters?unit=P&{Q2}&format=xlsx")
    ws = load_workbook(io.BytesIO(r.get_data())).active
    assert ws.cell(4, 1).value == "Đơn vị" and ws.cell(5, 1).value == "Tỉnh Thử (P)"
    assert ws.cell(6, 1 + 1 + FIGURES.index("total")).value == 7  # C1: 3 carried over + 4 received


def test_a_commune_clerk_sees_only_the_commune(as_user, letters):
    b = as_user("clerk1")
    body = b.get(f"/reports/letters?{Q2}").get_data(as_text=True)  # default: the clerk's own unit
    got = table(body)
    assert set(got) == {"C1", "total"} and got["total"]["total"][0] == 7
    assert letters["L10"] not in body
    for url in (f"/reports/letters?unit=C2&{Q2}", f"/reports/letters?unit=P&{Q2}",
                f"/reports/letters?unit=C2&{Q2}&format=csv",
                f"/reports/letters/items?unit=C2&figure=received&scope=unit&{Q2}",
                f"/reports/letters/items?unit=P&figure=received&scope=subtree&{Q2}"):
        assert b.c.get(url).status_code == 404, url
    other = as_user("clerk2")
    page = other.get(f"/reports/letters/items?unit=C2&figure=received&scope=unit&{Q2}").get_data(as_text=True)
    assert letters["L10"] in page and letters["L5"] not in page
    assert as_user("dept1").c.get(f"/reports/letters?{Q2}").status_code == 403


@pytest.mark.parametrize("query, status, words", [
    ("unit=C1&period=custom&from=2026-06-30&to=2026-04-01", 400, "Khoảng thời gian không hợp lệ"),
    ("unit=ZZ&" + Q2, 400, "Không tìm thấy đơn vị «ZZ»"),
    ("unit=C1&period=custom&from=31/02/2026&to=2026-06-30", 400, ""),
    ("unit=C1&scope=everything&" + Q2, 400, "everything"),
    ("unit=C1&format=pdf&" + Q2, 400, "pdf"),
])
def test_bad_parameters_are_refused_clearly(as_user, letters, query, status, words):
    b = as_user("auditor")
    r = b.get(f"/reports/letters?{query}")
    assert r.status_code == status
    body = unescape(r.get_data(as_text=True))
    assert words in body and 'id="letters"' not in body and "Traceback" not in body
    r = b.get(f"/reports/letters/items?figure=nonsense&{query}")
    assert r.status_code == 400 and "data-item" not in r.get_data(as_text=True)


def test_bad_figure_in_english(as_user, letters):
    b = as_user("auditor")
    b.lang("en")
    r = b.get(f"/reports/letters/items?unit=C1&figure=nonsense&{Q2}")
    body = unescape(r.get_data(as_text=True))
    # the choices are named as the page names them, in the reader's language
    assert r.status_code == 400 and "Invalid value 'nonsense'" in body
    assert "Carried over from the previous period" in body and "carried_over" not in body


@pytest.mark.parametrize("user", ["clerk1", "leader1", "auditor", "admin", "pclerk", "c1auditor", "clerk2"])
def test_no_denouncer_name_anywhere_for_any_role(as_user, letters, user):
    b = as_user(user)
    seen = []
    page = b.get(f"/reports/letters?{Q2}").get_data(as_text=True)
    seen.append(page)
    for url in set(unescape(h) for h in re.findall(r'href="(/reports/letters[^"]*)"', page)):
        r = b.c.get(url)
        assert r.status_code == 200, url
        if url.endswith("format=xlsx") or "format=xlsx" in url:
            ws = load_workbook(io.BytesIO(r.get_data())).active
            seen.append(" ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None))
        else:
            seen.append(r.get_data().decode("utf-8-sig"))
    assert len(seen) > 3
    blob = "\n".join(seen)
    for name in DENOUNCERS:
        assert name not in blob
