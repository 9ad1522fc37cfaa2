"""Writing validated rows: sessions and plain petitions in bulk (multi-row INSERT, COPY on
PostgreSQL), rows that carry progress replayed through the workflow services."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import end_of_day, local_midnight
from engine.language.errors import ValidationError
from engine.language.text import fold
from engine.persistence.db import nfc
from engine.persistence.models import Clock, Event, OrgUnit, Petition, PetitionCounter, Petitioner, ReceptionSession
from engine.persistence.versions import mark_written

CHUNK = 2000  # rows per multi-row INSERT

# -- writing -------------------------------------------------------------------------------------------
def existing_refs(session: Session, model, refs: list[str]) -> set[str]:
    found = set()
    for i in range(0, len(refs), 1000):
        chunk = refs[i:i + 1000]
        found.update(session.scalars(select(model.external_ref).where(model.external_ref.in_(chunk))))
    return found


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
        mark_written(session.connection())  # the driver's COPY passes no cursor event
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


class BulkWriter:
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
                 "external_ref": r["ref"], "chair_role": r.get("chair_role")} for r in recs]
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
        from engine.deadlines.clocks import compute_due, schedule_ladder
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
        from engine.persistence import eventlog
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
            eventlog.seal(self.s, [e["petition_id"] for e in events],
                          last={e["petition_id"]: (1, e["hash"]) for e in events})


