"""Reception sessions and dialogues: planned, published, held or cancelled, and journaled.

Each public function is one use case; the caller owns the transaction (the web's
`unit_of_work`, the CLI's `transaction`), so a refused input changes nothing. `today` is the
local (Vietnam) date the caller decides is today; it defaults to the clock.

`held_on` is the session's date: when it was held (status "held"), or the current planned
date (status "planned" or "cancelled"). "Missed" is never stored: a planned session whose
date has passed (`ReceptionSession.is_missed`, `missed_sessions`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_date, parse_date, utcnow
from engine.language.errors import Forbidden, NotFound, ValidationError
from engine.persistence import eventlog
from engine.persistence.models import (LABEL_LISTS, SESSION_KINDS, ClockJournal, OrgUnit, Petition,
                                       ReceptionSession, SchedulePublication, SessionEvent, SessionLabel, User)
from engine.services.common import MAX_ID, choice, clean, count, text, unit_by_code

DIALOGUE_KINDS = tuple(k for k in SESSION_KINDS if k.startswith("dialogue"))
PLANNABLE_KINDS = ("reception_periodic", "dialogue_periodic", "dialogue_thematic")
WRITERS = ("clerk", "admin")
MAX_SERIES = 400       # dates planned in one go (a year of weekly receptions is 52)
MAX_BODIES = 50
_TIME = re.compile(r"^([01]?\d|2[0-3])[:hH.]([0-5]\d)$")
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


@dataclass
class Outcome:
    """A session and the warnings the user should read (nothing refused)."""
    session: ReceptionSession
    warnings: list[tuple[str, dict]] = field(default_factory=list)


def _today(today) -> date:
    return parse_date(today, "today") if today is not None else local_date(utcnow())


def parse_time(value, field_name: str) -> time | None:
    """`HH:MM` (also 7h30, 7.30) or a time; empty -> None."""
    if value is None or isinstance(value, time):
        return value
    v = clean(str(value))
    if not v:
        return None
    m = _TIME.match(v)
    if not m:
        raise ValidationError("bad_time", field=field_name, value=v)
    return time(int(m.group(1)), int(m.group(2)))


def _hours(starts_at, ends_at) -> tuple[time | None, time | None]:
    s, e = parse_time(starts_at, "starts_at"), parse_time(ends_at, "ends_at")
    if e is not None and s is None:
        raise ValidationError("missing_field", field="starts_at")
    if s is not None and e is not None and e <= s:
        raise ValidationError("ends_before_starts", field="ends_at", starts=s.strftime("%H:%M"), ends=e.strftime("%H:%M"))
    return s, e


def _writer(session: Session, actor, unit: OrgUnit) -> User | None:
    """The acting user (None from the command line, which runs as the operator)."""
    if actor is None:
        return None
    user = actor if isinstance(actor, User) else session.scalar(select(User).where(User.username == clean(str(actor))))
    if user is None:
        raise NotFound("unknown_user", field="by", username=actor)
    if user.role not in WRITERS:
        raise Forbidden("session_role", role=user.role)
    if user.role != "admin" and user.unit_id != unit.id:
        raise Forbidden("session_out_of_scope", username=user.username, unit=unit.code)
    return user


def _journal(session: Session, rs: ReceptionSession, action: str, actor: User | None, reason: str = "",
             **data) -> SessionEvent:
    ev = SessionEvent(session_id=rs.id, action=action, actor_id=actor.id if actor else None, reason=reason,
                      data={k: _plain(v) for k, v in data.items()}, at=utcnow())
    session.add(ev)
    return ev


def _plain(v):
    if isinstance(v, (date, time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


# -- lists the admin extends --------------------------------------------------------------
def labels(session: Session, list_name: str, include_inactive: bool = False) -> list[SessionLabel]:
    q = select(SessionLabel).where(SessionLabel.list == list_name).order_by(SessionLabel.position, SessionLabel.id)
    if not include_inactive:
        q = q.where(SessionLabel.active.is_(True))
    return list(session.scalars(q))


def label_map(session: Session, list_name: str, lang: str = "vi") -> dict[str, str]:
    return {lab.code: (lab.label_en if lang == "en" else lab.label_vi)
            for lab in labels(session, list_name, include_inactive=True)}


def add_label(session: Session, list_name: str, code: str, label_vi: str, label_en: str,
              position: int = 100) -> SessionLabel:
    list_name = choice(list_name, LABEL_LISTS, "list")
    code = text(code, "code")
    if not re.fullmatch(r"[a-z0-9_]{1,32}", code):
        raise ValidationError("bad_label_code", field="code", value=code)
    if session.scalar(select(SessionLabel.id).where(SessionLabel.list == list_name, SessionLabel.code == code)):
        raise ValidationError("duplicate_code", field="code", code=code)
    lab = SessionLabel(list=list_name, code=code, label_vi=text(label_vi, "label_vi", limit=255),
                       label_en=text(label_en, "label_en", limit=255), position=count(position, "position"),
                       active=True)
    session.add(lab)
    session.flush()
    return lab


def _label(session: Session, list_name: str, code, field_name: str, required: bool = False) -> str | None:
    v = clean(code or "") if code is not None else ""
    if not v:
        if required:
            raise ValidationError("missing_field", field=field_name)
        return None
    known = [lab.code for lab in labels(session, list_name)]
    if v not in known:
        raise ValidationError("bad_choice", field=field_name, value=v, choices=", ".join(known))
    return v


def _bodies(session: Session, codes) -> list[str]:
    if codes is None:
        return []
    if isinstance(codes, str):
        codes = [c for c in re.split(r"[,\s]+", codes) if c]
    codes = list(dict.fromkeys(clean(str(c)) for c in codes if clean(str(c))))
    if len(codes) > MAX_BODIES:
        raise ValidationError("count_too_large", field="bodies", max=MAX_BODIES)
    known = [lab.code for lab in labels(session, "body")]
    for c in codes:
        if c not in known:
            raise ValidationError("bad_choice", field="bodies", value=c, choices=", ".join(known))
    return codes


# -- plan ---------------------------------------------------------------------------------
def _check_plan_fields(session: Session, kind: str, chair_role, topic, place) -> tuple[str, str | None, str, str]:
    kind = choice(kind, SESSION_KINDS, "kind")
    role = _label(session, "chair_role", chair_role, "chair_role", required=True)
    topic = text(topic, "topic", required=kind == "dialogue_thematic", limit=2000)
    place = text(place, "place", required=True, limit=255)
    return kind, role, topic, place


def plan_session(session: Session, unit_code: str, kind: str, on, *, starts_at=None, ends_at=None, place: str = "",
                 chair: str = "", chair_role: str | None = None, topic: str = "", note: str = "", actor=None,
                 today=None) -> Outcome:
    """Plan a reception or dialogue. Refused when the date has passed (record it as held
    instead); warned when the chair has another session at the same time."""
    return plan_series(session, unit_code, kind, [on], starts_at=starts_at, ends_at=ends_at, place=place, chair=chair,
                       chair_role=chair_role, topic=topic, note=note, actor=actor, today=today)[0]


def plan_series(session: Session, unit_code: str, kind: str, dates, *, starts_at=None, ends_at=None, place: str = "",
                chair: str = "", chair_role: str | None = None, topic: str = "", note: str = "", actor=None,
                today=None) -> list[Outcome]:
    """Plan the same session on several dates (a month's or a year's receptions): all or none."""
    unit = unit_by_code(session, unit_code)
    user = _writer(session, actor, unit)
    today = _today(today)
    kind, role, topic, place = _check_plan_fields(session, kind, chair_role, topic, place)
    s_at, e_at = _hours(starts_at, ends_at)
    chair = text(chair, "chair", required=True)
    note = text(note, "note", required=False)
    days = sorted({parse_date(d, "planned_on") for d in dates})
    if not days:
        raise ValidationError("missing_field", field="planned_on")
    if len(days) > MAX_SERIES:
        raise ValidationError("count_too_large", field="planned_on", max=MAX_SERIES)
    for d in days:
        if d < today:
            raise ValidationError("planned_in_past", field="planned_on", date=d.strftime("%d/%m/%Y"))
    out = []
    for d in days:
        rs = ReceptionSession(unit_id=unit.id, kind=kind, held_on=d, planned_on=d, status="planned", starts_at=s_at,
                              ends_at=e_at, place=place, chair=chair, chair_role=role, topic=topic, note=note,
                              people=0, groups=0, refused=0, bodies=[], invited="")
        session.add(rs)
        session.flush()
        _journal(session, rs, "planned", user, on=d, starts_at=s_at, ends_at=e_at, place=place, chair=chair,
                 chair_role=role)
        out.append(Outcome(rs, chair_conflicts(session, rs)))
    session.flush()
    return out


def monthly_dates(year: int, days_of_month, months=range(1, 13), cal=None, after: date | None = None) -> list[date]:
    """The dates 'on the d-th of every month' of a year; a day off moves to the next working
    day when a calendar is given (a reception is held on a working day); a day the month lacks
    (31/4) is the month's last day. Dates before `after` are left out."""
    import calendar as _c
    out = set()
    for m in months:
        m = count(m, "month", maximum=12)
        if m < 1:
            raise ValidationError("bad_month", field="month", value=m)
        last = _c.monthrange(year, m)[1]
        for d in days_of_month:
            d = count(d, "days", maximum=31)
            if d < 1:
                raise ValidationError("bad_int", field="days", value=d)
            day = date(year, m, min(d, last))
            if cal is not None and not cal.is_working_day(day):
                day = cal.next_working_day(day)
            if after is None or day >= after:
                out.add(day)
    return sorted(out)


