"""The auditors' verification of the audit log (issue 11): runs `engine.persistence.eventlog.
verify_all` over the auditor's scope and says what it found, one line per problem."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from engine.persistence import eventlog
from engine.persistence.models import OrgUnit
from engine.persistence.scope import unit_scope_ids
from web.access import allow
from web.dbsession import db
from web.i18n import current_lang

bp = Blueprint("audit", __name__)
GONE = ("case_missing", "case_deleted")  # findings about a case that no longer exists: no link


@bp.route("/audit/verify")
@allow("auditor")
def verify():
    s = db()
    user = current_user.model()
    units = unit_scope_ids(s, user)
    report = eventlog.verify_all(s, unit_ids=units)
    lang = current_lang()
    lines = [{"code": f.code, "link": f.code is not None and f.what not in GONE, "text": f.text(lang)}
             for f in report.findings]
    return render_template("audit_verify.html", report=report, lines=lines, unit=s.get(OrgUnit, user.unit_id),
                           everything=units is None)
