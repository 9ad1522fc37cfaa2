"""Import from the registers kept today in spreadsheets (`petitions import FILE.xlsx|.csv`).

Template
========
Shipped as ``config/import_template.csv`` (Vietnamese headers) and
``config/import_template_en.csv`` (English headers); an .xlsx with the same first row works
the same way (first sheet). Header names are matched without accents or case, so "Ngày",
"ngay" and "NGÀY" are the same column; unknown columns (e.g. "Ghi chú") are ignored and
listed. One row is one reception session or one petition:

=====================  ==========================  ===========================================
English header         Vietnamese header           meaning
=====================  ==========================  ===========================================
ref                    mã                          your reference for the row (optional; makes
                                                   re-imports exact — see "Twice" below)
record                 loại bản ghi                ``session``/``buổi tiếp`` or ``petition``/``đơn``
                                                   (empty: a petition when it has a summary,
                                                   a session when it has a session column)
unit                   đơn vị                      unit code (required)
date                   ngày                        session date or date of receipt (required)
session_kind           hình thức                   periodic / ad hoc / dialogue…: ``định kỳ``,
                                                   ``đột xuất``, ``đối thoại định kỳ``,
                                                   ``đối thoại đột xuất``, ``đối thoại chuyên đề``
                                                   or the codes (reception_periodic…)
people                 số lượt người               people received (sessions)
groups                 số đoàn đông người          groups of many people received (sessions)
refused                số vụ từ chối tiếp          receptions refused (sessions)
chair                  người chủ trì               who chaired (sessions)
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
=====================  ==========================  ===========================================

Dates are ``dd/mm/yyyy`` or ISO ``yyyy-mm-dd`` (or real dates in .xlsx). Progress columns
are replayed through the workflow (conclude, resolve, close, answer, refer) so clocks,
verdicts and the event log are exactly what they would be had the work been recorded
live; that needs ``--by USER`` (the person recorded as acting, usually an admin).

Rules
=====
* Every row is validated first; each rejected row is reported with its line number (the
  header is line 1) and the reason.
* All or nothing by default: one bad row and nothing is written. ``--skip-invalid`` loads
  the good rows and reports the others.
* Twice: every row gets a stable ``external_ref`` — the ``ref`` column when given,
  otherwise a hash of the row's identifying fields (record, unit, date, kind/summary,
  petitioner, people) — and rows already present are skipped, so importing the same file
  twice adds nothing. (Two genuinely different rows with identical identifying fields need
  a ``ref`` to be told apart.)

Speed
=====
Sessions and petitions without progress columns — the bulk of any register — are written
in bulk (``_BulkWriter``): the same checks as ``add_petition`` are made in Python first,
codes are reserved as one block per (unit, year) from ``petition_counters`` (one statement
each, so they stay gapless and roll back with the import), clocks are computed with the
same calendar, parameters and ladder (memoised per start day and rule), the ``import``
event is hash-chained exactly as ``eventlog.append`` would, and rows go out as multi-row
INSERTs in chunks of ``CHUNK``. Rows carrying progress (answered, concluded, resolved,
closed, referred) still replay through ``svc.act`` one by one — each action's rules
(department scope, versions, verdicts, notices to petitioners) live there — so a register
full of finished cases imports at the per-row speed (≈16 ms a row).
"""
from __future__ import annotations

import csv
import hashlib
import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from datetime import timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.db import nfc
from engine.errors import DomainError, ValidationError
from engine.models import (CATEGORIES, PETITION_KINDS, SESSION_KINDS, Clock, Event, OrgUnit, Petition,
                           PetitionCounter, Petitioner, ReceptionSession)
from engine.text import fold
from engine.timeutil import end_of_day, local_date, local_midnight, parse_date

CHUNK = 2000  # rows per multi-row INSERT

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
}
_HEADER_INDEX = {fold(alias).replace("_", " ").strip(): canon for canon, aliases in HEADERS.items() for alias in aliases}

