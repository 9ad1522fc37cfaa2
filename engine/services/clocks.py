"""Clock rows: start one for a petition, extend, suspend, resume or re-rule it (journaled).
Re-projection after calendar data changes is set-based: `engine.services.reprojection`. The
date arithmetic is the pure rules in `engine.deadlines.clocks`."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.deadlines.calendar import WorkingCalendar
from engine.deadlines.clocks import compute_due, extended_due, resumed_due, schedule_ladder
from engine.deadlines.params import DeadlineRule, Ladder
from engine.deadlines.timeutil import end_of_day, local_midnight
from engine.persistence.models import Clock, ClockJournal, ClockSuspension, Petition


def start_clock(petition: Petition, name: str, trigger_on: date, trigger_at: datetime | None,
                rule: DeadlineRule, cal: WorkingCalendar, ladder: Ladder) -> Clock:
    due = compute_due(cal, trigger_on, rule)
    clock = Clock(variant=rule.variant,
        name=name, rule_days=rule.days, working=rule.working, rule_source=rule.source,
        trigger_on=trigger_on, trigger_at=trigger_at, due_date=due, deadline_at=end_of_day(due),
        original_due_date=due, status="running", provisional=bool(cal.provisional_years(trigger_on, due)),
        calendar_version=cal.version, version=1,
    )
    # Rungs on the trigger day itself still count (a 1-day clock gets its T0 rung).
    schedule_ladder(clock, cal, ladder, local_midnight(trigger_on) - timedelta(seconds=1))
    petition.clocks.append(clock)
    return clock


def extend_clock(session: Session, clock: Clock, cal: WorkingCalendar, ladder: Ladder, at: datetime,
                 days: int | None = None, until: date | None = None, reason: str = "") -> tuple[date, date]:
    old = clock.due_date
    new = extended_due(cal, old, days, until, working=clock.working)
    clock.due_date = clock.extended_due_date = new
    clock.deadline_at = end_of_day(new)
    clock.extensions += 1
    clock.version += 1  # new rungs of the new due date are legitimate, old ones are not resent
    clock.provisional = bool(cal.provisional_years(clock.trigger_on, new))
    schedule_ladder(clock, cal, ladder, at)
    session.add(ClockJournal(clock_id=clock.id, old_due=old, new_due=new, cause="extension", detail=reason,
                             calendar_version=cal.version, at=at))
    return old, new


def suspend_clock(session: Session, clock: Clock, on: date, at: datetime, reason: str, document: str,
                  mode: str) -> ClockSuspension:
    """Pause a running clock from `on` and open its ledger entry; no reminders while paused."""
    clock.status = "paused"
    clock.next_rung = clock.next_rung_at = None
    entry = ClockSuspension(clock_id=clock.id, reason=reason, document=document, from_on=on, mode=mode,
                            due_before=clock.due_date, at=at)
    session.add(entry)
    return entry


def resume_clock(session: Session, clock: Clock, entry: ClockSuspension, on: date, at: datetime, document: str,
                 mode: str, source: str, cal: WorkingCalendar, ladder: Ladder) -> tuple[date, date]:
    """Resume a paused clock on `on`: continue with the days left or restart the period (the
    parameters' rule in force that day), close the ledger entry and journal the move."""
    old = clock.due_date
    end = None
    if not clock.working and clock.extensions == 0:
        # the unrolled last day: the period plus the suspensions it already continued after
        earlier = session.scalars(select(ClockSuspension).where(ClockSuspension.clock_id == clock.id,
                                                                ClockSuspension.id != entry.id,
                                                                ClockSuspension.mode == "continue"))
        end = clock.trigger_on + timedelta(days=clock.rule_days + sum((e.to_on - e.from_on).days for e in earlier))
    new = resumed_due(cal, mode, old, entry.from_on, on, clock.rule_days, clock.working, end)
    if mode == "restart":  # the period counts again from the continuation decision
        clock.trigger_on = on
        clock.original_due_date = new
        clock.extended_due_date = None
    else:
        clock.extended_due_date = new if clock.extended_due_date is not None else None
        if clock.extended_due_date is None:
            clock.original_due_date = new
    clock.due_date, clock.deadline_at = new, end_of_day(new)
    clock.status = "running"
    clock.version += 1
    clock.provisional = bool(cal.provisional_years(clock.trigger_on, new))
    schedule_ladder(clock, cal, ladder, at)
    entry.to_on, entry.resume_document, entry.mode, entry.due_after = on, document, mode, new
    session.add(ClockJournal(clock_id=clock.id, old_due=old, new_due=new, cause=f"resume_{mode}",
                             detail=source, calendar_version=cal.version, at=at))
    return old, new


def rerule_clock(session: Session, clock: Clock, rule: DeadlineRule, cal: WorkingCalendar, ladder: Ladder,
                 at: datetime) -> tuple[date, date] | None:
    """A running clock whose rule variant changed (the case was classified as a
    denunciation, as complex…): recount it from its trigger with the new rule, journaled."""
    if clock.status != "running" or (clock.variant == rule.variant and clock.rule_days == rule.days
                                     and clock.working == rule.working):
        return None
    old = clock.due_date
    new = compute_due(cal, clock.trigger_on, rule)
    clock.variant, clock.rule_days, clock.working, clock.rule_source = rule.variant, rule.days, rule.working, rule.source
    clock.original_due_date = new
    if clock.extended_due_date is None:
        clock.due_date, clock.deadline_at = new, end_of_day(new)
    clock.version += 1
    clock.provisional = bool(cal.provisional_years(clock.trigger_on, clock.due_date))
    schedule_ladder(clock, cal, ladder, at)
    session.add(ClockJournal(clock_id=clock.id, old_due=old, new_due=clock.due_date, cause="reclassified",
                             detail=rule.source, calendar_version=cal.version, at=at))
    return old, clock.due_date
