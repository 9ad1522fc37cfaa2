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

# Issue 17: letters, complaints, denunciations (the fields of their actions and forms).
FIELDS.update({
    "content": _l("Content"), "condition": _l("Condition for handling"), "competent": _l("Within our competence"),
    "several_places": _l("Several places involved"), "signers": _l("Signed by (people)"),
    "second": _l("Second instance"), "contested_on": _l("Contested decision received on"),
    "decision_no": _l("Decision number"), "complex": _l("Complex case"),
    "especially_complex": _l("Especially complex case"), "channel": _l("Received by"),
    "transferred_from": _l("Transferred from"), "workflow": _l("Workflow"),
    "recounted": _l("Deadline recounted"), "opened": _l("Case opened"), "resume": _l("Resumption"),
    "letter": _l("Letter"), "letter_no": _l("Letter number"),
})
LETTER_CHANNELS = {"post": _l("By post"), "in_person": _l("In person"), "online": _l("Online"),
                   "transferred": _l("Transferred from another body")}
LETTER_CONTENTS = {"complaint": _l("Complaint"), "denunciation": _l("Denunciation"),
                   "petition": _l("Petition, feedback"), "mixed": _l("Mixed content")}
LETTER_CONDITIONS = {"eligible": _l("Eligible for handling"), "ineligible": _l("Not eligible"),
                     "duplicate": _l("Duplicate"), "anonymous": _l("Anonymous or impersonated"),
                     "resolved_no_new": _l("Already resolved, no new facts")}
LETTER_RESULTS = {"accept": _l("Accepted"), "transfer": _l("Transferred"), "guide": _l("Sender guided"),
                  "file": _l("Filed")}
YES_NO = {"no": _l("No"), "yes": _l("Yes")}
# the action fields shown as a choice, and their choices
CHOICE_FIELDS = {"content": LETTER_CONTENTS, "condition": LETTER_CONDITIONS, "competent": YES_NO,
                 "several_places": YES_NO, "second": YES_NO, "complex": YES_NO, "especially_complex": YES_NO}
JOURNAL_CAUSES = {"extension": _l("extension"), "calendar_change": _l("calendar change"),
                  "reclassified": _l("recounted after classification"),
                  "resume_continue": _l("resumed: the days left continue"),
                  "resume_restart": _l("resumed: the period restarts")}
FLAGS = {"second": _l("second instance"), "complex": _l("complex"), "especially_complex": _l("especially complex"),
         "several_places": _l("several places"), "dialogue_held": _l("dialogue held"),
         "denunciation": _l("denunciation")}
