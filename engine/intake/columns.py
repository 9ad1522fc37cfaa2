"""Import from the registers kept today in spreadsheets (`petitions import FILE.xlsx|.csv`).

Template
========
Shipped as ``config/import_template.csv`` (Vietnamese headers) and
``config/import_template_en.csv`` (English headers); an .xlsx with the same first row works
the same way (first sheet). Header names are matched without accents or case, so "Ngày",
"ngay" and "NGÀY" are the same column; unknown columns (e.g. "Ghi chú") are ignored and
listed. One row is one reception session, one petition, or one step of a petition's
history (see "History" below):

=====================  ==========================  ===========================================
English header         Vietnamese header           meaning
=====================  ==========================  ===========================================
ref                    mã                          your reference for the row (optional; makes
                                                   re-imports exact — see "Twice" below)
record                 loại bản ghi                ``session``/``buổi tiếp``, ``petition``/``đơn`` or
                                                   ``history``/``diễn biến`` (empty: a history
                                                   row when it has petition_ref and action and
                                                   no summary, a petition when it has a
                                                   summary, a session when it has a session
                                                   column)
unit                   đơn vị                      unit code (required)
date                   ngày                        session date or date of receipt (required)
session_kind           hình thức                   periodic / ad hoc / dialogue…: ``định kỳ``,
                                                   ``đột xuất``, ``đối thoại định kỳ``,
                                                   ``đối thoại đột xuất``, ``đối thoại chuyên đề``
                                                   or the codes (reception_periodic…)
people                 số lượt người               people received (sessions)
groups                 số đoàn đông người          groups of many people received (sessions)
refused                số vụ từ chối tiếp          receptions refused (sessions)
chair                  người chủ trì               who chaired (sessions): a title ("Bí thư
                                                   Đảng ủy", "Chủ tịch UBND xã"…), read as the
                                                   chair's role (`engine.intake.chairs`)
chair_role             vai trò chủ trì             the chair's role, when the file says it:
                                                   a code or label of the list ``chair_role``
                                                   (party_secretary / Bí thư cấp ủy,
                                                   ubnd_chair, hdnd_chair, standing_team,
                                                   other / Khác…); wins over the title
session_ref            mã buổi tiếp                the ``ref`` of the session the petition was
                                                   raised at (same file or an earlier import)
summary                nội dung                    what the petition says (petitions)
category               lĩnh vực                    land/đất đai, compensation/bồi thường,
                                                   resettlement/tái định cư, social_policy/
                                                   chính sách xã hội, infrastructure/hạ tầng,
                                                   party_building/xây dựng đảng,
                                                   cadre_degradation/suy thoái, other/khác
kind                   loại đơn                    feedback/phản ánh, petition/kiến nghị,
                                                   complaint/khiếu nại, denunciation/tố cáo
petitioner             người gửi                   name of the petitioner
address                địa chỉ                     address of the petitioner
group_size             số người trong đoàn         5 or more makes a group (đoàn đông người)
complex                phức tạp kéo dài            yes/no (có/không, x, 1/0)
incited                bị kích động                yes/no
answered_on            ngày trả lời tại buổi tiếp  answered on the spot (closes the item)
answer_note            nội dung trả lời            what was answered
notice_no              số thông báo                conclusion notice number
notice_on              ngày thông báo              conclusion notice date
department             phòng ban                   department code the item was assigned to
resolution_no          số văn bản trả lời          written resolution number
resolved_on            ngày giải quyết             written resolution date
closed_on              ngày kết thúc               closed
referred_agency        cơ quan hướng dẫn           agency the petitioner was guided to
referred_on            ngày hướng dẫn              date of that guidance
petition_ref           thuộc đơn                   (history) the petition: its ``ref`` in this
                                                   file or an earlier import, or its code
action                 bước xử lý                  (history) ``thông báo kết luận``, ``gia
                                                   hạn``, ``giải quyết``, ``mở lại``, ``báo cáo
                                                   cấp trên``, ``hướng dẫn``, ``kết thúc``,
                                                   ``trả lời tại buổi tiếp`` or the workflow's
                                                   codes (conclude, extend, resolve, reopen,
                                                   escalate, refer, close, answer_at_meeting)
reason                 lý do                       (history) why: extension, reopening,
                                                   escalation (required for those)
extension_days         số ngày gia hạn             (history, extension) working days added
extended_until         gia hạn đến ngày            (history, extension) or the new due date
escalated_ref          mã đơn cấp trên             (history, escalation) the ``ref`` of the
                                                   case as the parent unit's register holds
                                                   it (a petition row of the file, or loaded
                                                   before); empty: one is opened there
=====================  ==========================  ===========================================

History
=======
A history row is one action taken on a petition, on the row's ``date``; its fields are read
from the usual columns (notice: ``notice_no``, ``department``; resolution:
``resolution_no``; referral: ``referred_agency``; answer: ``answer_note``; extension:
``reason`` and ``extension_days`` or ``extended_until``; reopening and escalation:
``reason``). A filled column the action does not take is refused. A petition row's own
progress columns are the short form of the same steps. How steps are ordered and replayed
— clocks, verdicts, events as if the actions had been taken on their dates; escalations
linked to the parent's case — is in `engine.intake.history`.

Dates are ``dd/mm/yyyy`` or ISO ``yyyy-mm-dd`` (or real dates in .xlsx). Progress columns
are replayed through the workflow (conclude, resolve, close, answer, refer) so clocks,
verdicts and the event log are exactly what they would be had the work been recorded
live; that needs ``--by USER`` (the person recorded as acting, usually an admin), as do
history rows.

Rules
=====
* Every row is validated first; each rejected row is reported with its line number (the
  header is line 1) and the reason — history rows too: an unknown action, a date before
  the receipt, a petition or parent's case that cannot be found; then what only the
  workflow can tell (an action the state does not allow, a department not of the unit, an
  extension with no running clock), each with the line of the step.
* A chair whose title fits no role (or who is named without a title) is refused, never
  guessed: write the title, or the role in ``chair_role``.
* All or nothing by default: one bad row and nothing is written. ``--skip-invalid`` loads
  the good rows and reports the others.
* Twice: every row gets a stable ``external_ref`` — the ``ref`` column when given,
  otherwise a hash of the row's identifying fields (record, unit, date, kind/summary,
  petitioner, people) — and rows already present are skipped, so importing the same file
  twice adds nothing. (Two genuinely different rows with identical identifying fields need
  a ``ref`` to be told apart.) A history row is already present when its petition has an
  event of the same action on the same date.
* One transaction per file: the caller's. Petitions that carry history replay in a
  savepoint each (with the cases they were escalated to), so a refused one leaves no
  trace and the others still run — every refusal of the file is listed at once.

Speed
=====
Sessions and petitions without progress columns — the bulk of any register — are written
in bulk (``BulkWriter``): the same checks as ``add_petition`` are made in Python first,
codes are reserved as one block per (unit, year) from ``petition_counters`` (one statement
each, so they stay gapless and roll back with the import), clocks are computed with the
same calendar, parameters and ladder (memoised per start day and rule), the ``import``
event is hash-chained exactly as ``eventlog.append`` would, and rows go out as multi-row
INSERTs in chunks of ``CHUNK``. Rows carrying progress (answered, concluded, resolved,
closed, referred) or history rows still replay through ``svc.act`` one by one — each action's rules
(department scope, versions, verdicts, notices to petitioners) live there — so a register
full of finished cases imports at the per-row speed (≈16 ms a row).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.language.errors import ValidationError
from engine.language.text import fold
from engine.persistence.models import CATEGORIES, PETITION_KINDS, SESSION_KINDS

# canonical column -> accepted header spellings (compared folded: no accents, lower case)
HEADERS: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "reference", "external_ref", "mã", "mã tham chiếu", "số hiệu"),
    "record": ("record", "type", "record_type", "loại bản ghi", "loại"),
    "unit": ("unit", "unit_code", "đơn vị", "mã đơn vị"),
    "date": ("date", "received_on", "held_on", "ngày", "ngày tiếp", "ngày tiếp nhận"),
    "session_kind": ("session_kind", "hình thức", "hình thức tiếp"),
    "people": ("people", "số lượt người", "số người"),
    "groups": ("groups", "số đoàn đông người", "số đoàn"),
    "refused": ("refused", "số vụ từ chối tiếp", "từ chối"),
    "chair": ("chair", "người chủ trì", "chủ trì"),
    "session_ref": ("session_ref", "mã buổi tiếp"),
    "summary": ("summary", "nội dung"),
    "category": ("category", "lĩnh vực"),
    "kind": ("kind", "petition_kind", "loại đơn"),
    "petitioner": ("petitioner", "người gửi", "người phản ánh", "họ tên"),
    "address": ("address", "địa chỉ"),
    "group_size": ("group_size", "số người trong đoàn"),
    "complex": ("complex", "complex_prolonged", "phức tạp kéo dài", "phức tạp, kéo dài"),
    "incited": ("incited", "bị kích động", "bị lợi dụng kích động"),
    "answered_on": ("answered_on", "ngày trả lời tại buổi tiếp"),
    "answer_note": ("answer_note", "nội dung trả lời"),
    "notice_no": ("notice_no", "số thông báo"),
    "notice_on": ("notice_on", "ngày thông báo"),
    "department": ("department", "phòng ban"),
    "resolution_no": ("resolution_no", "document_no", "số văn bản trả lời"),
    "resolved_on": ("resolved_on", "ngày giải quyết"),
    "closed_on": ("closed_on", "ngày kết thúc"),
    "referred_agency": ("referred_agency", "cơ quan hướng dẫn"),
    "referred_on": ("referred_on", "ngày hướng dẫn"),
    # the chair's role (`engine.intake.chairs`) and the history rows (`engine.intake.history`)
    "chair_role": ("chair_role", "vai trò chủ trì", "vai trò người chủ trì"),
    "petition_ref": ("petition_ref", "thuộc đơn", "mã đơn xử lý"),
    "action": ("action", "bước xử lý", "thao tác"),
    "reason": ("reason", "lý do"),
    "extension_days": ("extension_days", "số ngày gia hạn"),
    "extended_until": ("extended_until", "gia hạn đến ngày"),
    "escalated_ref": ("escalated_ref", "mã đơn cấp trên"),
}
HEADER_INDEX = {fold(alias).replace("_", " ").strip(): canon for canon, aliases in HEADERS.items() for alias in aliases}

RECORD_WORDS = {"session": "session", "buoi tiep": "session", "tiep dan": "session", "doi thoai": "session",
            "petition": "petition", "don": "petition", "kien nghi": "petition", "don thu": "petition",
            "history": "history", "action": "history", "dien bien": "history", "buoc xu ly": "history",
            "xu ly": "history"}
SESSION_KIND_WORDS = {"dinh ky": "reception_periodic", "tiep dan dinh ky": "reception_periodic", "periodic": "reception_periodic",
                  "dot xuat": "reception_adhoc", "tiep dan dot xuat": "reception_adhoc", "ad hoc": "reception_adhoc",
                  "adhoc": "reception_adhoc", "doi thoai dinh ky": "dialogue_periodic",
                  "doi thoai dot xuat": "dialogue_adhoc", "doi thoai chuyen de": "dialogue_thematic",
                  **{k.replace("_", " "): k for k in SESSION_KINDS}}
CATEGORY_WORDS = {"dat dai": "land", "boi thuong": "compensation", "tai dinh cu": "resettlement",
               "chinh sach xa hoi": "social_policy", "ha tang": "infrastructure", "xay dung dang": "party_building",
               "suy thoai": "cadre_degradation", "suy thoai, tu dien bien, tu chuyen hoa": "cadre_degradation",
               "khac": "other", **{k.replace("_", " "): k for k in CATEGORIES}}
KIND_WORDS = {"phan anh": "feedback", "kien nghi": "petition", "khieu nai": "complaint", "to cao": "denunciation",
          **{k: k for k in PETITION_KINDS}}
TRUE_WORDS = {"1", "x", "co", "yes", "true", "y", "c"}
FALSE_WORDS = {"", "0", "khong", "no", "false", "n", "k"}
PROGRESS = ("answered_on", "notice_on", "resolved_on", "closed_on", "referred_on")


class ImportRejected(ValidationError):
    """Rows were rejected and nothing was written (all-or-nothing mode)."""

    def __init__(self, file: str, rejected: list[tuple[int, str]]):
        super().__init__("import_rejected", field="file", file=file, n=len(rejected))
        self.rejected = rejected


@dataclass
class RowSet:
    file: str
    columns: list[str]
    ignored_columns: list[str]
    rows: list[tuple[int, dict]]


@dataclass
class ImportResult:
    sessions: int = 0
    petitions: int = 0
    history: int = 0  # history rows applied (actions taken on their dates)
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"sessions": self.sessions, "petitions": self.petitions, "history": self.history,
                "duplicates": self.duplicates,
                "rejected": [{"line": line, "reason": reason} for line, reason in self.rejected],
                "ignored_columns": self.ignored_columns}


