"""The letter-handling report of the state reporting regime (Thông tư 02/2021/TT-TTCP: the
forms on xử lý đơn — kỳ trước chuyển sang, tiếp nhận trong kỳ, đủ điều kiện xử lý, phân loại
theo nội dung, kết quả xử lý, đơn trùng, đơn nhiều người đứng tên), per unit and period.

One row per unit — the unit asked for and every unit below it (a department's letters count
in its unit's row: the unit's office keeps one register) — and a total. Period [S, E]; every
state is taken **as of E** where the data records a date:

* **carried_over** — received before S and not handled at S (no result, or a result dated on
  or after S);
* **received** — received in [S, E], split by channel (in person, post, online, transferred);
* **total** = carried_over + received: the letters the period had to handle;
* of the total, classified on or before E: **eligible** (đủ điều kiện xử lý) or
  **not_eligible** (any other condition), and by content; **not_classified** — not classified
  by E (a letter classified after E counts here), so each split adds up to the total;
* **anonymous** — classified anonymous or impersonated (Luật Tố cáo 2018 art. 25: not handled);
* **many_signers** — signed by MANY_SIGNERS or more people (see the parameter below);
* **handled** — a result dated in [S, E], split by result (accepted, transferred, guided, filed);
* **unhandled_end** = total − handled: no result dated on or before E;
* **duplicates** — letters received in [S, E] marked as a duplicate of a master case
  (`petitions.duplicate_of_id`, engine/services/duplicates.py): counted once — as their master —
  so they are left out of every other figure and stated apart here. A duplicate mark carries
  no date: the mark as it is now is used.

Every figure has the list of letters behind it (`letters_items`): codes, dates, channel,
content, condition, result, signers — never a sender's name (a letter may be a denunciation,
whose denouncer the law protects: Luật Tố cáo 2018 art. 47–48).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from engine.language.errors import ValidationError
from engine.persistence.models import Letter, OrgUnit, Petition
from engine.reports.periods import check_range
from engine.services.common import unit_by_code
from engine.services.petitions import GROUP_THRESHOLD


@dataclass(frozen=True)
class Threshold:
    value: int
    source: tuple[str, str]
    applies_from: date


# A letter signed by this many people or more is counted as "đơn nhiều người đứng tên". The
# forms give no number; the law on citizen reception calls 5 or more people a group, and the
# engine uses the same number for groups at reception (engine.services.petitions).
MANY_SIGNERS = Threshold(
    GROUP_THRESHOLD,
    ("Luật Tiếp công dân 2013 (42/2013/QH13), Điều 29: từ 05 người trở lên cùng khiếu nại, tố cáo, kiến nghị, "
     "phản ánh về một nội dung là đông người; áp dụng từ 01/07/2014",
     "Law on Citizen Reception 2013 (42/2013/QH13), art. 29: 5 or more people with the same complaint, "
     "denunciation or petition form a group; applies from 01/07/2014"),
    date(2014, 7, 1))

CHANNEL_FIGURES = {"in_person": "received_in_person", "post": "received_post", "online": "received_online",
                   "transferred": "received_transferred"}
CONTENT_FIGURES = {"complaint": "content_complaint", "denunciation": "content_denunciation",
                   "petition": "content_petition", "mixed": "content_mixed"}
RESULT_FIGURES = {"accept": "result_accept", "transfer": "result_transfer", "guide": "result_guide",
                  "file": "result_file"}
FIGURES = ("carried_over", "received", *CHANNEL_FIGURES.values(), "total", "eligible", "not_eligible",
           *CONTENT_FIGURES.values(), "not_classified", "anonymous", "many_signers", "handled",
           *RESULT_FIGURES.values(), "unhandled_end", "duplicates")
FIGURE_LABELS = {
    "carried_over": ("Kỳ trước chuyển sang", "Carried over from the previous period"),
    "received": ("Tiếp nhận trong kỳ", "Received in the period"),
    "received_in_person": ("Tiếp nhận trong kỳ: trực tiếp", "Received: in person"),
    "received_post": ("Tiếp nhận trong kỳ: qua bưu chính", "Received: by post"),
    "received_online": ("Tiếp nhận trong kỳ: trực tuyến", "Received: online"),
    "received_transferred": ("Tiếp nhận trong kỳ: cơ quan khác chuyển đến", "Received: transferred by another body"),
    "total": ("Tổng số đơn phải xử lý", "Letters to handle (total)"),
    "eligible": ("Đủ điều kiện xử lý", "Eligible for handling"),
    "not_eligible": ("Không đủ điều kiện xử lý", "Not eligible for handling"),
    "content_complaint": ("Nội dung: khiếu nại", "Content: complaint"),
    "content_denunciation": ("Nội dung: tố cáo", "Content: denunciation"),
    "content_petition": ("Nội dung: kiến nghị, phản ánh", "Content: petition or feedback"),
    "content_mixed": ("Nội dung: hỗn hợp", "Content: mixed"),
    "not_classified": ("Chưa phân loại đến cuối kỳ", "Not classified by the period's end"),
    "anonymous": ("Nặc danh, mạo danh", "Anonymous or impersonated"),
    "many_signers": ("Đơn nhiều người đứng tên", "Signed by many people"),
    "handled": ("Đã xử lý trong kỳ", "Handled in the period"),
    "result_accept": ("Kết quả: thụ lý", "Result: accepted"),
    "result_transfer": ("Kết quả: chuyển đơn", "Result: transferred"),
    "result_guide": ("Kết quả: hướng dẫn", "Result: sender guided"),
    "result_file": ("Kết quả: lưu đơn", "Result: filed"),
    "unhandled_end": ("Chưa xử lý đến cuối kỳ", "Unhandled at the period's end"),
    "duplicates": ("Đơn trùng (tính một lần, nêu riêng)", "Duplicates (counted once, stated apart)"),
}
CHANNEL_LABELS = {"in_person": ("Trực tiếp", "In person"), "post": ("Bưu chính", "Post"),
                  "online": ("Trực tuyến", "Online"), "transferred": ("Chuyển đến", "Transferred")}
CONTENT_LABELS = {"complaint": ("Khiếu nại", "Complaint"), "denunciation": ("Tố cáo", "Denunciation"),
                  "petition": ("Kiến nghị, phản ánh", "Petition or feedback"), "mixed": ("Hỗn hợp", "Mixed")}
CONDITION_LABELS = {"eligible": ("Đủ điều kiện", "Eligible"), "ineligible": ("Không đủ điều kiện", "Not eligible"),
                    "duplicate": ("Đơn trùng", "Duplicate"), "anonymous": ("Nặc danh, mạo danh", "Anonymous"),
                    "resolved_no_new": ("Đã giải quyết, không có tình tiết mới", "Already resolved, nothing new")}
RESULT_LABELS = {"accept": ("Thụ lý", "Accepted"), "transfer": ("Chuyển đơn", "Transferred"),
                 "guide": ("Hướng dẫn", "Guided"), "file": ("Lưu đơn", "Filed")}
TITLE = ("Kết quả xử lý đơn (Thông tư 02/2021/TT-TTCP)", "Letter handling (Circular 02/2021/TT-TTCP)")
SCOPES = ("subtree", "unit")


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def label(figure: str, lang: str = "vi") -> str:
    return pick(FIGURE_LABELS[figure], lang)


@dataclass
class LettersRow:
    unit: str
    unit_name: str
    level: str
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))

    def __getitem__(self, key: str) -> int:
        return self.figures[key]


@dataclass
class LettersReport:
    unit: str
    unit_name: str
    date_from: date
    date_to: date
    scope: str
    rows: list[LettersRow]
    total: LettersRow
    many_signers: int = MANY_SIGNERS.value
    kind: str = "letters"

    def to_dict(self) -> dict:
        return {"report": "letters", "unit": self.unit, "unit_name": self.unit_name,
                "from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "as_of": self.date_to.isoformat(),
                "scope": self.scope, "many_signers": {"min": self.many_signers, "source": MANY_SIGNERS.source[0],
                                                      "applies_from": MANY_SIGNERS.applies_from.isoformat()},
                "figures": list(FIGURES),
                "rows": [{"unit": r.unit, "unit_name": r.unit_name, **r.figures} for r in self.rows],
                "total": dict(self.total.figures)}


# -- what a letter counts for ---------------------------------------------------------------------
def figures_of(x, start: date, end: date, many: int = MANY_SIGNERS.value) -> set[str]:
    """The figures one letter counts for in [start, end] (`x` has received_on, duplicate,
    channel, signers, content, condition, classified_on, result, result_on). The one rule the
    report and its drill-downs share, so a list always has as many letters as its figure."""
    if x.received_on > end:
        return set()
    handled_on = x.result_on if x.result is not None else None
    if x.duplicate:
        return {"duplicates"} if x.received_on >= start else set()
    out: set[str] = set()
    if x.received_on < start:
        if handled_on is not None and handled_on < start:
            return out
        out.add("carried_over")
    else:
        out.update(("received", CHANNEL_FIGURES.get(x.channel, "received_post")))
    out.add("total")
    if x.classified_on is not None and x.classified_on <= end and x.content is not None:
        out.add("eligible" if x.condition == "eligible" else "not_eligible")
        out.add(CONTENT_FIGURES[x.content])
        if x.condition == "anonymous":
            out.add("anonymous")
    else:
        out.add("not_classified")
    if (x.signers or 1) >= many:
        out.add("many_signers")
    if handled_on is not None and start <= handled_on <= end:
        out.update(("handled", RESULT_FIGURES[x.result]))
    elif handled_on is None or handled_on > end:
        out.add("unhandled_end")
    return out


def _rows_of(session: Session, root: OrgUnit, scope: str) -> tuple[list[OrgUnit], dict[int, int]]:
    """The units given a row (root first, then depth-first by code) and unit id → row unit id
    (a department's letters count in its unit's row)."""
    units = session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.level, OrgUnit.code)).all()
    children: dict[int | None, list] = defaultdict(list)
    for u in units:
        children[u.parent_id].append(u)
    order, owner, stack = [], {}, [(root.id, root.level, root.code, root.id)]
    while stack:
        uid, level, code, row = stack.pop()
        if level != "department" or uid == root.id:
            row = uid
            order.append(uid)
        owner[uid] = row
        for c in sorted(children.get(uid, ()), key=lambda u: u.code, reverse=True):
            if scope == "unit" and c.level != "department":
                continue
            stack.append((c.id, c.level, c.code, row))
    by_id = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(order)))} if order else {}
    return [by_id[i] for i in order], owner


def _letters(session: Session, unit_ids: list[int], start: date, end: date, extra=()):
    """The letters of these units that can count for anything in [start, end]: received by E,
    not handled before S (or duplicates received in the period)."""
    P, L = Petition, Letter
    master = aliased(Petition)
    q = (select(P.id, P.code, P.unit_id, P.received_on, P.duplicate_of_id, master.code.label("master"),
                L.channel, L.signers, L.content, L.condition, L.classified_on, L.result, L.result_on)
         .join(L, L.petition_id == P.id)
         .outerjoin(master, master.id == P.duplicate_of_id)
         .where(P.received_on <= end, or_(L.result.is_(None), L.result_on.is_(None), L.result_on >= start,
                                          P.received_on >= start), *extra)
         .order_by(P.received_on, P.id))
    if len(unit_ids) <= 1000:  # a long IN list costs more than it saves: larger subtrees are filtered here
        q = q.where(P.unit_id.in_(unit_ids))
    wanted = set(unit_ids)
    for r in session.execute(q):
        if r.unit_id in wanted:
            yield r


class _View:
    __slots__ = ("received_on", "duplicate", "channel", "signers", "content", "condition", "classified_on",
                 "result", "result_on")

    def __init__(self, r):
        for k in self.__slots__[2:]:
            setattr(self, k, getattr(r, k))
        self.received_on, self.duplicate = r.received_on, r.duplicate_of_id is not None


def _range(date_from, date_to) -> tuple[date, date]:
    return check_range(date_from, date_to)


def _scope(scope: str) -> str:
    if scope not in SCOPES:
        raise ValidationError("bad_choice", field="scope", value=scope, choices=", ".join(SCOPES))
    return scope


def letters_report(session: Session, unit_code: str, date_from, date_to, *, scope: str = "subtree",
                   lang: str = "vi") -> LettersReport:
    start, end = _range(date_from, date_to)
    scope = _scope(scope)
    root = unit_by_code(session, unit_code)
    units, owner = _rows_of(session, root, scope)
    rows = {u.id: LettersRow(u.code, u.name, u.level) for u in units}
    total = LettersRow("", "Tổng cộng" if lang != "en" else "Total", "")
    for r in _letters(session, list(owner), start, end):
        row = rows[owner[r.unit_id]]
        for f in figures_of(_View(r), start, end):
            row.figures[f] += 1
            total.figures[f] += 1
    kept = [rows[u.id] for u in units
            if u.id == root.id or any(rows[u.id].figures.values()) or _valid(u, start, end)]
    return LettersReport(root.code, root.name, start, end, scope, kept, total)


def _valid(u: OrgUnit, start: date, end: date) -> bool:
    return (u.valid_from is None or u.valid_from <= end) and (u.valid_to is None or u.valid_to >= start)


def letters_items(session: Session, unit_code: str, date_from, date_to, figure: str, *, scope: str = "unit",
                  limit: int | None = None, offset: int = 0) -> list[dict]:
    """The letters behind one figure: of one row's unit (`scope="unit"`, with its departments)
    or of the whole report (`scope="subtree"`, the total row). No sender's name: codes,
    dates and the classification only."""
    if figure not in FIGURES:
        raise ValidationError("bad_report_bucket", field="figure", value=figure, choices=", ".join(FIGURES))
    start, end = _range(date_from, date_to)
    scope = _scope(scope)
    root = unit_by_code(session, unit_code)
    _, owner = _rows_of(session, root, scope)
    q = select(OrgUnit.id, OrgUnit.name)
    names = {i: n for i, n in session.execute(q.where(OrgUnit.id.in_(list(owner))) if len(owner) <= 1000 else q)}
    out = []
    for r in _letters(session, list(owner), start, end):
        if figure in figures_of(_View(r), start, end):
            out.append({"code": r.code, "unit_name": names.get(r.unit_id, ""), "received_on": r.received_on,
                        "channel": r.channel, "content": r.content if r.classified_on and r.classified_on <= end
                        else None,
                        "condition": r.condition if r.classified_on and r.classified_on <= end else None,
                        "classified_on": r.classified_on, "result": r.result, "result_on": r.result_on,
                        "signers": r.signers, "duplicate_of": r.master})
    return out[offset:offset + limit if limit is not None else None]


# -- exports --------------------------------------------------------------------------------------
def letters_table(r: LettersReport, lang: str = "vi") -> tuple[list[str], list[list]]:
    headers = ["Đơn vị" if lang != "en" else "Unit", *(label(f, lang) for f in FIGURES)]
    rows = [[f"{x.unit_name} ({x.unit})", *(x.figures[f] for f in FIGURES)] for x in r.rows]
    rows.append([r.total.unit_name, *(r.total.figures[f] for f in FIGURES)])
    return headers, rows


def subtitle(r: LettersReport, lang: str = "vi") -> str:
    d = lambda x: x.strftime("%d/%m/%Y")  # noqa: E731
    if lang == "en":
        return f"{r.unit_name} ({r.unit}) — from {d(r.date_from)} to {d(r.date_to)}, states as of {d(r.date_to)}"
    return f"{r.unit_name} ({r.unit}) — từ ngày {d(r.date_from)} đến ngày {d(r.date_to)}, tình trạng tính đến ngày {d(r.date_to)}"


def note(r: LettersReport, lang: str = "vi") -> str:
    if lang == "en":
        return (f"Signed by many people: {r.many_signers} signers or more ({MANY_SIGNERS.source[1]}). "
                "Duplicates are counted once, as their master, and left out of the other figures.")
    return (f"Đơn nhiều người đứng tên: từ {r.many_signers} người ký trở lên ({MANY_SIGNERS.source[0]}). "
            "Đơn trùng được tính một lần (theo đơn gốc) và không tính vào các cột khác.")


def export_letters(r: LettersReport, fmt: str, lang: str = "vi") -> bytes | str:
    """csv/xlsx → bytes; json/text → str. Text cells are neutralised against formula injection
    as the other exports are (`engine.reports.export.csv_safe`, string-typed XLSX cells)."""
    from engine.reports.export import csv_bytes, titled_xlsx
    headers, rows = letters_table(r, lang)
    if fmt == "json":
        return json.dumps(r.to_dict(), ensure_ascii=False, indent=2, default=str)
    if fmt == "csv":
        return csv_bytes(headers, rows)
    if fmt in ("text", "table"):
        # figures as rows, units as columns: 24 figures do not fit across a terminal
        cols = [row[0] for row in rows]
        width = max(len(h) for h in headers)
        lines = [pick(TITLE, lang), subtitle(r, lang), note(r, lang), "",
                 " " * width + "  " + "  ".join(c.rjust(max(len(c), 6)) for c in cols)]
        for i, h in enumerate(headers[1:], 1):
            lines.append(h.ljust(width) + "  " + "  ".join(str(row[i]).rjust(max(len(c), 6))
                                                           for row, c in zip(rows, cols)))
        return "\n".join(line.rstrip() for line in lines)
    if fmt == "xlsx":
        return titled_xlsx("Xu ly don" if lang != "en" else "Letters", pick(TITLE, lang), subtitle(r, lang),
                           headers, rows, widths=(32, 11), freeze="B5", note=note(r, lang), header_height=75,
                           bold_last_row=True)
    raise ValidationError("bad_format", field="format", value=fmt, choices="text, json, csv, xlsx")
