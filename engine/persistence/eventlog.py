"""The append-only event log: a keyed chain per petition, keyed heads, keyed checkpoints.

What it proves, and how (docs/audit-log.md says the same for auditors):

* **Events.** Each event's hash is HMAC-SHA256, under the audit key
  (`engine.persistence.auditkey`, never in the database), of its content and the previous
  event's hash. Editing an event, or editing it and recomputing the chain without the key,
  breaks it.
* **Heads.** The transaction that appends an event also writes the petition's head record
  (`event_heads`, one row per petition, so writers never queue on a shared row): the last
  seq and hash, and the petition's *sealed state* — state, unit, department, notice and
  document numbers and dates, and every clock's status, dates and extensions — under an HMAC.
  Deleting a petition's last events leaves a head that names a later event; editing
  `petitions.state`, `document_no` or a clock's `stopped_on` leaves a state that differs from
  the sealed one; forging a head needs the key. Anything that legitimately changes the
  sealed state without an event (re-projection after new calendar data) re-seals (`seal`).
* **Checkpoints.** `checkpoint` (each scheduler tick, and the upgrade to 0006) records, per
  unit, how many petitions and events exist, chained and keyed (`audit_checkpoints`).
  Deleting a whole case with its events and its head leaves fewer than the last checkpoint
  counted; a case deleted before any checkpoint still leaves a gap in the unit's gapless codes.
  The newest checkpoint's MAC is written to the application log, a copy outside the database.
* **Replay.** Independently of the key, each petition's current state, numbers and clocks
  are compared with what its events recorded (`after` snapshots, the fields in `data`, the
  clock journal for calendar re-projections).
* **Before 0006** events were plain SHA-256. Migration 0006 seals every existing chain's head
  with the key (`legacy_upto` = its last seq, i.e. "verified at upgrade"): those events are
  checked as plain SHA-256 and their head is keyed, so rewriting them after the upgrade is
  caught as for new events; later events of the same petition are keyed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import ARRAY, Column, Integer, MetaData, String, Table, Text, any_, bindparam, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.persistence.auditkey import audit_key, key_id
from engine.persistence.models import (AuditCheckpoint, Clock, ClockJournal, Event, EventHead, OrgUnit, Petition,
                                       PetitionCounter)

GENESIS = "0" * 64
STOPPED = ("met", "late", "cancelled")
log = logging.getLogger("petitions.audit")


def current_key() -> bytes:
    from config import get_settings
    return audit_key(get_settings())


def _instant(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canon(obj) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _body(petition_code: str, ev) -> str:
    eff = ev.effective_on.isoformat() if isinstance(ev.effective_on, date) else str(ev.effective_on)
    return _canon({
        "petition": petition_code, "seq": ev.seq, "action": ev.action, "actor": ev.actor,
        "at": _instant(ev.at), "effective_on": eff,
        "before": ev.before, "after": ev.after, "data": ev.data,
    })


def legacy_hash(petition_code: str, ev) -> str:
    """The hash of releases before 0006: plain SHA-256, which anyone can recompute."""
    return hashlib.sha256((ev.prev_hash + _body(petition_code, ev)).encode("utf-8")).hexdigest()


def event_hash(petition_code: str, ev, key: bytes | None = None) -> str:
    """HMAC-SHA256 under the audit key of the previous hash and the event's content."""
    return _mac(key or current_key(), "event|" + ev.prev_hash + _body(petition_code, ev))


# -- sealed state and heads ---------------------------------------------------------------
def _iso(v):
    return v.isoformat() if isinstance(v, (date, datetime)) else v


_P_COLS = ("state", "department_id", "notice_no", "notice_on", "document_no", "resolved_on", "referred_agency",
           "closed_on", "received_on", "reopen_count")
_C_COLS = ("name", "status", "trigger_on", "due_date", "original_due_date", "extended_due_date", "stopped_on",
           "extensions")


def _chunks(ids, n=500):
    ids = list(ids)
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