def chair_conflicts(session: Session, rs: ReceptionSession) -> list[tuple[str, dict]]:
    """Warnings: the same chair (by name, case-insensitive) in another live session on the
    same day whose hours overlap (a session without hours takes the whole day)."""
    if not rs.chair:
        return []
    q = (select(ReceptionSession).where(ReceptionSession.id != rs.id, ReceptionSession.held_on == rs.held_on,
                                        ReceptionSession.status != "cancelled",
                                        func.lower(ReceptionSession.chair) == rs.chair.lower()))
    out = []
    for other in session.scalars(q):
        if _overlap(rs, other):
            out.append(("chair_double_booked", {"chair": rs.chair, "date": rs.held_on.strftime("%d/%m/%Y"),
                                                "unit": other.unit.name, "id": other.id,
                                                "hours": _hours_text(other)}))
    return out


def _overlap(a: ReceptionSession, b: ReceptionSession) -> bool:
    if a.starts_at is None or b.starts_at is None:
        return True
    a_end = a.ends_at or time(23, 59)
    b_end = b.ends_at or time(23, 59)
    return a.starts_at < b_end and b.starts_at < a_end


def _hours_text(rs: ReceptionSession) -> str:
    if rs.starts_at is None:
        return "cả ngày / all day"
    return rs.starts_at.strftime("%H:%M") + ("–" + rs.ends_at.strftime("%H:%M") if rs.ends_at else "")


