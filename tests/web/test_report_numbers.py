"""Numbers as the reader's language writes them: "76,4 %" and "34,6" in Vietnamese, "76.4%"
and "34.6" in English, never a float's artefact ("34.599999999999994"); in XLSX, rates and
medians are real numbers with a number format, so an auditor can compute on them."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from engine.language.numbers import format_number, format_percent, format_percent_range
from engine.persistence.db import transaction
from engine.reports import ontime_report
from engine.reports.export import to_csv, to_html, to_text_table, to_xlsx
from tests.conftest import NOW
from tests.web.demo import demo, demo_app, demo_user  # noqa: F401 (fixtures)

ARTEFACT = re.compile(r"\d[.,]\d{4,}")  # 34.599999999999994, 8.800000000000004
URL = "/reports/ontime?unit=HT&from=2026-01-01&to=2026-12-31&by=department"


def report(demo):
    with transaction(demo[0]) as s:
        return ontime_report(s, "HT", "2026-01-01", "2026-12-31", by="department", today=NOW.date())


def test_the_demo_has_float_artefacts_to_hide(demo):
    rep = report(demo)
    raw = [x.p90_days for x in rep.rows + rep.totals if x.p90_days is not None]
    assert any(ARTEFACT.search(repr(v)) for v in raw), raw  # else this file tests nothing


def test_formatting_rules():
    assert format_percent(0.774, "vi") == "77,4 %" and format_percent(0.774, "en") == "77.4%"
    assert format_number(34.599999999999994, "vi") == "34,6" and format_number(34.599999999999994, "en") == "34.6"
    assert format_number(1234.5, "vi") == "1.234,5" and format_number(1234.5, "en") == "1,234.5"
    assert format_number(10.0, "vi") == "10" and format_number(None, "vi") == ""
    assert format_percent_range(0.701, 0.832, "vi") == "70,1–83,2 %"
    assert format_percent_range(0.701, 0.832, "en") == "70.1–83.2%"


def test_the_page_writes_numbers_in_the_readers_language(demo, demo_user):
    rep = report(demo)
    total = rep.row("conclusion")
    b = demo_user("ubkt")
    vi = b.get(URL).get_data(as_text=True)
    table = vi[vi.index('id="ontime-table"'):vi.index("</table>", vi.index('id="ontime-table"'))]
    assert format_percent(total.rate, "vi") in table and re.search(r"\d,\d %", table)
    assert not ARTEFACT.search(table), ARTEFACT.search(table)
    assert "34,6" in table  # KYTHUONG-XH's resolution p90, 34.599999999999994 in the data
    b.lang("en")
    en = b.get(URL).get_data(as_text=True)
    table = en[en.index('id="ontime-table"'):en.index("</table>", en.index('id="ontime-table"'))]
    assert format_percent(total.rate, "en") in table and re.search(r"\d\.\d%", table) and " %" not in table
    assert not ARTEFACT.search(table) and "34.6" in table


def test_html_csv_and_table_exports_write_numbers_in_the_readers_language(demo):
    rep = report(demo)
    pct = format_percent(rep.row("conclusion").rate, "vi")
    assert re.fullmatch(r"\d+,\d %", pct)
    for lang, expected in (("vi", pct), ("en", format_percent(rep.row("conclusion").rate, "en"))):
        html = to_html(rep, lang)
        csv_text = to_csv(rep, lang).decode("utf-8-sig")
        table = to_text_table(rep, lang)
        for out in (html, csv_text, table):
            assert expected in out, (lang, out[:300])
            assert not ARTEFACT.search(out), (lang, ARTEFACT.search(out))
    assert "34,6" in to_html(rep, "vi") and "34.6" in to_html(rep, "en")


def test_xlsx_stores_rates_and_medians_as_numbers_with_a_format(demo):
    rep = report(demo)
    ws = load_workbook(io.BytesIO(to_xlsx(rep, "vi"))).active
    headers = [c.value for c in ws[4]]
    col = {h: i for i, h in enumerate(headers)}
    rate_col = col["Tỷ lệ đúng hạn"]
    median_col = col["Trung vị (ngày làm việc)"]
    p90_col = col["Phân vị 90 (ngày làm việc)"]
    low_col = next(i for h, i in col.items() if h.startswith("Khoảng tin cậy") and "dưới" in h)
    rows = [r for r in ws.iter_rows(min_row=5) if r[0].value]
    assert len(rows) == len(rep.rows) + len(rep.totals)
    checked = 0
    for row in rows:
        for j, fmt in ((rate_col, "0.0%"), (low_col, "0.0%"), (median_col, "0.0"), (p90_col, "0.0")):
            c = row[j]
            if c.value is None:
                continue
            assert c.data_type == "n" and isinstance(c.value, (int, float)), (headers[j], c.value)
            assert c.number_format == fmt, (headers[j], c.number_format)
            checked += 1
    assert checked >= 4 * len(rep.totals)
    values = [row[p90_col].value for row in rows]
    assert 34.6 in values and not any(ARTEFACT.search(repr(v)) for v in values if v is not None)
    total = next(row for row in rows if row[1].value == "Tất cả" and row[0].value.startswith("Thông báo"))
    assert abs(total[rate_col].value - rep.row("conclusion").rate) < 1e-12
