"""Phụ lục 2 — "Kết quả tiếp dân, đối thoại trực tiếp với dân và xử lý phản ánh, kiến nghị
của người đứng đầu cấp ủy theo Quy định số 11-QĐi/TW", computed from sessions and petitions.

Scope: a unit and every unit below it. Columns: **commune** (cấp xã: units whose
``OrgUnit.tier`` is 'commune', i.e. communes, wards, special zones and — for old history —
districts) and **province** (cấp tỉnh); **total** is their sum. Since the 2025 reform there
are two levels; the seed's "Cấp huyện" column is today's province column. A department
counts in its parent unit's column.

Period: sessions by ``held_on``, petitions by ``received_on``, both ends included. Petition
rows use each petition's state *now* (the annex is written at report time, as the seeds are).

Mapping (one key per row of the annex; the JSON has all 16):

====  =========================  ==========================================================
row   key                        counted as
====  =========================  ==========================================================
1     receptions_periodic        sessions of kind ``reception_periodic``
1     receptions_adhoc           sessions of kind ``reception_adhoc``
2     people_periodic            Σ people of ``reception_periodic`` sessions
2     people_adhoc               Σ people of ``reception_adhoc`` sessions
3     groups                     Σ groups of reception sessions (đoàn đông người)
4     complex_prolonged          petitions flagged complex/prolonged
5     refused                    Σ refused of reception sessions
6     degradation_handled        category ``cadre_degradation``, state answered / resolved /
                                 closed / referred / escalated (đã xử lý / chỉ đạo xử lý)
6     degradation_unhandled      category ``cadre_degradation``, state received / in_resolution
7     resolved_no_further        within authority, state resolved / closed / answered, never
                                 reopened (không còn phản ánh)
7     resolved_still_complained  within authority, reopened at least once (đã giải quyết,
                                 còn phản ánh) whatever its state now
7     in_progress                within authority, received / in_resolution, never reopened
8     directed                   petitions escalated *to* the unit from a lower unit
8     directed_crowded           … of which a group of many people or complex/prolonged
8     directed_incited           … of which exploited / incited (bị lợi dụng, kích động)
9     guided_elsewhere           state referred (petitioner guided to the competent agency)
====  =========================  ==========================================================

"Within authority" (row 7) means received by the unit itself (not escalated to it — that is
row 8) and neither escalated upward nor referred away (rows 8 of the level above and 9).
Row 7's three keys partition those petitions. Rows 4 and 6 overlap the others by nature
(they are flags and categories, not outcomes).

Dialogues (đối thoại) are not receptions: they are in none of rows 1–3 and 5. They are
reported as two extra informative keys, ``dialogues`` and ``people_dialogue``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine.language.errors import ValidationError
from engine.persistence.models import OrgUnit, Petition, ReceptionSession
from engine.persistence.scope import subtree_ids
from engine.services.common import unit_by_code
from engine.deadlines.timeutil import parse_date

COLUMNS = ("commune", "province", "total")
COLUMN_LABELS = {"commune": ("Cấp xã", "Commune level"), "province": ("Cấp tỉnh", "Province level"),
                 "total": ("Tổng cộng", "Total")}
TITLE = ("PHỤ LỤC 2 — Kết quả tiếp dân, đối thoại trực tiếp với dân và xử lý phản ánh, kiến nghị "
         "của người đứng đầu cấp ủy theo Quy định số 11-QĐi/TW",
         "Annex 2 — Results of citizen reception, direct dialogue and handling of feedback and petitions "
         "by the heads of party committees under Regulation 11-QĐi/TW")

RECEPTIONS = ("reception_periodic", "reception_adhoc")
DIALOGUES = ("dialogue_periodic", "dialogue_adhoc", "dialogue_thematic")

_G6 = ("Số vụ việc phản ánh, kiến nghị, KNTC về suy thoái, “tự diễn biến”, “tự chuyển hóa” trong cán bộ, đảng viên",
       "Feedback, petitions, complaints about degradation, 'self-evolution', 'self-transformation' of cadres")
_G7 = ("Số vụ việc phản ánh, kiến nghị, KNTC thuộc thẩm quyền xử lý, giải quyết",
       "Cases within the unit's authority to handle and resolve")
_G8 = ("Số vụ việc phản ánh, kiến nghị, KNTC thuộc thẩm quyền chỉ đạo xử lý, giải quyết",
       "Cases within the unit's authority to direct")
_G9 = ("Số vụ việc không thuộc thẩm quyền chỉ đạo xử lý, giải quyết", "Cases outside the unit's authority")


@dataclass(frozen=True)
class Line:
    key: str
    stt: str
    group: tuple[str, str]       # the row's heading (vi, en)
    label: tuple[str, str]       # the sub-row (vi, en); empty when the row has a single figure
    source: str                  # 'sessions' | 'petitions'
    informative: bool = False    # not part of the statutory annex


LINES: tuple[Line, ...] = (
    Line("receptions_periodic", "1", ("Số cuộc tiếp dân", "Receptions held"), ("Định kỳ", "Periodic"), "sessions"),
    Line("receptions_adhoc", "1", ("Số cuộc tiếp dân", "Receptions held"), ("Đột xuất", "Ad hoc"), "sessions"),
    Line("people_periodic", "2", ("Số lượt người được tiếp", "People received"), ("Định kỳ", "Periodic"), "sessions"),
    Line("people_adhoc", "2", ("Số lượt người được tiếp", "People received"), ("Đột xuất", "Ad hoc"), "sessions"),
    Line("groups", "3", ("Số đoàn đông người được tiếp", "Groups of many people received"), ("", ""), "sessions"),
    Line("complex_prolonged", "4", ("Số vụ việc phức tạp, kéo dài đã tiếp", "Complex, prolonged cases received"),
         ("", ""), "petitions"),
    Line("refused", "5", ("Số vụ việc từ chối tiếp", "Receptions refused"), ("", ""), "sessions"),
    Line("degradation_handled", "6", _G6, ("Đã xử lý/chỉ đạo xử lý", "Handled / handling directed"), "petitions"),
    Line("degradation_unhandled", "6", _G6, ("Chưa xử lý/chỉ đạo xử lý", "Not handled"), "petitions"),
    Line("resolved_no_further", "7", _G7, ("Đã xử lý, giải quyết, không còn phản ánh, kiến nghị, KNTC",
                                           "Resolved, no further complaint"), "petitions"),
    Line("resolved_still_complained", "7", _G7, ("Đã xử lý, giải quyết, còn phản ánh, kiến nghị, KNTC",
                                                 "Resolved, still complained about"), "petitions"),
    Line("in_progress", "7", _G7, ("Đang xử lý, giải quyết", "Being resolved"), "petitions"),
    Line("directed", "8", _G8, ("Số vụ việc phản ánh, kiến nghị, KNTC đã chỉ đạo xử lý, giải quyết",
                                "Cases directed"), "petitions"),
    Line("directed_crowded", "8", _G8, ("Số vụ việc KNTC đông người, phức tạp, kéo dài đã chỉ đạo xử lý, giải quyết",
                                        "Crowded, complex, prolonged cases directed"), "petitions"),
    Line("directed_incited", "8", _G8, ("Số vụ việc bị lợi dụng kích động KNTC phức tạp, chây ỳ, không chấp nhận kết quả "
                                        "giải quyết của cấp có thẩm quyền; gây rối, mất an ninh, trật tự địa phương "
                                        "được chỉ đạo, phối hợp xử lý, giải quyết",
                                        "Exploited / incited cases directed or coordinated"), "petitions"),
    Line("guided_elsewhere", "9", _G9, ("Số vụ việc hướng dẫn người phản ánh, kiến nghị, KNTC đến cơ quan chức năng, "
                                        "người có thẩm quyền", "Petitioners guided to the competent agency"), "petitions"),
    Line("dialogues", "", ("Số cuộc đối thoại (thông tin thêm)", "Dialogues held (informative)"), ("", ""),
         "sessions", informative=True),
    Line("people_dialogue", "", ("Số lượt người tham gia đối thoại (thông tin thêm)",
                                 "People at dialogues (informative)"), ("", ""), "sessions", informative=True),
)
KEYS = tuple(line.key for line in LINES if not line.informative)
ALL_KEYS = tuple(line.key for line in LINES)
LINE_BY_KEY = {line.key: line for line in LINES}

_HANDLED = ("answered", "resolved", "closed", "referred", "escalated")
_OPEN = ("received", "in_resolution")


def _petition_predicates() -> dict:
    P = Petition
    within = and_(P.escalated_from_id.is_(None), P.state.notin_(("escalated", "referred")))
    directed = P.escalated_from_id.is_not(None)
    deg = P.category == "cadre_degradation"
    return {
        "complex_prolonged": P.complex_prolonged.is_(True),
        "degradation_handled": and_(deg, P.state.in_(_HANDLED)),
        "degradation_unhandled": and_(deg, P.state.in_(_OPEN)),
        "resolved_no_further": and_(within, P.state.in_(("resolved", "closed", "answered")), P.reopen_count == 0),
        "resolved_still_complained": and_(within, P.reopen_count > 0),
        "in_progress": and_(within, P.state.in_(_OPEN), P.reopen_count == 0),
        "directed": directed,
        "directed_crowded": and_(directed, or_(P.is_group.is_(True), P.complex_prolonged.is_(True))),
        "directed_incited": and_(directed, P.incited.is_(True)),
        "guided_elsewhere": P.state == "referred",
    }


# Session keys: (kinds, the column summed or None for a count)
_SESSION_FIGURES = {
    "receptions_periodic": (("reception_periodic",), None),
    "receptions_adhoc": (("reception_adhoc",), None),
    "people_periodic": (("reception_periodic",), "people"),
    "people_adhoc": (("reception_adhoc",), "people"),
    "groups": (RECEPTIONS, "groups"),
    "refused": (RECEPTIONS, "refused"),
    "dialogues": (DIALOGUES, None),
    "people_dialogue": (DIALOGUES, "people"),
}


@dataclass
class Appendix2:
    unit: str
    unit_name: str
    date_from: date
    date_to: date
    figures: dict[str, dict[str, int]] = field(default_factory=dict)  # key -> {commune, province, total}

    def __getitem__(self, key: str) -> dict[str, int]:
        return self.figures[key]

    def to_dict(self) -> dict:
        out = {"unit": self.unit, "unit_name": self.unit_name, "from": self.date_from.isoformat(),
               "to": self.date_to.isoformat()}
        out.update({k: dict(self.figures[k]) for k in ALL_KEYS})
        return out


_PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Đặc khu ", "Huyện ", "Quận ", "Thị xã ", "Thị trấn ")


def _place(name: str) -> str:
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def party_heading(unit_name: str, unit_level: str, parent_name: str | None, on: date) -> dict:
    """The heading and signature block of a party document (Hướng dẫn 36-HD/VPTW) for the
    annex as the seeds file it: the higher party organisation and the committee top left,
    "ĐẢNG CỘNG SẢN VIỆT NAM" top right, place and date in italics, "T/M" the committee.
    The signer's name is not known to the engine: its line is left blank."""
    committee = f"TỈNH ỦY {_place(unit_name).upper()}" if unit_level == "province" else f"ĐẢNG ỦY {unit_name.upper()}"
    return {
        "above": f"ĐẢNG BỘ {parent_name.upper()}" if parent_name else "",
        "committee": committee,
        "place_date": f"{_place(unit_name)}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}",
        "signing_for": f"T/M {'BAN THƯỜNG VỤ' if unit_level == 'province' else 'ĐẢNG ỦY'}",
        "position": "BÍ THƯ",
    }


