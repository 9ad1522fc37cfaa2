"""Reminders about the reception and dialogue obligations (issue 14), through the outbox.

Once per working morning (the first tick at or after `fire_at` local on a working day), in one
transaction that first claims the day with a marker row in the outbox
(`obligations:YYYY-MM-DD`, insert-or-ignore: of two beats, one does the work, the other
finds the marker and does nothing; a tick that finds it skips without further queries):

1. **Unscheduled** — from the N-th working day of the month (`schedule_by_working_day`), a
   unit whose planned and held sessions of the month fall short of the month's minimum
   (monthly: fewer than the minimum; weekly: a week due in the month with none) is told:
   its clerks and leaders. Key: `oblig:<unit>:<obligation>:<YYYY-MM>:unscheduled:user:<id>:<channel>`.
2. **Unrecorded** — a planned session whose date has passed, still neither held nor
   cancelled, is reminded to the unit's clerks on the next working morning (and not again:
   the key carries the session and its date). Older than `unrecorded_lookback_days`: left to
   the compliance report. Key: `session:<id>:<date>:unrecorded:user:<id>:<channel>`.
3. **Short** — once every month, week and year of the previous month has ended, a unit that
   held fewer than the minimum is reported to the auditors of the level above. Key:
   `oblig:<unit>:<obligation>:<YYYY-MM>:short:user:<id>:<channel>`.

Every key is unique in the outbox, so a day checked twice (two beats, a retried
transaction, a restart) writes each reminder once. E-mails of these reminders are sent at
once even to digest readers: they come a few times a month and the digest lists deadlines.
"""
from __future__ import annotations

from collections import defaultdict
from weakref import WeakKeyDictionary
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.deadlines.calendar import WorkingCalendar
from engine.deadlines.obligations import (Bucket, Obligations, nth_working_day_of_month, override_signature, period_label,
                                          unit_buckets)
from engine.deadlines.timeutil import local_datetime
from engine.persistence.db import transaction
from engine.persistence.models import OrgUnit, ReceptionSession, User
from engine.persistence.outbox import insert_ignore

KINDS = ("obligation_unscheduled", "obligation_short", "session_unrecorded")
# days this process has seen claimed, per database: an idle tick asks the database nothing
_done: "WeakKeyDictionary[Engine, set[str]]" = WeakKeyDictionary()


def _prev_month(d: date) -> date:
    first = d.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def _month_end(d: date) -> date:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def _units(session: Session) -> list[tuple]:
    rows = session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.parent_id,
                                  OrgUnit.valid_from, OrgUnit.valid_to)).all()
    by_id = {r.id: r for r in rows}
    out = []
    for r in rows:
        chain, seen, u = [], set(), r
        while u is not None and u.id not in seen:
            chain.append(u.code)
            seen.add(u.id)
            u = by_id.get(u.parent_id)
        out.append((r, chain))
    return out


def _buckets_by_unit(session: Session, obs: Obligations, cal: WorkingCalendar, a: date, b: date,
                     month: str) -> list[tuple]:
    """[(unit row, key, [Bucket of `month`])] for every unit with obligations due in `month`."""
    cache: dict = {}
    out = []
    for u, chain in _units(session):
        lo = max(a, u.valid_from) if u.valid_from else a
        hi = min(b, u.valid_to) if u.valid_to else b
        if lo > hi:
            continue
        sig = (u.level, override_signature(obs, chain), lo, hi)
        if sig not in cache:
            cache[sig] = unit_buckets(obs, u.level, chain, lo, hi, cal)
        for key, bs in cache[sig].items():
            mine = [x for x in bs if x.month == month]
            if mine:
                out.append((u, key, mine))
    return out


