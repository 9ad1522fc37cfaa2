"""Org units: the tree, loaded from CSV all-or-nothing."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.language.errors import ValidationError
from engine.language.messages import render
from engine.persistence.models import UNIT_LEVELS, OrgUnit
from engine.services.common import text
from engine.deadlines.timeutil import parse_date

REQUIRED = ("code", "name", "level", "parent_code")


def _line_error(file, line, code, lang="vi", **params):
    return ValidationError("csv_line", file=file, line=line, error=render(code, "vi", **params))


def load_units_csv(session: Session, path: str | Path) -> dict:
    """Create or update units from `code,name,level,parent_code[,valid_from,valid_to]`.

    Everything is checked before anything is written; the first problem is reported with
    its line number and nothing changes.
    """
    fname = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ValidationError("csv_columns", file=fname, columns=", ".join(missing))
            rows = [(i, {(k or "").strip(): (v or "").strip() for k, v in r.items()}) for i, r in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValidationError("csv_unreadable", file=fname, error=str(exc)) from None

    existing = {u.code: u for u in session.scalars(select(OrgUnit))}
    seen: dict[str, int] = {}
    parsed = []
    for line, r in rows:
        try:  # the rules of every other way in (engine.services.common): cleaned, within limits
            r["code"], r["name"] = text(r.get("code"), "code"), text(r.get("name"), "name")
            r["parent_code"] = text(r.get("parent_code"), "code", required=False)
        except ValidationError as exc:
            raise _line_error(fname, line, exc.code, **exc.params) from None
        code = r.get("code", "")
        if not code:
            raise _line_error(fname, line, "missing_field", field="code")
        if code in seen:
            raise _line_error(fname, line, "duplicate_code", code=code)
        seen[code] = line
        if r.get("level") not in UNIT_LEVELS:
            raise _line_error(fname, line, "bad_choice", field="level", value=r.get("level"), choices=", ".join(UNIT_LEVELS))
        dates = {}
        for key in ("valid_from", "valid_to"):
            if r.get(key):
                try:
                    dates[key] = parse_date(r[key], key)
                except ValidationError:
                    raise _line_error(fname, line, "bad_date", value=r[key]) from None
        parsed.append((line, r, dates))

    parents = {r["code"]: r.get("parent_code") or None for _, r, _ in parsed}
    for line, r, _ in parsed:
        p = parents[r["code"]]
        if p and p not in parents and p not in existing:
            raise _line_error(fname, line, "unknown_unit", code=p)
        # walk up to find cycles (through the file and the database)
        seen_chain, cur = {r["code"]}, p
        while cur:
            if cur in seen_chain:
                raise _line_error(fname, line, "unit_cycle", code=r["code"])
            seen_chain.add(cur)
            cur = parents[cur] if cur in parents else (existing[cur].parent.code if existing.get(cur) and existing[cur].parent else None)

    created = updated = 0
    units = dict(existing)
    for _, r, dates in parsed:
        u = units.get(r["code"])
        if u is None:
            u = OrgUnit(code=r["code"])
            session.add(u)
            units[r["code"]] = u
            created += 1
        else:
            updated += 1
        u.name, u.level = r["name"], r["level"]
        u.valid_from, u.valid_to = dates.get("valid_from"), dates.get("valid_to")
    session.flush()
    for _, r, _ in parsed:
        p = parents[r["code"]]
        units[r["code"]].parent_id = units[p].id if p else None
    session.flush()
    session.info.pop("_subtree_cache", None)
    return {"created": created, "updated": updated, "total": len(parsed)}


def add_unit(session: Session, code: str, name: str, level: str, parent_code: str | None = None) -> OrgUnit:
    from engine.services.common import choice, text, unit_by_code
    parent = unit_by_code(session, parent_code) if parent_code else None
    u = OrgUnit(code=text(code, "code"), name=text(name, "name"), level=choice(level, UNIT_LEVELS, "level"),
                parent_id=parent.id if parent else None)
    session.add(u)
    session.flush()
    session.info.pop("_subtree_cache", None)
    return u
