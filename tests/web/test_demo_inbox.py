"""The inbox on the demo data after a tick: every demo user who has items tied to a petition
opens /inbox (the items link to the petition's code)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.persistence.db import make_engine, transaction
from engine.persistence.migrate import upgrade
from tests.conftest import NOW


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from engine.intake.demo import USERS, load_demo
    from engine.scheduler.tick import tick
    from engine.services.petitions import Context
    from notifications.dispatcher import dispatch
    from config.settings import Settings
    path = tmp_path_factory.mktemp("demo")
    engine = make_engine(f"sqlite:///{path / 'demo.db'}")
    upgrade(engine)
    with transaction(engine) as s:
        load_demo(s, Context(now=NOW))
    res = tick(engine, now=NOW)
    dispatch(engine, res.outbox_ids, settings=Settings(var_dir=path / "var", smtp_host=None), now=NOW)
    yield engine, [u for u, *_ in USERS]
    engine.dispose()


def test_every_demo_user_opens_the_inbox_with_items_tied_to_petitions(demo, tmp_path):
    from config.settings import Settings
    from engine.intake.demo import DEMO_PASSWORD
    from engine.persistence.models import InboxItem, Petition, User
    from web import create_app
    from tests.web.conftest import Browser
    engine, usernames = demo
    app = create_app(engine=engine, settings=Settings(var_dir=tmp_path / "var", secret_key="t"), now=NOW, testing=True)
    with transaction(engine) as s:
        tied = {u: n for u, n in s.execute(select(User.username, func.count(InboxItem.id)).join(InboxItem, InboxItem.user_id == User.id)
                              .where(InboxItem.petition_id.is_not(None)).group_by(User.username))}
        some_code = {u: s.scalar(select(Petition.code).join(InboxItem, InboxItem.petition_id == Petition.id)
                                 .join(User, User.id == InboxItem.user_id).where(User.username == u)
                                 .order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(1))
                     for u in tied}
    assert len(tied) >= 10, tied  # most demo users have reminders about their petitions
    for username in usernames:
        b = Browser(app.test_client())
        assert b.login(username, DEMO_PASSWORD).status_code == 302
        r = b.get("/inbox")
        assert r.status_code == 200, (username, r.get_data(as_text=True)[:300])
        if username in tied:
            assert some_code[username] in r.get_data(as_text=True), username
