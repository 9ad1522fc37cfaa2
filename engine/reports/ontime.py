"""On-time metrics for the two statutory clocks (conclusion notice, written resolution).

Which clocks a period holds: those *started* in it (``trigger_on`` in [from, to]). The
start date never moves, so a clock never leaves or joins a past period.

What each clock counts as, judged **as of** a date (by default the period's last day, or
today while the period is still running):

* ``met_on_time`` / ``met_late`` — the clock stopped on or before the as-of date; its
  verdict was frozen when it stopped (``Clock.status``) and is read back as is;
* ``open_overdue`` — not stopped by the as-of date and its due date (as it stood on that
  date, extensions included) is before it;
* ``open_on_track`` — not stopped by the as-of date and not yet due;
* ``answered_at_meeting`` — a conclusion clock stopped because the opinion was answered at
  the meeting itself (action ``answer_at_meeting``) by the as-of date: no notice was needed,
  so it is reported apart and is neither judged nor in the durations (issue 16: 14 notices
  issued had become "95.7 % on time" because 1,976 answers at the meeting counted as met);
* ``extended`` — an overlapping count: an extension had been granted by the as-of date.

The due date "as it stood" is read from the clock journal (every move of a due date is
journaled), so an extension or a calendar re-projection recorded after the as-of date does
not change a past report: the same period gives the same numbers tomorrow. Cancelled
clocks are left out.

On-time rate = met on time ÷ (met on time + met late + open overdue): a backlog cannot hide
behind a good record on the cases that were closed. Each rate carries a 95 % Wilson score
interval; ranking by its lower bound keeps a department with 3 cases from outranking one
with 300 on luck.

Median and 90th percentile are of working days from the clock's start to its stop
(``WorkingCalendar.working_days_between``), for clocks stopped by the as-of date. The
database returns grouped (start day, stop day, figure, count) rows — bounded by days ×
durations, not by petitions — and the working-day arithmetic uses the real calendar
(swapped Saturdays included), which SQL's percentile_cont over calendar days could not.

Everything is aggregated with GROUP BY in the database (one query per report); Python only
sees grouped rows. Grouping by department or unit uses the petition's *current*
assignment (a petition concluded later gains a department); the totals and the month and
category groups do not move.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from engine.deadlines.calendar import WorkingCalendar, default_calendar
from engine.language.errors import ValidationError
from engine.persistence.models import Clock, ClockJournal, OrgUnit, Petition
from engine.persistence.scope import subtree_ids
from engine.reports.asof import tune_for_report
from engine.services.common import unit_by_code
from engine.deadlines.timeutil import end_of_day, local_date, parse_date, utcnow

CLOCKS = ("conclusion", "resolution")
BUCKETS = ("met_on_time", "met_late", "open_overdue", "open_on_track", "answered_at_meeting")
ANSWERED_AT_MEETING = "answer_at_meeting"  # the action that stops a conclusion clock with no notice needed
FIGURES = BUCKETS + ("extended",)
GROUPINGS = (None, "unit", "department", "category", "month")
Z95 = 1.959963984540054

CLOCK_LABELS = {"conclusion": ("Thông báo kết luận", "Conclusion notice"),
                "resolution": ("Trả lời bằng văn bản", "Written resolution")}
FIGURE_LABELS = {
    "met_on_time": ("Đúng hạn", "Met on time"),
    "met_late": ("Trễ hạn", "Met late"),
    "open_overdue": ("Đang quá hạn", "Open, overdue"),
    "open_on_track": ("Đang trong hạn", "Open, on track"),
    "answered_at_meeting": ("Trả lời tại buổi tiếp (không cần thông báo)", "Answered at the meeting (no notice needed)"),
    "extended": ("Được gia hạn", "Extended"),
    "rate": ("Tỷ lệ đúng hạn", "On-time rate"),
    "ci": ("Khoảng tin cậy 95%", "95% interval"),
    "median_days": ("Trung vị (ngày làm việc)", "Median (working days)"),
    "p90_days": ("Phân vị 90 (ngày làm việc)", "90th percentile (working days)"),
}
CATEGORY_LABELS = {
    "land": ("Đất đai", "Land"), "compensation": ("Bồi thường", "Compensation"),
    "resettlement": ("Tái định cư", "Resettlement"), "social_policy": ("Chính sách xã hội", "Social policy"),
    "infrastructure": ("Hạ tầng", "Infrastructure"), "party_building": ("Xây dựng Đảng", "Party building"),
    "cadre_degradation": ("Suy thoái, tự diễn biến, tự chuyển hóa", "Cadre degradation"), "other": ("Khác", "Other"),
}
NO_DEPARTMENT = "-"


# -- statistics ---------------------------------------------------------------------------
def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """95 % Wilson score interval of a proportion; None when there is nothing to judge."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"bad proportion {successes}/{n}")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return lo, hi