def current_states(conn, petition_ids) -> dict[int, tuple[str, int, dict]]:
    """{petition id: (code, unit id, sealed state)} read from the tables as they are now.
    Core with named columns, so migration 0006 can use it whatever later columns exist."""
    P, C = Petition.__table__, Clock.__table__
    out: dict[int, tuple[str, int, dict]] = {}
    for part in _chunks(petition_ids):
        clocks: dict[int, list] = {}
        for row in conn.execute(select(C.c.petition_id, *(C.c[k] for k in _C_COLS))
                                .where(C.c.petition_id.in_(part)).order_by(C.c.id)):
            clocks.setdefault(row[0], []).append({k: _iso(v) for k, v in zip(_C_COLS, row[1:])})
        for row in conn.execute(select(P.c.id, P.c.code, P.c.unit_id, *(P.c[k] for k in _P_COLS)).where(P.c.id.in_(part))):
            state = {k: _iso(v) for k, v in zip(_P_COLS, row[3:])}
            state["clocks"] = clocks.get(row[0], [])
            out[row[0]] = (row[1], row[2], state)
    return out


def _head_text(petition_id, code, unit_id, seq, hash_, legacy_upto, sealed) -> str:
    return "head|" + _canon({"petition_id": petition_id, "code": code, "unit_id": unit_id, "seq": seq, "hash": hash_,
                              "legacy_upto": legacy_upto, "sealed": sealed})


def _head_text_of(petition_id: int, code: str, unit_id: int, seq: int, hash_: str, legacy_upto: int,
                  sealed_canon: str) -> str:
    """`_head_text` from the sealed state already in canonical form (`reseal` writes that
    text to the column too, so it is serialized once). Keys in sorted order, as `_canon`
    writes them; a test holds the two equal."""
    return (f'head|{{"code":{_canon(code)},"hash":{_canon(hash_)},"legacy_upto":{int(legacy_upto)},'
            f'"petition_id":{int(petition_id)},"sealed":{sealed_canon},"seq":{int(seq)},"unit_id":{int(unit_id)}}}')


def seal(conn, petition_ids, at: datetime | None = None, legacy: bool = False, key: bytes | None = None,
         last: dict[int, tuple[int, str]] | None = None) -> None:
    """Write the keyed head of each petition from its last event and its state as it is now.
    `legacy` marks every existing event as plain SHA-256 (migration 0006)."""
    if isinstance(conn, Session):
        conn.flush()
    key = key or current_key()
    kid, at = key_id(key), at or datetime.now(timezone.utc)
    H, E = EventHead.__table__, Event.__table__
    ids = list(petition_ids)
    states = current_states(conn, ids)
    last = dict(last or {})
    missing = [pid for pid in ids if pid not in last]
    for part in _chunks(missing):
        top = (select(E.c.petition_id, func.max(E.c.seq).label("seq")).where(E.c.petition_id.in_(part))
               .group_by(E.c.petition_id).subquery())
        for pid, seq, h in conn.execute(select(E.c.petition_id, E.c.seq, E.c.hash).join(
                top, (top.c.petition_id == E.c.petition_id) & (top.c.seq == E.c.seq))):
            last[pid] = (seq, h)
    heads: dict[int, int] = {}
    for part in _chunks(ids):  # in parts, as above: one bound parameter per id, and PostgreSQL takes 65,535
        heads.update(conn.execute(select(H.c.petition_id, H.c.legacy_upto).where(H.c.petition_id.in_(part))).all())
    for pid in ids:
        if pid not in states:
            continue
        code, unit_id, state = states[pid]
        seq, h = last.get(pid, (0, GENESIS))
        legacy_upto = seq if legacy else heads.get(pid, 0)
        values = dict(code=code, unit_id=unit_id, seq=seq, hash=h, legacy_upto=legacy_upto, sealed=state, key_id=kid,
                      mac=_mac(key, _head_text(pid, code, unit_id, seq, h, legacy_upto, state)), sealed_at=at)
        if pid in heads:
            conn.execute(update(H).where(H.c.petition_id == pid).values(**values))
        else:
            conn.execute(H.insert().values(petition_id=pid, **values))


def temp_table(conn, table: Table, pg_types: dict[str, str]) -> None:
    """Create a connection's temporary work table (empty) from its SQLAlchemy columns:
    PostgreSQL gets real types, SQLite the text its own columns store (dates as
    'YYYY-MM-DD', instants as naive UTC text, as the ORM writes them)."""
    pg = conn.dialect.name == "postgresql"
    cols = ", ".join(f"{c.name} {pg_types[c.name] if pg else 'TEXT' if pg_types[c.name] in _TEXTY else pg_types[c.name]}"
                     for c in table.columns)
    conn.execute(text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table.name} ({cols})"))
    clear(conn, table)


