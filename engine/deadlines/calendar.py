"""The Vietnamese working-day calendar for civil servants.

Baseline: the `holidays` package (country VN, public sector): Labour Code holidays, Tết
by the Vietnamese lunar calendar, compensatory days off and the swaps it knows.
Overlay: decision files (TOML, one entry per government decision, each with its legal
source) shipped in config/calendar/ and added by operators through
PETITIONS_CALENDAR_FILES. A year that no file confirms is provisional.

Every working day from 2000 to 2100 is precomputed into an ordinal table, so adding N
working days is two array lookups rather than a walk over the days.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from array import array
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

from engine.language.errors import CalendarError, ValidationError
from engine.language.messages import format_date, weekday_name
from engine.deadlines.timeutil import end_of_day

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
_BASE = MIN_DATE.toordinal()
_SPAN = MAX_DATE.toordinal() - _BASE + 1

# What a person reads as the source is the law or the decision, never the Python package the
# baseline comes from (its version is in the calendar fingerprint instead).
WEEKEND_SOURCE = "Tuần làm việc Thứ Hai–Thứ Sáu (Quyết định 188/1999/QĐ-TTg)"
WEEKEND_SOURCE_EN = "Monday–Friday working week (Decision 188/1999/QĐ-TTg)"
SWAP_SOURCE = "Thông báo hoán đổi ngày làm việc của Chính phủ"
SWAP_SOURCE_EN = "Government notice swapping working days"


def baseline_source(year: int) -> tuple[str, str]:
    """The Labour Code article that grants public holidays in `year` (vi, en)."""
    if year >= 2021:
        return "Bộ luật Lao động 2019, Điều 112", "Labour Code 2019, Article 112"
    if year >= 2013:
        return "Bộ luật Lao động 2012, Điều 115", "Labour Code 2012, Article 115"
    return "Bộ luật Lao động 1994 (sửa đổi 2007), Điều 73", "Labour Code 1994 (amended 2007), Article 73"


BASELINE_SOURCE = baseline_source(2021)[0]
_SUBSTITUTED = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")

_SECTIONS = {  # required keys
    "day_off": {"date", "name", "source"},
    "working_day": {"date", "name", "source"},
    "confirmed_year": {"year", "source"},
}
_OPTIONAL = {"day_off": {"name_en"}, "working_day": {"name_en"}, "confirmed_year": set()}


@dataclass(frozen=True)
class Decision:
    date: date
    kind: str  # "day_off" | "working_day"
    name: str
    source: str
    file: str
    entry: str
    name_en: str = ""  # optional `name_en` of the entry; English falls back to `name`


@dataclass(frozen=True)
class DayNote:
    """Why a day is not the ordinary Monday–Friday rule: a day off, or a worked weekend day."""
    date: date
    working: bool
    kind: str  # "weekend" | "holiday" | "decision" | "swap"
    reason: str
    source: str
    file: str | None = None
    reason_en: str = ""
    source_en: str = ""

    def reason_in(self, lang: str = "vi") -> str:
        return (self.reason_en or self.reason) if lang == "en" else self.reason

    def source_in(self, lang: str = "vi") -> str:
        return (self.source_en or self.source) if lang == "en" else self.source

    def to_dict(self) -> dict:
        d = {"date": self.date.isoformat(), "reason": self.reason, "source": self.source, "kind": self.kind,
             "reason_en": self.reason_in("en"), "source_en": self.source_in("en")}
        if self.file:
            d["file"] = self.file
        return d


@dataclass
class Decisions:
    """The overlay read from decision files."""
    by_date: dict[date, Decision] = field(default_factory=dict)
    confirmed: dict[int, tuple[str, str]] = field(default_factory=dict)  # year -> (source, file)
    files: list[str] = field(default_factory=list)


def _entry_label(section: str, index: int, raw: dict) -> str:
    key = raw.get("date", raw.get("year")) if isinstance(raw, dict) else None
    return f"[[{section}]] #{index}" + (f" ({key})" if key is not None else "")


def load_decisions(paths: list[Path]) -> Decisions:
    """Read and validate decision files; any problem names the file and the entry."""
    out = Decisions()
    for path in paths:
        fname = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CalendarError("cal_unreadable", file=fname, error=exc.__class__.__name__ + ": " + str(exc)) from None
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CalendarError("cal_malformed", file=fname, error=str(exc)) from None
        for section, entries in doc.items():
            if section not in _SECTIONS or not isinstance(entries, list):
                raise CalendarError("cal_unknown_section", file=fname, section=section)
            for i, raw in enumerate(entries, start=1):
                label = _entry_label(section, i, raw)
                if not isinstance(raw, dict):
                    raise CalendarError("cal_unknown_section", file=fname, section=section)
                for key in raw:
                    if key not in _SECTIONS[section] and key not in _OPTIONAL[section]:
                        raise CalendarError("cal_unknown_key", file=fname, entry=label, key=key)
                for key in sorted(_SECTIONS[section]):
                    if key not in raw:
                        raise CalendarError("cal_missing_key", file=fname, entry=label, key=key)
                for key in ("name", "source", "name_en"):
                    if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
                        raise CalendarError("cal_bad_text", file=fname, entry=label, key=key)
                if section == "confirmed_year":
                    year = raw["year"]
                    if not isinstance(year, int) or isinstance(year, bool) or not MIN_DATE.year <= year <= MAX_DATE.year:
                        raise CalendarError("cal_bad_year", file=fname, entry=label, value=year)
                    out.confirmed[year] = (raw["source"].strip(), fname)
                    continue
                day = raw["date"]
                if isinstance(day, datetime) or not isinstance(day, date):
                    raise CalendarError("cal_not_a_date", file=fname, entry=label, value=day)
                if not MIN_DATE <= day <= MAX_DATE:
                    raise CalendarError("cal_out_of_range", file=fname, entry=label, date=day.isoformat(),
                                        lo=MIN_DATE.year, hi=MAX_DATE.year)
                other = out.by_date.get(day)
                if other is not None and other.kind != section:
                    raise CalendarError("cal_conflict", date=day.isoformat(), file=fname, entry=label,
                                        other_file=other.file, other_entry=other.entry)
                out.by_date[day] = Decision(day, section, raw["name"].strip(), raw["source"].strip(), fname, label,
                                            raw.get("name_en", "").strip())
        out.files.append(fname)
    return out


@dataclass(frozen=True)
class Explanation:
    """A deadline and the reasons behind it."""
    start: date
    days: int
    working: bool
    due_date: date
    deadline: datetime
    skipped: tuple[DayNote, ...]
    worked_weekend_days: tuple[DayNote, ...]
    files: tuple[str, ...]
    provisional: bool
    provisional_years: tuple[int, ...]
    calendar_version: str

    def to_dict(self) -> dict:
        return {
            "start_date": self.start.isoformat(),
            "days": self.days,
            "working_days": self.working,
            "due_date": self.due_date.isoformat(),
            "deadline": self.deadline.isoformat(),
            "skipped": [n.to_dict() for n in self.skipped],
            "worked_weekend_days": [n.to_dict() for n in self.worked_weekend_days],
            "decision_files": list(self.files),
            "provisional": self.provisional,
            "provisional_years": list(self.provisional_years),
            "calendar_version": self.calendar_version,
        }


class WorkingCalendar:
    def __init__(self, decisions: Decisions | None = None):
        self.decisions = decisions or Decisions()
        self._notes: dict[date, DayNote] = {}
        self._load_baseline()
        for d, dec in self.decisions.by_date.items():
            self._notes[d] = DayNote(d, dec.kind == "working_day", "decision", dec.name, dec.source, dec.file,
                                     reason_en=dec.name_en)
        self._build_table()
        self.version = self._fingerprint()

    # -- construction -------------------------------------------------------------------
    def _load_baseline(self) -> None:
        years = range(MIN_DATE.year, MAX_DATE.year + 1)
        vn = holidays.country_holidays("VN", categories=("public",), years=years, language="vi")
        en = holidays.country_holidays("VN", categories=("public",), years=years, language="en_US")
        for d, name in vn.items():
            m = _SUBSTITUTED.search(name)
            if m:
                worked = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
                self._notes[d] = DayNote(d, False, "swap", name, SWAP_SOURCE,
                                         reason_en=f"Day off (in exchange for working {format_date(worked)})",
                                         source_en=SWAP_SOURCE_EN)
                self._notes[worked] = DayNote(worked, True, "swap", f"Làm bù cho ngày {format_date(d)}", SWAP_SOURCE,
                                              reason_en=f"Make-up working day for {format_date(d)}",
                                              source_en=SWAP_SOURCE_EN)
            else:
                vi_src, en_src = baseline_source(d.year)
                self._notes[d] = DayNote(d, False, "holiday", name, vi_src, reason_en=en.get(d, ""), source_en=en_src)
        # Swapped Saturdays the baseline knows without naming the day off they pay for.
        for worked in getattr(vn, "weekend_workdays", ()):
            if worked not in self._notes and MIN_DATE <= worked <= MAX_DATE:
                self._notes[worked] = DayNote(worked, True, "swap", "Ngày làm bù", SWAP_SOURCE,
                                              reason_en="Make-up working day", source_en=SWAP_SOURCE_EN)

    def _build_table(self) -> None:
        is_work = bytearray(_SPAN)
        cum = array("l", bytes(array("l").itemsize * _SPAN))
        workdays = array("l")
        count = 0
        for i in range(_SPAN):
            d_ord = _BASE + i
            note = self._notes.get(date.fromordinal(d_ord))
            working = note.working if note is not None else (d_ord % 7) not in (6, 0)  # ordinal%7: 0=Sun, 6=Sat
            if working:
                is_work[i] = 1
                count += 1
                workdays.append(d_ord)
            cum[i] = count  # working days on or before this day
        self._is_work, self._cum, self._workdays = is_work, cum, workdays

    def _fingerprint(self) -> str:
        h = hashlib.sha256(f"holidays={holidays.__version__}".encode())
        for d in sorted(self.decisions.by_date):
            dec = self.decisions.by_date[d]
            h.update(f"|{d}:{dec.kind}:{dec.source}".encode())
        for y in sorted(self.decisions.confirmed):
            h.update(f"|c{y}".encode())
        return h.hexdigest()[:12]

    # -- checks -------------------------------------------------------------------------
    @staticmethod
    def _index(d: date) -> int:
        if isinstance(d, datetime):
            raise ValidationError("bad_date", value=d.isoformat())
        if not MIN_DATE <= d <= MAX_DATE:
            raise CalendarError("date_out_of_range", date=d.isoformat(), lo=MIN_DATE.isoformat(), hi=MAX_DATE.isoformat())
        return d.toordinal() - _BASE

    @staticmethod
    def _check_n(n: int) -> None:
        if isinstance(n, bool) or not isinstance(n, int):
            raise ValidationError("bad_int", value=n, field="n")
        if n < 0:
            raise ValidationError("negative_days", n=n)

    def _out_of_range(self) -> CalendarError:
        return CalendarError("result_out_of_range", hi=MAX_DATE.isoformat())

    # -- the API --------------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        return bool(self._is_work[self._index(d)])

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d` (`d` itself not counted, Civil Code art. 147).

        n = 0 gives `d` when it is a working day, else the next working day.
        """
        # Hot path (the scheduler and reports call this in bulk): exact type checks and
        # two array lookups; anything unusual falls through to the checked path.
        if type(d) is date and type(n) is int and n >= 0:
            i = d.toordinal() - _BASE
            if 0 <= i < _SPAN:
                k = self._cum[i] + n - 1
                if n == 0 and not self._is_work[i]:
                    k += 1
                if k < len(self._workdays):
                    return date.fromordinal(self._workdays[k])
                raise self._out_of_range()
        self._index(d)
        self._check_n(n)
        if type(d) is not date:  # a date subclass such as pendulum.Date
            return self.add_working_days(date(d.year, d.month, d.day), n)
        raise self._out_of_range()

    def sub_working_days(self, d: date, n: int) -> date:
        """The n-th working day before `d` (for reminders "3 working days before")."""
        i = self._index(d)
        self._check_n(n)
        k = self._cum[i] - 1 - n if self._is_work[i] else self._cum[i] - n
        if n == 0:
            return self.next_working_day(d)
        if k < 0:
            raise CalendarError("date_out_of_range", date=d.isoformat(), lo=MIN_DATE.isoformat(), hi=MAX_DATE.isoformat())
        return date.fromordinal(self._workdays[k])

    def next_working_day(self, d: date) -> date:
        """`d` if it is a working day, else the first working day after it."""
        return self.add_working_days(d, 0)

    def add_days(self, d: date, n: int) -> date:
        """n calendar days after `d`, rolled forward off a day off (Civil Code art. 148.5)."""
        self._index(d)
        self._check_n(n)
        try:
            end = d + timedelta(days=n)
        except OverflowError:
            raise self._out_of_range() from None
        if end > MAX_DATE:
            raise self._out_of_range()
        return self.next_working_day(end)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        return self._cum[self._index(b)] - self._cum[self._index(a)]

    def note(self, d: date) -> DayNote | None:
        """Why `d` departs from Monday–Friday, or why a weekday is off; None for ordinary days."""
        self._index(d)
        note = self._notes.get(d)
        if note is not None:
            return note
        if d.weekday() >= 5:
            return DayNote(d, False, "weekend", f"Nghỉ cuối tuần ({weekday_name(d)})", WEEKEND_SOURCE,
                           reason_en=f"Weekend ({weekday_name(d, 'en')})", source_en=WEEKEND_SOURCE_EN)
        return None

    def is_provisional_year(self, year: int) -> bool:
        return year not in self.decisions.confirmed

    def provisional_years(self, a: date, b: date) -> tuple[int, ...]:
        lo, hi = min(a, b), max(a, b)
        return tuple(y for y in range(lo.year, hi.year + 1) if self.is_provisional_year(y))

    def explain(self, d: date, n: int, working: bool = True) -> Explanation:
        due = self.add_working_days(d, n) if working else self.add_days(d, n)
        if working:
            first = d if n == 0 else d + timedelta(days=1)
        else:
            first = d + timedelta(days=n)  # only the roll-forward at the end is skipped
        skipped, worked = [], []
        day = first
        while day <= due:
            note = self.note(day)
            if note is not None:
                if not note.working and day < due:
                    skipped.append(note)
                elif note.working and day.weekday() >= 5 and working:
                    worked.append(note)
            day += timedelta(days=1)
        files = {n_.file for n_ in skipped + worked if n_.file}
        years = self.provisional_years(d, due)
        for y in range(d.year, due.year + 1):
            if y in self.decisions.confirmed:
                files.add(self.decisions.confirmed[y][1])
        return Explanation(
            start=d, days=n, working=working, due_date=due, deadline=end_of_day(due),
            skipped=tuple(skipped), worked_weekend_days=tuple(worked), files=tuple(sorted(files)),
            provisional=bool(years), provisional_years=years, calendar_version=self.version,
        )

    def year_notes(self, year: int) -> list[DayNote]:
        """A year's days off that fall on weekdays, holidays on weekends, and worked weekend days."""
        if not MIN_DATE.year <= year <= MAX_DATE.year:
            raise ValidationError("bad_year", value=year, lo=MIN_DATE.year, hi=MAX_DATE.year)
        return sorted((n for d, n in self._notes.items() if d.year == year), key=lambda n: n.date)