_RECORDS = {"session": "session", "buoi tiep": "session", "tiep dan": "session", "doi thoai": "session",
            "petition": "petition", "don": "petition", "kien nghi": "petition", "don thu": "petition"}
_SESSION_KINDS = {"dinh ky": "reception_periodic", "tiep dan dinh ky": "reception_periodic", "periodic": "reception_periodic",
                  "dot xuat": "reception_adhoc", "tiep dan dot xuat": "reception_adhoc", "ad hoc": "reception_adhoc",
                  "adhoc": "reception_adhoc", "doi thoai dinh ky": "dialogue_periodic",
                  "doi thoai dot xuat": "dialogue_adhoc", "doi thoai chuyen de": "dialogue_thematic",
                  **{k.replace("_", " "): k for k in SESSION_KINDS}}
_CATEGORIES = {"dat dai": "land", "boi thuong": "compensation", "tai dinh cu": "resettlement",
               "chinh sach xa hoi": "social_policy", "ha tang": "infrastructure", "xay dung dang": "party_building",
               "suy thoai": "cadre_degradation", "suy thoai, tu dien bien, tu chuyen hoa": "cadre_degradation",
               "khac": "other", **{k.replace("_", " "): k for k in CATEGORIES}}
_KINDS = {"phan anh": "feedback", "kien nghi": "petition", "khieu nai": "complaint", "to cao": "denunciation",
          **{k: k for k in PETITION_KINDS}}
_TRUE = {"1", "x", "co", "yes", "true", "y", "c"}
_FALSE = {"", "0", "khong", "no", "false", "n", "k"}
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
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"sessions": self.sessions, "petitions": self.petitions, "duplicates": self.duplicates,
                "rejected": [{"line": line, "reason": reason} for line, reason in self.rejected],
                "ignored_columns": self.ignored_columns}


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
        canon = _HEADER_INDEX.get(fold(name).replace("_", " ").strip())
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


# -- validation ----------------------------------------------------------------------------------------
def _lookup(table: dict, value, field_name: str, choices) -> str:
    key = fold(str(value)).replace("_", " ").strip()
    if key in table:
        return table[key]
    raise ValidationError("bad_choice", field=field_name, value=value, choices=", ".join(choices))


def _bool(value, field_name: str) -> bool:
    key = fold(str(value)).strip()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationError("import_bad_bool", field=field_name, value=value)


def _int(value, field_name: str, default: int = 0) -> int:
    if value in ("", None):
        return default
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValidationError("bad_int", field=field_name, value=value) from None
    if n < 0:
        raise ValidationError("negative_count", field=field_name)
    return n


def _opt_date(v: dict, key: str) -> date | None:
    return parse_date(v[key], key) if v.get(key) not in ("", None) else None


def row_ref(rec: dict) -> str:
    """The row's stable external reference: its own `ref`, or a hash of what identifies it."""
    if rec["ref"]:
        return str(rec["ref"])[:128]
    if rec["record"] == "session":
        ident = ("session", rec["unit"], rec["date"].isoformat(), rec["session_kind"], rec["people"], rec["chair"])
    else:
        ident = ("petition", rec["unit"], rec["date"].isoformat(), rec["summary"], rec["petitioner"])
    digest = hashlib.sha256("\x1f".join(str(x) for x in ident).encode("utf-8")).hexdigest()
    return "imp:" + digest[:40]


_SESSION_ONLY = ("session_kind", "people", "groups", "refused", "chair")


def _infer_record(v: dict) -> str:
    """A row without a record type is a petition when it has a summary and a session when
    it has a session column; anything else is refused, never guessed: a petition row whose
    summary was left blank must not become a reception that inflates the annex."""
    if v.get("summary"):
        return "petition"
    if any(v.get(k) not in (None, "") for k in _SESSION_ONLY):
        return "session"
    raise ValidationError("import_unknown_record", field="record")


