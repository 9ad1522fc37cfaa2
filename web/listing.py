"""What the list pages share: the filter form, the page number and the deadline badges.
Blueprints import this module, never each other."""
from __future__ import annotations

from flask import abort, render_template, request
from markupsafe import Markup
from flask_login import current_user
from flask_babel import gettext as _

from web.lists import known_categories
from engine.workflow.definition import load_workflow, workflow_names
from web import queries as Q
from web.access import sees_personal_data
from web.dbsession import db
from web.deadlines import badge
from web.forms import parse_filter_date
from web.i18n import current_lang
from engine.reports.cache import kept


def badges(items) -> dict:
    ctx = Q.context()
    today = Q.today()
    return {p.id: badge(p, today, ctx.cal) for p in items}


def kept_html(key: tuple, template: str, build) -> Markup:
    """`template` rendered with the variables `build()` returns, kept under the data version
    (engine/reports/cache.py: never served after a write). For the lists ordered by deadline
    (the backlog, /work): ranking a commune's running clocks and rendering a few hundred rows
    is their whole cost, and a leader opens them again and again while nothing moves. `key`
    says whose list and which page; the day (the badges count working days to it) and the
    language are added here. What is kept holds no per-request token: forms stay outside."""
    return Markup(kept(db(), key + (Q.today(), current_lang()), lambda: render_template(template, **build())))


MAX_PAGE = 100_000  # 2.5 million rows at 25 a page: beyond it a page number is a typo or a probe


def page_number() -> int:
    """The `page` argument: missing, not a number or below 1 reads as the first page; a
    number past MAX_PAGE is refused with 400 (it would overflow the database's OFFSET)."""
    raw = (request.args.get("page") or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    if len(raw) > len(str(MAX_PAGE)) or int(raw) > MAX_PAGE:
        abort(400, description=_("The page number must be between 1 and %(n)d.", n=MAX_PAGE))
    return max(1, int(raw))


def read_filters(errors: dict) -> dict:
    a = request.args
    f = {k: (a.get(k) or "").strip() for k in ("q", "unit", "department", "state", "category")}
    f["workflow"] = (a.get("workflow") or "").strip()
    if f["workflow"] and f["workflow"] not in workflow_names():  # issue 17: lists filter by workflow
        errors["workflow"] = _("Unknown workflow.")
        f["workflow"] = ""
    if f["state"] and not any(f["state"] in load_workflow(n).states for n in workflow_names()):
        errors["state"] = _("Unknown state.")
        f["state"] = ""
    if f["category"] and f["category"] not in known_categories():
        errors["category"] = _("Unknown category.")
        f["category"] = ""
    f["date_from"] = parse_filter_date(a.get("date_from"), "date_from", errors)
    f["date_to"] = parse_filter_date(a.get("date_to"), "date_to", errors)
    f["overdue"] = a.get("overdue") == "1"
    f["personal"] = sees_personal_data(current_user)  # search reaches personal data only if allowed
    return f