def _tiers(session: Session, ids: set[int]) -> dict[int, str]:
    return {u.id: u.tier for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(sorted(ids))))}


def _range(date_from, date_to) -> tuple[date, date]:
    a, b = parse_date(date_from, "from"), parse_date(date_to, "to")
    if a > b:
        raise ValidationError("bad_period", field="from", start=a.strftime("%d/%m/%Y"), end=b.strftime("%d/%m/%Y"))
    return a, b


def appendix2(session: Session, unit_code: str, date_from, date_to) -> Appendix2:
    """The annex for `unit_code` and its subtree over [date_from, date_to]."""
    unit = unit_by_code(session, unit_code)
    start, end = _range(date_from, date_to)
    ids = subtree_ids(session, unit.id)
    tiers = _tiers(session, ids)
    total_units = session.scalar(select(func.count()).select_from(OrgUnit))
    in_scope = (lambda col: [col.in_(sorted(ids))]) if len(ids) < total_units else (lambda col: [])
    figures = {k: {"commune": 0, "province": 0, "total": 0} for k in ALL_KEYS}

    def add(key: str, unit_id: int, n) -> None:
        n = int(n or 0)
        if n:
            figures[key][tiers.get(unit_id, "commune")] += n
            figures[key]["total"] += n

    S = ReceptionSession
    for unit_id, kind, cnt, people, groups, refused in session.execute(
            select(S.unit_id, S.kind, func.count(), func.sum(S.people), func.sum(S.groups), func.sum(S.refused))
            .where(S.status == "held", S.held_on >= start, S.held_on <= end, *in_scope(S.unit_id))
            .group_by(S.unit_id, S.kind)):
        values = {None: cnt, "people": people, "groups": groups, "refused": refused}
        for key, (kinds, col) in _SESSION_FIGURES.items():
            if kind in kinds:
                add(key, unit_id, values[col])

    preds = _petition_predicates()
    cols = [func.sum(case((pred, 1), else_=0)).label(key) for key, pred in preds.items()]
    for rec in session.execute(select(Petition.unit_id, *cols)
                               .where(Petition.received_on >= start, Petition.received_on <= end,
                                      *in_scope(Petition.unit_id))
                               .group_by(Petition.unit_id)):
        for key in preds:
            add(key, rec.unit_id, getattr(rec, key))
    return Appendix2(unit.code, unit.name, start, end, figures)


