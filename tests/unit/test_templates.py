"""Every notification kind renders in both languages, strictly, with dd/mm/yyyy dates."""
from __future__ import annotations

import copy
import re
import unicodedata
from datetime import date, datetime

import pytest
from jinja2 import UndefinedError

from notifications.render import KINDS, clip, compose, ddmmyyyy, render

LONG_SUMMARY = (
    "Đề nghị xem xét việc bồi thường, hỗ trợ khi Nhà nước thu hồi đất làm đường liên xã "
    "đoạn qua thôn Trung Thượng"
)
PETITION = {
    "code": "KN-XA01-2026-000012",
    "summary": LONG_SUMMARY,
    "unit_name": "Đảng ủy xã Kỳ Thượng",
    "department_name": "Văn phòng Đảng ủy",
    "state_label": "Đang giải quyết",
}
URL = "https://petitions.example.vn/petitions/12?tab=clocks&from=mail"


def reminder(clock_extra: dict, rung: str) -> dict:
    return {
        "recipient_name": "Nguyễn Văn An",
        "petition": dict(PETITION),
        "clock": {"name": "resolution", "due_date": date(2026, 1, 9), "extended": False, **clock_extra},
        "rung": rung,
        "url": URL,
    }


CONTEXTS: dict[str, dict] = {
    "due_soon": reminder({"working_days_left": 3}, "T-3"),
    "due_today": reminder({}, "T0"),
    "overdue": reminder({"overdue_working_days": 2}, "T+1"),
    "digest": {
        "recipient_name": "Trần Thị Bình",
        "day": date(2026, 1, 7),
        "items": [
            {"code": f"KN-XA01-2026-00001{i}", "summary": f"Kiến nghị số {i}", "clock_name": clock,
             "due_date": due, "status": status, "working_days": n, "url": f"{URL}&i={i}"}
            for i, (clock, due, status, n) in enumerate([
                ("conclusion", date(2026, 1, 12), "due_soon", 3),
                ("resolution", date(2026, 1, 9), "due_soon", 2),
                ("resolution", date(2026, 1, 8), "due_soon", 1),
                ("conclusion", date(2026, 1, 5), "overdue", 2),
                ("resolution", date(2025, 12, 29), "overdue", 7),
            ])
        ],
    },
    "petitioner_conclusion": {
        "petitioner_name": "Lê Văn Cường",
        "petition": {k: PETITION[k] for k in ("code", "summary", "unit_name")},
        "notice_no": "15-TB/ĐU",
        "notice_on": date(2026, 1, 5),
        "department_name": "Văn phòng Đảng ủy",
        "due_date": date(2026, 2, 24),
    },
    "petitioner_extension": {
        "petitioner_name": "Lê Văn Cường",
        "petition": {k: PETITION[k] for k in ("code", "summary", "unit_name")},
        "new_due_date": datetime(2026, 3, 16, 17, 0),
        "department_name": "Phòng Tài nguyên và Môi trường",
        "reason": "Cần đo đạc lại hiện trạng thửa đất",
    },
    "petitioner_resolved": {
        "petitioner_name": "Lê Văn Cường",
        "petition": {k: PETITION[k] for k in ("code", "summary", "unit_name")},
        "document_no": "42/UBND-TNMT",
        "resolved_on": "2026-02-20",
        "outcome": "Chấp thuận hỗ trợ bổ sung theo đơn giá năm 2026",
    },
    "petitioner_escalated": {
        "petitioner_name": "Lê Văn Cường",
        "petition": {k: PETITION[k] for k in ("code", "summary", "unit_name")},
        "to_unit_name": "Tỉnh ủy Hà Tĩnh",
        "reason": "Nội dung vượt thẩm quyền giải quyết của cấp xã",
    },
    "letter_task": {
        "recipient_name": "Phạm Thị Dung",
        "petitioner_name": "Lê Văn Cường",
        "petitioner_address": "Thôn Trung Thượng, xã Kỳ Thượng, tỉnh Hà Tĩnh",
        "notice_kind": "petitioner_conclusion",
        "petition": {k: PETITION[k] for k in ("code", "summary")},
        "url": URL,
    },
    # the shapes engine/scheduler/obligations.py writes
    "obligation_unscheduled": {
        "recipient_name": "Phạm Thị Dung", "unit_name": "Xã Kỳ Thượng", "unit": "KYTHUONG", "month": "2027-02",
        "obligation": "Bí thư cấp ủy tiếp dân định kỳ", "source": "Quy định 11-QĐi/TW, Điều 4.1", "per": "month",
        "minimum": 2, "required": 2, "scheduled": 1, "missing": 1, "periods": ["02/2027"], "url": URL,
    },
    "obligation_short": {
        "recipient_name": "Phạm Thị Dung", "unit_name": "Xã Kỳ Thượng", "unit": "KYTHUONG", "month": "2027-02",
        "obligation": "Bí thư cấp ủy tiếp dân định kỳ", "source": "Quy định 11-QĐi/TW, Điều 4.1", "per": "month",
        "minimum": 2, "required": 2, "held": 1, "missing": 1, "periods": ["02/2027"], "url": URL,
    },
    "session_unrecorded": {
        "recipient_name": "Phạm Thị Dung", "unit_name": "Xã Kỳ Thượng", "unit": "KYTHUONG", "session_id": 7,
        "kind": "reception_periodic", "held_on": "2027-02-10", "place": "Trụ sở Đảng ủy xã", "chair": "Nguyễn Văn An",
        "url": URL,
    },
    "assignment": {
        "recipient_name": "Trần Văn Bình", "unit_name": "Đảng ủy xã Kỳ Thượng", "department_name": "Văn phòng Đảng ủy",
        "notice_no": "48-TB/ĐU", "notice_on": "2026-11-20", "summary": "Kết luận của đồng chí Bí thư tại hội nghị đối thoại",
        "items": [{"code": "KN-XA01-2026-000012", "summary": LONG_SUMMARY, "due_date": "2027-01-05",
                   "direction": "Kiểm tra hiện trạng, trả lời công dân bằng văn bản", "url": URL},
                  {"code": "KN-XA01-2026-000013", "summary": "Đường thôn xuống cấp", "due_date": "2027-01-05",
                   "direction": "", "url": URL}],
        "url": URL,
    },
}


