"""Obligations as data (issue 14): how many reception days and dialogues a unit's chair must
hold, read from `config/obligations.toml` (each rule with its legal source and the date from
which it applies; a unit may override a rule for its subtree), and the pure counting rules:
which months, weeks and years of a period are due, and what a period's shortfall is.

How a period counts (also in config/obligations.toml and docs/obligations.md):

* per = "month" | "year": the minimum of a calendar month (year) is due in full whatever its
  holidays (the regulation says "2 days a month", not "2 days per 20 working days"). A report
  counts the months (years) whose **last day** lies in its period, so a Q1 report carries no
  yearly dialogue obligation and a custom range 1–15 March carries no March obligation.
* per = "week": a week runs Monday–Sunday; it is due only if it has **at least one working
  day**, and it belongs to the month of its **first working day**. A week across two months
  therefore counts once (months add up to quarters), and a week with no working day (the
  Tết week of 16–22/02/2026) is not due. A report counts the weeks whose first working day
  lies in its period. A session held on any day of the week (even across the month's
  boundary) counts for that week.
* The rule in force for a month, week or year is the newest one effective on its last day.
* Shortfall counts only months, weeks and years that have ended (before `as_of`); one whose
  minimum is not yet reached but still running is not short. Shortfall of a period is the sum
  over its months/weeks/years of max(0, minimum − held), not (required − held): four sessions
  in January do not make up for none in February.

Pure: the standard library, `config` and `engine.deadlines.calendar` only.
"""
from __future__ import annotations

import calendar as _cal
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from functools import lru_cache
from pathlib import Path

from config.settings import CONFIG_DIR
from engine.deadlines.calendar import WorkingCalendar

OBLIGATIONS_FILE = CONFIG_DIR / "obligations.toml"
PERIODS = ("week", "month", "year")


@dataclass(frozen=True)
class Obligation:
    key: str
    chair_role: str
    kinds: tuple[str, ...]
    levels: tuple[str, ...]
    per: str
    minimum: int
    source: str
    source_en: str
    effective_from: date
    effective_to: date | None = None
    unit: str | None = None          # set on an override: the root of the subtree
    label: str = ""
    label_en: str = ""

    def label_in(self, lang: str = "vi") -> str:
        return (self.label_en if lang == "en" and self.label_en else self.label) or self.key

    def source_in(self, lang: str = "vi") -> str:
        return self.source_en if lang == "en" and self.source_en else self.source

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True)
class Bucket:
    """One month, week or year an obligation is due in."""
    obligation: Obligation
    label: str          # "2026-02", "2026-W06" (Monday's ISO week), "2026"
    start: date
    end: date           # sessions dated start..end count for it
    anchor: date        # the day that places it in a period (month/year: last day; week: first working day)
    month: str          # "YYYY-MM" the bucket belongs to (for a year: its December)

    @property
    def minimum(self) -> int:
        return self.obligation.minimum


@dataclass(frozen=True)
class ReminderSettings:
    schedule_by_working_day: int = 5
    fire_at: time = time(7, 30)
    unrecorded_lookback_days: int = 31
    start: date = date(2000, 1, 1)      # reminders concern months from this date on


@dataclass(frozen=True)
class Obligations:
    rules: tuple[Obligation, ...]
    overrides: tuple[Obligation, ...]
    reminders: ReminderSettings

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.key for r in self.rules))

    def rule(self, key: str) -> Obligation:
        for r in self.rules:
            if r.key == key:
                return r
        raise KeyError(key)

    def chair_roles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.chair_role for r in self.rules))

    def for_unit(self, level: str, chain: Iterable[str], on: date) -> list[Obligation]:
        """The obligations of a unit of `level` in force on `on`; `chain` is the unit's code
        then its ancestors' (nearest first): the nearest override of a key wins. Rules with a
        minimum of 0 (an exempted subtree) are left out."""
        chain = list(chain)
        out = []
        for key in self.keys:
            found = [r for r in self.rules if r.key == key and level in r.levels and r.in_force(on)]
            if not found:
                continue
            rule = max(found, key=lambda r: r.effective_from)
            for code in chain:
                mine = [o for o in self.overrides if o.unit == code and o.key == key and o.in_force(on)]
                if mine:
                    o = max(mine, key=lambda r: r.effective_from)
                    rule = replace(rule, minimum=o.minimum, per=o.per or rule.per, source=o.source,  # labels stay
                                   source_en=o.source_en, effective_from=o.effective_from, unit=o.unit)
                    break
            if rule.minimum > 0:
                out.append(rule)
        return out


def _month_end(y: int, m: int) -> date:
    return date(y, m, _cal.monthrange(y, m)[1])


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while date(y, m, 1) <= end:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def first_working_day_of_week(monday: date, cal: WorkingCalendar) -> date | None:
    for i in range(7):
        d = monday + timedelta(days=i)
        if cal.is_working_day(d):
            return d
    return None


def due_weeks(start: date, end: date, cal: WorkingCalendar) -> list[tuple[date, date]]:
    """(Monday, first working day) of every week due in [start, end]: weeks with at least one
    working day whose first working day lies in the range."""
    monday = start - timedelta(days=start.weekday())
    out = []
    while monday <= end:
        first = first_working_day_of_week(monday, cal)
        if first is not None and start <= first <= end:
            out.append((monday, first))
        monday += timedelta(days=7)
    return out


