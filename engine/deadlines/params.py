"""Workflow parameters (config/workflow.toml): deadlines with their legal source and
effective date, per-unit overrides, and the reminder ladder."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from pathlib import Path

from config.settings import CONFIG_DIR

PARAMS_FILE = CONFIG_DIR / "workflow.toml"


@dataclass(frozen=True)
class DeadlineRule:
    clock: str
    days: int
    working: bool
    source: str
    effective_from: date
    unit: str | None = None


@dataclass(frozen=True)
class Rung:
    key: str
    offset: int            # working days relative to the due date
    to: tuple[str, ...]    # extra recipients: unit_leaders, parent_auditors


@dataclass(frozen=True)
class Ladder:
    fire_at: time
    rungs: tuple[Rung, ...]
    weekly_after: int


@dataclass(frozen=True)
class Params:
    deadlines: tuple[DeadlineRule, ...]
    overrides: tuple[DeadlineRule, ...]
    ladder: Ladder

    def rule_for(self, clock: str, on: date, unit_chain: list[str] | None = None) -> DeadlineRule:
        """The rule in force on `on` for a unit: the nearest unit (itself, then its
        ancestors) with an override wins; otherwise the national rule."""
        for code in unit_chain or []:
            found = [r for r in self.overrides if r.unit == code and r.clock == clock and r.effective_from <= on]
            if found:
                return max(found, key=lambda r: r.effective_from)
        found = [r for r in self.deadlines if r.clock == clock and r.effective_from <= on]
        if not found:  # an event before the regulation: use the earliest rule rather than fail
            found = [r for r in self.deadlines if r.clock == clock]
            return min(found, key=lambda r: r.effective_from)
        return max(found, key=lambda r: r.effective_from)


def _rule(raw: dict) -> DeadlineRule:
    return DeadlineRule(raw["clock"], int(raw["days"]), bool(raw.get("working", True)), raw["source"],
                        raw["effective_from"], raw.get("unit"))


def parse_params(doc: dict) -> Params:
    lad = doc["ladder"]
    hh, mm = (int(x) for x in lad.get("fire_at", "07:30").split(":"))
    ladder = Ladder(
        fire_at=time(hh, mm),
        rungs=tuple(Rung(r["key"], int(r["offset"]), tuple(r.get("to", ()))) for r in lad["rungs"]),
        weekly_after=int(lad.get("weekly_after", 5)),
    )
    return Params(tuple(_rule(r) for r in doc.get("deadline", ())),
                  tuple(_rule(r) for r in doc.get("override", ())), ladder)


@lru_cache(maxsize=4)
def load_params(path: Path = PARAMS_FILE) -> Params:
    return parse_params(tomllib.loads(Path(path).read_text(encoding="utf-8")))