def clear(conn, table: Table) -> None:
    """Empty a temporary work table: TRUNCATE on PostgreSQL (a DELETE leaves the dead rows of
    every batch for the next one to scan), DELETE on SQLite."""
    conn.execute(text(f"TRUNCATE {table.name}") if conn.dialect.name == "postgresql" else table.delete())


_TEXTY = ("date", "timestamptz", "json")
_meta = MetaData()
_SEALS = Table("reseal_heads", _meta, Column("petition_id", Integer), Column("code", String), Column("unit_id", Integer),
               Column("sealed", Text), Column("mac", String))  # sealed: canonical JSON text
_SEALS_TYPES = {"petition_id": "integer", "code": "varchar", "unit_id": "integer", "sealed": "json", "mac": "varchar"}


def reseal(conn, touched, at: datetime, key: bytes | None = None) -> int:
    """Re-seal the heads of the petitions in `touched` (a table with a `petition_id`
    column) after a change without an event, in bulk: three joined reads, one MAC per
    petition, one UPDATE from a temporary table (`seal` takes a statement per head).

    The head keeps its own seq and hash: nothing was appended, and re-reading them from the
    events, as `seal` does, would seal over a chain whose last events were deleted. A
    petition without a head gets one from its events (`seal`)."""
    key = key or current_key()
    kid = key_id(key)
    P, C, H = Petition.__table__, Clock.__table__, EventHead.__table__
    if conn.dialect.name == "postgresql":
        # the ids as one array parameter: PostgreSQL probes the indexes for them, where a join
        # with the (unanalysed) temporary table read the whole of clocks and petitions each batch
        ids = bindparam("ids", [r[0] for r in conn.execute(select(touched.c.petition_id))], type_=ARRAY(Integer))

        def among(col):
            return col == any_(ids)
    else:
        def among(col):
            return col.in_(select(touched.c.petition_id))
    clocks: dict[int, list] = {}
    for row in conn.execute(select(C.c.petition_id, *(C.c[k] for k in _C_COLS)).where(among(C.c.petition_id))
                            .order_by(C.c.petition_id, C.c.id)):
        clocks.setdefault(row[0], []).append({k: _iso(v) for k, v in zip(_C_COLS, row[1:])})
    heads = {pid: (seq, h, lu) for pid, seq, h, lu in conn.execute(
        select(H.c.petition_id, H.c.seq, H.c.hash, H.c.legacy_upto).where(among(H.c.petition_id)))}
    rows, missing = [], []
    for row in conn.execute(select(P.c.id, P.c.code, P.c.unit_id, *(P.c[k] for k in _P_COLS)).where(among(P.c.id))):
        pid, code, unit_id = row[0], row[1], row[2]
        if pid not in heads:
            missing.append(pid)
            continue
        state = {k: _iso(v) for k, v in zip(_P_COLS, row[3:])}
        state["clocks"] = clocks.pop(pid, [])
        seq, h, legacy_upto = heads[pid]
        sealed = _canon(state)
        rows.append((pid, code, unit_id, sealed, _mac(key, _head_text_of(pid, code, unit_id, seq, h, legacy_upto, sealed))))
    if rows:
        temp_table(conn, _SEALS, _SEALS_TYPES)
        if conn.dialect.name == "postgresql":  # COPY: a tenth of the time of row-by-row inserts
            with conn.connection.driver_connection.cursor() as cur:
                with cur.copy(f"COPY {_SEALS.name} (petition_id, code, unit_id, sealed, mac) FROM STDIN") as cp:
                    for r in rows:
                        cp.write_row(r)
        else:
            conn.execute(_SEALS.insert(), [dict(zip(("petition_id", "code", "unit_id", "sealed", "mac"), r))
                                           for r in rows])
        conn.execute(update(H).where(H.c.petition_id == _SEALS.c.petition_id, among(H.c.petition_id))
                     .values(code=_SEALS.c.code, unit_id=_SEALS.c.unit_id, sealed=_SEALS.c.sealed, mac=_SEALS.c.mac,
                             key_id=kid, sealed_at=at))
        clear(conn, _SEALS)
    if missing:
        seal(conn, missing, at=at, key=key)
    return len(rows) + len(missing)


