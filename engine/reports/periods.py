"""Reporting periods: month, Q1, 6 months, 9 months, year, or custom dates → (from, to).

Periods are calendar months counted from 1 January, as the seeds use them ("6 tháng đầu
năm", "9 tháng"); both ends are included. A custom period is any two dates.
"""
from __future__ import annotations

import calendar as _cal
import re
from datetime import date

from engine.language.errors import ValidationError
from engine.deadlines.timeutil import parse_date

KINDS = ("month", "q1", "6m", "9m", "year", "custom")

_SPEC = re.compile(r"^(\d{4})(?:-(\d{1,2}|q1|Q1|6m|6M|9m|9M))?$")


def _month_end(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


def check_range(start, end, field: str = "from") -> tuple[date, date]:
    """Parse both ends (YYYY-MM-DD or dd/mm/yyyy) and refuse a reversed range."""
    a, b = parse_date(start, field), parse_date(end, "to")
    if a > b:
        raise ValidationError("bad_period", field=field, start=a.strftime("%d/%m/%Y"), end=b.strftime("%d/%m/%Y"))
    return a, b


def period(kind: str, year: int | None = None, month: int | None = None, start=None, end=None) -> tuple[date, date]:
    """`period("q1", 2025)` → (2025-01-01, 2025-03-31); `period("custom", start=..., end=...)`."""
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise ValidationError("bad_period_kind", field="period", value=kind, choices=", ".join(KINDS))
    if kind == "custom":
        return check_range(start, end)
    if year is None:
        raise ValidationError("missing_field", field="year")
    y = int(year)
    if kind == "month":
        if month is None or not 1 <= int(month) <= 12:
            raise ValidationError("bad_period_kind", field="month", value=month, choices="1–12")
        return date(y, int(month), 1), _month_end(y, int(month))
    last = {"q1": 3, "6m": 6, "9m": 9, "year": 12}[kind]
    return date(y, 1, 1), _month_end(y, last)


def parse_period(spec: str) -> tuple[date, date]:
    """'2025' (year), '2025-03' (month), '2025-Q1', '2025-6M', '2025-9M', or 'A..B' (custom)."""
    text = (spec or "").strip()
    if ".." in text:
        a, b = text.split("..", 1)
        return check_range(a, b)
    m = _SPEC.match(text)
    if not m:
        raise ValidationError("bad_period_kind", field="period", value=text, choices="YYYY, YYYY-MM, YYYY-Q1, YYYY-6M, YYYY-9M, A..B")
    y, part = int(m.group(1)), (m.group(2) or "").lower()
    if not part:
        return period("year", y)
    if part in ("q1", "6m", "9m"):
        return period(part, y)
    return period("month", y, int(part))


def months_between(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months touching [start, end], each clipped to the range."""
    out, y, m = [], start.year, start.month
    while date(y, m, 1) <= end:
        out.append((max(start, date(y, m, 1)), min(end, _month_end(y, m))))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
