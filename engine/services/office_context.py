"""What the browser's administrators entered (issue 18) joined to a service's context: the
calendar decisions and the units' deadline parameters. The pages and the tick build their
context with them already; this covers every other way in (the CLI, the importer's
single-row path, the demo), so a clock starts with the same rule and calendar wherever the
case comes from."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from engine.services import calendar_decisions as cds
from engine.services import unit_params as ups


def with_office_settings(session: Session, ctx):
    """`ctx` with the database's decisions and parameters, or `ctx` itself when it has them
    (or when there are none: a calendar given on purpose, as in tests, is kept)."""
    missing = tuple(r for r in ups.entered(session) if r.rule() not in ctx.params.overrides)
    params = ups.layered(ctx.params, missing) if missing else ctx.params
    decisions = cds.entered(session)
    known = ctx.cal.decisions.by_date
    cal = ctx.cal
    if any(known.get(d.date) is None or known[d.date].kind != d.kind for d in decisions):
        cal = cds.current_calendar(session)
    if params is ctx.params and cal is ctx.cal:
        return ctx
    return replace(ctx, params=params, cal=cal)