def validate_row(v: dict, units: dict[str, OrgUnit], today: date) -> dict:
    """A clean record from one raw row; raises a DomainError with the reason."""
    rec_raw = v.get("record", "")
    if rec_raw:
        record = _RECORDS.get(fold(str(rec_raw)).strip())
        if record is None:
            raise ValidationError("import_bad_record", field="record", value=rec_raw)
    else:
        record = _infer_record(v)
    unit_code = str(v.get("unit", "")).strip()
    if not unit_code:
        raise ValidationError("missing_field", field="unit")
    if unit_code not in units:
        raise ValidationError("unknown_unit", field="unit", code=unit_code)
    if v.get("date") in ("", None):
        raise ValidationError("missing_field", field="date")
    day = parse_date(v["date"], "date")
    if day > today:
        raise ValidationError("date_in_future", field="date", date=day.strftime("%d/%m/%Y"))
    rec = {"record": record, "unit": unit_code, "date": day, "ref": str(v.get("ref") or "").strip()}
    if record == "session":
        rec.update(session_kind=_lookup(_SESSION_KINDS, v.get("session_kind") or "reception_periodic", "session_kind",
                                        SESSION_KINDS),
                   people=_int(v.get("people"), "people"), groups=_int(v.get("groups"), "groups"),
                   refused=_int(v.get("refused"), "refused"), chair=str(v.get("chair") or "").strip())
        return rec
    summary = str(v.get("summary") or "").strip()
    if not summary:
        raise ValidationError("missing_field", field="summary")
    rec.update(summary=summary, petitioner=str(v.get("petitioner") or "").strip(),
               address=str(v.get("address") or "").strip(),
               category=_lookup(_CATEGORIES, v.get("category") or "other", "category", CATEGORIES),
               kind=_lookup(_KINDS, v.get("kind") or "petition", "kind", PETITION_KINDS),
               group_size=_int(v.get("group_size"), "group_size", 1) or 1,
               complex=_bool(v.get("complex", ""), "complex"), incited=_bool(v.get("incited", ""), "incited"),
               session_ref=str(v.get("session_ref") or "").strip())
    for key in PROGRESS:
        d = _opt_date(v, key)
        if d is not None:
            if d < day:
                raise ValidationError("date_before_receipt", field=key, date=d.strftime("%d/%m/%Y"),
                                      received=day.strftime("%d/%m/%Y"))
            if d > today:
                raise ValidationError("date_in_future", field=key, date=d.strftime("%d/%m/%Y"))
        rec[key] = d
    for key in ("answer_note", "notice_no", "department", "resolution_no", "referred_agency"):
        rec[key] = str(v.get(key) or "").strip()
    if rec["answered_on"] and (rec["notice_on"] or rec["referred_on"]):
        raise ValidationError("one_of_fields", field="answered_on", fields="answered_on | notice_on | referred_on")
    if rec["notice_on"]:
        for need in ("notice_no", "department"):
            if not rec[need]:
                raise ValidationError("missing_field", field=need)
    if rec["resolved_on"]:
        if not rec["notice_on"]:
            raise ValidationError("missing_field", field="notice_on")
        if not rec["resolution_no"]:
            raise ValidationError("missing_field", field="resolution_no")
        if rec["referred_on"]:
            raise ValidationError("one_of_fields", field="resolved_on", fields="resolved_on | referred_on")
    if rec["closed_on"] and not rec["resolved_on"]:
        raise ValidationError("missing_field", field="resolved_on")
    if rec["referred_on"] and not rec["referred_agency"]:
        raise ValidationError("missing_field", field="referred_agency")
    rec["ref"] = row_ref(rec)
    return rec


# -- writing -------------------------------------------------------------------------------------------
def _existing(session: Session, model, refs: list[str]) -> set[str]:
    found = set()
    for i in range(0, len(refs), 1000):
        chunk = refs[i:i + 1000]
        found.update(session.scalars(select(model.external_ref).where(model.external_ref.in_(chunk))))
    return found


