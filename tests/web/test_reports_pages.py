"""The auditor's report pages: the on-time report and the annex (Phụ lục 2) with drill-down
links, SVG charts and downloads; roles, unit scope and bad parameters."""
from __future__ import annotations

import io
import json
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from engine.persistence.db import transaction
from engine.language.numbers import format_percent
from engine.reports import FIGURES, appendix2, ontime_report
from engine.reports.appendix2 import ALL_KEYS, LINE_BY_KEY
from tests.conftest import NOW

TODAY = NOW.date()
LINK = re.compile(r'<a href="([^"]+)" data-(figure|column)="([a-z_]+)">(\d+)</a>')


@pytest.fixture
def more(org, ctx, data):
    """Besides `data`: reception sessions at C1 and C2 and a petition answered late at C1."""
    from engine.services import petitions as svc
    from engine.services.sessions import add_session
    with transaction(org) as s:
        add_session(s, "C1", "reception_periodic", "2026-10-05", people=7, groups=1, refused=1)
        add_session(s, "C2", "reception_adhoc", "2026-10-06", people=3)
        add_session(s, "P", "reception_periodic", "2026-10-07", people=2)
        late = svc.add_petition(s, ctx, "C1", "Đèn đường hỏng", received_on="2026-10-01", complex_prolonged=True)
        svc.act(s, ctx, late.code, "conclude", "clerk1", {"notice_no": "3-TB/ĐU", "department": "C1-D1"},
                on="2026-10-30")
    return data


def _links(body: str) -> list[tuple[str, str, str, int]]:
    return [(unescape(h), kind, name, int(n)) for h, kind, name, n in LINK.findall(body)]


def _row(body: str, clock: str, key: str = "") -> str:
    start = body.index(f'data-clock="{clock}" data-key="{key}"')
    return body[start:body.index("</tr>", start)]


def _items(b, url) -> int:
    """Rows behind a figure, across all pages."""
    n, page = 0, 1
    while True:
        r = b.get(url + f"&page={page}")
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:300])
        body = r.get_data(as_text=True)
        counts = re.findall(r"<td class=\"num\" data-counts>(\d+)</td>", body)
        n += sum(int(c) for c in counts) if counts else body.count("<tr data-item>")
        if 'rel="next"' not in body:
            return n
        page += 1


def test_ontime_page_matches_the_engine_and_drills_down(as_user, more, org):
    b = as_user("auditor")
    r = b.get("/reports/ontime?unit=P&from=2026-01-01&to=2026-11-20")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    with transaction(org) as s:
        rep = ontime_report(s, "P", "2026-01-01", "2026-11-20", today=TODAY)
    assert rep.row("conclusion").total >= 5
    for total in rep.totals:
        row = _row(body, total.clock)
        figures = {name: n for _, kind, name, n in _links(row)}
        assert figures == {f: getattr(total, f) for f in FIGURES}, total.clock
        rate = format_percent(total.rate, "vi", blank="—")  # the page is in Vietnamese: "60,0 %"
        assert rate in row
        for href, _, name, n in _links(row):
            assert _items(b, href) == n, (total.clock, name)
    assert "<svg" in body and 'role="img"' in body and "cdn" not in body.lower() and "<script>" not in body
    for fmt in ("xlsx", "csv", "json"):
        assert f'id="download-{fmt}"' in body


def test_ontime_grouped_by_department_and_month(as_user, more, org):
    b = as_user("auditor")
    for by in ("department", "month", "category"):
        r = b.get(f"/reports/ontime?unit=C1&from=2026-01-01&to=2026-11-20&by={by}&clock=conclusion")
        assert r.status_code == 200, by
        body = r.get_data(as_text=True)
        with transaction(org) as s:
            rep = ontime_report(s, "C1", "2026-01-01", "2026-11-20", by=by, clock="conclusion", today=TODAY)
        assert rep.rows
        for row in rep.rows:
            html = _row(body, "conclusion", row.key)
            assert {name: n for _, _, name, n in _links(html)} == {f: getattr(row, f) for f in FIGURES}
            for href, _, name, n in _links(html):
                if n:
                    assert _items(b, href) == n, (by, row.key, name)
        assert "<svg" in body


def test_appendix2_page_matches_the_engine_and_drills_down(as_user, more, org):
    b = as_user("auditor")
    r = b.get("/reports/appendix2?unit=P&period=year&year=2026")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    with transaction(org) as s:
        a = appendix2(s, "P", "2026-01-01", "2026-12-31")
    assert a["receptions_periodic"]["total"] == 2 and a["people_periodic"]["province"] == 2
    assert a["complex_prolonged"]["commune"] == 1
    seen = 0
    for key in ALL_KEYS:
        start = body.index(f'<tr data-key="{key}"')
        row = body[start:body.index("</tr>", start)]
        links = _links(row)
        assert {c: n for _, _, c, n in links} == a[key], key
        for href, _, column, n in links:
            if n:
                assert _items(b, href) == n, (key, column)
                seen += 1
    assert seen >= 8
    # rows 1–9 laid out as the seed
    assert [LINE_BY_KEY[k].stt for k in ALL_KEYS[:16]][-1] == "9" and "Cấp xã" in body and "Cấp tỉnh" in body
    r = b.get("/reports/appendix2?unit=P&period=custom&from=01/01/2026&to=31/12/2026&print=1")
    assert r.status_code == 200 and "print_a4.css" in r.get_data(as_text=True)


