"""The inbox on the demo data after a tick: every demo user who has items tied to a petition
opens /inbox (the items link to the petition's code)."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.persistence.db import transaction
from tests.web.demo import demo, demo_app, demo_user  # noqa: F401 (fixtures)


def test_every_demo_user_opens_the_inbox_with_items_tied_to_petitions(demo, demo_user):
    from engine.persistence.models import InboxItem, Petition, User
    engine, usernames = demo
    with transaction(engine) as s:
        tied = {u: n for u, n in s.execute(select(User.username, func.count(InboxItem.id)).join(InboxItem, InboxItem.user_id == User.id)
                              .where(InboxItem.petition_id.is_not(None)).group_by(User.username))}
        some_code = {u: s.scalar(select(Petition.code).join(InboxItem, InboxItem.petition_id == Petition.id)
                                 .join(User, User.id == InboxItem.user_id).where(User.username == u)
                                 .order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(1))
                     for u in tied}
    assert len(tied) >= 10, tied  # most demo users have reminders about their petitions
    for username in usernames:
        r = demo_user(username).get("/inbox")
        assert r.status_code == 200, (username, r.get_data(as_text=True)[:300])
        if username in tied:
            assert some_code[username] in r.get_data(as_text=True), username