def with_decisions(base: Decisions, extra: tuple[Decision, ...]) -> Decisions:
    """The files' decisions plus those entered in the browser (issue 18): one calendar from
    both. A date the files already decide the same way keeps the file's entry; a date they
    decide the other way is a conflict, reported like one between two files."""
    out = Decisions(dict(base.by_date), dict(base.confirmed), list(base.files))
    for dec in extra:
        other = out.by_date.get(dec.date)
        if other is not None and other.kind != dec.kind:
            raise CalendarError("cal_conflict", date=dec.date.isoformat(), file=dec.file, entry=dec.entry,
                                other_file=other.file, other_entry=other.entry)
        if other is None:
            out.by_date[dec.date] = dec
    return out


@lru_cache(maxsize=8)
def _cached_calendar(key: tuple, extra: tuple = ()) -> WorkingCalendar:
    decisions = load_decisions([Path(p) for p, *_ in key])
    return WorkingCalendar(with_decisions(decisions, extra) if extra else decisions)


def _file_key(paths: list[Path]) -> tuple:
    key = []
    for p in paths:
        try:
            st = p.stat()
            key.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            key.append((str(p), None, None))  # load_decisions reports it
    return tuple(key)


def calendar_for(paths: list[Path], extra: tuple[Decision, ...] = ()) -> WorkingCalendar:
    """A calendar for these decision files (and the decisions entered in the browser,
    `extra`); rebuilt when a file or the entered decisions change, so a long-running worker
    does not keep counting with last month's decisions."""
    return _cached_calendar(_file_key(list(paths)), tuple(extra))


def default_calendar(settings=None) -> WorkingCalendar:
    """The calendar of the shipped decisions plus the operator's PETITIONS_CALENDAR_FILES."""
    if settings is None:
        from config import get_settings
        settings = get_settings()
    return calendar_for(settings.calendar_paths)
