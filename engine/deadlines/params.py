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
    # issue 17: a clock's rule may depend on the case (complex, remote area, second instance…)
    variant: str | None = None


@dataclass(frozen=True)
class ResumeRule:
    """What resuming a suspended clock does: `continue` counts the days left from the
    resumption, `restart` counts the whole period again from the continuation decision."""
    clock: str
    mode: str
    source: str
    effective_from: date


@dataclass(frozen=True)
class ExtensionCap:
    """How many extensions a clock may take and how long each may be (in the clock's own
    unit, working or calendar days); a variant (complex, especially_complex) may differ."""
    clock: str
    max_count: int
    max_days: int | None
    source: str
    effective_from: date
    variant: str | None = None


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
    resume_rules: tuple[ResumeRule, ...] = ()
    caps: tuple[ExtensionCap, ...] = ()

    def resume_rule(self, clock: str, on: date) -> ResumeRule:
        """The rule in force on the resumption date; a clock without one continues."""
        found = [r for r in self.resume_rules if r.clock == clock and r.effective_from <= on]
        if not found:
            return ResumeRule(clock, "continue", "", on)
        return max(found, key=lambda r: r.effective_from)

    def cap_for(self, clock: str, on: date, variant: str | None = None) -> ExtensionCap | None:
        """The extension cap in force on `on`: the variant's if it has one, else the plain
        one, else None (no cap: Regulation 11's extensions are a leader's decision)."""
        for v in ((variant, None) if variant is not None else (None,)):
            found = [c for c in self.caps if c.clock == clock and c.variant == v and c.effective_from <= on]
            if found:
                return max(found, key=lambda c: c.effective_from)
        return None

    def rule_for(self, clock: str, on: date, unit_chain: list[str] | None = None,
                 variant: str | None = None) -> DeadlineRule:
        """The rule in force on `on` for a unit: the nearest unit (itself, then its
        ancestors) with an override wins; otherwise the national rule. A clock with
        variants takes the rule of its variant, else the plain one."""
        for code in unit_chain or []:
            found = [r for r in self.overrides if r.unit == code and r.clock == clock and r.effective_from <= on
                     and r.variant == variant]
            if found:
                return max(found, key=lambda r: r.effective_from)
        if variant is not None and not any(r.clock == clock and r.variant == variant for r in self.deadlines):
            variant = None
        found = [r for r in self.deadlines if r.clock == clock and r.effective_from <= on and r.variant == variant]
        if not found:  # an event before the regulation: use the earliest rule rather than fail
            found = [r for r in self.deadlines if r.clock == clock and r.variant == variant]
            return min(found, key=lambda r: r.effective_from)
        return max(found, key=lambda r: r.effective_from)


def _rule(raw: dict) -> DeadlineRule:
    return DeadlineRule(raw["clock"], int(raw["days"]), bool(raw.get("working", True)), raw["source"],
                        raw["effective_from"], raw.get("unit"), raw.get("variant"))


def parse_params(doc: dict) -> Params:
    lad = doc["ladder"]
    hh, mm = (int(x) for x in lad.get("fire_at", "07:30").split(":"))
    ladder = Ladder(
        fire_at=time(hh, mm),
        rungs=tuple(Rung(r["key"], int(r["offset"]), tuple(r.get("to", ()))) for r in lad["rungs"]),
        weekly_after=int(lad.get("weekly_after", 5)),
    )
    resume = tuple(ResumeRule(r["clock"], r["mode"], r["source"], r["effective_from"])
                   for r in doc.get("resume", ()))
    for r in resume:
        if r.mode not in ("continue", "restart"):
            raise ValueError(f"workflow.toml: resume mode {r.mode!r} of {r.clock} is not continue/restart")
    caps = tuple(ExtensionCap(c["clock"], int(c["max_count"]), None if c.get("max_days") is None else int(c["max_days"]),
                              c["source"], c["effective_from"], c.get("variant")) for c in doc.get("extension_cap", ()))
    return Params(tuple(_rule(r) for r in doc.get("deadline", ())),
                  tuple(_rule(r) for r in doc.get("override", ())), ladder, resume, caps)


@lru_cache(maxsize=4)
def load_params(path: Path = PARAMS_FILE) -> Params:
    return parse_params(tomllib.loads(Path(path).read_text(encoding="utf-8")))