def test_period_choices_give_the_right_dates(as_user, more):
    b = as_user("auditor")
    for q, dates in [("period=q1&year=2026", "01/01/2026 – 31/03/2026"), ("period=6m&year=2026", "01/01/2026 – 30/06/2026"),
                     ("period=9m&year=2026", "01/01/2026 – 30/09/2026"), ("period=month&year=2026&month=10",
                                                                         "01/10/2026 – 31/10/2026")]:
        body = b.get(f"/reports/appendix2?unit=C1&{q}").get_data(as_text=True)
        assert dates in body, q


@pytest.mark.parametrize("fmt,ctype", [("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                                       ("csv", "text/csv"), ("json", "application/json")])
def test_downloads(as_user, more, org, fmt, ctype):
    b = as_user("auditor")
    for url in (f"/reports/ontime?unit=P&from=2026-01-01&to=2026-11-20&format={fmt}",
                f"/reports/appendix2?unit=P&period=year&year=2026&format={fmt}"):
        r = b.c.get(url)  # raw client: the body is not text
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(ctype), url
        assert "attachment" in r.headers["Content-Disposition"]
        if fmt == "xlsx":
            wb = load_workbook(io.BytesIO(r.data))
            assert wb.worksheets[0].max_row > 3
        elif fmt == "json":
            doc = json.loads(r.data)
            assert doc["unit"] == "P"
        else:
            assert r.data.startswith("\ufeff".encode())
    with transaction(org) as s:
        a = appendix2(s, "P", "2026-01-01", "2026-12-31")
    if fmt == "json":
        doc = json.loads(b.c.get("/reports/appendix2?unit=P&period=year&year=2026&format=json").data)
        assert all(doc[k] == a[k] for k in ALL_KEYS)


URLS = ["/reports/ontime", "/reports/ontime/items?clock=conclusion&figure=met_on_time", "/reports/appendix2",
        "/reports/appendix2/items?key=refused&column=total"]


@pytest.mark.parametrize("username", ["dept1", "clerk1"])
def test_other_roles_are_forbidden(as_user, more, username):
    b = as_user(username)
    for url in URLS:
        assert b.get(url).status_code == 403, url


@pytest.mark.parametrize("username", ["auditor", "leader1", "admin", "c1auditor"])
def test_allowed_roles_see_the_pages(as_user, more, username):
    b = as_user(username)
    for url in URLS:
        assert b.get(url).status_code == 200, (username, url)
    assert 'id="nav-ontime"' in b.get("/reports/ontime").get_data(as_text=True)


def test_other_unit_is_404(as_user, more):
    b = as_user("c1auditor")
    for unit in ("C2", "P"):
        for url in URLS:
            sep = "&" if "?" in url else "?"
            assert b.get(f"{url}{sep}unit={unit}").status_code == 404, (unit, url)
    body = b.get("/reports/ontime").get_data(as_text=True)
    assert "(C1)" in body  # the default unit is the user's own


@pytest.mark.parametrize("query,field,vi,en", [
    ("from=31/02/2026", "from", "Ngày không hợp lệ", "Invalid date"),
    ("to=2026-13-01", "to", "Ngày không hợp lệ", "Invalid date"),
    ("unit=NOPE", "unit", "Không tìm thấy đơn vị", "Unknown unit"),
    ("from=2026-11-20&to=2026-01-01", "from", "Khoảng thời gian không hợp lệ", "period"),
    ("by=weekday", "by", "không hợp lệ", "by"),
])
def test_bad_parameters_are_400_with_the_message_next_to_the_field(as_user, more, query, field, vi, en):
    b = as_user("auditor")
    pages = ["/reports/ontime", "/reports/ontime/items?clock=conclusion&figure=met_late"]
    if field != "by":
        pages += ["/reports/appendix2?period=custom", "/reports/appendix2/items?period=custom&key=refused"]
    for lang, text in (("vi", vi), ("en", en)):
        b.lang(lang)
        for page in pages:
            sep = "&" if "?" in page else "?"
            r = b.get(f"{page}{sep}{query}")
            body = r.get_data(as_text=True)
            assert r.status_code == 400, (page, query, r.status_code)
            m = re.search(rf'data-field="{field}">([^<]*)<', body)
            assert m and text.lower() in unescape(m.group(1)).lower(), (lang, page, query, m and m.group(1))


def test_bad_drilldown_keys_are_400(as_user, more):
    b = as_user("auditor")
    assert b.get("/reports/ontime/items?clock=conclusion&figure=nope").status_code == 400
    assert b.get("/reports/ontime/items?figure=met_late").status_code == 400
    assert b.get("/reports/appendix2/items?key=nope").status_code == 400
    assert b.get("/reports/appendix2/items?key=refused&column=district").status_code == 400
    assert b.get("/reports/appendix2?period=decade").status_code == 400
    assert b.get("/reports/ontime?format=pdf").status_code == 400


def test_both_languages_render(as_user, more):
    b = as_user("auditor")
    vi = b.get("/reports/ontime?by=month").get_data(as_text=True)
    assert "Báo cáo giải quyết đúng hạn" in vi and "Đúng hạn" in vi and "Tỷ lệ đúng hạn" in vi
    vi = b.get("/reports/appendix2").get_data(as_text=True)
    assert "Phụ lục 2" in vi and "Số cuộc tiếp dân" in vi
    b.lang("en")
    en = b.get("/reports/ontime?by=month").get_data(as_text=True)
    assert 'lang="en"' in en and "On-time report" in en and "Met on time" in en and "On-time rate" in en
    en = b.get("/reports/appendix2").get_data(as_text=True)
    assert "Annex 2" in en and "Receptions held" in en and "Commune level" in en
    overview = b.get("/overview").get_data(as_text=True)
    assert 'id="report-links"' in overview and "/reports/appendix2" in overview
