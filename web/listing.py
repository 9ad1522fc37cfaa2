"""What the list pages share: the filter form, the page number and the deadline badges.
Blueprints import this module, never each other."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_babel import gettext as _

from engine.persistence.models import CATEGORIES
from web import queries as Q
from web.access import sees_personal_data
from web.deadlines import badge
from web.forms import parse_filter_date


def badges(items) -> dict:
    ctx = Q.context()
    today = Q.today()
    return {p.id: badge(p, today, ctx.cal) for p in items}


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def read_filters(errors: dict) -> dict:
    a = request.args
    f = {k: (a.get(k) or "").strip() for k in ("q", "unit", "department", "state", "category")}
    if f["state"] and f["state"] not in Q.context().workflow.states:
        errors["state"] = _("Unknown state.")
        f["state"] = ""
    if f["category"] and f["category"] not in CATEGORIES:
        errors["category"] = _("Unknown category.")
        f["category"] = ""
    f["date_from"] = parse_filter_date(a.get("date_from"), "date_from", errors)
    f["date_to"] = parse_filter_date(a.get("date_to"), "date_to", errors)
    f["overdue"] = a.get("overdue") == "1"
    f["personal"] = sees_personal_data(current_user)  # search reaches personal data only if allowed
    return f