def weighted_percentile(pairs: list[tuple[float, int]], q: float) -> float | None:
    """The q-quantile (0..1) of values given with counts, interpolated like numpy's default
    (and PostgreSQL's percentile_cont)."""
    pairs = sorted((v, c) for v, c in pairs if c > 0)
    n = sum(c for _, c in pairs)
    if n == 0:
        return None
    pos = q * (n - 1)
    lo_i, frac = int(math.floor(pos)), pos - math.floor(pos)

    def at(i: int) -> float:
        seen = 0
        for v, c in pairs:
            seen += c
            if i < seen:
                return v
        return pairs[-1][0]

    lo = at(lo_i)
    return float(lo if frac == 0 else lo + (at(lo_i + 1) - lo) * frac)


# -- results ----------------------------------------------------------------------------------
@dataclass
class OntimeRow:
    clock: str
    key: str | None = None          # group value: unit/department code, category, 'YYYY-MM'; None = all
    label: str = ""
    met_on_time: int = 0
    met_late: int = 0
    open_overdue: int = 0
    open_on_track: int = 0
    answered_at_meeting: int = 0    # stopped at the meeting: not judged (see the module's docstring)
    extended: int = 0
    median_days: float | None = None
    p90_days: float | None = None

    @property
    def judged(self) -> int:
        return self.met_on_time + self.met_late + self.open_overdue

    @property
    def total(self) -> int:
        return self.judged + self.open_on_track + self.answered_at_meeting

    @property
    def rate(self) -> float | None:
        return self.met_on_time / self.judged if self.judged else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.met_on_time, self.judged)

    @property
    def rank_key(self) -> float:
        """Sort by this (descending) to rank fairly: the Wilson lower bound."""
        ci = self.interval
        return ci[0] if ci else -1.0

    def to_dict(self) -> dict:
        d = asdict(self)
        ci = self.interval
        d.update(judged=self.judged, total=self.total, rate=self.rate,
                 ci_low=ci[0] if ci else None, ci_high=ci[1] if ci else None)
        return d


@dataclass
class OntimeReport:
    unit: str
    unit_name: str
    date_from: date
    date_to: date
    as_of: date
    by: str | None
    rows: list[OntimeRow] = field(default_factory=list)     # per group and clock (empty when by is None)
    totals: list[OntimeRow] = field(default_factory=list)   # one per clock, whole unit subtree

    def row(self, clock: str, key: str | None = None) -> OntimeRow | None:
        source = self.totals if key is None else self.rows
        return next((r for r in source if r.clock == clock and r.key == key), None)

    def to_dict(self) -> dict:
        return {"unit": self.unit, "unit_name": self.unit_name, "from": self.date_from.isoformat(),
                "to": self.date_to.isoformat(), "as_of": self.as_of.isoformat(), "by": self.by,
                "definition": "rate = met_on_time / (met_on_time + met_late + open_overdue); 95% Wilson interval",
                "totals": [r.to_dict() for r in self.totals], "rows": [r.to_dict() for r in self.rows]}


# -- the query ---------------------------------------------------------------------------------
@dataclass
class _Scope:
    unit: OrgUnit
    ids: set[int] | None          # None: the whole tree (no filter needed)
    start: date
    end: date
    as_of: date
    clock: str | None