def test_every_kind_has_a_context():
    assert set(CONTEXTS) == set(KINDS)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders(kind, lang):
    subject, text, html = render(kind, lang, copy.deepcopy(CONTEXTS[kind]))
    assert subject and "\n" not in subject and subject == subject.strip()
    assert text.strip() and html.strip()
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    # No external assets: mail clients block them and offices may be offline.
    assert not re.search(r'(src|href)="(?!https://petitions\.example\.vn)', html)
    assert "<link" not in html and "<script" not in html
    # a message about a case names it; one about a unit's schedule names the unit
    code = (CONTEXTS[kind]["petition"]["code"] if "petition" in CONTEXTS[kind]
            else CONTEXTS[kind]["unit_name"] if "unit_name" in CONTEXTS[kind] else "KN-XA01-2026-00001")
    assert code in text and code in html
    for leftover in ("{{", "}}", "{%", "%}"):
        assert leftover not in subject + text + html


@pytest.mark.parametrize("kind", KINDS)
def test_vietnamese_salutation(kind):
    _, text, html = render(kind, "vi", copy.deepcopy(CONTEXTS[kind]))
    expected = "Kính gửi ông/bà" if kind.startswith("petitioner_") else "Kính gửi đồng chí"
    assert text.startswith(expected)
    assert f"<p>{expected}" in html


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_lang_falls_back_to_vietnamese(kind):
    assert render(kind, "fr", CONTEXTS[kind]) == render(kind, "vi", CONTEXTS[kind])


def _drop(ctx: dict, path: tuple[str, ...]) -> dict:
    ctx = copy.deepcopy(ctx)
    node = ctx
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return ctx


