"""The denunciation workflow (tố cáo: Luật Tố cáo 25/2018/QH14, Nghị định 31/2019/NĐ-CP) and
the direct superior's follow-up when a denunciation is overdue (Điều 38), as data.

received ──accept (thụ lý)──▶ in_resolution ──resolve──▶ resolved ──close──▶ closed
in_resolution ──notify──▶ in_resolution (the denouncer is told of the acceptance)
in_resolution ──extend──▶ in_resolution (complex: once; especially complex: twice; ≤30 days each)
in_resolution ──suspend──▶ suspended ──resume──▶ in_resolution
in_resolution ──go_to_superior (once overdue)──▶ in_resolution + a linked follow-up case at the parent unit

Follow-up (at the superior): received ──request_report──▶ report_requested ──record_report──▶ reported ──close──▶ closed
"""
from engine.workflow.definition import ActionDef, ClockDef, WorkflowDef

A = ActionDef
RES, NOTICE = "denunciation_resolution", "denunciation_notice"

WORKFLOW = WorkflowDef(
    name="denunciation",
    label=("Giải quyết tố cáo", "Denunciation"),
    source="Luật Tố cáo 2018; Nghị định 31/2019/NĐ-CP",
    kind="denunciation",
    initial_state="received",
    states={
        "received": ("Đã nhận tố cáo", "Received"),
        "in_resolution": ("Đang giải quyết", "Being resolved"),
        "suspended": ("Tạm đình chỉ", "Suspended"),
        "resolved": ("Đã có kết luận nội dung tố cáo", "Concluded"),
        "closed": ("Đã kết thúc", "Closed"),
    },
    clocks={
        NOTICE: ClockDef(NOTICE, ("Thông báo thụ lý cho người tố cáo", "Notify the acceptance")),
        RES: ClockDef(RES, ("Giải quyết tố cáo", "Resolution"), variant_flags=("complex", "especially_complex")),
    },
    open_states=("received", "in_resolution", "suspended"),
    actions={a.name: a for a in [
        A("accept", ("received",), "in_resolution", ("clerk", "leader"),
          ("Quyết định thụ lý", "Accept"),
          required=("decision_no",), optional=("complex", "especially_complex", "note"),
          flag_fields=("complex", "especially_complex"), start=(NOTICE, RES)),
        A("notify", ("in_resolution", "suspended"), "=", ("clerk", "leader"),
          ("Thông báo thụ lý cho người tố cáo", "Notify the denouncer"),
          required=("letter_no",), stop=(NOTICE,), needs_running=NOTICE),
        A("extend", ("in_resolution",), "in_resolution", ("leader",),
          ("Gia hạn giải quyết", "Extend"),
          required=("reason",), one_of=(("days", "until"),), extend=RES),
        A("suspend", ("in_resolution",), "suspended", ("leader",),
          ("Tạm đình chỉ giải quyết", "Suspend"),
          required=("reason", "decision_no"), suspend=RES),
        A("resume", ("suspended",), "in_resolution", ("leader",),
          ("Tiếp tục giải quyết", "Resume"),
          required=("decision_no",), resume=RES),
        A("resolve", ("in_resolution",), "resolved", ("clerk", "leader", "department"),
          ("Ghi nhận kết luận nội dung tố cáo", "Record the conclusion"),
          required=("document_no",), optional=("outcome",), stop=(RES, NOTICE)),
        A("go_to_superior", ("in_resolution",), "in_resolution", ("clerk", "leader"),
          ("Người tố cáo tố cáo tiếp lên cấp trên (quá hạn)", "Denouncer goes to the superior (overdue)"),
          required=("reason",), escalate=True, escalate_workflow="denunciation_followup", needs_overdue=RES),
        A("close", ("resolved",), "closed", ("clerk", "leader"),
          ("Kết thúc", "Close"), optional=("note",)),
    ]},
)

FOLLOWUP = WorkflowDef(
    name="denunciation_followup",
    label=("Tố cáo tiếp do quá hạn (cấp trên)", "Overdue denunciation at the superior"),
    source="Luật Tố cáo 2018, Điều 38",
    kind="denunciation",
    initial_state="received",
    states={
        "received": ("Đã nhận tố cáo tiếp", "Received"),
        "report_requested": ("Đã yêu cầu cấp dưới báo cáo", "Report requested"),
        "reported": ("Cấp dưới đã báo cáo", "Report received"),
        "closed": ("Đã kết thúc", "Closed"),
    },
    clocks={
        "superior_request": ClockDef("superior_request", ("Yêu cầu cấp dưới báo cáo", "Request a report")),
        "subordinate_report": ClockDef("subordinate_report", ("Cấp dưới báo cáo", "The subordinate's report")),
    },
    start_on_receipt=("superior_request",),
    open_states=("received", "report_requested", "reported"),
    actions={a.name: a for a in [
        A("request_report", ("received",), "report_requested", ("clerk", "leader"),
          ("Yêu cầu cấp dưới báo cáo", "Request the report"),
          required=("letter_no",), stop=("superior_request",), start=("subordinate_report",)),
        A("record_report", ("report_requested",), "reported", ("clerk", "leader"),
          ("Ghi nhận báo cáo của cấp dưới", "Record the report"),
          required=("letter_no",), optional=("outcome",), stop=("subordinate_report",)),
        A("close", ("reported",), "closed", ("clerk", "leader"),
          ("Kết thúc", "Close"), optional=("note",)),
    ]},
)