def _write_petition(session: Session, ctx, rec: dict, by: str | None, session_ids: dict[str, int]) -> None:
    from engine.services import petitions as svc
    sid = None
    if rec["session_ref"]:
        sid = session_ids.get(rec["session_ref"])
        if sid is None:
            sid = session.scalar(select(ReceptionSession.id).where(ReceptionSession.external_ref == rec["session_ref"]))
        if sid is None:
            raise ValidationError("import_unknown_session_ref", field="session_ref", ref=rec["session_ref"])
    people = [{"name": rec["petitioner"], "address": rec["address"]}] if rec["petitioner"] else []
    p = svc.add_petition(session, ctx, rec["unit"], rec["summary"], received_on=rec["date"], session_id=sid,
                         petitioners=people, category=rec["category"], kind=rec["kind"], group_size=rec["group_size"],
                         complex_prolonged=rec["complex"], incited=rec["incited"], external_ref=rec["ref"],
                         action="import")
    steps = []
    if rec["answered_on"]:
        steps.append(("answer_at_meeting", {"note": rec["answer_note"] or "-"}, rec["answered_on"]))
    if rec["notice_on"]:
        steps.append(("conclude", {"notice_no": rec["notice_no"], "department": rec["department"]}, rec["notice_on"]))
    if rec["resolved_on"]:
        steps.append(("resolve", {"document_no": rec["resolution_no"]}, rec["resolved_on"]))
    if rec["closed_on"]:
        steps.append(("close", {}, rec["closed_on"]))
    if rec["referred_on"]:
        steps.append(("refer", {"agency": rec["referred_agency"]}, rec["referred_on"]))
    steps.sort(key=lambda s: s[2])
    for action, params, on in steps:
        svc.act(session, ctx, p.code, action, by, params, on=on)



# -- bulk writing ------------------------------------------------------------------------------------
def reserve_codes(session: Session, unit: OrgUnit, year: int, n: int) -> list[str]:
    """`n` consecutive codes for (unit, year) in one statement: the counter moves by `n`
    inside this transaction (gapless, like `next_code`, and rolled back with it)."""
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PetitionCounter)
    stmt = ins.values(unit_id=unit.id, year=year, last=n).on_conflict_do_update(
        index_elements=["unit_id", "year"], set_={"last": PetitionCounter.last + n}
    ).returning(PetitionCounter.last)
    last = session.execute(stmt).scalar_one()
    return [f"KN-{unit.code}-{year}-{i:06d}" for i in range(last - n + 1, last + 1)]


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _plain_utc(dt: datetime) -> datetime:
    """A stdlib aware UTC datetime (pendulum's are slow to convert again, row after row)."""
    dt = dt.astimezone(timezone.utc)
    return datetime(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond, tzinfo=timezone.utc)


def _copy_value(v):
    if isinstance(v, str):
        return nfc(v)  # what NFCString/NFCText do on the ORM path
    if isinstance(v, dict):
        from psycopg.types.json import Json
        return Json(v, dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str))
    return v


def _write_rows(session: Session, table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys). PostgreSQL: COPY, the fastest way in;
    elsewhere: a Core executemany in chunks."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        cols = list(rows[0])
        raw = session.connection().connection.driver_connection
        now = datetime.now(timezone.utc)
        defaults = [c.name for c in table.columns if c.name in ("created_at", "updated_at") and c.name not in cols]
        names = ", ".join(f'"{c}"' for c in cols + defaults)
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row([_copy_value(r[c]) for c in cols] + [now] * len(defaults))
        return
    for chunk in _chunks(rows):
        session.execute(insert(table), chunk)


def _new_ids(session: Session, table, n: int) -> list[int] | None:
    """`n` ids from the table's sequence (PostgreSQL), so rows can be COPYed with their ids."""
    if session.get_bind().dialect.name != "postgresql" or n == 0:
        return None
    from sqlalchemy import text as sql
    return list(session.scalars(sql(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                                    "FROM generate_series(1, :n)"), {"n": n}))