def append(session: Session, petition: Petition, action: str, actor_id: int | None, actor: str, at: datetime,
           effective_on, before: dict, after: dict, data: dict) -> Event:
    last = session.execute(
        select(Event.seq, Event.hash).where(Event.petition_id == petition.id).order_by(Event.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    ev = Event(petition_id=petition.id, seq=seq, action=action, actor_id=actor_id, actor=actor, at=at,
               effective_on=effective_on, before=before, after=after, data=data, prev_hash=prev)
    key = current_key()
    ev.hash = event_hash(petition.code, ev, key)
    session.add(ev)
    seal(session, [petition.id], at=at, key=key, last={petition.id: (seq, ev.hash)})
    return ev


# -- checkpoints --------------------------------------------------------------------------
def unit_counts(conn) -> dict[str, list[int]]:
    P, E = Petition.__table__, Event.__table__
    out = {str(u): [n, 0] for u, n in conn.execute(select(P.c.unit_id, func.count(P.c.id)).group_by(P.c.unit_id))}
    for u, n in conn.execute(select(P.c.unit_id, func.count(E.c.id)).join(E, E.c.petition_id == P.c.id)
                             .group_by(P.c.unit_id)):
        out.setdefault(str(u), [0, 0])[1] = n
    return out


def _checkpoint_text(seq, at, units, kid, prev_mac) -> str:
    return "checkpoint|" + _canon({"seq": seq, "at": _instant(at), "units": units, "key_id": kid, "prev_mac": prev_mac})


def checkpoint(conn, at: datetime, key: bytes | None = None) -> int | None:
    """Record the petitions and events of every unit when they changed since the last
    checkpoint; returns the new checkpoint's seq (None when nothing changed or another
    process wrote it first)."""
    key = key or current_key()
    A = AuditCheckpoint.__table__
    units = unit_counts(conn)
    last = conn.execute(select(A.c.seq, A.c.units, A.c.mac).order_by(A.c.seq.desc()).limit(1)).first()
    if last is not None and last.units == units:
        return None
    if last is None and not units:
        return None
    seq, prev = (last.seq + 1, last.mac) if last else (1, GENESIS)
    kid = key_id(key)
    mac = _mac(key, _checkpoint_text(seq, at, units, kid, prev))
    nested = conn.begin_nested()
    try:
        conn.execute(A.insert().values(seq=seq, at=at, units=units, key_id=kid, prev_mac=prev, mac=mac))
        nested.commit()
    except IntegrityError:
        nested.rollback()
        return None
    log.info("audit checkpoint #%d %s", seq, mac, extra={"audit_checkpoint": seq, "mac": mac})
    return seq


# -- verification -------------------------------------------------------------------------
@dataclass
class Finding:
    code: str | None  # the case's code (None for a finding about a unit or the checkpoints)
    what: str         # message code, "audit_" + what in engine.language.messages
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "vi") -> str:
        from engine.language.messages import render
        params = {k: ("—" if v is None else v) for k, v in self.params.items()}
        return render("audit_" + self.what, lang, code=self.code or "", **params)

    def to_dict(self, lang: str = "vi") -> dict:
        return {"code": self.code, "problem": self.what, "message": self.text(lang), **self.params}


@dataclass
class Report:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    checkpoint: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.findings


def _d(v) -> str:
    if v is None:
        return "—"
    try:
        return date.fromisoformat(str(v)).strftime("%d/%m/%Y")
    except ValueError:
        return str(v)


def _chain(code: str, events: list[Event], legacy_upto: int, key: bytes, out: list[Finding]) -> None:
    prev, expected = GENESIS, 1
    for ev in events:
        if ev.seq != expected:
            out.append(Finding(code, "event_missing", {"seq": expected, "found": ev.seq}))
        if ev.prev_hash != prev:
            out.append(Finding(code, "event_unlinked", {"seq": ev.seq}))
        good = legacy_hash(code, ev) if ev.seq <= legacy_upto else event_hash(code, ev, key)
        if not hmac.compare_digest(good, ev.hash):
            out.append(Finding(code, "event_altered", {"seq": ev.seq, "action": ev.action}))
        prev, expected = ev.hash, ev.seq + 1
    if not events:
        out.append(Finding(code, "no_events"))


_FIELDS = {"state": "petitions.state", "department_id": "petitions.department_id", "notice_no": "petitions.notice_no",
           "notice_on": "petitions.notice_on", "document_no": "petitions.document_no",
           "resolved_on": "petitions.resolved_on", "referred_agency": "petitions.referred_agency",
           "closed_on": "petitions.closed_on", "received_on": "petitions.received_on",
           "reopen_count": "petitions.reopen_count"}


def _compare_sealed(code: str, sealed: dict, now: dict, out: list[Finding]) -> None:
    for k, label in _FIELDS.items():
        if sealed.get(k) != now.get(k):
            out.append(Finding(code, "field_changed", {"field": label, "now": now.get(k), "sealed": sealed.get(k)}))
    a, b = sealed.get("clocks", []), now.get("clocks", [])
    if len(a) != len(b):
        out.append(Finding(code, "clocks_changed", {"now": len(b), "sealed": len(a)}))
        return
    for old, new in zip(a, b):
        for k in _C_COLS:
            if old.get(k) != new.get(k):
                out.append(Finding(code, "clock_field_changed", {"clock": old.get("name"), "field": f"clocks.{k}",
                                                                  "now": new.get(k), "sealed": old.get(k)}))


def _replay(session: Session, p: Petition, events: list[Event], out: list[Finding]) -> None:
    """The petition and its clocks against what its events recorded (needs no key)."""
    if not events:
        return
    last = events[-1]
    after = last.after or {}
    if "state" in after and after["state"] != p.state:
        out.append(Finding(p.code, "replay_state", {"now": p.state, "events": after["state"]}))
    if "department" in after:
        dept = p.department.code if p.department else None
        if after["department"] != dept:
            out.append(Finding(p.code, "replay_field", {"field": "department", "now": dept, "events": after["department"]}))
    for name in ("notice_no", "document_no"):
        recorded = None
        for ev in events:
            if (ev.data or {}).get(name):
                recorded = ev.data[name]
        if recorded is not None and recorded != getattr(p, name):
            out.append(Finding(p.code, "replay_field", {"field": name, "now": getattr(p, name), "events": recorded}))
        if recorded is None and getattr(p, name):
            out.append(Finding(p.code, "replay_field", {"field": name, "now": getattr(p, name), "events": None}))
    snap = after.get("clocks") or {}
    for name, rec in snap.items():
        c = p.clock(name)
        if c is None:
            out.append(Finding(p.code, "replay_clock_missing", {"clock": name}))
            continue
        if rec.get("status") and rec["status"] != c.status:
            out.append(Finding(p.code, "replay_clock", {"clock": name, "field": "status", "now": c.status,
                                                        "events": rec["status"]}))
        due = rec.get("due_date")
        if due:
            for j in session.scalars(select(ClockJournal).where(ClockJournal.clock_id == c.id,
                                                                ClockJournal.cause == "calendar_change")
                                     .order_by(ClockJournal.id)):
                if j.old_due.isoformat() == due:
                    due = j.new_due.isoformat()
            if due != c.due_date.isoformat():
                out.append(Finding(p.code, "replay_clock", {"clock": name, "field": "due_date",
                                                            "now": _d(c.due_date.isoformat()), "events": _d(due)}))
        if c.status in ("met", "late"):
            stopped = rec.get("stopped_on")
            if stopped is None:  # before stopped_on was recorded: the event that stopped it
                for ev in events:
                    b = ((ev.before or {}).get("clocks") or {}).get(name) or {}
                    a = ((ev.after or {}).get("clocks") or {}).get(name) or {}
                    if b.get("status") in ("running", "paused") and a.get("status") in STOPPED:
                        stopped = ev.effective_on.isoformat()
            now = c.stopped_on.isoformat() if c.stopped_on else None
            if stopped is not None and stopped != now:
                out.append(Finding(p.code, "replay_clock", {"clock": name, "field": "stopped_on", "now": _d(now),
                                                            "events": _d(stopped)}))
            if c.stopped_on is not None and (c.status == "met") != (c.stopped_on <= c.due_date):
                out.append(Finding(p.code, "clock_verdict", {"clock": name, "status": c.status,
                                                             "stopped": _d(now), "due": _d(c.due_date.isoformat())}))


def _codes(session: Session, unit_ids: set[int] | None, present: set[str], out: list[Finding]) -> None:
    """Codes are gapless per unit and year (`services.petitions.next_code`): a hole is a case gone."""
    q = select(PetitionCounter.unit_id, PetitionCounter.year, PetitionCounter.last, OrgUnit.code).join(
        OrgUnit, OrgUnit.id == PetitionCounter.unit_id)
    if unit_ids is not None:
        q = q.where(PetitionCounter.unit_id.in_(unit_ids))
    for _, year, last, ucode in session.execute(q):
        for n in range(1, (last or 0) + 1):
            code = f"KN-{ucode}-{year}-{n:06d}"
            if code not in present:
                out.append(Finding(code, "case_missing"))


def _checkpoints(session: Session, key: bytes, unit_ids: set[int] | None, report: Report) -> None:
    A = AuditCheckpoint.__table__
    prev, expected, good = GENESIS, 1, None
    for row in session.execute(select(A).order_by(A.c.seq)):
        ok = row.seq == expected and row.prev_mac == prev and hmac.compare_digest(
            _mac(key, _checkpoint_text(row.seq, row.at, row.units, row.key_id, row.prev_mac)), row.mac)
        if not ok:
            report.findings.append(Finding(None, "checkpoint_broken", {"seq": row.seq}))
        else:
            good = row
        prev, expected = row.mac, row.seq + 1
    if good is None:
        return
    report.checkpoint = {"seq": good.seq, "at": _instant(good.at), "mac": good.mac}
    now = unit_counts(session)
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
    for uid, (n, e) in sorted(good.units.items()):
        if unit_ids is not None and int(uid) not in unit_ids:
            continue
        cur = now.get(uid, [0, 0])
        args = {"unit": names.get(int(uid), uid), "seq": good.seq, "date": _instant(good.at)[:10]}
        if cur[0] < n:
            report.findings.append(Finding(None, "cases_fewer", dict(args, then=n, now=cur[0])))
        if cur[1] < e:
            report.findings.append(Finding(None, "events_fewer", dict(args, then=e, now=cur[1])))


def verify_all(session: Session, unit_ids: set[int] | None = None, code: str | None = None) -> Report:
    """Everything the log can prove, for the petitions of `unit_ids` (all when None) or one code."""
    key = current_key()
    report = Report()
    q = select(Petition).order_by(Petition.id)
    if code is not None:
        q = q.where(Petition.code == code)
    elif unit_ids is not None:
        q = q.where(Petition.unit_id.in_(unit_ids))
    petitions = list(session.scalars(q))
    report.checked = len(petitions)
    ids = [p.id for p in petitions]
    heads = {}
    for part in _chunks(ids):
        heads.update({h.petition_id: h for h in session.scalars(select(EventHead).where(EventHead.petition_id.in_(part)))})
    states = current_states(session, ids)
    for p in petitions:
        report.findings.extend(check_petition(session, p, heads.get(p.id), states.get(p.id), key))
    if code is None:
        hq = select(EventHead.petition_id, EventHead.code)
        if unit_ids is not None:
            hq = hq.where(EventHead.unit_id.in_(unit_ids))
        known = set(ids)
        for pid, hcode in session.execute(hq):
            if pid not in known:
                report.findings.append(Finding(hcode, "case_deleted"))
        _codes(session, unit_ids, {p.code for p in petitions}, report.findings)
        _checkpoints(session, key, unit_ids, report)
    return report


def check_petition(session: Session, p: Petition, head: EventHead | None, state, key: bytes) -> list[Finding]:
    out: list[Finding] = []
    events = list(session.scalars(select(Event).where(Event.petition_id == p.id).order_by(Event.seq)))
    if head is None:
        out.append(Finding(p.code, "head_missing"))
        _chain(p.code, events, 0, key, out)
    else:
        good = hmac.compare_digest(_mac(key, _head_text(head.petition_id, head.code, head.unit_id, head.seq, head.hash,
                                                       head.legacy_upto, head.sealed)), head.mac)
        if not good:
            out.append(Finding(p.code, "head_forged" if head.key_id == key_id(key) else "head_other_key",
                               {"key_id": head.key_id}))
        _chain(p.code, events, head.legacy_upto if good else 0, key, out)
        if good:
            top = events[-1] if events else None
            if head.code != p.code:
                out.append(Finding(p.code, "head_code", {"sealed": head.code}))
            if top is None or top.seq < head.seq:
                out.append(Finding(p.code, "events_truncated", {"seq": head.seq, "last": top.seq if top else 0}))
            elif top.seq > head.seq or top.hash != head.hash:
                out.append(Finding(p.code, "events_after_head", {"seq": head.seq, "last": top.seq}))
            if state is not None:
                _compare_sealed(p.code, head.sealed or {}, state[2], out)
    _replay(session, p, events, out)
    return out


def verify(session: Session, petition: Petition, lang: str = "en") -> list[str]:
    """Problems found in one petition's log and state (empty when intact), as text."""
    head = session.get(EventHead, petition.id)
    state = current_states(session, [petition.id]).get(petition.id)
    return [f.text(lang) for f in check_petition(session, petition, head, state, current_key())]