def get_session(session: Session, session_id) -> ReceptionSession:
    rs = session.get(ReceptionSession, count(session_id, "session", maximum=MAX_ID))
    if rs is None:
        raise NotFound("unknown_session", field="session", id=session_id)
    return rs


def _lock(session: Session, rs: ReceptionSession, expect_version) -> None:
    """Optimistic lock: UPDATE … WHERE version = seen (the version the form showed, or the one
    read in this transaction), so two clerks acting at once cannot both win."""
    seen = rs.version if expect_version is None else count(expect_version, "version", maximum=MAX_ID)
    done = session.execute(update(ReceptionSession).where(ReceptionSession.id == rs.id,
                                                          ReceptionSession.version == seen)
                           .values(version=seen + 1).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise ValidationError("session_changed", field="version", id=rs.id)
    rs.version = seen + 1


def reschedule(session: Session, session_id, on, *, reason: str, starts_at=..., ends_at=..., place=None, actor=None,
               today=None, expect_version=None, now: datetime | None = None, ctx=None) -> Outcome:
    """Move a planned session (a reason is required); journaled and republished."""
    rs = get_session(session, session_id)
    user = _writer(session, actor, rs.unit)
    today = _today(today)
    if rs.status != "planned":
        raise ValidationError("session_not_planned", field="session", id=rs.id, status=rs.status)
    reason = text(reason, "reason")
    new_on = parse_date(on, "planned_on")
    if new_on < today:
        raise ValidationError("planned_in_past", field="planned_on", date=new_on.strftime("%d/%m/%Y"))
    s_at, e_at = _hours(rs.starts_at if starts_at is ... else starts_at, rs.ends_at if ends_at is ... else ends_at)
    new_place = rs.place if place is None or not clean(str(place)) else text(place, "place", limit=255)
    before = {"on": rs.held_on, "starts_at": rs.starts_at, "ends_at": rs.ends_at, "place": rs.place}
    after = {"on": new_on, "starts_at": s_at, "ends_at": e_at, "place": new_place}
    if before == after:
        raise ValidationError("session_no_change", field="planned_on", id=rs.id)
    old_period = _periods(rs)
    _lock(session, rs, expect_version)
    rs.held_on, rs.starts_at, rs.ends_at, rs.place = new_on, s_at, e_at, new_place
    session.flush()
    _journal(session, rs, "rescheduled", user, reason,
             **{k: [before[k], after[k]] for k in before if before[k] != after[k]})
    if before["on"] != new_on:
        rebase_clocks(session, rs, before["on"], ctx, now, user)
    _republish(session, rs, old_period | _periods(rs), user, reason, now)
    return Outcome(rs, chair_conflicts(session, rs))


def cancel(session: Session, session_id, *, reason: str, actor=None, expect_version=None,
           now: datetime | None = None) -> ReceptionSession:
    rs = get_session(session, session_id)
    user = _writer(session, actor, rs.unit)
    if rs.status != "planned":
        raise ValidationError("session_not_planned", field="session", id=rs.id, status=rs.status)
    reason = text(reason, "reason")
    _lock(session, rs, expect_version)
    rs.status = "cancelled"
    session.flush()
    _journal(session, rs, "cancelled", user, reason, on=rs.held_on)
    _republish(session, rs, _periods(rs), user, reason, now)
    return rs


def record_held(session: Session, session_id, *, held_on=None, people=0, groups=0, refused=0, bodies=None,
                invited: str = "", note: str | None = None, chair: str | None = None, actor=None, today=None,
                expect_version=None, ctx=None, now: datetime | None = None) -> Outcome:
    """Record a planned session as held (it keeps its plan: planned_on). A date in the future
    is refused; a missed session may be recorded late with its real date."""
    rs = get_session(session, session_id)
    user = _writer(session, actor, rs.unit)
    today = _today(today)
    if rs.status != "planned":
        raise ValidationError("session_not_planned", field="session", id=rs.id, status=rs.status)
    day = parse_date(held_on, "held_on") if held_on not in (None, "") else rs.held_on
    if day > today:
        raise ValidationError("date_in_future", field="held_on", date=day.strftime("%d/%m/%Y"))
    vals = dict(people=count(people, "people"), groups=count(groups, "groups"), refused=count(refused, "refused"),
                bodies=_bodies(session, bodies), invited=text(invited, "invited", required=False, limit=4000))
    if note is not None:
        vals["note"] = text(note, "note", required=False)
    if chair is not None and clean(chair):
        vals["chair"] = text(chair, "chair")
    _lock(session, rs, expect_version)
    moved = day != rs.held_on
    old = rs.held_on
    for k, v in vals.items():
        setattr(rs, k, v)
    rs.held_on, rs.status = day, "held"
    session.flush()
    _journal(session, rs, "held", user, on=day, **({"moved": [old, day]} if moved else {}),
             people=vals["people"], bodies=vals["bodies"])
    if moved:
        rebase_clocks(session, rs, old, ctx, now, user)
    return Outcome(rs, chair_conflicts(session, rs))


def add_session(session: Session, unit_code: str, kind: str, held_on, people=0, groups=0, refused=0,
                chair: str = "", note: str = "", external_ref: str | None = None, *, chair_role: str | None = None,
                place: str = "", topic: str = "", starts_at=None, ends_at=None, bodies=None, invited: str = "",
                actor=None, today=None) -> ReceptionSession:
    """Record a session that was held without a plan (or from before planning existed).
    A date in the future is refused: it has not been held yet (plan it instead)."""
    unit = unit_by_code(session, unit_code)
    user = _writer(session, actor, unit)
    day = parse_date(held_on, "held_on")
    if day > _today(today):
        raise ValidationError("date_in_future", field="held_on", date=day.strftime("%d/%m/%Y"))
    s_at, e_at = _hours(starts_at, ends_at)
    s = ReceptionSession(unit_id=unit.id, kind=choice(kind, SESSION_KINDS, "kind"), held_on=day, status="held",
                         people=count(people, "people"), groups=count(groups, "groups"), refused=count(refused, "refused"),
                         chair=text(chair, "chair", required=False), note=text(note, "note", required=False),
                         external_ref=text(external_ref, "ref", required=False) or None,
                         chair_role=_label(session, "chair_role", chair_role, "chair_role"),
                         place=text(place, "place", required=False, limit=255),
                         topic=text(topic, "topic", required=False, limit=2000), starts_at=s_at, ends_at=e_at,
                         bodies=_bodies(session, bodies), invited=text(invited, "invited", required=False, limit=4000))
    session.add(s)
    session.flush()
    _journal(session, s, "recorded", user, on=day, people=s.people)
    return s


def rebase_clocks(session: Session, rs: ReceptionSession, old_on: date, ctx=None, now: datetime | None = None,
                  actor: User | None = None) -> int:
    """Opinions collected before a dialogue are linked to it and their clocks run from the
    session's date (the conclusion notice follows the meeting). When that date moves, the
    running clocks that started on the old date and were never extended start on the new one:
    each move is an event in the petition's log ("session_moved") and in the clock journal."""
    from engine.deadlines.clocks import due_after, schedule_ladder
    from engine.deadlines.timeutil import end_of_day, local_midnight
    from engine.services.petitions import Context, _snapshot
    ctx = ctx or Context(now=now)
    at = now or ctx.instant()
    petitions = session.scalars(select(Petition).where(Petition.session_id == rs.id).order_by(Petition.id)).all()
    moved = 0
    for p in petitions:
        clocks = [c for c in p.clocks if c.status == "running" and c.trigger_on == old_on and c.extensions == 0]
        if not clocks:
            continue
        before = _snapshot(p)
        for clock in clocks:
            old_due = clock.due_date
            new_due = due_after(ctx.cal, rs.held_on, clock.rule_days, clock.working)
            clock.trigger_on, clock.trigger_at = rs.held_on, local_midnight(rs.held_on)
            clock.due_date = clock.original_due_date = new_due
            clock.deadline_at = end_of_day(new_due)
            clock.provisional = bool(ctx.cal.provisional_years(rs.held_on, new_due))
            clock.version += 1
            schedule_ladder(clock, ctx.cal, ctx.params.ladder, at)
            session.add(ClockJournal(clock_id=clock.id, old_due=old_due, new_due=new_due, cause="session_moved",
                                     detail=f"session {rs.id}: {old_on.isoformat()} → {rs.held_on.isoformat()}",
                                     calendar_version=ctx.cal.version, at=at))
        session.flush()
        eventlog.append(session, p, "session_moved", actor.id if actor else None,
                        actor.username if actor else "system", at, rs.held_on, before, _snapshot(p),
                        {"session": rs.id, "from": old_on.isoformat(), "to": rs.held_on.isoformat()})
        moved += 1
    session.flush()
    return moved


# -- publish ------------------------------------------------------------------------------
def parse_period(value) -> tuple[str, date, date]:
    """'2026-03' (a month) or '2026' (a year) -> (period, first day, last day)."""
    import calendar as _c
    v = clean(str(value or ""))
    m = _PERIOD.match(v)
    if not m or not (2000 <= int(m.group(1)) <= 2100) or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        raise ValidationError("bad_schedule_period", field="period", value=v)
    y = int(m.group(1))
    if m.group(2):
        mo = int(m.group(2))
        return f"{y:04d}-{mo:02d}", date(y, mo, 1), date(y, mo, _c.monthrange(y, mo)[1])
    return f"{y:04d}", date(y, 1, 1), date(y, 12, 31)


def _periods(rs: ReceptionSession) -> set[str]:
    return {f"{rs.held_on.year:04d}-{rs.held_on.month:02d}", f"{rs.held_on.year:04d}"}


def _line(rs: ReceptionSession) -> dict:
    """One line of a published schedule: nothing personal (the chair is named in office)."""
    return {"id": rs.id, "kind": rs.kind, "on": rs.held_on.isoformat(),
            "starts_at": rs.starts_at.strftime("%H:%M") if rs.starts_at else None,
            "ends_at": rs.ends_at.strftime("%H:%M") if rs.ends_at else None, "place": rs.place,
            "chair": rs.chair, "chair_role": rs.chair_role, "topic": rs.topic, "status": rs.status}


def _schedule_rows(session: Session, unit_id: int, start: date, end: date) -> list[ReceptionSession]:
    return list(session.scalars(
        select(ReceptionSession).where(ReceptionSession.unit_id == unit_id, ReceptionSession.planned_on.is_not(None),
                                       ReceptionSession.held_on >= start, ReceptionSession.held_on <= end)
        .order_by(ReceptionSession.held_on, ReceptionSession.starts_at, ReceptionSession.id)))


def publish_schedule(session: Session, unit_code: str, period, *, actor=None, reason: str = "",
                     now: datetime | None = None) -> SchedulePublication:
    """'Publish the schedule for month M (or year Y)': records what went out and when; the
    sessions become visible on the public page and in the iCalendar feed."""
    unit = unit_by_code(session, unit_code)
    user = _writer(session, actor, unit)
    period, start, end = parse_period(period)
    rows = _schedule_rows(session, unit.id, start, end)
    if not any(r.status == "planned" for r in rows):
        raise ValidationError("nothing_to_publish", field="period", period=period)
    return _publish(session, unit, period, rows, user, text(reason, "reason", required=False), now or utcnow())


def _publish(session, unit, period, rows, user, reason, now) -> SchedulePublication:
    last = session.scalar(select(func.max(SchedulePublication.revision))
                          .where(SchedulePublication.unit_id == unit.id, SchedulePublication.period == period)) or 0
    pub = SchedulePublication(unit_id=unit.id, period=period, revision=last + 1, published_at=now,
                              actor_id=user.id if user else None, reason=reason,
                              sessions=[_line(r) for r in rows])
    session.add(pub)
    for r in rows:
        if r.status != "held":
            r.published_at = now
    session.flush()
    for r in rows:
        if r.status != "held":
            _journal(session, r, "published", user, reason, period=period, revision=pub.revision)
    return pub


def _republish(session, rs: ReceptionSession, periods: set[str], user, reason: str, now) -> None:
    """A change to a session whose period was published publishes that period again."""
    for period in sorted(periods):
        if session.scalar(select(SchedulePublication.id).where(SchedulePublication.unit_id == rs.unit_id,
                                                               SchedulePublication.period == period).limit(1)):
            _, start, end = parse_period(period)
            _publish(session, rs.unit, period, _schedule_rows(session, rs.unit_id, start, end), user, reason,
                     now or utcnow())


def latest_publication(session: Session, unit_code: str, period) -> SchedulePublication | None:
    """What went out last as the schedule of `period` (for the schedule notice document)."""
    unit = unit_by_code(session, unit_code)
    period, _, _ = parse_period(period)
    return session.scalar(select(SchedulePublication).where(SchedulePublication.unit_id == unit.id,
                                                            SchedulePublication.period == period)
                          .order_by(SchedulePublication.revision.desc()).limit(1))


def dialogue_items(session: Session, session_id) -> list[Petition]:
    """The items of a session (for a dialogue: the opinions collected beforehand and those
    raised there), for the summary of opinions and the conclusion notice."""
    rs = get_session(session, session_id)
    return list(session.scalars(select(Petition).where(Petition.session_id == rs.id).order_by(Petition.id)))


def publications(session: Session, unit_id: int, limit: int = 50) -> list[SchedulePublication]:
    return list(session.scalars(select(SchedulePublication).where(SchedulePublication.unit_id == unit_id)
                                .order_by(SchedulePublication.published_at.desc(), SchedulePublication.id.desc())
                                .limit(limit)))


def public_schedule(session: Session, unit_code: str, today=None, weeks: int = 8) -> tuple[OrgUnit, list[ReceptionSession]]:
    """What a citizen may read: the published sessions of the coming weeks (cancelled ones
    stay listed, marked, so nobody comes for nothing; held ones stay, so a subscribed calendar
    keeps them)."""
    from datetime import timedelta
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == clean(unit_code or "")[:32]))
    if unit is None or unit.level == "department":
        raise NotFound("unknown_unit", field="unit", code=unit_code)
    today = _today(today)
    rows = list(session.scalars(
        select(ReceptionSession).where(ReceptionSession.unit_id == unit.id,
                                       ReceptionSession.published_at.is_not(None),
                                       ReceptionSession.held_on >= today,
                                       ReceptionSession.held_on <= today + timedelta(weeks=weeks))
        .order_by(ReceptionSession.held_on, ReceptionSession.starts_at, ReceptionSession.id).limit(500)))
    return unit, rows


