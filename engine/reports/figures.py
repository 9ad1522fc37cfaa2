"""The figures the reviews quote in their text (issue 16), per level, each with the drill-down
that lists what it counts, and the sentences the seeds write them in.

* **Dialogues** periodic / ad hoc / thematic (Lào Cai: city 14; communes 267 = 190 periodic
  + 77 ad hoc) — the annex's dialogue lines (engine/reports/appendix2.py).
* **Opinions** raised at dialogues and receptions, **answered at the meeting** and the rate
  (city 227/246 = 92 %, communes 1,749/1,842 = 94 %), **resolved after the meeting** and its
  rate over the opinions not answered there. States as of the period's end.
* **Conclusion notices**: the on-time rate counts only items that *needed* a notice — an item
  answered at the meeting needs none and is reported apart (``answered_at_meeting``), not
  as a notice met on time. Rate = on time ÷ (on time + late + open overdue), as of the end.
* **Reception days** per chair role and level (distinct days a unit held a reception),
  people received, groups; and the compliance totals of the sessions issue.

Rates are whole percents in the text, as the seeds write them ("đạt 92%").
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from engine.language.errors import ValidationError
from engine.language.numbers import format_number
from engine.persistence.models import Clock, Petition, ReceptionSession
from engine.reports.appendix2 import RECEPTIONS, Appendix2, appendix2
from engine.reports.compliance import CHAIR_ROLE_LABELS
from engine.reports.levels import layout
from engine.reports.ontime import _bucket
from engine.reports.periods import check_range
from engine.services.common import unit_by_code

NO_ROLE = "unrecorded"
ROLE_LABELS = {**CHAIR_ROLE_LABELS, NO_ROLE: ("Chưa ghi chức danh người chủ trì", "Chair not recorded")}
# How the seeds name the head who received, per level ("Bí thư Thành ủy đã tiếp 145 ngày").
HEAD_TITLES = {"commune": ("Bí thư đảng ủy các xã, phường", "the party secretaries of the communes"),
               "district": ("Bí thư huyện ủy, thành ủy", "the district party secretary"),
               "province": ("Bí thư Tỉnh ủy", "the provincial party secretary")}
LEVEL_NAMES = {"commune": ("Cấp xã, phường", "Commune level"), "district": ("Cấp huyện, thành phố", "District level"),
               "province": ("Cấp tỉnh", "Province level"), "total": ("Toàn đơn vị", "All")}


def n2(n: int, lang: str = "vi") -> str:
    """A count as the seeds write it: two digits from 1 to 9 ("08 cuộc", "05"), 0 as "0",
    grouped above 999."""
    return f"{n:02d}" if 0 < n < 10 else format_number(n, lang)


def pct(part: int, whole: int) -> int | None:
    return None if not whole else round(100 * part / whole)


@dataclass
class Figures:
    unit: str
    unit_name: str
    date_from: date
    date_to: date
    columns: tuple[str, ...]
    annex: Appendix2                    # the party head's annex (the statutory one)
    annex_all: Appendix2                # every chair together ("11 cuộc đối thoại; 52 cuộc tiếp")
    reception_days: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # role -> column -> figure
    notices: dict[str, dict[str, int]] = field(default_factory=dict)  # column -> {needed, met_on_time, ...}
    annex_layout_ids: tuple[int, ...] = ()  # the units counted

    def level(self, column: str) -> dict:
        a = self.annex
        raised, answered, resolved = (a[k][column] for k in ("opinions_raised", "answered_at_meeting",
                                                                "resolved_after_meeting"))
        n = self.notices.get(column, {})
        judged = n.get("met_on_time", 0) + n.get("met_late", 0) + n.get("open_overdue", 0)
        return {
            "dialogues": a["dialogues"][column], "dialogues_periodic": a["dialogues_periodic"][column],
            "dialogues_adhoc": a["dialogues_adhoc"][column], "dialogues_thematic": a["dialogues_thematic"][column],
            "receptions": a["receptions_periodic"][column] + a["receptions_adhoc"][column],
            "receptions_periodic": a["receptions_periodic"][column], "receptions_adhoc": a["receptions_adhoc"][column],
            "people_periodic": a["people_periodic"][column], "people_adhoc": a["people_adhoc"][column],
            "groups": a["groups"][column],
            "opinions_raised": raised, "answered_at_meeting": answered, "answered_rate": pct(answered, raised),
            "resolved_after_meeting": resolved, "resolved_after_rate": pct(resolved, raised - answered),
            "notices_needed": n.get("needed", 0), "notices_on_time": n.get("met_on_time", 0),
            "notices_late": n.get("met_late", 0), "notices_open_overdue": n.get("open_overdue", 0),
            "notices_on_time_rate": pct(n.get("met_on_time", 0), judged),
            "notices_not_needed": n.get("answered_at_meeting", 0),
            "all_chairs_dialogues": self.annex_all["dialogues"][column],
            "all_chairs_receptions": (self.annex_all["receptions_periodic"][column]
                                      + self.annex_all["receptions_adhoc"][column]),
        }

    def to_dict(self) -> dict:
        return {"unit": self.unit, "unit_name": self.unit_name, "from": self.date_from.isoformat(),
                "to": self.date_to.isoformat(), "columns": list(self.columns),
                "levels": {c: self.level(c) for c in self.columns},
                "reception_days": self.reception_days}

    # -- the sentences ---------------------------------------------------------------------
    def sentences(self, column: str, lang: str = "vi") -> list[str]:
        """The figures of one level written as the seeds write them (only those the data has)."""
        f = self.level(column)
        out = []
        if lang == "en":
            if f["receptions_periodic"] or f["receptions_adhoc"]:
                out.append(f"Held {n2(f['receptions_periodic'], lang)} periodic receptions with "
                           f"{n2(f['people_periodic'], lang)} people and {n2(f['receptions_adhoc'], lang)} ad hoc "
                           f"receptions with {n2(f['people_adhoc'], lang)} people.")
            if f["dialogues"]:
                out.append(f"Held {n2(f['dialogues'], lang)} dialogues ({n2(f['dialogues_periodic'], lang)} periodic, "
                           f"{n2(f['dialogues_adhoc'], lang)} ad hoc, {n2(f['dialogues_thematic'], lang)} thematic).")
            if f["opinions_raised"]:
                out.append(f"{n2(f['answered_at_meeting'], lang)}/{n2(f['opinions_raised'], lang)} opinions were "
                           f"answered at the meeting ({f['answered_rate']}%).")
            if f["resolved_after_rate"] is not None:
                out.append(f"Resolved after the meeting: {n2(f['resolved_after_meeting'], lang)} "
                           f"({f['resolved_after_rate']}%).")
            if f["notices_on_time_rate"] is not None:
                out.append(f"Conclusion notices issued on time: {f['notices_on_time_rate']}% "
                           f"({n2(f['notices_on_time'], lang)}/{n2(f['notices_needed'], lang)} needing a notice; "
                           f"{n2(f['notices_not_needed'], lang)} answered at the meeting needed none).")
            return out
        if f["receptions_periodic"] or f["receptions_adhoc"]:
            s = f"Đã tổ chức {n2(f['receptions_periodic'])} cuộc tiếp dân định kỳ với {n2(f['people_periodic'])} lượt người"
            if f["receptions_adhoc"]:
                s += f", {n2(f['receptions_adhoc'])} cuộc tiếp dân đột xuất với {n2(f['people_adhoc'])} lượt người"
            if f["groups"]:
                s += f" và {n2(f['groups'])} đoàn đông người"
            out.append(s + ".")
        days = {r: v[column] for r, v in self.reception_days.items() if v.get(column, {}).get("days")}
        head = days.get("party_secretary") or days.get(NO_ROLE)
        if head and column in HEAD_TITLES:
            out.append(f"{HEAD_TITLES[column][0]} đã tiếp công dân được {n2(head['days'])} ngày "
                       f"(định kỳ {n2(head['days_periodic'])}, đột xuất {n2(head['days_adhoc'])}) với "
                       f"{n2(head['people'])} lượt người (định kỳ {n2(head['people_periodic'])} người, "
                       f"đột xuất {n2(head['people_adhoc'])} người) và {n2(head['groups'])} đoàn đông người.")
        for role, v in days.items():
            if role not in ("party_secretary", NO_ROLE):
                out.append(f"{ROLE_LABELS.get(role, (role,))[0]} tiếp công dân {n2(v['days'])} ngày với "
                           f"{n2(v['people'])} lượt người (tính riêng, không thuộc Phụ lục 2).")
        if f["dialogues"]:
            parts = [f"{n2(f[k])} cuộc {w}" for k, w in (("dialogues_periodic", "định kỳ"),
                                                          ("dialogues_adhoc", "đột xuất"),
                                                          ("dialogues_thematic", "chuyên đề")) if f[k]]
            s = f"Tổ chức được {n2(f['dialogues'])} cuộc đối thoại ({', '.join(parts)})"
            if f["opinions_raised"]:
                s += f" với {n2(f['opinions_raised'])} ý kiến kiến nghị của Nhân dân"
            out.append(s + ".")
        if f["opinions_raised"]:
            out.append(f"Tại các hội nghị, đã có {n2(f['answered_at_meeting'])}/{n2(f['opinions_raised'])} ý kiến "
                       f"của Nhân dân được trả lời, giải quyết ngay, đạt {f['answered_rate']}%.")
        if f["resolved_after_rate"] is not None:
            out.append(f"Tỷ lệ giải quyết, trả lời ý kiến, kiến nghị sau tiếp công dân, đối thoại đạt "
                       f"{f['resolved_after_rate']}% ({n2(f['resolved_after_meeting'])}/"
                       f"{n2(f['opinions_raised'] - f['answered_at_meeting'])} ý kiến).")
        if f["notices_on_time_rate"] is not None:
            out.append(f"Ban hành thông báo kết luận đúng hạn {n2(f['notices_on_time'])}/{n2(f['notices_needed'])} "
                       f"trường hợp cần thông báo, đạt {f['notices_on_time_rate']}% "
                       f"({n2(f['notices_not_needed'])} ý kiến đã trả lời tại buổi tiếp, không cần thông báo).")
        return out


def _reception_days(session: Session, lay, start: date, end: date) -> dict:
    S = ReceptionSession
    out: dict = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(
        ("days", "days_periodic", "days_adhoc", "people", "people_periodic", "people_adhoc", "groups"), 0)))
    days: dict = defaultdict(set)
    q = (select(S.unit_id, S.chair_role, S.kind, S.held_on, func.sum(S.people), func.sum(S.groups))
         .where(S.status == "held", S.kind.in_(RECEPTIONS), S.held_on >= start, S.held_on <= end,
                *([] if lay.all_units else [S.unit_id.in_(sorted(lay.units))]))
         .group_by(S.unit_id, S.chair_role, S.kind, S.held_on))
    for unit_id, role, kind, held_on, people, groups in session.execute(q):
        col = lay.column_of.get(unit_id)
        if col is None:
            continue
        role = role or NO_ROLE
        suffix = "periodic" if kind == "reception_periodic" else "adhoc"
        for c in (col, "total"):
            rec = out[role][c]
            for key in ("days", f"days_{suffix}"):
                if (key, unit_id, held_on) not in days[(role, c)]:
                    days[(role, c)].add((key, unit_id, held_on))
                    rec[key] += 1
            rec["people"] += int(people or 0)
            rec[f"people_{suffix}"] += int(people or 0)
            rec["groups"] += int(groups or 0)
    return {r: {c: dict(v) for c, v in cols.items()} for r, cols in out.items()}


def _notices(session: Session, lay, start: date, end: date) -> dict:
    """Conclusion-notice clocks started in the period, as of its end: those answered at the
    meeting apart; the others (they needed a notice) by verdict."""
    P = Petition
    answered = and_(Clock.stopped_by_action == "answer_at_meeting", Clock.stopped_on <= end)
    bucket = case((answered, literal("answered_at_meeting")), else_=_bucket(end)).label("b")
    q = (select(P.unit_id, bucket, func.count())
         .where(Clock.petition_id == P.id, Clock.name == "conclusion", Clock.status != "cancelled",
                Clock.trigger_on >= start, Clock.trigger_on <= end,
                *([] if lay.all_units else [P.unit_id.in_(sorted(lay.units))]))
         .group_by(P.unit_id, bucket))
    out: dict = {c: defaultdict(int) for c in lay.columns}
    for unit_id, b, n in session.execute(q):
        col = lay.column_of.get(unit_id)
        if col is None:
            continue
        for c in (col, "total"):
            out[c][b] += n
            if b != "answered_at_meeting":
                out[c]["needed"] += n
    return {c: dict(v) for c, v in out.items()}


def text_figures(session: Session, unit_code: str, date_from, date_to, *, scope: str = "subtree") -> Figures:
    a = appendix2(session, unit_code, date_from, date_to, scope=scope)
    every = appendix2(session, unit_code, date_from, date_to, scope=scope, chairs="all", petition_rows=False)
    unit = unit_by_code(session, unit_code)
    lay = layout(session, unit, a.date_from, a.date_to, scope=scope)
    return Figures(a.unit, a.unit_name, a.date_from, a.date_to, a.columns, a, every,
                   _reception_days(session, lay, a.date_from, a.date_to),
                   _notices(session, lay, a.date_from, a.date_to), tuple(sorted(lay.units)))


def notice_items(session: Session, unit_code: str, date_from, date_to, figure: str, column: str = "total",
                 *, scope: str = "subtree") -> list[dict]:
    """The petitions behind a conclusion-notice figure: 'answered_at_meeting', 'needed',
    'met_on_time', 'met_late', 'open_overdue' or 'open_on_track' (drill-down)."""
    figures = ("answered_at_meeting", "needed", "met_on_time", "met_late", "open_overdue", "open_on_track")
    if figure not in figures:
        raise ValidationError("bad_choice", field="figure", value=figure, choices=", ".join(figures))
    unit = unit_by_code(session, unit_code)
    start, end = check_range(date_from, date_to)
    lay = layout(session, unit, start, end, scope=scope)
    if column not in lay.columns:
        raise ValidationError("bad_choice", field="column", value=column, choices=", ".join(lay.columns))
    P = Petition
    answered = and_(Clock.stopped_by_action == "answer_at_meeting", Clock.stopped_on <= end)
    bucket = case((answered, literal("answered_at_meeting")), else_=_bucket(end))
    cond = bucket != "answered_at_meeting" if figure == "needed" else bucket == figure
    q = (select(P.code, P.unit_id, P.received_on, P.summary, P.state)
         .where(Clock.petition_id == P.id, Clock.name == "conclusion", Clock.status != "cancelled",
                Clock.trigger_on >= start, Clock.trigger_on <= end, P.unit_id.in_(lay.ids_of(column)), cond)
         .order_by(P.received_on, P.id))
    return [{"type": "petition", "code": r[0], "unit": lay.units[r[1]].code, "received_on": r[2].isoformat(),
             "summary": r[3], "state": r[4]} for r in session.execute(q)]