def buckets(rules_for_anchor, per: str, start: date, end: date, cal: WorkingCalendar) -> list[Bucket]:
    """The months, weeks or years of `per` due in [start, end]. `rules_for_anchor(d)` gives the
    obligation in force for a bucket ending on `d` (or None: not due then)."""
    out: list[Bucket] = []
    if per == "month":
        for y, m in _months(start, end):
            last = _month_end(y, m)
            if start <= last <= end:
                ob = rules_for_anchor(last)
                if ob is not None and ob.per == "month":
                    out.append(Bucket(ob, f"{y:04d}-{m:02d}", date(y, m, 1), last, last, f"{y:04d}-{m:02d}"))
    elif per == "week":
        for monday, first in due_weeks(start, end, cal):
            sunday = monday + timedelta(days=6)
            ob = rules_for_anchor(sunday)
            if ob is not None and ob.per == "week":
                iso = monday.isocalendar()
                out.append(Bucket(ob, f"{iso[0]:04d}-W{iso[1]:02d}", monday, sunday, first,
                                  f"{first.year:04d}-{first.month:02d}"))
    elif per == "year":
        for y in range(start.year, end.year + 1):
            last = date(y, 12, 31)
            if start <= last <= end:
                ob = rules_for_anchor(last)
                if ob is not None and ob.per == "year":
                    out.append(Bucket(ob, f"{y:04d}", date(y, 1, 1), last, last, f"{y:04d}-12"))
    else:  # pragma: no cover - parse_obligations refuses it
        raise ValueError(per)
    return out


def unit_buckets(obs: Obligations, level: str, chain: list[str], start: date, end: date,
                 cal: WorkingCalendar) -> dict[str, list[Bucket]]:
    """Every obligation key of the unit → its buckets due in [start, end]."""
    out: dict[str, list[Bucket]] = {}
    for key in obs.keys:
        def rule_on(d, key=key):
            return next((r for r in obs.for_unit(level, chain, d) if r.key == key), None)
        found: list[Bucket] = []
        for per in PERIODS:
            found += buckets(rule_on, per, start, end, cal)
        if found:
            out[key] = sorted(found, key=lambda b: b.start)
    return out


def shortfall(minimum: int, held: int) -> int:
    return max(0, minimum - held)


def period_label(label: str, lang: str = "vi") -> str:
    """A bucket's label as an office writes it: '2026-02' → '02/2026'; '2026-W09' → 'tuần
    23/02–01/03/2026' ('week of …' in English); '2026' → '2026'."""
    if "-W" in label:
        y, w = label.split("-W")
        monday = date.fromisocalendar(int(y), int(w), 1)
        sunday = monday + timedelta(days=6)
        span = f"{monday:%d/%m}–{sunday:%d/%m/%Y}"
        return f"week of {span}" if lang == "en" else f"tuần {span}"
    if "-" in label:
        y, m = label.split("-")
        return f"{m}/{y}"
    return label


def nth_working_day_of_month(year: int, month: int, n: int, cal: WorkingCalendar) -> date:
    d = date(year, month, 1)
    if not cal.is_working_day(d):
        d = cal.next_working_day(d)
    return cal.add_working_days(d, n - 1) if n > 1 else d


# -- reading the file ---------------------------------------------------------------------------------
class ObligationsError(ValueError):
    pass


def _rule(raw: dict, override: bool = False) -> Obligation:
    per = raw.get("per", "" if override else None)
    if per not in PERIODS and not (override and per == ""):
        raise ObligationsError(f"per must be one of {PERIODS}: {raw.get('key')}")
    minimum = int(raw["minimum"])
    if minimum < 0:
        raise ObligationsError(f"minimum must be ≥ 0: {raw.get('key')}")
    return Obligation(key=raw["key"], chair_role=raw.get("chair_role", ""), kinds=tuple(raw.get("kinds", ())),
                      levels=tuple(raw.get("levels", ())), per=per, minimum=minimum, source=raw["source"],
                      source_en=raw.get("source_en", ""), effective_from=raw["effective_from"],
                      effective_to=raw.get("effective_to"), unit=raw.get("unit"), label=raw.get("label", ""),
                      label_en=raw.get("label_en", ""))


def parse_obligations(doc: dict) -> Obligations:
    rem = doc.get("reminders", {})
    hh, mm = (int(x) for x in rem.get("fire_at", "07:30").split(":"))
    reminders = ReminderSettings(int(rem.get("schedule_by_working_day", 5)), time(hh, mm),
                                 int(rem.get("unrecorded_lookback_days", 31)), rem.get("start", date(2000, 1, 1)))
    rules = tuple(_rule(r) for r in doc.get("obligation", ()))
    overrides = tuple(_rule(r, override=True) for r in doc.get("override", ()))
    known = {r.key for r in rules}
    for o in overrides:
        if o.key not in known or not o.unit:
            raise ObligationsError(f"override of an unknown obligation or without a unit: {o.key}")
    return Obligations(rules, overrides, reminders)


@lru_cache(maxsize=4)
def load_obligations(path: Path = OBLIGATIONS_FILE) -> Obligations:
    return parse_obligations(tomllib.loads(Path(path).read_text(encoding="utf-8")))


def override_signature(obs: Obligations, chain: Iterable[str]) -> tuple[str, ...]:
    """The codes of `chain` that carry an override: units with the same level and signature
    have the same obligations (a report over 3,000 communes computes them a handful of times)."""
    units = {o.unit for o in obs.overrides}
    return tuple(c for c in chain if c in units)
