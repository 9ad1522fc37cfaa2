"""Words the templates share, keyed by language (vi first, en second)."""
from __future__ import annotations

from engine.language.messages import WEEKDAYS_EN, WEEKDAYS_VI

LANGS = ("vi", "en")

WEEKDAYS = {"vi": WEEKDAYS_VI, "en": WEEKDAYS_EN}

CLOCK_NAMES = {
    "vi": {"conclusion": "thông báo kết luận", "resolution": "trả lời bằng văn bản"},
    "en": {"conclusion": "conclusion notice", "resolution": "written resolution"},
}
# issue 17: the clocks of the letter, complaint and denunciation workflows
CLOCK_NAMES["vi"].update({
    "letter_handling": "xử lý đơn", "complaint_acceptance": "thụ lý khiếu nại",
    "complaint_resolution": "giải quyết khiếu nại", "denunciation_notice": "thông báo thụ lý tố cáo",
    "denunciation_resolution": "giải quyết tố cáo", "superior_request": "yêu cầu cấp dưới báo cáo",
    "subordinate_report": "báo cáo của cấp dưới"})
CLOCK_NAMES["en"].update({
    "letter_handling": "letter handling", "complaint_acceptance": "complaint acceptance",
    "complaint_resolution": "complaint resolution", "denunciation_notice": "notice of the denunciation's acceptance",
    "denunciation_resolution": "denunciation resolution", "superior_request": "request for a report",
    "subordinate_report": "the subordinate's report"})

NOTICE_KINDS = {
    "vi": {
        "petitioner_conclusion": "Thông báo kết luận",
        "petitioner_extension": "Thông báo gia hạn thời hạn giải quyết",
        "petitioner_resolved": "Văn bản trả lời kết quả giải quyết",
        "petitioner_escalated": "Thông báo chuyển đơn đến cơ quan có thẩm quyền",
    },
    "en": {
        "petitioner_conclusion": "conclusion notice",
        "petitioner_extension": "notice of the extended deadline",
        "petitioner_resolved": "written reply on the outcome",
        "petitioner_escalated": "notice of referral to the competent body",
    },
}


SESSION_KINDS = {
    "vi": {"reception_periodic": "Tiếp công dân định kỳ", "reception_adhoc": "Tiếp công dân đột xuất",
           "dialogue_periodic": "Đối thoại định kỳ", "dialogue_adhoc": "Đối thoại đột xuất",
           "dialogue_thematic": "Đối thoại chuyên đề"},
    "en": {"reception_periodic": "Periodic reception", "reception_adhoc": "Ad-hoc reception",
           "dialogue_periodic": "Periodic dialogue", "dialogue_adhoc": "Ad-hoc dialogue",
           "dialogue_thematic": "Thematic dialogue"},
}


def pick_lang(lang: str | None) -> str:
    code = (lang or "").lower()[:2]
    return code if code in LANGS else "vi"
