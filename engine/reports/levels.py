"""Which column of an annex an event lands in: the level of its unit at the time.

Before the 2025 reform local government had three levels (province, district, commune); a
district-level unit (a city such as Lào Cai until 30/06/2025) keeps ``level = 'district'``
and its effective dates (``OrgUnit.valid_from`` / ``valid_to``), so its sessions and
petitions land in the district column, not the commune one. A department counts in its
parent unit's column; wards and special zones are commune level.

Columns of a report — the levels of local government the period has: ``commune`` always;
``district`` when the period reaches back before the end of the district level or a
district-level unit in scope was in force during it (the seeds' "Cấp xã | Cấp huyện | Tổng
cộng"); ``province`` when the scope holds a province-level unit or the period runs past
the reform (the two-level annex "Cấp xã | Cấp tỉnh"); then ``total``. With ``by_unit``,
one column per unit directly below the report's unit that was in force during the period
(its subtree summed), the unit's own figures first, then ``total`` — a province sees its
communes side by side, a 2023 report its districts, a 2026 one the merged communes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.persistence.models import OrgUnit
from engine.persistence.scope import subtree_ids

# The district level ended with the two-level local government (Luật Tổ chức chính quyền địa
# phương số 72/2025/QH15, in force from 01/07/2025): the last day it existed.
DISTRICT_LEVEL_LAST_DAY = date(2025, 6, 30)
DISTRICT_LEVEL_SOURCE = ("Luật Tổ chức chính quyền địa phương số 72/2025/QH15, hiệu lực từ 01/07/2025 "
                         "(chính quyền địa phương hai cấp)")

LEVEL_COLUMNS = ("commune", "district", "province")
SCOPES = ("subtree", "unit")
COLUMN_LABELS = {"commune": ("Cấp xã", "Commune level"), "district": ("Cấp huyện", "District level"),
                 "province": ("Cấp tỉnh", "Province level"), "total": ("Tổng cộng", "Total")}
_LEVEL_TO_COLUMN = {"province": "province", "district": "district", "commune": "commune", "ward": "commune",
                    "special_zone": "commune"}


def level_column(unit, units: dict) -> str:
    """The annex column of a unit's events (a department takes its parent's)."""
    seen = set()
    while unit.level == "department" and unit.parent_id in units and unit.id not in seen:
        seen.add(unit.id)
        unit = units[unit.parent_id]
    return _LEVEL_TO_COLUMN.get(unit.level, "commune")


def _overlaps(u, start: date, end: date) -> bool:
    return (u.valid_from is None or u.valid_from <= end) and (u.valid_to is None or u.valid_to >= start)


def _all_units(session: Session) -> dict:
    """Every unit as a light row (id, code, name, level, parent_id, valid_from, valid_to),
    loaded once per session: a review builds several layouts over the same tree."""
    cache = session.info.get("_annex_units")
    if cache is None:
        U = OrgUnit
        cache = {r.id: r for r in session.execute(select(U.id, U.code, U.name, U.level, U.parent_id, U.valid_from,
                                                         U.valid_to))}
        session.info["_annex_units"] = cache
    return cache


@dataclass
class Layout:
    """The units a report counts and the column each one's events land in."""
    root: OrgUnit
    units: dict[int, OrgUnit]        # every unit counted, by id
    column_of: dict[int, str]        # unit id -> column key
    columns: tuple[str, ...]         # column keys, 'total' last
    labels: dict[str, tuple[str, str]]
    all_units: bool                  # the scope is the whole tree: no IN (...) filter needed

    def label(self, column: str, lang: str = "vi") -> str:
        vi, en = self.labels.get(column, (column, column))
        return en if lang == "en" else vi

    def ids_of(self, column: str) -> list[int]:
        if column == "total":
            return sorted(self.units)
        return sorted(i for i, c in self.column_of.items() if c == column)


def layout(session: Session, root: OrgUnit, start: date, end: date, scope: str = "subtree",
           by_unit: bool = False) -> Layout:
    everything = _all_units(session)
    if scope == "unit":  # the unit itself and its own departments
        ids = {root.id} | {u.id for u in everything.values() if u.parent_id == root.id and u.level == "department"}
    else:
        ids = subtree_ids(session, root.id)
    units = {i: everything[i] for i in ids if i in everything}
    if by_unit:
        # only the units in force during the period: a 2023 report has no column for a commune
        # made on 01/07/2025, a 2026 one none for the district it abolished (that history stays
        # in the earlier periods' reports)
        children = sorted((u for u in units.values() if u.parent_id == root.id and u.level != "department"
                           and _overlaps(u, start, end)), key=lambda u: (u.name, u.code))
        head = {c.id: c.code for c in children}
        column_of = {}
        for uid, u in units.items():
            x, seen = u, set()
            while x.id not in head and x.id != root.id and x.parent_id in units and x.id not in seen:
                seen.add(x.id)
                x = units[x.parent_id]
            column_of[uid] = head.get(x.id, root.code)
        columns = (root.code, *(c.code for c in children), "total")
        labels = {root.code: (root.name, root.name), **{c.code: (c.name, c.name) for c in children},
                  "total": COLUMN_LABELS["total"]}
    else:
        column_of = {uid: level_column(u, everything) for uid, u in units.items()}
        present = {"commune"}
        if start <= DISTRICT_LEVEL_LAST_DAY or any(
                c == "district" and _overlaps(units[i], start, end) for i, c in column_of.items()):
            present.add("district")
        if end > DISTRICT_LEVEL_LAST_DAY or any(c == "province" for c in column_of.values()):
            present.add("province")  # since the reform the annex's two levels are xã and tỉnh
        columns = tuple(c for c in LEVEL_COLUMNS if c in present) + ("total",)
        labels = dict(COLUMN_LABELS)
    return Layout(root, units, column_of, columns, labels, all_units=len(units) >= len(everything))