class _BulkWriter:
    """Writes sessions and progress-free petitions as `add_session` / `add_petition` would,
    many rows per statement. Every check that `add_petition` makes is made in `prepare`,
    before anything is written, so a refused row is reported and never half-written."""

    def __init__(self, session: Session, ctx, units: dict[str, OrgUnit]):
        from engine.services.petitions import _unit_chain_codes
        self.s, self.ctx, self.units = session, ctx, units
        self._chain_of = _unit_chain_codes
        self._chains: dict[int, list[str]] = {}
        self._rules: dict[tuple, object] = {}
        self._clocks: dict[tuple, dict] = {}
        self._midnights: dict[date, datetime] = {}
        self.sessions: dict[str, tuple[int, int, date]] = {}   # external_ref -> (id, unit_id, held_on)

    # sessions ----------------------------------------------------------------------------
    def write_sessions(self, recs: list[dict]) -> None:
        from engine.services.common import count
        t = ReceptionSession.__table__
        rows = [{"unit_id": self.units[r["unit"]].id, "kind": r["session_kind"], "held_on": r["date"],
                 "people": count(r["people"], "people"), "groups": count(r["groups"], "groups"),
                 "refused": count(r["refused"], "refused"), "chair": r["chair"] or "", "note": "",
                 "external_ref": r["ref"]} for r in recs]
        for chunk in _chunks(rows):
            for sid, ref, unit_id, held_on in self.s.execute(
                    insert(t).returning(t.c.id, t.c.external_ref, t.c.unit_id, t.c.held_on), chunk):
                self.sessions[ref] = (sid, unit_id, held_on)

    def _session(self, ref: str) -> tuple[int, int, date]:
        found = self.sessions.get(ref)
        if found is None:
            S = ReceptionSession
            row = self.s.execute(select(S.id, S.unit_id, S.held_on).where(S.external_ref == ref)).first()
            if row is None:
                raise ValidationError("import_unknown_session_ref", field="session_ref", ref=ref)
            found = self.sessions[ref] = (row[0], row[1], row[2])
        return found

    # petitions -------------------------------------------------------------------------------
    def prepare(self, rec: dict) -> dict:
        """The checks of `add_petition` for one record; raises the same errors."""
        from engine.services.common import text
        unit = self.units[rec["unit"]]
        summary = text(rec["summary"], "summary")
        reception = None
        if rec["session_ref"]:
            sid, s_unit, held_on = self._session(rec["session_ref"])
            if s_unit != unit.id:
                raise ValidationError("session_other_unit", field="session", id=sid)
            reception = (sid, held_on)
        return dict(rec, summary=summary, _unit=unit, _reception=reception)

    def _midnight(self, d: date) -> datetime:
        m = self._midnights.get(d)
        if m is None:
            m = self._midnights[d] = _plain_utc(local_midnight(d))
        return m

    def _clock(self, unit: OrgUnit, name: str, trigger: date) -> dict:
        """The columns `start_clock` sets, memoised per (unit chain, clock, start day)."""
        from engine.clocks import compute_due, schedule_ladder
        chain = self._chains.get(unit.id)
        if chain is None:
            chain = self._chains[unit.id] = self._chain_of(self.s, unit)
        rkey = (tuple(chain), name, trigger)
        rule = self._rules.get(rkey)
        if rule is None:
            rule = self._rules[rkey] = self.ctx.params.rule_for(name, trigger, chain)
        ckey = (name, trigger, rule)
        tpl = self._clocks.get(ckey)
        if tpl is None:
            cal, ladder = self.ctx.cal, self.ctx.params.ladder
            due = compute_due(cal, trigger, rule)
            probe = Clock(due_date=due)
            # as start_clock: rungs on the trigger day itself still count
            schedule_ladder(probe, cal, ladder, self._midnight(trigger) - timedelta(seconds=1))
            tpl = self._clocks[ckey] = {
                "name": name, "rule_days": rule.days, "working": rule.working, "rule_source": rule.source,
                "trigger_on": trigger, "due_date": due, "deadline_at": _plain_utc(end_of_day(due)),
                "original_due_date": due, "extended_due_date": None, "extensions": 0, "status": "running",
                "provisional": bool(cal.provisional_years(trigger, due)), "calendar_version": cal.version,
                "version": 1, "next_rung": probe.next_rung,
                "next_rung_at": _plain_utc(probe.next_rung_at) if probe.next_rung_at else None}
        return tpl

    def write_petitions(self, recs: list[dict]) -> None:
        """Insert prepared records: codes per (unit, year) in file order, then petitions,
        petitioners, clocks and the first event of each chain."""
        from engine import eventlog
        from engine.services.petitions import GROUP_THRESHOLD
        wf, ctx = self.ctx.workflow, self.ctx
        by_key: dict[tuple[int, int], list[dict]] = {}
        for r in recs:
            by_key.setdefault((r["_unit"].id, r["date"].year), []).append(r)
        for (_, year), group in by_key.items():
            for r, code in zip(group, reserve_codes(self.s, group[0]["_unit"], year, len(group))):
                r["_code"] = code
        at = _plain_utc(ctx.instant())
        P, C, E, Pe = Petition.__table__, Clock.__table__, Event.__table__, Petitioner.__table__
        for chunk in _chunks(recs, 10 * CHUNK):
            rows = []
            for r in chunk:
                unit, day = r["_unit"], r["date"]
                names = r["petitioner"]  # add_petition joins the names of the (at most one) petitioner
                rows.append({
                    "code": r["_code"], "unit_id": unit.id, "session_id": r["_reception"][0] if r["_reception"] else None,
                    "received_on": day, "received_at": self._midnight(day), "summary": r["summary"],
                    "category": r["category"], "kind": r["kind"], "group_size": r["group_size"],
                    "is_group": r["group_size"] >= GROUP_THRESHOLD, "complex_prolonged": bool(r["complex"]),
                    "incited": bool(r["incited"]), "state": wf.initial_state, "version": 1, "reopen_count": 0,
                    "external_ref": r["ref"], "escalated_from_id": None, "department_id": None,
                    "search_text": fold(f"{r['_code']} {r['summary']} {names} {unit.name}")})
            ids = _new_ids(self.s, P, len(rows))
            if ids is not None:
                for row, pid in zip(rows, ids):
                    row["id"] = pid
                _write_rows(self.s, P, rows)
                ids = {row["code"]: row["id"] for row in rows}
            else:
                ids = {}
                for part in _chunks(rows):
                    ids.update((code, pid) for pid, code in self.s.execute(insert(P).returning(P.c.id, P.c.code), part))
            people, clocks, events = [], [], []
            for r in chunk:
                pid, unit, day = ids[r["_code"]], r["_unit"], r["date"]
                if r["petitioner"]:
                    people.append({"petition_id": pid, "name": r["petitioner"], "address": r["address"] or "",
                                   "phone": "", "email": ""})
                trigger = r["_reception"][1] if r["_reception"] else day
                snap = {}
                for name in wf.start_on_receipt:
                    tpl = self._clock(unit, name, trigger)
                    clocks.append(dict(tpl, petition_id=pid, trigger_at=self._midnight(day)))
                    snap[name] = {"due_date": tpl["due_date"].isoformat(), "status": "running"}
                after = {"state": wf.initial_state, "version": 1, "department": None, "clocks": snap}
                data = {"unit": unit.code, "received_on": day.isoformat(),
                        "session": r["_reception"][0] if r["_reception"] else None, "summary": r["summary"]}
                ev = SimpleNamespace(petition_id=pid, seq=1, action="import", actor_id=None, actor="system", at=at,
                                     effective_on=day, before={}, after=after, data=data, prev_hash=eventlog.GENESIS)
                events.append(dict(vars(ev), hash=eventlog.event_hash(r["_code"], ev)))
            _write_rows(self.s, Pe, people)
            _write_rows(self.s, C, clocks)
            _write_rows(self.s, E, events)


