"""Issue 11, part 3: no open redirect through `next`, whatever the browser would forgive
(tabs, backslashes, percent-encoding twice over, fullwidth solidus, schemes, dot segments)."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import InboxItem, User
from tests.conftest import PASSWORD
from tests.web.conftest import Browser
from web.security import local_target

BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example",
    "\\/evil.example", "/\t/evil.example", "/%09/evil.example", "/%2F/evil.example", "/%2f%2fevil.example",
    "/%5Cevil.example", "/%5cevil.example", "/%255Cevil.example", "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example", "https://evil.example", "https:evil.example", "http:/evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "/\uff0fevil.example", "/\uff3cevil.example", "\uff0f\uff0fevil.example", "/%EF%BC%8Fevil.example",
    "/\uff05\uff12\uff26evil.example", "/.//evil.example", "/..//evil.example", "/./../evil.example",
    " //evil.example", "\n//evil.example", "/\r\n/evil.example", "/%0d%0aSet-Cookie:%20x=1", "/%00//evil.example",
    "/\u3000/evil.example", "/\u200b/evil.example", "/\u2215evil.example", "evil.example", "@evil.example",
    "/ /evil.example",
]
SAFE = ["/", "/petitions/KN-C1-2026-000001", "/inbox?page=2", "/reports/ontime?unit=C1&from=2026-01-01",
        "/search?q=Nguy%E1%BB%85n%20V%C4%83n", "/search?q=http://x.example"]


@pytest.mark.parametrize("target", BYPASSES)
def test_local_target_refuses(target):
    assert local_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", SAFE)
def test_local_target_keeps_paths_of_this_site(target):
    assert local_target(target, "/home") == target


def _offsite(resp) -> str | None:
    """None when the redirect stays on this site, else the Location."""
    loc = resp.headers.get("Location", "")
    return None if loc == "/" or loc.startswith("/inbox") else loc


def test_login_next(app, org):
    bad = []
    for target in BYPASSES:
        b = Browser(app.test_client())  # a new visitor each time: a signed-in one is sent home anyway
        b.get("/login")
        r = b.post("/login?next=" + quote(target, safe=""), {"username": "clerk1", "password": PASSWORD})
        assert r.status_code == 302, (target, r.status_code)
        if _offsite(r):
            bad.append((target, r.headers["Location"]))
    assert not bad


def test_lang_next(browser, org):
    bad = []
    for target in BYPASSES:
        browser.get("/login")
        r = browser.post("/lang", {"lang": "en", "next": target})
        assert r.status_code == 302, target
        if _offsite(r):
            bad.append((target, r.headers["Location"]))
    assert not bad
    assert browser.post("/lang", {"lang": "vi", "next": "/inbox?page=2"}).headers["Location"] == "/inbox?page=2"


def test_inbox_next(as_user, org):
    with transaction(org) as s:
        uid = s.scalar(select(User.id).where(User.username == "clerk1"))
        item = InboxItem(user_id=uid, kind="reminder", title="Nhắc việc")
        s.add(item)
        s.flush()
        item_id = item.id
    b = as_user("clerk1")
    bad = []
    for target in BYPASSES:
        r = b.post(f"/inbox/{item_id}/read", {"next": target})
        assert r.status_code == 302, target
        if r.headers["Location"] != "/inbox":
            bad.append((target, r.headers["Location"]))
    assert not bad
