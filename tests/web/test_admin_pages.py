"""Administration in the browser (issue 18): units, users, self-service and invitation links.
Every form with its bad inputs (a message, status 400, nothing saved), scope refusals, CSRF."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.persistence.db import transaction
from engine.persistence.models import AdminEvent, OrgUnit, Petition, User, UserInvitation
from tests.conftest import PASSWORD

NEW_PW = "another-long-passphrase"
LINK = re.compile(r'<code id="invite-url">https?://[^/]+(/invite/[^<]+)</code>')


_USER_URL = re.compile(r"^/admin/users/([^/?]+)")
_UNIT_URL = re.compile(r"^/admin/units/(?!add$|reorganise$)([^/?]+)")


@pytest.fixture(autouse=True)
def _ids_in_addresses(org, monkeypatch):
    """The pages address users and units by id; these tests write names and codes, for the
    reader: /admin/users/clerk1 -> /admin/users/<its id> (an unknown name -> an id that does
    not exist)."""
    from tests.web.conftest import Browser

    def by_id(url):
        with transaction(org) as s:
            def uid(m):
                return f"/admin/users/{s.scalar(select(User.id).where(User.username == m.group(1))) or 999999}"

            def nid(m):
                return f"/admin/units/{s.scalar(select(OrgUnit.id).where(OrgUnit.code == m.group(1))) or 999999}"
            return _UNIT_URL.sub(nid, _USER_URL.sub(uid, url))
    get, post = Browser.get, Browser.post
    monkeypatch.setattr(Browser, "get", lambda self, url, **kw: get(self, by_id(url), **kw))
    monkeypatch.setattr(Browser, "post", lambda self, url, data=None, token=True, **kw:
                        post(self, by_id(url), data, token, **kw))


@pytest.fixture
def c1admin(org):
    from engine.services.users import add_user
    with transaction(org) as s:
        add_user(s, "c1admin", "admin", "C1", PASSWORD, full_name="Quản trị xã Một")
    return "c1admin"


def _count(org, model, *where):
    with transaction(org) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _user(org, name):
    with transaction(org) as s:
        u = s.scalar(select(User).where(User.username == name))
        s.expunge(u)
        return u


def _state(org):
    """Everything an admin form may change, to prove a refused form changed nothing."""
    with transaction(org) as s:
        return ([(u.code, u.name, u.parent_id, u.valid_from, u.valid_to) for u in s.scalars(select(OrgUnit).order_by(OrgUnit.id))],
                [(u.username, u.role, u.unit_id, u.active, u.password_hash, u.session_epoch, u.notify_mode, u.lang)
                 for u in s.scalars(select(User).order_by(User.id))],
                s.scalar(select(func.count(UserInvitation.id))), s.scalar(select(func.count(AdminEvent.id))))


PAGES = ["/admin/", "/admin/units/", "/admin/units/C1", "/admin/units/reorganise", "/admin/users/", "/admin/users/clerk1"]


@pytest.mark.parametrize("username", ["clerk1", "leader1", "dept1", "auditor"])
def test_admin_pages_are_for_admins_only_and_account_for_everyone(as_user, username):
    b = as_user(username)
    for url in PAGES:
        assert b.get(url).status_code == 403, url
    assert b.get("/account").status_code == 200


def test_admin_pages_open(as_user):
    b = as_user("admin")
    for url in PAGES + ["/account"]:
        r = b.get(url)
        assert r.status_code == 200, (url, r.status_code)
    assert "Xã Một" in b.get("/admin/units/").get_data(as_text=True)


def test_a_commune_admin_sees_and_touches_only_its_commune(as_user, org, c1admin):
    b = as_user(c1admin)
    for url in ["/admin/units/C2", "/admin/units/P", "/admin/users/clerk2", "/admin/users/admin"]:
        assert b.get(url).status_code == 404, url
    body = b.get("/admin/users/").get_data(as_text=True)
    assert "clerk1" in body and "clerk2" not in body and "pclerk" not in body
    before = _state(org)
    for url, form in [("/admin/units/add", {"code": "C1-D9", "name": "Ban mới", "level": "department", "parent": "P"}),
                      ("/admin/units/C2/rename", {"name": "Xã Hai Mới"}),
                      ("/admin/units/C1-D1/move", {"parent": "C2"}),
                      ("/admin/units/reorganise", {"step": "save", "kind": "merge", "sources": "C2",
                                                   "effective_on": "01/12/2026", "target": "C1"}),
                      ("/admin/users/", {"username": "newp", "role": "clerk", "unit": "P", "how": "invite"}),
                      ("/admin/users/clerk2/change", {"role": "leader", "unit": "C2"}),
                      ("/admin/users/clerk2/deactivate", {}), ("/admin/users/clerk2/reset", {}),
                      ("/admin/users/clerk1/change", {"role": "clerk", "unit": "C2"})]:
        r = b.post(url, form)
        assert r.status_code in (400, 404), (url, r.status_code)
        assert r.status_code == 404 or 'role="alert"' in r.get_data(as_text=True), url
    assert _state(org) == before


ADD_BAD = [({"code": "", "name": "Ban A", "level": "department", "parent": "C1"}, "code"),
           ({"code": "C1", "name": "Ban A", "level": "department", "parent": "C1"}, "code"),
           ({"code": "A B", "name": "Ban A", "level": "department", "parent": "C1"}, "code"),
           ({"code": "X" * 40, "name": "Ban A", "level": "department", "parent": "C1"}, "code"),
           ({"code": "NEW", "name": "", "level": "department", "parent": "C1"}, "name"),
           ({"code": "NEW", "name": "\u200b\u200b", "level": "department", "parent": "C1"}, "name"),
           ({"code": "NEW", "name": "x" * 300, "level": "department", "parent": "C1"}, "name"),
           ({"code": "NEW", "name": "Ban A", "level": "hamlet", "parent": "C1"}, "level"),
           ({"code": "NEW", "name": "Ban A", "level": "department", "parent": "NOPE"}, "parent"),
           ({"code": "NEW", "name": "Ban A", "level": "department", "parent": "C1", "valid_from": "31/02/2026"}, "valid_from")]


@pytest.mark.parametrize("form,field", ADD_BAD)
def test_add_unit_bad_input(as_user, org, form, field):
    b = as_user("admin")
    before = _state(org)
    r = b.post("/admin/units/add", form)
    assert r.status_code == 400
    assert f'data-field="{field}"' in r.get_data(as_text=True)
    assert _state(org) == before


def test_add_rename_move_a_unit(as_user, org):
    b = as_user("admin")
    r = b.post("/admin/units/add", {"code": "C3", "name": "Xã Ba", "level": "commune", "parent": "P",
                                     "valid_from": "01/12/2026"})
    assert r.status_code == 302
    assert b.post("/admin/units/C3/rename", {"name": "Xã Ba Mới"}).status_code == 302
    assert b.post("/admin/units/C1-D2/move", {"parent": "C3"}).status_code == 302
    for url, form, field in [("/admin/units/C3/rename", {"name": ""}, "name"),
                             ("/admin/units/C3/rename", {"name": "Xã Ba Mới"}, "name"),
                             ("/admin/units/C3/move", {"parent": "C1-D2"}, "parent"),
                             ("/admin/units/C3/move", {"parent": "NOPE"}, "parent")]:
        r = b.post(url, form)
        assert r.status_code == 400 and f'data-field="{field}"' in r.get_data(as_text=True), (url, form)
    with transaction(org) as s:
        c3 = s.scalar(select(OrgUnit).where(OrgUnit.code == "C3"))
        assert c3.name == "Xã Ba Mới" and s.scalar(select(OrgUnit.parent_id).where(OrgUnit.code == "C1-D2")) == c3.id
        assert [e.action for e in s.scalars(select(AdminEvent).order_by(AdminEvent.seq))] == \
            ["unit_created", "unit_renamed", "unit_moved"]
    body = b.get("/admin/units/").get_data(as_text=True)
    assert "01/12/2026" in body


def test_reorganise_preview_saves_nothing_then_save_moves(as_user, org, data):
    b = as_user("admin")
    form = {"kind": "merge", "sources": "C1, C2", "effective_on": "01/12/2026", "new_code": "CN",
            "new_name": "Xã Một Hai", "new_level": "commune", "new_parent": "P", "target": "", "step": "preview"}
    before = _state(org)
    r = b.post("/admin/units/reorganise", form)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="preview-table"' in body and 'id="reorganise-save"' in body
    row = re.search(r'<tr data-unit="C1">(.*?)</tr>', body, re.S).group(1)
    assert [int(n) for n in re.findall(r'class="n">(\d+)<', row)][:3] == [3, 0, 3]  # 3 open cases, 0 planned, 3 users (clerk1, leader1, c1auditor)
    assert _state(org) == before
    r = b.post("/admin/units/reorganise", dict(form, step="save"))
    assert r.status_code == 302
    with transaction(org) as s:
        cn = s.scalar(select(OrgUnit).where(OrgUnit.code == "CN"))
        assert {p.unit_id for p in s.scalars(select(Petition))} == {cn.id}
        assert s.scalar(select(OrgUnit.valid_to).where(OrgUnit.code == "C1")).isoformat() == "2026-11-30"


REORG_BAD = [({"kind": "merge", "sources": "", "effective_on": "01/12/2026", "target": "P"}, "sources"),
             ({"kind": "merge", "sources": "C1", "effective_on": "2026-13-01", "target": "P"}, "effective_on"),
             ({"kind": "merge", "sources": "C1", "effective_on": "01/12/2026", "target": "C1-D1"}, "target"),
             ({"kind": "merge", "sources": "NOPE", "effective_on": "01/12/2026", "target": "P"}, "sources"),
             ({"kind": "split", "sources": "C1", "effective_on": "01/12/2026", "new_units": "A; a"}, "new_units"),
             ({"kind": "merge", "sources": "C1", "effective_on": "01/12/2026", "new_code": "C2", "new_name": "x",
               "new_level": "commune", "new_parent": "P"}, "new_code"),
             ({"kind": "merge", "sources": "P", "effective_on": "01/12/2026", "target": "C1"}, "sources")]


@pytest.mark.parametrize("form,field", REORG_BAD)
@pytest.mark.parametrize("step", ["preview", "save"])
def test_reorganise_bad_input(as_user, org, form, field, step):
    b = as_user("admin")
    before = _state(org)
    r = b.post("/admin/units/reorganise", dict(form, step=step))
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and (f'data-field="{field}"' in body or 'data-field="form"' in body), body[-2000:]
    assert _state(org) == before


def _invite(b, username="newclerk", unit="C1"):
    r = b.post("/admin/users/", {"username": username, "full_name": "Người Mới", "role": "clerk", "unit": unit,
                                 "how": "invite", "days": "3"})
    assert r.status_code == 201, r.get_data(as_text=True)[-1500:]
    return LINK.search(r.get_data(as_text=True)).group(1)


def test_invite_then_set_password_then_sign_in(as_user, browser, app, org):
    link = _invite(as_user("admin"))
    with transaction(org) as s:
        inv = s.scalar(select(UserInvitation))
        assert link.rsplit("/", 1)[1] not in (inv.token_hash,) and len(inv.token_hash) == 64  # only a hash is kept
    assert browser.login("newclerk", NEW_PW).status_code == 401  # no password yet
    assert browser.get(link).status_code == 200
    for form, field in [({"password": "short", "confirm": "short"}, "password"),
                        ({"password": NEW_PW, "confirm": NEW_PW + "x"}, "confirm"),
                        ({"password": "", "confirm": ""}, "password")]:
        r = browser.post(link, form)
        assert r.status_code == 400 and f'data-field="{field}"' in r.get_data(as_text=True)
    r = browser.post(link, {"password": NEW_PW, "confirm": NEW_PW})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert browser.get(link).status_code == 404  # once only
    assert browser.post(link, {"password": "yet-another-passphrase", "confirm": "yet-another-passphrase"}).status_code == 404
    assert browser.login("newclerk", NEW_PW).status_code == 302
    with transaction(org) as s:
        assert [e.action for e in s.scalars(select(AdminEvent).order_by(AdminEvent.seq))] == ["user_invited", "invitation_used"]


def test_an_expired_or_forged_link_says_nothing(app, browser, org, as_user):
    from datetime import timedelta
    link = _invite(as_user("admin"))
    with transaction(org) as s:
        inv = s.scalar(select(UserInvitation))
        inv.expires_at = inv.expires_at - timedelta(days=10)
    expired, forged = browser.get(link), browser.get("/invite/" + "A" * 43)
    assert expired.status_code == forged.status_code == 404
    assert expired.get_data(as_text=True).count("Liên kết không hợp lệ") == 1
    assert browser.get("/invite/x").status_code == 404


USER_BAD = [({"username": "", "role": "clerk", "unit": "C1", "how": "invite"}, "username"),
            ({"username": "clerk1", "role": "clerk", "unit": "C1", "how": "invite"}, "username"),
            ({"username": "u" * 70, "role": "clerk", "unit": "C1", "how": "invite"}, "username"),
            ({"username": "newu", "role": "boss", "unit": "C1", "how": "invite"}, "role"),
            ({"username": "newu", "role": "clerk", "unit": "NOPE", "how": "invite"}, "unit"),
            ({"username": "newu", "role": "clerk", "unit": "C1", "how": "invite", "email": "not-an-address"}, "email"),
            ({"username": "newu", "role": "clerk", "unit": "C1", "how": "invite", "days": "0"}, "days"),
            ({"username": "newu", "role": "clerk", "unit": "C1", "how": "invite", "days": "400"}, "days"),
            ({"username": "newu", "role": "clerk", "unit": "C1", "how": "invite", "days": "abc"}, "days"),
            ({"username": "newu", "role": "clerk", "unit": "C1", "how": "password", "password": "short",
              "confirm": "short"}, "password"),
            ({"username": "newu", "role": "clerk", "unit": "C1", "how": "password", "password": NEW_PW,
              "confirm": "different-passphrase"}, "confirm")]


@pytest.mark.parametrize("form,field", USER_BAD)
def test_create_user_bad_input(as_user, org, form, field):
    b = as_user("admin")
    before = _state(org)
    r = b.post("/admin/users/", form)
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and f'data-field="{field}"' in body, body[-1500:]
    assert NEW_PW not in body
    assert _state(org) == before


def test_create_with_a_password(as_user, browser, org):
    r = as_user("admin").post("/admin/users/", {"username": "newu", "full_name": "Người Mới", "role": "leader",
                                               "unit": "C2", "how": "password", "password": NEW_PW, "confirm": NEW_PW})
    assert r.status_code == 302
    assert browser.login("newu", NEW_PW).status_code == 302


def test_changes_end_the_users_sessions_and_are_audited(as_user, org):
    admin = as_user("admin")
    victim = as_user("clerk1")
    assert victim.get("/desk").status_code == 200
    assert admin.post("/admin/users/clerk1/change", {"role": "leader", "unit": "C1"}).status_code == 302
    r = victim.get("/desk")
    assert r.status_code == 302 and "/login" in r.headers["Location"]  # signed out everywhere
    assert _user(org, "clerk1").role == "leader"
    victim = as_user("clerk1")
    assert admin.post("/admin/users/clerk1/password", {"password": NEW_PW, "confirm": NEW_PW}).status_code == 302
    assert victim.get("/backlog").status_code == 302
    r = admin.post("/admin/users/clerk1/reset", {})
    assert r.status_code == 200 and LINK.search(r.get_data(as_text=True))
    assert _user(org, "clerk1").password_hash is None
    assert admin.post("/admin/users/clerk1/deactivate", {}).status_code == 302
    assert not _user(org, "clerk1").active
    assert admin.post("/admin/users/clerk1/deactivate", {}).status_code == 400
    assert admin.post("/admin/users/clerk1/activate", {}).status_code == 302
    with transaction(org) as s:
        assert [e.action for e in s.scalars(select(AdminEvent).order_by(AdminEvent.seq))] == \
            ["user_changed", "password_set", "password_reset", "user_deactivated", "user_activated"]
        from engine.persistence.adminlog import verify_admin_log
        assert verify_admin_log(s) == []
        ev = s.scalar(select(AdminEvent).where(AdminEvent.seq == 2))
        ev.data = {"tampered": True}
    with transaction(org) as s:
        from engine.persistence.adminlog import verify_admin_log
        assert verify_admin_log(s) == [2]
    assert 'id="admin-log-broken"' in admin.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("url,form,field", [
    ("/admin/users/clerk1/change", {"role": "clerk", "unit": "C1"}, "role"),
    ("/admin/users/clerk1/change", {"role": "chief", "unit": "C1"}, "role"),
    ("/admin/users/clerk1/change", {"role": "clerk", "unit": "NOPE"}, "unit"),
    ("/admin/users/clerk1/password", {"password": "short", "confirm": "short"}, "password"),
    ("/admin/users/clerk1/password", {"password": NEW_PW, "confirm": "x"}, "confirm"),
    ("/admin/users/clerk1/password", {"password": "p" * 2000, "confirm": "p" * 2000}, "password"),
    ("/admin/users/clerk1/invite", {"days": "-1"}, "days"),
    ("/admin/users/admin/change", {"role": "clerk", "unit": "P"}, "form"),
    ("/admin/users/admin/deactivate", {}, "form"),
])
def test_user_change_bad_input(as_user, org, url, form, field):
    b = as_user("admin")
    before = _state(org)
    r = b.post(url, form)
    assert r.status_code == 400 and f'data-field="{field}"' in r.get_data(as_text=True), r.get_data(as_text=True)[-1500:]
    assert _state(org) == before


def test_own_password_ends_other_sessions_not_this_one(as_user, browser, org):
    here, there = as_user("clerk1"), as_user("clerk1")
    for form, field in [({"current": "wrong-password", "password": NEW_PW, "confirm": NEW_PW}, "current"),
                        ({"current": PASSWORD, "password": "short", "confirm": "short"}, "password"),
                        ({"current": PASSWORD, "password": NEW_PW, "confirm": "other-passphrase"}, "confirm"),
                        ({"current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD}, "password")]:
        before = _state(org)
        r = here.post("/account/password", form)
        assert r.status_code == 400 and f'data-field="{field}"' in r.get_data(as_text=True), form
        assert _state(org) == before
    r = here.post("/account/password", {"current": PASSWORD, "password": NEW_PW, "confirm": NEW_PW})
    assert r.status_code == 302
    assert here.get("/account").status_code == 200  # this session goes on
    r = there.get("/account")
    assert r.status_code == 302 and "/login" in r.headers["Location"]  # the other one ended
    assert browser.login("clerk1", PASSWORD).status_code == 401
    assert browser.login("clerk1", NEW_PW).status_code == 302


def test_preferences_and_own_sign_ins(as_user, org):
    b = as_user("dept1")
    for form, field in [({"notify_mode": "hourly", "lang": "vi"}, "notify_mode"), ({"notify_mode": "digest", "lang": "fr"}, "lang"),
                        ({}, "notify_mode")]:
        before = _state(org)
        r = b.post("/account/preferences", form)
        assert r.status_code == 400 and f'data-field="{field}"' in r.get_data(as_text=True)
        assert _state(org) == before
    assert b.post("/account/preferences", {"notify_mode": "digest", "lang": "en"}).status_code == 302
    u = _user(org, "dept1")
    assert (u.notify_mode, u.lang) == ("digest", "en")
    body = b.get("/account").get_data(as_text=True)
    assert 'id="own-sign-ins"' in body and "<html lang=\"en\"" in body
    assert body.count("<tr>") >= 1


@pytest.mark.parametrize("url", ["/admin/units/add", "/admin/units/C1/rename", "/admin/units/C1-D1/move",
                                 "/admin/units/reorganise", "/admin/users/", "/admin/users/clerk1/change",
                                 "/admin/users/clerk1/password", "/admin/users/clerk1/reset", "/admin/users/clerk1/invite",
                                 "/admin/users/clerk1/deactivate", "/admin/users/clerk1/activate",
                                 "/account/password", "/account/preferences"])
def test_csrf_on_every_admin_form(as_user, org, url):
    before = _state(org)
    assert as_user("admin").post(url, {"name": "x", "role": "leader"}, token=False).status_code == 400
    assert _state(org) == before


def test_the_reform_through_the_pages_and_a_2023_report_still_shows_the_district(as_user, org):
    """A district with its commune becomes a commune under the province (01/07/2025), through
    the preview and the save of the page; the on-time report for 2023 still lists the district."""
    from datetime import datetime, timezone
    from engine.services.petitions import Context, act, add_petition
    from engine.services.units import add_unit
    from engine.services.users import add_user
    ctx = Context(now=datetime(2025, 6, 20, 3, tzinfo=timezone.utc))
    with transaction(org) as s:
        add_unit(s, "H", "Huyện Kỳ Cũ", "district", "P")
        add_unit(s, "H-D", "Phòng Tư pháp huyện Kỳ Cũ", "department", "H")
        add_unit(s, "HX", "Xã Kỳ Cũ Một", "commune", "H")
        add_user(s, "hclerk", "clerk", "H", PASSWORD)
        p = add_petition(s, ctx, "H", "Đơn năm 2023", received_on="2023-03-01")
        act(s, ctx, p.code, "conclude", "hclerk", {"notice_no": "1-TB", "department": "H-D"}, on="2023-03-02")
        act(s, ctx, p.code, "resolve", "hclerk", {"document_no": "2/QĐ", "outcome": "Xong"}, on="2023-03-10")
        open_code = add_petition(s, ctx, "HX", "Đơn đang xử lý", received_on="2025-06-02").code
    b = as_user("admin")
    steps = [{"kind": "merge", "sources": "HX", "effective_on": "01/07/2025", "new_code": "XM", "new_name": "Xã Kỳ Mới",
              "new_level": "commune", "new_parent": "P"},
             {"kind": "merge", "sources": "H", "effective_on": "01/07/2025", "target": "P"}]
    for form in steps:
        before = _state(org)
        r = b.post("/admin/units/reorganise", dict(form, step="preview"))
        assert r.status_code == 200 and 'id="preview-table"' in r.get_data(as_text=True)
        assert _state(org) == before
        assert b.post("/admin/units/reorganise", dict(form, step="save")).status_code == 302
    with transaction(org) as s:
        assert s.scalar(select(OrgUnit.parent_id).where(OrgUnit.code == "XM")) == \
            s.scalar(select(OrgUnit.id).where(OrgUnit.code == "P"))
        assert s.scalar(select(Petition.unit_id).where(Petition.code == open_code)) == \
            s.scalar(select(OrgUnit.id).where(OrgUnit.code == "XM"))
    body = b.get("/admin/units/").get_data(as_text=True)
    assert "Huyện Kỳ Cũ" in body and "30/06/2025" in body and 'id="successions"' in body
    r = b.get("/reports/ontime?unit=P&from=2023-01-01&to=2023-12-31&by=unit")
    assert r.status_code == 200 and "Huyện Kỳ Cũ" in r.get_data(as_text=True)


def test_sign_ins_on_the_overview_stay_in_scope(as_user, browser, c1admin):
    browser.login("clerk2", "wrong-password-here")
    browser.login("nobody.at.all", "wrong-password-here")
    root = as_user("admin").get("/admin/").get_data(as_text=True)
    assert "nobody.at.all" in root and "clerk2" in root
    commune = as_user(c1admin).get("/admin/").get_data(as_text=True)
    assert "nobody.at.all" not in commune and "clerk2" not in commune
