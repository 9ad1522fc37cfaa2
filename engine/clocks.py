"""Deadline clocks: start, stop (freezing the verdict), extend, explain, re-project."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import Explanation, WorkingCalendar
from engine.errors import ValidationError
from engine.ladder import next_rung
from engine.models import Clock, ClockJournal, Petition
from engine.params import DeadlineRule, Ladder
from engine.timeutil import end_of_day, local_midnight


def compute_due(cal: WorkingCalendar, trigger_on: date, rule: DeadlineRule) -> date:
    return cal.add_working_days(trigger_on, rule.days) if rule.working else cal.add_days(trigger_on, rule.days)


def schedule_ladder(clock: Clock, cal: WorkingCalendar, ladder: Ladder, after: datetime) -> None:
    rung, at = next_rung(clock.due_date, cal, ladder, after)
    clock.next_rung, clock.next_rung_at = rung.key, at


def start_clock(petition: Petition, name: str, trigger_on: date, trigger_at: datetime | None,
                rule: DeadlineRule, cal: WorkingCalendar, ladder: Ladder) -> Clock:
    due = compute_due(cal, trigger_on, rule)
    clock = Clock(
        name=name, rule_days=rule.days, working=rule.working, rule_source=rule.source,
        trigger_on=trigger_on, trigger_at=trigger_at, due_date=due, deadline_at=end_of_day(due),
        original_due_date=due, status="running", provisional=bool(cal.provisional_years(trigger_on, due)),
        calendar_version=cal.version, version=1,
    )
    # Rungs on the trigger day itself still count (a 1-day clock gets its T0 rung).
    schedule_ladder(clock, cal, ladder, local_midnight(trigger_on) - timedelta(seconds=1))
    petition.clocks.append(clock)
    return clock


def stop_clock(clock: Clock, at: datetime, on: date, action: str) -> None:
    """Freeze the verdict: met when the act's local date is on or before the due date."""
    clock.status = "met" if on <= clock.due_date else "late"
    clock.stopped_at, clock.stopped_on, clock.stopped_by_action = at, on, action
    clock.next_rung = clock.next_rung_at = None


def extend_clock(session: Session, clock: Clock, cal: WorkingCalendar, ladder: Ladder, at: datetime,
                 days: int | None = None, until: date | None = None, reason: str = "") -> tuple[date, date]:
    old = clock.due_date
    if days is not None:
        if days <= 0:
            raise ValidationError("extend_days_positive", field="days", n=days)
        new = cal.add_working_days(old, days)
    else:
        new = cal.next_working_day(until)
        if new <= old:
            raise ValidationError("extend_not_later", field="until", until=until.strftime("%d/%m/%Y"),
                                  due=old.strftime("%d/%m/%Y"))
    clock.due_date = clock.extended_due_date = new
    clock.deadline_at = end_of_day(new)
    clock.extensions += 1
    clock.version += 1  # new rungs of the new due date are legitimate, old ones are not resent
    clock.provisional = bool(cal.provisional_years(clock.trigger_on, new))
    schedule_ladder(clock, cal, ladder, at)
    session.add(ClockJournal(clock_id=clock.id, old_due=old, new_due=new, cause="extension", detail=reason,
                             calendar_version=cal.version, at=at))
    return old, new


def explain_clock(clock: Clock, cal: WorkingCalendar) -> Explanation:
    """Why the original due date is what it is (extensions are listed separately)."""
    return cal.explain(clock.trigger_on, clock.rule_days, working=clock.working)


def reproject(session: Session, cal: WorkingCalendar, ladder: Ladder, at: datetime) -> list[ClockJournal]:
    """After calendar data changes, move the due dates of running clocks that were counted
    with another calendar, and journal every move. An extension decided as a date by a
    leader is kept as decided."""
    moves = []
    stale = session.scalars(select(Clock).where(Clock.status == "running", Clock.calendar_version != cal.version))
    for clock in stale:
        new_original = (cal.add_working_days(clock.trigger_on, clock.rule_days) if clock.working
                        else cal.add_days(clock.trigger_on, clock.rule_days))
        old_due = clock.due_date
        clock.original_due_date = new_original
        if clock.extended_due_date is None:
            clock.due_date = new_original
            clock.deadline_at = end_of_day(new_original)
        clock.provisional = bool(cal.provisional_years(clock.trigger_on, clock.due_date))
        old_version = clock.calendar_version
        clock.calendar_version = cal.version
        if clock.due_date != old_due:
            clock.version += 1
            schedule_ladder(clock, cal, ladder, at)
            j = ClockJournal(clock_id=clock.id, old_due=old_due, new_due=clock.due_date, cause="calendar_change",
                             detail=f"calendar {old_version} → {cal.version}", calendar_version=cal.version, at=at)
            session.add(j)
            moves.append(j)
    return moves
