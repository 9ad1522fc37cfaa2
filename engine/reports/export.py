"""Exports of the reports: XLSX laid out like the seed's annex (openpyxl), CSV in UTF-8 with
a BOM (so Excel opens Vietnamese text correctly), JSON, and a printable A4 HTML page.

`export(report, fmt, lang)` is the one entry point: `report` is an `Appendix2` or an
`OntimeReport`; it returns bytes for xlsx/csv and str for json/html/table.
"""
from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from datetime import date

from jinja2 import Environment, select_autoescape

from engine.language.numbers import format_number, format_percent, format_percent_range
from engine.reports.appendix2 import LINES, TITLE, Appendix2
from engine.reports.ontime import CLOCK_LABELS, FIGURE_LABELS, OntimeReport, OntimeRow

FORMATS = ("table", "json", "csv", "xlsx", "html")
BOM = "\ufeff"


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _d(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _period_line(r, lang: str) -> str:
    if lang == "en":
        return f"{r.unit_name} ({r.unit}) — from {_d(r.date_from)} to {_d(r.date_to)}"
    return f"{r.unit_name} ({r.unit}) — từ ngày {_d(r.date_from)} đến ngày {_d(r.date_to)}"


# -- tables (headers + rows) shared by csv, html and the CLI table ---------------------------------
def appendix2_table(r: Appendix2, lang: str = "vi") -> tuple[list[str], list[list]]:
    headers = ["STT", "Nội dung" if lang != "en" else "Item", "Chi tiết" if lang != "en" else "Detail",
               *(r.column_label(c, lang) for c in r.columns), "key"]
    rows = [[line.stt, _pick(line.group, lang), _pick(line.label, lang), *(r.figures[line.key][c] for c in r.columns),
             line.key] for line in LINES]
    return headers, rows


def ontime_table(r: OntimeReport, lang: str = "vi", raw: bool = False) -> tuple[list[str], list[list]]:
    """Headers and rows of the on-time report. Rates and medians are formatted for a reader
    of `lang` ("77,4 %" / "77.4%"); with `raw`, they stay numbers (rates as fractions, the
    interval as two columns, medians rounded to 0.1) for a spreadsheet to compute on."""
    group_header = {None: "", "unit": ("Đơn vị", "Unit"), "department": ("Phòng ban", "Department"),
                    "category": ("Lĩnh vực", "Category"), "month": ("Tháng", "Month")}[r.by]
    headers = ["Thời hạn" if lang != "en" else "Clock"]
    if r.by:
        headers.append(_pick(group_header, lang))
    headers += [_pick(FIGURE_LABELS[k], lang) for k in
                ("met_on_time", "met_late", "open_overdue", "open_on_track", "answered_at_meeting", "extended",
                 "rate")]
    if raw:
        ci = _pick(FIGURE_LABELS["ci"], lang)
        headers += [f"{ci} — {'cận dưới' if lang != 'en' else 'lower'}",
                    f"{ci} — {'cận trên' if lang != 'en' else 'upper'}"]
    else:
        headers.append(_pick(FIGURE_LABELS["ci"], lang))
    headers += [_pick(FIGURE_LABELS[k], lang) for k in ("median_days", "p90_days")]
    rows = []
    all_label = "Tất cả" if lang != "en" else "All"

    def rounded(x):
        return None if x is None else round(float(x), 1)

    def line(x: OntimeRow, label: str | None) -> list:
        ci = x.interval
        out = [_pick(CLOCK_LABELS[x.clock], lang)]
        if r.by:
            out.append(label)
        out += [x.met_on_time, x.met_late, x.open_overdue, x.open_on_track, x.answered_at_meeting, x.extended]
        if raw:
            out += [x.rate, ci[0] if ci else None, ci[1] if ci else None,
                    rounded(x.median_days), rounded(x.p90_days)]
        else:
            out += [format_percent(x.rate, lang), format_percent_range(*ci, lang) if ci else "",
                    format_number(x.median_days, lang), format_number(x.p90_days, lang)]
        return out

    for x in r.rows:
        rows.append(line(x, f"{x.label} ({x.key})" if r.by in ("unit", "department") else x.label))
    for x in r.totals:
        rows.append(line(x, all_label))
    return headers, rows


def _title(report, lang: str) -> str:
    if isinstance(report, Appendix2):
        return _pick(TITLE, lang)
    return "Tỷ lệ giải quyết đúng hạn" if lang != "en" else "On-time rates"


def _table(report, lang: str):
    return appendix2_table(report, lang) if isinstance(report, Appendix2) else ontime_table(report, lang)


# -- formats ---------------------------------------------------------------------------------------
def to_json(report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str)


# -- formula injection (OWASP "CSV Injection") ------------------------------------------------------
# A unit or department named "=HYPERLINK(...)" must reach a spreadsheet as text, never as a
# formula: in CSV a text cell that starts with = + - @, a tab or a carriage return gets a
# leading single quote; in XLSX every text cell is written with the string type. Numbers
# stay numbers (a negative median is a number, not a formula), and so does text that is
# only a formatted number ("-1,5", "77,4 %").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d.,\u00a0 ]*(?: ?%)?$")


def csv_safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _cell(ws, row: int, col: int, value):
    """Write a cell; text is always text (openpyxl would take "=..." for a formula)."""
    c = ws.cell(row, col, value)
    if isinstance(value, str):
        c.data_type = "s"
    return c


def csv_bytes(headers, rows) -> bytes:
    """A table as CSV for Excel: UTF-8 with a BOM, CRLF, every cell defused (`csv_safe`)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([csv_safe(h) for h in headers])
    w.writerows([[csv_safe(v) for v in row] for row in rows])
    return (BOM + buf.getvalue()).encode("utf-8")


def titled_xlsx(sheet: str, title: str, subtitle: str, headers, rows, *, widths, freeze: str,
                note: str | None = None, header_height: float | None = None, bold_last_row: bool = False) -> bytes:
    """A report as the offices print it: the title and the period merged across the top (and a
    note under them), boxed headers on row 4, counts centred, text wrapped, frozen headers,
    A4 landscape one page wide with the headers on every page. `widths`: per column, the
    last one repeated for the columns beyond."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(wrap_text=True, vertical="center")
    n = len(headers)
    for row, text, style in ((1, title, centre), (2, subtitle, centre), (3, note, wrap)):
        if text is None:
            continue
        _cell(ws, row, 1, text).alignment = style
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
    ws.cell(1, 1).font = Font(bold=True, size=13)
    if note is not None:
        ws.row_dimensions[3].height = 30
    for j, h in enumerate(headers, 1):
        c = _cell(ws, 4, j, h)
        c.font, c.border, c.alignment = Font(bold=True), box, centre
    if header_height:
        ws.row_dimensions[4].height = header_height
    for i, row in enumerate(rows, 5):
        for j, v in enumerate(row, 1):
            c = _cell(ws, i, j, v)
            c.border, c.alignment = box, (centre if isinstance(v, int) else wrap)
            if bold_last_row and i == 4 + len(rows):
                c.font = Font(bold=True)
    widths = list(widths)
    for j in range(1, n + 1):
        ws.column_dimensions[get_column_letter(j)].width = widths[min(j, len(widths)) - 1]
    ws.freeze_panes = freeze
    return _a4_bytes(wb, ws, "landscape")


def _a4_bytes(wb, ws, orientation: str) -> bytes:
    """Print setup the offices file on (A4, one page wide, as many tall as needed, the header
    row on every page), and the workbook's bytes."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "4:4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(report, lang: str = "vi") -> bytes:
    headers, rows = _table(report, lang)
    if isinstance(report, Appendix2):  # the rows' keys are for machines: they stay in the JSON
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    return csv_bytes(headers, rows)


_NUMERIC = re.compile(r"^-?[\d.,]+(–[\d.,]+)? ?%?$")
TEXT_CELL_WIDTH = 40


def to_text_table(report, lang: str = "vi") -> str:
    """A table for the terminal: long cells wrap on word boundaries (never inside a word, so
    "chỉ đạo" is not cut to "chỉ đạ"), figures are right-aligned."""
    headers, rows = _table(report, lang)
    if isinstance(report, Appendix2):
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = []
    for i in range(len(headers)):
        column = [row[i] for row in cells]
        longest_word = max((len(w) for c in column for w in c.split()), default=0)
        widths.append(max(min(max(len(c) for c in column), TEXT_CELL_WIDTH), longest_word))

    def fmt(row):
        wrapped = [textwrap.wrap(c, widths[i], break_long_words=False, break_on_hyphens=False) or [""]
                   for i, c in enumerate(row)]
        out = []
        for k in range(max(len(w) for w in wrapped)):
            parts = []
            for i, w in enumerate(wrapped):
                piece = w[k] if k < len(w) else ""
                parts.append(piece.rjust(widths[i]) if _NUMERIC.match(row[i]) else piece.ljust(widths[i]))
            out.append("  ".join(parts).rstrip())
        return "\n".join(out)
    return "\n".join([_title(report, lang), _period_line(report, lang), "", fmt(cells[0]),
                      "  ".join("-" * w for w in widths), *(fmt(row) for row in cells[1:])])


def _lines(value, width: int) -> int:
    """Lines a wrapped cell needs (about one character of Vietnamese per unit of width)."""
    if isinstance(value, (int, float)):
        return 1
    text = "" if value is None else str(value)
    per_line = max(int(width * 1.0), 1)
    return max(1, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))


def _fit_row_heights(ws, rows, widths, groups, merged=()) -> None:
    """Spreadsheets do not grow a row to fit wrapped text written by openpyxl: size each
    row, sharing a merged heading's lines among the sub-rows it spans."""
    for start, stop in groups:
        span = stop - start + 1
        need_merged = max((_lines(rows[start - 5][j - 1], widths[j - 1]) for j in merged), default=1)
        for r in range(start, stop + 1):
            own = max(_lines(v, widths[j]) for j, v in enumerate(rows[r - 5]) if j + 1 not in merged)
            ws.row_dimensions[r].height = 15 * max(own, -(-need_merged // span))


def to_xlsx(report, lang: str = "vi") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Phu luc 2" if isinstance(report, Appendix2) else "Dung han"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if isinstance(report, Appendix2):
        headers, rows = appendix2_table(report, lang)
        headers, rows = headers[:-1], [row[:-1] for row in rows]
        formats: dict[int, str] = {}
    else:
        # real numbers a spreadsheet can compute on, shown with a number format
        headers, rows = ontime_table(report, lang, raw=True)
        first = len(headers) - 5  # rate, interval lower, interval upper, median, p90
        formats = {first + 1: "0.0%", first + 2: "0.0%", first + 3: "0.0%", first + 4: "0.0", first + 5: "0.0"}
    ncol = len(headers)
    _cell(ws, 1, 1, _title(report, lang)).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(1, 1).alignment = centre
    ws.row_dimensions[1].height = 36
    _cell(ws, 2, 1, _period_line(report, lang)).alignment = centre
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    for j, h in enumerate(headers, 1):
        c = _cell(ws, 4, j, h)
        c.font, c.border, c.alignment = Font(bold=True), box, centre
    for i, row in enumerate(rows, 5):
        for j, v in enumerate(row, 1):
            c = _cell(ws, i, j, v)
            c.border, c.alignment = box, (centre if isinstance(v, (int, float)) or j == 1 else wrap)
            if j in formats:
                c.number_format = formats[j]
    groups = [(i, i) for i in range(5, 5 + len(rows))]
    if isinstance(report, Appendix2):
        # Merge the STT and heading cells of rows made of several sub-rows, like the seed.
        groups, start = [], 5
        while start < 5 + len(rows):
            stop = start
            while stop + 1 < 5 + len(rows) and rows[stop + 1 - 5][0] == rows[start - 5][0] \
                    and rows[stop + 1 - 5][1] == rows[start - 5][1]:
                stop += 1
            if stop > start:
                ws.merge_cells(start_row=start, start_column=1, end_row=stop, end_column=1)
                ws.merge_cells(start_row=start, start_column=2, end_row=stop, end_column=2)
            groups.append((start, stop))
            start = stop + 1
        widths = (6, 34, 42) + (11,) * len(report.columns)
    else:
        widths = tuple(22 if j <= 2 else 14 for j in range(1, ncol + 1))
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    _fit_row_heights(ws, rows, widths, groups, merged=(1, 2) if isinstance(report, Appendix2) else ())
    ws.row_dimensions[4].height = 15 * max(_lines(h, w) for h, w in zip(headers, widths))
    return _a4_bytes(wb, ws, "portrait" if isinstance(report, Appendix2) else "landscape")


_HTML = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
@page { size: A4 {{ orientation }}; margin: 15mm; }
body { font-family: "Times New Roman", serif; font-size: 12pt; color: #000; }
h1 { font-size: 13pt; text-align: center; margin: 0 0 4pt; }
p.sub { text-align: center; margin: 0 0 10pt; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #000; padding: 3pt 5pt; vertical-align: middle; }
th { text-align: center; }
td.n { text-align: right; }
a { color: inherit; text-decoration: none; }
figure { margin: 10pt 0; page-break-inside: avoid; }
@media print { a { text-decoration: none; } }
</style></head><body>
<h1>{{ title }}</h1><p class="sub">{{ subtitle }}</p>
<table><thead><tr>{% for h in headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}{% set ri = loop.index0 %}<tr>{% for c in row %}{% set link = links(ri, loop.index0) %}
<td{% if c is number %} class="n"{% endif %}>{% if link and c is number %}<a href="{{ link }}">{{ c }}</a>{% else %}{{ c }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% for svg in charts %}<figure>{{ svg | safe }}</figure>{% endfor %}
</body></html>
"""
_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def to_html(report, lang: str = "vi", charts: list[str] | None = None, link=None) -> str:
    """A printable A4 page. `link(key, column)` (optional) returns the drill-down URL of an
    annex number, so the web admin can make every figure a link."""
    headers, rows = _table(report, lang)
    is_annex = isinstance(report, Appendix2)
    if is_annex:
        keys = [row[-1] for row in rows]
        headers, rows = headers[:-1], [row[:-1] for row in rows]

        def links(row_index, col_index):
            if link is None or col_index < 3:
                return None
            return link(keys[row_index], report.columns[col_index - 3])
    else:
        def links(row_index, col_index):
            return None
    return _env.from_string(_HTML).render(lang=lang, title=_title(report, lang), subtitle=_period_line(report, lang),
                                          headers=headers, rows=rows, charts=charts or [], links=links,
                                          orientation="portrait" if is_annex else "landscape")


def export(report, fmt: str, lang: str = "vi") -> bytes | str:
    from engine.language.errors import ValidationError
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report, lang)
    if fmt == "xlsx":
        return to_xlsx(report, lang)
    if fmt == "html":
        return to_html(report, lang)
    if fmt == "table":
        return to_text_table(report, lang)
    raise ValidationError("bad_format", field="format", value=fmt, choices=", ".join(FORMATS))
