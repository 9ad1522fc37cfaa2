"""Labels of the domain's codes in the user's language (English msgids, vi catalog)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "land": _l("Land"), "compensation": _l("Compensation"), "resettlement": _l("Resettlement"),
    "social_policy": _l("Social policy"), "infrastructure": _l("Infrastructure"),
    "party_building": _l("Party building"), "cadre_degradation": _l("Cadre degradation"), "other": _l("Other"),
}
KINDS = {"feedback": _l("Feedback"), "petition": _l("Petition"), "complaint": _l("Complaint"),
         "denunciation": _l("Denunciation")}
SESSION_KINDS = {
    "reception_periodic": _l("Periodic reception"), "reception_adhoc": _l("Ad-hoc reception"),
    "dialogue_periodic": _l("Periodic dialogue"), "dialogue_adhoc": _l("Ad-hoc dialogue"),
    "dialogue_thematic": _l("Thematic dialogue"),
}
ROLES = {"clerk": _l("Office clerk"), "department": _l("Department"), "leader": _l("Leader"),
         "auditor": _l("Auditor"), "admin": _l("Administrator")}
UNIT_LEVELS = {"province": _l("Province / city"), "commune": _l("Commune"), "ward": _l("Ward"),
               "special_zone": _l("Special zone"), "district": _l("District (before 07/2025)"),
               "department": _l("Department")}
CLOCK_STATUSES = {"running": _l("running"), "paused": _l("paused"), "met": _l("met on time"), "late": _l("late"),
                  "cancelled": _l("cancelled")}
# Fields of workflow actions and of the forms.
FIELDS = {
    "department": _l("Department"), "notice_no": _l("Notice number"), "document_no": _l("Document number"),
    "outcome": _l("Outcome"), "reason": _l("Reason"), "days": _l("Extra working days"),
    "until": _l("New due date"), "note": _l("Note"), "agency": _l("Competent agency"), "on": _l("Date"),
    "master": _l("Duplicate of"), "summary": _l("Summary"), "name": _l("Petitioner"), "address": _l("Address"), "phone": _l("Phone"),
    "category": _l("Category"), "kind": _l("Kind"), "group_size": _l("People"),
    "complex_prolonged": _l("Complex, prolonged"), "answered": _l("Answered at the meeting"),
    "held_on": _l("Date held"), "chair": _l("Chaired by"), "people": _l("People received"),
    "groups": _l("Groups of many people"), "refused": _l("Refused"), "unit": _l("Unit"),
    "received_on": _l("Date received"), "session": _l("Session"), "old_due": _l("Previous due date"),
    "new_due": _l("New due date"), "escalated_to": _l("Escalated to"), "escalated_from": _l("Escalated from"),
}
