"""Letter handling (xử lý đơn, Thông tư 05/2021/TT-TTCP), as data.

received ──classify──▶ classified (content, condition, competence; may be corrected)
classified ──accept──▶ accepted  (opens the complaint, denunciation or Regulation 11 case, linked to the letter)
classified ──transfer──▶ transferred (to the competent body; a denunciation only once)
classified ──guide──▶ guided (the sender is told where to go)
classified ──file──▶ filed (not handled: anonymous, duplicate, already resolved…)

Clock `letter_handling`: 10 working days for complaints and petitions; 7 working days for a
denunciation, 10 when several places are involved (Luật Tố cáo 2018, Điều 24.1) — the
classification recounts it from the day the letter was received.
"""
from engine.workflow.definition import ActionDef, ClockDef, WorkflowDef

A = ActionDef
HANDLING = ("letter_handling",)

WORKFLOW = WorkflowDef(
    name="letter",
    label=("Xử lý đơn", "Letter handling"),
    source="Thông tư 05/2021/TT-TTCP",
    kind=None,
    initial_state="received",
    states={
        "received": ("Đã nhận đơn", "Letter received"),
        "classified": ("Đã phân loại", "Classified"),
        "accepted": ("Đã đề xuất thụ lý", "Accepted"),
        "transferred": ("Đã chuyển đơn", "Transferred"),
        "guided": ("Đã hướng dẫn người gửi", "Sender guided"),
        "filed": ("Đã lưu đơn", "Filed"),
    },
    clocks={"letter_handling": ClockDef("letter_handling", ("Xử lý đơn", "Letter handling"),
                                        variant_flags=("denunciation", "several_places"))},
    start_on_receipt=HANDLING,
    open_states=("received", "classified"),
    actions={a.name: a for a in [
        A("classify", ("received", "classified"), "classified", ("clerk", "leader"),
          ("Phân loại đơn", "Classify the letter"),
          required=("content", "condition", "competent"), optional=("several_places", "signers", "note"),
          flag_fields=("several_places",), hook="classify_letter"),
        A("accept", ("classified",), "accepted", ("clerk", "leader"),
          ("Đề xuất thụ lý (mở hồ sơ)", "Accept (open the case)"),
          optional=("second", "contested_on", "note"), stop=HANDLING, hook="accept_letter"),
        A("transfer", ("classified",), "transferred", ("clerk", "leader"),
          ("Chuyển đơn đến cơ quan có thẩm quyền", "Transfer to the competent body"),
          required=("agency",), optional=("note",), stop=HANDLING, hook="transfer_letter"),
        A("guide", ("classified",), "guided", ("clerk", "leader"),
          ("Hướng dẫn người gửi đơn", "Guide the sender"),
          required=("note",), stop=HANDLING, hook="close_letter"),
        A("file", ("classified",), "filed", ("clerk", "leader"),
          ("Lưu đơn (không xử lý)", "File (not handled)"),
          optional=("note",), stop=HANDLING, hook="close_letter"),
    ]},
)
