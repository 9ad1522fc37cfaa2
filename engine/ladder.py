"""The reminder ladder: rungs at fixed working-day offsets from a clock's due date, fired
at 07:30 local on working days, then weekly while overdue."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from engine.calendar import WorkingCalendar
from engine.params import Ladder, Rung
from engine.timeutil import local_at


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


def rung_by_key(ladder: Ladder, key: str) -> Rung:
    for r in rungs(ladder):
        if r.key == key:
            return r
        if r.offset > 10_000:  # pragma: no cover - keys come from this ladder
            raise KeyError(key)
    raise KeyError(key)  # pragma: no cover


def next_rung(due: date, cal: WorkingCalendar, ladder: Ladder, after: datetime) -> tuple[Rung, datetime]:
    """The first rung that fires strictly after `after`."""
    for r in rungs(ladder):
        at = rung_instant(due, r, cal, ladder)
        if at > after:
            return r, at
    raise AssertionError("unreachable: the weekly rungs never end")  # pragma: no cover


def following_rung(due: date, cal: WorkingCalendar, ladder: Ladder, key: str) -> tuple[Rung, datetime]:
    """The rung after the one named `key`."""
    it = rungs(ladder)
    for r in it:
        if r.key == key:
            nxt = next(it)
            return nxt, rung_instant(due, nxt, cal, ladder)
    raise KeyError(key)