def _counts(session: Session, obs: Obligations, lo: date, hi: date, statuses: tuple[str, ...]) -> dict:
    """(unit_id, chair_role, kind) -> [(day, n)] of sessions with one of `statuses` in [lo, hi]."""
    pairs = {(r.chair_role, k) for r in obs.rules for k in r.kinds}
    S = ReceptionSession
    out: dict = defaultdict(list)
    for r in session.execute(select(S.unit_id, S.chair_role, S.kind, S.held_on, func.count())
                             .where(S.held_on >= lo, S.held_on <= hi, S.status.in_(statuses),
                                    S.chair_role.in_(sorted({p[0] for p in pairs})),
                                    S.kind.in_(sorted({p[1] for p in pairs})))
                             .group_by(S.unit_id, S.chair_role, S.kind, S.held_on)):
        out[(r[0], r[1], r[2])].append((r[3], r[4]))
    return out


def _deficit(counts: dict, unit_id: int, bs: list[Bucket]) -> tuple[int, int, int, list[str]]:
    """(required, counted, missing, labels of the buckets short)."""
    ob = bs[0].obligation
    days = [x for k in ob.kinds for x in counts.get((unit_id, ob.chair_role, k), ())]
    required = counted = missing = 0
    short = []
    for b in bs:
        got = sum(n for d, n in days if b.start <= d <= b.end)
        required += b.minimum
        counted += min(got, b.minimum)
        if got < b.minimum:
            missing += b.minimum - got
            short.append(b.label)
    return required, min(counted, required), missing, short


class _People:
    def __init__(self, session: Session):
        self.session, self.cache = session, {}

    def __call__(self, unit_id: int, *roles: str) -> list[User]:
        out, seen = [], set()
        for role in roles:
            key = (unit_id, role)
            if key not in self.cache:
                self.cache[key] = list(self.session.scalars(
                    select(User).where(User.unit_id == unit_id, User.role == role, User.active.is_(True))
                    .order_by(User.id)))
            for u in self.cache[key]:
                if u.id not in seen:
                    seen.add(u.id)
                    out.append(u)
        return out


def _rows(base: str, kind: str, users: list[User], context) -> list[dict]:
    rows = []
    for user in users:
        ctx = dict(context(user), recipient_name=user.full_name or user.username)
        common = dict(kind=kind, recipient_user_id=user.id, lang=user.lang, context=ctx)
        rows.append(dict(common, key=f"{base}:user:{user.id}:inbox", channel="inbox"))
        if user.email:
            rows.append(dict(common, key=f"{base}:user:{user.id}:email", channel="email", to_email=user.email))
    return rows


def due_today(now: datetime, obs: Obligations, cal: WorkingCalendar) -> date | None:
    """The local date whose check is due at `now`, or None (a day off, or before `fire_at`)."""
    local = local_datetime(now)
    today = local.date()
    if today < obs.reminders.start or not cal.is_working_day(today) or local.time() < obs.reminders.fire_at:
        return None
    return today


def run(engine: Engine, now: datetime, obs: Obligations, cal: WorkingCalendar,
        public_url: str = "http://127.0.0.1:5000") -> tuple[bool, list[int]]:
    """The day's obligation reminders, in one transaction: (whether this call did the day's
    check, the outbox ids it created). Cheap when there is nothing to do: a day off, before
    `fire_at` or the day already seen claimed by this process → no query at all; claimed by
    another process → one insert-or-ignore."""
    today = due_today(now, obs, cal)
    if today is None or today.isoformat() in _done.get(engine, ()):
        return False, []
    with transaction(engine) as s:
        did, ids = check(s, today, obs, cal, public_url)
    _done.setdefault(engine, set()).add(today.isoformat())
    return did, ids


