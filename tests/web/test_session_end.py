"""Issue 11, part 2: sign-out, a new password, a new role or unit and deactivation end every
existing session of the user server-side; a cookie copied before is refused after."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import User
from engine.services import users as svc


def _copy(browser) -> str:
    cookie = browser.c.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app, value: str):
    c = app.test_client()
    c.set_cookie("session", value)
    return c.get("/")


def _signed_in(resp) -> bool:
    return resp.status_code == 200


def _to_login(resp) -> bool:
    return resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_a_cookie_copied_before_sign_out_is_refused_after(app, as_user):
    b = as_user("clerk1")
    stolen = _copy(b)
    assert _signed_in(_replay(app, stolen))  # the copy works while the session lives
    other = as_user("clerk1")  # the same user on another device
    assert b.post("/logout").status_code == 302
    assert _to_login(_replay(app, stolen))
    assert _to_login(other.get("/"))  # sign-out ends every session of the user
    assert _signed_in(as_user("clerk1").get("/"))  # and signing in again works


@pytest.mark.parametrize("change", [
    lambda s: svc.set_password(s, "clerk1", "a-brand-new-password"),
    lambda s: svc.change_user(s, "clerk1", role="leader"),
    lambda s: svc.change_user(s, "clerk1", unit_code="C2"),
    lambda s: svc.deactivate_user(s, "clerk1"),
], ids=["password", "role", "unit", "deactivation"])
def test_account_changes_end_existing_sessions(app, as_user, org, change):
    b = as_user("clerk1")
    stolen = _copy(b)
    untouched = as_user("leader1")
    with transaction(org) as s:
        change(s)
    assert _to_login(_replay(app, stolen))
    assert _to_login(b.get("/"))
    assert _signed_in(untouched.get("/"))  # other users keep their sessions


def test_a_change_to_nothing_new_keeps_sessions(app, as_user, org):
    b = as_user("clerk1")
    with transaction(org) as s:
        svc.change_user(s, "clerk1", role="clerk", unit_code="C1")
    assert _signed_in(b.get("/"))


def test_refused_changes_change_nothing(org):
    from engine.language.errors import DomainError
    with transaction(org) as s:
        before = s.scalar(select(User).where(User.username == "clerk1"))
        epoch, hash_ = before.session_epoch, before.password_hash
    for bad in (lambda s: svc.set_password(s, "clerk1", "short"),
                lambda s: svc.change_user(s, "clerk1", role="emperor"),
                lambda s: svc.change_user(s, "clerk1", unit_code="NOWHERE"),
                lambda s: svc.change_user(s, "clerk1"),
                lambda s: svc.deactivate_user(s, "nobody")):
        with pytest.raises(DomainError) as e:
            with transaction(org) as s:
                bad(s)
        assert e.value.message("vi") and e.value.message("en")
    with transaction(org) as s:
        u = s.scalar(select(User).where(User.username == "clerk1"))
        assert (u.session_epoch, u.password_hash, u.role, u.active) == (epoch, hash_, "clerk", True)


def test_a_session_without_an_epoch_is_refused(app, as_user):
    """A cookie whose user id carries no epoch (issued before epochs existed) must sign in again."""
    b = as_user("clerk1")
    with b.c.session_transaction() as sess:
        sess["_user_id"] = sess["_user_id"].split(":")[0]
    assert _to_login(b.get("/"))
