"""The Regulation 11 (11-QĐi/TW) petition workflow, as data.

received ──answer_at_meeting──▶ answered
received ──conclude (notice, department)──▶ in_resolution ──resolve──▶ resolved ──close──▶ closed
in_resolution ──extend──▶ in_resolution          resolved ──reopen──▶ in_resolution
received / in_resolution ──escalate──▶ escalated (a linked petition opens at the parent unit)
received / in_resolution ──refer──▶ referred (the petitioner was guided to the competent agency)

Clocks: `conclusion` (10 working days from the session, or from receipt for letters)
stops on conclude, answer_at_meeting, escalate, refer; `resolution` (30 working days from
the conclusion notice) stops on resolve, escalate, refer. The numbers are parameters in
config/workflow.toml.
"""
from engine.workflow.definition import ActionDef, ClockDef, WorkflowDef

A = ActionDef

WORKFLOW = WorkflowDef(
    name="regulation11",
    initial_state="received",
    states={
        "received": ("Đã tiếp nhận", "Received"),
        "answered": ("Đã trả lời tại buổi tiếp", "Answered at the meeting"),
        "in_resolution": ("Đang giải quyết", "Being resolved"),
        "resolved": ("Đã giải quyết", "Resolved"),
        "escalated": ("Đã báo cáo cấp trên", "Escalated"),
        "referred": ("Đã hướng dẫn đến cơ quan có thẩm quyền", "Referred"),
        "closed": ("Đã kết thúc", "Closed"),
    },
    clocks={
        "conclusion": ClockDef("conclusion", ("Thông báo kết luận", "Conclusion notice")),
        "resolution": ClockDef("resolution", ("Trả lời bằng văn bản", "Written resolution")),
    },
    start_on_receipt=("conclusion",),
    open_states=("received", "in_resolution"),
    actions={a.name: a for a in [
        A("answer_at_meeting", ("received",), "answered", ("clerk", "leader"),
          ("Trả lời tại buổi tiếp", "Answer at the meeting"),
          required=("note",), stop=("conclusion",)),
        A("conclude", ("received",), "in_resolution", ("clerk", "leader"),
          ("Ra thông báo kết luận", "Issue the conclusion notice"),
          required=("notice_no", "department"), optional=("note",),
          stop=("conclusion",), start=("resolution",), tell_petitioner="petitioner_conclusion"),
        A("extend", ("in_resolution",), "in_resolution", ("leader",),
          ("Gia hạn", "Extend"),
          required=("reason",), one_of=(("days", "until"),),
          extend="resolution", tell_petitioner="petitioner_extension"),
        A("resolve", ("in_resolution",), "resolved", ("department", "clerk"),
          ("Ghi nhận văn bản trả lời", "Record the written resolution"),
          required=("document_no",), optional=("outcome",),
          stop=("resolution",), tell_petitioner="petitioner_resolved"),
        A("escalate", ("received", "in_resolution"), "escalated", ("leader",),
          ("Báo cáo cấp trên (vượt thẩm quyền)", "Escalate (beyond authority)"),
          required=("reason",), stop=("conclusion", "resolution"), escalate=True,
          tell_petitioner="petitioner_escalated"),
        A("refer", ("received", "in_resolution"), "referred", ("clerk", "leader"),
          ("Hướng dẫn đến cơ quan có thẩm quyền", "Refer to the competent agency"),
          required=("agency",), optional=("note",), stop=("conclusion", "resolution")),
        A("reopen", ("resolved",), "in_resolution", ("clerk", "leader"),
          ("Mở lại (còn phản ánh, kiến nghị)", "Reopen (still complained about)"),
          required=("reason",), start=("resolution",)),
        A("close", ("resolved",), "closed", ("clerk", "leader"),
          ("Kết thúc", "Close"), optional=("note",)),
    ]},
)
