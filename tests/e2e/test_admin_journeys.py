"""Administration in a real browser (issue 18): an administrator invites a user, who opens the
one-time link in their own browser, sets a password and signs in; the link then no longer works."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.intake.demo import DEMO_PASSWORD
from engine.persistence.db import transaction
from engine.persistence.models import AdminEvent, User

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "mat-khau-moi-cua-toi"


def sign_in(page, base, username, password, lang):
    page.goto(f"{base}/login")
    page.click(f"#lang-{lang}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#signin")
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_admin_invites_a_user_who_then_signs_in(chromium, demo_server, shots, lang):
    base, engine = demo_server
    errors = []
    admin_ctx = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = admin_ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, "admin", DEMO_PASSWORD, lang)
    assert "/login" not in page.url
    page.goto(f"{base}/admin/")
    page.click("#admin-users")
    page.fill("#username", "canbo.moi")
    page.fill("#full_name", "Đỗ Thị Mới")
    page.select_option("#role", "clerk")
    page.select_option("#unit", "KYANH")
    page.check("input[name=how][value=invite]")
    page.fill("#days", "3")
    page.click("#do-add-user")
    page.wait_for_load_state()
    link = page.locator("#invite-url").inner_text().strip()
    assert re.match(r"^http://127\.0\.0\.1:\d+/invite/[A-Za-z0-9_-]{40,}$", link), link
    shots(page, "invite-link")

    # The new user, in another browser: a wrong confirmation first, then the password.
    user_ctx = chromium.new_context(viewport={"width": 390, "height": 800})  # a phone
    upage = user_ctx.new_page()
    upage.on("pageerror", lambda e: errors.append(str(e)))
    upage.goto(link)
    assert "canbo.moi" in upage.content()
    upage.fill("#password", NEW_PASSWORD)
    upage.fill("#confirm", NEW_PASSWORD + "x")
    upage.click("#invitation-form button[type=submit]")
    upage.wait_for_load_state()
    assert upage.locator('[data-field="confirm"]').count() == 1
    upage.fill("#password", NEW_PASSWORD)
    upage.fill("#confirm", NEW_PASSWORD)
    upage.click("#invitation-form button[type=submit]")
    upage.wait_for_url(re.compile(r".*/login$"))
    shots(upage, "password-set")
    sign_in(upage, base, "canbo.moi", NEW_PASSWORD, lang)
    assert "/login" not in upage.url
    assert "Đỗ Thị Mới" in upage.locator("#nav-account").inner_text()
    upage.click("#nav-account")
    assert upage.locator("#own-sign-ins tbody tr").count() >= 1
    shots(upage, "own-account")

    # The link worked once.
    other = chromium.new_context().new_page()
    resp = other.goto(link)
    assert resp.status == 404
    with transaction(engine) as s:
        u = s.scalar(select(User).where(User.username == "canbo.moi"))
        assert u.role == "clerk" and u.unit.code == "KYANH" and u.password_hash
        assert [e.action for e in s.scalars(select(AdminEvent).where(AdminEvent.target == "canbo.moi")
                                            .order_by(AdminEvent.seq))] == ["user_invited", "invitation_used"]
    assert not errors, errors
    admin_ctx.close()
    user_ctx.close()


def test_admin_pages_fit_a_phone(chromium, demo_server, shots):
    """The new pages at 390 px: nothing scrolls sideways (tables become cards)."""
    base, engine = demo_server
    with transaction(engine) as s:
        from engine.persistence.models import OrgUnit
        unit_id = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "KYANH"))
        user_id = s.scalar(select(User.id).where(User.username == "vanthu"))
    page = chromium.new_context(viewport={"width": 390, "height": 800}).new_page()
    sign_in(page, base, "admin", DEMO_PASSWORD, "vi")
    wide = []
    for path in ["/admin/", "/admin/units/", f"/admin/units/{unit_id}", "/admin/units/reorganise", "/admin/users/",
                 f"/admin/users/{user_id}", "/account"]:
        page.goto(base + path)
        if path == "/admin/units/reorganise":  # the preview's table too
            page.fill("#sources", "KYANH, KYLAC")
            page.fill("#effective_on", "01/01/2027")
            page.fill("#new_code", "KYMOI")
            page.fill("#new_name", "Xã Kỳ Mới")
            page.select_option("#new_parent", "HT")
            page.click("#do-preview")
            page.wait_for_load_state()
            assert page.locator("#preview-table").count() == 1
        size = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if size[0] > size[1]:
            wide.append((path, size))
        shots(page, path.strip("/").replace("/", "-") or "admin")
    assert not wide, wide
