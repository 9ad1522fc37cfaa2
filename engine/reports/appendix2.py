"""Phụ lục 2 — "Kết quả tiếp dân, đối thoại trực tiếp với dân và xử lý phản ánh, kiến nghị
của người đứng đầu cấp ủy theo Quy định số 11-QĐi/TW", computed from sessions and petitions.

Scope: a unit and every unit below it (``scope='subtree'``, the default) or the unit alone
with its departments (``scope='unit'``). Columns (engine/reports/levels.py): the level of
each event's unit — **commune**, **district** (whenever the period has district-level
units: the seed's "Cấp huyện"), **province** — and **total**; or, with ``by_unit``, one
column per unit directly below (a province sees its communes side by side).

Whose sessions: Regulation 11 counts the *head of the party committee*. By default
(``chairs='party_head'``) rows 1–3 and 5 and the dialogue lines count sessions chaired by the
party secretary (``chair_role = 'party_secretary'``) and sessions recorded before chair roles
existed (no role: they were recorded for this annex). Sessions of the other chairs (People's
Committee, People's Council, standing team) are shown apart in two informative lines;
``chairs='all'`` counts every chair.

Period: sessions by ``held_on``, petitions by ``received_on``, both ends included. Petition
rows use each petition's state **as of the period's end** (engine/reports/asof.py replays
the events), so a past period's annex does not change as work goes on.

Mapping (one key per row of the annex):

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
                                 còn phản ánh) whatever its state
7     in_progress                within authority, received / in_resolution, never reopened
8     directed                   petitions escalated *to* the unit from a lower unit on which
                                 the unit actually acted (a workflow action by the period's
                                 end) — an escalated copy nobody touched is not "directed"
8     directed_crowded           … of which a group of many people or complex/prolonged
8     directed_incited           … of which exploited / incited (bị lợi dụng, kích động)
9     guided_elsewhere           state referred (petitioner guided to the competent agency)
====  =========================  ==========================================================

"Within authority" (row 7) means received by the unit itself (not escalated to it — that is
row 8) and neither escalated upward nor referred away (rows 8 of the level above and 9).
Row 7's three keys partition those petitions. Rows 4 and 6 overlap the others by nature
(they are flags and categories, not outcomes). States are as of the period's end.

Informative lines (not rows of the statutory annex; the figures the reports' text quotes):
``dialogues`` (= periodic + ad hoc + thematic), ``dialogues_periodic``, ``dialogues_adhoc``,
``dialogues_thematic``, ``people_dialogue``; ``opinions_raised`` (petitions collected at a
held dialogue or reception of the counted chairs), ``answered_at_meeting`` (of those,
answered at the meeting), ``resolved_after_meeting`` (of those, resolved or closed after it);
``receptions_other_chairs`` and ``people_other_chairs`` (receptions chaired by someone other
than the party head, shown apart).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import parse_date
from engine.language.errors import ValidationError
from engine.persistence.models import Petition, ReceptionSession
from engine.reports.asof import (acted_on_by, reopen_count_as_of, replayed_as_of, state_as_of, unpack,
                                 untouched_since, tune_for_report)
from engine.reports.levels import COLUMN_LABELS, LEVEL_COLUMNS, SCOPES, Layout, layout
from engine.services.common import unit_by_code

COLUMNS = (*LEVEL_COLUMNS, "total")  # every column a level report may have (a report has those present)
CHAIRS = ("party_head", "all")
PARTY_HEAD = "party_secretary"
TITLE = ("PHỤ LỤC 2 — Kết quả tiếp dân, đối thoại trực tiếp với dân và xử lý phản ánh, kiến nghị "
         "của người đứng đầu cấp ủy theo Quy định số 11-QĐi/TW",
         "Annex 2 — Results of citizen reception, direct dialogue and handling of feedback and petitions "
         "by the heads of party committees under Regulation 11-QĐi/TW")

RECEPTIONS = ("reception_periodic", "reception_adhoc")
DIALOGUES = ("dialogue_periodic", "dialogue_adhoc", "dialogue_thematic")

RECEPTIONS = ("reception_periodic", "reception_adhoc")
DIALOGUES = ("dialogue_periodic", "dialogue_adhoc", "dialogue_thematic")

_G6 = ("Số vụ việc phản ánh, kiến nghị, KNTC về suy thoái, “tự diễn biến”, “tự chuyển hóa” trong cán bộ, đảng viên",
       "Feedback, petitions, complaints about degradation, 'self-evolution', 'self-transformation' of cadres")
_G7 = ("Số vụ việc phản ánh, kiến nghị, KNTC thuộc thẩm quyền xử lý, giải quyết",
       "Cases within the unit's authority to handle and resolve")
_G8 = ("Số vụ việc phản ánh, kiến nghị, KNTC thuộc thẩm quyền chỉ đạo xử lý, giải quyết",
       "Cases within the unit's authority to direct")
_GD = ("Số cuộc đối thoại trực tiếp với dân (thông tin thêm)", "Direct dialogues held (informative)")
_GO = ("Ý kiến, kiến nghị tại buổi tiếp, đối thoại (thông tin thêm)", "Opinions at receptions and dialogues "
       "(informative)")
_GX = ("Tiếp dân của người chủ trì khác (Chủ tịch UBND, HĐND…; thông tin thêm)",
       "Receptions by other chairs (People's Committee, Council…; informative)")
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
    Line("dialogues", "", _GD, ("Tất cả các hình thức", "All kinds"), "sessions", informative=True),
    Line("dialogues_periodic", "", _GD, ("Định kỳ", "Periodic"), "sessions", informative=True),
    Line("dialogues_adhoc", "", _GD, ("Đột xuất", "Ad hoc"), "sessions", informative=True),
    Line("dialogues_thematic", "", _GD, ("Chuyên đề", "Thematic"), "sessions", informative=True),
    Line("people_dialogue", "", ("Số lượt người tham gia đối thoại (thông tin thêm)",
                                 "People at dialogues (informative)"), ("", ""), "sessions", informative=True),
    Line("opinions_raised", "", _GO, ("Số ý kiến, kiến nghị nêu tại buổi tiếp, đối thoại", "Opinions raised"),
         "petitions", informative=True),
    Line("answered_at_meeting", "", _GO, ("Đã trả lời, giải quyết ngay tại buổi tiếp, đối thoại",
                                          "Answered at the meeting"), "petitions", informative=True),
    Line("resolved_after_meeting", "", _GO, ("Đã giải quyết, trả lời sau buổi tiếp, đối thoại",
                                             "Resolved after the meeting"), "petitions", informative=True),
    Line("receptions_other_chairs", "", _GX, ("Số cuộc tiếp dân", "Receptions held"), "sessions", informative=True),
    Line("people_other_chairs", "", _GX, ("Số lượt người được tiếp", "People received"), "sessions",
         informative=True),
)
KEYS = tuple(line.key for line in LINES if not line.informative)
ALL_KEYS = tuple(line.key for line in LINES)
LINE_BY_KEY = {line.key: line for line in LINES}
NEW_TEXT_KEYS = ("dialogues_periodic", "dialogues_adhoc", "dialogues_thematic", "opinions_raised",
                 "answered_at_meeting", "resolved_after_meeting")

_HANDLED = ("answered", "resolved", "closed", "referred", "escalated")
_OPEN = ("received", "in_resolution")
_SESSION_KINDS = RECEPTIONS + DIALOGUES


def _petition_predicates(st, ro, acted) -> dict:
    """Conditions over a petition's state `st` and reopen count `ro` as of the period's end,
    and `acted` (a workflow action was taken on it by then)."""
    P = Petition
    within = and_(P.escalated_from_id.is_(None), st.notin_(("escalated", "referred")))
    directed = and_(P.escalated_from_id.is_not(None), acted)
    deg = P.category == "cadre_degradation"
    return {
        "complex_prolonged": P.complex_prolonged.is_(True),
        "degradation_handled": and_(deg, st.in_(_HANDLED)),
        "degradation_unhandled": and_(deg, st.in_(_OPEN)),
        "resolved_no_further": and_(within, st.in_(("resolved", "closed", "answered")), ro == 0),
        "resolved_still_complained": and_(within, ro > 0),
        "in_progress": and_(within, st.in_(_OPEN), ro == 0),
        "directed": directed,
        "directed_crowded": and_(directed, or_(P.is_group.is_(True), P.complex_prolonged.is_(True))),
        "directed_incited": and_(directed, P.incited.is_(True)),
        "guided_elsewhere": st == "referred",
    }


# Opinions: petitions collected at a held session (the session's chair decides whether they count).
_OPINION_KEYS = ("opinions_raised", "answered_at_meeting", "resolved_after_meeting")


def _opinion_predicates(st) -> dict:
    return {"opinions_raised": literal(True), "answered_at_meeting": st == "answered",
            "resolved_after_meeting": st.in_(("resolved", "closed"))}


def _opinion_keys(st: str) -> dict[str, bool]:
    """`_opinion_predicates` in Python."""
    return {"opinions_raised": True, "answered_at_meeting": st == "answered",
            "resolved_after_meeting": st in ("resolved", "closed")}


# Session keys: (kinds, the column summed or None for a count, whose sessions: 'counted' | 'others')
_SESSION_FIGURES = {
    "receptions_periodic": (("reception_periodic",), None, "counted"),
    "receptions_adhoc": (("reception_adhoc",), None, "counted"),
    "people_periodic": (("reception_periodic",), "people", "counted"),
    "people_adhoc": (("reception_adhoc",), "people", "counted"),
    "groups": (RECEPTIONS, "groups", "counted"),
    "refused": (RECEPTIONS, "refused", "counted"),
    "dialogues": (DIALOGUES, None, "counted"),
    "dialogues_periodic": (("dialogue_periodic",), None, "counted"),
    "dialogues_adhoc": (("dialogue_adhoc",), None, "counted"),
    "dialogues_thematic": (("dialogue_thematic",), None, "counted"),
    "people_dialogue": (DIALOGUES, "people", "counted"),
    "receptions_other_chairs": (RECEPTIONS, None, "others"),
    "people_other_chairs": (RECEPTIONS, "people", "others"),
}


def counted_chair(chairs: str):
    """SQL condition on a session: chaired by whom the annex counts."""
    S = ReceptionSession
    if chairs == "all":
        return literal(True)
    return or_(S.chair_role.is_(None), S.chair_role == PARTY_HEAD)


def _other_chair(chairs: str):
    S = ReceptionSession
    if chairs == "all":
        return literal(False)
    return and_(S.chair_role.is_not(None), S.chair_role != PARTY_HEAD)


@dataclass
class Appendix2:
    unit: str
    unit_name: str
    date_from: date
    date_to: date
    figures: dict[str, dict[str, int]] = field(default_factory=dict)  # key -> {column: n}
    columns: tuple[str, ...] = ("commune", "province", "total")
    column_labels: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(COLUMN_LABELS))
    scope: str = "subtree"
    by_unit: bool = False
    chairs: str = "party_head"
    duplicates_excluded: int = 0  # duplicate letters received in the period, counted as their master

    def __getitem__(self, key: str) -> dict[str, int]:
        return self.figures[key]

    def column_label(self, column: str, lang: str = "vi") -> str:
        vi, en = self.column_labels.get(column, (column, column))
        return en if lang == "en" else vi

    def to_dict(self) -> dict:
        out = {"unit": self.unit, "unit_name": self.unit_name, "from": self.date_from.isoformat(),
               "to": self.date_to.isoformat(), "columns": list(self.columns), "scope": self.scope,
               "by_unit": self.by_unit, "chairs": self.chairs, "duplicates_excluded": self.duplicates_excluded}
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


def _range(date_from, date_to) -> tuple[date, date]:
    a, b = parse_date(date_from, "from"), parse_date(date_to, "to")
    if a > b:
        raise ValidationError("bad_period", field="from", start=a.strftime("%d/%m/%Y"), end=b.strftime("%d/%m/%Y"))
    return a, b


def _check_options(scope: str, chairs: str) -> None:
    if scope not in SCOPES:
        raise ValidationError("bad_choice", field="scope", value=scope, choices=", ".join(SCOPES))
    if chairs not in CHAIRS:
        raise ValidationError("bad_choice", field="chairs", value=chairs, choices=", ".join(CHAIRS))


def _layout(session: Session, unit_code: str, date_from, date_to, scope: str, by_unit: bool, chairs: str):
    _check_options(scope, chairs)
    unit = unit_by_code(session, unit_code)
    start, end = _range(date_from, date_to)
    return unit, start, end, layout(session, unit, start, end, scope=scope, by_unit=by_unit)


def _counted() -> list:
    """A duplicate letter (đơn trùng) counts once, as its master: the annex leaves the copies
    out and says how many it left (`duplicates_excluded`)."""
    return [Petition.duplicate_of_id.is_(None)]


def _in_scope(lay: Layout, col, ids: list[int] | None = None) -> list:
    if ids is not None:
        return [col.in_(ids)]
    return [] if lay.all_units else [col.in_(sorted(lay.units))]


def appendix2(session: Session, unit_code: str, date_from, date_to, *, scope: str = "subtree",
              by_unit: bool = False, chairs: str = "party_head", petition_rows: bool = True) -> Appendix2:
    """The annex for `unit_code` (and, by default, its subtree) over [date_from, date_to].
    `petition_rows=False` leaves rows 4 and 6–9 and the opinions at 0 (for a second look at the sessions
    under another `chairs`, as the text figures need, without counting the petitions again)."""
    unit, start, end, lay = _layout(session, unit_code, date_from, date_to, scope, by_unit, chairs)
    tune_for_report(session)
    figures = {k: dict.fromkeys(lay.columns, 0) for k in ALL_KEYS}

    def add(key: str, unit_id: int, n) -> None:
        n = int(n or 0)
        if n and unit_id in lay.column_of:
            figures[key][lay.column_of[unit_id]] += n
            figures[key]["total"] += n

    S = ReceptionSession
    who = case((counted_chair(chairs), literal("counted")), (_other_chair(chairs), literal("others")),
               else_=literal("none")).label("who")
    for unit_id, kind, whose, cnt, people, groups, refused in session.execute(
            select(S.unit_id, S.kind, who, func.count(), func.sum(S.people), func.sum(S.groups), func.sum(S.refused))
            .where(S.status == "held", S.held_on >= start, S.held_on <= end, *_in_scope(lay, S.unit_id))
            .group_by(S.unit_id, S.kind, who)):
        values = {None: cnt, "people": people, "groups": groups, "refused": refused}
        for key, (kinds, col, counted) in _SESSION_FIGURES.items():
            if kind in kinds and whose == counted:
                add(key, unit_id, values[col])

    duplicates = _petition_figures(session, lay, start, end, chairs, add) if petition_rows else 0
    return Appendix2(unit.code, unit.name, start, end, figures, lay.columns, lay.labels, scope, by_unit, chairs,
                     int(duplicates or 0))


def _petition_figures(session: Session, lay: Layout, start: date, end: date, chairs: str, add) -> int:
    """Rows 4 and 6–9 and the opinions, in two grouped passes over the period's petitions; returns
    how many duplicates it left out (they count as their master). A petition's state as of the
    period's end is its current state when nothing was recorded on it since; otherwise it is
    replayed from its events. The first pass applies `_petition_predicates` in SQL, the second
    maps its groups with `_row_keys` — the same rules (the tests hold them equal)."""
    P, S = Petition, ReceptionSession
    untouched = untouched_since(end)
    copy = P.escalated_from_id.is_not(None)
    plain = and_(untouched, ~copy)
    dup = P.duplicate_of_id.is_not(None)
    opinion = and_(S.id.is_not(None), S.status == "held", S.kind.in_(_SESSION_KINDS), counted_chair(chairs), ~copy)
    period = (P.received_on >= start, P.received_on <= end, *_in_scope(lay, P.unit_id))

    # 1. The plain petitions (nothing recorded since the period's end, not escalated copies): their
    #    current columns are their state then; one sum per row of the annex, grouped by unit only,
    #    so the database hashes a few hundred groups.
    preds = {k: v for k, v in _petition_predicates(P.state, P.reopen_count, literal(False)).items()
             if not k.startswith("directed")}
    preds.update({k: and_(opinion, v) for k, v in _opinion_predicates(P.state).items()})
    sums = [func.sum(case((and_(~dup, pred), 1), else_=0)).label(k) for k, pred in preds.items()]
    duplicates = 0
    for rec in session.execute(select(P.unit_id, func.sum(case((dup, 1), else_=0)).label("dup"), *sums)
                               .outerjoin(S, S.id == P.session_id).where(plain, *period).group_by(P.unit_id)):
        duplicates += int(rec.dup or 0)
        for key in preds:
            add(key, rec.unit_id, getattr(rec, key))

    # 2. The others — touched since, or escalated copies (row 8 asks whether the unit acted on
    #    them): one probe of each one's events gives state, reopenings and "acted on" together,
    #    grouped with the flags the rows need (a few thousand groups at most).
    keys = (P.unit_id, case((untouched, P.state), else_=literal(None)).label("state"),
            case((and_(untouched, P.reopen_count > 0), 1), else_=0).label("reopened"),
            replayed_as_of(end).label("replay"), case((copy, 1), else_=0).label("copy"),
            case((P.category == "cadre_degradation", 1), else_=0).label("deg"),
            P.complex_prolonged, P.is_group, P.incited, case((opinion, 1), else_=0).label("opinion"),
            case((dup, 1), else_=0).label("dup"))
    inner = select(*keys).outerjoin(S, S.id == P.session_id).where(~plain, *period).subquery()
    cols = list(inner.c)
    for (unit_id, state, reopened, replay_value, copy_, deg, cplx, grp, incited, opinion_, dup_,
         n) in session.execute(select(*cols, func.count()).group_by(*cols)):
        if dup_:
            duplicates += n
            continue
        replayed, reopens, acted = unpack(replay_value)
        if state is None:  # touched since the period's end: its state then is the replayed one
            state, reopened = replayed, reopens > 0
        for key in _row_keys(state, bool(reopened), acted, bool(copy_), bool(deg), bool(cplx), bool(grp),
                             bool(incited)):
            add(key, unit_id, n)
        if opinion_:
            for key, holds in _opinion_keys(state).items():
                if holds:
                    add(key, unit_id, n)
    return duplicates


def _row_keys(st: str, reopened: bool, acted: bool, copy: bool, deg: bool, cplx: bool, grp: bool,
              incited: bool) -> list[str]:
    """The rows of the annex a petition counts in — `_petition_predicates` in Python."""
    out = []
    if cplx:
        out.append("complex_prolonged")
    if deg and st in _HANDLED:
        out.append("degradation_handled")
    if deg and st in _OPEN:
        out.append("degradation_unhandled")
    if not copy and st not in ("escalated", "referred"):  # within authority
        if st in ("resolved", "closed", "answered") and not reopened:
            out.append("resolved_no_further")
        if reopened:
            out.append("resolved_still_complained")
        if st in _OPEN and not reopened:
            out.append("in_progress")
    if copy and acted:  # row 8: an escalated copy the unit acted on by the period's end
        out.append("directed")
        if grp or cplx:
            out.append("directed_crowded")
        if incited:
            out.append("directed_incited")
    if st == "referred":
        out.append("guided_elsewhere")
    return out


def appendix2_items(session: Session, unit_code: str, date_from, date_to, key: str, column: str = "total",
                    limit: int | None = None, offset: int = 0, *, scope: str = "subtree", by_unit: bool = False,
                    chairs: str = "party_head") -> list[dict]:
    """The sessions or petitions behind one number of the annex (drill-down)."""
    if key not in LINE_BY_KEY:
        raise ValidationError("bad_report_bucket", field="key", value=key, choices=", ".join(ALL_KEYS))
    unit, start, end, lay = _layout(session, unit_code, date_from, date_to, scope, by_unit, chairs)
    if column not in lay.columns:
        raise ValidationError("bad_choice", field="column", value=column, choices=", ".join(lay.columns))
    ids = lay.ids_of(column)
    codes = {i: lay.units[i].code for i in ids}
    if LINE_BY_KEY[key].source == "sessions":
        S = ReceptionSession
        kinds, col, whose = _SESSION_FIGURES[key]
        chair = counted_chair(chairs) if whose == "counted" else _other_chair(chairs)
        q = (select(S).where(S.status == "held", S.held_on >= start, S.held_on <= end, S.unit_id.in_(ids),
                             S.kind.in_(kinds), chair)
             .order_by(S.held_on, S.id))
        if col is not None:
            q = q.where(getattr(S, col) > 0)
        q = q.offset(offset).limit(limit) if limit is not None else q.offset(offset)
        return [{"type": "session", "id": s.id, "unit": codes.get(s.unit_id), "kind": s.kind,
                 "held_on": s.held_on.isoformat(), "chair_role": s.chair_role, "people": s.people,
                 "groups": s.groups, "refused": s.refused,
                 "counts": 1 if col is None else getattr(s, col)} for s in session.scalars(q)]
    P = Petition
    st = state_as_of(end)
    if key in _OPINION_KEYS:
        S = ReceptionSession
        q = (select(P.code, P.unit_id, P.received_on, P.summary, st.label("st"), P.category, P.reopen_count)
             .join(S, S.id == P.session_id)
             .where(P.received_on >= start, P.received_on <= end, P.unit_id.in_(ids), S.status == "held",
                    S.kind.in_(_SESSION_KINDS), counted_chair(chairs), P.escalated_from_id.is_(None),
                    _opinion_predicates(st)[key], *_counted()))
    else:
        ro = reopen_count_as_of(end)
        preds = _petition_predicates(st, ro, acted_on_by(end))
        q = (select(P.code, P.unit_id, P.received_on, P.summary, st.label("st"), P.category, ro.label("ro"))
             .where(P.received_on >= start, P.received_on <= end, P.unit_id.in_(ids), preds[key], *_counted()))
    q = q.order_by(P.received_on, P.id).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return [{"type": "petition", "code": r[0], "unit": codes.get(r[1]), "received_on": r[2].isoformat(),
             "summary": r[3], "state": r[4], "category": r[5], "reopen_count": r[6]}
            for r in session.execute(q)]
