"""Compliance with the reception and dialogue obligations (issue 14): per unit and period,
per obligation (chair role): required, planned, held, missed, cancelled, shortfall.

The obligations and the counting rules are data and pure code in
`engine/deadlines/obligations.py` (config/obligations.toml). What is counted here:

* a session counts for an obligation when its kind is one of the obligation's kinds and its
  chair role is the obligation's (sessions recorded before chair roles existed count for none);
* **required** = Σ minimum over the months / weeks / years due in the period;
* **planned** = sessions put on the schedule (``planned_on`` set) dated in the period, not
  cancelled; **held** = sessions held in the period (planned or ad hoc); **missed** = planned,
  dated before ``as_of`` and still not recorded as held or cancelled; **cancelled** likewise;
* **shortfall** = Σ over the months / weeks / years that have ended before ``as_of`` of
  max(0, minimum − sessions held in it). A week's sessions are those dated Monday–Sunday, so a
  week across the period's edge counts the sessions of its whole week.

A unit's report covers the unit and every unit below it that has obligations: a province
sees its communes side by side, one row per unit and obligation, then totals per obligation.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.deadlines.calendar import WorkingCalendar, default_calendar
from engine.deadlines.obligations import Obligations, load_obligations, override_signature, period_label, unit_buckets
from engine.deadlines.timeutil import local_date, parse_date, utcnow
from engine.language.errors import ValidationError
from engine.persistence.models import OrgUnit, ReceptionSession
from engine.persistence.scope import ancestors
from engine.services.common import unit_by_code

FIGURES = ("required", "planned", "held", "missed", "cancelled", "shortfall")
FIGURE_LABELS = {
    "required": ("Phải tổ chức", "Required"),
    "planned": ("Đã lên lịch", "Planned"),
    "held": ("Đã tổ chức", "Held"),
    "missed": ("Lỡ (quá ngày, chưa ghi nhận)", "Missed (date passed, not recorded)"),
    "cancelled": ("Đã hủy", "Cancelled"),
    "shortfall": ("Còn thiếu", "Shortfall"),
}
CHAIR_ROLE_LABELS = {
    "party_secretary": ("Bí thư cấp ủy", "Party committee secretary"),
    "ubnd_chair": ("Chủ tịch UBND", "People's Committee chair"),
    "hdnd_chair": ("Chủ tịch HĐND", "People's Council chair"),
    "standing_team": ("Tổ tiếp công dân thường xuyên", "Standing citizen reception team"),
    "other": ("Khác", "Other"),
}
PER_LABELS = {"week": ("tuần", "week"), "month": ("tháng", "month"), "year": ("năm", "year")}
TITLE = ("Việc thực hiện tiếp công dân định kỳ và đối thoại theo quy định",
         "Compliance with periodic reception and dialogue obligations")


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def obligation_label(key: str, lang: str = "vi", obligations: Obligations | None = None) -> str:
    obs = obligations or load_obligations()
    return obs.rule(key).label_in(lang) if key in obs.keys else key


@dataclass
class ComplianceRow:
    unit: str
    unit_name: str
    level: str
    obligation: str
    chair_role: str
    per: str
    minimum: int
    source: str
    required: int = 0
    planned: int = 0
    held: int = 0
    missed: int = 0
    cancelled: int = 0
    shortfall: int = 0
    short_periods: list[str] = field(default_factory=list)   # "2026-02", "2026-W08", "2026"

    def add(self, other: "ComplianceRow") -> None:
        for f in FIGURES:
            setattr(self, f, getattr(self, f) + getattr(other, f))


@dataclass
class ComplianceReport:
    unit: str
    unit_name: str
    date_from: date
    date_to: date
    as_of: date
    rows: list[ComplianceRow]
    totals: list[ComplianceRow]
    kind: str = "compliance"

    def to_dict(self) -> dict:
        return {"report": "compliance", "unit": self.unit, "unit_name": self.unit_name,
                "from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "as_of": self.as_of.isoformat(),
                "rows": [asdict(r) for r in self.rows], "totals": [asdict(r) for r in self.totals]}


def _units(session: Session, root: OrgUnit) -> list[tuple[OrgUnit | tuple, list[str]]]:
    """(id, code, name, level, valid_from, valid_to) of the root and its subtree, each with its
    chain of codes (itself, then its ancestors)."""
    rows = session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.parent_id,
                                  OrgUnit.valid_from, OrgUnit.valid_to)).all()
    by_id = {r.id: r for r in rows}
    children: dict[int | None, list[int]] = defaultdict(list)
    for r in rows:
        children[r.parent_id].append(r.id)
    above = [u.code for u in ancestors(session, root)][1:]
    out, stack = [], [(root.id, [root.code] + above)]
    while stack:
        uid, chain = stack.pop()
        out.append((by_id[uid], chain))
        for c in sorted(children.get(uid, ()), reverse=True):
            stack.append((c, [by_id[c].code] + chain))
    return out


def _range(date_from, date_to) -> tuple[date, date]:
    a, b = parse_date(date_from, "from"), parse_date(date_to, "to")
    if a > b:
        raise ValidationError("bad_period", field="from", start=a.strftime("%d/%m/%Y"), end=b.strftime("%d/%m/%Y"))
    return a, b


def _plan(session: Session, unit_code: str, date_from, date_to, obs: Obligations, cal: WorkingCalendar):
    """The units with obligations in the period and their buckets: [(unit, {key: [Bucket]})]."""
    root = unit_by_code(session, unit_code)
    start, end = _range(date_from, date_to)
    cache: dict = {}
    plan = []
    for u, chain in _units(session, root):
        a = max(start, u.valid_from) if u.valid_from else start
        b = min(end, u.valid_to) if u.valid_to else end
        if a > b:
            continue
        sig = (u.level, override_signature(obs, chain), a, b)
        if sig not in cache:
            cache[sig] = unit_buckets(obs, u.level, chain, a, b, cal)
        if cache[sig]:
            plan.append((u, cache[sig]))
    return root, start, end, plan


def compliance_report(session: Session, unit_code: str, date_from, date_to, as_of=None, lang: str = "vi",
                      obligations: Obligations | None = None, cal: WorkingCalendar | None = None) -> ComplianceReport:
    obs, cal = obligations or load_obligations(), cal or default_calendar()
    as_of = parse_date(as_of, "as_of") if as_of else local_date(utcnow())
    root, start, end, plan = _plan(session, unit_code, date_from, date_to, obs, cal)
    rows: list[ComplianceRow] = []
    if plan:
        rows = _count(session, plan, obs, start, end, as_of, lang)
    totals: dict[str, ComplianceRow] = {}
    for r in rows:
        t = totals.setdefault(r.obligation, ComplianceRow("", "", "", r.obligation, r.chair_role, r.per, r.minimum,
                                                          r.source))
        t.add(r)
    return ComplianceReport(root.code, root.name, start, end, as_of, rows, list(totals.values()))


def _count(session: Session, plan, obs: Obligations, start: date, end: date, as_of: date,
           lang: str) -> list[ComplianceRow]:
    """Two queries whatever the size of the subtree: the period's figures summed per unit, chair
    role and kind; the held sessions' dates over the months/weeks/years due, which Python
    places in their bucket through a day → bucket table built once per unit signature."""
    S = ReceptionSession
    pairs = {(r.chair_role, k) for r in obs.rules for k in r.kinds}
    roles, kinds = sorted({p[0] for p in pairs}), sorted({p[1] for p in pairs})
    ids = [u.id for u, _ in plan]
    wanted = set(ids)
    few = len(ids) <= 1000  # larger subtrees are filtered here: a long IN list costs more than it saves
    scope = [S.unit_id.in_(ids)] if few else []

    figures: dict[tuple, list[int]] = {}
    missed = (S.status == "planned") & (S.held_on < as_of)
    q = (select(S.unit_id, S.chair_role, S.kind,
                func.sum(case((S.status == "held", 1), else_=0)),
                func.sum(case(((S.planned_on.isnot(None)) & (S.status != "cancelled"), 1), else_=0)),
                func.sum(case((missed, 1), else_=0)),
                func.sum(case((S.status == "cancelled", 1), else_=0)))
         .where(S.held_on >= start, S.held_on <= end, S.chair_role.in_(roles), S.kind.in_(kinds), *scope)
         .group_by(S.unit_id, S.chair_role, S.kind))
    for unit_id, role, kind, held, planned, miss, cancelled in session.execute(q):
        if unit_id in wanted:
            figures[(unit_id, role, kind)] = [int(held or 0), int(planned or 0), int(miss or 0), int(cancelled or 0)]

    # the day → bucket tables, shared by the units of one signature (same dict of buckets)
    tables: dict[int, dict[str, dict[int, int]]] = {}
    for _, bk in plan:
        if id(bk) not in tables:
            tables[id(bk)] = {key: {o: i for i, b in enumerate(bs)
                                    for o in range(b.start.toordinal(), b.end.toordinal() + 1)}
                              for key, bs in bk.items()}
    counts: dict[tuple[int, str], list[int]] = {}
    route: dict[tuple, list[tuple[dict, list[int]]]] = defaultdict(list)  # (unit, role, kind) -> [(table, counts)]
    for u, bk in plan:
        for key, bs in bk.items():
            c = counts[(u.id, key)] = [0] * len(bs)
            ob = bs[-1].obligation
            for kind in ob.kinds:
                route[(u.id, ob.chair_role, kind)].append((tables[id(bk)][key], c))
    span_a = min(b.start for _, bk in plan for bs in bk.values() for b in bs)
    span_b = max(b.end for _, bk in plan for bs in bk.values() for b in bs)
    q = (select(S.unit_id, S.chair_role, S.kind, S.held_on)
         .where(S.status == "held", S.held_on >= span_a, S.held_on <= span_b, S.chair_role.in_(roles),
                S.kind.in_(kinds), *scope))
    for unit_id, role, kind, day in session.execute(q):
        targets = route.get((unit_id, role, kind))
        if targets:
            o = day.toordinal()
            for table, c in targets:
                i = table.get(o)
                if i is not None:
                    c[i] += 1

    rows = []
    for u, bk in plan:
        for key, bs in bk.items():
            ob = bs[-1].obligation
            row = ComplianceRow(u.code, u.name, u.level, key, ob.chair_role, ob.per, ob.minimum, ob.source_in(lang))
            row.required = sum(b.minimum for b in bs)
            for kind in ob.kinds:
                f = figures.get((u.id, ob.chair_role, kind))
                if f:
                    row.held += f[0]
                    row.planned += f[1]
                    row.missed += f[2]
                    row.cancelled += f[3]
            for b, got in zip(bs, counts[(u.id, key)]):
                if b.end < as_of and got < b.minimum:
                    row.shortfall += b.minimum - got
                    row.short_periods.append(b.label)
            rows.append(row)
    return rows


def compliance_items(session: Session, unit_code: str, date_from, date_to, obligation: str, figure: str,
                     as_of=None, limit: int | None = None, offset: int = 0,
                     obligations: Obligations | None = None) -> list[dict]:
    """The sessions behind one figure of one unit's row (drill-down): `unit_code` is the row's
    unit (not its subtree). 'required' and 'shortfall' have no sessions behind them: their
    drill-down is the list of every session counted for the obligation."""
    obs = obligations or load_obligations()
    if figure not in FIGURES:
        raise ValidationError("bad_report_bucket", field="figure", value=figure, choices=", ".join(FIGURES))
    if obligation not in obs.keys:
        raise ValidationError("bad_report_bucket", field="obligation", value=obligation, choices=", ".join(obs.keys))
    unit = unit_by_code(session, unit_code)
    start, end = _range(date_from, date_to)
    as_of = parse_date(as_of, "as_of") if as_of else local_date(utcnow())
    rule = obs.rule(obligation)
    S = ReceptionSession
    q = select(S).where(S.unit_id == unit.id, S.held_on >= start, S.held_on <= end, S.chair_role == rule.chair_role,
                        S.kind.in_(rule.kinds))
    if figure == "held":
        q = q.where(S.status == "held")
    elif figure == "planned":
        q = q.where(S.planned_on.isnot(None), S.status != "cancelled")
    elif figure == "missed":
        q = q.where(S.status == "planned", S.held_on < as_of)
    elif figure == "cancelled":
        q = q.where(S.status == "cancelled")
    q = q.order_by(S.held_on, S.id).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    out = []
    for s in session.scalars(q):
        status = "missed" if s.status == "planned" and s.held_on < as_of else s.status
        out.append({"type": "session", "id": s.id, "unit": unit.code, "kind": s.kind, "held_on": s.held_on.isoformat(),
                    "planned_on": s.planned_on.isoformat() if s.planned_on else None, "status": status,
                    "chair_role": s.chair_role, "chair": s.chair, "place": s.place, "topic": s.topic,
                    "people": s.people})
    return out


# -- exports ---------------------------------------------------------------------------------------------
def compliance_table(r: ComplianceReport, lang: str = "vi") -> tuple[list[str], list[list]]:
    headers = ["Đơn vị" if lang != "en" else "Unit", "Nghĩa vụ" if lang != "en" else "Obligation",
               "Vai trò chủ trì" if lang != "en" else "Chair role",
               "Mức tối thiểu" if lang != "en" else "Minimum",
               *(pick(FIGURE_LABELS[f], lang) for f in FIGURES),
               "Kỳ còn thiếu" if lang != "en" else "Periods short"]

    def minimum(x: ComplianceRow) -> str:
        per = pick(PER_LABELS[x.per], lang)
        return f"{x.minimum} / {per}" if lang == "en" else f"{x.minimum} ngày/{per}" if x.per != "year" \
            else f"{x.minimum} lần/{per}"

    rows = []
    for x in r.rows:
        rows.append([f"{x.unit_name} ({x.unit})", obligation_label(x.obligation, lang),
                     pick(CHAIR_ROLE_LABELS.get(x.chair_role, (x.chair_role, x.chair_role)), lang), minimum(x),
                     *(getattr(x, f) for f in FIGURES), ", ".join(period_label(p, lang) for p in x.short_periods)])
    all_label = "Tổng cộng" if lang != "en" else "Total"
    for x in r.totals:
        rows.append([all_label, obligation_label(x.obligation, lang),
                     pick(CHAIR_ROLE_LABELS.get(x.chair_role, (x.chair_role, x.chair_role)), lang), minimum(x),
                     *(getattr(x, f) for f in FIGURES), ""])
    return headers, rows


def _subtitle(r: ComplianceReport, lang: str) -> str:
    d = lambda x: x.strftime("%d/%m/%Y")  # noqa: E731
    if lang == "en":
        return f"{r.unit_name} ({r.unit}) — from {d(r.date_from)} to {d(r.date_to)}, as of {d(r.as_of)}"
    return f"{r.unit_name} ({r.unit}) — từ ngày {d(r.date_from)} đến ngày {d(r.date_to)}, tính đến ngày {d(r.as_of)}"


def export_compliance(r: ComplianceReport, fmt: str, lang: str = "vi") -> bytes | str:
    """xlsx/csv → bytes; json/table/html → str. Text cells are neutralised against formula
    injection as the other exports are (`engine.reports.export.csv_safe`, string-typed cells)."""
    import json

    from engine.reports.export import csv_bytes, titled_xlsx
    headers, rows = compliance_table(r, lang)
    if fmt == "json":
        return json.dumps(r.to_dict(), ensure_ascii=False, indent=2, default=str)
    if fmt == "csv":
        return csv_bytes(headers, rows)
    if fmt == "table":
        widths = [max(len(str(h)), *(len(str(row[i])) for row in rows)) if rows else len(str(h))
                  for i, h in enumerate(headers)]
        lines = [pick(TITLE, lang), _subtitle(r, lang), "",
                 "  ".join(str(h).ljust(w) for h, w in zip(headers, widths))]
        lines += ["  ".join((str(v).rjust(w) if isinstance(v, int) else str(v).ljust(w)) for v, w in zip(row, widths))
                  for row in rows]
        return "\n".join(line.rstrip() for line in lines)
    if fmt == "html":
        from engine.reports.export import _env
        tpl = ("<!doctype html><html lang='{{ lang }}'><head><meta charset='utf-8'><title>{{ title }}</title></head>"
               "<body><h1>{{ title }}</h1><p>{{ sub }}</p><table><thead><tr>{% for h in headers %}<th>{{ h }}</th>"
               "{% endfor %}</tr></thead><tbody>{% for row in rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}"
               "</tr>{% endfor %}</tbody></table></body></html>")
        return _env.from_string(tpl).render(lang=lang, title=pick(TITLE, lang), sub=_subtitle(r, lang),
                                            headers=headers, rows=rows)
    if fmt == "xlsx":
        return titled_xlsx("Tuan thu" if lang != "en" else "Compliance", pick(TITLE, lang), _subtitle(r, lang),
                           headers, rows, widths=(30, 34, 22, 14, *([12] * len(FIGURES)), 30), freeze="C5")
    raise ValidationError("bad_format", field="format", value=fmt, choices="table, json, csv, xlsx, html")