MISSING = [
    ("due_soon", ("clock", "working_days_left")),
    ("due_soon", ("recipient_name",)),
    ("due_today", ("clock", "due_date")),
    ("overdue", ("clock", "overdue_working_days")),
    ("overdue", ("petition", "state_label")),
    ("digest", ("day",)),
    ("petitioner_conclusion", ("notice_no",)),
    ("petitioner_conclusion", ("due_date",)),
    ("petitioner_extension", ("reason",)),
    ("petitioner_resolved", ("outcome",)),
    ("petitioner_escalated", ("to_unit_name",)),
    ("letter_task", ("petitioner_address",)),
]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind,path", MISSING, ids=[f"{k}-{'.'.join(p)}" for k, p in MISSING])
def test_missing_key_raises(kind, path, lang):
    with pytest.raises(UndefinedError):
        render(kind, lang, _drop(CONTEXTS[kind], path))


def test_missing_key_inside_a_digest_item_raises():
    ctx = copy.deepcopy(CONTEXTS["digest"])
    del ctx["items"][3]["due_date"]
    with pytest.raises(UndefinedError):
        render("digest", "vi", ctx)


def test_unknown_kind_and_unknown_clock_are_refused():
    with pytest.raises(ValueError):
        render("birthday", "vi", {})
    ctx = copy.deepcopy(CONTEXTS["due_soon"])
    ctx["clock"]["name"] = "appeal"
    with pytest.raises(ValueError):
        render("due_soon", "vi", ctx)


TRUNCATED = "Đề nghị xem xét việc bồi thường, hỗ trợ khi Nhà nước thu…"


@pytest.mark.parametrize("kind,lang,expected", [
    ("due_soon", "vi", f"[Còn 3 ngày làm việc] KN-XA01-2026-000012 — {TRUNCATED}"),
    ("due_today", "vi", f"[Đến hạn hôm nay] KN-XA01-2026-000012 — {TRUNCATED}"),
    ("overdue", "vi", f"[Quá hạn 2 ngày làm việc] KN-XA01-2026-000012 — {TRUNCATED}"),
    ("due_soon", "en", f"[3 working days left] KN-XA01-2026-000012 — {TRUNCATED}"),
    ("due_today", "en", f"[Due today] KN-XA01-2026-000012 — {TRUNCATED}"),
    ("overdue", "en", f"[Overdue 2 working days] KN-XA01-2026-000012 — {TRUNCATED}"),
    ("digest", "vi", "[Tổng hợp 07/01/2026] 3 việc sắp đến hạn, 2 việc quá hạn"),
    ("digest", "en", "[Digest 07/01/2026] 3 due soon, 2 overdue"),
])
def test_subject_formats(kind, lang, expected):
    subject, _, _ = render(kind, lang, CONTEXTS[kind])
    assert subject == expected
    assert len(TRUNCATED) <= 60


def test_clip_cuts_on_a_word_boundary_and_counts_composed_letters():
    assert clip("a" * 60) == "a" * 60
    assert clip("a" * 61) == "a" * 59 + "…"
    assert clip("xin cảm ơn " * 10, 20) == "xin cảm ơn xin cảm…"
    decomposed = unicodedata.normalize("NFD", "Đường ngập nước")
    assert clip(decomposed, 15) == "Đường ngập nước"


def test_short_summary_is_not_truncated_and_singular_in_english():
    ctx = copy.deepcopy(CONTEXTS["due_soon"])
    ctx["petition"]["summary"] = "Đường\nngập   nước"
    ctx["clock"]["working_days_left"] = 1
    assert render("due_soon", "vi", ctx)[0] == "[Còn 1 ngày làm việc] KN-XA01-2026-000012 — Đường ngập nước"
    assert render("due_soon", "en", ctx)[0] == "[1 working day left] KN-XA01-2026-000012 — Đường ngập nước"


def test_digest_subject_counts_due_today_and_empty_day():
    ctx = copy.deepcopy(CONTEXTS["digest"])
    ctx["items"][0]["status"] = "due_today"
    assert render("digest", "vi", ctx)[0] == (
        "[Tổng hợp 07/01/2026] 2 việc sắp đến hạn, 1 việc đến hạn hôm nay, 2 việc quá hạn")
    ctx["items"] = []
    assert render("digest", "vi", ctx)[0] == "[Tổng hợp 07/01/2026] Không có việc cần lưu ý"


