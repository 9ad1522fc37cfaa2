"""Per-unit deadline parameters entered in the browser (issue 18), layered over the
parameters of config/workflow.toml (`engine.deadlines.params`) without changing them: they
become `[[override]]` rules, so `Params.rule_for` picks the nearest unit's rule in force on
the day a clock starts, as it does for overrides written in the file.

A clock keeps the rule it started with (its days and source are stored on the clock): a new
parameter applies to clocks that start on or after its effective date, never to running
ones, because the due date of a running clock is what the office and the citizen were told.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from engine.deadlines.params import DeadlineRule, Params
from engine.language.messages import format_date


@dataclass(frozen=True)
class UnitRule:
    unit_code: str
    unit_name: str
    clock: str
    days: int
    working: bool
    effective_from: date
    source_no: str
    source_on: date
    source_title: str = ""

    def source(self) -> str:
        """What an explanation cites: the unit's document, the figure and the date it applies from."""
        doc = f"{self.source_title} số {self.source_no}" if self.source_title else f"Văn bản số {self.source_no}"
        kind = "ngày làm việc" if self.working else "ngày"
        return (f"{doc} ngày {format_date(self.source_on)} ({self.unit_name}): {self.days} {kind}, "
                f"áp dụng từ {format_date(self.effective_from)}")

    def rule(self) -> DeadlineRule:
        return DeadlineRule(self.clock, self.days, self.working, self.source(), self.effective_from, self.unit_code)


def layered(params: Params, rules: tuple[UnitRule, ...]) -> Params:
    """The file's parameters with the units' own added as overrides."""
    if not rules:
        return params
    return replace(params, overrides=params.overrides + tuple(r.rule() for r in rules))


def national_rule(params: Params, clock: str, on: date) -> DeadlineRule:
    """The general rule (no unit override) in force on `on`: the most a unit may set."""
    return params.rule_for(clock, on, None)


def clocks_of(params: Params) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.clock for r in params.deadlines))
