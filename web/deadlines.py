"""The deadline badge of a petition: a colour and a label that reads without the colour."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

SOON = 3  # working days


@dataclass
class Badge:
    kind: str          # on_track | due_soon | due_today | overdue | none
    label: str
    css: str
    due: date | None = None
    clock: str | None = None
    extended: bool = False
    provisional: bool = False
    days: int = 0


def active_clock(p):
    running = [c for c in p.clocks if c.status in ("running", "paused")]
    return min(running, key=lambda c: c.due_date) if running else None


def badge(p, today: date, cal) -> Badge:
    c = active_clock(p)
    if c is None:
        return Badge("none", "", "dl-none")
    b = Badge("on_track", "", "", due=c.due_date, clock=c.name, extended=c.extensions > 0, provisional=c.provisional)
    if c.due_date < today:
        n = cal.working_days_between(c.due_date, today)
        b.kind, b.days, b.css = "overdue", n, "dl-overdue"
        b.label = ngettext("overdue %(num)d working day", "overdue %(num)d working days", n) if n else _("overdue")
    elif c.due_date == today:
        b.kind, b.css, b.label = "due_today", "dl-today", _("due today")
    else:
        left = cal.working_days_between(today, c.due_date)
        b.days = left
        if left <= SOON:
            b.kind, b.css = "due_soon", "dl-soon"
            b.label = ngettext("due within %(num)d working day", "due within %(num)d working days", left)
        else:
            b.kind, b.css, b.label = "on_track", "dl-ok", _("on track")
    return b
