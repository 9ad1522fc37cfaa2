"""Fixtures of the web tests: the app on the `org` database, petitions in every place the
role matrix needs, and a client that signs in and carries the CSRF token like a browser."""
from __future__ import annotations

import re

import pytest

from engine.persistence.db import transaction
from tests.conftest import NOW, PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(org, tmp_path):
    from config.settings import Settings
    from web import create_app
    settings = Settings(var_dir=tmp_path / "var", secret_key="test-secret")
    app = create_app(engine=org, settings=settings, now=NOW, testing=True)
    return app


@pytest.fixture
def data(org, ctx):
    """C1: R (received), A1 (in resolution at C1-D1), A2 (at C1-D2); C2: B (at C2-D1)."""
    from engine.services import petitions as svc
    from engine.services.sessions import add_session
    out = {}
    with transaction(org) as s:
        rs = add_session(s, "C1", "dialogue_periodic", "2026-11-02", people=4, chair="Bí thư")
        out["session"] = rs.id
        for key, unit, summary, name in [("R", "C1", "Đề nghị sửa đường liên thôn", "Nguyễn Văn Đức"),
                                         ("A1", "C1", "Tranh chấp ranh giới đất", "Trần Thị Bích"),
                                         ("A2", "C1", "Chế độ hộ cận nghèo", "Lê Văn Cường"),
                                         ("B", "C2", "Ô nhiễm tiếng ồn", "Phạm Thị Dung")]:
            p = svc.add_petition(s, ctx, unit, summary, received_on="2026-11-02",
                                 session_id=rs.id if unit == "C1" else None,
                                 petitioners=[{"name": name, "address": "Thôn 3", "phone": "0912345678"}])
            out[key] = p.code
        svc.act(s, ctx, out["A1"], "conclude", "clerk1", {"notice_no": "12-TB/ĐU", "department": "C1-D1"}, on="2026-11-06")
        svc.act(s, ctx, out["A2"], "conclude", "clerk1", {"notice_no": "12-TB/ĐU", "department": "C1-D2"}, on="2026-11-06")
        svc.act(s, ctx, out["B"], "conclude", "clerk2", {"notice_no": "7-TB/ĐU", "department": "C2-D1"}, on="2026-11-06")
    return out


class Browser:
    """A test client that keeps the last CSRF token it saw, like a browser would."""

    def __init__(self, client):
        self.c = client
        self.token = None

    def get(self, url, **kw):
        r = self.c.get(url, **kw)
        m = TOKEN.search(r.get_data(as_text=True))
        if m:
            self.token = m.group(1)
        return r

    def post(self, url, data=None, token=True, **kw):
        data = dict(data or {})
        if token:
            if self.token is None:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self.c.post(url, data=data, **kw)

    def login(self, username, password=PASSWORD):
        self.get("/login")
        r = self.post("/login", {"username": username, "password": password})
        if r.status_code == 302:
            self.get("/")  # the session was renewed at sign-in: pick up its CSRF token
        return r

    def lang(self, lang):
        self.get("/login")
        return self.post("/lang", {"lang": lang, "next": "/"})


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def as_user(app):
    """as_user('clerk1') -> a signed-in Browser."""
    def make(username):
        b = Browser(app.test_client())
        r = b.login(username)
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return b
    return make