def appendix2_items(session: Session, unit_code: str, date_from, date_to, key: str, column: str = "total",
                    limit: int | None = None, offset: int = 0) -> list[dict]:
    """The sessions or petitions behind one number of the annex (drill-down)."""
    if key not in LINE_BY_KEY:
        raise ValidationError("bad_report_bucket", field="key", value=key, choices=", ".join(ALL_KEYS))
    if column not in COLUMNS:
        raise ValidationError("bad_choice", field="column", value=column, choices=", ".join(COLUMNS))
    unit = unit_by_code(session, unit_code)
    start, end = _range(date_from, date_to)
    ids = subtree_ids(session, unit.id)
    if column != "total":
        ids = {i for i, tier in _tiers(session, ids).items() if tier == column}
    codes = {u.id: u.code for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(sorted(ids))))}
    if LINE_BY_KEY[key].source == "sessions":
        S = ReceptionSession
        kinds, col = _SESSION_FIGURES[key]
        q = (select(S).where(S.status == "held", S.held_on >= start, S.held_on <= end, S.unit_id.in_(sorted(ids)),
                            S.kind.in_(kinds))
             .order_by(S.held_on, S.id))
        if col is not None:
            q = q.where(getattr(S, col) > 0)
        q = q.offset(offset).limit(limit) if limit is not None else q.offset(offset)
        return [{"type": "session", "id": s.id, "unit": codes.get(s.unit_id), "kind": s.kind,
                 "held_on": s.held_on.isoformat(), "people": s.people, "groups": s.groups, "refused": s.refused,
                 "counts": 1 if col is None else getattr(s, col)} for s in session.scalars(q)]
    P = Petition
    q = (select(P.code, P.unit_id, P.received_on, P.summary, P.state, P.category, P.reopen_count)
         .where(P.received_on >= start, P.received_on <= end, P.unit_id.in_(sorted(ids)), _petition_predicates()[key])
         .order_by(P.received_on, P.id).offset(offset))
    if limit is not None:
        q = q.limit(limit)
    return [{"type": "petition", "code": r.code, "unit": codes.get(r.unit_id), "received_on": r.received_on.isoformat(),
             "summary": r.summary, "state": r.state, "category": r.category, "reopen_count": r.reopen_count}
            for r in session.execute(q)]