def check(session: Session, today: date, obs: Obligations, cal: WorkingCalendar,
          public_url: str = "http://127.0.0.1:5000") -> tuple[bool, list[int]]:
    """The checks of `today`, claimed by its marker row (see the module's docstring)."""
    day = today.isoformat()
    marker = insert_ignore(session, [dict(key=f"obligations:{day}", kind="obligations_check", channel="none",
                                          status="skipped", context={"day": day})])
    if not marker:
        return False, []
    url = public_url.rstrip("/")
    people = _People(session)
    rows: list[dict] = []
    month = today.strftime("%Y-%m")
    first, last = today.replace(day=1), _month_end(today)

    # 1. the month's minimum not scheduled by the N-th working day
    if today >= nth_working_day_of_month(today.year, today.month, obs.reminders.schedule_by_working_day, cal):
        due = _buckets_by_unit(session, obs, cal, first, last, month)
        if due:
            lo = min(b.start for _, _, bs in due for b in bs)
            hi = max(b.end for _, _, bs in due for b in bs)
            counts = _counts(session, obs, lo, hi, ("planned", "held"))
            for u, key, bs in due:
                if bs[0].obligation.per == "year":
                    continue  # a year's dialogues are not a month's schedule
                required, scheduled, missing, short = _deficit(counts, u.id, bs)
                if not missing:
                    continue
                ob = bs[-1].obligation

                def ctx(user, u=u, ob=ob, required=required, scheduled=scheduled, missing=missing, short=short):
                    lang = user.lang
                    return {"unit_name": u.name, "unit": u.code, "month": month, "obligation": ob.label_in(lang),
                            "source": ob.source_in(lang), "per": ob.per, "minimum": ob.minimum,
                            "required": required, "scheduled": scheduled, "missing": missing,
                            "periods": [period_label(x, lang) for x in short],
                            "url": f"{url}/reports/compliance?unit={u.code}&from={first.isoformat()}&to={last.isoformat()}"}
                rows += _rows(f"oblig:{u.id}:{key}:{month}:unscheduled", "obligation_unscheduled",
                              people(u.id, "clerk", "leader"), ctx)

    # 2. planned sessions that passed unrecorded: the next working morning
    S = ReceptionSession
    lookback = max(today - timedelta(days=obs.reminders.unrecorded_lookback_days), obs.reminders.start)
    for s in session.scalars(select(S).where(S.status == "planned", S.held_on < today, S.held_on >= lookback)
                             .order_by(S.held_on, S.id)):
        if cal.next_working_day(s.held_on) > today:
            continue

        def ctx(user, s=s):
            return {"unit_name": s.unit.name, "unit": s.unit.code, "session_id": s.id, "kind": s.kind,
                    "held_on": s.held_on.isoformat(), "place": s.place or "", "chair": s.chair or "",
                    "url": f"{url}/sessions/{s.id}"}
        rows += _rows(f"session:{s.id}:{s.held_on.isoformat()}:unrecorded", "session_unrecorded",
                      people(s.unit_id, "clerk"), ctx)

    # 3. the previous month's shortfall, once all of its months/weeks/years have ended
    prev = _prev_month(today)
    pmonth = prev.strftime("%Y-%m")
    due = _buckets_by_unit(session, obs, cal, date(prev.year, 1, 1) if prev.month == 12 else prev, _month_end(prev),
                           pmonth)
    if prev >= obs.reminders.start.replace(day=1) and due and max(b.end for _, _, bs in due for b in bs) < today:
        lo = min(b.start for _, _, bs in due for b in bs)
        hi = max(b.end for _, _, bs in due for b in bs)
        counts = _counts(session, obs, lo, hi, ("held",))
        for u, key, bs in due:
            if u.parent_id is None:
                continue
            required, held, missing, short = _deficit(counts, u.id, bs)
            if not missing:
                continue
            ob = bs[-1].obligation

            def ctx(user, u=u, ob=ob, required=required, held=held, missing=missing, short=short):
                lang = user.lang
                return {"unit_name": u.name, "unit": u.code, "month": pmonth, "obligation": ob.label_in(lang),
                        "source": ob.source_in(lang), "per": ob.per, "minimum": ob.minimum, "required": required,
                        "held": held, "missing": missing, "periods": [period_label(x, lang) for x in short],
                        "url": f"{url}/reports/compliance?unit={u.code}&from={bs[0].start.isoformat()}"
                               f"&to={bs[-1].end.isoformat()}"}
            rows += _rows(f"oblig:{u.id}:{key}:{pmonth}:short", "obligation_short", people(u.parent_id, "auditor"), ctx)
    return True, insert_ignore(session, rows)

