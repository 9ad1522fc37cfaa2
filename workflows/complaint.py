"""The complaint workflow (khiếu nại: Luật Khiếu nại 2011; Nghị định 124/2020/NĐ-CP as
amended by Nghị định 155/2026/NĐ-CP), first and second instance, as data.

received ──accept (thụ lý)──▶ in_resolution ──resolve──▶ resolved ──close──▶ closed
received ──refuse (không thụ lý)──▶ not_accepted
in_resolution ──dialogue──▶ in_resolution (required before resolving at second instance)
in_resolution ──suspend──▶ suspended ──resume──▶ in_resolution

Clocks: `complaint_acceptance` from receipt (10 working days; 7 from 01/07/2026);
`complaint_resolution` from acceptance, in calendar days, its variant chosen by the flags
second (instance), remote (the unit's flag) and complex. Accepting checks the 90-day
lodging limit (`complaint_lodging`) when the date of the contested decision is known.
"""
from engine.workflow.definition import ActionDef, ClockDef, WorkflowDef

A = ActionDef
RES = "complaint_resolution"

WORKFLOW = WorkflowDef(
    name="complaint",
    label=("Giải quyết khiếu nại", "Complaint"),
    source="Luật Khiếu nại 2011; Nghị định 124/2020/NĐ-CP (sửa đổi bởi Nghị định 155/2026/NĐ-CP)",
    kind="complaint",
    initial_state="received",
    states={
        "received": ("Đã nhận khiếu nại", "Received"),
        "in_resolution": ("Đang giải quyết", "Being resolved"),
        "suspended": ("Tạm đình chỉ", "Suspended"),
        "resolved": ("Đã ra quyết định giải quyết", "Decided"),
        "not_accepted": ("Không thụ lý", "Not accepted"),
        "closed": ("Đã kết thúc", "Closed"),
    },
    clocks={
        "complaint_acceptance": ClockDef("complaint_acceptance", ("Thụ lý khiếu nại", "Acceptance")),
        RES: ClockDef(RES, ("Giải quyết khiếu nại", "Resolution"), variant_flags=("second", "remote", "complex")),
    },
    start_on_receipt=("complaint_acceptance",),
    open_states=("received", "in_resolution", "suspended"),
    actions={a.name: a for a in [
        A("accept", ("received",), "in_resolution", ("clerk", "leader"),
          ("Thụ lý giải quyết", "Accept"),
          required=("decision_no",), optional=("complex", "contested_on", "note"), flag_fields=("complex",),
          stop=("complaint_acceptance",), start=(RES,), hook="accept_complaint"),
        A("refuse", ("received",), "not_accepted", ("clerk", "leader"),
          ("Không thụ lý (nêu lý do)", "Refuse to accept"),
          required=("reason",), stop=("complaint_acceptance",)),
        A("dialogue", ("in_resolution",), "in_resolution", ("clerk", "leader", "department"),
          ("Ghi nhận đối thoại", "Record the dialogue"),
          required=("note",), adds_flags=("dialogue_held",)),
        A("suspend", ("in_resolution",), "suspended", ("leader",),
          ("Tạm đình chỉ giải quyết", "Suspend"),
          required=("reason", "decision_no"), suspend=RES),
        A("resume", ("suspended",), "in_resolution", ("leader",),
          ("Tiếp tục giải quyết", "Resume"),
          required=("decision_no",), resume=RES),
        A("resolve", ("in_resolution",), "resolved", ("clerk", "leader", "department"),
          ("Ra quyết định giải quyết", "Record the decision"),
          required=("document_no",), optional=("outcome",), stop=(RES,),
          requires_flags=(("second", "dialogue_held"),)),
        A("close", ("resolved",), "closed", ("clerk", "leader"),
          ("Kết thúc", "Close"), optional=("note",)),
    ]},
)
