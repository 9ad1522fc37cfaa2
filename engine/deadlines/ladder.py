"""The reminder ladder: rungs at fixed working-day offsets from a clock's due date, fired
at 07:30 local on working days, then weekly while overdue."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from engine.deadlines.calendar import WorkingCalendar
from engine.deadlines.params import Ladder, Rung
from engine.deadlines.timeutil import local_at


def rungs(ladder: Ladder) -> Iterator[Rung]:
    """The fixed rungs, then a rung every `weekly_after` working days for as long as asked."""
    yield from ladder.rungs
    last = ladder.rungs[-1]
    offset = last.offset
    while True:
        offset += ladder.weekly_after
        yield Rung(f"T+{offset}", offset, last.to)


def rung_date(due: date, offset: int, cal: WorkingCalendar) -> date:
    if offset < 0:
        return cal.sub_working_days(due, -offset)
    return cal.add_working_days(due, offset)


def rung_instant(due: date, rung: Rung, cal: WorkingCalendar, ladder: Ladder) -> datetime:
    return local_at(rung_date(due, rung.offset, cal), ladder.fire_at)


def rungs_from(ladder: Ladder, key: str) -> Iterator[Rung]:
    """The rung named `key`, then every rung after it (one pass over the ladder)."""
    it = rungs(ladder)
    for r in it:
        if r.key == key:
            yield r
            yield from it
            return
        if r.offset > 100_000:  # keys come from this ladder; a stranger would never match
            raise KeyError(key)


def next_rung(due: date, cal: WorkingCalendar, ladder: Ladder, after: datetime) -> tuple[Rung, datetime]:
    """The first rung that fires strictly after `after`."""
    for r in rungs(ladder):
        at = rung_instant(due, r, cal, ladder)
        if at > after:
            return r, at
    raise AssertionError("unreachable: the weekly rungs never end")  # pragma: no cover

