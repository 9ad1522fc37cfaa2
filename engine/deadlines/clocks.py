"""Clock rules: when a clock falls due, when its next reminder rung fires, what an
extension or new calendar data makes of its due date, and the verdict when it stops.

Pure: these functions read and set the attributes of a clock (any object with
`due_date`, `trigger_on`, `rule_days`, `working`, …) and never touch the database; the
rows themselves are started, extended and journaled by `engine.services.clocks`.
"""
from __future__ import annotations

from datetime import date, datetime

from engine.deadlines.calendar import Explanation, WorkingCalendar
from engine.deadlines.ladder import next_rung
from engine.deadlines.params import DeadlineRule, Ladder
from engine.language.errors import ValidationError


def compute_due(cal: WorkingCalendar, trigger_on: date, rule: DeadlineRule) -> date:
    return due_after(cal, trigger_on, rule.days, rule.working)


def due_after(cal: WorkingCalendar, trigger_on: date, days: int, working: bool) -> date:
    """The day a period of `days` (working or calendar days) from `trigger_on` ends."""
    return cal.add_working_days(trigger_on, days) if working else cal.add_days(trigger_on, days)


def schedule_ladder(clock, cal: WorkingCalendar, ladder: Ladder, after: datetime) -> None:
    rung, at = next_rung(clock.due_date, cal, ladder, after)
    clock.next_rung, clock.next_rung_at = rung.key, at


def stop_clock(clock, at: datetime, on: date, action: str) -> None:
    """Freeze the verdict: met when the act's local date is on or before the due date."""
    clock.status = "met" if on <= clock.due_date else "late"
    clock.stopped_at, clock.stopped_on, clock.stopped_by_action = at, on, action
    clock.next_rung = clock.next_rung_at = None


def extended_due(cal: WorkingCalendar, old: date, days: int | None = None, until: date | None = None,
                 working: bool = True) -> date:
    """The due date after an extension by `days` (working days, or calendar days for a
    calendar-day clock, rolled forward off a day off) or to the date `until` (moved to a
    working day); an extension must move the date later."""
    if days is not None:
        if days <= 0:
            raise ValidationError("extend_days_positive", field="days", n=days)
        return cal.add_working_days(old, days) if working else cal.add_days(old, days)
    new = cal.next_working_day(until)
    if new <= old:
        raise ValidationError("extend_not_later", field="until", until=until.strftime("%d/%m/%Y"),
                              due=old.strftime("%d/%m/%Y"))
    return new


def explain_clock(clock, cal: WorkingCalendar) -> Explanation:
    """Why the original due date is what it is (extensions are listed separately)."""
    return cal.explain(clock.trigger_on, clock.rule_days, working=clock.working)


def extension_length(cal: WorkingCalendar, old: date, new: date, working: bool) -> int:
    """How long an extension from `old` to `new` is, in the clock's own unit."""
    return cal.working_days_between(old, new) if working else (new - old).days


def resumed_due(cal: WorkingCalendar, mode: str, due: date, since: date, resumed_on: date,
                days: int, working: bool, end: date | None = None) -> date:
    """The due date after a suspension from `since` to `resumed_on`.

    `restart` (Nghị định 155/2026/NĐ-CP for complaints): the whole period counts again from
    the continuation decision. `continue`: the days left on the suspension date are counted
    from the resumption — working days for a working-day clock (so weekends and holidays in
    the suspension change nothing), calendar days otherwise (rolled forward off a day off,
    Civil Code art. 148.5; `end` is the period's last day before that roll)."""
    if resumed_on < since:
        raise ValidationError("resume_before_suspend", field="on", date=resumed_on.strftime("%d/%m/%Y"),
                              since=since.strftime("%d/%m/%Y"))
    if mode == "restart":
        return due_after(cal, resumed_on, days, working)
    if working:
        return cal.add_working_days(resumed_on, max(cal.working_days_between(since, due), 0))
    # a calendar period's days left run to its last day before any roll-forward (`end`),
    # not to the working day it was rolled to: the roll is applied again at the new end
    return cal.add_days(resumed_on, max(((end or due) - since).days, 0))
