"""Reports for auditors: on-time rates, the statutory annex (Phụ lục 2), exports, charts.
May import services, persistence and the pure rooms; never the scheduler, intake or cli.

What the web admin calls (all take an SQLAlchemy session; dates as `date` or strings
YYYY-MM-DD / dd/mm/yyyy; errors are bilingual `DomainError`s):

* `ontime_report(session, unit_code, date_from, date_to, by=None|'unit'|'department'|'category'|'month',
  clock=None, as_of=None, today=None, lang='vi') -> OntimeReport`
* `ontime_items(session, unit_code, date_from, date_to, clock, figure, by=None, key=None, as_of=None,
  today=None, limit=None, offset=0) -> list[dict]` — the petitions behind a figure
* `overdue_backlog(session, unit_code, points, clock=None) -> list[(date, int)]`
* `appendix2(session, unit_code, date_from, date_to) -> Appendix2`
* `appendix2_items(session, unit_code, date_from, date_to, key, column='total', limit=None, offset=0)`
* `period(kind, year, month=None, start=None, end=None)` / `parse_period(spec)` -> (from, to)
* `export(report, fmt, lang)` (xlsx/csv bytes; json/html/table str); `to_html(report, lang, charts, link)`
* `ontime_rate_chart(report, clock, lang)`, `backlog_chart(points, title, lang)`, `bar_chart(...)` -> SVG str
"""
from engine.reports.appendix2 import ALL_KEYS, KEYS, Appendix2, appendix2, appendix2_items
from engine.reports.charts import backlog_chart, bar_chart, ontime_rate_chart
from engine.reports.export import FORMATS, export, to_csv, to_html, to_json, to_xlsx
from engine.reports.ontime import (CLOCKS, FIGURES, OntimeReport, OntimeRow, month_ends, ontime_items, ontime_report,
                                   overdue_backlog, wilson_interval)
from engine.reports.periods import parse_period, period

__all__ = ["ALL_KEYS", "KEYS", "Appendix2", "appendix2", "appendix2_items", "backlog_chart", "bar_chart",
           "ontime_rate_chart", "FORMATS", "export", "to_csv", "to_html", "to_json", "to_xlsx", "CLOCKS", "FIGURES",
           "OntimeReport", "OntimeRow", "month_ends", "ontime_items", "ontime_report", "overdue_backlog",
           "wilson_interval", "parse_period", "period"]
