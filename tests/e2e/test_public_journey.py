"""A citizen on a phone sends a petition online, gets a code and a secret, a clerk acts on
the case, and the citizen tracks it and sees the new state; the public pages fit a 390 px
screen and run no script."""
from __future__ import annotations

import re

import pytest

from engine.intake.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = {"vi": {"received": "Đã tiếp nhận", "resolving": "Đang giải quyết", "online": "nhận trực tuyến"},
        "en": {"received": "Received", "resolving": "Being resolved", "online": "received online"}}
MEASURE = "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth, scripts: document.scripts.length})"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_citizen_submits_online_and_tracks_the_case_after_the_clerk_acts(chromium, demo_server, shots, lang,
                                                                              tmp_path):
    base, _engine = demo_server
    t = TEXT[lang]
    phone = chromium.new_context(viewport={"width": 390, "height": 800})
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{base}/public/")
    page.click(f"#lang-{lang}")
    for path in ("/public/", "/public/track", "/public/deadline?start=02/11/2026&days=30", "/public/schedules",
                 "/public/submit"):
        page.goto(base + path)
        m = page.evaluate(MEASURE)
        assert m["scroll"] <= m["inner"] and m["scripts"] == 0, (path, m)
    shots(page, "submit-form")

    attachment = tmp_path / "so-do-thua-dat.pdf"
    attachment.write_bytes(PDF)
    page.select_option("#unit", "KYTHUONG")
    page.fill("#name", "Đinh Thị Phượng")
    page.fill("#contact", "0912 000 111")
    page.fill("#address", "Thôn 7, xã Kỳ Thượng")
    page.fill("#content", "Đề nghị kiểm tra việc lấn chiếm hành lang đường liên thôn")
    page.set_input_files("#attachments", str(attachment))
    page.click("#send")
    page.wait_for_selector("#slip")
    m = page.evaluate(MEASURE)
    assert m["scroll"] <= m["inner"], m
    code = page.inner_text("#slip-code").strip()
    secret = page.inner_text("#slip-secret").strip()
    assert re.fullmatch(r"KN-KYTHUONG-\d{4}-\d{6}", code) and re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", secret)
    assert page.locator("#slip svg").count() == 1
    shots(page, "receipt-slip")

    # right away: received
    page.click("#to-track")
    assert page.input_value("#code") == code
    page.fill("#secret", secret)
    page.click("#track")
    assert page.inner_text("#state").strip() == t["received"]
    assert "Đinh Thị Phượng" not in page.content()

    # the clerk finds it in the desk's queue, marked as received online, and concludes it
    office = chromium.new_context(viewport={"width": 1366, "height": 900})
    desk = office.new_page()
    desk.goto(f"{base}/login")
    desk.click(f"#lang-{lang}")
    desk.fill("#username", "vanthu")
    desk.fill("#password", DEMO_PASSWORD)
    desk.click("#signin")
    desk.wait_for_load_state()
    row = desk.locator("tr", has=desk.locator(f"a:text-is('{code}')"))
    assert t["online"] in row.inner_text()
    row.locator(f"a:text-is('{code}')").click()
    assert "so-do-thua-dat.pdf" in desk.inner_text("#online")
    desk.locator("#action-conclude summary").click()
    desk.fill("#conclude-notice_no", "45-TB/UBND")
    desk.select_option("#conclude-department", "KYTHUONG-DC")
    desk.click("#do-conclude")
    desk.wait_for_load_state()
    shots(desk, "clerk-concluded")
    office.close()

    # the citizen tracks again and sees the new state, the department by name and the notice
    page.goto(f"{base}/public/track?code={code}")
    page.fill("#secret", secret)
    page.click("#track")
    assert page.inner_text("#state").strip() == t["resolving"]
    assert "Phòng Địa chính – Xây dựng xã Kỳ Thượng" in page.inner_text("#responsible")
    assert "45-TB/UBND" in page.inner_text("#documents")
    assert "Nguyễn Thị Hoa" not in page.content()  # the clerk's name is not shown
    shots(page, "tracked")
    assert not errors, errors
    phone.close()
