"""Jinja filters and globals: dates dd/mm/yyyy with Vietnamese weekday names, labels."""
from __future__ import annotations

from datetime import date, datetime

from flask import g, request
from jinja2 import pass_context
from flask_login import current_user

from engine.language.messages import weekday_name
from engine.language.numbers import format_number, format_percent, format_percent_range
from engine.deadlines.timeutil import local_datetime
from engine.workflow.definition import any_label, load_workflow, workflow_names
from web import labels, lists
from web.i18n import current_lang


def vndate(d) -> str:
    if d is None:
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    if isinstance(d, datetime):
        d = local_datetime(d)
    return d.strftime("%d/%m/%Y")


def vndatetime(dt) -> str:
    if dt is None:
        return ""
    if isinstance(dt, str):  # an ISO instant kept as text (e.g. an audit checkpoint)
        dt = datetime.fromisoformat(dt)
    return local_datetime(dt).strftime("%H:%M %d/%m/%Y")


def weekday(d) -> str:
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return weekday_name(d, current_lang())


def display_value(v) -> str:
    """An event's recorded value: ISO dates read as dd/mm/yyyy."""
    if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-":
        try:
            return vndate(date.fromisoformat(v))
        except ValueError:
            return v
    return "" if v is None else str(v)


def _per_reader(fn):
    """A label is in the reader's language. Jinja folds a filter applied to a constant
    ({{ "unit"|field_label }}) into the compiled template, in the language of whoever made it
    compile first; a filter that takes the context is never folded."""
    @pass_context
    def label(_context, *args, **kwargs):
        return fn(*args, **kwargs)
    return label


def _label(kind: str, key: str) -> str:
    """A state, action or clock label: the page's case workflow first (a letter's "received"
    is not a petition's), then whichever installed workflow names it."""
    wf = g.get("workflow")
    if wf is not None:
        table = {"state": wf.states, "action": wf.actions, "clock": wf.clocks}[kind]
        if key in table:
            return {"state": wf.state_label, "action": wf.action_label, "clock": wf.clock_label}[kind](key, current_lang())
    return any_label(kind, key, current_lang())


def init_app(app) -> None:
    wf = load_workflow()
    app.jinja_env.filters.update(
        vndate=vndate, display_value=display_value, vndatetime=vndatetime, weekday=weekday,
        state_label=_per_reader(lambda s: _label("state", s)),
        action_label=_per_reader(lambda a: _label("action", a)),
        event_label=_per_reader(lambda a: wf.event_label(a, current_lang())),
        clock_label=_per_reader(lambda c: _label("clock", c)),
        workflow_label=_per_reader(lambda n: load_workflow(n).name_label(current_lang())),
        category_label=_per_reader(lambda c: lists.category_label(c)),  # the admin's labels (issue 18)
        kind_label=_per_reader(lambda k: labels.KINDS.get(k, k)),
        session_kind_label=_per_reader(lambda k: labels.SESSION_KINDS.get(k, k)),
        role_label=_per_reader(lambda r: labels.ROLES.get(r, r)),
        clock_status_label=_per_reader(lambda s: labels.CLOCK_STATUSES.get(s, s)),
        field_label=_per_reader(lambda f: labels.FIELDS.get(f, f)),
        # numbers in the reader's convention: "77,4 %" / "77.4%", "10,6" / "10.6"; "—" for none
        num=lambda x, decimals=1: format_number(x, current_lang(), decimals, blank="—"),
        pct=lambda x, decimals=1: format_percent(x, current_lang(), decimals, blank="—"),
        pct_range=lambda ci: format_percent_range(*ci, current_lang(), blank="—") if ci else "—",
    )

    @app.context_processor
    def _globals():
        return {"lang": current_lang(), "workflow": wf, "labels": labels, "workflow_names": workflow_names,
                "current_path": request.full_path.rstrip("?"), "me": current_user,
                "all_categories": lists.known_categories}