def test_reminder_body_names_the_clock_date_and_weekday():
    _, text, html = render("due_soon", "vi", CONTEXTS["due_soon"])
    assert "trả lời bằng văn bản" in text and "Thứ Sáu, ngày 09/01/2026" in text
    assert "Thứ Sáu, ngày 09/01/2026" in html
    _, text, _ = render("due_soon", "en", CONTEXTS["due_soon"])
    assert "written resolution" in text and "Friday, 09/01/2026" in text
    ctx = copy.deepcopy(CONTEXTS["overdue"])
    ctx["clock"].update(name="conclusion", extended=True)
    _, text, _ = render("overdue", "vi", ctx)
    assert "thông báo kết luận" in text and "(đã gia hạn)" in text


DATES = {
    "due_soon": ["09/01/2026"], "due_today": ["09/01/2026"], "overdue": ["09/01/2026"],
    "digest": ["07/01/2026", "12/01/2026", "29/12/2025"],
    "petitioner_conclusion": ["05/01/2026", "24/02/2026"],
    "petitioner_extension": ["16/03/2026"],
    "petitioner_resolved": ["20/02/2026"],
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", list(DATES))
def test_dates_are_dd_mm_yyyy(kind, lang):
    _, text, html = render(kind, lang, CONTEXTS[kind])
    for expected in DATES[kind]:
        assert expected in text and expected in html
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text + html)


def test_html_escapes_but_text_does_not():
    ctx = copy.deepcopy(CONTEXTS["petitioner_escalated"])
    ctx["reason"] = "Liên quan <Công ty A & B>"
    _, text, html = render("petitioner_escalated", "vi", ctx)
    assert "Liên quan <Công ty A & B>" in text
    assert "Liên quan &lt;Công ty A &amp; B&gt;" in html
    assert "<Công ty" not in html


def test_empty_outcome_is_omitted():
    ctx = copy.deepcopy(CONTEXTS["petitioner_resolved"])
    ctx["outcome"] = ""
    _, text, html = render("petitioner_resolved", "vi", ctx)
    assert "Kết quả giải quyết:" not in text and "42/UBND-TNMT" in text
    assert ">Kết quả giải quyết<" not in html


def test_letter_task_names_the_notice():
    subject, text, _ = render("letter_task", "vi", CONTEXTS["letter_task"])
    assert subject == "[Gửi văn bản giấy] Thông báo kết luận — KN-XA01-2026-000012"
    assert "Thôn Trung Thượng, xã Kỳ Thượng, tỉnh Hà Tĩnh" in text
    assert render("letter_task", "en", CONTEXTS["letter_task"])[0] == (
        "[Paper letter] Conclusion notice — KN-XA01-2026-000012")


@pytest.mark.parametrize("value", [date(2026, 1, 7), datetime(2026, 1, 7, 23, 59), "2026-01-07",
                                   "2026-01-07T08:30:00+07:00"])
def test_ddmmyyyy_accepts_dates_datetimes_and_iso(value):
    assert ddmmyyyy(value) == "07/01/2026"


def test_ddmmyyyy_rejects_garbage():
    with pytest.raises(ValueError):
        ddmmyyyy("07/01/2026x")
    with pytest.raises(TypeError):
        ddmmyyyy(20260107)


def test_weekday_names():
    from notifications.render import environment
    tpl = environment().from_string("{{ d|weekday }}")
    week = [date(2026, 1, 5 + i) for i in range(7)]
    assert [tpl.render(d=d, lang="vi") for d in week] == [
        "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
    assert [tpl.render(d=d, lang="en") for d in week][::6] == ["Monday", "Sunday"]


def test_compose_builds_a_message():
    msg = compose("due_today", "EN-us", "an@example.vn", CONTEXTS["due_today"], meta={"outbox_id": 7})
    assert msg.lang == "en" and msg.kind == "due_today" and msg.to_email == "an@example.vn"
    assert msg.subject.startswith("[Due today]") and msg.meta == {"outbox_id": 7}
