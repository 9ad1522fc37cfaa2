"""The users' jobs in a real browser, in Vietnamese and in English, on the demo data."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.persistence.db import transaction
from engine.intake.demo import DEMO_PASSWORD
from engine.persistence.models import Petition

pytestmark = pytest.mark.e2e

TEXT = {
    "vi": {"desk": "Bàn tiếp công dân", "work": "Việc của tôi", "resolved": "Đã giải quyết", "history": "Lịch sử xử lý",
           "extended": "đã gia hạn", "escalated": "Đã báo cáo cấp trên", "book": "SỔ TIẾP CÔNG DÂN"},
    "en": {"desk": "Reception desk", "work": "My work", "resolved": "Resolved", "history": "History",
           "extended": "extended", "escalated": "Escalated", "book": "RECEPTION LOG BOOK"},
}


def sign_in(page, base, username, lang):
    page.goto(f"{base}/login")
    page.click(f"#lang-{lang}")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#signin")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]


def sign_out(page):
    page.click("#logout")
    page.wait_for_url(re.compile(r".*/login$"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_clerk_department_leader_auditor(chromium, demo_server, shots, lang):
    base, engine = demo_server
    t = TEXT[lang]
    ctx = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # The clerk registers a dialogue with three petitions.
    sign_in(page, base, "vanthu", lang)
    assert t["desk"] in page.content()
    shots(page, "clerk-desk")
    page.click("#new-session")
    page.select_option("#kind", "dialogue_periodic")
    page.fill("#chair", "Phạm Văn Hùng")
    page.fill("#people", "9")
    page.click("#add-row")  # a fourth, empty row: ignored
    assert page.locator("tr.row").count() == 4
    rows = [("Đề nghị sửa cầu tràn thôn 5", "Nguyễn Văn Đức", "infrastructure"),
            ("Tranh chấp ranh giới đất với hộ liền kề", "Trần Thị Bích", "land"),
            ("Kiến nghị bồi thường khi mở rộng đường", "Lê Văn Cường", "compensation")]
    for i, (summary, name, cat) in enumerate(rows):
        page.fill(f'[name="rows-{i}-summary"]', summary)
        page.fill(f'[name="rows-{i}-name"]', name)
        page.fill(f'[name="rows-{i}-address"]', "Thôn 5, xã Kỳ Thượng")
        page.select_option(f'[name="rows-{i}-category"]', cat)
    shots(page, "clerk-session-form")
    page.click("#save-session")
    page.wait_for_load_state()
    codes = re.findall(r"KN-KYTHUONG-\d{4}-\d{6}", page.inner_text("table.list"))
    assert len(set(codes)) == 3, page.content()[:2000]
    codes = sorted(set(codes))
    shots(page, "clerk-session-saved")

    # ... and concludes all three in one notice.
    page.click("#go-conclusions")
    page.fill("#notice_no", "41-TB/ĐU")
    for c in codes:
        page.check(f"#pick-{c}")
        page.select_option(f'[name="dept-{c}"]', "KYTHUONG-DC")
    shots(page, "clerk-conclusion-form")
    page.click("#issue-notice")
    page.wait_for_load_state()
    assert "41-TB/ĐU" in page.content()
    shots(page, "clerk-conclusion-issued")
    page.goto(f"{base}/logbook")
    assert t["book"] in page.content() and "Nguyễn Văn Đức" in page.content()
    shots(page, "clerk-logbook")
    sign_out(page)

    # The department resolves one from "Việc của tôi".
    sign_in(page, base, "diachinh", lang)
    assert t["work"] in page.content() and codes[0] in page.content()
    assert page.locator("[data-deadline]").count() > 0
    shots(page, "department-my-work")
    page.click(f"text={codes[0]}")
    page.fill("#resolve-document_no", "118/UBND-ĐC")
    page.fill("#resolve-outcome", "Đã khảo sát, đưa vào kế hoạch sửa chữa")
    page.click("#do-resolve")
    page.wait_for_load_state()
    assert t["resolved"] in page.inner_text("h1")
    shots(page, "department-resolved")
    sign_out(page)

    # The leader extends one and escalates one.
    sign_in(page, base, "bithu", lang)
    shots(page, "leader-backlog")
    page.goto(f"{base}/petitions/{codes[1]}")
    page.click("#action-extend summary")
    page.fill("#extend-reason", "Cần đo đạc lại hiện trạng")
    page.fill("#extend-days", "15")
    page.click("#do-extend")
    page.wait_for_load_state()
    assert page.locator('[data-flag="extended"]').count() == 1
    shots(page, "leader-extended")
    page.goto(f"{base}/petitions/{codes[2]}")
    page.click("#action-escalate summary")
    page.click("#do-escalate")  # without the reason: refused, next to the field
    page.wait_for_load_state()
    assert page.locator('#action-escalate [data-field="reason"]').count() == 1
    shots(page, "leader-escalate-missing-reason")
    page.fill("#escalate-reason", "Vượt thẩm quyền cấp xã")
    page.click("#do-escalate")
    page.wait_for_load_state()
    assert t["escalated"] in page.inner_text("h1")
    shots(page, "leader-escalated")
    sign_out(page)

    # The auditor opens the history and sees every step.
    sign_in(page, base, "ubkt", lang)
    shots(page, "auditor-overview")
    page.goto(f"{base}/overview?q={codes[1]}")
    page.click(f"text={codes[1]}")
    assert t["history"] in page.content()
    steps = page.locator("ol.timeline li").evaluate_all("els => els.map(e => e.dataset.action)")
    assert steps == ["receive", "conclude", "extend"]
    page.click("details.why summary")
    shots(page, "auditor-history-extended")
    for code, expected in [(codes[0], ["receive", "conclude", "resolve"]), (codes[2], ["receive", "conclude", "escalate"])]:
        page.goto(f"{base}/petitions/{code}")
        assert page.locator("ol.timeline li").evaluate_all("els => els.map(e => e.dataset.action)") == expected
    assert page.locator('[id^="do-"]').count() == 0  # read-only
    shots(page, "auditor-history-escalated")
    assert not errors, errors
    ctx.close()

    with transaction(engine) as s:
        states = dict(s.execute(select(Petition.code, Petition.state).where(Petition.code.in_(codes))).all())
    assert states == {codes[0]: "resolved", codes[1]: "in_resolution", codes[2]: "escalated"}
