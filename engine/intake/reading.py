"""Reading a register: CSV (any of the usual encodings) or the first sheet of an .xlsx, into
rows keyed by the canonical column names of `engine.intake.columns`."""
from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from engine.intake.columns import HEADER_INDEX, RowSet
from engine.language.errors import ValidationError
from engine.language.text import fold


# -- reading -------------------------------------------------------------------------------------
def _cell(v):
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return v if isinstance(v, date) else str(v).strip()


def _raw_rows(path: Path) -> list[list]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                text = fh.read()
            first = text.split("\n", 1)[0]
            delim = ";" if first.count(";") > first.count(",") else ","
            return [list(r) for r in csv.reader(text.splitlines(), delimiter=delim)]
        if suffix in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook
            wb = load_workbook(path, read_only=True, data_only=True)
            try:
                return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            finally:
                wb.close()
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as exc:
        raise ValidationError("import_unreadable", field="file", file=path.name, error=str(exc).splitlines()[0]) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a corrupt file
        raise ValidationError("import_unreadable", field="file", file=path.name, error=type(exc).__name__) from None
    raise ValidationError("import_bad_type", field="file", file=path.name)


def read_rows(path: str | Path) -> RowSet:
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise ValidationError("import_bad_type", field="file", file=path.name)
    if not path.exists():
        raise ValidationError("import_unreadable", field="file", file=path.name, error="not found")
    raw = _raw_rows(path)
    if not raw or not any(_cell(c) for c in raw[0]):
        raise ValidationError("import_no_header", field="file", file=path.name)
    mapping, ignored = [], []
    for h in raw[0]:
        name = str(_cell(h))
        canon = HEADER_INDEX.get(fold(name).replace("_", " ").strip())
        mapping.append(canon)
        if canon is None and name:
            ignored.append(name)
    missing = [c for c in ("unit", "date") if c not in mapping]
    if missing:
        raise ValidationError("import_missing_columns", field="file", file=path.name, columns=", ".join(missing))
    rows = []
    for i, r in enumerate(raw[1:], start=2):
        values = {}
        for canon, v in zip(mapping, r):
            if canon is not None:
                values[canon] = _cell(v)
        if any(v not in ("", None) for v in values.values()):
            rows.append((i, values))
    return RowSet(path.name, [c for c in mapping if c], ignored, rows)