def import_file(session: Session, ctx, rows: RowSet | str | Path, by: str | None = None, skip_invalid: bool = False,
                progress=None, lang: str = "vi") -> ImportResult:
    """Validate every row, then write sessions and petitions: in bulk where a row carries
    no progress, through the workflow services where it does (see "Speed" above).

    All or nothing unless `skip_invalid`: on any rejected row `ImportRejected` is raised
    (carrying `.rejected`, a list of (line, reason)) and the caller's transaction rolls
    back. `progress(n)` is called as rows are processed."""
    if not isinstance(rows, RowSet):
        rows = read_rows(rows)
    res = ImportResult(ignored_columns=rows.ignored_columns)
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    today = local_date(ctx.instant())
    good: list[tuple[int, dict]] = []
    for line, raw in rows.rows:
        try:
            rec = validate_row(raw, units, today)
            if rec["record"] == "petition" and not by and any(rec[k] for k in PROGRESS):
                raise ValidationError("import_needs_by", field="by")
            good.append((line, rec))
        except DomainError as exc:
            res.rejected.append((line, exc.message(lang)))
    if res.rejected and not skip_invalid:
        raise ImportRejected(rows.file, res.rejected)

    # Rows already present (an earlier import) or repeated in this file are skipped.
    present = _existing(session, ReceptionSession, [r["ref"] for _, r in good if r["record"] == "session"])
    present |= _existing(session, Petition, [r["ref"] for _, r in good if r["record"] == "petition"])
    seen: set[str] = set()
    fresh: list[tuple[int, dict]] = []
    for line, rec in sorted(good, key=lambda x: (x[1]["record"] != "session", x[0])):
        if rec["ref"] in present or (rec["record"], rec["ref"]) in seen:
            res.duplicates += 1
            continue
        seen.add((rec["record"], rec["ref"]))
        fresh.append((line, rec))

    def refuse(line: int, exc: DomainError) -> None:
        res.rejected.append((line, exc.message(lang)))
        if not skip_invalid:
            raise ImportRejected(rows.file, sorted(res.rejected)) from None

    bulk = _BulkWriter(session, ctx, units)
    # Sessions first, so that petitions can point at a session anywhere in the file.
    new_sessions = [rec for _, rec in fresh if rec["record"] == "session"]
    bulk.write_sessions(new_sessions)
    res.sessions += len(new_sessions)
    done = res.duplicates + len(new_sessions)
    if progress is not None and done:
        progress(done)

    plain, replayed = [], []
    for line, rec in fresh:
        if rec["record"] != "petition":
            continue
        if any(rec[k] for k in PROGRESS):
            replayed.append((line, rec))
            continue
        try:
            plain.append(bulk.prepare(rec))
        except DomainError as exc:
            res.rejected.append((line, exc.message(lang)))
    if res.rejected and not skip_invalid:
        raise ImportRejected(rows.file, sorted(res.rejected))
    bulk.write_petitions(plain)
    res.petitions += len(plain)
    if progress is not None and plain:
        progress(len(plain))

    # Rows with progress replay through the workflow, one by one. With --skip-invalid each
    # runs in a savepoint so that a refused row leaves no trace; all or nothing needs none
    # (the first refusal rolls the whole file back).
    session_ids = {ref: v[0] for ref, v in bulk.sessions.items()}
    for i, (line, rec) in enumerate(replayed, start=1):
        try:
            with (session.begin_nested() if skip_invalid else nullcontext()):
                _write_petition(session, ctx, rec, by, session_ids)
            res.petitions += 1
        except DomainError as exc:
            refuse(line, exc)
        if progress is not None and i % 200 == 0:
            progress(200)
    if progress is not None and len(replayed) % 200:
        progress(len(replayed) % 200)
    res.rejected.sort()
    if res.rejected and not skip_invalid:
        raise ImportRejected(rows.file, res.rejected)
    return res


__all__ = ["HEADERS", "ImportRejected", "ImportResult", "RowSet", "import_file", "read_rows", "validate_row", "row_ref"]