# -- follow up ----------------------------------------------------------------------------
def missed_sessions(session: Session, unit_ids, today=None, limit: int = 200) -> list[ReceptionSession]:
    """Planned sessions whose date has passed without being recorded as held (or cancelled)."""
    q = (select(ReceptionSession).where(ReceptionSession.status == "planned", ReceptionSession.held_on < _today(today))
         .order_by(ReceptionSession.held_on, ReceptionSession.id).limit(limit))
    if unit_ids is not None:
        q = q.where(ReceptionSession.unit_id.in_(list(unit_ids)))
    return list(session.scalars(q))


def upcoming_sessions(session: Session, unit_ids, today=None, limit: int = 200) -> list[ReceptionSession]:
    q = (select(ReceptionSession).where(ReceptionSession.status == "planned", ReceptionSession.held_on >= _today(today))
         .order_by(ReceptionSession.held_on, ReceptionSession.starts_at, ReceptionSession.id).limit(limit))
    if unit_ids is not None:
        q = q.where(ReceptionSession.unit_id.in_(list(unit_ids)))
    return list(session.scalars(q))


def journal(session: Session, session_id: int) -> list[SessionEvent]:
    return list(session.scalars(select(SessionEvent).where(SessionEvent.session_id == session_id)
                                .order_by(SessionEvent.at, SessionEvent.id)))


def session_to_dict(s: ReceptionSession) -> dict:
    return {"id": s.id, "unit": s.unit.code, "kind": s.kind, "status": s.status, "held_on": s.held_on.isoformat(),
            "planned_on": s.planned_on.isoformat() if s.planned_on else None,
            "starts_at": s.starts_at.strftime("%H:%M") if s.starts_at else None,
            "ends_at": s.ends_at.strftime("%H:%M") if s.ends_at else None, "place": s.place,
            "chair": s.chair, "chair_role": s.chair_role, "topic": s.topic, "bodies": s.bodies or [],
            "people": s.people, "groups": s.groups, "refused": s.refused}