def _scope(session: Session, unit_code: str, date_from, date_to, as_of=None, today: date | None = None,
           clock: str | None = None) -> _Scope:
    unit = unit_by_code(session, unit_code)
    start, end = parse_date(date_from, "from"), parse_date(date_to, "to")
    if start > end:
        raise ValidationError("bad_period", field="from", start=start.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y"))
    if clock is not None and clock not in CLOCKS:
        raise ValidationError("bad_choice", field="clock", value=clock, choices=", ".join(CLOCKS))
    today = today or local_date(utcnow())
    as_of_d = parse_date(as_of, "as_of") if as_of is not None else min(end, today)
    ids = subtree_ids(session, unit.id)
    total_units = session.scalar(select(func.count()).select_from(OrgUnit))
    return _Scope(unit, None if len(ids) >= total_units else ids, start, end, as_of_d, clock)


def _due_as_of(as_of: date):
    """The clock's due date as it stood at the end of `as_of` (journal-aware)."""
    cutoff = end_of_day(as_of)
    j = ClockJournal
    last_before = (select(j.new_due).where(j.clock_id == Clock.id, j.at <= cutoff)
                   .order_by(j.at.desc(), j.id.desc()).limit(1).scalar_subquery())
    first_ever = (select(j.old_due).where(j.clock_id == Clock.id).order_by(j.at, j.id).limit(1).scalar_subquery())
    # version > 1 only when the due date has moved: the journal is probed only for those.
    return case((Clock.version > 1, func.coalesce(last_before, first_ever, Clock.due_date)), else_=Clock.due_date)


def _extended_as_of(as_of: date):
    cutoff = end_of_day(as_of)
    j = ClockJournal
    granted = exists().where(j.clock_id == Clock.id, j.cause == "extension", j.at <= cutoff)
    return case((and_(Clock.extensions > 0, granted), 1), else_=0)


def _answered_at_meeting():
    return func.coalesce(Clock.stopped_by_action, "") == ANSWERED_AT_MEETING


def _bucket(as_of: date):
    stopped = and_(Clock.stopped_on.is_not(None), Clock.stopped_on <= as_of)
    return case((and_(stopped, _answered_at_meeting()), literal("answered_at_meeting")),
                (and_(stopped, Clock.status == "met"), literal("met_on_time")),
                (and_(stopped, Clock.status == "late"), literal("met_late")),
                (_due_as_of(as_of) < as_of, literal("open_overdue")),
                else_=literal("open_on_track"))


def _where(sc: _Scope, join: bool = True) -> list:
    cond = [Clock.status != "cancelled", Clock.trigger_on >= sc.start, Clock.trigger_on <= min(sc.end, sc.as_of)]
    if join:
        cond.append(Clock.petition_id == Petition.id)
        if sc.ids is not None:
            cond.append(Petition.unit_id.in_(sorted(sc.ids)))
    if sc.clock:
        cond.append(Clock.name == sc.clock)
    else:  # Regulation 11's two clocks: letters, complaints and denunciations have their own (issue 17)
        cond.append(Clock.name.in_(CLOCKS))
    return cond


_GROUP_COLUMN = {"unit": Petition.unit_id, "department": Petition.department_id, "category": Petition.category}


def _group_cols(by: str | None) -> list:
    if by in (None, "month"):
        return []
    if by in _GROUP_COLUMN:
        return [_GROUP_COLUMN[by]]
    raise ValidationError("bad_choice", field="by", value=by, choices="unit, department, category, month")


def _units_by_id(session: Session) -> dict[int, OrgUnit]:
    return {u.id: u for u in session.scalars(select(OrgUnit))}


def _key_of(by: str | None, value, units: dict[int, OrgUnit], lang: str) -> tuple[str | None, str]:
    if by is None:
        return None, ""
    if by in ("unit", "department"):
        u = units.get(value) if value is not None else None
        return (u.code, u.name) if u else (NO_DEPARTMENT, "(chưa giao)" if lang == "vi" else "(not assigned)")
    if by == "category":
        vi, en = CATEGORY_LABELS.get(value, (value, value))
        return value, (en if lang == "en" else vi)
    y, m = value
    return f"{y:04d}-{m:02d}", f"{m:02d}/{y:04d}"


def _as_date(v):
    return v if (v is None or isinstance(v, date)) else parse_date(str(v)[:10])


def _aggregate(session: Session, sc: _Scope, by: str | None, cal: WorkingCalendar,
               lang: str) -> tuple[list[OntimeRow], list[OntimeRow]]:
    """(totals, rows by group) from ONE grouped query. Its rows are keyed by clock, start
    day, stop day (when stopped by the as-of date), figure and the group column, so their
    number is bounded by days × durations × groups — never by petitions — and both the
    counts and the working-day percentiles come out of it. Month groups are read off the
    start day; the petitions table is joined only when a scope or a group needs it."""
    gcols = _group_cols(by)
    stopped = and_(Clock.stopped_on.is_not(None), Clock.stopped_on <= sc.as_of, Clock.status.in_(("met", "late")),
                   ~_answered_at_meeting())
    cols = [c.label("g") for c in gcols] + [
        Clock.name.label("clock"), Clock.trigger_on.label("trig"), case((stopped, Clock.stopped_on)).label("stop"),
        _bucket(sc.as_of).label("bucket"), _extended_as_of(sc.as_of).label("ext")]
    join = bool(gcols) or sc.ids is not None
    inner = select(*cols).where(*_where(sc, join)).subquery()
    keys = list(inner.c)
    result = session.execute(select(*keys, func.count()).group_by(*keys)).all()

    units = _units_by_id(session) if by in ("unit", "department") else {}
    rows: dict[tuple, OntimeRow] = {}
    totals: dict[str, OntimeRow] = {}
    spans: dict[tuple, dict[int, int]] = {}
    wd_cache: dict[tuple, int] = {}
    labels: dict = {}

    for rec in result:
        if gcols:
            g, clock, trig, stop, bucket, ext, cnt = rec
        else:
            clock, trig, stop, bucket, ext, cnt = rec
            g = None
        trig, stop, cnt = _as_date(trig), _as_date(stop), int(cnt)
        targets = [totals.setdefault(clock, OntimeRow(clock=clock))]
        if by is not None:
            value = (trig.year, trig.month) if by == "month" else g
            if value not in labels:
                labels[value] = _key_of(by, value, units, lang)
            key, label = labels[value]
            r = rows.get((key, clock))
            if r is None:
                r = rows[(key, clock)] = OntimeRow(clock=clock, key=key, label=label)
            targets.append(r)
        wd = None
        if stop is not None:
            wd = wd_cache.get((trig, stop))
            if wd is None:
                wd = wd_cache[(trig, stop)] = cal.working_days_between(trig, stop)
        for r in targets:
            setattr(r, bucket, getattr(r, bucket) + cnt)
            if ext:
                r.extended += cnt
            if wd is not None:
                hist = spans.setdefault((r.key, r.clock, r is targets[0]), {})
                hist[wd] = hist.get(wd, 0) + cnt
    for (key, clock, is_total), hist in spans.items():
        r = totals[clock] if is_total else rows[(key, clock)]
        pairs = list(hist.items())
        r.median_days = weighted_percentile(pairs, 0.5)
        r.p90_days = weighted_percentile(pairs, 0.9)
    order = {c: i for i, c in enumerate(CLOCKS)}
    return (sorted(totals.values(), key=lambda r: order.get(r.clock, 9)),
            sorted(rows.values(), key=lambda r: (order.get(r.clock, 9), r.key or "")))


def ontime_report(session: Session, unit_code: str, date_from, date_to, by: str | None = None,
                  clock: str | None = None, as_of=None, today: date | None = None,
                  cal: WorkingCalendar | None = None, lang: str = "vi") -> OntimeReport:
    """On-time figures for `unit_code` and every unit below it, for clocks started in
    [date_from, date_to], judged as of `as_of` (default: the period's end, or `today` while
    the period runs). `by`: None, 'unit', 'department', 'category' or 'month'. Totals always
    hold one row per clock, even with no data."""
    if by not in GROUPINGS:
        _group_cols(by)  # raises the bilingual error
    sc = _scope(session, unit_code, date_from, date_to, as_of, today, clock)
    tune_for_report(session, work_mem=False)
    totals, rows = _aggregate(session, sc, by, cal or default_calendar(), lang)
    for name in ([clock] if clock else CLOCKS):
        if not any(r.clock == name for r in totals):
            totals.append(OntimeRow(clock=name))
    totals.sort(key=lambda r: CLOCKS.index(r.clock))
    return OntimeReport(sc.unit.code, sc.unit.name, sc.start, sc.end, sc.as_of, by, rows, totals)


# -- drill-down -------------------------------------------------------------------------------------
def _group_filter(session: Session, by: str | None, key: str | None) -> list:
    if by is None or key is None:
        return []
    if by in ("unit", "department"):
        col = Petition.unit_id if by == "unit" else Petition.department_id
        if key == NO_DEPARTMENT:
            return [col.is_(None)]
        return [col == unit_by_code(session, key).id]
    if by == "category":
        return [Petition.category == key]
    if by == "month":
        from engine.reports.periods import parse_period
        a, b = parse_period(key)
        return [Clock.trigger_on >= a, Clock.trigger_on <= b]
    _group_cols(by)
    return []


def ontime_items(session: Session, unit_code: str, date_from, date_to, clock: str, figure: str,
                 by: str | None = None, key: str | None = None, as_of=None, today: date | None = None,
                 limit: int | None = None, offset: int = 0) -> list[dict]:
    """The petitions behind one figure of `ontime_report` (same arguments, plus the figure —
    one of FIGURES — and, for a grouped row, `by` and the row's `key`)."""
    if figure not in FIGURES:
        raise ValidationError("bad_report_bucket", field="figure", value=figure, choices=", ".join(FIGURES))
    sc = _scope(session, unit_code, date_from, date_to, as_of, today, clock)
    cond = _where(sc) + _group_filter(session, by, key)
    if figure == "extended":
        cond.append(_extended_as_of(sc.as_of) == 1)
    else:
        cond.append(_bucket(sc.as_of) == figure)
    q = (select(Petition.code, Petition.summary, Petition.received_on, Petition.state, Petition.unit_id,
                Petition.department_id, Clock.name, Clock.trigger_on, _due_as_of(sc.as_of).label("due"),
                Clock.stopped_on, Clock.status, Clock.extensions)
         .where(*cond).order_by(Clock.trigger_on, Petition.id).offset(offset))
    if limit is not None:
        q = q.limit(limit)
    units = _units_by_id(session)
    out = []
    for r in session.execute(q):
        due = r.due if isinstance(r.due, date) else parse_date(str(r.due))
        stopped = r.stopped_on if (r.stopped_on and r.stopped_on <= sc.as_of) else None
        out.append({"code": r.code, "summary": r.summary, "received_on": r.received_on.isoformat(), "state": r.state,
                    "unit": units[r.unit_id].code,
                    "department": units[r.department_id].code if r.department_id in units else None,
                    "clock": r.name, "started_on": r.trigger_on.isoformat(), "due_date": due.isoformat(),
                    "stopped_on": stopped.isoformat() if stopped else None, "figure": figure})
    return out


# -- backlog over time ----------------------------------------------------------------------------------
def overdue_backlog(session: Session, unit_code: str, points: list[date], clock: str | None = None) -> list[tuple[date, int]]:
    """How many clocks were open and overdue at the end of each date in `points` (for the
    backlog chart). One grouped COUNT per point; each point is judged like an as-of date."""
    unit = unit_by_code(session, unit_code)
    ids = subtree_ids(session, unit.id)
    total_units = session.scalar(select(func.count()).select_from(OrgUnit))
    out = []
    for d in points:
        d = parse_date(d, "date")
        cond = [Clock.petition_id == Petition.id, Clock.status != "cancelled", Clock.trigger_on <= d,
                or_(Clock.stopped_on.is_(None), Clock.stopped_on > d), _due_as_of(d) < d]
        if len(ids) < total_units:
            cond.append(Petition.unit_id.in_(sorted(ids)))
        cond.append(Clock.name == clock if clock else Clock.name.in_(CLOCKS))
        out.append((d, int(session.scalar(select(func.count()).select_from(Clock).where(*cond)) or 0)))
    return out


def month_ends(start: date, end: date) -> list[date]:
    """The last day of every month in [start, end] (the last point clipped to `end`)."""
    from engine.reports.periods import months_between
    return [b for _, b in months_between(start, end)]


__all__ = ["ontime_report", "ontime_items", "overdue_backlog", "wilson_interval", "weighted_percentile",
           "OntimeReport", "OntimeRow", "CLOCKS", "FIGURES", "BUCKETS", "month_ends"]

